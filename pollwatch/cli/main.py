"""Entry point of the ``pollwatch`` console script.

Command groups live in their own modules and are registered here. Commands that work on plain files
(``forensics``, ``pvt``, ``media analyze``, ``compare``) never start Django; the others call :func:`setup_django` first.
"""

from __future__ import annotations

import typer

from pollwatch.cli import audit as audit_cli
from pollwatch.cli import backup as backup_cli
from pollwatch.cli import collection as collection_cli
from pollwatch.cli import compare as compare_cli
from pollwatch.cli import database as database_cli
from pollwatch.cli import demo as demo_cli
from pollwatch.cli import election as election_cli
from pollwatch.cli import forensics as forensics_cli
from pollwatch.cli import importers as importers_cli
from pollwatch.cli import media as media_cli
from pollwatch.cli import pvt as pvt_cli
from pollwatch.cli import results as results_cli
from pollwatch.cli import retention as retention_cli
from pollwatch.cli import serving
from pollwatch.cli import sms as sms_cli
from pollwatch.cli import statement as statement_cli

app = typer.Typer(
    name="pollwatch",
    help="pollwatch: run an election-observation mission on one platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("demo")(demo_cli.demo)
app.command("serve")(serving.serve)
app.command("worker")(serving.worker)
app.command("derive")(serving.derive)
app.command("ready")(serving.ready)
app.command("migrate")(database_cli.migrate)
app.command("createsuperuser")(database_cli.createsuperuser)
app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(database_cli.manage)
app.add_typer(importers_cli.app, name="import")
app.add_typer(election_cli.app, name="election")
app.command("forensics")(forensics_cli.forensics)
app.command("compare")(compare_cli.compare)
app.add_typer(results_cli.app, name="results")
app.add_typer(pvt_cli.app, name="pvt")
app.add_typer(media_cli.app, name="media")
app.add_typer(statement_cli.app, name="statement")
app.add_typer(sms_cli.app, name="sms")
app.add_typer(collection_cli.forms_app, name="forms")
app.add_typer(collection_cli.submissions_app, name="submissions")
app.command("api-token")(collection_cli.api_token)
backup_cli.register(app)
app.add_typer(audit_cli.app, name="audit")
app.command("retention")(retention_cli.retention)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
