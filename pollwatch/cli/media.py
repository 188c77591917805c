"""``pollwatch media``: media monitoring — ``analyze`` on files without a database, ``import`` into a mission (issue 8)."""

from __future__ import annotations

from pathlib import Path

import typer

DbOption = typer.Option(None, "--db", help="SQLite database file (ignored when DATABASE_URL is set)")

app = typer.Typer(help="Media monitoring.", no_args_is_help=True)


@app.command("analyze")
def analyze(
    files: list[Path] = typer.Argument(..., help="Text, HTML or CSV files of news items."),
    actors: Path | None = typer.Option(None, "--actors", help="Actor catalogue (TOML); default: bundled Azerbaijan 2024."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the coding as JSON to this file ('-' for stdout)."),
    tagger: str = typer.Option("vader", "--tagger", help="Tone tagger (registered in pollwatch.media.analysis.base)."),
) -> None:
    """Code news items automatically: actors, space, tone, loaded terms, claims, contradictions.

    A file that cannot be read is reported on stderr and skipped; the exit code is 1 only if every
    file failed.
    """
    import json

    from pollwatch.media.analysis.actors import load_catalogue
    from pollwatch.media.analysis.base import get_tagger
    from pollwatch.media.analysis.corpus import CorpusError, find_reprints, read_path
    from pollwatch.media.analysis.pipeline import analyze_items

    try:
        catalogue = load_catalogue(actors)
        tone_tagger = get_tagger(tagger)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    items = []
    failed = 0
    for path in files:
        try:
            items.extend(read_path(path))
        except CorpusError as exc:
            failed += 1
            typer.echo(f"skipped: {exc}", err=True)
    if not items:
        typer.echo(f"error: none of the {len(files)} file(s) could be read", err=True)
        raise typer.Exit(1)
    result = analyze_items(items, catalogue, tone_tagger)
    result["reprints"] = [{"a": a, "b": b, "similarity": s} for a, b, s in find_reprints(items)]
    if json_out is not None:
        text = json.dumps(result, ensure_ascii=False, indent=2)
        if str(json_out) == "-":
            typer.echo(text)
        else:
            json_out.write_text(text + "\n", encoding="utf-8")
            typer.echo(f"wrote {json_out} ({len(result['items'])} items, {failed} file(s) skipped)", err=True)
        return
    _print_summary(result, catalogue)


def _print_summary(result: dict, catalogue) -> None:  # type: ignore[type-arg]
    for item in result["items"]:
        typer.echo(f"\n== {item['id']}  {item['date']}  {item['outlet']}\n   {item['title']}")
        for actor_id, c in sorted(item["actors"].items(), key=lambda kv: -kv[1]["words"]):
            typer.echo(f"   {catalogue[actor_id].name:<40} {c['mentions']:>3} mentions {c['words']:>5} words  {c['tone']}")
        for t in item["loaded_terms"]:
            typer.echo(f"   loaded: {t['term']!r} ({t['category']}) in: {t['sentence'][:100]}")
        for c in item["claims"]:
            typer.echo(f"   claim: {c['source']} on {c['subject']}: {c['stance']} — {c['sentence'][:100]}")
    for x in result["contradictions"]:
        typer.echo(f"\nCONTRADICTION on {x['subject']}:\n  {x['a']['source']} ({x['a']['stance']}): {x['a']['sentence']}"
                   f"\n  {x['b']['source']} ({x['b']['stance']}): {x['b']['sentence']}")
    for r in result.get("reprints", []):
        typer.echo(f"\nreprint: {r['a']} ≈ {r['b']} ({r['similarity']})")


@app.command("import")
def import_items(
    files: list[Path] = typer.Argument(..., help="Text, HTML or CSV files of news items, or text files of URLs."),
    mission: str = typer.Option(..., "--mission", help="Mission slug"),
    outlet: str = typer.Option("", "--outlet", help="Outlet of items whose file does not name one"),
    ownership: str = typer.Option("", "--ownership", help="With --outlet: state, private or unknown"),
    outlet_kind: str = typer.Option("", "--outlet-kind", help="With --outlet: agency, online, print, tv, radio, other"),
    fetch_urls: bool = typer.Option(False, "--fetch-urls", help="Fetch the pages of URL lists (uses the network)"),
    actors: Path | None = typer.Option(None, "--actors", help="Load this actor catalogue (TOML) into the mission first"),
    db: Path = DbOption,
) -> None:
    """Import news items into a mission, find reprints, and store the automatic coding.

    Each file that cannot be read is named on stderr with the reason and the rest are imported; the same text imported again is skipped. The exit code is 1 only if no file could be read.

    Without --actors, a mission's first import loads the bundled Azerbaijan 2024 catalogue.
    """
    from pollwatch.cli.django_setup import setup_django

    setup_django(db)
    from pollwatch.media.importers import check_import_corpus
    from pollwatch.media.services import check_load_actor_catalogue, check_save_outlet
    from pollwatch.missions.models import Mission

    m = Mission.objects.filter(slug=mission).first()
    if m is None:
        typer.echo(f"error: no mission {mission!r}", err=True)
        raise typer.Exit(2)
    try:
        if actors is not None:
            typer.echo(f"catalogue: {check_load_actor_catalogue(m, actors)} actors")
        if outlet and (ownership or outlet_kind):
            check_save_outlet(m, outlet, ownership=ownership, kind=outlet_kind)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    unreadable: list[str] = []

    def batch():  # one file in memory at a time, read when the importer comes to it
        for path in files:
            try:
                yield path.name, path.read_bytes()
            except OSError as exc:
                unreadable.append(f"{path}: {exc.strerror or exc}")

    report = check_import_corpus(m, batch(), outlet=outlet, fetch_urls=fetch_urls)
    report.errors[:0] = unreadable
    for line in report.lines():
        typer.echo(line, err=line.startswith("skipped"))
    if not report.imported and not report.unchanged:
        raise typer.Exit(1)
