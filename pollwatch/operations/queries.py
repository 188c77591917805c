"""Reads for the election-day screens: coverage counts and the silent observers behind them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count

from pollwatch.accounts.privacy import shown_name
from pollwatch.operations.filters import Filters
from pollwatch.operations.models import CoverageCount, ExpectedReport, MasterRecord

STATUSES = [s.value for s in ExpectedReport.Status]


def expected_reports(mission, *, filters: Filters | None = None, status: str = "", received: bool = False):
    """The expected reports of the filters, counted under ``shown_status`` (see ``Filters.shown_status``);
    ``received``: only those whose first report came in (in the time window, if there is one)."""
    filters = filters or Filters(mission)
    rows = filters.expected()
    if status:
        rows = rows.filter(shown_status=status)
    if received:
        rows = rows.filter(filters.received_q(), first_received_at__isnull=False)
    return rows


def coverage(mission, *, by: str, filters: Filters | None = None) -> list[dict]:
    """Counts of expected reports per status, grouped ``by`` "region" or "form".

    With region and form filters only, reads the stored counters (``CoverageCount``, one row per region and form,
    kept equal to a recount of the expected reports by ``recompute_for_submission``), so it costs the same at 100
    or 100,000 stations. Any other filter is one GROUP BY over the filtered expected reports.
    """
    filters = filters or Filters(mission)
    table: dict = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    if filters.on_counters:
        ident = {"region": "region_id", "form": "form_id"}[by]
        rows = CoverageCount.objects.filter(mission=mission).exclude(form_id__in=filters.sealed)
        if filters.region_id:
            rows = rows.filter(region_id=filters.region_id)
        if filters.form_id:
            rows = rows.filter(form_id=filters.form_id)
        for row in rows.values(ident, *STATUSES):
            counts = table[row[ident]]
            for status in STATUSES:
                counts[status] += row[status]
    else:
        ident = {"region": "region_id", "form": "schedule__form_id"}[by]
        for row in filters.expected().values(ident, "shown_status").annotate(n=Count("pk")).order_by():
            table[row[ident]][row["shown_status"]] += row["n"]
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


def silent_observers(mission, *, show_pii: bool, filters: Filters | None = None) -> list[dict]:
    """The observers whose expected report is missing, with their phone only when ``show_pii``."""
    rows = (
        expected_reports(mission, filters=filters, status=ExpectedReport.Status.MISSING)
        .select_related("observer", "station", "area", "schedule", "region")
        .order_by("region__name", "observer__code")
    )
    return [
        {"code": e.observer.code, "name": shown_name(e.observer.name, show_pii),
         "phone": e.observer.phone if show_pii else None,
         "place": str(e.station or e.area), "region": e.region.name if e.region else "", "form_id": e.schedule.form_id,
         "due_at": e.due_at}
        for e in rows
    ]


def master_values_of_form(check) -> Iterator[tuple[int, int, dict]]:
    """(pk, station id, values) of the master records of a quality check's form (checks evaluate a new rule on them)."""
    return (MasterRecord.objects.for_mission(check.mission).filter(form_id=check.form_id)
            .values_list("pk", "station_id", "values").iterator())
