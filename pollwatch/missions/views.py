"""Mission pages: the home page and the HTMX station search. Thin: gate, query, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from pollwatch.missions import queries
from pollwatch.missions.access import access_mission_by_slug, can_see_pii, observer_q, sealed_form_ids
from pollwatch.missions.models import Mission
from pollwatch.missions.permissions import Cap


def home(request):
    missions = list(Mission.objects.visible_to(request.user).select_related("election"))
    if len(missions) == 1:
        return redirect("mission-home", slug=missions[0].slug)
    return render(request, "missions/mission_list.html", {"missions": missions})


def mission_home(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    # Observers see their own assignment only (observer_q): not who else observes where.
    deployments = Paginator(queries.deployments_page(mission).filter(observer_q(request.user, mission)), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "missions/mission_home.html",
        {
            "mission": mission,
            "election": mission.election,
            "overview": queries.mission_overview(mission, sealed=sealed_form_ids(request.user, mission)),
            "regions": queries.regions_with_counts(mission),
            "candidates": mission.election.contests.first().candidates.all()
            if mission.election.contests.exists()
            else [],
            "deployments": deployments,
            "show_pii": can_see_pii(request.user, mission),
            "stations": queries.search_stations(mission, ""),
        },
    )


def station_search(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    text = request.GET.get("q", "")
    return render(
        request,
        "missions/_station_results.html",
        {"mission": mission, "stations": queries.search_stations(mission, text), "q": text},
    )


def station_detail(request, slug: str, code: str):
    """One station: where it is, its official results, and this mission's deployments and reports there."""
    from pollwatch.elections.models import StationResult
    from pollwatch.geography.models import PollingStation

    mission = access_mission_by_slug(request.user, slug)
    station = get_object_or_404(
        PollingStation.objects.select_related("unit", "unit__parent"), election=mission.election, code=code
    )
    results = (
        StationResult.objects.filter(station=station)
        .select_related("contest")
        .prefetch_related("votes__candidate")
    )
    return render(request, "missions/station_detail.html", {
        "mission": mission,
        "station": station,
        "results": results,
        "deployments": queries.deployments_page(mission).filter(observer_q(request.user, mission), station=station),
        # The mission's reports at the station, through the reverse relation (collection is a higher layer). The
        # sealed forms' reports (an unpublished quick count's count form) are left out at every station: listing
        # them, even without values, would say which stations are in the sample.
        "reports": mission.submissions.filter(observer_q(request.user, mission), station=station)
        .exclude(form__form_id__in=sealed_form_ids(request.user, mission))
        .select_related("observer", "form").order_by("received_at")[:200],
        "show_pii": can_see_pii(request.user, mission),
    })


def audit_trail(request, slug: str):
    """The mission's audit entries, newest first (SEE_AUDIT). ``pollwatch audit verify`` checks the chain."""
    from pollwatch.accounts.models import AuditEntry

    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_AUDIT)
    entries = Paginator(AuditEntry.objects.filter(mission=mission).order_by("-pk"), 100).get_page(
        request.GET.get("page"))
    return render(request, "missions/audit_trail.html", {"mission": mission, "page": entries})
