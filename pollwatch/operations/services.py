"""Election-day writes: schedules, expected reports, master records and conflict resolution.

Everything derived here is *recomputed* from the set of current submissions for a station and form (never
incremented), so the result does not depend on arrival order, edits or duplicates, and running it twice
changes nothing. ``recompute_for_submission`` is the entry point the Collection app calls after each
received submission; it ends by recounting the dashboard's counter rows of the keys it touched
(``operations.aggregates``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.operations.aggregates import do_rebuild_dashboard_aggregates, refresh_dashboard_aggregates
from pollwatch.operations.models import (
    MAP_BUCKETS,
    ConflictResolution,
    ExpectedReport,
    FormSchedule,
    MasterRecord,
)


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _due_at(mission, due_time: dt.time) -> dt.datetime:
    election = mission.election
    tz = zoneinfo.ZoneInfo(getattr(election, "timezone", "") or "UTC")
    return dt.datetime.combine(election.date, due_time, tzinfo=tz)


def _region_of(unit):
    while unit is not None and unit.depth > 1:
        unit = unit.parent
    return unit


def _units_under(area) -> set[int]:
    from pollwatch.geography.tree import unit_tree

    return unit_tree(area.election_id).under(area.pk)


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
    from pollwatch.operations.bulk import do_rebuild_expected_statuses

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
            expected.due_at, expected.region = due_at, _region_of(unit)
            expected.map_bucket = (dep.station_id or 0) % MAP_BUCKETS
            (update if expected.pk else create).append(expected)
    ExpectedReport.objects.bulk_update(update, ["due_at", "region", "map_bucket"], batch_size=1000)
    ExpectedReport.objects.bulk_create(create, batch_size=1000)
    do_rebuild_expected_statuses(mission)  # in memory, the per-report path's own status rule
    do_rebuild_dashboard_aggregates(mission)
    return len(create) + len(update)


def _current_submissions(mission):
    from pollwatch.collection.models import Submission

    return Submission.objects.for_mission(mission).filter(is_current=True)


def _recompute_expected(expected: ExpectedReport) -> tuple[Any, int | None, tuple]:
    """Re-derive one expected report; returns its dashboard key (schedule, region, first arrival before/after)."""
    schedule = expected.schedule
    reports = _current_submissions(expected.mission).filter(
        observer_id=expected.observer_id, form__form_id=schedule.form_id
    )
    if expected.station_id:
        reports = reports.filter(station_id=expected.station_id)
    elif expected.area_id:
        reports = reports.filter(station__unit_id__in=_units_under(expected.area))
    rows = list(reports.order_by("received_at", "pk").values("pk", "received_at", "values", "station_id"))
    status = expected_status(rows, schedule, expected.due_at, conflicting=lambda stations: MasterRecord.objects.filter(
        mission_id=expected.mission_id, form_id=schedule.form_id, station_id__in=stations, open_conflicts__gt=0,
    ).exists())
    latest, first = (rows[-1], rows[0]["received_at"]) if rows else (None, None)
    ExpectedReport.objects.filter(pk=expected.pk).update(
        status=status, submission_id=latest["pk"] if latest else None, first_received_at=first
    )
    return schedule, expected.region_id, (expected.first_received_at, first)


def expected_status(rows: list[dict], schedule: FormSchedule, due_at, *, conflicting) -> str:
    """The status of an expected report from its current reports (oldest first, each with ``received_at``,
    ``values`` and ``station_id``); ``conflicting(station_ids)`` tells whether one of those stations has an open
    conflict on the form. Shared by the per-report path and the bulk rebuild (operations/bulk.py)."""
    if not rows:
        return ExpectedReport.Status.MISSING
    values = rows[-1]["values"] or {}
    if conflicting({r["station_id"] for r in rows if r["station_id"]}):
        return ExpectedReport.Status.CONFLICTING
    if any(not _present(values.get(f)) for f in schedule.required_fields):
        return ExpectedReport.Status.PARTIAL
    if rows[0]["received_at"] > due_at:
        return ExpectedReport.Status.LATE
    return ExpectedReport.Status.COMPLETE


def _merge(reports: list[dict], resolutions: dict[str, ConflictResolution]) -> tuple[dict, dict, int]:
    seen: dict[str, list] = {}
    for values in reports:
        for field, value in values.items():
            if _present(value):
                bucket = seen.setdefault(field, [])
                if value not in bucket:
                    bucket.append(value)
    merged, conflicts, open_count = {}, {}, 0
    for field, distinct in sorted(seen.items()):
        if len(distinct) == 1 and field not in resolutions:
            merged[field] = distinct[0]
            continue
        if len(distinct) == 1:  # reports now agree; a resolution stays in the history but is not needed
            merged[field] = distinct[0]
            continue
        entry: dict[str, Any] = {"values": distinct}
        if field in resolutions:
            entry["resolved"] = resolutions[field].value
            merged[field] = resolutions[field].value
        else:
            open_count += 1
        conflicts[field] = entry
    return merged, conflicts, open_count


def do_recompute_master_record(mission, station, form_id: str, *, checks: list | None = None
                               ) -> MasterRecord | None:
    """Rebuild the master record of one station and form from its current reports (latest per observer).

    The dashboard's checklist counters are recounted by the callers that know the whole batch
    (``recompute_for_submission``, ``do_resolve_conflict``; a bulk loader calls
    ``do_rebuild_dashboard_aggregates`` once at the end)."""
    rows = _current_submissions(mission).filter(station=station, form__form_id=form_id).order_by(
        "received_at", "pk"
    ).values("observer_id", "values", "pk")
    latest_per_observer: dict[Any, dict] = {}
    for row in rows:
        key = row["observer_id"] if row["observer_id"] is not None else f"anon-{row['pk']}"
        latest_per_observer[key] = row["values"] or {}
    master = MasterRecord.objects.filter(mission=mission, station=station, form_id=form_id).first()
    if not latest_per_observer:
        if master is not None:
            master.delete()
        return None
    resolutions: dict[str, ConflictResolution] = {}
    if master is not None:
        for resolution in master.resolutions.all():  # ordered newest first per field
            resolutions.setdefault(resolution.field, resolution)
    merged, conflicts, open_count = _merge(list(latest_per_observer.values()), resolutions)
    master, _ = MasterRecord.objects.update_or_create(
        mission=mission, station=station, form_id=form_id,
        defaults={"values": merged, "conflicts": conflicts, "open_conflicts": open_count,
                  "report_count": len(latest_per_observer)},
    )
    from pollwatch.checks.services import do_evaluate_checks_on_master

    do_evaluate_checks_on_master(master, checks)
    return master


def recompute_for_submission(submission) -> None:
    """Bring every derived election-day table up to date after ``submission`` was received, edited or
    re-parsed. Idempotent: calling it twice, or for submissions in any order, gives the same state."""
    from pollwatch.checks.models import CheckResult
    from pollwatch.checks.services import active_checks, do_evaluate_checks_on_submission

    # The form's rules are read once for the report and its station's master record(s).
    checks = active_checks(submission.mission, submission.form.form_id) if submission.form_id else []
    with transaction.atomic():
        if submission.deprecates_id:
            CheckResult.objects.filter(submission_id=submission.deprecates_id).delete()
        if submission.is_current:
            do_evaluate_checks_on_submission(submission, checks)
        else:
            CheckResult.objects.filter(submission=submission).delete()
        if submission.form_id is None:
            return
        if submission.form.kind == "incident" and submission.is_current:
            from pollwatch.incidents.services import do_report_incident_from_submission

            do_report_incident_from_submission(submission)
        form_id = submission.form.form_id
        stations = {submission.station_id}
        if submission.deprecates_id and submission.deprecates is not None:
            stations.add(submission.deprecates.station_id)
        masters = []
        for station_id in stations - {None}:
            station = _station(station_id)
            do_recompute_master_record(submission.mission, station, form_id, checks=checks)
            masters.append((form_id, station.unit_id))
        expected = _recompute_expectations(submission, form_id, stations - {None})
        refresh_dashboard_aggregates(submission.mission, expected=expected, masters=masters)


def _station(pk: int):
    from pollwatch.geography.models import PollingStation

    return PollingStation.objects.get(pk=pk)


def _recompute_expectations(submission, form_id: str, station_ids: set[int]) -> list[tuple]:
    from django.db.models import Q

    from pollwatch.geography.tree import unit_tree

    affected = Q(observer_id=submission.observer_id) if submission.observer_id else Q(pk__in=[])
    if station_ids:
        affected |= Q(station_id__in=station_ids)
        from pollwatch.geography.models import PollingStation

        unit_ids = set(PollingStation.objects.filter(pk__in=station_ids).values_list("unit_id", flat=True))
        affected |= Q(area_id__in=unit_tree(submission.mission.election_id).ancestors(unit_ids))
    return [_recompute_expected(expected) for expected in ExpectedReport.objects.for_mission(submission.mission)
            .filter(affected, schedule__form_id=form_id).select_related("schedule", "mission", "area")]


def check_resolve_conflict(master: MasterRecord, *, field: str, value: Any, reason: str, user) -> ConflictResolution:
    """Validate a coordinator's decision (a conflicting field, a reason) and record it."""
    if field not in master.conflicts:
        raise ValueError(f"{field!r} is not in conflict on this record")
    if not reason.strip():
        raise ValueError("a resolution needs a reason")
    if not _present(value):
        raise ValueError("choose one of the reported values or enter a verified one")
    return do_resolve_conflict(master, field=field, value=value, reason=reason.strip(), user=user)


def do_resolve_conflict(master: MasterRecord, *, field: str, value: Any, reason: str, user) -> ConflictResolution:
    with transaction.atomic():
        resolution = ConflictResolution.objects.create(
            master=master, field=field, value=value, reason=reason,
            candidates=master.conflicts.get(field, {}).get("values", []),
            resolved_by=user if getattr(user, "is_authenticated", False) else None,
        )
        do_record_audit("master.resolve", user=user, mission=master.mission, obj=master,
                        detail={"field": field, "value": value, "reason": reason})
        do_recompute_master_record(master.mission, master.station, master.form_id)
        expected = [_recompute_expected(e) for e in ExpectedReport.objects.for_mission(master.mission).filter(
            station_id=master.station_id, schedule__form_id=master.form_id
        ).select_related("schedule", "mission", "area")]
        refresh_dashboard_aggregates(master.mission, expected=expected,
                                     masters=[(master.form_id, master.station.unit_id)])
    return resolution
