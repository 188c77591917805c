"""Election-day writes: schedules, expected reports and conflict resolution.

The tables derived from reports (master records, expected-report statuses, counters) are rebuilt by
``operations.derive``, in batches by the worker; the writers here change what those rules read (a schedule, a
coordinator's resolution) and rebuild what that changed with the same rules.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.geography.regions import region_of
from pollwatch.operations.aggregates import do_rebuild_dashboard_aggregates, refresh_dashboard_aggregates
from pollwatch.operations.models import (
    MAP_BUCKETS,
    ConflictResolution,
    ExpectedReport,
    FormSchedule,
    MasterRecord,
)


def _due_at(mission, due_time: dt.time) -> dt.datetime:
    election = mission.election
    tz = zoneinfo.ZoneInfo(getattr(election, "timezone", "") or "UTC")
    return dt.datetime.combine(election.date, due_time, tzinfo=tz)


def do_set_form_schedule(mission, *, form_id: str, due_time: dt.time, required_fields=(), user=None) -> FormSchedule:
    """Create or change a form's schedule and (re)build the expected reports from the deployments."""
    with transaction.atomic():
        schedule, _ = FormSchedule.objects.update_or_create(
            mission=mission, form_id=form_id,
            defaults={"due_time": due_time, "required_fields": list(required_fields)},
        )
        do_record_audit("schedule.set", user=user, mission=mission, obj=schedule,
                        detail={"form_id": form_id, "due_time": due_time.isoformat()})
        do_build_expected_reports(mission)
    return schedule


def do_build_expected_reports(mission) -> int:
    """One expected report per deployment × schedule; existing ones are kept, all are recomputed (in bulk), and
    the dashboard's counters are rebuilt."""
    from pollwatch.missions.models import Deployment
    from pollwatch.operations.derive import do_rebuild_expected_statuses

    deployments = list(Deployment.objects.for_mission(mission).select_related(
        "station__unit__parent__parent", "area__parent__parent"
    ))
    existing = {(e.schedule_id, e.observer_id, e.station_id, e.area_id): e
                for e in ExpectedReport.objects.for_mission(mission)}
    create, update = [], []
    for schedule in FormSchedule.objects.for_mission(mission):
        due_at = _due_at(mission, schedule.due_time)
        for dep in deployments:
            unit = dep.station.unit if dep.station_id else dep.area
            key = (schedule.pk, dep.observer_id, dep.station_id, dep.area_id)
            expected = existing.get(key) or ExpectedReport(
                mission=mission, schedule=schedule, observer_id=dep.observer_id, station_id=dep.station_id,
                area_id=dep.area_id)
            expected.due_at, expected.region = due_at, region_of(unit)
            expected.map_bucket = (dep.station_id or 0) % MAP_BUCKETS
            (update if expected.pk else create).append(expected)
    ExpectedReport.objects.bulk_update(update, ["due_at", "region", "map_bucket"], batch_size=1000)
    ExpectedReport.objects.bulk_create(create, batch_size=1000)
    do_rebuild_expected_statuses(mission)  # in memory, the per-report path's own status rule
    do_rebuild_dashboard_aggregates(mission)
    return len(create) + len(update)


def recompute_for_submission(submission) -> None:
    """Bring every derived table up to date with one stored report now (the worker does this in batches).

    Idempotent: calling it twice, or for reports in any order, gives the same state."""
    from pollwatch.collection.derivation import derive_submissions, with_relations
    from pollwatch.collection.models import Submission

    derive_submissions([with_relations(Submission.objects.filter(pk=submission.pk)).get()])


def check_resolve_conflict(master: MasterRecord, *, field: str, value: Any, reason: str, user) -> ConflictResolution:
    """Validate a coordinator's decision (a conflicting field, a reason) and record it."""
    if field not in master.conflicts:
        raise ValueError(f"{field!r} is not in conflict on this record")
    if not reason.strip():
        raise ValueError("a resolution needs a reason")
    if value is None or value == "":
        raise ValueError("choose one of the reported values or enter a verified one")
    return do_resolve_conflict(master, field=field, value=value, reason=reason.strip(), user=user)


def do_resolve_conflict(master: MasterRecord, *, field: str, value: Any, reason: str, user) -> ConflictResolution:
    from pollwatch.checks.services import do_evaluate_checks_on_masters
    from pollwatch.operations.derive import (
        ExpectedScope,
        do_rebuild_expected_statuses,
        do_rebuild_master_records,
    )

    with transaction.atomic():
        resolution = ConflictResolution.objects.create(
            master=master, field=field, value=value, reason=reason,
            candidates=master.conflicts.get(field, {}).get("values", []),
            resolved_by=user if getattr(user, "is_authenticated", False) else None,
        )
        do_record_audit("master.resolve", user=user, mission=master.mission, obj=master,
                        detail={"field": field, "value": value, "reason": reason})
        masters = do_rebuild_master_records(master.mission, {(master.station_id, master.form_id)})
        do_evaluate_checks_on_masters(master.mission, masters.records)
        scope = ExpectedScope(observers=frozenset(), stations=frozenset({master.station_id}), areas=frozenset(),
                              form_ids=frozenset({master.form_id}))
        expected = do_rebuild_expected_statuses(master.mission, scope)
        refresh_dashboard_aggregates(master.mission, expected=expected, masters=masters.units)
    master.refresh_from_db()
    return resolution
