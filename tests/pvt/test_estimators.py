"""The quick-count estimators on small examples worked out by hand, and their edge cases."""

import numpy as np
import pytest

from pollwatch.stats.pvt.estimate import collapse_strata, ratio_estimates
from pollwatch.stats.pvt.frame import Frame
from pollwatch.stats.pvt.quick_count import estimate_quick_count
from pollwatch.stats.pvt.sample_size import sample_size
from pollwatch.stats.results import results_from_rows

Z95 = 1.959963984540054
HEADER = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid", "A", "B"]


def frame(n, strata=None):
    ids = np.array([f"S{i}" for i in range(n)])
    attrs = {"region": np.array(strata)} if strata is not None else {}
    return Frame(ids, np.full(n, 200, dtype=np.int64), attrs)


def reported(rows):
    # rows: (station, registered, issued, votes A, votes B); ballots = valid (no invalid)
    return results_from_rows(HEADER, [[s, "", "", str(r), str(i), str(a + b), "0", str(a), str(b)]
                                      for s, r, i, a, b in rows])


def test_srs_estimate_matches_apollos_formula_worked_by_hand():
    # Four of ten stations reported. Candidate A's votes a = 30, 50, 20, 40; valid votes m = 100, 100, 50, 100.
    # p = Σa/Σm = 140/350 = 0.4; f = 4/10; m̄ = 87.5
    # Σa² = 5,400; Σam = 13,000; Σm² = 32,500 → Σa² − 2pΣam + p²Σm² = 5,400 − 10,400 + 5,200 = 200
    # Var = (1 − f)/(k·m̄²) · 200/(k − 1) = 0.6/(4·7,656.25) · 66.667 = 0.0013061 → SE 0.036140
    result = estimate_quick_count(frame(10), reported([("S0", 200, 150, 30, 70), ("S1", 200, 120, 50, 50),
                                                       ("S2", 200, 60, 20, 30), ("S3", 200, 110, 40, 60)]),
                                  design="srs")
    a = result.candidates["A"]
    assert a.estimate == pytest.approx(0.4)
    assert a.se == pytest.approx(0.0361403, rel=1e-5)
    assert a.moe == pytest.approx(Z95 * 0.0361403, rel=1e-5)
    assert (a.ci_low, a.ci_high) == pytest.approx((0.4 - a.moe, 0.4 + a.moe))
    assert result.candidates["B"].estimate == pytest.approx(0.6)
    assert result.candidates["B"].se == pytest.approx(a.se)  # two candidates: same residuals, opposite sign
    # Turnout = Σ issued / Σ registered = 440/800.
    assert result.turnout.estimate == pytest.approx(0.55)
    assert result.stations_reported == 4


def test_stratified_combined_ratio_estimate_worked_by_hand():
    # Stratum 1: N = 4, sample (a, m) = (10, 20), (30, 40); stratum 2: N = 6, sample (20, 50), (10, 50).
    # Â = 4·20 + 6·15 = 170; M̂ = 4·30 + 6·50 = 420; p = 170/420 = 0.404762
    # d = a − p·m: stratum 1: 1.904762, 13.809524 → s² = 70.861678; stratum 2: −0.238095, −10.238095 → s² = 50
    # V = [4²·(1 − 2/4)·70.861678/2 + 6²·(1 − 2/6)·50/2] / 420² = (283.4467 + 600)/176,400 = 0.0050082
    y = np.array([[[10.0], [30.0], [20.0], [10.0]]])
    m = np.array([[[20.0], [40.0], [50.0], [50.0]]])
    est, se = ratio_estimates(y, m, np.array([0, 2]), np.array([4.0, 6.0]), method="combined")
    assert est[0, 0] == pytest.approx(0.4047619, rel=1e-6)
    assert se[0, 0] == pytest.approx(np.sqrt(0.0050082), rel=1e-4)


def test_stratified_separate_ratio_estimate_worked_by_hand():
    # Same data, separate estimator with known denominators X_1 = 120, X_2 = 300 (W = 2/7, 5/7):
    # R_1 = 40/60 = 0.666667, R_2 = 30/100 = 0.3 → p = 2/7·0.666667 + 5/7·0.3 = 0.404762
    # d_1 = 10 − 13.3333, 30 − 26.6667 → s² = 22.2222; d_2 = 20 − 15, 10 − 15 → s² = 50
    # V = (2/7)²·0.5·22.2222/(2·30²) + (5/7)²·(2/3)·50/(2·50²) = 0.00050391 + 0.00340136 = 0.00390527
    y = np.array([[[10.0], [30.0], [20.0], [10.0]]])
    m = np.array([[[20.0], [40.0], [50.0], [50.0]]])
    est, se = ratio_estimates(y, m, np.array([0, 2]), np.array([4.0, 6.0]), method="separate",
                              known_denominators=np.array([120.0, 300.0]))
    assert est[0, 0] == pytest.approx(0.4047619, rel=1e-6)
    assert se[0, 0] == pytest.approx(np.sqrt(0.00390527), rel=1e-4)


def test_a_stratum_with_one_reporting_station_is_merged_with_a_warning():
    strata = ["north"] * 4 + ["south"] * 4 + ["west"] * 2
    rows = [("S0", 200, 100, 30, 70), ("S1", 200, 110, 50, 50), ("S4", 200, 90, 20, 30),
            ("S5", 200, 100, 40, 60), ("S8", 200, 120, 60, 40)]  # west has only S8
    result = estimate_quick_count(frame(10, strata), reported(rows), strata="region")
    assert any("fewer than two reporting stations" in w and "west" in w for w in result.warnings)
    assert result.reported_by_stratum == {"north": 2, "south + west": 3}
    assert np.isfinite(result.candidates["A"].se) and result.candidates["A"].se > 0


def test_stations_not_in_the_frame_are_an_error_naming_them():
    with pytest.raises(ValueError, match="not in the frame: S99"):
        estimate_quick_count(frame(5), reported([("S0", 200, 100, 30, 70), ("S99", 200, 100, 30, 70)]))


def test_impossible_numbers_are_excluded_and_listed_not_estimated():
    rows = [("S0", 200, 100, 30, 70), ("S1", 200, 110, 50, 50), ("S2", 200, 250, 20, 30),  # issued > registered
            ("S3", 200, 100, 40, 60)]
    result = estimate_quick_count(frame(10), reported(rows), design="srs")
    assert [p.station_id for p in result.excluded] == ["S2"]
    assert "issued 250 > registered 200" in result.excluded[0].reason
    assert result.stations_reported == 3
    assert result.candidates["A"].estimate == pytest.approx(120 / 300)


def test_empty_or_single_station_input_is_refused():
    with pytest.raises(ValueError, match="fewer than two"):
        estimate_quick_count(frame(5), reported([("S0", 200, 100, 30, 70)]))


def test_collapsing_merges_empty_strata_too():
    labels, merges = collapse_strata(["a", "b", "b", "c", "c"], [False, True, True, True, True])
    assert labels.tolist() == ["a + b", "a + b", "a + b", "c", "c"] and merges == ["a + b"]


def test_handbook_sample_size_in_voters_and_stations():
    # N = 1,000,000 voters in 2,000 stations, E = 2 points, 95 %: n = 0.25/(0.0004/3.8415 + 0.25e-6) = 2,395.2
    r = sample_size(1_000_000, 2_000, 0.02)
    assert r.voters == 2396
    # stations = 2,396 / 500 × 1.5 / 0.8 = 8.985 → 9
    assert sample_size(1_000_000, 2_000, 0.02, deff=1.5, response_rate=0.8).stations == 9
    with pytest.raises(ValueError, match="margin"):
        sample_size(1000, 10, 0)


def test_separate_estimator_for_shares_without_known_totals_is_the_combined_one():
    # Σ_h (N_h x̄_h / X̂) R̂_h = Σ_h N_h ȳ_h / X̂: with estimated weights the two estimators coincide, and so
    # must their standard errors (the separate formula would understate it).
    rng = np.random.default_rng(4)
    y = rng.integers(10, 60, (1, 12, 1)).astype(float)
    m = y + rng.integers(20, 80, (1, 12, 1))
    starts, big_n = np.array([0, 5]), np.array([40.0, 70.0])
    combined = ratio_estimates(y, m, starts, big_n, method="combined")
    separate = ratio_estimates(y, m, starts, big_n, method="separate")
    assert np.allclose(combined, separate)


def test_separate_estimator_on_small_strata_warns_about_its_bias():
    strata = ["north"] * 5 + ["south"] * 5
    rows = [("S0", 200, 100, 30, 70), ("S1", 200, 110, 50, 50), ("S5", 200, 90, 20, 30), ("S6", 200, 100, 40, 60)]
    result = estimate_quick_count(frame(10, strata), reported(rows), strata="region", method="separate")
    assert any("separate ratio estimator" in w and "combined" in w for w in result.warnings)
    combined = estimate_quick_count(frame(10, strata), reported(rows), strata="region")
    assert not combined.warnings


def test_reported_stations_without_any_votes_are_an_error_not_a_zero_share():
    with pytest.raises(ValueError, match="no votes for any candidate"):
        estimate_quick_count(frame(5), reported([("S0", 200, 0, 0, 0), ("S1", 200, 0, 0, 0)]))


def test_without_an_issued_column_turnout_is_ballots_over_registered():
    # Ballots 100 + 130 + 70 = 300 (valid 90 + 120 + 70, invalid 10 + 10 + 0) over 3 × 200 registered = 0.5.
    header = ["station_id", "registered", "ballots", "invalid", "A", "B"]
    rows = [["S0", "200", "100", "10", "30", "60"], ["S1", "200", "130", "10", "60", "60"],
            ["S2", "200", "70", "0", "35", "35"]]
    result = estimate_quick_count(frame(5), results_from_rows(header, rows), design="srs")
    assert result.turnout.estimate == pytest.approx(0.5)
    assert result.candidates["A"].estimate == pytest.approx(125 / 280)  # shares are of valid votes
