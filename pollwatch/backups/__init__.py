"""Backup and restore of a whole pollwatch installation: the database, the uploaded files and a manifest.

One archive is one tar file (optionally encrypted, :mod:`pollwatch.backups.crypto`) holding, in this order:

- ``manifest.json`` — what the archive holds and how to check it (:mod:`pollwatch.backups.manifest`): the
  engine, pollwatch's version, the applied migrations, the row count of every table, an order-independent
  checksum of the raw reports, and the size and sha256 of every other member;
- ``database.sqlite3`` (a copy made by SQLite's online backup API) or ``database.pgdump`` (``pg_dump``'s
  custom format), both taken from one consistent snapshot while the server keeps serving;
- ``media/…`` — every uploaded file under ``MEDIA_ROOT`` (observers' attachments, form media).

This package sits at the composition layer, beside the CLI: it reads the whole schema, so no app imports it.
:func:`~pollwatch.backups.backup.write_backup` and :func:`~pollwatch.backups.restore.restore_backup` are the
two entry points; ``pollwatch backup`` and ``pollwatch restore`` (``pollwatch/cli/backup.py``) call them.
"""


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the person running it."""


class DamagedBackup(BackupError):
    """The archive is not what its manifest says (truncated, altered, or not a pollwatch backup)."""


class RestoreRefused(BackupError):
    """A restore that would lose data or cannot work (newer schema, non-empty target, other engine)."""
