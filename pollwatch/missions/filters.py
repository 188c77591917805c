"""The election-day filters of a mission's pages: region, form, observer group, time window, flag.

``parse_filters(mission, request.GET)`` reads region, form, observer group, time window (local time of the
election's timezone) and flag; a value it cannot use is dropped and explained in ``notes`` (shown above the
page), never a 500. The dashboard, its drill-down lists and exports (``pollwatch.operations.filters``, which adds
the ``Q`` of the election-day tables) and the incident list read the same ``Filters``, so a number and the list
behind it select the same rows.

It lives here, low in the layers (it reads only the election's units and the mission's observers), so incidents
and operations share it without importing each other. A flag that depends on a higher app's table (a failing
quality check, an open conflict) is a ``Q`` that app registers with :func:`register_report_flag` from its
``AppConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pollwatch.web.params import bounded_datetime

FLAGS = {
    "review": _("reports that need review"),
    "failing": _("reports failing a quality check"),
    "conflicts": _("stations with open conflicts"),
    "late": _("reports received after their due time"),
}
PARAMS = ("region", "form", "group", "from", "to", "flag")


# flag → Q(filters, submission, station): the rows whose report (``submission``: the path to it, ``"pk"`` for a
# submission itself) or station (``station``) the flag selects. "review" is built in; "late" is per table.
_REPORT_FLAGS: dict[str, Callable[[Filters, str, str], Q]] = {}


def register_report_flag(flag: str, q: Callable[[Filters, str, str], Q]) -> None:
    """Let ``flag`` select rows that carry a report and a station (incidents, submissions) by ``q``."""
    _REPORT_FLAGS[flag] = q


@dataclass
class Filters:
    """What a page shows; ``parse_filters`` makes one from a query dict."""

    mission: object
    region_id: int | None = None
    form_id: str = ""
    group: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    flag: str = ""
    # The accepted values as given (for links that carry the filters on) and what was dropped, and why.
    params: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def on_counters(self) -> bool:
        """True when the counter tables (region × form) answer the filters."""
        return not (self.group or self.since or self.until or self.flag)

    @property
    def window(self) -> bool:
        return self.since is not None or self.until is not None

    def query(self, **overrides: object) -> str:
        """The filters as a query string, with ``overrides`` (None drops a parameter)."""
        params = {**self.params, **{k.rstrip("_"): v for k, v in overrides.items()}}
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def received_q(self, at: str = "first_received_at") -> Q:
        q = Q()
        if self.since is not None:
            q &= Q(**{f"{at}__gte": self.since})
        if self.until is not None:
            q &= Q(**{f"{at}__lt": self.until})
        return q

    # Incidents ---------------------------------------------------------------------------------------------------
    def incident_q(self) -> Q:
        q = Q(mission=self.mission) & self.received_q("occurred_at")
        if self.region_id:
            q &= Q(region_id=self.region_id)
        if self.group:
            q &= Q(observer__category=self.group)
        q &= self._report_flag_q("submission", "station")
        return q

    def _report_flag_q(self, submission: str, station: str, *, prefix: str | None = None) -> Q:
        """review and the registered flags for a row with a submission and a station (late is per table)."""
        prefix = f"{submission}__" if prefix is None else prefix
        if self.flag == "review":
            return Q(**{f"{prefix}needs_review": True})
        if self.flag in _REPORT_FLAGS:
            return _REPORT_FLAGS[self.flag](self, submission, station)
        return Q()

    @functools.cached_property
    def region_units(self) -> list[int]:
        """The region and every unit below it (from the election's unit tree)."""
        from pollwatch.geography.tree import unit_tree

        return sorted(unit_tree(self.mission.election_id).under(self.region_id))


def observer_groups(mission) -> list[str]:
    """The distinct observer categories of the mission (long-term, short-term, team leader…)."""
    from pollwatch.missions.models import Observer

    return list(Observer.objects.filter(mission=mission).exclude(category="").order_by("category")
                .values_list("category", flat=True).distinct())


def parse_filters(mission, params, *, regions=None, groups=None, kind: type[Filters] = Filters) -> Filters:
    """Filters from a query dict; invalid values are dropped with a note. ``regions`` (depth-1 units) and
    ``groups`` may be passed when the caller has already read them for its drop-downs; ``kind`` is the class
    made (operations' subclass adds the election-day tables)."""
    from pollwatch.geography.regions import regions as geography_regions

    f = kind(mission)
    region = params.get("region", "").strip()
    if region:
        if regions is None:
            regions = geography_regions(mission.election)
        if region.isdigit() and int(region) in {r.pk for r in regions}:
            f.region_id = int(region)
            f.params["region"] = region
        else:
            f.notes.append(gettext("Unknown region {value}: ignored.").format(value=repr(region[:40])))
    form = params.get("form", "").strip()[:100]
    if form:
        f.form_id = f.params["form"] = form
    group = params.get("group", "").strip()[:64]
    if group:
        if group in (observer_groups(mission) if groups is None else groups):
            f.group = f.params["group"] = group
        else:
            f.notes.append(gettext("Unknown observer group {value}: ignored.").format(value=repr(group)))
    tz = zoneinfo.ZoneInfo(mission.election.timezone or "UTC")
    for name in ("from", "to"):
        text = params.get(name, "").strip()
        if not text:
            continue
        at = _local_time(text[:40], mission.election.date, tz)
        if at is None:
            f.notes.append((gettext("Cannot read from time {value} (use HH:MM or YYYY-MM-DDTHH:MM, years 1900 "
                                    "to 2199): ignored.") if name == "from" else
                            gettext("Cannot read to time {value} (use HH:MM or YYYY-MM-DDTHH:MM, years 1900 to "
                                    "2199): ignored.")).format(value=repr(text[:40])))
            continue
        setattr(f, "since" if name == "from" else "until", at)
        f.params[name] = text
    if f.since and f.until and f.since >= f.until:
        f.notes.append(gettext("The time window ends before it starts: ignored."))
        f.since = f.until = None
        f.params.pop("from"), f.params.pop("to")
    flag = params.get("flag", "").strip()
    if flag:
        if flag in FLAGS:
            f.flag = f.params["flag"] = flag
        else:
            f.notes.append(gettext("Unknown flag {value}: ignored.").format(value=repr(flag[:40])))
    return f


def _local_time(text: str, day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """``HH:MM`` on election day or ``YYYY-MM-DDTHH:MM`` (an HTML datetime-local), in the election's zone."""
    try:
        if len(text) <= 5:
            naive = dt.datetime.combine(day, dt.time.fromisoformat(text))
        else:
            naive = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if not bounded_datetime(naive):  # year 1 in a zone east of UTC is before year 1 in UTC: an overflow
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=tz)
