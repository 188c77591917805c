"""``GET /health`` (liveness) and ``GET /health/ready`` (readiness): can this server do its work right now?

Both are public on purpose (load balancers, uptime monitors, systemd, the benchmarks): they name no mission and
no person, only counts and ages.

``/health`` answers whether the process answers and reaches its database, with the derivation backlog; 503 when
the database cannot be reached.

``/health/ready`` runs named checks and answers 200 only when every one passes, else 503 with a ``Retry-After``
and the failing checks named:

- ``database``: a ``SELECT 1`` on the configured database;
- ``migrations``: no migration of this code is unapplied (``MigrationExecutor``'s plan is empty): new code on an
  old schema must not serve;
- ``worker``: a derivation worker's loop came round within ``POLLWATCH_WORKER_STALE_S`` seconds (its heartbeat,
  ``collection.WorkerHeartbeat``);
- ``backlog``: the oldest report not yet derived waited less than ``POLLWATCH_BACKLOG_READY_S`` seconds.

``?check=database,migrations`` runs only those: what a load balancer should ask of an app server (a dead worker or
a backlog is not this server's fault, and taking every server out of rotation for it would stop reports being
received too). ``pollwatch ready`` runs the same checks in-process (systemd's ``ExecStartPre``/``ExecStartPost``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# How long a report may wait for derivation before /health/ready says the backlog check fails (seconds).
BACKLOG_READY = 300.0
# Seconds a 503 of /health/ready asks a client to wait before asking again.
RETRY_AFTER = 10


@login_not_required
@never_cache
@require_safe
def health(request):
    from pollwatch.collection.derivation import backlog

    try:
        state = backlog()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "backlog": state.pending,
                         "oldest_pending_s": state.oldest_pending_s, "failed": state.failed})


@dataclass
class CheckResult:
    ok: bool | None  # None: not checked (the database it needs is unreachable)
    detail: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, **self.detail}


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return CheckResult(True)


# Once every migration is applied it stays so (until the code changes, which restarts the process); the plan is
# computed from the migration files, so it is not recomputed on every probe. An unapplied state is not cached.
MIGRATIONS_CACHE = 60.0
_migrations_ok_at = float("-inf")


def check_migrations() -> CheckResult:
    global _migrations_ok_at
    if time.monotonic() - _migrations_ok_at < MIGRATIONS_CACHE:
        return CheckResult(True, {"unapplied": 0})
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return CheckResult(False, {"unapplied": len(plan)})
    _migrations_ok_at = time.monotonic()
    return CheckResult(True, {"unapplied": 0})


def forget_migrations_state() -> None:
    global _migrations_ok_at
    _migrations_ok_at = float("-inf")


def check_worker() -> CheckResult:
    from pollwatch.collection.derivation import worker_stale_after, workers_seen

    seen = workers_seen()
    return CheckResult(seen.alive > 0, {"alive": seen.alive, "last_seen_s": seen.last_seen_s,
                                        "stale_after_s": worker_stale_after()})


def check_backlog() -> CheckResult:
    from pollwatch.collection.derivation import backlog

    state = backlog()
    limit = float(getattr(settings, "POLLWATCH_BACKLOG_READY_S", BACKLOG_READY))
    return CheckResult(state.oldest_pending_s <= limit, {
        "pending": state.pending, "oldest_pending_s": state.oldest_pending_s, "limit_s": limit,
        "failed": state.failed})


CHECKS: dict[str, Callable[[], CheckResult]] = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "backlog": check_backlog,
}


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, CheckResult]

    @property
    def failing(self) -> list[str]:
        return [name for name, result in self.checks.items() if result.ok is False]

    @property
    def ready(self) -> bool:
        return not self.failing

    def as_json(self) -> dict[str, object]:
        return {"status": "ready" if self.ready else "not ready", "failing": self.failing,
                "checks": {name: result.as_json() for name, result in self.checks.items()}}


def readiness(names: Iterable[str] | None = None) -> Readiness:
    """Run the named checks (all by default, in CHECKS' order); a database error fails the check it happened
    in, and the checks after a failed ``database`` are not run."""
    wanted = set(CHECKS if names is None else names)
    results: dict[str, CheckResult] = {}
    database_down = False
    for name, check in CHECKS.items():
        if name not in wanted:
            continue
        if database_down:
            results[name] = CheckResult(None, {"detail": "not checked: the database is unreachable"})
            continue
        try:
            results[name] = check()
        except DatabaseError as exc:
            results[name] = CheckResult(False, {"detail": f"database error: {type(exc).__name__}"})
            database_down = True
            try:
                connection.close()  # the next probe starts on a new connection
            except DatabaseError:
                pass
    return Readiness(results)


def parse_check_names(text: str) -> list[str]:
    """``database,migrations`` → the names; ValueError naming an unknown one."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in CHECKS]
    if unknown or not names:
        raise ValueError(f"unknown check {', '.join(unknown) or repr(text)}; the checks are {', '.join(CHECKS)}")
    return names


@login_not_required
@never_cache
@require_safe
def health_ready(request):
    names = None
    if "check" in request.GET:
        try:
            names = parse_check_names(request.GET["check"][:200])
        except ValueError as exc:
            return JsonResponse({"status": "error", "error": str(exc)}, status=400)
    state = readiness(names)
    response = JsonResponse(state.as_json(), status=200 if state.ready else 503)
    if not state.ready:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
