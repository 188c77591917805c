"""Which database a backup reads or a restore writes, and plain DB-API connections to it.

Backups use their own connections, not Django's: a restore writes into a database Django is not pointed at (the
tests restore into a second one), and a PostgreSQL backup holds one transaction open for the whole dump.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import dj_database_url

from pollwatch.backups import BackupError

Engine = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Database:
    """A SQLite file (``name`` is its path, or a ``file:`` URI) or a PostgreSQL database with libpq parameters."""

    engine: Engine
    name: str
    params: Mapping[str, str] = field(default_factory=dict)  # PostgreSQL: host, port, user, password, sslmode…

    @classmethod
    def from_settings(cls, settings_dict: Mapping[str, Any]) -> Database:
        """The database of a Django ``DATABASES`` entry."""
        engine = settings_dict["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls("sqlite", str(settings_dict["NAME"]))
        if engine.endswith("postgresql"):
            params = {k: str(v) for k, v in (settings_dict.get("OPTIONS") or {}).items()
                      if isinstance(v, str | int) and not isinstance(v, bool)}
            for key in ("USER", "PASSWORD", "HOST", "PORT"):
                if settings_dict.get(key):
                    params[key.lower()] = str(settings_dict[key])
            return cls("postgresql", str(settings_dict["NAME"]), params)
        raise BackupError(f"pollwatch backs up SQLite and PostgreSQL databases, not {engine}")

    @classmethod
    def from_url(cls, url: str) -> Database:
        """The database of a ``DATABASE_URL`` (``postgres://user:pass@host/db``)."""
        return cls.from_settings(dj_database_url.parse(url))

    def describe(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite {self.name}"
        return f"PostgreSQL {self.name} on {self.params.get('host') or 'the local socket'}"

    def connect(self) -> Any:
        """A new DB-API connection (``sqlite3`` or ``psycopg``), not in autocommit."""
        if self.engine == "sqlite":
            return sqlite3.connect(self.name, uri=self.name.startswith("file:"), timeout=20)
        import psycopg

        try:
            return psycopg.connect(dbname=self.name, **self.params)
        except psycopg.OperationalError as exc:
            raise BackupError(f"cannot connect to {self.describe()}: {str(exc).strip()}") from None

    def libpq(self) -> tuple[str, dict[str, str]]:
        """``--dbname`` for pg_dump/pg_restore, and their environment: the password travels in ``PGPASSWORD``,
        never on a command line that ``ps`` shows."""
        from psycopg.conninfo import make_conninfo

        params = dict(self.params)
        password = params.pop("password", None)
        env = dict(os.environ)
        if password:
            env["PGPASSWORD"] = password
        return make_conninfo(dbname=self.name, **params), env


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: ``$POLLWATCH_PG_BIN``, then PATH, then Debian's versioned dirs."""
    folder = os.environ.get("POLLWATCH_PG_BIN")
    if folder:
        return str(Path(folder) / name)
    found = shutil.which(name)
    if found:
        return found
    versioned = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                       key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if versioned:
        return versioned[-1]
    raise BackupError(f"{name} was not found: install PostgreSQL's client tools (apt-get install "
                      f"postgresql-client) or point POLLWATCH_PG_BIN at the folder that holds {name}")


def run_pg_tool(name: str, args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([pg_tool(name), *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{name} failed (exit {result.returncode}):\n{result.stderr.strip()}")
