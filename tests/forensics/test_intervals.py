"""Every forensic figure carries its interval; a region is flagged only when Holm's correction says so."""

import numpy as np
import pytest

from pollwatch.stats.forensics.intervals import correlation_interval, holm, integer_excess_interval
from pollwatch.stats.forensics.suite import run_forensics
from pollwatch.stats.results import results_from_rows


def _table(drawn_region: str | None, seed: int = 1, regions: int = 20, per_region: int = 400):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(regions):
        for k in range(per_region):
            reg = int(rng.integers(800, 2500))
            issued = rng.binomial(reg, np.clip(rng.normal(0.55, 0.08), 0.1, 0.95))
            if f"R{r}" == drawn_region and k % 4 == 0:  # a quarter of the region's protocols drawn to 70 %
                issued = round(0.70 * reg)
            leader = rng.binomial(issued, np.clip(rng.normal(0.5, 0.08), 0.05, 0.95))
            other = issued - leader
            b = other // 2
            rows.append([f"S{r}-{k}", f"R{r}", f"D{r}", str(reg), str(issued), str(issued), "0", str(leader),
                         str(b), str(other - b)])
    header = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid", "A", "B", "C"]
    return results_from_rows(header, iter(rows))


def test_holm_adjusts_step_down_and_ignores_undefined_p_values():
    adjusted = holm([0.01, 0.04, float("nan"), 0.03, 0.5])
    assert adjusted[0] == pytest.approx(0.04) and adjusted[1] == pytest.approx(0.09)
    assert adjusted[3] == pytest.approx(0.09) and adjusted[4] == pytest.approx(0.5) and np.isnan(adjusted[2])


def test_the_integer_excess_interval_is_the_null_spread_around_the_excess():
    estimate, p = integer_excess_interval(130, np.full(1000, 0.1))
    assert estimate.value == pytest.approx(30)
    assert estimate.low == pytest.approx(30 - 1.96 * np.sqrt(90), abs=0.01) and p < 0.01


def test_the_correlation_interval_covers_the_true_value_at_its_nominal_rate():
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(400):
        x = rng.normal(size=200)
        y = 0.5 * x + np.sqrt(1 - 0.25) * rng.normal(size=200)
        e = correlation_interval(x, y)
        hits += e.low <= 0.5 <= e.high
    assert 0.92 <= hits / 400 <= 0.98


def test_only_the_region_with_drawn_protocols_is_flagged_and_every_figure_has_an_interval():
    report = run_forensics(_table("R7"), rng=1)
    data = report.to_json()
    flagged = {r["region"]: r["flagged"] for r in data["regions"] if r["flagged"]}
    assert "integer_excess" in flagged.get("R7", [])
    assert all("integer_excess" not in tests for region, tests in flagged.items() if region != "R7")
    for block, key in (("integer_percentages", "excess_interval"), ("second_digit", "leader_mean_interval"),
                       ("last_digit", "chi2_interval"), ("excess_votes_detail", "interval")):
        low, high = data[block][key]
        assert low <= high
    low, high = data["turnout_share_correlation_interval"]
    assert low <= data["turnout_share_correlation"] <= high
    assert set(data["klimek"]["intervals"]) >= {"f_incremental", "f_extreme", "alpha"}
    r7 = next(r for r in data["regions"] if r["region"] == "R7")
    assert r7["integer_excess_interval"][0] > 0 and r7["integer_p_holm"] < 0.05
    for r in data["regions"]:
        assert len(r["excess_votes_interval"]) == 2 and len(r["turnout_share_correlation_interval"]) == 2


def test_a_clean_election_flags_no_region():
    data = run_forensics(_table(None, seed=2), rng=1).to_json()
    assert not [r for r in data["regions"] if "integer_excess" in r["flagged"]]
