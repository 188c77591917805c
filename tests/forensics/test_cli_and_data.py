"""``pollwatch forensics`` on files, the canonical loader and the column mapping, bad input included."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pollwatch.stats.forensics.suite import run_forensics
from pollwatch.stats.mapping import load_mapped_results, load_mapping
from pollwatch.stats.results import ResultsFormatError, load_results

FIXTURE = Path(__file__).parent / "fixtures" / "small_results.csv"
MAPPING = Path(__file__).parents[2] / "pollwatch" / "stats" / "data" / "russia_cec.toml"
SHARED_2018 = Path(__file__).parents[3] / "shared" / "data" / "russia-2018-president.csv.zip"


def pollwatch(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pollwatch.cli.main", *args], capture_output=True, text=True,
                          check=False, cwd=cwd)


def test_loader_reports_every_unusable_row_with_line_and_reason():
    table = load_results(FIXTURE)
    assert table.rows_read == 404 and len(table) == 402
    problems = {(p.station_id, p.column): (p.line, p.reason) for p in table.problems}
    assert problems[("BAD-1", "issued")] == (402, "not an integer: 'n/a'")
    duplicated = problems[("S000000", "station_id")]
    assert duplicated[0] == 403 and "first on line 2" in duplicated[1]


def test_suite_counts_and_explains_every_excluded_station():
    report = run_forensics(load_results(FIXTURE), n_resamples=200, rng=1).to_json()
    stations = report["stations"]
    assert stations["total"] == 404
    excluded = stations["excluded"]
    assert excluded["unreadable_rows"] == 2 and excluded["zero_ballots"] == 1
    assert excluded["turnout_over_100_percent"] == 1
    assert stations["analyzed"] == 402 - sum(v for k, v in excluded.items() if k != "unreadable_rows")
    assert report["leader"] == "Leader"
    # Drawn protocols at ~10 % of stations were injected into the fixture.
    assert report["integer_percentages"]["excess"] > 3 * report["integer_percentages"]["expected_sd"]
    assert all(np.isfinite(report[k]) for k in ("turnout", "leader_share", "turnout_share_correlation"))


def test_cli_writes_the_json_contract_and_is_deterministic_with_a_seed(tmp_path):
    outputs = []
    for name in ("a.json", "b.json"):
        run = pollwatch("forensics", str(FIXTURE), "--seed", "4", "--reps", "300", "--json", str(tmp_path / name))
        assert run.returncode == 0, run.stderr
        outputs.append(json.loads((tmp_path / name).read_text()))
    a, b = outputs
    assert a == b
    for key in ("stations", "leader", "turnout", "leader_share", "integer_percentages", "second_digit",
                "turnout_share_correlation", "klimek", "excess_votes"):
        assert key in a
    assert set(a["integer_percentages"]) >= {"observed", "expected_mean", "expected_sd", "excess", "p_value"}
    assert set(a["second_digit"]["leader"]) >= {"mean", "n", "chi2", "p_value"}
    assert set(a["klimek"]) >= {"f_incremental", "f_extreme", "alpha"}
    assert "integer percentages:" in run.stdout


def test_cli_html_report_embeds_plotly_and_loads_nothing_from_the_network(tmp_path):
    run = pollwatch("forensics", str(FIXTURE), "--seed", "1", "--reps", "50", "--html", str(tmp_path / "r.html"))
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "r.html").read_text()
    assert "Plotly" in page and "<h2>Fingerprint</h2>" in page and "Regions (sorted by" in page
    # plotly.js is inlined: no script or stylesheet is fetched from anywhere.
    assert "<script src=" not in page and '<link rel="stylesheet" href="http' not in page


def test_leader_can_be_chosen_and_an_unknown_one_is_a_clear_error(tmp_path):
    run = pollwatch("forensics", str(FIXTURE), "--leader", "Second", "--reps", "20", "--json", str(tmp_path / "s.json"))
    assert run.returncode == 0 and json.loads((tmp_path / "s.json").read_text())["leader"] == "Second"
    bad = pollwatch("forensics", str(FIXTURE), "--leader", "Nobody")
    assert bad.returncode == 2 and "no candidate 'Nobody'; candidates are: Leader, Second, Third" in bad.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"station_id,votes\n1,2\n", "missing required column"),
        (b"station_id,registered,ballots,invalid\n", "no station rows"),
        ("station_id,registered,ballots,invalid,A\nx,1\xe9\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_files_that_are_not_results_get_a_message_not_a_traceback(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    run = pollwatch("forensics", str(path))
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr


CEC_HEADER = ["region", "tik", "uik", "Число избирателей, включенных в список избирателей",
              "Число избирательных бюллетеней, выданных избирателям, проголосовавшим досрочно",
              "Число избирательных бюллетеней, выданных в помещении для голосования",
              "Число избирательных бюллетеней, выданных вне помещения для голосования",
              "Число недействительных избирательных бюллетеней", "Число действительных избирательных бюллетеней",
              "Иванов", "Петров", "url"]


def test_the_shipped_cec_mapping_reads_a_cec_file_from_a_zip(tmp_path):
    rows = [CEC_HEADER,
            ["Область", "ТИК 1", "1", "1000", "5", "590", "5", "10", "590", "400", "190", "http://x"],
            ["Область", "ТИК 1", "2", "", "", "", "", "", "", "", "", "http://y"],  # no data: skipped
            ["Область", "ТИК 2", "3", "800", "0", "398", "2", "8", "392", "300", "92", "http://z"]]
    csv_text = "\n".join(",".join(f'"{c}"' for c in row) for row in rows) + "\n"
    with zipfile.ZipFile(tmp_path / "cec.csv.zip", "w") as archive:
        archive.writestr("data.csv", csv_text)
    table = load_mapped_results(tmp_path / "cec.csv.zip", load_mapping(MAPPING))
    assert table.candidates == ("Иванов", "Петров")
    assert list(table.station_id) == ["Область|ТИК 1|1", "Область|ТИК 2|3"]
    assert list(table.issued) == [600, 400] and list(table.ballots) == [600, 400]
    assert list(table.district) == ["ТИК 1", "ТИК 2"]
    assert list(table.line) == [2, 4]  # the skipped empty row still counts in the file's line numbers


def test_a_mapping_naming_a_missing_column_says_which(tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\nstation_id = "id"\nregistered = "reg"\ninvalid = "inv"\nballots = "b"\n'
                       'candidates = ["A"]\n')
    data = tmp_path / "d.csv"
    data.write_text("id,reg,inv,b,B\n1,10,0,5,5\n")
    with pytest.raises(ResultsFormatError, match="no column named 'A'"):
        load_mapped_results(data, load_mapping(mapping))
    run = pollwatch("forensics", str(data), "--mapping", str(mapping))
    assert run.returncode == 2 and "no column named 'A'" in run.stderr


@pytest.mark.slow
def test_reproduces_kobak_et_al_on_the_2018_russian_presidential_election():
    if not SHARED_2018.exists():
        pytest.skip("../shared/data/russia-2018-president.csv.zip is not available")
    table = load_mapped_results(SHARED_2018, load_mapping(MAPPING))
    report = run_forensics(table, rng=1).to_json()
    assert report["stations"]["total"] == 97699
    ip = report["integer_percentages"]
    # Kobak, Shpilkin & Pshenichnikov's notebooks for 2018: excess 1,708.8 stations, Monte Carlo SD 116.5.
    # The observed count is exact; only the Monte Carlo mean differs (its own SD is ~116.5/√1000 ≈ 3.7).
    assert ip["excess"] == pytest.approx(1708.8, abs=25)
    assert ip["expected_sd"] == pytest.approx(116.5, rel=0.08)
    # Mean second digit of Putin's station counts ≥ 10: 4.017 (Benford: 4.187).
    assert report["second_digit"]["leader"]["mean"] == pytest.approx(4.017, abs=0.0005)
    assert report["leader"] == "Путин Владимир Владимирович"


def test_impossible_protocols_are_flagged_with_their_line_and_kept_as_published(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "station_id,region,district,registered,issued,ballots,invalid,A,B\n"
        "ok,R,D,1000,600,600,10,400,190\n"
        "over,R,D,500,520,520,0,400,120\n"  # more ballots than voters on the register
        "sum,R,D,1000,600,600,10,400,150\n"  # candidates add up to 550, valid is 590
    )
    table = load_results(path)
    assert len(table) == 3 and not table.problems  # nothing is dropped or corrected
    flags = {(p.station_id, p.column): p for p in table.check_protocols()}
    assert set(flags) == {("over", "issued"), ("over", "ballots"), ("sum", "candidates")}
    assert flags[("over", "issued")].line == 3 and "issued 520 > registered 500" in flags[("over", "issued")].reason
    assert flags[("sum", "candidates")].line == 4 and "sum 550 ≠ valid 590" in flags[("sum", "candidates")].reason
    report = run_forensics(table, n_resamples=20, rng=1).to_json()
    assert report["stations"]["flagged"] == {"ballots": 1, "candidates": 1, "issued": 1}
    assert report["stations"]["excluded"]["turnout_over_100_percent"] == 1
    assert [f["station_id"] for f in report["flags"]] == ["over", "over", "sum"]


def test_zero_registered_and_undefined_figures_are_reported_not_nan(tmp_path):
    # Two stations with fewer than 10 votes each: no second digit exists; one has nobody on the register.
    path = tmp_path / "tiny.csv"
    path.write_text("station_id,registered,ballots,invalid,A,B\n1,150,9,0,5,4\n2,0,8,0,6,2\n3,140,7,0,4,3\n")
    out = tmp_path / "tiny.json"
    run = pollwatch("forensics", str(path), "--reps", "20", "--seed", "1", "--json", str(out))
    assert run.returncode == 0, run.stderr
    assert "NaN" not in out.read_text()  # strict JSON: an undefined figure is null
    report = json.loads(out.read_text())
    assert report["stations"]["excluded"]["zero_registered"] == 1
    assert report["second_digit"]["leader"] == {"mean": None, "n": 0, "chi2": None, "p_value": None,
                                                "frequencies": [0] * 10}
    assert "mean n/a" in run.stdout


def test_regional_breakdown_points_at_the_region_with_drawn_protocols():
    from tests.forensics.synthetic import clean_election

    rng = np.random.default_rng(11)
    table = clean_election(14_000, rng)
    in_r3 = table.region == "R3"
    target = np.round(table.issued / table.registered * 100) / 100
    issued = np.where(in_r3 & (rng.random(len(table)) < 0.2),
                      np.round(target * table.registered).astype(np.int64), table.issued)
    drawn = type(table)(**{**table.__dict__, "issued": issued})
    regions = run_forensics(drawn, n_resamples=200, rng=2).regions
    assert regions[0].region == "R3"  # sorted by integer-percentage excess
    assert regions[0].integer_excess > 4 * np.sqrt(regions[0].integer_expected)
    assert all(abs(r.integer_excess) < 4 * np.sqrt(r.integer_expected) for r in regions[1:])


def test_an_xlsx_with_candidates_after_a_column_is_read_through_a_mapping(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Province", "Voters", "Valid", "Spoilt", "Alpha", "Beta", "Gamma"])
    sheet.append(["001", "North", 900, 500, 12, 300, 150, 50])
    sheet.append(["002", "North", 700, "x", 3, 200, 100, 90])  # a non-numeric cell: listed, not guessed
    sheet.append(["003", "South", 800, 400.0, 5, -1, 300, 101])  # a negative count: listed
    book.save(tmp_path / "results.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\nstation_id = "Code"\nregion = "Province"\nregistered = "Voters"\n'
                       'valid = "Valid"\ninvalid = "Spoilt"\ncandidates = { after = "Spoilt" }\n')
    table = load_mapped_results(tmp_path / "results.xlsx", load_mapping(mapping))
    assert table.candidates == ("Alpha", "Beta", "Gamma")
    assert list(table.station_id) == ["001"] and list(table.ballots) == [512] and table.issued is None
    assert [(p.line, p.station_id, p.reason) for p in table.problems] == [
        (3, "002", "not an integer: 'x'"), (4, "003", "negative count: -1")]
