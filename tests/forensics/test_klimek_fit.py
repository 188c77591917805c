"""The Klimek et al. (2012) fit recovers the fraud of elections drawn from the paper's own model.

40,000 stations each, the fair part drawn at random per election (``synthetic_election``); tolerances are the
issue's: |Δf_i| ≤ 0.05, |Δf_e| ≤ 0.01. The full grid (bias, RMSE, coverage) is in docs/forensics.md.
"""

import numpy as np
import pytest

from pollwatch.stats.forensics.klimek import KlimekParams, generate_election, klimek_fingerprint
from pollwatch.stats.forensics.klimek_validate import synthetic_election


@pytest.mark.parametrize(("fi", "fe", "alpha", "theta", "seed"), [
    (0.0, 0.05, 1.0, 0.15, 11),   # extreme fraud only: the old fit reported f_i ≈ 0.05
    (0.25, 0.0, 2.0, 0.15, 13),   # α = 2, f_i ≥ 0.25: the first fit underestimated f_i by 0.05–0.11
    (0.4, 0.05, 2.0, 0.15, 15),
    # α = 2 cells of the validation grid (docs/forensics.md, seed 4242 + cell): the old quadrature missed here
    (0.5, 0.05, 2.0, 0.15, 4251),
    (0.5, 0.0, 2.0, 0.15, 4252),
    (0.25, 0.1, 2.0, 0.15, 4244),
    (0.1, 0.1, 2.0, 0.15, 4250),
    (0.5, 0.1, 0.5, 0.15, 16),
    (0.1, 0.01, 1.0, 0.25, 17),
])
def test_the_fit_recovers_incremental_and_extreme_fraud_at_40000_stations(fi, fe, alpha, theta, seed):
    result = klimek_fingerprint(*synthetic_election(fi, fe, alpha, theta, 40_000, np.random.default_rng(seed)))
    assert abs(result.f_incremental - fi) <= 0.05
    assert abs(result.f_extreme - fe) <= 0.01
    low, high = result.intervals["f_incremental"].low, result.intervals["f_incremental"].high
    assert low <= result.f_incremental <= high and result.interval_method == "wald"


def test_a_clean_election_fits_no_fraud_and_the_model_fits_it():
    result = klimek_fingerprint(*synthetic_election(0.0, 0.0, 1.0, 0.15, 40_000, np.random.default_rng(18)))
    assert result.f_incremental <= 0.02 and result.f_extreme <= 0.002
    assert 0.8 < result.gof_rmse < 1.2  # Pearson residuals of a fitting model have unit scale
    assert result.model.sum() == pytest.approx(40_000)


def test_alpha_is_continuous_and_recovered_when_fraud_is_large():
    result = klimek_fingerprint(*synthetic_election(0.5, 0.05, 1.4, 0.25, 40_000, np.random.default_rng(19)))
    assert result.alpha == pytest.approx(1.4, abs=0.25)
    assert result.theta == pytest.approx(0.25, abs=0.05)


def test_the_parametric_bootstrap_gives_intervals_and_a_goodness_of_fit_p_value():
    rng = np.random.default_rng(20)
    registered = np.clip(np.rint(np.exp(rng.normal(7, 0.5, 5000))), 100, 3000)
    truth = KlimekParams(0.55, 0.08, 0.6, 0.08, 0.3, 0.05, 1.0, 0.2)
    result = klimek_fingerprint(registered, *generate_election(registered, truth, rng), n_bootstrap=4, rng=3)
    assert result.interval_method == "bootstrap" and result.n_bootstrap == 4
    for name in ("f_incremental", "f_extreme", "alpha"):
        interval = result.intervals[name]
        assert interval.low <= interval.high
    assert 0 < result.gof_p <= 1
    data = result.to_json()
    assert set(data["intervals"]) >= {"f_incremental", "f_extreme", "alpha", "theta"}
    assert data["goodness_of_fit"]["deviance"] > 0


def test_generate_election_returns_consistent_integer_counts():
    rng = np.random.default_rng(21)
    registered = np.full(1000, 1500)
    voters, leader, ballots = generate_election(registered, KlimekParams(0.5, 0.1, 0.5, 0.1, 0.3, 0.1, 1, 0.2), rng)
    assert voters.dtype.kind == "i" and np.all(leader <= ballots) and np.all(voters <= registered)
    assert 0.05 < np.mean(voters > 0.9 * registered) < 0.2  # extreme fraud (10 %) nearly fills its stations
