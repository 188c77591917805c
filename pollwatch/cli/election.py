"""``pollwatch election create``."""

from __future__ import annotations

from pathlib import Path

import typer

from pollwatch.cli import common

app = typer.Typer(help="Elections.", no_args_is_help=True)


@app.command("create")
def election_create(
    slug: str = typer.Option(..., "--slug"),
    name: str = typer.Option(..., "--name"),
    country: str = typer.Option(..., "--country", help="ISO 3166-1 alpha-2 code"),
    date: str = typer.Option(..., "--date", help="YYYY-MM-DD"),
    kind: str = typer.Option("presidential", "--kind", help="presidential, parliamentary, local or referendum"),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA time zone, e.g. Asia/Baku"),
    contest: str = typer.Option("Main", "--contest", help="Name of the election's contest (its ballot comes "
                                "from the admin or from the first results import)"),
    db: Path | None = common.DbOption,
) -> None:
    """Create an election (with one contest) to import geography, stations and results into."""
    import datetime as dt
    import zoneinfo

    common.setup(db, migrate=True)
    from pollwatch.elections.models import Election
    from pollwatch.elections.services import do_create_contest, do_create_election

    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise common.fail(f"--date must be YYYY-MM-DD, got {date!r}") from None
    if kind not in Election.Kind.values:
        raise common.fail(f"--kind must be one of {', '.join(Election.Kind.values)}")
    if len(country) != 2 or not country.isalpha():
        raise common.fail(f"--country must be a two-letter ISO code, got {country!r}")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise common.fail(f"unknown time zone {timezone!r}") from None
    if Election.objects.filter(slug=slug).exists():
        raise common.fail(f"an election {slug!r} already exists")
    election = do_create_election(slug=slug, name=name, country=country, date=day, kind=kind, timezone=timezone)
    do_create_contest(election, contest, [])
    typer.echo(f"election: {election.slug}")
    typer.echo(f"contest: {contest}")
