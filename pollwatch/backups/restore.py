"""Restore a backup into an empty database (or, with ``force``, over one that holds data).

Everything that can refuse does so before anything is written: the manifest is read first, and a newer schema,
the other engine or a target holding data stops the restore there. Every member is then staged and checked
against its sha256 before the database or the uploads are touched, so a damaged archive changes nothing. After
the restore, the database is summarised again and must match the manifest row for row and checksum for checksum.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pollwatch.backups import BackupError, RestoreRefused
from pollwatch.backups.archive import MEDIA_PREFIX, copy_to, reading
from pollwatch.backups.database import Database, run_pg_tool
from pollwatch.backups.manifest import (
    Manifest,
    check_schema_is_known,
    differences,
    summarize,
    table_names,
    tables_with_data,
)

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TARGET_OPTIONS = {"sqlite": "--db PATH", "postgresql": "--database-url URL"}


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    replaced_data: bool  # the target held data and --force replaced it
    media_kept_at: Path | None  # where the target's previous uploads were moved
    pending_migrations: list[tuple[str, str]]  # this pollwatch's migrations the backup predates
    seconds: float


def restore_backup(archive: Path, target: Database, media_root: Path, *, key: bytes | None = None,
                   force: bool = False) -> RestoreResult:
    started = time.perf_counter()
    media_root = media_root.resolve()
    with reading(archive, key) as (manifest, members):
        if manifest.engine != target.engine:
            raise RestoreRefused(
                f"this is a backup of a {ENGINE_NAMES[manifest.engine]} database and cannot be restored into "
                f"{target.describe()}: restore it into {ENGINE_NAMES[manifest.engine]} "
                f"({TARGET_OPTIONS[manifest.engine]})")
        pending = check_schema_is_known(manifest.summary)
        replaced = _check_target(target, media_root, force=force)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        # Staged beside the uploads folder, so that moving them into place is a rename on the same disk.
        with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".pollwatch-restore-") as tmp:
            staging = Path(tmp)
            for member, stream in members:
                copy_to(stream, staging / member.path)
            # Here every member has arrived and matched its checksum (the iteration raises otherwise).
            database = staging / manifest.database.path
            if target.engine == "sqlite":
                _restore_sqlite(database, target)
            else:
                _restore_postgresql(database, target)
            kept = _put_media_in_place(staging / MEDIA_PREFIX.rstrip("/"), media_root)
    conn = target.connect()
    try:
        problems = differences(manifest.summary, summarize(conn, target.engine))
    finally:
        conn.close()
    if problems:
        raise BackupError("the restored database does not match the backup's manifest:\n  " + "\n  ".join(problems))
    return RestoreResult(manifest=manifest, replaced_data=replaced, media_kept_at=kept, pending_migrations=pending,
                         seconds=time.perf_counter() - started)


def _check_target(target: Database, media_root: Path, *, force: bool) -> bool:
    """Whether the target holds data; refused unless ``force``."""
    reasons = []
    if target.engine == "postgresql" or Path(target.name).exists():
        conn = target.connect()
        try:
            tables = tables_with_data(conn, target.engine)
        except sqlite3.DatabaseError as exc:
            raise RestoreRefused(f"{target.name} is not a pollwatch database ({exc}); restore into another file") from None
        finally:
            conn.close()
        if tables:
            reasons.append(f"{target.describe()} holds data ({len(tables)} table(s) with rows, e.g. "
                           f"{', '.join(tables[:3])})")
    if media_root.is_dir() and any(media_root.iterdir()):
        reasons.append(f"the uploads folder {media_root} is not empty")
    if reasons and not force:
        raise RestoreRefused("refusing to overwrite: " + "; ".join(reasons) + ". A restore replaces everything "
                             "there; make a backup of it first if it matters, then pass --force (the current "
                             "uploads are moved aside, not deleted).")
    return bool(reasons)


def _restore_sqlite(staged: Path, target: Database) -> None:
    # The backup API again, in the other direction: it writes the target under its own lock and journal, so an
    # existing file (and its -wal) is replaced consistently rather than renamed under a process that has it open.
    Path(target.name).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(staged)
    dst = target.connect()
    try:
        src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def _restore_postgresql(staged: Path, target: Database) -> None:
    conn = target.connect()
    try:
        tables = table_names(conn, "postgresql")
        if tables:  # a migrated but empty database, or one --force replaces: pg_restore needs the names free
            conn.execute("DROP TABLE " + ", ".join('"' + t.replace('"', '""') + '"' for t in tables) + " CASCADE")
            conn.commit()
    finally:
        conn.close()
    dbname, env = target.libpq()
    # One transaction: a restore that fails half-way leaves no half-restored schema.
    run_pg_tool("pg_restore", ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                               f"--dbname={dbname}", str(staged)], env)
    conn = target.connect()
    try:
        conn.autocommit = True
        conn.execute("ANALYZE")  # pg_restore leaves no planner statistics; the dashboards' plans need them
    finally:
        conn.close()


def _put_media_in_place(staged: Path, media_root: Path) -> Path | None:
    """Move the restored uploads into ``media_root``, the previous ones (if any) into a folder beside it.

    Entry by entry rather than renaming ``media_root`` itself, which may be a mount point (shared storage).
    """
    kept = None
    media_root.mkdir(parents=True, exist_ok=True)
    previous = sorted(media_root.iterdir())
    if previous:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
        kept.mkdir()
        for entry in previous:
            shutil.move(entry, kept / entry.name)
    if staged.is_dir():
        for entry in sorted(staged.iterdir()):
            shutil.move(entry, media_root / entry.name)
    return kept
