"""Integer-percentage peaks (Kobak, Shpilkin & Pshenichnikov 2016)."""

import numpy as np
import pytest
from scipy import stats

from pollwatch.stats.forensics.integer_peaks import _lattice_hit_probability, integer_peaks
from tests.forensics.synthetic import clean_election, with_drawn_protocols


def test_lattice_probability_matches_brute_force_binomial_sums():
    for n, p in [(100, 0.5), (137, 0.61), (1500, 0.733), (2999, 0.42), (250, 0.02)]:
        k = np.arange(n + 1)
        on = np.abs(100 * k / n - np.round(100 * k / n)) <= 0.05 + 1e-9
        brute = stats.binom.pmf(k[on], n, p).sum()
        assert _lattice_hit_probability(np.array([n]), np.array([p]), 0.05)[0] == pytest.approx(brute, abs=1e-9)


def test_a_station_of_100_voters_is_always_on_an_integer_percentage():
    # k/100 is an integer percentage for every k: the null must know it, or small stations fake an excess.
    assert _lattice_hit_probability(np.array([100]), np.array([0.37]), 0.05)[0] == pytest.approx(1.0)


def test_false_positive_rate_on_clean_elections_is_at_the_nominal_level():
    rng = np.random.default_rng(11)
    p_values = []
    for k in range(100):
        t = clean_election(2000, rng)
        result = integer_peaks(t.issued, t.registered, t.votes[:, 0], t.ballots, n_resamples=200, rng=k)
        p_values.append(result.p_value)
    rate = np.mean(np.array(p_values) < 0.05)
    # 100 clean elections: the share rejected at 5 % should be 5 % (binomial SD 2.2 points).
    assert 0.01 <= rate <= 0.11


def test_drawn_protocols_at_five_percent_of_stations_are_detected():
    rng = np.random.default_rng(3)
    clean = clean_election(3000, rng)
    t = with_drawn_protocols(clean, 0.05, rng)
    result = integer_peaks(t.issued, t.registered, t.votes[:, 0], t.ballots, n_resamples=500, rng=1)
    before = integer_peaks(clean.issued, clean.registered, clean.votes[:, 0], clean.ballots, n_resamples=10, rng=1)
    moved = int((result.on_integer & ~before.on_integer).sum())  # the falsification the test should find
    assert moved > 60
    assert result.excess == pytest.approx(moved, abs=3 * result.expected_sd)
    assert result.p_value < 0.01 and result.z > 3


def test_same_seed_same_result_and_on_integer_flags_follow_the_data():
    t = clean_election(500, np.random.default_rng(5))
    a = integer_peaks(t.issued, t.registered, t.votes[:, 0], t.ballots, n_resamples=100, rng=7)
    b = integer_peaks(t.issued, t.registered, t.votes[:, 0], t.ballots, n_resamples=100, rng=7)
    assert a.expected_mean == b.expected_mean and a.expected_sd == b.expected_sd
    turnout = t.issued / t.registered * 100
    share = t.votes[:, 0] / t.ballots * 100
    expected = (np.abs(turnout - np.round(turnout)) <= 0.05) | (np.abs(share - np.round(share)) <= 0.05)
    assert np.array_equal(a.on_integer, expected)
    assert a.observed == expected.sum()


def test_one_station_is_enough_to_run():
    r = integer_peaks([500], [1000], [250], [500], n_resamples=50, rng=1)
    assert r.observed == 1 and 0 < r.expected_mean <= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([], [], [], []), "no stations"),
        (([5], [10], [3], [0]), "ballots > 0"),
        (([11], [10], [3], [5]), "turnout above 100"),
        (([5], [10], [-1], [5]), "non-negative"),
        (([5, 6], [10], [3], [5]), "equally long"),
    ],
)
def test_bad_input_is_refused_with_a_message(args, message):
    with pytest.raises(ValueError, match=message):
        integer_peaks(*args, n_resamples=10)
