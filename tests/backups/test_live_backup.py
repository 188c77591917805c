"""``pollwatch backup`` while reports keep arriving: the archive is one committed state, and the writer never stops.

A writer process (``live_writer.py``) stores one report with one attachment per transaction, as fast as it can,
while ``pollwatch backup`` runs in another process; a SQLite database is padded so that the copy itself takes
long enough for reports to commit during it. The restored backup must hold exactly reports 0…k-1 (a committed
prefix: nothing half-written, no gap), every one with its attachment row and file, at least every report stored
before the backup started, and the writer must have stored more after it (it was never blocked out).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pollwatch.backups.database import Database
from tests.backups.conftest import jpeg

from .conftest import lines, postgres_url, run_cli

# Selected with the database tests, so the PostgreSQL pass runs it too; it makes its own database in both passes.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PADDING_BYTES = 96 << 20
WRITER = Path(__file__).with_name("live_writer.py")


@pytest.fixture
def new_database(tmp_path):
    """``new_database(name)``: an empty database of the session's engine, and the environment pointing at it."""
    made: list[str] = []
    cluster = os.environ.get("DATABASE_URL", "").startswith("postgres")
    admin = Database.from_url(postgres_url("postgres")).connect() if cluster else None

    def make(name: str) -> tuple[Database, dict[str, str]]:
        if admin is None:
            path = tmp_path / f"{name}.sqlite3"
            return Database("sqlite", str(path)), {"POLLWATCH_DB": str(path), "DATABASE_URL": ""}
        unique = f"{name}_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{unique}"')
        made.append(unique)
        return Database.from_url(postgres_url(unique)), {"DATABASE_URL": postgres_url(unique)}

    if admin is not None:
        admin.autocommit = True
    yield make
    if admin is not None:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def pad_sqlite(database: Database) -> None:
    """Make a SQLite file big enough that its one-step copy takes a while. (pg_dump is a process of its own that
    takes long enough to start and dump: reports commit during it without padding.)"""
    conn = database.connect()
    try:
        conn.execute("CREATE TABLE zz_padding (id integer PRIMARY KEY, filler blob)")
        block = 1 << 20
        conn.executemany("INSERT INTO zz_padding VALUES (?, ?)",
                         [(i, os.urandom(block)) for i in range(PADDING_BYTES // block)])
        conn.commit()
    finally:
        conn.close()


def query(database: Database, sql: str) -> list[tuple]:
    conn = database.connect()
    try:
        cursor = conn.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        conn.close()


def wait_for(progress: Path, at_least: int, writer: subprocess.Popen, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert writer.poll() is None, writer.communicate()
        text = progress.read_text() if progress.exists() else ""
        if text.isdigit() and int(text) >= at_least:
            return int(text)
        time.sleep(0.05)
    raise AssertionError(f"the writer stored fewer than {at_least} reports in {timeout} s")


def test_a_backup_taken_while_reports_arrive_is_one_committed_state_and_blocks_no_writer(new_database, tmp_path):
    database, env = new_database("live")
    data_dir = tmp_path / "data"
    run_cli("migrate", data_dir=data_dir, env=env)
    if database.engine == "sqlite":
        pad_sqlite(database)
    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    writer_env.update(env, POLLWATCH_DATA_DIR=str(data_dir))
    writer = subprocess.Popen([sys.executable, str(WRITER), str(stop), str(progress)], env=writer_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stored_before = wait_for(progress, 20, writer)
        backup = lines(run_cli("backup", "--out", str(tmp_path / "live.tar"), data_dir=data_dir, env=env).stdout)
        wait_for(progress, int(backup["reports"]) + 20, writer)  # still writing after the backup
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.strip())

    restored = tmp_path / "restored"
    copy, target_env = new_database("restored")
    run_cli("restore", str(tmp_path / "live.tar"), data_dir=restored, env=target_env)
    ids = sorted(int(i.removeprefix("uuid:live-")) for (i,) in query(copy, "SELECT instance_id FROM collection_submission"))
    files = query(copy, "SELECT s.instance_id, a.file, a.sha256 FROM collection_attachment a "
                        "JOIN collection_submission s ON s.id = a.submission_id")

    k = len(ids)
    assert ids == list(range(k)), "the backup is not a committed prefix of the reports"
    assert stored_before <= k < written
    assert int(backup["reports"]) == k
    assert len(files) == k
    for instance_id, relative, sha256 in files:
        content = (restored / "media" / relative).read_bytes()
        assert content == jpeg(f"photo {instance_id.removeprefix('uuid:live-')}")
        assert hashlib.sha256(content).hexdigest() == sha256
