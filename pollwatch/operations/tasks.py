"""Election-day derivation off the request path: one django-tasks task per received or re-parsed report.

A report's receipt (OpenRosa, web entry, API, reparse) must stay cheap — observers submit in bursts at the close
of polls — while rebuilding its station's master record, quality checks, expected-report statuses and incidents
costs several times the ingest itself. So the Collection app *queues* the rebuild here and a worker
(``pollwatch worker``, started by ``pollwatch serve``) runs it.

Why nothing can be lost: with the database backend (the default, ``django_tasks_db``) the task row is written
in the same transaction as the report, so a committed report always has its rebuild queued; and the rebuild is
idempotent (``recompute_for_submission`` recomputes from the current reports, never increments), so a task that
runs twice, late or out of order leaves the same state. With the in-process ``ImmediateBackend`` (the test
suite's) the rebuild runs at once, inside its own savepoint (``recompute_for_submission`` is atomic) whose
failure the backend catches and logs, so it can never undo the report either.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter, sleep

from django.db import connection
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.signals import task_finished, task_started

from pollwatch.operations.services import recompute_for_submission


@task()
def derive_report(submission_id: int) -> bool:
    """Rebuild the election-day tables a report feeds; False if the report no longer exists."""
    from pollwatch.collection.models import Submission

    submission = (Submission.objects.select_related("mission__election", "form", "deprecates")
                  .filter(pk=submission_id).first())
    if submission is None:
        return False
    recompute_for_submission(submission)
    return True


def queue_derivation(submission_id: int) -> None:
    """Call inside the transaction that stores the report (see the module docstring for why)."""
    derive_report.enqueue(submission_id)


def pending_derivations() -> int:
    """Reports received whose rebuild has not run yet (0 when the backend runs tasks in-process)."""
    backend = derive_report.get_backend()
    if isinstance(backend, ImmediateBackend):
        return 0
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=derive_report.module_path, status="READY").count()


# The longest pause after one task: a slow task (a big rebuild) must not idle the worker for long.
MAX_SQLITE_PAUSE = 0.2
# How often a long-running worker refreshes SQLite's planner statistics (ANALYZE), in seconds.
SQLITE_ANALYZE_EVERY = 600.0
_NOT_SEEN = object()


@dataclass
class _SqliteWorker:
    """What this worker process remembers between tasks on SQLite."""

    task_started_at: float | None = None
    newest_report: object = _NOT_SEEN  # the newest report's id after the previous task
    analyzed_at: float | None = None


_sqlite_worker = _SqliteWorker()


def _newest_report() -> int | None:
    from pollwatch.collection.models import Submission

    return Submission.objects.order_by("-pk").values_list("pk", flat=True).first()


def _note_start(**_kwargs) -> None:
    _sqlite_worker.task_started_at = perf_counter()


def _pause_as_long_as_it_ran(**_kwargs) -> None:
    newest = _newest_report()
    reports_arriving = newest != _sqlite_worker.newest_report
    _sqlite_worker.newest_report = newest
    if _sqlite_worker.task_started_at is not None and reports_arriving:
        sleep(min(perf_counter() - _sqlite_worker.task_started_at, MAX_SQLITE_PAUSE))


def share_sqlite_writer_lock() -> None:
    """On SQLite, make this worker process pause after each task for as long as the task ran, while reports are
    arriving.

    Why: SQLite has one writer, and a rebuild holds the write lock from its first statement to its commit. With a
    backlog, a worker that claims its next task the instant the last one commits holds that lock nearly all the
    time, while the web workers waiting for it sleep in SQLite's busy handler (steps of 1, 2, 5 … 100 ms) and
    keep missing the short gaps: measured, a burst's ingest fell from 215 to 20 reports/s with one worker beside
    gunicorn. Pausing for as long as the task held the lock leaves every waiter a window at least that long, so
    reports keep being accepted at close to their own rate and the worker drains at about half speed during the
    burst. "Arriving" means a report was stored since the previous task finished (the newest report's id
    changed): once the burst is over the worker drains the backlog at full speed. PostgreSQL locks rows, not the
    database, so nothing is done there.
    """
    if connection.vendor != "sqlite":
        return
    _sqlite_worker.newest_report = _NOT_SEEN
    task_started.connect(_note_start, dispatch_uid="pollwatch-sqlite-note-start")
    task_finished.connect(_pause_as_long_as_it_ran, dispatch_uid="pollwatch-sqlite-pause")


def refresh_sqlite_statistics() -> bool:
    """On SQLite, run a sampled ``ANALYZE`` so the query planner knows the tables' sizes; False elsewhere.

    Why: without statistics SQLite guesses its query plans, and at election scale it guessed badly for the
    rebuild's queries: a report's rebuild took 123 ms p50 before ``ANALYZE`` and 39 ms after at 200,000 reports
    (723 and 532 ms at 1,000,000). ``analysis_limit`` samples each index, so the cost stays bounded (0.4 s at
    200,000 reports). PostgreSQL's autovacuum does this by itself.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    _sqlite_worker.analyzed_at = perf_counter()
    return True


def _refresh_statistics_now_and_then(**_kwargs) -> None:
    last = _sqlite_worker.analyzed_at
    if last is None or perf_counter() - last >= SQLITE_ANALYZE_EVERY:
        refresh_sqlite_statistics()


def keep_sqlite_statistics_fresh() -> None:
    """In a worker on SQLite: refresh the planner statistics now, then after a task whenever
    ``SQLITE_ANALYZE_EVERY`` seconds have passed since the last refresh (its work is what grows the tables)."""
    if connection.vendor != "sqlite":
        return
    refresh_sqlite_statistics()
    task_finished.connect(_refresh_statistics_now_and_then, dispatch_uid="pollwatch-sqlite-analyze")
