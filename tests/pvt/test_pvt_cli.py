"""``pollwatch pvt`` end to end on CSV files, and the coverage of its intervals on real and simulated data."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pollwatch.stats.pvt.quick_count import validate_quick_count
from pollwatch.stats.results import load_results
from tests.forensics.synthetic import clean_election

FIXTURE = Path(__file__).parents[1] / "forensics" / "fixtures" / "small_results.csv"
SHARED_2018 = Path(__file__).parents[3] / "shared" / "data" / "russia-2018-president.csv.zip"


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


def test_draw_then_estimate_round_trip_covers_the_truth(tmp_path):
    population = load_results(FIXTURE)
    write_frame(tmp_path / "frame.csv", population)
    draw = pollwatch("draw", str(tmp_path / "frame.csv"), "--size", "120", "--strata", "region", "--strata",
                     "setting", "--seed", "5", "--reserve", "1", "--out", str(tmp_path / "sample.csv"))
    assert draw.returncode == 0, draw.stderr
    rows = list(csv.DictReader((tmp_path / "sample.csv").open()))
    main = [r for r in rows if r["reserve"] == "0"]
    assert len(main) == 120 and all(" × " in r["stratum"] for r in rows)
    again = pollwatch("draw", str(tmp_path / "frame.csv"), "--size", "120", "--strata", "region", "--strata",
                      "setting", "--seed", "5", "--reserve", "1", "--out", str(tmp_path / "again.csv"))
    assert again.returncode == 0 and (tmp_path / "again.csv").read_text() == (tmp_path / "sample.csv").read_text()
    chosen = {r["station_id"] for r in main}
    lines = FIXTURE.read_text().splitlines()
    (tmp_path / "reported.csv").write_text("\n".join([lines[0]] + [line for line in lines[1:] if line.split(",")[0] in chosen]))
    run = pollwatch("estimate", str(tmp_path / "frame.csv"), str(tmp_path / "reported.csv"), "--strata", "region",
                    "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    # The fixture's impossible stations (turnout > 100 %, zero registered) are excluded and listed, not used.
    assert data["stations_reported"] + len(data["excluded"]) == 120
    assert all(e["reason"] for e in data["excluded"])
    truth = population.votes.sum(axis=0) / population.votes.sum()
    for k, name in enumerate(population.candidates):
        c = data["candidates"][name]
        assert set(c) >= {"estimate", "moe", "ci_low", "ci_high"}
        assert c["ci_low"] <= truth[k] <= c["ci_high"] or abs(c["estimate"] - truth[k]) < 2 * c["moe"]
    assert set(data["turnout"]) >= {"estimate", "moe", "ci_low", "ci_high"}


def test_estimate_reports_stations_outside_the_frame_clearly(tmp_path):
    population = load_results(FIXTURE)
    write_frame(tmp_path / "frame.csv", population.subset(np.arange(len(population)) < 100))
    run = pollwatch("estimate", str(tmp_path / "frame.csv"), str(FIXTURE))
    assert run.returncode == 2 and "not in the frame" in run.stderr and "Traceback" not in run.stderr


def test_validate_json_contract_and_determinism():
    args = ("validate", str(FIXTURE), "--size", "80", "--reps", "50", "--seed", "3", "--strata", "region", "--json")
    first, second = pollwatch(*args), pollwatch(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["reps"] == 50 and data["size"] == 80
    assert set(data["turnout"]) >= {"coverage", "bias", "mean_moe"}
    assert set(data["candidates"]) == {"Leader", "Second", "Third"}


def test_intervals_cover_at_their_nominal_rate_on_a_simulated_election():
    population = clean_election(20000, np.random.default_rng(8))
    result = validate_quick_count(population, size=800, reps=400, strata="region", rng=1)
    # 400 repetitions: the coverage of a 95 % interval should be 95 % ± 2 × 1.1 points.
    for c in [result.turnout, *result.candidates.values()]:
        assert 0.92 <= c.coverage <= 0.98
        assert abs(c.bias) < c.mean_moe / 5


def test_srs_design_is_available_and_wider_than_stratified_on_clustered_data():
    population = clean_election(20000, np.random.default_rng(9))
    srs = validate_quick_count(population, size=800, reps=100, design="srs", rng=1)
    assert srs.strata is None and 0.88 <= srs.candidates["Leader"].coverage <= 1.0


@pytest.mark.slow
def test_coverage_on_the_2018_russian_election_meets_the_target():
    if not SHARED_2018.exists():
        pytest.skip("../shared/data/russia-2018-president.csv.zip is not available")
    from pollwatch.stats.mapping import load_mapped_results, load_mapping

    mapping = Path(__file__).parents[2] / "pollwatch" / "stats" / "data" / "russia_cec.toml"
    population = load_mapped_results(SHARED_2018, load_mapping(mapping))
    result = validate_quick_count(population, size=1500, reps=500, strata="region", rng=3)
    # Issue 6's target: 1,500 stations stratified by region, 500 repetitions → 93–97 % for leader and turnout.
    assert 0.93 <= result.candidates["Путин Владимир Владимирович"].coverage <= 0.97
    assert 0.93 <= result.turnout.coverage <= 0.97
