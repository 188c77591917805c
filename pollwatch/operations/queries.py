"""Reads for the election-day screens: coverage counts and the silent observers behind them."""

from __future__ import annotations

from collections import defaultdict

from pollwatch.operations.models import CoverageCount, ExpectedReport, MasterRecord

STATUSES = [s.value for s in ExpectedReport.Status]


def expected_reports(mission, *, region_id: int | None = None, form_id: str = "", status: str = ""):
    rows = ExpectedReport.objects.for_mission(mission)
    if region_id:
        rows = rows.filter(region_id=region_id)
    if form_id:
        rows = rows.filter(schedule__form_id=form_id)
    if status:
        rows = rows.filter(status=status)
    return rows


def coverage(mission, *, by: str, region_id: int | None = None, form_id: str = "") -> list[dict]:
    """Counts of expected reports per status, grouped ``by`` "region" or "form".

    Reads the stored counters (``CoverageCount``, one row per region and form, kept equal to a recount of the
    expected reports by ``recompute_for_submission``), so it costs the same at 100 or 100,000 stations.
    """
    ident = {"region": "region_id", "form": "form_id"}[by]
    rows = CoverageCount.objects.filter(mission=mission)
    if region_id:
        rows = rows.filter(region_id=region_id)
    if form_id:
        rows = rows.filter(form_id=form_id)
    table: dict = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for row in rows.values(ident, *STATUSES):
        counts = table[row[ident]]
        for status in STATUSES:
            counts[status] += row[status]
    table = {k: counts for k, counts in table.items() if sum(counts.values())}
    if by == "region":
        from pollwatch.geography.models import AdministrativeUnit

        names = dict(AdministrativeUnit.objects.filter(pk__in=[k for k in table if k]).values_list("pk", "name"))
        labels = {k: names.get(k, "—") for k in table}
    else:
        labels = {k: k for k in table}
    result = []
    for ident_value, counts in table.items():
        total = sum(counts.values())
        reported = total - counts["missing"]
        result.append({"id": ident_value, "label": labels[ident_value], "counts": counts, "total": total,
                       "reported_pct": round(100 * reported / total, 1) if total else 0.0})
    return sorted(result, key=lambda r: str(r["label"]))


def silent_observers(mission, *, show_pii: bool, region_id: int | None = None, form_id: str = "") -> list[dict]:
    """The observers whose expected report is missing, with their phone only when ``show_pii``."""
    rows = (
        expected_reports(mission, region_id=region_id, form_id=form_id, status=ExpectedReport.Status.MISSING)
        .select_related("observer", "station", "area", "schedule", "region")
        .order_by("region__name", "observer__code")
    )
    return [
        {"code": e.observer.code, "name": e.observer.name, "phone": e.observer.phone if show_pii else None,
         "place": str(e.station or e.area), "region": e.region.name if e.region else "", "form_id": e.schedule.form_id,
         "due_at": e.due_at}
        for e in rows
    ]


def conflicting_masters(mission):
    return MasterRecord.objects.for_mission(mission).filter(open_conflicts__gt=0).select_related("station")
