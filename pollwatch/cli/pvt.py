"""``pollwatch pvt``: quick-count sample size, drawing, estimation and validation (issue 6)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Parallel vote tabulation (quick count).", no_args_is_help=True)
