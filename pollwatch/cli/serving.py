"""``pollwatch serve`` and ``pollwatch worker``: the web processes and the task worker beside them.

A laptop install runs both from one command (``serve`` starts gunicorn and one worker, and stops both on Ctrl+C
or SIGTERM). A production install runs ``serve --prod`` on each stateless app server (gunicorn alone, configured
from the environment, on the unix socket nginx proxies to; see deploy/ and docs/deploy.md) and ``pollwatch worker``
wherever there is CPU to spare (several are fine on PostgreSQL: each task is claimed by one worker).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

from pollwatch.cli import common

DbOption = common.DbOption
# Spelled out rather than imported: importing pollwatch.web.access_log imports gunicorn, which `pollwatch --help`
# need not load. tests/collection/test_device_tokens.py checks that the class is there.
LOGGER_CLASS = "pollwatch.web.access_log.RedactingLogger"


def _env(db: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if db is not None:
        env["POLLWATCH_DB"] = str(db)
    return env


def worker_command() -> list[str]:
    return [sys.executable, "-m", "pollwatch.cli.main", "worker"]


def gunicorn_command(port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "pollwatch.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4",
        "--access-logfile", "-", "--log-level", "warning",
        # No phone's login URL token in the access log (pollwatch/accounts/redaction.py).
        "--logger-class", LOGGER_CLASS,
    ]


# `serve --prod`: everything from the environment (the env file of deploy/systemd/pollwatch-web.service).
PROD_DEFAULTS = {
    # Ignored when systemd passes the socket (pollwatch-web.socket): gunicorn then serves the socket it is given.
    "POLLWATCH_BIND": "unix:/run/pollwatch/web.sock",
    "POLLWATCH_WEB_WORKERS": str(2 * (os.cpu_count() or 1) + 1),  # gunicorn's rule of thumb
    "POLLWATCH_WEB_THREADS": "4",
    # A request running longer is killed and logged; nginx's proxy_read_timeout (75 s) is longer, so the client
    # gets gunicorn's 500 rather than nginx's 504 and the log says which request it was.
    "POLLWATCH_WEB_TIMEOUT": "60",
}


def prod_gunicorn_command(env: dict[str, str]) -> list[str]:
    conf = {key: env.get(key) or default for key, default in PROD_DEFAULTS.items()}
    return [
        sys.executable, "-m", "gunicorn", "pollwatch.wsgi:application",
        "--bind", conf["POLLWATCH_BIND"], "--workers", conf["POLLWATCH_WEB_WORKERS"],
        "--threads", conf["POLLWATCH_WEB_THREADS"], "--timeout", conf["POLLWATCH_WEB_TIMEOUT"],
        "--graceful-timeout", "30",
        # Recycle a worker now and then (jittered, so they do not all restart together): a slow leak in any
        # library cannot grow for a whole election day.
        "--max-requests", "20000", "--max-requests-jitter", "2000",
        # nginx logs every request; gunicorn logs errors, to stderr (the journal).
        "--error-logfile", "-", "--log-level", env.get("POLLWATCH_LOG_LEVEL", "warning").lower(),
        # "Error handling request <uri>" lines (and an access log, if one is added) without login URLs' tokens.
        "--logger-class", LOGGER_CLASS,
    ]


def check_prod_environment(env: dict[str, str]) -> list[str]:
    """What a production server must not run without (the settings would fall back to laptop defaults)."""
    problems = []
    if not env.get("POLLWATCH_SECRET_KEY"):
        problems.append("POLLWATCH_SECRET_KEY is not set (every app server needs the same secret key)")
    if env.get("POLLWATCH_DEBUG", "0").strip().lower() in {"1", "true", "yes", "on"}:
        problems.append("POLLWATCH_DEBUG is on: it shows stack traces and settings to anyone")
    if not env.get("POLLWATCH_ALLOWED_HOSTS"):
        problems.append("POLLWATCH_ALLOWED_HOSTS is not set (the host name observers and staff use)")
    return problems


# A derivation worker that dies (killed, out of memory) is started again after this many seconds by `serve`;
# systemd does the same for pollwatch-worker@ (Restart=always).
WORKER_RESTART_DELAY = 1.0


def run_server(db: Path | None, port: int, workers: int = 2, *, with_worker: bool = True) -> None:
    """Serve until interrupted; with ``with_worker`` the task worker runs beside gunicorn and stops with it.

    gunicorn's master replaces a web worker that dies; this process replaces the derivation worker if it dies
    (its batch in hand rolled back and is taken again). gunicorn ending, Ctrl+C or SIGTERM stops both."""
    env = _env(db)
    typer.echo(f"Serving pollwatch at http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    sys.stdout.flush()
    if not with_worker:
        # Become gunicorn (exec, not a child process) so that a supervisor's signals reach it directly.
        os.execve(sys.executable, gunicorn_command(port, workers), env)  # noqa: S606 - fixed argument list
    web = subprocess.Popen(gunicorn_command(port, workers), env=env)  # noqa: S603 - fixed argument list, no shell
    worker = subprocess.Popen(worker_command(), env=env)  # noqa: S603
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for child in (web, worker):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and web.poll() is None:
        try:
            os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if not stopping and web.poll() is None and worker.poll() is not None:
            typer.echo(f"the derivation worker ended ({worker.returncode}); starting it again", err=True)
            time.sleep(WORKER_RESTART_DELAY)
            if not stopping:
                worker = subprocess.Popen(worker_command(), env=env)  # noqa: S603
    stop(signal.SIGTERM, None)
    codes = [web.wait(), worker.wait()]
    raise typer.Exit(next((c for c in codes if c not in (0, -signal.SIGTERM)), 0))


def serve(
    db: Path | None = DbOption,
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to serve on"),
    workers: int = typer.Option(2, "--workers", min=1, help="Web worker processes"),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Do not start the task worker (run `pollwatch worker` elsewhere)"
    ),
    prod: bool = typer.Option(
        False, "--prod", help="Production: gunicorn alone, configured from the environment (POLLWATCH_BIND, "
        "POLLWATCH_WEB_WORKERS, POLLWATCH_WEB_THREADS, POLLWATCH_WEB_TIMEOUT); no worker, no migrate; "
        "refuses to start without POLLWATCH_SECRET_KEY and POLLWATCH_ALLOWED_HOSTS (docs/deploy.md)"
    ),
) -> None:
    """Serve pollwatch with gunicorn at http://127.0.0.1:PORT, and the task worker beside it (migrating first)."""

    if prod:
        env = dict(os.environ)
        problems = check_prod_environment(env)
        if problems:
            for problem in problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(2)
        # Become gunicorn (same pid): systemd's notifications, signals and socket reach it directly.
        os.execve(sys.executable, prod_gunicorn_command(env), env)  # noqa: S606 - fixed argument list

    common.setup(db)
    common.migrate_quietly()
    run_server(db.resolve() if db else None, port, workers, with_worker=not no_worker)


def _run_one_queued_job() -> bool:
    """Run one ready django-tasks job (slow jobs other than derivation); False when none was ready."""
    from django.db.utils import OperationalError
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    tasks = DBTaskResult.objects.ready().filter(backend_name="default")
    with exclusive_transaction(tasks.db):
        try:
            job = tasks.get_locked()
            if job is not None:
                job.claim(_WORKER_ID)
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            return False
    if job is None:
        return False
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
           worker_id=_WORKER_ID, excluded_queue_names=[]).run_task(job)
    return True


_WORKER_ID = f"pollwatch-{os.getpid()}"
# Finished jobs' rows are kept this long (for the admin), then pruned: queue bookkeeping does not grow for ever.
KEEP_FINISHED_JOBS_DAYS = 7


def _prune_finished_jobs() -> None:
    from django.core.management import call_command

    call_command("prune_db_task_results", "--min-age-days", str(KEEP_FINISHED_JOBS_DAYS), verbosity=0)


def worker(
    db: Path | None = DbOption,
    batch: bool = typer.Option(False, "--batch", help="Derive every pending report and run every queued job, then exit"),
) -> None:
    """Derive stored reports into the election-day tables, in batches, and run other queued jobs; `pollwatch
    serve` starts one. On PostgreSQL several workers can run at once (each claims its own batch)."""

    # No migrate here: `serve` (or `pollwatch migrate`) has done it, and several workers starting at once must
    # not each run migrations against the same database.
    common.setup(db)
    from pollwatch.collection.derivation import WorkerLoop
    from pollwatch.dbtools import SQLITE_ANALYZE_EVERY, refresh_sqlite_statistics

    # A long-running worker records its heartbeat for /health/ready; a --batch drain is not "the worker".
    loop = WorkerLoop(batch=batch, other_jobs=_run_one_queued_job, heartbeat=not batch,
                      every=[(SQLITE_ANALYZE_EVERY, refresh_sqlite_statistics), (3600.0, _prune_finished_jobs)])

    def stop(_signum, _frame) -> None:  # finish the batch in hand, then stop
        loop.running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    loop.run()


def derive(
    db: Path | None = DbOption,
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Queue the reports whose derivation failed again first"),
    mission: str = typer.Option("", "--mission", help="Only this mission's failed reports (with --retry-failed)"),
) -> None:
    """Bring the election-day tables up to date with every stored report now, in this process."""
    common.setup(db)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from pollwatch.collection.derivation import backlog, derive_backlog, do_retry_failed
    from pollwatch.missions.models import Mission

    if retry_failed:
        scope = None
        if mission:
            scope = Mission.objects.filter(slug=mission).first()
            if scope is None:
                typer.echo(f"error: no mission {mission!r}", err=True)
                raise typer.Exit(2)
        typer.echo(f"queued again: {do_retry_failed(scope)}")
    todo = backlog().pending
    with Progress(TextColumn("deriving"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        task = bar.add_task("derive", total=todo)
        derived = derive_backlog(progress=lambda n: bar.advance(task, n))
    state = backlog()
    typer.echo(f"derived: {derived}\nfailed: {state.failed}")
    if state.failed:
        typer.echo("some reports failed to derive: see them in the admin (Submissions, derive state = failed), "
                   "fix the cause, then `pollwatch derive --retry-failed`", err=True)
        raise typer.Exit(1)


def ready(
    db: Path | None = DbOption,
    check: str = typer.Option("", "--check", help="Only these checks, comma-separated (database, migrations, "
                              "worker, backlog); default: all"),
    wait: float = typer.Option(0.0, "--wait", min=0, help="Keep trying for up to this many seconds until ready"),
) -> None:
    """Run /health/ready's checks in this process and print them; exit 1 when not ready (systemd units use it to
    wait for the database and the migrations before starting)."""
    import json

    from pollwatch.cli.common import setup as _setup

    _setup(db)
    from pollwatch.health import parse_check_names, readiness

    try:
        names = parse_check_names(check) if check else None
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    deadline = time.monotonic() + wait
    while True:
        state = readiness(names)
        if state.ready or time.monotonic() >= deadline:
            break
        time.sleep(1.0)
    typer.echo(json.dumps(state.as_json()))
    if not state.ready:
        typer.echo(f"not ready: {', '.join(state.failing)}", err=True)
        raise typer.Exit(1)
