"""The production path of the election-day rebuild: queued with the report, run by the worker.

The rest of the suite runs tasks in-process; here the database backend is on, as under ``pollwatch serve``.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from pollwatch.collection.models import Submission
from pollwatch.collection.submissions import receive_submission
from pollwatch.operations.models import MasterRecord
from pollwatch.operations.tasks import derive_report, pending_derivations

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queued_in_the_database(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops stale connections between tasks, as a long-running process should; inside the test's
    # transaction that would close the test's own connection (PostgreSQL), so it keeps it here.
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def count_report(instance_id: str, ballots: int = 500) -> bytes:
    return (
        f'<data id="count_form" version="2024020701"><station_code>S111</station_code><registered>800</registered>'
        f"<ballots_cast>{ballots}</ballots_cast><invalid>0</invalid><votes_mammadov>300</votes_mammadov>"
        f"<votes_aliyeva>200</votes_aliyeva><meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def receive(world, instance_id: str, ballots: int = 500):
    return receive_submission(count_report(instance_id, ballots), transport="openrosa", mission=world.cis,
                              observer=world.observers["CIS-001"])


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def s111_master(world):
    return MasterRecord.objects.filter(mission=world.cis, station=world.stations["S111"],
                                       form_id="count_form").first()


def test_a_report_is_stored_at_once_and_its_rebuild_waits_for_the_worker(world, forms):
    receipt = receive(world, "uuid:q-1")
    assert receipt.created and Submission.objects.filter(instance_id="uuid:q-1").exists()
    assert s111_master(world) is None  # nothing derived on the request path
    assert pending_derivations() == 1

    run_worker()
    assert pending_derivations() == 0
    assert s111_master(world).values["ballots_cast"] == 500


def test_a_duplicate_queues_nothing_and_an_edit_queues_its_own_rebuild(world, forms):
    receive(world, "uuid:q-2")
    assert not receive(world, "uuid:q-2").created
    assert pending_derivations() == 1
    edit = count_report("uuid:q-2b", ballots=520).replace(
        b"<instanceID>uuid:q-2b</instanceID>", b"<instanceID>uuid:q-2b</instanceID><deprecatedID>uuid:q-2</deprecatedID>"
    )
    receive_submission(edit, transport="openrosa", mission=world.cis, observer=world.observers["CIS-001"])
    assert pending_derivations() == 2
    run_worker()
    assert s111_master(world).values["ballots_cast"] == 520  # whichever order the tasks ran in


def test_a_rejected_report_leaves_no_task_behind(world, forms):
    receive(world, "uuid:q-3")
    with pytest.raises(Exception, match="different report"):
        receive(world, "uuid:q-3", ballots=999)  # 409: same instanceID, other content
    assert pending_derivations() == 1


def test_a_failing_rebuild_keeps_the_report_and_the_next_run_catches_up(world, forms, monkeypatch):
    import pollwatch.operations.tasks as tasks

    receive(world, "uuid:q-4")

    def broken(submission):
        raise RuntimeError("rebuild crashed")

    with monkeypatch.context() as patch:
        patch.setattr(tasks, "recompute_for_submission", broken)
        run_worker()
    assert Submission.objects.filter(instance_id="uuid:q-4").exists()
    assert s111_master(world) is None
    assert pending_derivations() == 0  # failed, visible in the task admin, not retried in a loop

    receive(world, "uuid:q-5", ballots=500)  # the next report at the station rebuilds from every current one
    run_worker()
    assert s111_master(world).report_count == 1


def test_the_task_is_a_no_op_for_a_report_that_was_deleted(world, forms):
    receive(world, "uuid:q-6")
    Submission.objects.filter(instance_id="uuid:q-6").delete()
    assert derive_report.call(Submission.objects.count() + 999) is False
    run_worker()
    assert s111_master(world) is None


def test_on_sqlite_the_worker_leaves_the_writer_lock_free_while_reports_arrive(world, forms, monkeypatch):
    """One writer at a time on SQLite: a worker that claimed its next rebuild at once would starve the web
    workers' report inserts during a burst (see share_sqlite_writer_lock); once no report arrives, it drains at
    full speed."""
    from django.db import connection
    from django_tasks.signals import task_finished, task_started

    from pollwatch.operations import tasks

    pauses: list[float] = []
    monkeypatch.setattr(tasks, "sleep", pauses.append)
    clock = iter([100.0, 100.05, 200.0, 205.0, 300.0, 300.05])  # a 50 ms rebuild, a 5 s one, a 50 ms one
    monkeypatch.setattr(tasks, "perf_counter", lambda: next(clock))
    newest = iter([7, 8, 8])  # the newest report's id after each task: a report arrived during the second only
    monkeypatch.setattr(tasks, "_newest_report", lambda: next(newest))
    tasks.share_sqlite_writer_lock()
    try:
        receive(world, "uuid:q-lock-1")
        receive(world, "uuid:q-lock-2", ballots=501)
        receive(world, "uuid:q-lock-3", ballots=502)
        run_worker()
    finally:
        task_started.disconnect(dispatch_uid="pollwatch-sqlite-note-start")
        task_finished.disconnect(dispatch_uid="pollwatch-sqlite-pause")
    assert pending_derivations() == 0 and s111_master(world).values["ballots_cast"] == 502
    if connection.vendor == "sqlite":
        # first task: nothing known yet, so polite; second: a report arrived, capped pause; third: none, no pause
        assert pauses == pytest.approx([0.05, tasks.MAX_SQLITE_PAUSE])
    else:
        assert pauses == []  # PostgreSQL locks rows: the worker never waits


def test_the_newest_report_is_what_the_worker_watches(world, forms):
    from pollwatch.operations import tasks

    before = tasks._newest_report()
    receipt = receive(world, "uuid:q-newest")
    assert tasks._newest_report() == receipt.submission.pk != before


def test_a_worker_on_sqlite_gives_the_query_planner_its_statistics(world, forms):
    """SQLite plans without statistics until ANALYZE has run; the worker runs it (see
    refresh_sqlite_statistics for the measured effect on the rebuild)."""
    from django.db import connection

    from pollwatch.operations import tasks

    receive(world, "uuid:q-stats")
    if connection.vendor != "sqlite":
        assert tasks.refresh_sqlite_statistics() is False  # PostgreSQL's autovacuum analyses by itself
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")  # as in a fresh database (ANALYZE creates it)
    tasks.keep_sqlite_statistics_fresh()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'collection_submission'")
            assert cursor.fetchone()[0] > 0
    finally:
        from django_tasks.signals import task_finished

        task_finished.disconnect(dispatch_uid="pollwatch-sqlite-analyze")
