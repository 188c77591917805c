"""The dashboard's counter tables, rewritten from the derived rows they count (never incremented).

Three tables (``operations.models``):

- ``CoverageCount`` — expected reports per status, per (mission, region, form);
- ``ArrivalCount`` — first reports per (mission, region, form, local hour): coverage over time;
- ``ChecklistCount`` — yes / all yes-no answers per (mission, unit, form, field) over master records.

``refresh_dashboard_aggregates`` is called by ``services.recompute_for_submission`` (and conflict resolution)
with the keys whose expected reports and master records it has just recomputed; each key is *recounted* from
those rows, so the counters are exactly what a from-scratch count gives, whatever the order, edits or
duplicates of the reports, and a second call changes nothing. Concurrent writers of one region and form are
serialised by a row lock on its ``CoverageCount`` row taken after their own writes and before the recount: the
last one to take it recounts after every other writer has committed (PostgreSQL, READ COMMITTED; SQLite has a
single writer anyway). ``do_rebuild_dashboard_aggregates(mission)`` recounts everything in a few GROUP BYs: for
bulk loaders (demo, benchmark), schedule changes and re-parses.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncHour

from pollwatch.operations.models import (
    ArrivalCount,
    ChecklistCount,
    CoverageCount,
    ExpectedReport,
    MasterRecord,
)

STATUS_FIELDS = [s.value for s in ExpectedReport.Status]
YES, NO = frozenset({"yes", "true"}), frozenset({"no", "false"})


def checklist_answer(value: Any) -> bool | None:
    """A yes/no answer (JSON boolean, or XForm text "yes"/"no"/"true"/"false"); None when it is not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
    return None


def _tz(mission) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(mission.election.timezone or "UTC")


def local_hour(at: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The start of ``at``'s hour on the election's wall clock (what ``TruncHour(tzinfo=tz)`` gives)."""
    return at.astimezone(tz).replace(minute=0, second=0, microsecond=0)


def regions_of_units(election_id: int, unit_ids: Iterable[int]) -> dict[int, int | None]:
    """The depth-1 ancestor (region) of each unit."""
    from pollwatch.geography.tree import unit_tree

    tree = unit_tree(election_id)
    return {unit_id: tree.region(unit_id) for unit_id in unit_ids}


def _region_q(region_id: int | None) -> Q:
    return Q(region__isnull=True) if region_id is None else Q(region_id=region_id)


def _lock(mission_id: int, keys: list[tuple[int | None, str]]) -> None:
    """Make sure each (region, form) has its CoverageCount row, then lock them all in one order."""
    CoverageCount.objects.bulk_create(
        [CoverageCount(mission_id=mission_id, region_id=region, form_id=form) for region, form in keys],
        ignore_conflicts=True,
    )
    match = Q(pk__in=[])
    for region, form in keys:
        match |= _region_q(region) & Q(form_id=form)
    list(CoverageCount.objects.select_for_update().filter(match, mission_id=mission_id)
         .order_by("region_id", "form_id").values_list("pk", flat=True))


def _in_regions(region_ids: set[int | None]) -> Q:
    q = Q(region_id__in={r for r in region_ids if r is not None})
    return q | Q(region__isnull=True) if None in region_ids else q


def _recount_coverage(mission_id: int, coverage: dict[tuple[int | None, str], Any]) -> None:
    """Recount the CoverageCount rows of ``coverage`` ((region, form) → schedule) in one GROUP BY."""
    counts: dict[tuple[int | None, str], dict[str, int]] = {key: dict.fromkeys(STATUS_FIELDS, 0) for key in coverage}
    schedules = {schedule.pk for schedule in coverage.values()}
    for row in (ExpectedReport.objects.filter(_in_regions({r for r, _ in coverage}), schedule_id__in=schedules)
                .values("region_id", "schedule__form_id", "status").annotate(n=Count("pk")).order_by()):
        key = (row["region_id"], row["schedule__form_id"])
        if key in counts:
            counts[key][row["status"]] = row["n"]
    for (region_id, form_id), by_status in counts.items():
        CoverageCount.objects.filter(_region_q(region_id), mission_id=mission_id, form_id=form_id).update(**by_status)


def _recount_arrivals(mission_id: int, tz, coverage: dict[tuple[int | None, str], Any],
                      hours: dict[tuple[int | None, str], set[dt.datetime]]) -> None:
    """Recount the ArrivalCount rows of the given (region, form) keys and local hours in one GROUP BY."""
    wanted = {(region, form, hour) for (region, form), hs in hours.items() for hour in hs}
    if not wanted:
        return
    regions = {r for r, _ in hours}
    schedules = {coverage[key].pk for key in hours}
    # One count per wanted hour, as a range on the stored time: no truncation per row (on SQLite TruncHour is a
    # Python function called for every row read: most of a batch's recount at 10,000 stations), and only the
    # rows of those hours are read, not everything between the earliest and the latest.
    distinct_hours = sorted({h for _, _, h in wanted})
    in_hour = {f"h{i}": Q(first_received_at__gte=h.astimezone(dt.UTC),
                          first_received_at__lt=h.astimezone(dt.UTC) + dt.timedelta(hours=1))
               for i, h in enumerate(distinct_hours)}
    any_hour = Q(pk__in=[])
    for q in in_hour.values():
        any_hour |= q
    found = {}
    for row in (ExpectedReport.objects.filter(any_hour, _in_regions(regions), schedule_id__in=schedules)
                .values("region_id", "schedule__form_id")
                .annotate(**{name: Count("pk", filter=q) for name, q in in_hour.items()}).order_by()):
        for i, hour in enumerate(distinct_hours):
            found[(row["region_id"], row["schedule__form_id"], hour)] = row[f"h{i}"]
    stale = Q(pk__in=[])
    for (region, form), hs in hours.items():
        stale |= _region_q(region) & Q(form_id=form, hour__in=hs)
    ArrivalCount.objects.filter(stale, mission_id=mission_id).delete()
    ArrivalCount.objects.bulk_create([
        ArrivalCount(mission_id=mission_id, region_id=region, form_id=form, hour=hour, n=n)
        for (region, form, hour), n in sorted(found.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1], kv[0][2]))
        if (region, form, hour) in wanted and n
    ])


def tally_answers(values_rows: Iterable[dict | None]) -> dict[str, list[int]]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for values in values_rows:
        for field, value in (values or {}).items():
            if not isinstance(value, bool | str):
                continue  # numbers, most of a count form's values, are never answers: no call per value
            answer = checklist_answer(value)
            if answer is not None:
                table[field][0] += answer
                table[field][1] += 1
    return table


def _recount_checklists(mission_id: int, units: set[tuple[str, int]], unit_regions: dict[int, int | None]) -> None:
    """Recount the ChecklistCount rows of every (form, unit) in the product of ``units``' forms and units: one
    read of those units' master records, one delete, one insert."""
    forms, unit_ids = {f for f, _ in units}, {u for _, u in units}
    by_key: dict[tuple[str, int], list] = defaultdict(list)
    for unit, form, values in (MasterRecord.objects.filter(mission_id=mission_id, form_id__in=forms,
                                                            station__unit_id__in=unit_ids)
                               .values_list("station__unit_id", "form_id", "values").iterator(chunk_size=5000)):
        by_key[(form, unit)].append(values)
    ChecklistCount.objects.filter(mission_id=mission_id, form_id__in=forms, unit_id__in=unit_ids).delete()
    ChecklistCount.objects.bulk_create([
        ChecklistCount(mission_id=mission_id, unit_id=unit, region_id=unit_regions[unit], form_id=form, field=field,
                       yes=yes, total=total)
        for (form, unit), rows in sorted(by_key.items()) for field, (yes, total) in sorted(tally_answers(rows).items())
    ], batch_size=2000)


def refresh_dashboard_aggregates(mission, *, expected: Iterable[tuple[Any, int | None, Iterable]] = (),
                                 masters: Iterable[tuple[str, int]] = ()) -> None:
    """Recount the counters of the keys whose rows were just recomputed.

    ``expected``: (schedule, region id, first-arrival times before and after) of each re-derived expected
    report; ``masters``: (form id, station's unit id) of each rebuilt (or deleted) master record.
    """
    tz = _tz(mission)
    coverage: dict[tuple[int | None, str], Any] = {}
    hours: dict[tuple[int | None, str], set[dt.datetime]] = defaultdict(set)
    for schedule, region_id, times in expected:
        coverage[(region_id, schedule.form_id)] = schedule
        hours[(region_id, schedule.form_id)].update(local_hour(t, tz) for t in times if t is not None)
    units = set(masters)
    unit_regions = regions_of_units(mission.election_id, {unit for _, unit in units})
    keys = set(coverage) | {(unit_regions[unit], form) for form, unit in units}
    if not keys:
        return
    with transaction.atomic():
        _lock(mission.pk, sorted(keys, key=lambda k: (k[0] is not None, k[0] or 0, k[1])))
        if coverage:
            _recount_coverage(mission.pk, coverage)
            _recount_arrivals(mission.pk, tz, coverage, {k: h for k, h in hours.items() if h})
        if units:
            _recount_checklists(mission.pk, units, unit_regions)


def do_rebuild_dashboard_aggregates(mission) -> None:
    """Recount every counter of ``mission`` from its expected reports and master records (a few GROUP BYs)."""
    tz = _tz(mission)
    with transaction.atomic():
        CoverageCount.objects.filter(mission_id=mission.pk).delete()
        ArrivalCount.objects.filter(mission_id=mission.pk).delete()
        ChecklistCount.objects.filter(mission_id=mission.pk).delete()
        rows = ExpectedReport.objects.filter(mission_id=mission.pk)
        coverage: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUS_FIELDS, 0))
        for row in rows.values("region_id", "schedule__form_id", "status").annotate(n=Count("pk")).order_by():
            coverage[(row["region_id"], row["schedule__form_id"])][row["status"]] = row["n"]
        CoverageCount.objects.bulk_create([
            CoverageCount(mission_id=mission.pk, region_id=region, form_id=form, **counts)
            for (region, form), counts in coverage.items()], batch_size=2000)
        arrivals = (rows.filter(first_received_at__isnull=False)
                    .values("region_id", "schedule__form_id", hour=TruncHour("first_received_at", tzinfo=tz))
                    .annotate(n=Count("pk")).order_by())
        ArrivalCount.objects.bulk_create([
            ArrivalCount(mission_id=mission.pk, region_id=row["region_id"], form_id=row["schedule__form_id"],
                         hour=row["hour"], n=row["n"]) for row in arrivals], batch_size=2000)
        by_unit: dict[tuple[int, str], list] = defaultdict(list)
        for unit, form, values in (MasterRecord.objects.filter(mission_id=mission.pk)
                                   .values_list("station__unit_id", "form_id", "values").iterator(chunk_size=5000)):
            by_unit[(unit, form)].append({k: v for k, v in (values or {}).items()
                                          if checklist_answer(v) is not None})
        unit_regions = regions_of_units(mission.election_id, {unit for unit, _ in by_unit})
        ChecklistCount.objects.bulk_create([
            ChecklistCount(mission_id=mission.pk, unit_id=unit, region_id=unit_regions[unit], form_id=form, field=field,
                           yes=yes, total=total)
            for (unit, form), values in by_unit.items() for field, (yes, total) in sorted(tally_answers(values).items())
        ], batch_size=2000)
