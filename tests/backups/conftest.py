"""Backups on top of the named world: an election day in ``cis`` with reports, an edit and attachments, and an
empty database of the session's engine to restore into.

The data is committed (``transaction=True``): a backup reads the database through its own connection, and pg_dump
through its own process, as on a server.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

DEMO_FORMS = Path(__file__).resolve().parents[2] / "pollwatch" / "collection" / "demo_forms"
ROOT = Path(__file__).resolve().parents[2]


def count_xml(instance_id: str, *, station: str = "S111", ballots: int = 512, deprecated: str = "",
              photo: str = "") -> bytes:
    meta = f"<instanceID>{instance_id}</instanceID>" + (f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else "")
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" id="count_form" version="2024020701">'
        f"<station_code>{station}</station_code><observer_code/><registered>800</registered>"
        f"<ballots_cast>{ballots}</ballots_cast><invalid>12</invalid><votes_mammadov>300</votes_mammadov>"
        f"<votes_aliyeva>200</votes_aliyeva><protocol_posted>yes</protocol_posted>"
        f"<protocol_photo>{photo}</protocol_photo><meta>{meta}</meta></data>"
    ).encode()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def election_day(world, media_root):
    """Count reports from both missions (one edited, two with a protocol photo), a schedule, derived tables."""
    from pollwatch.collection.openrosa import forget_credentials
    from pollwatch.collection.services import check_import_form
    from pollwatch.collection.submissions import IncomingFile, forget_forms, receive_submission
    from pollwatch.operations.services import do_set_form_schedule

    forget_credentials()
    forget_forms()
    for mission in (world.cis, world.odihr):
        for path in sorted(DEMO_FORMS.glob("*.xlsx")):
            check_import_form(mission, path.read_bytes(), filename=path.name)
        do_set_form_schedule(mission, form_id="count_form", due_time=dt.time(21), required_fields=["ballots_cast"])
    pavel, ingrid = world.observers["CIS-001"], world.observers["ODI-001"]
    photo = IncomingFile("protocol.jpg", jpeg("protocol of S111"), "image/jpeg")
    receive_submission(count_xml("uuid:b-1", photo="protocol.jpg"), transport="openrosa", mission=world.cis,
                       observer=pavel, attachments=[photo])
    receive_submission(count_xml("uuid:b-2", ballots=520, deprecated="uuid:b-1"), transport="openrosa",
                       mission=world.cis, observer=pavel)
    for n, station in enumerate(("S111", "S112", "S121")):
        receive_submission(count_xml(f"uuid:o-{n}", station=station, ballots=400 + n, photo="p.jpg"),
                           transport="openrosa", mission=world.odihr, observer=ingrid,
                           attachments=[IncomingFile("p.jpg", jpeg(f"photo {station}"), "image/jpeg")])
    return world


@pytest.fixture
def source():
    """The test database, as a backup sees it."""
    from django.db import connection

    from pollwatch.backups.database import Database

    return Database.from_settings(connection.settings_dict)


def postgres_url(name: str) -> str:
    """``DATABASE_URL`` of the session's cluster, for another database on it."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def empty_target(source, tmp_path):
    """A database of the session's engine to restore into: a new SQLite file, or a new database on the cluster.

    Yields ``(database, cli_arguments)``; ``cli_arguments`` point ``pollwatch restore`` at it."""
    from pollwatch.backups.database import Database

    if source.engine == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield Database("sqlite", str(path)), ["--db", str(path)]
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    admin = source.connect()
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database("postgresql", name, source.params), ["--database-url", postgres_url(name)]
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run_cli(*args: str, data_dir: Path, env: dict[str, str] | None = None, check: bool = True):
    """``pollwatch …`` in its own process, with its own data dir (secret key, uploads)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    full_env.update({"POLLWATCH_DATA_DIR": str(data_dir), **(env or {})})
    result = subprocess.run([sys.executable, "-m", "pollwatch.cli.main", *args], env=full_env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"pollwatch {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def lines(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)


def rows(database, table: str, columns: str = "*") -> list[tuple]:
    """Every row of a table, in primary-key order (read through a plain connection, as the backup reads)."""
    conn = database.connect()
    try:
        cursor = conn.cursor()
        cursor.execute(f'SELECT {columns} FROM "{table}" ORDER BY 1')  # noqa: S608 - table names from the test
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        conn.close()


def jpeg(label: str) -> bytes:
    """A tiny real JPEG (attachments are checked by content) carrying ``label`` in its comment, so each differs."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG", comment=label.encode())
    return out.getvalue()
