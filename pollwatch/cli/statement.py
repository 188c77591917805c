"""``pollwatch statement``: render a mission's statement to HTML or PDF."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="A mission's evidence-linked statement.", no_args_is_help=True)


@app.command("render")
def render(
    mission: str = typer.Option(..., "--mission", help="Mission slug"),
    fmt: str = typer.Option("html", "--format", help="html or pdf"),
    out: Path = typer.Option(..., "--out", help="File to write"),
    version: int | None = typer.Option(None, "--version", help="A frozen version (default: the live draft)"),
    statement: str | None = typer.Option(None, "--statement", help="Statement slug (default: the mission's latest)"),
    base_url: str = typer.Option("", "--base-url", help="Prefix of the evidence links, e.g. https://pollwatch.example"),
    db: Path | None = typer.Option(None, "--db", help="SQLite database file (ignored when DATABASE_URL is set)"),
) -> None:
    """Render a statement; every number is a numbered note linking to its evidence page.

    Without --version the live draft is rendered (its placeholders resolved now); a placeholder that does not
    resolve, or a statement without findings, stops with the list of problems and writes nothing.
    """
    from pollwatch.cli.django_setup import setup_django

    if fmt not in ("html", "pdf"):
        typer.echo("error: --format is html or pdf", err=True)
        raise typer.Exit(2)
    setup_django(db)
    from django.urls import reverse

    from pollwatch.missions.models import Mission
    from pollwatch.statements import services
    from pollwatch.statements.models import Statement
    from pollwatch.statements.render import render_html, render_pdf

    m = Mission.objects.filter(slug=mission).first()
    if m is None:
        typer.echo(f"error: no mission {mission!r}", err=True)
        raise typer.Exit(2)
    statements = Statement.objects.for_mission(m).order_by("-created_at")
    st = statements.filter(slug=statement).first() if statement else statements.first()
    if st is None:
        typer.echo(f"error: mission {mission!r} has no statement{' ' + repr(statement) if statement else ''}", err=True)
        raise typer.Exit(2)
    frozen = None
    if version is not None:
        frozen = st.versions.filter(number=version).first()
        if frozen is None:
            numbers = ", ".join(str(n) for n in st.versions.values_list("number", flat=True)) or "none"
            typer.echo(f"error: {st.slug!r} has no version {version} (versions: {numbers})", err=True)
            raise typer.Exit(2)
        content, changes = frozen.content, services.changes_since(frozen)
    else:
        problems = services.statement_problems(st)
        if problems:
            for p in problems:
                typer.echo(f"error: {p.where}: {p.message}", err=True)
            raise typer.Exit(1)
        content, changes = services.build_content(st), []
    html = render_html(content, evidence_url=base_url.rstrip("/") + reverse("evidence-root", args=[m.slug]),
                       version=frozen, changes=changes)
    if fmt == "pdf":
        out.write_bytes(render_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    typer.echo(f"{fmt}: {out}")
