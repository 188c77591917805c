"""Commands that need the database: demo, serve, migrate, import, manage."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
