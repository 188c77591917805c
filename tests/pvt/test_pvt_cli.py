"""``pollwatch pvt`` end to end on CSV files, and the coverage of its intervals on simulated and real data."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pollwatch.stats.pvt.quick_count import validate_quick_count
from pollwatch.stats.results import load_results
from tests.pvt.synthetic import clustered_election

# 600 synthetic stations in 8 regions (tests/pvt/synthetic.py, seed 2026); S00010 has issued > registered and
# S00020 a leader with more votes than ballots: both must be left out and named, never estimated.
FIXTURE = Path(__file__).parent / "fixtures" / "results_small.csv"
SHARED_2018 = Path(__file__).parents[3] / "shared" / "data" / "russia-2018-president.csv.zip"
TO_CANONICAL = Path(__file__).parents[3] / "shared" / "checks" / "to_canonical.py"


def pollwatch(*args):
    return subprocess.run([sys.executable, "-m", "pollwatch.cli.main", "pvt", *args], capture_output=True,
                          text=True, check=False)


def write_frame(path, table):
    with path.open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["station_id", "registered", "region", "setting"])
        for i, sid in enumerate(table.station_id):
            w.writerow([sid, table.registered[i], table.region[i], "urban" if i % 3 else "rural"])


def test_sample_size_json_contract():
    run = pollwatch("sample-size", "--voters", "6400000", "--stations", "6500", "--margin", "0.005", "--deff",
                    "1.5", "--response-rate", "0.9", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    # n = 0.25/(0.005²/1.96² + 0.25/6.4e6) = 0.25/(6.50800e-6 + 3.90625e-8) = 38,185.4 → 38,186 voters;
    # stations = 38,186 / 984.6 × 1.5 / 0.9 = 64.6 → 65
    assert data["voters"] == 38186 and data["stations"] == 65


def test_sample_size_with_impossible_options_says_why_without_a_traceback():
    run = pollwatch("sample-size", "--voters", "1000", "--stations", "10", "--margin", "0.02",
                    "--response-rate", "0")
    assert run.returncode == 2 and "response_rate" in run.stderr and "Traceback" not in run.stderr


def test_draw_then_estimate_round_trip_covers_the_truth(tmp_path):
    population = load_results(FIXTURE)
    write_frame(tmp_path / "frame.csv", population)
    args = ("draw", str(tmp_path / "frame.csv"), "--size", "120", "--strata", "region", "--strata", "setting",
            "--seed", "5", "--reserve", "1")
    draw = pollwatch(*args, "--out", str(tmp_path / "sample.csv"))
    assert draw.returncode == 0, draw.stderr
    rows = list(csv.DictReader((tmp_path / "sample.csv").open()))
    main = [r for r in rows if r["reserve"] == "0"]
    assert len(main) == 120 and all(" × " in r["stratum"] for r in rows)
    again = pollwatch(*args, "--out", str(tmp_path / "again.csv"))
    assert again.returncode == 0 and (tmp_path / "again.csv").read_text() == (tmp_path / "sample.csv").read_text()
    chosen = {r["station_id"] for r in main} | {"S00010", "S00020"}  # plus the two impossible stations
    lines = FIXTURE.read_text().splitlines()
    (tmp_path / "reported.csv").write_text("\n".join([lines[0]] + [ln for ln in lines[1:] if ln.split(",")[0] in chosen]))
    run = pollwatch("estimate", str(tmp_path / "frame.csv"), str(tmp_path / "reported.csv"), "--strata", "region",
                    "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert {e["station_id"] for e in data["excluded"]} == {"S00010", "S00020"}
    assert "S00010" in run.stderr and "issued 1462 > registered 1422" in run.stderr
    assert data["stations_reported"] == len(chosen - {"S00010", "S00020"})
    usable = population.subset(~np.isin(population.station_id, ["S00010", "S00020"]))
    truth = usable.votes.sum(axis=0) / usable.votes.sum()
    for k, name in enumerate(population.candidates):
        c = data["candidates"][name]
        assert c["ci_low"] == pytest.approx(c["estimate"] - c["moe"]) and c["moe"] > 0
        assert abs(c["estimate"] - truth[k]) < 3 * c["moe"]  # 3 SE-ish: a seeded sample, not a coverage test
    t = data["turnout"]
    assert abs(t["estimate"] - usable.issued.sum() / usable.registered.sum()) < 3 * t["moe"]


def test_estimate_reports_stations_outside_the_frame_clearly(tmp_path):
    population = load_results(FIXTURE)
    write_frame(tmp_path / "frame.csv", population.subset(np.arange(len(population)) < 100))
    run = pollwatch("estimate", str(tmp_path / "frame.csv"), str(FIXTURE))
    assert run.returncode == 2 and "not in the frame" in run.stderr and "Traceback" not in run.stderr


def test_estimate_from_an_empty_results_file_is_a_clear_error(tmp_path):
    population = load_results(FIXTURE)
    write_frame(tmp_path / "frame.csv", population)
    (tmp_path / "reported.csv").write_text(FIXTURE.read_text().splitlines()[0] + "\n")
    run = pollwatch("estimate", str(tmp_path / "frame.csv"), str(tmp_path / "reported.csv"), "--json")
    assert run.returncode == 2 and "no station rows" in run.stderr and run.stdout == ""


def test_negative_counts_are_named_and_left_out(tmp_path):
    population = load_results(FIXTURE)
    write_frame(tmp_path / "frame.csv", population)
    lines = FIXTURE.read_text().splitlines()
    bad = lines[3].split(",")
    bad[-1] = "-4"
    (tmp_path / "reported.csv").write_text("\n".join([lines[0], lines[1], lines[2], ",".join(bad), *lines[4:10]]))
    run = pollwatch("estimate", str(tmp_path / "frame.csv"), str(tmp_path / "reported.csv"), "--json")
    assert run.returncode == 0, run.stderr
    assert "line 4 (S00002)" in run.stderr and "negative" in run.stderr
    assert json.loads(run.stdout)["stations_reported"] == 8  # S00000–S00008 without S00002


def test_validate_json_contract_and_determinism():
    args = ("validate", str(FIXTURE), "--size", "80", "--reps", "50", "--seed", "3", "--strata", "region", "--json")
    first, second = pollwatch(*args), pollwatch(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["reps"] == 50 and data["size"] == 80
    assert set(data["turnout"]) >= {"coverage", "bias", "mean_moe"}
    assert set(data["candidates"]) == {"Leader", "Second", "Third", "Minor"}
    # The population is the stations an estimate would use: the two impossible ones are out, and said so.
    assert data["population_stations"] == 598
    assert {e["station_id"] for e in data["population_excluded"]} == {"S00010", "S00020"}


def test_validate_with_a_sample_larger_than_the_population_is_refused():
    run = pollwatch("validate", str(FIXTURE), "--size", "5000", "--reps", "10", "--seed", "1")
    assert run.returncode == 2 and "size must be between 2 and" in run.stderr and "Traceback" not in run.stderr


def test_intervals_cover_at_their_nominal_rate_on_a_simulated_election():
    population = clustered_election(20000, np.random.default_rng(8))
    result = validate_quick_count(population, size=800, reps=400, strata="region", rng=1)
    # 400 repetitions: a 95 % interval's coverage is 95 % ± 2 × 1.1 points (binomial SD √(.95·.05/400)).
    # The Minor candidate (1 % of the vote) is left out: its normal interval is approximate (docs/pvt.md).
    for c in [result.turnout, *(result.candidates[n] for n in ("Leader", "Second", "Third"))]:
        assert 0.92 <= c.coverage <= 0.98
        assert abs(c.bias) < c.mean_moe / 5


def test_stratifying_by_region_narrows_the_intervals_when_support_is_regional():
    population = clustered_election(20000, np.random.default_rng(9))
    srs = validate_quick_count(population, size=800, reps=200, design="srs", rng=1)
    stratified = validate_quick_count(population, size=800, reps=200, strata="region", rng=1)
    assert srs.strata is None and 0.91 <= srs.candidates["Leader"].coverage <= 0.99
    # Regional support explains much of the station-to-station variation, so stratification must help.
    assert stratified.candidates["Leader"].mean_moe < 0.9 * srs.candidates["Leader"].mean_moe
    assert stratified.turnout.mean_moe < 0.9 * srs.turnout.mean_moe


@pytest.mark.slow
def test_coverage_on_the_2018_russian_election_meets_the_target(tmp_path):
    if not SHARED_2018.exists() or not TO_CANONICAL.exists():
        pytest.skip("../shared/data/russia-2018-president.csv.zip is not available")
    # The same conversion as ../shared/checks/check_2018.sh (issued = early + in station + outside).
    subprocess.run([sys.executable, str(TO_CANONICAL), str(SHARED_2018), str(tmp_path / "2018.csv")], check=True,
                   capture_output=True)
    population = load_results(tmp_path / "2018.csv")
    result = validate_quick_count(population, size=1500, reps=500, strata="region", rng=3)
    # Issue 6's target: 1,500 stations stratified by region, 500 repetitions → 93–97 % for leader and turnout.
    assert result.population_stations == 97699
    assert 0.93 <= result.candidates["Путин Владимир Владимирович"].coverage <= 0.97
    assert 0.93 <= result.turnout.coverage <= 0.97


def test_validate_merges_a_one_station_region_and_says_so(tmp_path):
    lines = FIXTURE.read_text().splitlines()
    lonely = lines[5].split(",")
    lonely[1] = "Island"  # S00004 becomes the only station of its region
    (tmp_path / "results.csv").write_text("\n".join([*lines[:5], ",".join(lonely), *lines[6:]]))
    run = pollwatch("validate", str(tmp_path / "results.csv"), "--size", "60", "--reps", "20", "--seed", "1",
                    "--strata", "region", "--json")
    assert run.returncode == 0, run.stderr
    assert "Island" in run.stderr and "merged" in run.stderr
    assert any("Island" in w for w in json.loads(run.stdout)["warnings"])
