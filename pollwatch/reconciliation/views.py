"""The reconciliation page and its CSV: observers' counts against the official results, station by station."""

from __future__ import annotations

from django.shortcuts import render

from pollwatch.missions.access import access_mission_by_slug, has_capability, require_capability
from pollwatch.missions.permissions import Cap
from pollwatch.reconciliation.queries import NUMBERS, reconciliation_report, region_names
from pollwatch.stats.reconciliation import CLASSES
from pollwatch.web.downloads import download_response
from pollwatch.web.params import BadParameter

MAX_ROWS = 500  # stations listed on the page (the CSV has them all)
ORDER = {c: i for i, c in enumerate(reversed(CLASSES))}  # impossible first, then large, small, exact


def _filters(request, mission) -> tuple[str, str]:
    """The region and class asked for ("" for all); an unknown one is a 400 naming the parameter."""
    region = request.GET.get("region", "")
    status = request.GET.get("class", "")
    if region and region not in region_names(mission):
        raise BadParameter("region", "no such region in this election")
    if status and status not in CLASSES:
        raise BadParameter("class", f"must be one of {', '.join(CLASSES)}")
    return region, status


def reconciliation_page(request, slug: str):
    # Observers' counts at every station: a role that sees every observer's reports (the count form itself is
    # left out for quick-count secrecy by the query).
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    region, status = _filters(request, mission)
    report = reconciliation_report(mission, request.user, region=region or None)
    rows = [r for r in report.stations if not status or r.status == status]
    rows.sort(key=lambda r: (r.region, ORDER[r.status], r.code))
    numbers = [*NUMBERS, *report.candidates]
    return render(request, "reconciliation/reconciliation.html", {
        "mission": mission, "report": report, "rows": rows[:MAX_ROWS], "total": len(rows), "max_rows": MAX_ROWS,
        "region": region, "status": status, "classes": CLASSES, "numbers": numbers,
        "can_export": has_capability(request.user, mission, Cap.EXPORT),
    })


def reconciliation_csv(request, slug: str):
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    require_capability(request.user, mission, Cap.EXPORT)
    region, status = _filters(request, mission)
    report = reconciliation_report(mission, request.user, region=region or None)
    numbers = [*NUMBERS, *report.candidates]
    header = ["station_id", "station", "region", "class", "impossible_side", "largest_difference",
              *(f"{who}_{n}" for n in numbers for who in ("observed", "official")), "photos"]
    data = ([r.code, r.name, r.region, r.status, r.impossible_side, r.largest_difference,
             *(v for pair in zip(r.observed, r.official, strict=True) for v in pair), len(r.photos)]
            for r in report.stations if not status or r.status == status)
    return download_response(header, data, fmt="csv", name=f"reconciliation-{mission.slug}.csv",
                             title="reconciliation", user=request.user, mission=mission,
                             query=f"region={region} class={status}")
