"""``pollwatch demo``: build the synthetic demo election (and serve it)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import typer

from pollwatch.cli import common, serving

DEFAULT_DEMO_DB = Path("var/demo.sqlite3")


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
    common.setup(db if using_sqlite else None)
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

    common.migrate_quietly()
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
            extra |= _demo_reconciliation(summary, port)
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
    common.print_lines(lines)
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


def _demo_reconciliation(summary, port: int) -> dict[str, object]:
    """A few official protocols altered after the citizen observers' count, for the reconciliation page."""
    from pollwatch.demo.reconciliation import inject_altered_protocols

    citizens = next(m for m in summary.missions if m.slug == "citizens")
    return inject_altered_protocols(citizens, base_url=f"http://127.0.0.1:{port}")[0]


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
        common.migrate_quietly()
