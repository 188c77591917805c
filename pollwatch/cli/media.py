"""``pollwatch media``: media monitoring on files, without a database (issue 8)."""

from __future__ import annotations

from pathlib import Path

import typer

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
