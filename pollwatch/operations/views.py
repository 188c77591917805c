"""Election-day pages: coverage (refreshed by HTMX), the reports behind each number, master records and
conflict resolution, and a streaming CSV export. Thin: gate, validate, query, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseForbidden, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pollwatch.missions.access import access_mission_by_slug, can_manage, can_see_pii
from pollwatch.operations import queries
from pollwatch.operations.models import FormSchedule, MasterRecord
from pollwatch.operations.services import check_resolve_conflict


def _filters(request) -> dict:
    region = request.GET.get("region", "")
    return {
        "region_id": int(region) if region.isdigit() else None,
        "form_id": request.GET.get("form", "")[:100],
    }


def operations_home(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    return render(request, "operations/operations_home.html", _coverage_context(request, mission))


def dashboard(request, slug: str):
    """Coverage, checklist answers by region and incidents; the station map loads after the page (map_partial)."""
    from pollwatch.operations.dashboard import figures

    mission = access_mission_by_slug(request.user, slug)
    context = _coverage_context(request, mission)
    context["figures"] = figures(mission, **context["filters"])
    return render(request, "operations/dashboard.html", context)


def map_partial(request, slug: str):
    """The station map alone, fetched by the dashboard with HTMX once the page is shown."""
    from pollwatch.operations.dashboard import map_figure

    mission = access_mission_by_slug(request.user, slug)
    return render(request, "operations/_map.html", {"mission": mission,
                                                    "map": map_figure(mission, **_filters(request))})


def coverage_partial(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    return render(request, "operations/_coverage.html", _coverage_context(request, mission))


def _coverage_context(request, mission) -> dict:
    from pollwatch.geography.models import AdministrativeUnit

    filters = _filters(request)
    return {
        "mission": mission,
        "statuses": queries.STATUSES,
        "by_region": queries.coverage(mission, by="region", **filters),
        "by_form": queries.coverage(mission, by="form", **filters),
        "conflicts": queries.conflicting_masters(mission).count(),
        "regions": AdministrativeUnit.objects.filter(election=mission.election, depth=1).order_by("name"),
        "forms": FormSchedule.objects.for_mission(mission).values_list("form_id", flat=True),
        "filters": filters,
        "query": request.GET.urlencode(),
    }


def expected_list(request, slug: str):
    """The expected reports behind a coverage number; phones only for roles allowed to see PII."""
    mission = access_mission_by_slug(request.user, slug)
    status = request.GET.get("status", "")
    if status and status not in queries.STATUSES:
        raise Http404("No such status")
    rows = (
        queries.expected_reports(mission, status=status, **_filters(request))
        .select_related("observer", "station", "area", "region", "schedule", "submission")
        .order_by("region__name", "observer__code")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "operations/expected_list.html", {
        "mission": mission, "page": page, "status": status, "show_pii": can_see_pii(request.user, mission),
    })


def master_list(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    rows = MasterRecord.objects.for_mission(mission).select_related("station").order_by("-open_conflicts", "station__code")
    if request.GET.get("conflicts"):
        rows = rows.filter(open_conflicts__gt=0)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "operations/master_list.html", {"mission": mission, "page": page})


def master_detail(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    master = get_object_or_404(MasterRecord.objects.for_mission(mission).select_related("station"), pk=pk)
    return render(request, "operations/master_detail.html", {
        "mission": mission, "master": master, "can_manage": can_manage(request.user, mission),
        "resolutions": master.resolutions.select_related("resolved_by"),
        "conflicts": sorted(master.conflicts.items()),
    })


@require_POST
def resolve_conflict(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    master = get_object_or_404(MasterRecord.objects.for_mission(mission), pk=pk)
    if not can_manage(request.user, mission):
        return HttpResponseForbidden("Only coordinators resolve conflicts")
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
        messages.success(request, f"{field} resolved")
    return redirect("operations-master", slug=mission.slug, pk=master.pk)


def export(request, slug: str, what: str, fmt: str):
    """CSV (streamed) or XLSX of coverage, submissions, master records or incidents; phones for PII roles only."""
    from pollwatch.operations.exports import EXPORTS, csv_stream, xlsx_file

    mission = access_mission_by_slug(request.user, slug)
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export")
    header, data = EXPORTS[what](mission, can_see_pii(request.user, mission), **_filters(request))
    name = f"{mission.slug}-{what}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(header, data), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(xlsx_file(header, data, title=what), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def coverage_csv(request, slug: str):
    """Every expected report with its status, streamed row by row (constant memory for any size)."""
    return export(request, slug, "coverage", "csv")
