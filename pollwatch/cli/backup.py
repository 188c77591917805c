"""``pollwatch backup`` and ``pollwatch restore``: the whole installation (database, uploads) in one archive.

Thin: the work is in :mod:`pollwatch.backups`; here the database and uploads folder come from the settings (and
``--db``/``--database-url``), and the outcome is printed as ``key: value`` lines.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer

from pollwatch.cli.serving import DbOption

BACKUP_GLOB = "pollwatch-*.tar"


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def backup(
    out: Path = typer.Option(..., "--out", help="Archive to write; an existing folder gets a new "
                             "pollwatch-YYYYMMDD-HHMMSS.tar in it"),
    keep: int = typer.Option(0, "--keep", min=0, help="With a folder as --out: then delete all but the N newest "
                             "backups there (0 keeps all)"),
    encrypt: bool | None = typer.Option(None, "--encrypt/--no-encrypt", help="Encrypt with the Fernet key in "
                                        "$POLLWATCH_BACKUP_KEY [default: encrypt when it is set]"),
    db: Path | None = DbOption,
) -> None:
    """Back up the database and uploaded files into one archive while the server keeps running.

    SQLite is copied with its online backup API, PostgreSQL with pg_dump (custom format), both from one
    consistent snapshot. The archive starts with a manifest (row counts, a checksum of the raw reports, the
    pollwatch version and migrations) that `pollwatch restore` checks.
    """
    from pollwatch.cli.django_setup import setup_django

    setup_django(db)
    from django.conf import settings

    from pollwatch.backups import BackupError
    from pollwatch.backups.backup import write_backup
    from pollwatch.backups.crypto import KEY_VARIABLE, key_from_environment
    from pollwatch.backups.database import Database

    folder = out if out.is_dir() else None
    if keep and folder is None:
        raise _fail("--keep needs a folder as --out (it deletes older backups there)")
    if folder is not None:
        out = folder / f"pollwatch-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.tar"
    try:
        key = key_from_environment()
        if encrypt and key is None:
            raise _fail(f"--encrypt needs the key in {KEY_VARIABLE}")
        result = write_backup(out, Database.from_settings(settings.DATABASES["default"]), Path(settings.MEDIA_ROOT),
                              key=key if encrypt is not False else None)
    except BackupError as exc:
        raise _fail(str(exc)) from None
    summary = result.manifest.summary
    lines = {
        "backup": result.path, "database": Database.from_settings(settings.DATABASES["default"]).describe(),
        "tables": len(summary.tables), "rows": sum(summary.tables.values()), "reports": summary.reports,
        "reports_checksum": summary.reports_checksum, "media_files": len(result.manifest.media),
        "bytes": result.size, "encrypted": "yes" if result.encrypted else "no", "seconds": f"{result.seconds:.1f}",
    }
    if folder is not None and keep:
        lines["deleted_old_backups"] = len(_prune(folder, keep))
    for name, value in lines.items():
        typer.echo(f"{name}: {value}")


def _prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups in ``folder`` (by name: the names carry the time)."""
    old = sorted(folder.glob(BACKUP_GLOB))[:-keep]
    for path in old:
        path.unlink()
    return old


def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Archive written by `pollwatch backup`"),
    db: Path | None = typer.Option(None, "--db", help="SQLite file to restore into [default: the configured one]"),
    database_url: str | None = typer.Option(None, "--database-url", help="PostgreSQL database to restore into, "
                                            "postgres://… [default: $DATABASE_URL]"),
    force: bool = typer.Option(False, "--force", help="Replace a database that holds data (its uploads are moved "
                               "aside, not deleted)"),
) -> None:
    """Restore a backup into an empty database, with its uploaded files, and check it against its manifest.

    Refuses a damaged or truncated archive, a backup made by a newer pollwatch (migrations this one does not
    know), and a target that already holds data unless --force. Stop the web server and workers first. A backup
    made by an older pollwatch is migrated after the restore.
    """
    if db is not None and database_url:
        raise _fail("give --db (SQLite) or --database-url (PostgreSQL), not both")
    if db is not None:
        os.environ.pop("DATABASE_URL", None)  # --db says SQLite, whatever the environment says
        os.environ["POLLWATCH_DB"] = str(db.resolve())
    elif database_url:
        os.environ["DATABASE_URL"] = database_url
    from pollwatch.cli.django_setup import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from pollwatch.backups import BackupError
    from pollwatch.backups.crypto import key_from_environment
    from pollwatch.backups.database import Database
    from pollwatch.backups.restore import restore_backup

    target = Database.from_settings(settings.DATABASES["default"])
    try:
        result = restore_backup(file, target, Path(settings.MEDIA_ROOT), key=key_from_environment(), force=force)
    except BackupError as exc:
        raise _fail(str(exc)) from None
    if result.pending_migrations:
        call_command("migrate", interactive=False, verbosity=0)
    summary = result.manifest.summary
    lines = {
        "restored": file, "into": target.describe(), "media": settings.MEDIA_ROOT,
        "backup_made": result.manifest.created_at, "backup_pollwatch": result.manifest.pollwatch_version,
        "tables": len(summary.tables), "rows": sum(summary.tables.values()), "reports": summary.reports,
        "reports_checksum": f"{summary.reports_checksum} (matches)", "media_files": len(result.manifest.media),
        "migrations_applied_after": len(result.pending_migrations), "seconds": f"{result.seconds:.1f}",
    }
    if result.media_kept_at is not None:
        lines["previous_media_moved_to"] = result.media_kept_at
    for name, value in lines.items():
        typer.echo(f"{name}: {value}")
