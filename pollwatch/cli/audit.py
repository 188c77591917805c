"""``pollwatch audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

from pathlib import Path

import typer

from pollwatch.cli.django_setup import setup_django

app = typer.Typer(help="The audit trail: append-only and hash-chained.", no_args_is_help=True)
DbOption = typer.Option(None, "--db", help="SQLite database file (ignored when DATABASE_URL is set)")


@app.command("verify")
def verify(db: Path = DbOption) -> None:
    """Recompute every entry's hash in order; exit 1 naming the first entry whose chain breaks (edited, deleted
    or inserted). Prints the head hash: keep a copy elsewhere to detect a chain recomputed from an edit on."""
    setup_django(db)
    from pollwatch.accounts.services import verify_audit_trail

    check = verify_audit_trail()
    typer.echo(f"entries: {check.entries}")
    if not check.ok:
        typer.echo(f"error: the chain breaks at audit entry {check.broken_at}: {check.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"head: {check.head or '(empty trail)'}")
    typer.echo("ok: every entry is chained to the one before it")
