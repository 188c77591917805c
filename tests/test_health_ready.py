"""``/health/ready``: 200 only when the database answers, every migration is applied, a worker was seen recently and
the backlog is short; otherwise 503 with a Retry-After and the failing check named. Public, counts only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from pollwatch.collection.derivation import WorkerLoop, do_record_worker_heartbeat
from pollwatch.collection.models import Submission, WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings):
    from pollwatch.health import forget_migrations_state

    settings.POLLWATCH_DERIVE = "worker"
    forget_migrations_state()
    yield
    forget_migrations_state()


def a_worker_alive(seconds_ago: float = 0.0) -> None:
    seen = timezone.now() - dt.timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker="app1:4242", started_at=seen, seen_at=seen)


def test_ready_when_database_migrations_worker_and_backlog_are_fine(client, world):
    a_worker_alive(3)
    response = client.get("/health/ready")  # no login
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready" and body["failing"] == []
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["worker"]["ok"] is True and body["checks"]["worker"]["alive"] == 1
    assert body["checks"]["backlog"]["ok"] is True and body["checks"]["backlog"]["pending"] == 0
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    text = response.content.decode()
    for private in (world.cis.slug, world.odihr.slug, "app1", "4242"):  # no mission, no worker's host
        assert private not in text


def test_no_worker_seen_is_a_503_naming_the_worker_check(client, world):
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"]["last_seen_s"] is None
    assert int(response["Retry-After"]) > 0


def test_a_worker_not_seen_for_longer_than_the_stale_limit_is_not_alive(client, settings, world):
    settings.POLLWATCH_WORKER_STALE_S = 60
    a_worker_alive(90)
    body = client.get("/health/ready").json()
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"]["alive"] == 0 and body["checks"]["worker"]["last_seen_s"] >= 90


def test_a_report_waiting_longer_than_the_backlog_limit_fails_the_backlog_check(client, settings, world):
    settings.POLLWATCH_BACKLOG_READY_S = 60
    a_worker_alive()
    Submission.objects.create(mission=world.cis, transport="web", raw="{}",
                              received_at=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["backlog"]
    assert body["checks"]["backlog"]["pending"] == 1 and body["checks"]["backlog"]["oldest_pending_s"] >= 300


def test_unapplied_migrations_fail_the_migrations_check(client, monkeypatch, world):
    from django.db.migrations.executor import MigrationExecutor

    a_worker_alive()
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("collection", False)])
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == {"ok": False, "unapplied": 1}


def test_an_unreachable_database_fails_first_and_the_checks_needing_it_are_not_run(client, monkeypatch):
    from pollwatch import health

    def down():
        raise OperationalError("could not connect to server: No such file or directory")

    monkeypatch.setitem(health.CHECKS, "database", down)
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {"ok": False, "detail": "database error: OperationalError"}
    assert body["checks"]["worker"]["ok"] is None and body["checks"]["backlog"]["ok"] is None
    assert "could not connect" not in response.content.decode()  # the server's error text stays in its log


def test_a_load_balancer_asks_only_what_this_app_server_answers_for(client, world):
    # No worker anywhere: the app server can still receive reports, so it stays in rotation.
    response = client.get("/health/ready?check=database,migrations")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "migrations"}


def test_an_unknown_check_is_a_400_naming_it(client):
    response = client.get("/health/ready?check=database,disk")
    assert response.status_code == 400
    assert "disk" in response.json()["error"] and "migrations" in response.json()["error"]


def test_health_ready_accepts_only_get_and_head(client):
    assert client.post("/health/ready").status_code == 405
    assert client.head("/health/ready?check=database").status_code == 200


@pytest.fixture
def loop_in_test_transaction(monkeypatch):
    # The loop closes the connection between turns (as a long-running process must); inside a test's transaction
    # on PostgreSQL that would close the test's connection.
    import django.db

    monkeypatch.setattr(django.db, "close_old_connections", lambda: None)
    monkeypatch.setattr(WorkerLoop, "_close_connection", staticmethod(lambda: None))


def test_the_worker_loop_records_its_heartbeat_and_removes_it_when_it_stops(world, loop_in_test_transaction):
    seen = []

    class Once(WorkerLoop):
        def _step(self):
            result = super()._step()
            seen.append(list(WorkerHeartbeat.objects.values_list("worker", "derived")))
            self.running = False
            return result

    loop = Once(heartbeat=True, idle_sleep=0, name="app1:1")
    loop.run()
    assert seen == [[("app1:1", 0)]]
    assert not WorkerHeartbeat.objects.exists()


def test_heartbeats_of_workers_dead_for_a_day_are_pruned(world):
    long_ago = timezone.now() - dt.timedelta(days=2)
    WorkerHeartbeat.objects.create(worker="gone:1", started_at=long_ago, seen_at=long_ago)
    do_record_worker_heartbeat("app1:2", started_at=timezone.now(), derived=5)
    assert list(WorkerHeartbeat.objects.values_list("worker", "derived")) == [("app1:2", 5)]


def test_the_worker_loop_waits_out_a_database_outage_instead_of_dying(monkeypatch, world, loop_in_test_transaction):
    from pollwatch.collection import derivation

    calls = []

    def flaky(limit=None):
        calls.append(limit)
        if len(calls) <= 2:
            raise OperationalError("terminating connection due to administrator command")
        loop.running = False
        return 0

    monkeypatch.setattr(derivation, "derive_next_batch", flaky)
    monkeypatch.setattr(derivation.time, "sleep", lambda s: None)
    loop = WorkerLoop(idle_sleep=0)
    loop.run()
    assert len(calls) == 3

    # A --batch drain (pollwatch worker --batch, pollwatch derive) reports the error instead.
    calls.clear()
    with pytest.raises(OperationalError):
        WorkerLoop(batch=True).run()


def test_pollwatch_ready_exits_1_naming_the_failing_check(world, capsys):
    import typer

    from pollwatch.cli.serving import ready

    with pytest.raises(typer.Exit) as exit_:
        ready(db=None, check="", wait=0)
    assert exit_.value.exit_code == 1
    assert "not ready: worker" in capsys.readouterr().err
    ready(db=None, check="database,migrations", wait=0)  # returns: ready
    assert '"status": "ready"' in capsys.readouterr().out
