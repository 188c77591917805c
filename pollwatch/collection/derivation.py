"""The reports table is the derivation queue: "reports stored" is announced to the apps that derive from them.

Ingest writes one row per report in one short transaction and nothing else: the row is born ``PENDING``
(``Submission.derive_state``). A worker (``pollwatch worker``, started by ``pollwatch serve``) claims pending
reports in batches, hands each batch to the **derivers** registered here — the apps above collection (checks,
incidents, operations; later SMS and statements) subscribe from their ``AppConfig.ready()`` — and marks the
batch derived in the same transaction as the derivers' writes. So collection knows nothing of dashboards, and:

- nothing is lost: a report is pending until a transaction that derived it committed; a worker killed mid-batch
  leaves its batch pending (the transaction rolls back) and the next worker takes it;
- a report whose derivation raises is retried alone, and if it fails alone it is marked ``FAILED`` with the
  reason (``pollwatch derive --retry-failed`` tries again); it never blocks the batch or the reports after it;
- derivers are idempotent (they recompute from the current reports, never increment), so a report derived twice,
  late, or in another batch than its neighbours leaves the same state;
- no bookkeeping grows: the queue is a partial index that holds only pending (and failed) reports.

PostgreSQL: several workers claim disjoint batches (``FOR UPDATE SKIP LOCKED``) and hold the rows' locks until
their batch commits. SQLite has one writer: one worker, whose batch transaction is kept short (``SQLITE_BATCH``)
so a web worker waits at most a few tens of milliseconds for the write lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from pollwatch.collection.models import DeriveState, Submission, WorkerHeartbeat

logger = logging.getLogger(__name__)

# A deriver takes the batch's reports (mission, form and the report each one edits loaded) and brings its own
# tables up to date with them, inside the caller's transaction.
Deriver = Callable[[Sequence[Submission]], None]


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    derive: Deriver


_derivers: list[_Registered] = []


def register_deriver(name: str, derive: Deriver, *, order: int = 100) -> None:
    """Subscribe ``derive`` to "reports stored"; lower ``order`` runs first (checks before the master records
    that count them). Registering a name again replaces it (apps' ``ready()`` may run twice in tests)."""
    _derivers[:] = [d for d in _derivers if d.name != name]
    _derivers.append(_Registered(order, name, derive))
    _derivers.sort(key=lambda d: (d.order, d.name))


def unregister_deriver(name: str) -> None:
    _derivers[:] = [d for d in _derivers if d.name != name]


# What derivers read of a report comes with it in one query; what they do not (the raw payload, the form's XForm and
# spreadsheet: kilobytes per row of a 500-report batch) stays in the database unless one asks for it.
_NOT_FOR_DERIVERS = ("raw", "form__xform", "form__xlsform", "form__warnings", "deprecates__raw", "deprecates__values")


def with_relations(queryset):
    return queryset.select_related("mission__election", "form", "deprecates", "station").defer(*_NOT_FOR_DERIVERS)


def _run_derivers(submissions: Sequence[Submission]) -> None:
    for deriver in _derivers:
        deriver.derive(submissions)


def derive_submissions(submissions: Sequence[Submission]) -> None:
    """Run every deriver over ``submissions`` and mark them derived, in one transaction (raises on failure)."""
    if not submissions:
        return
    with transaction.atomic():
        _run_derivers(submissions)
        Submission.objects.filter(pk__in=[s.pk for s in submissions]).update(
            derive_state=DeriveState.DONE, derive_error=""
        )
    for s in submissions:
        s.derive_state, s.derive_error = DeriveState.DONE, ""


def _mark_failed(submission: Submission, exc: BaseException) -> None:
    reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    logger.exception("deriving report %s failed", submission.pk, exc_info=exc)
    Submission.objects.filter(pk=submission.pk).update(derive_state=DeriveState.FAILED, derive_error=reason)
    submission.derive_state, submission.derive_error = DeriveState.FAILED, reason


def derive_or_mark_failed(submissions: Sequence[Submission]) -> int:
    """Derive a batch; if it raises, derive each report alone and mark those that still fail. Returns the
    number of reports marked failed. Used by the worker and by immediate mode (POLLWATCH_DERIVE=immediate)."""
    try:
        derive_submissions(submissions)  # its own atomic block: a failure rolls back to before it
        return 0
    except Exception as exc:  # noqa: BLE001 - any error in a deriver: isolate the culprit, keep the others
        if len(submissions) == 1:
            _mark_failed(submissions[0], exc)
            return 1
    failed = 0
    for submission in submissions:
        try:
            derive_submissions([submission])
        except Exception as exc:  # noqa: BLE001
            _mark_failed(submission, exc)
            failed += 1
    return failed


def derive_immediately() -> bool:
    """True when reports are derived in the request that stores them (tests, or a deployment without a worker)."""
    return getattr(settings, "POLLWATCH_DERIVE", "worker") == "immediate"


def on_report_stored(submission: Submission) -> None:
    """Called by the receive path inside the report's transaction: in immediate mode derive it now, in its own
    savepoint, so that a failing deriver marks it failed and can never undo the stored report."""
    if derive_immediately():
        submission = with_relations(Submission.objects.filter(pk=submission.pk)).get()
        derive_or_mark_failed([submission])


# --- the worker side --------------------------------------------------------------------------------------------

# Reports per batch. PostgreSQL holds the claimed rows' locks for the batch, nothing else waits on them. SQLite holds
# the database's only write lock for the whole batch: while reports are arriving the worker takes smaller batches
# (WorkerLoop.while_arriving), and drains with full batches otherwise. Why 2,000 on PostgreSQL: a batch recounts the
# counters of every unit it touches from all of their rows, so a larger batch shares that read among more reports
# (draining 10,000 reports at 10,000 stations: 1,347 reports/s with batches of 500, 2,141/s with 2,000); while reports
# arrive a batch holds what came in since the last one, about a second (WorkerLoop.pause_after): far fewer.
POSTGRES_BATCH = 2000
SQLITE_BATCH = 500
SQLITE_ARRIVING_BATCH = 200
SQLITE_PAUSE_FACTOR = 3.0
# While reports arrive, a batch about this often (seconds), and never a pause longer than MAX_ARRIVING_PAUSE. Why
# longer on PostgreSQL: a batch's recounts read every row of the units it touches, a cost per batch, not per report;
# a batch a second instead of two took the worker's CPU from 0.82 to 0.59 ms per report during a burst, and the
# burst's rate from ~450 to 495 reports/s (bench/election_day.py), the tables still under two seconds behind. On
# SQLite a batch holds the one write lock and is capped (SQLITE_ARRIVING_BATCH): fewer of them would fall behind.
ARRIVING_PERIOD = 0.5
POSTGRES_ARRIVING_PERIOD = 1.0


def batch_size() -> int:
    return SQLITE_BATCH if connection.vendor == "sqlite" else POSTGRES_BATCH


def _in_state(state: int) -> QuerySet[Submission]:
    """Reports in ``state``, with the condition as a literal in the SQL.

    Why a literal: SQLite uses a partial index only when the query's WHERE clause repeats the index's condition
    itself, and a bound parameter (``derive_state = ?``, what ``filter(derive_state=…)`` sends) does not. With the
    parameter, at 1,000,000 derived reports the dashboard's freshness line (pending count of one mission) walked
    the mission's index for 2 s per page, and each batch claim scanned the table in id order."""
    column = f'"{Submission._meta.db_table}"."derive_state"'
    return Submission.objects.extra(where=[f"{column} = {int(state)}"])  # noqa: S610 - a literal int of ours


def pending() -> QuerySet[Submission]:
    return _in_state(DeriveState.PENDING)


def failed(mission=None):
    qs = _in_state(DeriveState.FAILED)
    return qs.filter(mission=mission) if mission is not None else qs


def derive_next_batch(limit: int | None = None) -> int:
    """Claim up to ``limit`` pending reports (oldest first), derive them and mark them; the number claimed.

    PostgreSQL: claimed with ``FOR UPDATE SKIP LOCKED``, so concurrent workers take disjoint batches and a
    crash mid-batch leaves it pending. SQLite: one writer, the claim is a plain read and the batch one
    IMMEDIATE transaction."""
    limit = limit or batch_size()
    with transaction.atomic():
        # The ids first, from the partial index alone; then those rows with their relations. One query with the
        # joins let SQLite's planner walk the joined tables instead (half a second per 500-report batch at
        # 100,000 reports).
        claimed = pending().order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            claimed = claimed.select_for_update(skip_locked=True)
        ids = list(claimed.values_list("pk", flat=True)[:limit])
        batch = list(with_relations(Submission.objects.filter(pk__in=ids)).order_by("pk")) if ids else []
        if batch:
            derive_or_mark_failed(batch)
    return len(batch)


def derive_backlog(limit: int | None = None, *, progress: Callable[[int], None] | None = None) -> int:
    """Derive every pending report now (``pollwatch derive``, tests, bulk loaders); the number derived."""
    total = 0
    while n := derive_next_batch(limit):
        total += n
        if progress is not None:
            progress(n)
    return total


def do_retry_failed(mission=None) -> int:
    """Put failed reports back in the queue (``pollwatch derive --retry-failed``); how many."""
    return failed(mission).update(derive_state=DeriveState.PENDING, derive_error="")


def do_queue_for_derivation(submission_ids: Iterable[int]) -> int:
    """Mark stored reports pending again (after a re-parse changed their values)."""
    return Submission.objects.filter(pk__in=list(submission_ids)).update(
        derive_state=DeriveState.PENDING, derive_error=""
    )


@dataclass(frozen=True)
class Backlog:
    """What /health and the dashboard say about the queue."""

    pending: int
    failed: int
    oldest_pending_s: float  # age of the oldest pending report; 0 when none

    @property
    def up_to_date(self) -> bool:
        return self.pending == 0


def backlog(mission=None) -> Backlog:
    """The queue in two index reads: pending reports (count, oldest) and failed ones."""
    queue = pending()
    if mission is not None and connection.vendor == "sqlite":
        # Unary plus: the mission's column is then no index key, so SQLite reads the pending reports from their
        # partial index and filters them, rather than counting through the mission's (mission, received_at)
        # index, which it preferred for MIN(received_at): 2.4 s per dashboard page at 1,000,000 reports.
        queue = queue.extra(where=[f'+"{Submission._meta.db_table}"."mission_id" = %s'], params=[mission.pk])  # noqa: S610 - our table name, a bound id
    elif mission is not None:
        queue = queue.filter(mission=mission)
    state = queue.aggregate(n=Count("pk"), oldest=Min("received_at"))
    age = max((timezone.now() - state["oldest"]).total_seconds(), 0.0) if state["oldest"] else 0.0
    return Backlog(pending=state["n"], failed=failed(mission).count(), oldest_pending_s=round(age, 1))


# --- the worker's heartbeat (read by /health/ready) -----------------------------------------------------------

# A worker updates its row at most this often (seconds); /health/ready calls a worker alive when its row is younger
# than POLLWATCH_WORKER_STALE_S (default WORKER_STALE). A batch runs between two updates, so the stale limit must be
# longer than the longest batch: 500 reports at ~80 ms each on PostgreSQL is 40 s.
HEARTBEAT_EVERY = 5.0
WORKER_STALE = 120.0
# Rows of workers not seen for this long (killed with -9, machine gone) are deleted by the live ones.
HEARTBEAT_FORGET = 24 * 3600.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def do_record_worker_heartbeat(name: str, *, started_at, derived: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"seen_at": now, "derived": derived},
                                             create_defaults={"seen_at": now, "derived": derived,
                                                              "started_at": started_at})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(seconds=HEARTBEAT_FORGET)).delete()


def do_forget_worker(name: str) -> None:
    WorkerHeartbeat.objects.filter(worker=name).delete()


def worker_stale_after() -> float:
    return float(getattr(settings, "POLLWATCH_WORKER_STALE_S", WORKER_STALE))


@dataclass(frozen=True)
class WorkersSeen:
    alive: int  # workers whose loop came round within the stale limit
    last_seen_s: float | None  # seconds since any worker was last seen; None: never


def workers_seen() -> WorkersSeen:
    now = timezone.now()
    newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=now - dt.timedelta(seconds=worker_stale_after())).count()
    age = None if newest is None else round(max((now - newest).total_seconds(), 0.0), 1)
    return WorkersSeen(alive=alive, last_seen_s=age)


MAX_ARRIVING_PAUSE = 1.0
# While the database is unreachable the worker waits and tries again, doubling the wait up to this (seconds).
MAX_OUTAGE_WAIT = 5.0


def newest_report_id() -> int | None:
    return Submission.objects.order_by("-pk").values_list("pk", flat=True).first()


@dataclass
class WorkerLoop:
    """``pollwatch worker``: derive batches while reports are pending; when none are, run one of the other queued
    jobs (``other_jobs``, e.g. django-tasks), else sleep ``idle_sleep`` seconds. ``batch``: drain what is there,
    then return. ``every``: housekeeping jobs and their period in seconds (SQLite statistics, pruning)."""

    batch: bool = False
    idle_sleep: float = 0.2
    other_jobs: Callable[[], bool] | None = None
    every: list[tuple[float, Callable[[], object]]] = field(default_factory=list)
    running: bool = True
    derived: int = 0
    _last_run: dict[int, float] = field(default_factory=dict)
    _newest_seen: int | None = None
    limit: int | None = None  # the next batch's size (None: the backend's default)
    _last_batch: int = 0
    heartbeat: bool = False  # record this worker for /health/ready (do_record_worker_heartbeat)
    name: str = field(default_factory=worker_name)
    _started_at: object = None
    _last_heartbeat: float = float("-inf")
    _outage_wait: float = 0.0

    def _housekeeping(self) -> None:
        now = time.monotonic()
        for i, (seconds, job) in enumerate(self.every):
            if now - self._last_run.get(i, float("-inf")) >= seconds:
                self._last_run[i] = now
                job()

    def while_arriving(self) -> bool:
        """Whether reports are arriving (the newest report's id changed since the worker last looked; checked before
        each batch, so a burst's first batch counts too); sets the next batch's size.

        While they arrive, the worker derives a batch about every ``ARRIVING_PERIOD`` seconds (PostgreSQL:
        ``POSTGRES_ARRIVING_PERIOD``; :meth:`pause_after`) rather than back to back. Why: a batch costs a fixed
        ~15–20 ms of CPU (its queries are built and run once whatever its size), more as the units it recounts
        grow, plus ~0.3 ms per report, so a worker looping flat out during a burst took batches of a few reports
        and spent its CPU — which the two cores' web workers needed — on the fixed part. A half-second's or a
        second's reports per batch keep the tables a second or two behind and cost a fraction.

        On SQLite, also: a batch holds the database's only write lock from its first statement to its commit while
        every web worker storing a report waits (measured: 500-report batches held it up to 800 ms, and web requests
        waited up to 190 ms for it). While reports arrive a batch takes at most ``SQLITE_ARRIVING_BATCH`` reports
        and the worker holds the lock at most about a quarter of the time; once the burst is over it drains with full
        batches and no pause. A ``--batch`` run never pauses."""
        if self.batch:
            return False
        newest = newest_report_id()
        arriving = newest != self._newest_seen
        self._newest_seen = newest
        if connection.vendor == "sqlite":
            self.limit = SQLITE_ARRIVING_BATCH if arriving else SQLITE_BATCH
        return arriving

    @staticmethod
    def pause_after(batch_seconds: float) -> None:
        if connection.vendor == "sqlite":
            pause = max(ARRIVING_PERIOD - batch_seconds, batch_seconds * SQLITE_PAUSE_FACTOR)
        else:
            pause = POSTGRES_ARRIVING_PERIOD - batch_seconds
        if pause > 0:
            time.sleep(min(pause, MAX_ARRIVING_PAUSE))

    def _heartbeat(self) -> None:
        if not self.heartbeat or time.monotonic() - self._last_heartbeat < HEARTBEAT_EVERY:
            return
        if self._started_at is None:
            self._started_at = timezone.now()
        do_record_worker_heartbeat(self.name, started_at=self._started_at, derived=self.derived)
        self._last_heartbeat = time.monotonic()

    def _step(self) -> bool:
        """One turn of the loop; False when a ``batch`` run has nothing left."""
        self._heartbeat()
        self._housekeeping()
        arriving = self.while_arriving()
        started = time.perf_counter()
        n = self._last_batch = derive_next_batch(self.limit)
        self.derived += n
        if n:
            if arriving:
                self.pause_after(time.perf_counter() - started)
            return True
        if self.other_jobs is not None and self.other_jobs():
            return True
        if self.batch:
            return False
        time.sleep(self.idle_sleep)
        return True

    def run(self) -> int:
        """Loop until ``running`` is cleared. The database going away (PostgreSQL restarted, the network between
        them cut) does not end a long-running worker: the batch in hand rolled back and stays pending, the worker
        logs it, waits (1 s, doubling to MAX_OUTAGE_WAIT) and carries on with a new connection."""
        from django.db import close_old_connections

        try:
            while self.running:
                close_old_connections()
                try:
                    if not self._step():
                        break
                    self._outage_wait = 0.0
                except (OperationalError, InterfaceError) as exc:
                    if self.batch:
                        raise
                    self._outage_wait = min(max(self._outage_wait * 2, 1.0), MAX_OUTAGE_WAIT)
                    logger.warning("database unavailable (%s); trying again in %.0f s", exc, self._outage_wait)
                    self._close_connection()
                    time.sleep(self._outage_wait)
        finally:
            if self.heartbeat:
                try:
                    do_forget_worker(self.name)
                except DatabaseError:
                    pass  # the row goes stale and /health/ready says so
        return self.derived

    @staticmethod
    def _close_connection() -> None:
        try:
            connection.close()
        except DatabaseError:
            pass
