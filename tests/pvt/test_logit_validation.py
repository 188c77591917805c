"""``pvt validate`` checks the logit interval next to the normal one: on simulated elections, with a take-all
stratum for giant units, and on the real 2018 Russian presidential election (skipped without ../shared)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pollwatch.stats.pvt.estimate import RatioEstimate
from pollwatch.stats.pvt.quick_count import logit_intervals, validate_quick_count
from pollwatch.stats.results import ResultsTable, load_results

ROOT = Path(__file__).resolve().parents[2]
# ../shared next to the project (the main checkout); a worktree elsewhere names it in POLLWATCH_SHARED_DIR.
SHARED = Path(os.environ.get("POLLWATCH_SHARED_DIR", ROOT.parent / "shared"))
SHARED_2018 = SHARED / "data" / "russia-2018-president.csv.zip"
TO_CANONICAL = SHARED / "checks" / "to_canonical.py"


def election(n=3000, *, giants=0, seed=5):
    """``n`` stations in 6 regions; a 0.4 % candidate C whose votes sit in a tenth of the stations; ``giants``
    remote-voting units of 60,000 voters with 95 % turnout and their own vote."""
    rng = np.random.default_rng(seed)
    reg = rng.integers(400, 2000, n)
    turnout = np.clip(rng.normal(0.55, 0.08, n), 0.2, 0.95)
    if giants:
        reg[:giants] = 60_000
        turnout[:giants] = 0.95
    issued = rng.binomial(reg, turnout)
    c_share = np.where(rng.random(n) < 0.1, 0.04, 0.0)
    c = rng.binomial(issued, c_share)
    a = rng.binomial(issued - c, np.where(np.arange(n) < giants, 0.3, 0.6))
    b = issued - c - a
    return ResultsTable(np.array([f"S{i}" for i in range(n)]), np.array([f"R{i % 6}" for i in range(n)]),
                        np.full(n, "d"), reg, issued, np.zeros(n, int), np.column_stack([a, b, c]), ("A", "B", "C"),
                        issued=issued)


def test_the_array_logit_interval_is_the_estimates_own():
    low, high = logit_intervals([0.004, 0.3, 0.0], [0.0015, 0.02, 0.001], 1.96)
    for k, (p, se) in enumerate([(0.004, 0.0015), (0.3, 0.02), (0.0, 0.001)]):
        expected = RatioEstimate(p, se, 1.96 * se).logit_interval
        assert low[k] == pytest.approx(expected[0]) and high[k] == pytest.approx(expected[1])
    assert low[0] > 0 and low[2] == 0.0  # never below zero, even at an estimate of 0


def test_validate_reports_the_coverage_of_both_intervals_and_where_they_miss():
    v = validate_quick_count(election(), size=150, reps=300, strata="region", rng=2)
    c = v.candidates["C"]
    assert 0 < c.truth < 0.01
    assert 0.8 <= c.logit_coverage <= 1 and 0.8 <= c.coverage <= 1
    # The estimate of a small, concentrated share is skewed right: its misses are mostly intervals below the truth,
    # and the logit interval, asymmetric upwards, misses below less often than estimate ± moe.
    assert c.below > (1 - c.coverage) / 2 and c.logit_below <= c.below
    data = v.as_dict()["candidates"]["C"]
    assert {"coverage", "logit_coverage", "below", "logit_below"} <= data.keys()


def test_giant_units_break_the_intervals_unless_every_sample_takes_them():
    population = election(giants=4)
    without = validate_quick_count(population, size=150, reps=300, strata="region", rng=2)
    taken = validate_quick_count(population, size=150, reps=300, strata="region", rng=2, take_all_above=50_000)
    assert without.turnout.coverage < 0.85 and without.candidates["A"].coverage < 0.85
    assert taken.turnout.coverage >= 0.9 and taken.candidates["A"].coverage >= 0.9
    assert any("take-all" in w for w in taken.warnings)
    with pytest.raises(ValueError, match="needs at least two"):
        validate_quick_count(election(giants=1), size=150, reps=10, rng=2, take_all_above=50_000)
    with pytest.raises(ValueError, match="exceed the 4 take-all stations"):
        validate_quick_count(population, size=5, reps=10, rng=2, take_all_above=50_000)


def test_the_cli_prints_both_coverages(tmp_path):
    path = tmp_path / "results.csv"
    t = election(n=400)
    with path.open("w") as handle:
        handle.write("station_id,region,district,registered,issued,ballots,invalid,A,B,C\n")
        for i in range(len(t)):
            handle.write(f"{t.station_id[i]},{t.region[i]},d,{t.registered[i]},{t.issued[i]},{t.ballots[i]},0,"
                         + ",".join(str(v) for v in t.votes[i]) + "\n")
    run = subprocess.run([sys.executable, "-m", "pollwatch.cli.main", "pvt", "validate", str(path), "--size", "60",
                          "--reps", "50", "--seed", "1", "--strata", "region"], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert "logit cov." in run.stdout and run.stdout.count("%") > 10
    as_json = subprocess.run([sys.executable, "-m", "pollwatch.cli.main", "pvt", "validate", str(path), "--size", "60",
                              "--reps", "50", "--seed", "1", "--json"], capture_output=True, text=True, check=False)
    assert 0 <= json.loads(as_json.stdout)["candidates"]["C"]["logit_coverage"] <= 1


@pytest.mark.slow
def test_on_the_2018_russian_election_the_logit_interval_covers_the_small_candidates(tmp_path):
    if not SHARED_2018.exists() or not TO_CANONICAL.exists():
        pytest.skip("../shared/data/russia-2018-president.csv.zip is not available")
    subprocess.run([sys.executable, str(TO_CANONICAL), str(SHARED_2018), str(tmp_path / "2018.csv")], check=True,
                   capture_output=True)
    v = validate_quick_count(load_results(tmp_path / "2018.csv"), size=1500, reps=500, strata="region", rng=3)
    small = {name: c for name, c in v.candidates.items() if c.truth < 0.01}
    assert len(small) == 3  # Baburin, Suraykin, Titov (docs/pvt.md)
    # docs/pvt.md: Baburin 93.2 % · 93.0 %, Suraykin 89.4 % · 89.8 %, Titov 94.8 % · 94.8 % (normal · logit).
    assert small["Бабурин Сергей Николаевич"].logit_coverage == pytest.approx(0.930, abs=0.005)
    assert small["Сурайкин Максим Александрович"].logit_coverage == pytest.approx(0.898, abs=0.005)
    assert all(c.logit_coverage >= 0.88 for c in small.values())
