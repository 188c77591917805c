"""pytest plugin: ``--postgres`` runs the suite against a throwaway PostgreSQL cluster.

The cluster is created by the test session itself (``initdb`` into a temporary directory, listening only on a
unix socket there, fsync off) and removed at the end. ``DATABASE_URL`` is set before pytest-django loads the
settings, so the same tests run unchanged on PostgreSQL. When PostgreSQL is not installed the run is skipped
with a message, except under CI (``CI=true``), where that is an error: the Postgres tests must run in CI.

Enabled in ``pyproject.toml`` with ``-p pollwatch.testing.pgcluster``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        default=False,
        help="run against a throwaway PostgreSQL cluster (initdb in a temp dir, unix socket)",
    )


def find_pg_bin() -> Path | None:
    """The directory holding initdb/pg_ctl: PATH first, then Debian's versioned directories."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(candidate).parent
    return None


class Cluster:
    """A PostgreSQL cluster in a temporary directory, owned by an unprivileged user when we are root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="pollwatch-pg-"))
        self.data = self.dir / "data"
        self.user: str | None = None
        if os.geteuid() == 0:  # initdb refuses to run as root
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self, *, durable: bool = False) -> str:
        """Start it; ``durable``: PostgreSQL's default durability (fsync, synchronous commit, full page writes), as
        a mission runs it — for benchmarks. The test suite's cluster skips fsync: it is thrown away anyway."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-k {self.dir} -c listen_addresses='' -c max_connections=50"
        if not durable:
            options += " -F -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        return f"postgres://postgres@/pollwatch?host={self.dir}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]):
    # A wrapper runs before pytest-django's own hook, which imports the settings (and reads DATABASE_URL).
    args_ns = early_config.known_args_namespace
    # Under pytest-xdist the controller runs no test: only the workers, each with its own cluster, need one.
    xdist_controller = getattr(args_ns, "numprocesses", None) and not os.environ.get("PYTEST_XDIST_WORKER")
    if args_ns.postgres and not xdist_controller:
        bindir = find_pg_bin()
        if bindir is None:
            message = "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)"
            if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                raise pytest.UsageError(message + "; under CI the PostgreSQL tests must run")
            early_config._pollwatch_pg_missing = message  # type: ignore[attr-defined]
        else:
            cluster = Cluster(bindir)
            os.environ["DATABASE_URL"] = cluster.start()
            early_config.add_cleanup(cluster.stop)
    return (yield)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    message = getattr(config, "_pollwatch_pg_missing", None)
    if message:
        skip = pytest.mark.skip(reason=message)
        for item in items:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL", "")
    return f"pollwatch database: {'PostgreSQL (throwaway cluster)' if url.startswith('postgres') else 'SQLite'}"
