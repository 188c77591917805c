"""``pollwatch results import`` as a user runs it, in a subprocess on its own SQLite file (so not a database test
of the suite: the PostgreSQL run skips it rather than repeat the same SQLite subprocess)."""

import pytest


@pytest.mark.slow
def test_results_import_cli_reads_any_layout_through_a_mapping(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "POLLWATCH_DATA_DIR": str(tmp_path)}
    db = str(tmp_path / "r.sqlite3")

    def pollwatch(*args):
        return subprocess.run([sys.executable, "-m", "pollwatch.cli.main", *args, "--db", db], env=env,
                              capture_output=True, text=True, check=False)

    assert pollwatch("election", "create", "--slug", "x", "--name", "X", "--country", "AM",
                     "--date", "2026-06-07").returncode == 0
    (tmp_path / "geo.csv").write_text("code,name,level,parent\nR,Region,region,\n")
    (tmp_path / "st.csv").write_text("code,unit,registered_voters\n11,R,900\n12,R,800\n")
    assert pollwatch("import", "geography", str(tmp_path / "geo.csv"), "--election", "x").returncode == 0
    assert pollwatch("import", "stations", str(tmp_path / "st.csv"), "--election", "x").returncode == 0
    (tmp_path / "m.toml").write_text(
        '[columns]\nstation_id = "PS"\nregistered = "Voters"\nvalid = "Valid"\ninvalid = "Invalid"\n'
        'candidates = { after = "Invalid" }\n'
    )
    (tmp_path / "official.csv").write_text("PS,Voters,Valid,Invalid,Alpha,Beta\n11,900,500,10,300,200\n12,800,400,0,100,300\n")
    imported = pollwatch("results", "import", str(tmp_path / "official.csv"), "--election", "x", "--mapping",
                         str(tmp_path / "m.toml"))
    assert imported.returncode == 0, imported.stderr
    assert "2 stations imported (2 new, 0 updated)" in imported.stdout
    exported = pollwatch("results", "export", "--election", "x", "--out", str(tmp_path / "out.csv"))
    assert exported.returncode == 0, exported.stderr
    # The ballot was taken from the file (in column order) and ballots = valid + invalid.
    assert (tmp_path / "out.csv").read_text().splitlines() == [
        "station_id,region,district,registered,issued,ballots,invalid,Alpha,Beta",
        "11,Region,Region,900,,510,10,300,200",
        "12,Region,Region,800,,400,0,100,300",
    ]
