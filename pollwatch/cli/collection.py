"""``pollwatch forms ...``, ``pollwatch submissions ...`` and ``pollwatch api-token`` (Collection)."""

from __future__ import annotations

from pathlib import Path

import typer

from pollwatch.cli.django_setup import setup_django

forms_app = typer.Typer(help="Observation forms (XLSForm → XForm).", no_args_is_help=True)
submissions_app = typer.Typer(help="Submissions: the mission's inbox.", no_args_is_help=True)

DbOption = typer.Option(None, "--db", help="SQLite database file (ignored when DATABASE_URL is set)")


def _mission(slug: str):
    from pollwatch.missions.models import Mission

    mission = Mission.objects.filter(slug=slug).first()
    if mission is None:
        typer.echo(f"error: no mission {slug!r}", err=True)
        raise typer.Exit(2)
    return mission


@forms_app.command("import")
def import_form(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The XLSForm (.xlsx)"),
    mission: str = typer.Option(..., "--mission", help="Mission slug"),
    kind: str = typer.Option("", "--kind", help="opening, voting, closing, incident or other (default: guessed)"),
    media: list[Path] = typer.Option([], "--media", exists=True, dir_okay=False,
                                     help="A media file the form uses (image, CSV); repeatable"),
    db: Path = DbOption,
) -> None:
    """Convert an XLSForm with pyxform and store it as a new form version of the mission."""
    setup_django(db)
    from pollwatch.collection.services import check_import_form
    from pollwatch.collection.xforms import FormError

    m = _mission(mission)
    try:
        form, created = check_import_form(m, file.read_bytes(), filename=file.name, kind=kind)
    except FormError as exc:
        for line in exc.messages:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(1) from None
    for w in form.warnings:
        typer.echo(f"warning: {w}", err=True)
    from pollwatch.collection.services import do_attach_form_media

    for path in media:
        do_attach_form_media(form, path.name, path.read_bytes())
        typer.echo(f"media {path.name}")
    state = "imported" if created else "unchanged"
    typer.echo(f"{state} {form.form_id} version {form.version} ({form.get_kind_display()}, md5 {form.md5})")


@forms_app.command("list")
def list_forms(mission: str = typer.Option(..., "--mission", help="Mission slug"), db: Path = DbOption) -> None:
    """List the mission's forms and versions."""
    setup_django(db)
    from pollwatch.collection.models import ObservationForm

    for f in ObservationForm.objects.for_mission(_mission(mission)).defer("xform", "xlsform"):
        typer.echo(f"{f.form_id}\t{f.version}\t{f.kind}\t{'open' if f.is_active else 'closed'}\t{f.title}")


@submissions_app.command("reparse")
def reparse(
    mission: str = typer.Option("", "--mission", help="Mission slug (default: every mission)"),
    db: Path = DbOption,
) -> None:
    """Rebuild parsed values, station and review flags of submissions from their stored raw payloads (XForm XML, JSON or SMS text)."""
    setup_django(db)
    from pollwatch.collection.submissions import do_reparse_submissions

    n = do_reparse_submissions(_mission(mission) if mission else None)
    typer.echo(f"reparsed {n} submissions")
    from pollwatch.collection.derivation import backlog

    if pending := backlog().pending:
        typer.echo(f"{pending} reports queued for derivation: `pollwatch worker` (or `pollwatch serve`, or "
                   "`pollwatch derive`) brings the election-day tables up to date")


@submissions_app.command("device-login")
def device_login(
    observer: str = typer.Argument(..., help="Observer code"),
    mission: str = typer.Option(..., "--mission", help="Mission slug"),
    pin: str = typer.Option("", "--pin", help="PIN to set, at least 8 characters (default: a random 8-digit PIN)"),
    db: Path = DbOption,
) -> None:
    """Give an observer a device login for ODK Collect/Enketo (Digest auth); prints the PIN once."""
    setup_django(db)
    from pollwatch.collection.services import do_set_device_credential
    from pollwatch.missions.models import Observer

    m = _mission(mission)
    obs = Observer.objects.for_mission(m).filter(code=observer).first()
    if obs is None:
        typer.echo(f"error: no observer {observer!r} in {mission}", err=True)
        raise typer.Exit(2)
    try:
        cred, password = do_set_device_credential(obs, password=pin)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"openrosa_user: {cred.username}\nopenrosa_password: {password}")


def api_token(
    username: str = typer.Argument(..., help="The user the token acts as"),
    name: str = typer.Option("", "--name", help="What the token is for, e.g. 'results script'"),
    db: Path = DbOption,
) -> None:
    """Create a REST API token for a user and print it once (only its hash is stored)."""
    setup_django(db)
    from django.contrib.auth import get_user_model

    from pollwatch.collection.services import do_create_api_token

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        typer.echo(f"error: no active user {username!r}", err=True)
        raise typer.Exit(2)
    _, key = do_create_api_token(user, name)
    typer.echo(f"api_token: {key}")
