"""Per-station fraud probabilities (simplified eforensics mixture, Mebane 2016) on labelled synthetic elections."""

import numpy as np
import pytest
from scipy.stats import rankdata

from pollwatch.stats.forensics.klimek import KlimekParams, generate_labelled_election
from pollwatch.stats.forensics.mixture import fraud_probabilities


def _auc(score, label):
    """Probability that a falsified station scores above a fair one (Mann–Whitney)."""
    ranks = rankdata(score)
    n1, n0 = label.sum(), (~label).sum()
    return (ranks[label].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def _election(truth, n, seed):
    rng = np.random.default_rng(seed)
    registered = np.clip(np.rint(np.exp(rng.normal(7, 0.5, n))), 100, 3000)
    voters, leader, ballots, kind = generate_labelled_election(registered, truth, rng)
    return (registered, voters, leader, ballots), kind


def test_falsified_stations_get_high_posteriors_and_fair_ones_low():
    # f_i = 0.2, f_e = 0.05, α = 1, σₓ = 0.15; the mixture fitted from the stations themselves
    truth = KlimekParams(0.55, 0.07, 0.55, 0.07, 0.2, 0.05, 1.0, 0.15)
    data, kind = _election(truth, 20_000, 1)
    result = fraud_probabilities(*data)
    assert _auc(result.p_fraud, kind > 0) >= 0.8
    assert _auc(result.p_extreme, kind == 2) >= 0.99  # extreme fraud sits alone near 100 % / 100 %
    assert result.p_fraud[kind == 0].mean() < 0.15 < 0.5 < result.p_fraud[kind > 0].mean()
    # the posteriors add up to the fitted numbers of falsified stations
    assert result.expected_incremental == pytest.approx(0.2 * 20_000, rel=0.15)
    assert result.expected_extreme == pytest.approx(0.05 * 20_000, rel=0.05)
    top = result.top(50)
    assert np.all(kind[top] > 0) and np.all(np.diff(result.p_fraud[top]) <= 0)


def test_a_clean_election_gives_every_station_a_low_posterior():
    truth = KlimekParams(0.55, 0.07, 0.55, 0.07)
    data, _ = _election(truth, 20_000, 2)
    result = fraud_probabilities(*data)
    assert result.p_fraud.max() < 0.05


def test_given_parameters_are_used_as_they_are_and_bad_input_is_refused():
    truth = KlimekParams(0.55, 0.07, 0.55, 0.07, 0.3, 0.0, 1.0, 0.2)
    data, kind = _election(truth, 2_000, 3)
    result = fraud_probabilities(*data, fit=truth)
    assert result.params == truth and np.all(result.p_extreme == 0)
    assert result.to_json(k=3)["top"][0].keys() == {"station", "p_incremental", "p_extreme"}
    with pytest.raises(ValueError, match="equally long"):
        fraud_probabilities([100], [50, 60], [1], [1])
    with pytest.raises(ValueError, match="filter the stations first"):
        fraud_probabilities([100], [50], [10], [0])
