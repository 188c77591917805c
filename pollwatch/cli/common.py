"""What the database commands share: the ``--db`` option, starting Django, refusing with a message."""

from __future__ import annotations

from pathlib import Path

import typer

DbOption = typer.Option(None, "--db", help="SQLite database file (ignored when DATABASE_URL is set)")


def setup(db: Path | None, *, migrate: bool = False) -> None:
    """Start Django on ``db``; with ``migrate``, a fresh database file is usable at once (no separate migrate)."""
    from pollwatch.cli.django_setup import setup_django

    setup_django(db)
    if migrate:
        migrate_quietly()


def migrate_quietly() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def print_lines(lines: dict[str, object]) -> None:
    for key, value in lines.items():
        typer.echo(f"{key}: {value}")


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` and return the exit (status 2) to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)
