"""Write a backup of a database that may be serving at the same time.

Consistency comes from one snapshot per engine: SQLite's online backup API copies every page in one step, that
is inside one read transaction (under WAL, writers go on meanwhile); PostgreSQL's dump runs on a snapshot
exported from a REPEATABLE READ transaction, and the manifest's counts and checksum are read in that same
transaction. Uploaded files are listed after the snapshot: an attachment is written before its row commits, so
every file the snapshot names is already there (files newer than the snapshot are harmless extras).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pollwatch import __version__
from pollwatch.backups import BackupError
from pollwatch.backups.archive import (
    DATABASE_MEMBERS,
    MEDIA_PREFIX,
    add_bytes,
    add_file,
    file_member,
    writing,
)
from pollwatch.backups.database import Database, run_pg_tool
from pollwatch.backups.manifest import MANIFEST_NAME, Manifest, Member, Summary, summarize


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    size: int
    encrypted: bool
    seconds: float


def write_backup(out: Path, source: Database, media_root: Path, *, key: bytes | None = None) -> BackupResult:
    """Back up ``source`` and the files under ``media_root`` into the archive ``out`` (encrypted with ``key``)."""
    started = time.perf_counter()
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a folder")
    # The snapshot is staged next to the archive: the disk chosen for backups, not /tmp.
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".pollwatch-backup-") as tmp:
        staged = Path(tmp) / DATABASE_MEMBERS[source.engine]
        summary = snapshot_sqlite(source, staged) if source.engine == "sqlite" else snapshot_postgresql(source, staged)
        media = list_media(media_root)
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), pollwatch_version=__version__,
            engine=source.engine, database=file_member(staged, DATABASE_MEMBERS[source.engine]), summary=summary,
            media=[member for member, _ in media],
        )
        with writing(out, key) as tar:
            add_bytes(tar, MANIFEST_NAME, manifest.to_json())
            add_file(tar, manifest.database, staged)
            for member, path in media:
                try:
                    add_file(tar, member, path)
                except FileNotFoundError:
                    raise BackupError(f"{path} was deleted while it was being backed up; run the backup "
                                      "again") from None
    return BackupResult(path=out, manifest=manifest, size=out.stat().st_size, encrypted=key is not None,
                        seconds=time.perf_counter() - started)


def snapshot_sqlite(source: Database, dest: Path) -> Summary:
    """Copy a SQLite database into ``dest`` with the online backup API, and summarise the copy."""
    if not source.name.startswith("file:") and not Path(source.name).is_file():
        raise BackupError(f"there is no database at {source.name}")
    src = source.connect()
    try:
        dst = sqlite3.connect(dest)
        try:
            # pages=-1: every page in one step, so one read transaction and one consistent state. In steps, a
            # write by another connection between two steps restarts the copy, which on a busy election day
            # may never finish.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            return summarize(dst, "sqlite")
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot back up {source.describe()}: {exc}") from None
    finally:
        src.close()


def snapshot_postgresql(source: Database, dest: Path) -> Summary:
    """``pg_dump`` (custom format) into ``dest`` on a snapshot shared with the summary's own reads."""
    import psycopg

    conn = source.connect()
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        dbname, env = source.libpq()
        # The exported snapshot lives as long as this transaction: pg_dump must finish before the summary ends it.
        run_pg_tool("pg_dump", ["--format=custom", f"--snapshot={snapshot}", "--no-sync", f"--file={dest}",
                                f"--dbname={dbname}"], env)
        return summarize(conn, "postgresql")
    finally:
        conn.rollback()
        conn.close()


def list_media(media_root: Path) -> list[tuple[Member, Path]]:
    """Every regular file under ``media_root``, with its size and sha256 (symbolic links are not followed)."""
    if not media_root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                member = file_member(path, MEDIA_PREFIX + path.relative_to(media_root).as_posix())
            except FileNotFoundError:  # deleted since the listing: not in the backup, and not missed
                continue
            found.append((member, path))
    return found
