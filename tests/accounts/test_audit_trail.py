"""The audit trail is append-only and hash-chained, and records logins, failed logins and exports (finding 8: an
admin deleted an entry and forged another through the admin; logins and exports were not recorded; deleting a
mission deleted its audit entries)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse
from typer.testing import CliRunner

from pollwatch.accounts.models import AuditEntry, AuditTrailIsAppendOnly
from pollwatch.accounts.services import do_record_audit, verify_audit_trail
from tests.conftest import PASSWORD


def _trail(world, n=4):
    return [do_record_audit(f"test.step{i}", user=world.alice, mission=world.odihr, detail={"i": i}) for i in range(n)]


def test_entries_cannot_be_changed_or_deleted_through_the_orm(world):
    entry = _trail(world, 1)[0]
    entry.action = "forged"
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.bulk_create([AuditEntry(action="forged", at=entry.at)])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.step0"


def test_the_admin_shows_entries_but_cannot_add_change_or_delete_them(world, client, django_user_model):
    entry = _trail(world, 1)[0]
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    assert client.get(f"/admin/accounts/auditentry/{entry.pk}/change/").status_code == 200  # view only
    assert client.post(f"/admin/accounts/auditentry/{entry.pk}/change/", {"action": "forged"}).status_code == 403
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/accounts/auditentry/", {"action": "delete_selected",
                                                       "_selected_action": [entry.pk]}).status_code in {200, 302}
    assert AuditEntry.objects.filter(pk=entry.pk, action="test.step0").exists()


def test_deleting_a_mission_keeps_its_entries_with_the_missions_slug(world):
    entries = _trail(world, 2)
    world.odihr.delete()
    kept = AuditEntry.objects.filter(pk__in=[e.pk for e in entries])
    assert kept.count() == 2 and set(kept.values_list("mission_slug", "mission")) == {("odihr", None)}
    assert verify_audit_trail().ok


def test_a_chain_of_untouched_entries_verifies(world):
    _trail(world)
    check = verify_audit_trail()
    assert check.ok and check.entries == AuditEntry.objects.count()
    assert check.head == AuditEntry.objects.order_by("-pk").first().hash


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_entry_edited_in_the_database_is_named_by_verify(world):
    entries = _trail(world)
    _raw("UPDATE accounts_auditentry SET detail = %s WHERE id = %s", ['{"i": 99}', entries[2].pk])
    check = verify_audit_trail()
    assert not check.ok and check.broken_at == entries[2].pk and "changed" in check.reason


def test_a_deleted_entry_is_named_by_the_entry_after_it(world):
    entries = _trail(world)
    _raw("DELETE FROM accounts_auditentry WHERE id = %s", [entries[1].pk])
    check = verify_audit_trail()
    assert check.broken_at == entries[2].pk and "deleted" in check.reason


def test_an_entry_inserted_between_two_is_named(world):
    from pollwatch.accounts.chain import content_of, entry_hash

    entries = _trail(world)
    # A forger who chains the new entry to the one before it still breaks the link of the entry after it.
    forged = AuditEntry(at=entries[1].at, action="pvt.publish", prev_hash=entries[1].hash)
    forged.hash = entry_hash(content_of(at=forged.at, action=forged.action, username="", mission_slug="",
                                        object_type="", object_id="", detail={}), forged.prev_hash)
    forged.save()
    _raw("UPDATE accounts_auditentry SET id = %s WHERE id = %s", [entries[1].pk * 1000 + 1, forged.pk])
    # Renumbered to sit between entries[1] and entries[2], as an INSERT with a chosen id would.
    _raw("UPDATE accounts_auditentry SET id = %s WHERE id = %s", [entries[2].pk * 1000, entries[2].pk])
    _raw("UPDATE accounts_auditentry SET id = %s WHERE id = %s", [entries[3].pk * 1000, entries[3].pk])
    check = verify_audit_trail()
    assert not check.ok
    assert check.broken_at == entries[2].pk * 1000


def test_the_cli_exits_non_zero_and_names_the_first_broken_entry(world, monkeypatch):
    from pollwatch.cli.main import app

    monkeypatch.setattr("pollwatch.cli.audit.setup_django", lambda db: None)
    entries = _trail(world)
    ok = CliRunner().invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "head: " in ok.output, ok.output
    _raw("UPDATE accounts_auditentry SET action = %s WHERE id = %s", ["nothing.happened", entries[1].pk])
    broken = CliRunner().invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"the chain breaks at audit entry {entries[1].pk}" in broken.output


def test_logins_and_failed_logins_are_recorded_without_the_password(world, client):
    client.post("/login/", {"username": "alice", "password": "wrong guess"}, REMOTE_ADDR="192.0.2.44")
    client.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.44")
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.detail["username"] == "alice" and failed.detail["ip_address"] == "192.0.2.44"
    assert "wrong guess" not in str(failed.detail)
    login = AuditEntry.objects.get(action="auth.login")
    assert login.user == world.alice and login.username == "alice"


@pytest.mark.parametrize(("route", "args"), [
    ("operations-export", ["cis", "incidents", "xlsx"]), ("operations-export", ["cis", "submissions", "csv"]),
    ("operations-coverage-csv", ["cis"]), ("media-export", ["cis", "items", "csv"]),
])
def test_every_export_is_recorded_with_who_took_what(world, login, route, args):
    response = login(world.boris).get(reverse(route, args=args), {"region": ""})
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="export").get()
    assert entry.user == world.boris and entry.mission_slug == "cis"
    assert entry.detail["name"].startswith("cis-") and entry.detail["columns"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_chain_every_entry_to_exactly_one_predecessor():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's advisory lock; SQLite is the test below (its test database is in memory)")
    from django.db import close_old_connections

    errors = []

    def write(worker):
        try:
            for i in range(10):
                do_record_audit("test.concurrent", detail={"worker": worker, "i": i})
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _assert_one_unforked_chain(40)


def _assert_one_unforked_chain(n):
    check = verify_audit_trail()
    assert check.ok and check.entries == n
    assert len(set(AuditEntry.objects.values_list("prev_hash", flat=True))) == n  # no two chained to one: no fork


WRITER = """
import sys
from pollwatch.cli.django_setup import setup_django
setup_django(sys.argv[1])
from pollwatch.accounts.services import do_record_audit
for i in range(15):
    do_record_audit("test.concurrent", detail={"worker": sys.argv[2], "i": i})
"""


def test_concurrent_writer_processes_on_sqlite_chain_every_entry_to_exactly_one_predecessor(tmp_path):
    # A real SQLite file in WAL mode, as deployed, written by three processes at once (the test database in memory
    # has table locks instead).
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"POLLWATCH_DATA_DIR": str(tmp_path)}
    db = str(tmp_path / "audit.sqlite3")
    run = [sys.executable, "-m", "pollwatch.cli.main"]
    subprocess.run([*run, "migrate", "--db", db], env=env, check=True, capture_output=True, timeout=300)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, db, str(w)], env=env, stderr=subprocess.PIPE)
               for w in range(3)]
    for w in writers:
        assert w.wait(timeout=120) == 0, w.stderr.read().decode()
    verified = subprocess.run([*run, "audit", "verify", "--db", db], env=env, capture_output=True, text=True,
                              timeout=120)
    assert verified.returncode == 0, verified.stderr
    assert "entries: 45" in verified.stdout
    import sqlite3

    with sqlite3.connect(db) as raw:
        prevs = [r[0] for r in raw.execute("SELECT prev_hash FROM accounts_auditentry")]
    assert len(prevs) == 45 and len(set(prevs)) == 45
