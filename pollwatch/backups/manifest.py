"""The manifest of a backup, and the summary of a database it records: what a restore must reproduce.

The summary is read with plain SQL over a DB-API connection, so the same function describes the snapshot being
backed up, the database a restore is about to overwrite, and the database it has just restored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from pollwatch.backups import DamagedBackup, RestoreRefused
from pollwatch.backups.database import Engine

FORMAT = "pollwatch-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"

# Tables a bare `pollwatch migrate` fills: a database holding rows only there holds no data worth keeping.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"})
# The raw reports: the source of truth, checksummed row by row (collection.Submission; a literal so that the
# summary also reads a database whose code is not loaded).
REPORTS_TABLE = "collection_submission"
# Apps whose migrations may appear in an older backup though the code no longer has them (an app that was removed
# from INSTALLED_APPS). Without this list such a backup would look like a newer schema and be refused.
RETIRED_APPS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Summary:
    """Row counts per table, the raw reports' count and checksum, and the applied migrations of one database."""

    tables: dict[str, int]
    reports: int
    reports_checksum: str
    migrations: list[tuple[str, str]]


@dataclass(frozen=True)
class Member:
    """One file of the archive after the manifest, with what it must hash to."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str
    pollwatch_version: str
    engine: Engine
    database: Member
    summary: Summary
    media: list[Member] = field(default_factory=list)

    def members(self) -> list[Member]:
        return [self.database, *self.media]

    def to_json(self) -> bytes:
        data: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(self)}
        return json.dumps(data, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise DamagedBackup("this file is not a pollwatch backup (its manifest names no pollwatch format)")
            if data["format_version"] > FORMAT_VERSION:
                raise RestoreRefused(f"this backup has format {data['format_version']}, newer than this pollwatch "
                                     f"reads ({FORMAT_VERSION}): upgrade pollwatch to restore it")
            summary = data["summary"]
            manifest = cls(
                created_at=data["created_at"], pollwatch_version=data["pollwatch_version"], engine=data["engine"],
                database=Member(**data["database"]),
                summary=Summary(tables=dict(summary["tables"]), reports=summary["reports"],
                                reports_checksum=summary["reports_checksum"],
                                migrations=[(app, name) for app, name in summary["migrations"]]),
                media=[Member(**m) for m in data["media"]],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DamagedBackup(f"the backup's manifest is damaged ({exc.__class__.__name__}: {exc})") from None
        for member in manifest.members():
            _check_member_path(member.path)
        return manifest


def _check_member_path(path: str) -> None:
    # A restore writes members under its staging folder by these names: none may climb out of it.
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts or "\\" in path:
        raise DamagedBackup(f"the backup's manifest names an unsafe path {path!r}")


def _quote(table: str) -> str:
    return '"' + table.replace('"', '""') + '"'


def table_names(conn: Any, engine: Engine) -> list[str]:
    cursor = conn.cursor()
    if engine == "sqlite":
        # sqlite_stat* are the planner's statistics (ANALYZE): copied with the file, but not data.
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


def tables_with_data(conn: Any, engine: Engine) -> list[str]:
    """The tables holding rows beyond what a bare ``pollwatch migrate`` writes."""
    cursor = conn.cursor()
    found = []
    for table in table_names(conn, engine):
        if table not in BOOKKEEPING_TABLES:
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608 - names read from the catalogue
            if cursor.fetchone():
                found.append(table)
    return found


def reports_checksum(conn: Any, engine: Engine) -> tuple[int, str]:
    """The number of raw reports and the sum, modulo 2**256, of sha256(id, raw) over them.

    A sum does not depend on the order rows come back in (a restored PostgreSQL database returns them in another
    physical order) yet changes with any report added, lost, altered or renumbered; unlike XOR, it does not
    cancel out a report stored twice.
    """
    if engine == "postgresql":
        cursor = conn.cursor(name="pollwatch_backup_reports")  # server-side: a million reports, not in memory
        cursor.itersize = 2000
    else:
        cursor = conn.cursor()
    cursor.execute(f"SELECT id, raw FROM {_quote(REPORTS_TABLE)}")  # noqa: S608 - a constant table name
    count, total = 0, 0
    for pk, raw in cursor:
        digest = hashlib.sha256(f"{pk}\n".encode() + raw.encode("utf-8")).digest()
        total = (total + int.from_bytes(digest, "big")) % (1 << 256)
        count += 1
    cursor.close()
    return count, f"{total:064x}"


def summarize(conn: Any, engine: Engine) -> Summary:
    """The summary of what ``conn`` sees (within one transaction it is one snapshot)."""
    tables = table_names(conn, engine)
    cursor = conn.cursor()
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names read from the catalogue
        counts[table] = cursor.fetchone()[0]
    migrations: list[tuple[str, str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [(app, name) for app, name in cursor.fetchall()]
    reports, checksum = reports_checksum(conn, engine) if REPORTS_TABLE in counts else (0, f"{0:064x}")
    return Summary(tables=counts, reports=reports, reports_checksum=checksum, migrations=migrations)


def check_schema_is_known(summary: Summary) -> list[tuple[str, str]]:
    """Refuse a backup made by a newer pollwatch; return the migrations the code has and the backup lacks."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    applied = {m for m in summary.migrations if m[0] not in RETIRED_APPS}
    newer = sorted(applied - known)
    if newer:
        listed = ", ".join(f"{app}.{name}" for app, name in newer[:5]) + (" …" if len(newer) > 5 else "")
        raise RestoreRefused(f"this backup was made by a newer pollwatch: its schema has {len(newer)} migration(s) "
                             f"this version does not know ({listed}). Upgrade pollwatch, then restore.")
    return sorted(set(loader.disk_migrations) - applied)


def differences(expected: Summary, actual: Summary) -> list[str]:
    """What differs between the manifest's summary and a restored database's, in words."""
    problems = []
    for table in sorted(set(expected.tables) | set(actual.tables)):
        want, got = expected.tables.get(table), actual.tables.get(table)
        if want != got:
            problems.append(f"table {table}: {want} row(s) in the backup, {got} restored")
    if (expected.reports, expected.reports_checksum) != (actual.reports, actual.reports_checksum):
        problems.append(f"raw reports: {expected.reports} with checksum {expected.reports_checksum[:16]}… in the "
                        f"backup, {actual.reports} with {actual.reports_checksum[:16]}… restored")
    if sorted(expected.migrations) != sorted(actual.migrations):
        problems.append("the applied migrations differ")
    return problems
