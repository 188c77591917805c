"""The production path of derivation: a stored report is pending in the reports table until the worker derives it.

The rest of the suite derives in the storing request (POLLWATCH_DERIVE=immediate); here the worker mode is on, as
under ``pollwatch serve``.
"""

from __future__ import annotations

import pytest

from pollwatch.collection import derivation
from pollwatch.collection.derivation import WorkerLoop, backlog, derive_backlog, do_retry_failed
from pollwatch.collection.models import DeriveState, Submission
from pollwatch.collection.submissions import receive_submission
from pollwatch.operations.models import MasterRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def derived_by_the_worker(settings, monkeypatch):
    settings.POLLWATCH_DERIVE = "worker"
    # The worker drops stale connections between batches, as a long-running process should; inside the test's
    # transaction that would close the test's own connection (PostgreSQL), so it keeps it here.
    import django.db

    monkeypatch.setattr(django.db, "close_old_connections", lambda: None)


def count_report(instance_id: str, ballots: int = 500, station: str = "S111") -> bytes:
    return (
        f'<data id="count_form" version="2024020701"><station_code>{station}</station_code><registered>800</registered>'
        f"<ballots_cast>{ballots}</ballots_cast><invalid>0</invalid><votes_mammadov>300</votes_mammadov>"
        f"<votes_aliyeva>200</votes_aliyeva><meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def receive(world, instance_id: str, ballots: int = 500):
    return receive_submission(count_report(instance_id, ballots), transport="openrosa", mission=world.cis,
                              observer=world.observers["CIS-001"])


def run_worker() -> int:
    return WorkerLoop(batch=True).run()


def s111_master(world):
    return MasterRecord.objects.filter(mission=world.cis, station=world.stations["S111"],
                                       form_id="count_form").first()


def test_a_report_is_stored_at_once_and_derived_by_the_worker(world, forms):
    receipt = receive(world, "uuid:q-1")
    assert receipt.created and Submission.objects.filter(instance_id="uuid:q-1").exists()
    assert s111_master(world) is None  # nothing derived on the request path
    assert backlog().pending == 1 and backlog(world.cis).pending == 1 and backlog(world.odihr).pending == 0

    assert run_worker() == 1
    assert backlog().pending == 0
    assert s111_master(world).values["ballots_cast"] == 500
    assert Submission.objects.get(instance_id="uuid:q-1").derive_state == DeriveState.DONE


def test_ingest_writes_the_report_row_and_nothing_else(world, forms, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    receive(world, "uuid:q-warm")  # the form and station caches are filled once per process
    with CaptureQueriesContext(connection) as queries:
        receive(world, "uuid:q-only")
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert len(writes) == 1 and "collection_submission" in writes[0]


def test_a_duplicate_queues_nothing_and_an_edit_is_derived_after_its_original(world, forms):
    receive(world, "uuid:q-2")
    assert not receive(world, "uuid:q-2").created
    assert backlog().pending == 1
    edit = count_report("uuid:q-2b", ballots=520).replace(
        b"<instanceID>uuid:q-2b</instanceID>", b"<instanceID>uuid:q-2b</instanceID><deprecatedID>uuid:q-2</deprecatedID>"
    )
    receive_submission(edit, transport="openrosa", mission=world.cis, observer=world.observers["CIS-001"])
    assert backlog().pending == 2
    run_worker()
    assert s111_master(world).values["ballots_cast"] == 520


def test_a_rejected_report_leaves_nothing_queued(world, forms):
    receive(world, "uuid:q-3")
    with pytest.raises(Exception, match="different report"):
        receive(world, "uuid:q-3", ballots=999)  # 409: same instanceID, other content
    assert backlog().pending == 1


def test_a_report_whose_derivation_fails_is_marked_failed_and_does_not_block_the_others(world, forms, monkeypatch):
    receive(world, "uuid:q-4")
    receive_submission(count_report("uuid:q-4b", station="S112"), transport="openrosa", mission=world.cis,
                       observer=world.observers["CIS-001"])
    bad = Submission.objects.get(instance_id="uuid:q-4")

    def broken_for_one(submissions):
        if any(s.pk == bad.pk for s in submissions):
            raise RuntimeError("deriver crashed")

    derivation.register_deriver("broken", broken_for_one, order=1)
    try:
        assert run_worker() == 2
    finally:
        derivation.unregister_deriver("broken")
    bad.refresh_from_db()
    assert bad.derive_state == DeriveState.FAILED and "deriver crashed" in bad.derive_error
    assert Submission.objects.get(instance_id="uuid:q-4b").derive_state == DeriveState.DONE  # the other one
    state = backlog(world.cis)
    assert state.pending == 0 and state.failed == 1
    assert s111_master(world) is None  # the failed report's tables were rolled back with it

    assert do_retry_failed(world.cis) == 1  # `pollwatch derive --retry-failed`, once the cause is fixed
    assert derive_backlog() == 1
    assert s111_master(world).report_count == 1 and backlog().failed == 0


def test_a_batch_derives_many_reports_in_one_go(world, forms):
    for i in range(30):
        receive_submission(count_report(f"uuid:q-many-{i}", ballots=500 + i, station=("S111", "S112")[i % 2]),
                           transport="openrosa", mission=world.cis, observer=world.observers["CIS-001"])
    assert derivation.derive_next_batch(limit=1000) == 30
    assert backlog().pending == 0
    assert s111_master(world).values["ballots_cast"] == 528  # the observer's latest report at S111


def test_a_reparse_puts_the_report_back_in_the_queue(world, forms):
    from pollwatch.collection.submissions import do_reparse_submissions

    receive(world, "uuid:q-reparse")
    run_worker()
    assert do_reparse_submissions(world.cis) == 1
    assert backlog().pending == 1
    run_worker()
    assert backlog().pending == 0


def test_the_backlog_reports_the_age_of_its_oldest_report(world, forms):
    import datetime as dt

    from django.utils import timezone

    assert backlog().oldest_pending_s == 0 and backlog().up_to_date
    receipt = receive(world, "uuid:q-age")
    Submission.objects.filter(pk=receipt.submission.pk).update(received_at=timezone.now() - dt.timedelta(seconds=42))
    assert 41 <= backlog().oldest_pending_s <= 60 and not backlog().up_to_date


def test_while_reports_arrive_the_worker_derives_in_periodic_batches_and_leaves_the_sqlite_lock_free(monkeypatch):
    """A worker looping flat out during a burst spends the web workers' CPU on tiny batches, and on SQLite a worker
    taking big batches back to back starves their report inserts of the one writer lock; once no report arrives,
    it drains at full speed."""
    from django.db import connection

    pauses: list[float] = []
    monkeypatch.setattr(derivation.time, "sleep", pauses.append)
    # The newest report's id before each batch: a burst begins (7), goes on (8), has ended (8, 8).
    newest = iter([7, 8, 8, 8])
    monkeypatch.setattr(derivation, "newest_report_id", lambda: next(newest))
    batch_took = iter([0.05, 5.0, 0.3, 0.0])
    claimed: list[int | None] = []

    def fake_batch(limit):
        claimed.append(limit)
        return 1 if len(claimed) < 4 else 0

    monkeypatch.setattr(derivation, "derive_next_batch", fake_batch)
    clock = iter(sum(([0.0, t] for t in batch_took), []))
    monkeypatch.setattr(derivation.time, "perf_counter", lambda: next(clock))
    loop = WorkerLoop(idle_sleep=0.25)
    for _ in range(4):
        loop._step()
    if connection.vendor == "sqlite":
        # Arriving: small batches — the burst's first one too — then a pause: the rest of ARRIVING_PERIOD, or three
        # times as long as the batch held the lock (capped); once none arrive, full batches and no pause (the last
        # sleep is the idle poll).
        assert claimed == [derivation.SQLITE_ARRIVING_BATCH] * 2 + [derivation.SQLITE_BATCH] * 2
        assert pauses == pytest.approx([0.45, derivation.MAX_ARRIVING_PAUSE, 0.25])
    else:
        # PostgreSQL: batches of whatever is pending, about every POSTGRES_ARRIVING_PERIOD while reports arrive (a 5 s
        # batch needs no pause); none after
        assert pauses == pytest.approx([derivation.POSTGRES_ARRIVING_PERIOD - 0.05, 0.25])
    pauses.clear()
    assert WorkerLoop(batch=True).while_arriving() is False  # `worker --batch` drains flat out


def test_the_newest_report_is_what_the_worker_watches(world, forms):
    before = derivation.newest_report_id()
    receipt = receive(world, "uuid:q-newest")
    assert derivation.newest_report_id() == receipt.submission.pk != before


def test_a_worker_on_sqlite_gives_the_query_planner_its_statistics(world, forms):
    """SQLite plans without statistics until ANALYZE has run; the worker runs it (see
    refresh_sqlite_statistics for the measured effect on the rebuild)."""
    from django.db import connection

    from pollwatch.dbtools import refresh_sqlite_statistics

    receive(world, "uuid:q-stats")
    if connection.vendor != "sqlite":
        assert refresh_sqlite_statistics() is False  # PostgreSQL's autovacuum analyses by itself
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")  # as in a fresh database (ANALYZE creates it)
    ran = []
    WorkerLoop(batch=True, every=[(600.0, lambda: ran.append(refresh_sqlite_statistics()))]).run()
    assert ran == [True]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'collection_submission'")
        assert cursor.fetchone()[0] > 0
