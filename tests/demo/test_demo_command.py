"""``pollwatch demo`` as a script runs it, in a subprocess on its own SQLite file.

Not a database test of the suite (it never touches the test database), so the PostgreSQL run skips it instead of
running the same SQLite subprocess twice.
"""

import subprocess
import sys

import pytest

from pollwatch.demo.generator import ADMIN_USER


@pytest.mark.slow
def test_demo_command_prints_key_value_lines_scripts_can_read(tmp_path):
    db = tmp_path / "demo.sqlite3"
    run = subprocess.run(
        [sys.executable, "-m", "pollwatch.cli.main", "demo", "--no-serve", "--seed", "1", "--db", str(db)],
        capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "POLLWATCH_DATA_DIR": str(tmp_path)},
        check=False, stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr
    lines = dict(line.split(": ", 1) for line in run.stdout.splitlines() if ": " in line)
    for key in ("regions", "constituencies", "stations", "registered_voters", "candidates", "missions",
                "observers", "deployments", "admin_user", "admin_password", "build_seconds",
                "statement_url", "public_statement_url", "reconciliation_url"):
        assert key in lines, key
    assert lines["regions"] == "14" and lines["admin_user"] == ADMIN_USER
    assert lines["reconciliation_url"] == "http://127.0.0.1:8000/missions/citizens/reconciliation/"
    logins = [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("login: ")]
    for slug in ("ieom", "citizens"):
        roles = {role for _, _, role, mission in logins if mission == slug}
        assert {"admin", "coordinator", "analyst", "data_clerk", "observer"} <= roles, slug
    again = subprocess.run(
        [sys.executable, "-m", "pollwatch.cli.main", "demo", "--no-serve", "--db", str(db)],
        capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "POLLWATCH_DATA_DIR": str(tmp_path)},
        check=False, stdin=subprocess.DEVNULL,
    )
    # Without a terminal and without --force, an existing demo is kept, not silently replaced.
    assert again.returncode == 0 and "use --force to rebuild" in again.stderr
    assert "build_seconds" not in again.stdout
    assert dict(line.split(": ", 1) for line in again.stdout.splitlines())["stations"] == lines["stations"]
