"""Second-digit Benford, last digit, the Klimek fit and Shpilkin's excess votes on synthetic elections."""

import numpy as np
import pytest

from pollwatch.stats.forensics.excess_votes import excess_votes
from pollwatch.stats.forensics.klimek import _draws, _Params, klimek_fingerprint, simulate
from pollwatch.stats.forensics.last_digit import last_digit_test
from pollwatch.stats.forensics.outliers import find_outliers
from pollwatch.stats.forensics.second_digit import BENFORD_2BL_MEAN, second_digit_test


def test_benford_distributed_counts_pass_and_uniform_second_digits_fail():
    rng = np.random.default_rng(1)
    # Numbers spread log-uniformly over several orders of magnitude follow Benford's law.
    benford = np.floor(10 ** rng.uniform(1, 5, 20000)).astype(int)
    ok = second_digit_test(benford)
    assert ok.mean == pytest.approx(BENFORD_2BL_MEAN, abs=0.05) and ok.p_value > 0.001
    uniform = rng.integers(10, 100, 20000)  # two-digit numbers: second digit uniform, mean 4.5
    bad = second_digit_test(uniform)
    assert bad.mean == pytest.approx(4.5, abs=0.05) and bad.p_value < 1e-10


def test_counts_below_ten_are_left_out_of_the_second_digit_test():
    assert second_digit_test([1, 5, 9]).n == 0
    assert second_digit_test([1, 5, 12]).n == 1


def test_invented_numbers_fail_the_last_digit_test_and_honest_ones_pass():
    rng = np.random.default_rng(2)
    honest = rng.integers(10, 2000, 5000)
    assert last_digit_test(honest).p_value > 0.001
    invented = np.where(rng.random(5000) < 0.3, rng.integers(1, 200, 5000) * 10, honest)  # round numbers
    result = last_digit_test(invented)
    assert result.p_value < 1e-10 and result.zero_share > 0.3


def simulated(fi, fe, alpha, theta, seed):
    rng = np.random.default_rng(seed)
    reg = np.clip(np.rint(np.exp(rng.normal(7, 0.5, 50000))), 100, 3000)
    t, s = simulate(reg, _Params(0.55, 0.08, 0.6, 0.08, fi, fe, alpha, theta), _draws(len(reg), rng))
    issued = np.round(t * reg)
    return reg, issued, np.round(s * issued), issued


@pytest.mark.parametrize(("fi", "fe", "alpha", "theta"), [(0.2, 0.03, 1.0, 0.15), (0.3, 0.0, 0.5, 0.15),
                                                          (0.1, 0.01, 1.0, 0.25)])
def test_klimek_fit_recovers_known_fraud(fi, fe, alpha, theta):
    reg, issued, leader, ballots = simulated(fi, fe, alpha, theta, seed=5)
    result = klimek_fingerprint(reg, issued, leader, ballots, rng=2)
    # Stated tolerance (docs/forensics.md): ±0.06 for incremental, ±0.01 for extreme fraud at θ ≥ 0.15.
    assert result.f_incremental == pytest.approx(fi, abs=0.06)
    assert result.f_extreme == pytest.approx(fe, abs=0.01)


def test_klimek_fit_finds_no_fraud_in_a_clean_election():
    reg, issued, leader, ballots = simulated(0.0, 0.0, 1.0, 0.1, seed=6)
    result = klimek_fingerprint(reg, issued, leader, ballots, rng=2)
    assert result.f_incremental <= 0.05 and result.f_extreme <= 0.005
    assert result.observed.sum() == len(reg) == pytest.approx(result.model.sum())


def test_stuffing_raises_the_turnout_share_correlation():
    clean = klimek_fingerprint(*simulated(0.0, 0.0, 1.0, 0.15, seed=7), fit=False)
    stuffed = klimek_fingerprint(*simulated(0.3, 0.02, 1.0, 0.15, seed=7), fit=False)
    assert abs(clean.correlation) < 0.05 and stuffed.correlation > 0.3


def test_excess_votes_recovers_ballots_stuffed_above_the_peak():
    rng = np.random.default_rng(4)
    n = 20000
    reg = np.full(n, 1000)
    turnout = np.clip(rng.normal(0.5, 0.05, n), 0.2, 0.8)
    voters = rng.binomial(reg, turnout)
    leader = rng.binomial(voters, 0.6)
    others = voters - leader
    stuffed = np.where(rng.random(n) < 0.2, rng.integers(50, 300, n), 0)
    result = excess_votes(voters + stuffed, reg, leader + stuffed, others)
    # Stuffed stations all lie above the peak; the estimate counts them, minus the honest spread above it.
    assert result.excess_votes == pytest.approx(stuffed.sum(), rel=0.15)
    assert result.core_ratio == pytest.approx(1.5, rel=0.05)


def test_identical_protocols_are_grouped_and_small_stations_ignored():
    votes = [[300, 100], [300, 100], [5, 3], [5, 3], [301, 100]]
    r = find_outliers([800, 800, 20, 20, 800], [410, 410, 9, 9, 411], [410, 410, 9, 9, 411],
                      [10, 10, 1, 1, 10], votes, leader=0)
    assert r.identical_groups == ((0, 1),) and r.identical_stations == 2
