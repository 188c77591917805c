"""``pollwatch media``: media monitoring on files, without a database (issue 8)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Media monitoring.", no_args_is_help=True)
