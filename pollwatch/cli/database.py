"""Database commands: ``pollwatch migrate``, ``createsuperuser``, ``manage``."""

from __future__ import annotations

from pathlib import Path

import typer

from pollwatch.cli import common


def migrate(db: Path | None = common.DbOption) -> None:
    """Create or update the database tables."""
    common.setup(db)
    from django.core.management import call_command

    from pollwatch.cli.django_setup import database_description

    call_command("migrate", interactive=False, verbosity=1)
    typer.echo(f"database: {database_description()}")


def createsuperuser(db: Path | None = common.DbOption) -> None:
    """Create an administrator login (asks for the username and password)."""
    common.setup(db)
    from django.core.management import call_command

    call_command("createsuperuser")


def manage(ctx: typer.Context, db: Path | None = common.DbOption) -> None:
    """Run any Django management command, e.g. ``pollwatch manage check``."""
    common.setup(db)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pollwatch manage", *ctx.args])
