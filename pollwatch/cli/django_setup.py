"""Start Django from the command line, pointing it at the database the user chose."""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(db: str | Path | None = None) -> None:
    """Configure and start Django; ``db`` is a SQLite path (ignored when ``DATABASE_URL`` is set)."""
    if db is not None:
        os.environ["POLLWATCH_DB"] = str(Path(db).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pollwatch.settings")
    import django

    django.setup()


def database_description() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('NAME')} on {db.get('HOST') or 'local socket'}"
