"""``pollwatch forms ...`` and ``pollwatch submissions ...`` (issue 4, Collection)."""

from __future__ import annotations

import typer

forms_app = typer.Typer(help="Observation forms (XLSForm → XForm).", no_args_is_help=True)
submissions_app = typer.Typer(help="Submissions: the mission's inbox.", no_args_is_help=True)
