"""``pollwatch import ...`` as a user runs it: exit codes and messages."""

import subprocess
import sys

import pytest


def pollwatch(*args, db, cwd):
    return subprocess.run(
        [sys.executable, "-m", "pollwatch.cli.main", *args, "--db", str(db)],
        capture_output=True, text=True, cwd=cwd, env={"PATH": "/usr/bin:/bin", "POLLWATCH_DATA_DIR": str(cwd)},
        check=False,
    )


@pytest.mark.slow
def test_import_cli_reports_errors_with_row_numbers_and_exits_non_zero(tmp_path):
    db = tmp_path / "cli.sqlite3"
    created = pollwatch("election", "create", "--slug", "ge-2024", "--name", "Georgia 2024", "--country", "GE",
                        "--date", "2024-10-26", "--kind", "parliamentary", db=db, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    (tmp_path / "geo.csv").write_text("code,name,level,parent\nGE,Georgia,country,\nTB,Tbilisi,region,GE\n")
    ok = pollwatch("import", "geography", str(tmp_path / "geo.csv"), "--election", "ge-2024", db=db, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "2 rows; 2 were created" in ok.stdout
    (tmp_path / "st.csv").write_text("code,unit,registered_voters\n1,TB,900\n2,XX,-1\n")
    bad = pollwatch("import", "stations", str(tmp_path / "st.csv"), "--election", "ge-2024", db=db, cwd=tmp_path)
    assert bad.returncode == 1
    assert "nothing was imported" in bad.stderr
    assert "row 3, column 'registered_voters': must not be negative" in bad.stderr
    assert "Traceback" not in bad.stderr
    unknown = pollwatch("import", "stations", str(tmp_path / "st.csv"), "--election", "nope", db=db, cwd=tmp_path)
    assert unknown.returncode == 2 and "no election 'nope' (known: ge-2024)" in unknown.stderr
