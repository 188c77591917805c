"""The election-day tables derived from the reports: one implementation of each rule, over any scope.

Master records (one per station and form, merged from every observer's latest report), expected-report statuses
and the dashboard's counters are *recomputed* from the current reports, never incremented, so arrival order,
edits and duplicates cannot make them drift, and recomputing twice changes nothing. Each rebuild below takes a
scope: the keys a batch of reports touched (``derive_election_day``, the deriver subscribed to "reports stored",
see collection/derivation.py), or the whole mission (``operations.bulk.do_rebuild_election_day``: the demo, a
restore, a re-parse). Both are the same code, so the batch path, a report at a time and the bulk rebuild give
identical tables (tests/operations/test_derivation_batches.py).

Every rebuild reads its scope in a few set-based queries (not one query per report): a batch of 500 reports costs
about as many queries as a batch of one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from pollwatch.dbtools import bulk_update_rows
from pollwatch.operations.models import ConflictResolution, ExpectedReport, FormSchedule, MasterRecord


def _present(value: Any) -> bool:
    return value is not None and value != ""


def current_submissions(mission):
    from pollwatch.collection.models import Submission

    # Held reports (an edit from another login, a station outside the observer's deployment) wait for a
    # coordinator's review: no master record, coverage or count takes them before.
    return Submission.objects.for_mission(mission).filter(is_current=True, held=False)


def in_arrival_order(reports, fields: Sequence[str], *, whole_mission: bool):
    """Rows of ``fields`` (then received_at and pk) of ``reports``, oldest first (ties by id).

    A batch's reports (a few hundred stations or observers) are sorted here, not by the database: asked to sort,
    SQLite's planner walked the mission's whole (mission, received_at) index in order rather than look up the
    batch's stations and sort them (0.6 s per query at 100,000 reports; the station index reads ~5,000 rows).
    A whole-mission rebuild reads every report anyway and lets the database sort them."""
    columns = (*fields, "received_at", "pk")
    if whole_mission:
        return reports.order_by("received_at", "pk").values_list(*columns).iterator(chunk_size=5000)
    return sorted(reports.order_by().values_list(*columns), key=lambda row: (row[-2], row[-1]))


# --- the rules --------------------------------------------------------------------------------------------------

def merge_reports(reports: list[dict], resolutions: dict[str, ConflictResolution]) -> tuple[dict, dict, int]:
    """Merge observers' values for one station and form: (agreed values, conflicts, open conflicts).

    A field with one distinct value is agreed; with several it is a conflict, resolved by the coordinator's
    latest decision on it (kept in the history even once reports agree again)."""
    seen: dict[str, list] = {}
    for values in reports:
        for name, value in values.items():
            if _present(value):
                bucket = seen.setdefault(name, [])
                if value not in bucket:
                    bucket.append(value)
    merged, conflicts, open_count = {}, {}, 0
    for name, distinct in sorted(seen.items()):
        if len(distinct) == 1:
            merged[name] = distinct[0]
            continue
        entry: dict[str, Any] = {"values": distinct}
        if name in resolutions:
            entry["resolved"] = resolutions[name].value
            merged[name] = resolutions[name].value
        else:
            open_count += 1
        conflicts[name] = entry
    return merged, conflicts, open_count


def expected_status(rows: list[dict], schedule: FormSchedule, due_at, *, conflicting) -> str:
    """The status of an expected report from its current reports (oldest first, each with ``received_at``,
    ``values`` and ``station_id``); ``conflicting(station_ids)`` tells whether one of those stations has an open
    conflict on the form."""
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


# --- master records ---------------------------------------------------------------------------------------------

@dataclass
class MasterChanges:
    """What a master-record rebuild wrote: the records kept (created or updated) and the (form, unit) of every
    record written or deleted, for the checklist counters."""

    records: list[MasterRecord] = field(default_factory=list)
    units: set[tuple[str, int]] = field(default_factory=set)


def _key_filter(keys: set[tuple[int, str]] | None) -> Q:
    if keys is None:
        return Q()
    return Q(station_id__in={s for s, _ in keys}) & Q(form_id__in={f for _, f in keys})


def do_rebuild_master_records(mission, keys: set[tuple[int, str]] | None = None) -> MasterChanges:
    """Rebuild the master records of ``keys`` ((station id, form id) pairs; None: the whole mission) from their
    current reports, latest per observer, keeping coordinators' resolutions; records left without reports go."""
    reports = current_submissions(mission).filter(station__isnull=False, form__isnull=False)
    if keys is not None:
        reports = reports.filter(station_id__in={s for s, _ in keys}, form__form_id__in={f for _, f in keys})
    latest: dict[tuple[int, str], dict[Any, dict]] = defaultdict(dict)
    rows = in_arrival_order(reports, ("station_id", "form__form_id", "observer_id", "pk", "values"),
                            whole_mission=keys is None)
    for station_id, form_id, observer_id, pk, values, *_ in rows:
        if keys is None or (station_id, form_id) in keys:
            latest[(station_id, form_id)][observer_id if observer_id is not None else f"anon-{pk}"] = values or {}
    existing = {(m.station_id, m.form_id): m
                for m in MasterRecord.objects.for_mission(mission).filter(_key_filter(keys))
                if keys is None or (m.station_id, m.form_id) in keys}
    resolutions: dict[int, dict[str, ConflictResolution]] = defaultdict(dict)
    if existing:
        found = ConflictResolution.objects.filter(master__mission=mission)
        if keys is not None:
            found = found.filter(master_id__in=[m.pk for m in existing.values()])
        for resolution in found:  # ordered newest first per field
            resolutions[resolution.master_id].setdefault(resolution.field, resolution)
    now = timezone.now()
    create, update = [], []
    for key, per_observer in latest.items():
        master = existing.get(key) or MasterRecord(mission=mission, station_id=key[0], form_id=key[1])
        merged, conflicts, open_count = merge_reports(list(per_observer.values()), resolutions.get(master.pk, {}))
        if master.pk and (master.values, master.conflicts, master.open_conflicts, master.report_count) == (
                merged, conflicts, open_count, len(per_observer)):
            continue  # unchanged: no write, no recount
        master.values, master.conflicts, master.open_conflicts = merged, conflicts, open_count
        master.report_count, master.updated_at = len(per_observer), now
        (update if master.pk else create).append(master)
    gone = [m for k, m in existing.items() if k not in latest]
    if gone:
        MasterRecord.objects.filter(pk__in=[m.pk for m in gone]).delete()
    bulk_update_rows(update, ["values", "conflicts", "open_conflicts", "report_count", "updated_at"])
    MasterRecord.objects.bulk_create(create, batch_size=1000)
    if create and not connection.features.can_return_rows_from_bulk_insert:
        ids = {(st, f): pk for st, f, pk in MasterRecord.objects.for_mission(mission)
               .filter(_key_filter({(m.station_id, m.form_id) for m in create}))
               .values_list("station_id", "form_id", "pk")}
        for m in create:
            m.pk = ids[(m.station_id, m.form_id)]
    changes = MasterChanges(records=update + create)
    station_units = _units_of_stations({m.station_id for m in [*update, *create, *gone]})
    changes.units = {(m.form_id, station_units[m.station_id]) for m in [*update, *create, *gone]}
    return changes


def _units_of_stations(station_ids: set[int]) -> dict[int, int]:
    from pollwatch.geography.models import PollingStation

    if not station_ids:
        return {}
    return dict(PollingStation.objects.filter(pk__in=station_ids).values_list("pk", "unit_id"))


# --- expected reports -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExpectedScope:
    """Which expected reports a batch can have changed: those of its observers, of its stations, of the areas
    (mobile teams) containing those stations — for the batch's forms."""

    observers: frozenset[int]
    stations: frozenset[int]
    areas: frozenset[int]
    form_ids: frozenset[str]

    def q(self) -> Q:
        return (Q(observer_id__in=self.observers) | Q(station_id__in=self.stations) | Q(area_id__in=self.areas)) \
            & Q(schedule__form_id__in=self.form_ids)


def do_rebuild_expected_statuses(mission, scope: ExpectedScope | None = None) -> list[tuple[Any, int | None, tuple]]:
    """Re-derive the status, latest report and first arrival of the expected reports in ``scope`` (None: all of
    the mission's; they must exist: ``do_build_expected_reports`` creates them) from the current reports.

    Returns the dashboard key of every expected report that changed: (schedule, region id, first arrival before
    and after)."""
    from pollwatch.geography.tree import unit_tree

    schedules = {s.pk: s for s in FormSchedule.objects.for_mission(mission)}
    rows = ExpectedReport.objects.for_mission(mission).filter(schedule_id__in=schedules)
    if scope is not None:
        if not scope.form_ids:
            return []
        rows = rows.filter(scope.q())
    rows = list(rows)
    if not rows:
        return []
    tree = unit_tree(mission.election_id)
    under = {e.area_id: tree.under(e.area_id) for e in rows if e.area_id and not e.station_id}
    reports = current_submissions(mission).filter(observer__isnull=False, form__isnull=False)
    if scope is not None:
        # Only the reports these expectations can count: their observers' at their stations or in their areas
        # (not every report an observer ever sent: a roaming observer's hundreds would be read on every batch).
        reports = reports.filter(
            Q(station_id__in={e.station_id for e in rows if e.station_id})
            | Q(station__unit_id__in=set().union(*under.values())),
            observer_id__in={e.observer_id for e in rows},
            form__form_id__in={schedules[e.schedule_id].form_id for e in rows})
    by_observer: dict[tuple[int, str], list[dict]] = defaultdict(list)
    names = ("pk", "observer_id", "form__form_id", "station_id", "station__unit_id", "received_at")
    for row in in_arrival_order(reports, names, whole_mission=scope is None):
        row = dict(zip(names, row, strict=False))
        by_observer[(row["observer_id"], row["form__form_id"])].append(row)
    conflicted_q = MasterRecord.objects.for_mission(mission).filter(open_conflicts__gt=0)
    if scope is not None:
        conflicted_q = conflicted_q.filter(
            station_id__in={r["station_id"] for rs in by_observer.values() for r in rs if r["station_id"]},
            form_id__in=scope.form_ids)
    conflicted = set(conflicted_q.values_list("station_id", "form_id"))
    counted: list[tuple[ExpectedReport, list[dict]]] = []
    for expected in rows:
        found = by_observer.get((expected.observer_id, schedules[expected.schedule_id].form_id), [])
        if expected.station_id:
            found = [r for r in found if r["station_id"] == expected.station_id]
        elif expected.area_id:
            found = [r for r in found if r["station__unit_id"] in under[expected.area_id]]
        counted.append((expected, found))
    # The status reads the values of the latest report only: fetched for those alone (JSON is the costly part).
    latest = {found[-1]["pk"] for _, found in counted if found}
    values = dict(current_submissions(mission).filter(pk__in=latest).values_list("pk", "values")) if latest else {}
    changed, keys = [], []
    for expected, found in counted:
        schedule = schedules[expected.schedule_id]
        if found:
            found[-1] = {**found[-1], "values": values.get(found[-1]["pk"])}
        status = expected_status(
            found, schedule, expected.due_at,
            conflicting=lambda stations, form_id=schedule.form_id: any((s, form_id) in conflicted for s in stations),
        )
        submission_id = found[-1]["pk"] if found else None
        first = found[0]["received_at"] if found else None
        if (expected.status, expected.submission_id, expected.first_received_at) == (status, submission_id, first):
            continue
        keys.append((schedule, expected.region_id, (expected.first_received_at, first)))
        expected.status, expected.submission_id, expected.first_received_at = status, submission_id, first
        changed.append(expected)
    bulk_update_rows(changed, ["status", "submission", "first_received_at"])
    return keys


# --- the deriver ------------------------------------------------------------------------------------------------

def _lock(names: Iterable[tuple]) -> None:
    """PostgreSQL: serialise concurrent workers on the (station, form) pairs and observers a batch rebuilds.

    Without it, worker A could read a station's reports, worker B commit a newer rebuild of the same station that
    includes a report A never saw, and A then overwrite it with its older view. Transaction-scoped advisory locks,
    taken in one sorted order (so two workers cannot deadlock), make the second worker read after the first
    committed. SQLite has a single writer: the batch's IMMEDIATE transaction is the lock."""
    if connection.vendor != "postgresql":
        return
    ids = sorted({int.from_bytes(hashlib.blake2b(repr(n).encode(), digest_size=8).digest(), "big", signed=True)
                  for n in names})
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [ids])  # in array order


def derive_election_day(submissions: Sequence) -> None:
    """The deriver subscribed to "reports stored": master records, expected-report statuses, quality checks on
    master records and the dashboard counters of everything a batch of reports touched."""
    from pollwatch.checks.services import do_evaluate_checks_on_masters
    from pollwatch.geography.tree import unit_tree
    from pollwatch.operations.aggregates import refresh_dashboard_aggregates

    by_mission: dict[int, list] = defaultdict(list)
    for s in submissions:
        if s.form_id is not None:
            by_mission[s.mission_id].append(s)
    for group in by_mission.values():
        mission = group[0].mission
        keys: set[tuple[int, str]] = set()
        observers: set[int] = set()
        for s in group:
            form_id = s.form.form_id
            for station_id in (s.station_id, s.deprecates.station_id if s.deprecates_id and s.deprecates else None):
                if station_id is not None:
                    keys.add((station_id, form_id))
            if s.observer_id is not None:
                observers.add(s.observer_id)
        _lock([("station", *key) for key in keys] + [("observer", o) for o in observers])
        masters = do_rebuild_master_records(mission, keys)
        do_evaluate_checks_on_masters(mission, masters.records)
        stations = frozenset(s for s, _ in keys)
        unit_ids = set(_units_of_stations(set(stations)).values())
        scope = ExpectedScope(observers=frozenset(observers), stations=stations,
                              areas=frozenset(unit_tree(mission.election_id).ancestors(unit_ids)),
                              form_ids=frozenset(s.form.form_id for s in group))
        expected = do_rebuild_expected_statuses(mission, scope)
        refresh_dashboard_aggregates(mission, expected=expected, masters=masters.units)
