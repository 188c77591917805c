"""Reads used by the mission pages, the API and the CLI. Every function takes an already-gated mission."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from pollwatch.geography.models import AdministrativeUnit, PollingStation
from pollwatch.geography.regions import regions
from pollwatch.missions.models import Deployment, Mission, Observer


@dataclass(frozen=True)
class MissionOverview:
    units_by_level: list[tuple[str, int]]
    stations: int
    registered_voters: int
    observers: int
    deployments: int
    stations_covered: int
    submissions: int


def mission_overview(mission: Mission, *, sealed: Collection[str] = ()) -> MissionOverview:
    """The mission's reach; ``sealed`` forms' reports are not counted (the viewer may not see them)."""
    election = mission.election
    levels = (
        AdministrativeUnit.objects.filter(election=election)
        .values("depth", "level")
        .annotate(n=Count("id"))
        .order_by("depth")
    )
    stations = PollingStation.objects.filter(election=election).aggregate(n=Count("id"), v=Sum("registered_voters"))
    deployments = Deployment.objects.for_mission(mission)
    return MissionOverview(
        units_by_level=[(_plural(row["level"]), row["n"]) for row in levels if row["n"] > 1 or row["depth"] > 0],
        stations=stations["n"] or 0,
        registered_voters=stations["v"] or 0,
        observers=Observer.objects.for_mission(mission).count(),
        deployments=deployments.count(),
        stations_covered=deployments.exclude(station=None).values("station").distinct().count(),
        # Through the reverse relation: collection sits above missions and is not imported here.
        submissions=mission.submissions.exclude(form__form_id__in=sealed).count(),
    )


# Headings of the usual administrative levels in the interface's language; other level names are the data's own.
_LEVEL_HEADINGS = {
    "country": _("Countries"), "region": _("Regions"), "district": _("Districts"),
    "constituency": _("Constituencies"), "municipality": _("Municipalities"), "province": _("Provinces"),
    "department": _("Departments"), "commune": _("Communes"), "governorate": _("Governorates"),
}


def _plural(level: str) -> str:
    """A heading for a level's units: the translated heading of a usual level, else the English plural of the
    level's name ("constituency" → "constituencies")."""
    if level.lower() in _LEVEL_HEADINGS:
        return _LEVEL_HEADINGS[level.lower()]
    if level.endswith("y") and level[-2:-1] not in "aeiou":
        return level[:-1] + "ies"
    return level if level.endswith("s") else level + "s"


def regions_with_counts(mission: Mission) -> QuerySet[AdministrativeUnit]:
    """The election's regions (:mod:`pollwatch.geography.regions`, as on the dashboard), with counts."""
    return (
        regions(mission.election)
        .annotate(
            constituencies=Count("children", distinct=True),
            # Stations hang from the lowest unit: count those of the children and of the unit itself.
            n_stations=Count("children__stations", distinct=True) + Count("stations", distinct=True),
        )
        .order_by("code")
    )


def search_stations(mission: Mission, text: str, *, limit: int = 50) -> QuerySet[PollingStation]:
    stations = PollingStation.objects.filter(election=mission.election).select_related("unit", "unit__parent")
    text = text.strip()
    if text:
        stations = stations.filter(
            Q(code__istartswith=text) | Q(name__icontains=text) | Q(address__icontains=text)
            | Q(unit__name__icontains=text)
        )
    return stations.order_by("code")[:limit]


def deployments_page(mission: Mission) -> QuerySet[Deployment]:
    return (
        Deployment.objects.for_mission(mission)
        .select_related("observer", "station", "area")
        .order_by("team", "observer__code")
    )


def must_use_totp(user) -> bool:
    """Whether ``user`` is a coordinator or admin of a mission that requires a TOTP second factor, or of any
    mission under the site setting (``POLLWATCH_REQUIRE_TOTP``); registered with ``pollwatch.accounts.two_factor``."""
    from django.conf import settings

    from pollwatch.missions.models import Membership
    from pollwatch.missions.permissions import SECOND_FACTOR_ROLES

    memberships = Membership.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES)
    if not getattr(settings, "TOTP_REQUIRED", False):
        memberships = memberships.filter(mission__require_totp=True)
    return memberships.exists()
