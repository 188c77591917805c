"""Commands that need the database: demo, migrate, createsuperuser, import, election, manage."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import typer

from pollwatch.cli import serving

DEFAULT_DEMO_DB = Path("var/demo.sqlite3")
DbOption = serving.DbOption

import_app = typer.Typer(help="Bulk-import geography, stations or observers from CSV/XLSX, boundaries from GeoJSON.",
                         no_args_is_help=True)
election_app = typer.Typer(help="Elections.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("serve")(serving.serve)
    app.command("worker")(serving.worker)
    app.command("derive")(serving.derive)
    app.command("ready")(serving.ready)
    app.command("migrate")(migrate)
    app.command("createsuperuser")(createsuperuser)
    app.command(
        "manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(manage)
    app.add_typer(import_app, name="import")
    app.add_typer(election_app, name="election")


def _setup(db: Path | None, *, migrate: bool = False) -> None:
    from pollwatch.cli.django_setup import setup_django

    setup_django(db)
    if migrate:  # a fresh database file is usable at once, without a separate `pollwatch migrate`
        _migrate_quietly()


def _migrate_quietly() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _print_lines(lines: dict[str, object]) -> None:
    for key, value in lines.items():
        typer.echo(f"{key}: {value}")


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def demo(
    db: Path = typer.Option(DEFAULT_DEMO_DB, "--db", help="SQLite file to build the demo in"),
    seed: int = typer.Option(1, "--seed", min=0, help="Random seed: the same seed gives the same election"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to serve on"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build (or keep) the demo, print it, and exit"),
    force: bool = typer.Option(False, "--force", help="Replace an existing demo database without asking"),
) -> None:
    """Build the synthetic Azerbaijan-like demo election and serve it at http://127.0.0.1:PORT."""
    using_sqlite = not os.environ.get("DATABASE_URL")
    db = db.resolve()
    if using_sqlite:
        db.parent.mkdir(parents=True, exist_ok=True)
    _setup(db if using_sqlite else None)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from pollwatch.demo.generator import (
        ADMIN_PASSWORD,
        ADMIN_USER,
        ELECTION_SLUG,
        build_demo,
        demo_counts,
        demo_logins,
    )
    from pollwatch.elections.models import Election

    _migrate_quietly()
    existing = Election.objects.filter(slug=ELECTION_SLUG).first()
    rebuild = existing is None
    if existing is not None:
        if force:
            rebuild = True
        elif sys.stdin.isatty():
            rebuild = typer.confirm(f"A demo election already exists in {_where(db)}. Replace it?", default=False)
        else:
            typer.echo(f"Keeping the existing demo in {_where(db)} (use --force to rebuild it).", err=True)
        if rebuild:
            _wipe_database(db if using_sqlite else None)
            _setup_again(db if using_sqlite else None)

    build_seconds = None
    if rebuild:
        started = time.perf_counter()
        steps = ["geography", "stations", "official results", "missions", "election day"]
        with Progress(
            SpinnerColumn(), TextColumn("[progress.description]{task.description}"), TimeElapsedColumn(),
            transient=True, console=_stderr_console(),
        ) as bar:
            task = bar.add_task(f"Building the demo election (seed {seed})…", total=len(steps))

            def progress(step: str, n: int) -> None:
                bar.update(task, advance=n, description=f"Built {step}")

            summary = build_demo(seed=seed, progress=progress)
            extra = _demo_collection(summary, port)
            bar.update(task, description="Simulating election day (coverage, conflicts, checks, incidents)…")
            extra |= _demo_operations(summary, seed)
            extra |= _demo_statements(summary, port)
            extra |= _demo_sms(summary, port)
        build_seconds = time.perf_counter() - started
        counts = summary.counts
    else:
        counts = demo_counts(existing)
        extra = {}
    lines: dict[str, object] = {"database": _where(db) if using_sqlite else "DATABASE_URL"}
    lines.update(counts)
    lines.update({"admin_user": ADMIN_USER, "admin_password": ADMIN_PASSWORD, "url": f"http://127.0.0.1:{port}/"})
    lines.update(extra)
    if build_seconds is not None:
        lines["build_seconds"] = f"{build_seconds:.1f}"
    _print_lines(lines)
    for username, password, role, slug in demo_logins():  # one line per web login, to try each role
        typer.echo(f"login: {username} {password} {role} {slug}")
    if not no_serve:
        serving.run_server(db if using_sqlite else None, port)


def _demo_collection(summary, port: int) -> dict[str, object]:
    """Forms and an observer's device login, from the Collection app when it provides a demo hook."""
    try:
        from pollwatch.collection.demo import build_demo_collection
    except ImportError:
        return {}
    citizens = next(m for m in summary.missions if m.slug == "citizens")
    return build_demo_collection(citizens, seed=1, base_url=f"http://127.0.0.1:{port}")


def _demo_sms(summary, port: int) -> dict[str, object]:
    """The citizen network's SMS webhook (console sender) and a report an observer could text to it."""
    from pollwatch.sms.demo import build_demo_sms

    citizens = next(m for m in summary.missions if m.slug == "citizens")
    return build_demo_sms(citizens, base_url=f"http://127.0.0.1:{port}")


def _demo_operations(summary, seed: int) -> dict[str, object]:
    """Election-day reports, expected-report coverage, master records and incidents for the dashboard."""
    import numpy as np

    from pollwatch.operations.demo import build_demo_operations

    return dict(build_demo_operations(summary, np.random.default_rng(seed)))


def _demo_statements(summary, port: int) -> dict[str, object]:
    """The international mission's published statement and the comparison with the seeds (pollwatch/demo/statements)."""
    from pollwatch.demo.statements import build_demo_statement

    return build_demo_statement(summary, base_url=f"http://127.0.0.1:{port}")


def _where(db: Path) -> str:
    try:
        return str(db.relative_to(Path.cwd()))
    except ValueError:
        return str(db)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _wipe_database(db: Path | None) -> None:
    from django.core.management import call_command
    from django.db import connections

    if db is None:  # PostgreSQL: empty every table, keep the schema
        call_command("flush", interactive=False, verbosity=0)
        return
    connections.close_all()
    for path in _sqlite_files(db):
        path.unlink(missing_ok=True)


def _setup_again(db: Path | None) -> None:
    if db is not None:
        _migrate_quietly()


def migrate(db: Path | None = DbOption) -> None:
    """Create or update the database tables."""
    _setup(db)
    from django.core.management import call_command

    from pollwatch.cli.django_setup import database_description

    call_command("migrate", interactive=False, verbosity=1)
    typer.echo(f"database: {database_description()}")


def createsuperuser(db: Path | None = DbOption) -> None:
    """Create an administrator login (asks for the username and password)."""
    _setup(db)
    from django.core.management import call_command

    call_command("createsuperuser")


def manage(ctx: typer.Context, db: Path | None = DbOption) -> None:
    """Run any Django management command, e.g. ``pollwatch manage check``."""
    _setup(db)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pollwatch manage", *ctx.args])


# --- import ---------------------------------------------------------------------------------------------------

MapOption = typer.Option(
    [], "--map", help="Map a field to your header, e.g. --map registered_voters='Voters on list' (repeatable)"
)
DryRunOption = typer.Option(False, "--dry-run", help="Check the file and show what would change; write nothing")


def _run_import(kind: str, file: Path, *, election: str | None, mission: str | None, maps: list[str],
                dry_run: bool, db: Path | None) -> None:
    _setup(db, migrate=True)
    from rich.console import Console

    from pollwatch.elections.models import Election
    from pollwatch.imports.base import ImportFileError, parse_mapping, read_table
    from pollwatch.imports.registry import get_importer
    from pollwatch.missions.models import Mission

    console = Console(stderr=True)
    importer, target_kind = get_importer(kind)
    if target_kind == "election":
        target = Election.objects.filter(slug=election).first()
        if target is None:
            known = ", ".join(Election.objects.values_list("slug", flat=True)) or "none yet"
            raise _fail(f"no election {election!r} (known: {known}); create it with `pollwatch election create`")
    else:
        target = Mission.objects.filter(slug=mission).first()
        if target is None:
            known = ", ".join(Mission.objects.values_list("slug", flat=True)) or "none yet"
            raise _fail(f"no mission {mission!r} (known: {known})")
    try:
        with console.status(f"Reading {file}…"):
            table = read_table(file)
            report = importer.run(table, target=target, dry_run=dry_run, mapping=parse_mapping(maps))
    except ImportFileError as exc:
        raise _fail(str(exc)) from None
    if not report.ok:
        raise _refused(file, report.errors)
    verb = "would be" if dry_run else "were"
    typer.echo(
        f"{file}: {report.rows} rows; {report.created} {verb} created, {report.updated} {verb} updated, "
        f"{report.unchanged} unchanged." + (" (dry run: nothing written)" if dry_run else "")
    )


def _refused(file: Path, errors: list[str], shown: int = 200) -> typer.Exit:
    """Print why an import was refused (the first ``shown`` errors) and return the exit to raise."""
    typer.echo(f"{file}: {len(errors)} error(s); nothing was imported.", err=True)
    for error in errors[:shown]:
        typer.echo(f"  {error}", err=True)
    if len(errors) > shown:
        typer.echo(f"  … and {len(errors) - shown} more", err=True)
    return typer.Exit(1)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@import_app.command("geography")
def import_geography(
    file: Path = typer.Argument(..., help="CSV or XLSX: code, name, level, parent[, latitude, longitude]"),
    election: str = typer.Option(..., "--election", help="Election slug"),
    maps: list[str] = MapOption,
    dry_run: bool = DryRunOption,
    db: Path | None = DbOption,
) -> None:
    """Import administrative units (any depth) of an election; upserts by code."""
    _run_import("geography", file, election=election, mission=None, maps=maps, dry_run=dry_run, db=db)


@import_app.command("stations")
def import_stations(
    file: Path = typer.Argument(..., help="CSV or XLSX: code, unit, registered_voters[, name, address, setting, latitude, longitude]"),
    election: str = typer.Option(..., "--election", help="Election slug"),
    maps: list[str] = MapOption,
    dry_run: bool = DryRunOption,
    db: Path | None = DbOption,
) -> None:
    """Import polling stations of an election; upserts by code."""
    _run_import("stations", file, election=election, mission=None, maps=maps, dry_run=dry_run, db=db)


@import_app.command("observers")
def import_observers(
    file: Path = typer.Argument(..., help="CSV or XLSX: code, name[, phone, email, languages, category]"),
    mission: str = typer.Option(..., "--mission", help="Mission slug"),
    maps: list[str] = MapOption,
    dry_run: bool = DryRunOption,
    db: Path | None = DbOption,
) -> None:
    """Import a mission's observers; upserts by observer code."""
    _run_import("observers", file, election=None, mission=mission, maps=maps, dry_run=dry_run, db=db)


@import_app.command("boundaries")
def import_boundaries(
    file: Path = typer.Argument(..., help="GeoJSON FeatureCollection of Polygon/MultiPolygon features (lon/lat)"),
    election: str = typer.Option(..., "--election", help="Election slug"),
    code_property: str = typer.Option("code", "--code-property", help="Feature property holding the unit code"),
    dry_run: bool = DryRunOption,
    db: Path | None = DbOption,
) -> None:
    """Import unit outlines (drawn on the station map); matches features to units by code."""
    _setup(db, migrate=True)
    from pollwatch.elections.models import Election
    from pollwatch.geography.boundaries import check_import_boundaries

    target = Election.objects.filter(slug=election).first()
    if target is None:
        raise _fail(f"no election {election!r}")
    report = check_import_boundaries(target, file, code_property=code_property, dry_run=dry_run)
    if not report.ok:
        raise _refused(file, report.errors)
    verb = "would be" if dry_run else "were"
    typer.echo(f"{file}: {report.features} features; {report.matched} unit boundaries {verb} stored."
               + (" (dry run: nothing written)" if dry_run else ""))


@election_app.command("create")
def election_create(
    slug: str = typer.Option(..., "--slug"),
    name: str = typer.Option(..., "--name"),
    country: str = typer.Option(..., "--country", help="ISO 3166-1 alpha-2 code"),
    date: str = typer.Option(..., "--date", help="YYYY-MM-DD"),
    kind: str = typer.Option("presidential", "--kind", help="presidential, parliamentary, local or referendum"),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA time zone, e.g. Asia/Baku"),
    contest: str = typer.Option("Main", "--contest", help="Name of the election's contest (its ballot comes "
                                "from the admin or from the first results import)"),
    db: Path | None = DbOption,
) -> None:
    """Create an election (with one contest) to import geography, stations and results into."""
    import datetime as dt
    import zoneinfo

    _setup(db, migrate=True)
    from pollwatch.elections.models import Election
    from pollwatch.elections.services import do_create_contest, do_create_election

    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise _fail(f"--date must be YYYY-MM-DD, got {date!r}") from None
    if kind not in Election.Kind.values:
        raise _fail(f"--kind must be one of {', '.join(Election.Kind.values)}")
    if len(country) != 2 or not country.isalpha():
        raise _fail(f"--country must be a two-letter ISO code, got {country!r}")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _fail(f"unknown time zone {timezone!r}") from None
    if Election.objects.filter(slug=slug).exists():
        raise _fail(f"an election {slug!r} already exists")
    election = do_create_election(slug=slug, name=name, country=country, date=day, kind=kind, timezone=timezone)
    do_create_contest(election, contest, [])
    typer.echo(f"election: {election.slug}")
    typer.echo(f"contest: {contest}")
