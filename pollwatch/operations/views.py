"""Election-day pages: coverage (refreshed by HTMX), the reports behind each number, master records and
conflict resolution, and a streaming CSV export. Thin: gate, validate, query, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pollwatch.missions.access import access_mission_by_slug, can_see_pii, has_capability, sealed_form_ids
from pollwatch.missions.permissions import Cap
from pollwatch.operations import queries
from pollwatch.operations.filters import FLAGS, Filters, observer_groups, parse_filters
from pollwatch.operations.models import ExpectedReport, FormSchedule, MasterRecord
from pollwatch.operations.services import check_resolve_conflict


def _filters(request, mission, **known) -> Filters:
    """The filters of the page; values it cannot use are dropped and listed in ``filters.notes``. The forms sealed
    for the user (an unpublished quick count's count form) are left out of every number and list."""
    return parse_filters(mission, request.GET, sealed=sealed_form_ids(request.user, mission), **known)


# Election-day pages show every observer's coverage and reports: SEE_REPORTS (observers see their own on the
# mission's home page). Master records and exports leave out the forms sealed for the quick count.


def operations_home(request, slug: str):
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    return render(request, "operations/operations_home.html", _coverage_context(request, mission))


def dashboard(request, slug: str):
    """Coverage, checklist answers by region and incidents; the station map loads after the page (map_partial)."""
    from pollwatch.operations.dashboard import figures

    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    context = _coverage_context(request, mission)
    context["figures"] = figures(mission, context["filters"])
    return render(request, "operations/dashboard.html", context)


def map_partial(request, slug: str):
    """The station map alone, fetched by the dashboard with HTMX once the page is shown."""
    from pollwatch.operations.stationmap import map_figure

    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    return render(request, "operations/_map.html", {"mission": mission,
                                                    "map": map_figure(mission, _filters(request, mission))})


def coverage_partial(request, slug: str):
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    return render(request, "operations/_coverage.html", _coverage_context(request, mission))


def _coverage_context(request, mission) -> dict:
    from pollwatch.geography.regions import regions as regions_of_election

    regions = list(regions_of_election(mission.election).order_by("name"))
    groups = observer_groups(mission)
    filters = _filters(request, mission, regions=regions, groups=groups)
    expected_url = reverse("operations-expected", args=[mission.slug])
    by_region = queries.coverage(mission, by="region", filters=filters)
    by_form = queries.coverage(mission, by="form", filters=filters)
    for rows, key in ((by_region, "region"), (by_form, "form")):
        for row in rows:
            row["cells"] = [(row["counts"][s], f"{expected_url}?" + filters.query(status=s, **{key: row["id"] or None}))
                            for s in queries.STATUSES]
    from pollwatch.collection.derivation import backlog

    return {
        "mission": mission,
        # How fresh the derived tables are: reports stored but not yet derived, and how long the oldest waits.
        "freshness": backlog(mission),
        "can_manage": has_capability(request.user, mission, Cap.RESOLVE_CONFLICTS),
        "statuses": [ExpectedReport.Status(s).label for s in queries.STATUSES],  # the column headers
        "by_region": by_region,
        "by_form": by_form,
        "conflicts": MasterRecord.objects.filter(filters.master_q(), open_conflicts__gt=0).count(),
        "conflicts_query": filters.query(flag=None),
        "regions": regions,
        "groups": groups,
        "flags": FLAGS,
        "forms": FormSchedule.objects.for_mission(mission).values_list("form_id", flat=True),
        "filters": filters,
        "query": filters.query(),
    }


def expected_list(request, slug: str):
    """The expected reports behind a coverage number; phones only for roles allowed to see PII."""
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    status = request.GET.get("status", "")
    if status and status not in queries.STATUSES:
        raise Http404("No such status")
    filters = _filters(request, mission)
    received = request.GET.get("received") == "1"
    rows = (
        queries.expected_reports(mission, filters=filters, status=status, received=received)
        .select_related("observer", "station", "area", "region", "schedule", "submission")
        .order_by("region__name", "observer__code")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "operations/expected_list.html", {
        "mission": mission, "page": page, "status": status, "show_pii": can_see_pii(request.user, mission),
        "status_label": ExpectedReport.Status(status).label if status else "",
        "filters": filters, "received": received, "query": filters.query(status=status, received=received or None),
    })


def master_list(request, slug: str):
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    filters = _filters(request, mission)
    rows = (MasterRecord.objects.filter(filters.master_q()).select_related("station")
            .order_by("-open_conflicts", "station__code"))
    conflicts = bool(request.GET.get("conflicts"))
    if conflicts:
        rows = rows.filter(open_conflicts__gt=0)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "operations/master_list.html", {
        "mission": mission, "page": page, "filters": filters,
        "query": filters.query(conflicts=1 if conflicts else None)})


def access_master_by_id(user, mission, pk: int, need: Cap = Cap.SEE_REPORTS) -> MasterRecord:
    """A master record of ``mission`` the user may see (not of a sealed form); else 404. 403 without ``need``."""
    if not has_capability(user, mission, need):
        raise PermissionDenied(f"Your role in this mission may not {need.value}.")
    return get_object_or_404(MasterRecord.objects.for_mission(mission).select_related("station")
                             .exclude(form_id__in=sealed_form_ids(user, mission)), pk=pk)


def master_detail(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    master = access_master_by_id(request.user, mission, pk)
    return render(request, "operations/master_detail.html", {
        "mission": mission, "master": master, "can_manage": has_capability(request.user, mission,
                                                                           Cap.RESOLVE_CONFLICTS),
        "resolutions": master.resolutions.select_related("resolved_by"),
        "conflicts": sorted(master.conflicts.items()),
    })


@require_POST
def resolve_conflict(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    master = access_master_by_id(request.user, mission, pk, need=Cap.RESOLVE_CONFLICTS)
    field = request.POST.get("field", "")[:200]
    choice = request.POST.get("choice", "")
    value = request.POST.get("verified", "").strip()[:500] if choice == "__verified__" else None
    if value is None:
        candidates = master.conflicts.get(field, {}).get("values", [])
        index = int(choice) if choice.isdigit() else -1
        value = candidates[index] if 0 <= index < len(candidates) else None
    elif value.lstrip("-").isdigit():
        value = int(value)
    try:
        check_resolve_conflict(master, field=field, value=value, reason=request.POST.get("reason", "")[:1000],
                               user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("{field} resolved").format(field=field))
    return redirect("operations-master", slug=mission.slug, pk=master.pk)


def export(request, slug: str, what: str, fmt: str):
    """CSV (streamed) or XLSX of coverage, submissions, master records or incidents; phones for PII roles only."""
    from pollwatch.operations.exports import EXPORTS
    from pollwatch.web.downloads import download_response

    mission = access_mission_by_slug(request.user, slug, need=Cap.EXPORT)
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export")
    filters = _filters(request, mission)
    header, data = EXPORTS[what](mission, can_see_pii(request.user, mission), filters, sealed=filters.sealed)
    name = f"{mission.slug}-{what}.{fmt}"
    return download_response(header, data, fmt=fmt, name=name, title=what, user=request.user, mission=mission,
                             query=request.GET.urlencode())


def coverage_csv(request, slug: str):
    """Every expected report with its status, streamed row by row (constant memory for any size)."""
    return export(request, slug, "coverage", "csv")
