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

from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

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
