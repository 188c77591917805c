"""``pollwatch forensics``: results forensics on a plain CSV (owned by the forensics work, issue 7)."""

from __future__ import annotations

import typer


def forensics(results: str = typer.Argument(..., help="Canonical results CSV")) -> None:
    """Run the results-forensics suite on a canonical results CSV."""
    typer.echo("pollwatch forensics is not built yet", err=True)
    raise typer.Exit(2)
