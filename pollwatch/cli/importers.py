"""``pollwatch import geography|stations|observers|boundaries``: bulk imports through the importer registry."""

from __future__ import annotations

from pathlib import Path

import typer

from pollwatch.cli import common

app = typer.Typer(help="Bulk-import geography, stations or observers from CSV/XLSX, boundaries from GeoJSON.",
                  no_args_is_help=True)

MapOption = typer.Option(
    [], "--map", help="Map a field to your header, e.g. --map registered_voters='Voters on list' (repeatable)"
)


DryRunOption = typer.Option(False, "--dry-run", help="Check the file and show what would change; write nothing")


def _run_import(kind: str, file: Path, *, election: str | None, mission: str | None, maps: list[str],
                dry_run: bool, db: Path | None) -> None:
    common.setup(db, migrate=True)
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
            raise common.fail(f"no election {election!r} (known: {known}); create it with `pollwatch election create`")
    else:
        target = Mission.objects.filter(slug=mission).first()
        if target is None:
            known = ", ".join(Mission.objects.values_list("slug", flat=True)) or "none yet"
            raise common.fail(f"no mission {mission!r} (known: {known})")
    try:
        with console.status(f"Reading {file}…"):
            table = read_table(file)
            report = importer.run(table, target=target, dry_run=dry_run, mapping=parse_mapping(maps))
    except ImportFileError as exc:
        raise common.fail(str(exc)) from None
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


@app.command("geography")
def import_geography(
    file: Path = typer.Argument(..., help="CSV or XLSX: code, name, level, parent[, latitude, longitude]"),
    election: str = typer.Option(..., "--election", help="Election slug"),
    maps: list[str] = MapOption,
    dry_run: bool = DryRunOption,
    db: Path | None = common.DbOption,
) -> None:
    """Import administrative units (any depth) of an election; upserts by code."""
    _run_import("geography", file, election=election, mission=None, maps=maps, dry_run=dry_run, db=db)


@app.command("stations")
def import_stations(
    file: Path = typer.Argument(..., help="CSV or XLSX: code, unit, registered_voters[, name, address, setting, latitude, longitude]"),
    election: str = typer.Option(..., "--election", help="Election slug"),
    maps: list[str] = MapOption,
    dry_run: bool = DryRunOption,
    db: Path | None = common.DbOption,
) -> None:
    """Import polling stations of an election; upserts by code."""
    _run_import("stations", file, election=election, mission=None, maps=maps, dry_run=dry_run, db=db)


@app.command("observers")
def import_observers(
    file: Path = typer.Argument(..., help="CSV or XLSX: code, name[, phone, email, languages, category]"),
    mission: str = typer.Option(..., "--mission", help="Mission slug"),
    maps: list[str] = MapOption,
    dry_run: bool = DryRunOption,
    db: Path | None = common.DbOption,
) -> None:
    """Import a mission's observers; upserts by observer code."""
    _run_import("observers", file, election=None, mission=mission, maps=maps, dry_run=dry_run, db=db)


@app.command("boundaries")
def import_boundaries(
    file: Path = typer.Argument(..., help="GeoJSON FeatureCollection of Polygon/MultiPolygon features (lon/lat)"),
    election: str = typer.Option(..., "--election", help="Election slug"),
    code_property: str = typer.Option("code", "--code-property", help="Feature property holding the unit code"),
    dry_run: bool = DryRunOption,
    db: Path | None = common.DbOption,
) -> None:
    """Import unit outlines (drawn on the station map); matches features to units by code."""
    common.setup(db, migrate=True)
    from pollwatch.elections.models import Election
    from pollwatch.geography.boundaries import check_import_boundaries

    target = Election.objects.filter(slug=election).first()
    if target is None:
        raise common.fail(f"no election {election!r}")
    report = check_import_boundaries(target, file, code_property=code_property, dry_run=dry_run)
    if not report.ok:
        raise _refused(file, report.errors)
    verb = "would be" if dry_run else "were"
    typer.echo(f"{file}: {report.features} features; {report.matched} unit boundaries {verb} stored."
               + (" (dry run: nothing written)" if dry_run else ""))
