"""Bulk rebuild of a mission's election-day tables, for loaders that write many reports at once (the demo, a
bulk re-parse, a restore).

``do_rebuild_election_day(mission)`` gives the same master records, expected-report statuses, quality-check
results and dashboard counters as running ``recompute_for_submission`` for every report (tests/operations/
test_bulk.py compares the two), but in a few queries over the whole mission instead of ~25 per report: the demo's
5,000 stations take seconds instead of minutes. The merge and status rules are the per-report path's own
functions, so the two cannot drift apart.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from pollwatch.operations.aggregates import do_rebuild_dashboard_aggregates
from pollwatch.operations.models import ConflictResolution, ExpectedReport, FormSchedule, MasterRecord
from pollwatch.operations.services import _current_submissions, _merge, expected_status


def do_rebuild_election_day(mission) -> dict[str, int]:
    """Rebuild every derived election-day table of ``mission`` from its current reports; idempotent."""
    from pollwatch.checks.models import QualityCheck
    from pollwatch.checks.services import do_evaluate_check_everywhere

    with transaction.atomic():
        masters = do_rebuild_master_records(mission)
        expected = do_rebuild_expected_statuses(mission)
        for check in QualityCheck.objects.for_mission(mission).filter(is_active=True):
            do_evaluate_check_everywhere(check)
        do_rebuild_dashboard_aggregates(mission)
    return {"master_records": masters, "expected_reports": expected}


def do_rebuild_master_records(mission) -> int:
    """One master record per station and form with current reports (latest per observer), as
    ``do_recompute_master_record`` builds it, keeping coordinators' resolutions; records left without reports go."""
    latest: dict[tuple[int, str], dict[Any, dict]] = defaultdict(dict)
    for station_id, form_id, observer_id, pk, values in (
        _current_submissions(mission).filter(station__isnull=False, form__isnull=False)
        .order_by("received_at", "pk").values_list("station_id", "form__form_id", "observer_id", "pk", "values")
        .iterator(chunk_size=5000)
    ):
        latest[(station_id, form_id)][observer_id if observer_id is not None else f"anon-{pk}"] = values or {}
    existing = {(m.station_id, m.form_id): m for m in MasterRecord.objects.for_mission(mission)}
    resolutions: dict[int, dict[str, ConflictResolution]] = defaultdict(dict)
    for resolution in ConflictResolution.objects.filter(master__mission=mission):  # newest first per field
        resolutions[resolution.master_id].setdefault(resolution.field, resolution)
    now = timezone.now()
    create, update = [], []
    for key, per_observer in latest.items():
        master = existing.get(key) or MasterRecord(mission=mission, station_id=key[0], form_id=key[1])
        merged, conflicts, open_count = _merge(list(per_observer.values()), resolutions.get(master.pk, {}))
        master.values, master.conflicts, master.open_conflicts = merged, conflicts, open_count
        master.report_count, master.updated_at = len(per_observer), now
        (update if master.pk else create).append(master)
    MasterRecord.objects.filter(pk__in=[m.pk for k, m in existing.items() if k not in latest]).delete()
    MasterRecord.objects.bulk_update(update, ["values", "conflicts", "open_conflicts", "report_count",
                                              "updated_at"], batch_size=1000)
    MasterRecord.objects.bulk_create(create, batch_size=1000)
    return len(latest)


def do_rebuild_expected_statuses(mission) -> int:
    """Re-derive the status of every expected report of ``mission`` (they must exist: ``do_build_expected_reports``
    creates them) from the current reports, in memory."""
    from pollwatch.geography.tree import unit_tree

    by_observer: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in (_current_submissions(mission).filter(observer__isnull=False, form__isnull=False)
                .order_by("received_at", "pk")
                .values("pk", "observer_id", "form__form_id", "station_id", "station__unit_id", "received_at",
                        "values").iterator(chunk_size=5000)):
        by_observer[(row["observer_id"], row["form__form_id"])].append(row)
    conflicted = set(MasterRecord.objects.for_mission(mission).filter(open_conflicts__gt=0)
                     .values_list("station_id", "form_id"))
    tree = unit_tree(mission.election_id)
    under: dict[int, set[int]] = {}

    schedules = {s.pk: s for s in FormSchedule.objects.for_mission(mission)}
    rows = list(ExpectedReport.objects.for_mission(mission).filter(schedule_id__in=schedules))
    for expected in rows:
        schedule = schedules[expected.schedule_id]
        reports = by_observer.get((expected.observer_id, schedule.form_id), [])
        if expected.station_id:
            reports = [r for r in reports if r["station_id"] == expected.station_id]
        elif expected.area_id:
            if expected.area_id not in under:
                under[expected.area_id] = tree.under(expected.area_id)
            area = under[expected.area_id]
            reports = [r for r in reports if r["station__unit_id"] in area]
        status = expected_status(
            reports, schedule, expected.due_at,
            conflicting=lambda stations, form_id=schedule.form_id: any((s, form_id) in conflicted for s in stations),
        )
        expected.status = status
        expected.submission_id = reports[-1]["pk"] if reports else None
        expected.first_received_at = reports[0]["received_at"] if reports else None
    ExpectedReport.objects.bulk_update(rows, ["status", "submission", "first_received_at"], batch_size=1000)
    return len(rows)
