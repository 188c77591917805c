"""``pollwatch results import|export``: official results per station, in and out of the app."""

from __future__ import annotations

from pathlib import Path

import typer

from pollwatch.cli import common
from pollwatch.cli.common import DbOption

app = typer.Typer(help="Official results per station (import, export as canonical CSV).", no_args_is_help=True)


def _contest(election: str, contest: str | None):
    from pollwatch.elections.models import Contest, Election

    found = Election.objects.filter(slug=election).first()
    if found is None:
        known = ", ".join(Election.objects.values_list("slug", flat=True)) or "none yet"
        raise common.fail(f"no election {election!r} (known: {known})")
    contests = Contest.objects.filter(election=found)
    if contest:
        contests = contests.filter(name=contest)
    if contests.count() != 1:
        names = ", ".join(Contest.objects.filter(election=found).values_list("name", flat=True)) or "none"
        raise common.fail(f"name one contest with --contest (contests of {election}: {names})")
    return contests.get()


@app.command("import")
def import_results(
    file: Path = typer.Argument(..., help="Canonical results CSV, or any CSV/ZIP/XLSX with --mapping"),
    election: str = typer.Option(..., "--election", help="Election slug"),
    mapping: Path | None = typer.Option(None, "--mapping", help="TOML column mapping (see docs/forensics.md)"),
    contest: str = typer.Option(None, "--contest", help="Contest name (needed when the election has several)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; write nothing"),
    db: Path | None = DbOption,
) -> None:
    """Import official results per station; impossible numbers are imported as published and listed."""
    common.setup(db, migrate=True)
    from pollwatch.results.official import check_results_table, do_import_results
    from pollwatch.stats.mapping import load_mapped_results, load_mapping
    from pollwatch.stats.results import ResultsFormatError, load_results

    target = _contest(election, contest)
    try:
        table = load_mapped_results(file, load_mapping(mapping)) if mapping else load_results(file)
    except ResultsFormatError as exc:
        raise common.fail(str(exc)) from None
    try:
        report = check_results_table(table, target) if dry_run else do_import_results(target, table)
    except ValueError as exc:
        raise common.fail(str(exc)) from None
    for problem in report.excluded[:100]:
        where = f"line {problem.line}" if problem.line else f"station {problem.station_id}"
        typer.echo(f"  excluded {where}, {problem.column}: {problem.reason}", err=True)
    for problem in report.flagged[:100]:
        typer.echo(f"  flagged station {problem.station_id}, {problem.column}: {problem.reason}", err=True)
    verb = "would be imported" if dry_run else f"imported ({report.created} new, {report.updated} updated)"
    typer.echo(f"{file}: {report.stations} stations {verb}; {len(report.excluded)} excluded, "
               f"{len(report.flagged)} flagged as impossible but kept as published.")


@app.command("export")
def export_results(
    election: str = typer.Option(..., "--election", help="Election slug"),
    out: Path = typer.Option(..., "--out", help="Where to write the canonical results CSV"),
    contest: str = typer.Option(None, "--contest", help="Contest name (needed when the election has several)"),
    db: Path | None = DbOption,
) -> None:
    """Write the official results as a canonical results CSV (input of `pollwatch forensics` and `pvt`)."""
    common.setup(db, migrate=True)
    from pollwatch.results.official import write_canonical_csv

    target = _contest(election, contest)
    with out.open("w", newline="", encoding="utf-8") as handle:
        n = write_canonical_csv(target, handle)
    typer.echo(f"{out}: {n} stations")
