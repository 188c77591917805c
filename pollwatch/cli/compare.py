"""``pollwatch compare``: the verdicts of observer missions in statements and news items, side by side."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def compare(
    files: list[Path] = typer.Argument(..., help="Statements or news items: .txt, .html, .csv, .pdf, or URL lists"),
    json_out: Path | None = typer.Option(None, "--json", help="Write claims and contradictions as JSON ('-': stdout)"),
    fetch_urls: bool = typer.Option(False, "--fetch-urls", help="Fetch the pages of URL lists (uses the network)"),
) -> None:
    """Extract each mission's verdict claims and compare them topic by topic (no database).

    Prints the claims per file, the side-by-side table (topic · mission A · mission B · agree/contradict ·
    evidence each cites) and each mission's evidence score. A file that cannot be read is reported on stderr
    and skipped; the exit code is 1 only if no file could be read.
    """
    from pollwatch.statements.compare.align import analyse, evidence_scores, rows, to_json
    from pollwatch.statements.compare.documents import read_documents

    texts, errors = read_documents(files, fetch_urls=fetch_urls)
    for message in errors:
        typer.echo(f"skipped: {message}", err=True)
    if not texts:
        typer.echo(f"error: none of the {len(files)} file(s) could be read", err=True)
        raise typer.Exit(1)
    docs = analyse(texts)
    data = to_json(docs)
    if json_out is not None and str(json_out) == "-":
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for doc in docs:
        typer.echo(f"== {doc.file}: {len(doc.claims)} verdict claim(s)")
        if not doc.claims:
            typer.echo("   (no mission states a verdict here)")
        for c in doc.claims:
            typer.echo(f"   {c.mission} [{c.speaker}] {c.stance} on {', '.join(c.topics)}: {_short(c.quote)}")
    table = rows(docs)
    typer.echo("")
    if table:
        typer.echo(_table(["topic", "mission A", "mission B", "agree/contradict", "evidence A", "evidence B"],
                          [[r.topic, f"{r.a_mission}: {r.a_stance}", f"{r.b_mission}: {r.b_stance}", r.relation,
                            r.a_evidence, r.b_evidence] for r in table]))
    else:
        typer.echo("no topic judged by two missions: nothing to compare side by side")
    typer.echo("")
    scores = evidence_scores(docs)
    if scores:
        typer.echo(_table(["mission", "verdicts", "citing figures", "evidence score", "observers", "stations"],
                          [[s.mission, str(s.verdicts), str(s.citing_figures), f"{s.share:.0%}",
                            _n(s.observers), _n(s.stations)] for s in scores]))
    typer.echo(f"contradictions: {len(data['contradictions'])}")
    if json_out is not None:
        json_out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"json: {json_out}")


def _n(value: int | None) -> str:
    return "none reported" if value is None else f"{value:,}"


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(header: list[str], body: list[list[str]]) -> str:
    cells = [header, *[[_short(c, 60) for c in row] for row in body]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
