"""Kobak, Shpilkin & Pshenichnikov's comet plot: points, integer lines that stand out, the head of the comet."""

import numpy as np
import pytest

from pollwatch.stats.forensics.comet import comet
from tests.forensics.synthetic import clean_election, with_drawn_protocols


def _comet(table):
    return comet(table.issued, table.registered, table.votes[:, 0], table.ballots)


def test_a_clean_election_is_one_head_with_no_integer_lines():
    result = _comet(clean_election(30_000, np.random.default_rng(1)))
    assert result.n == 30_000 and result.turnout.shape == result.share.shape == (30_000,)
    # the simulated cloud is centred at 55 % turnout and 55 % share (synthetic.clean_election)
    assert result.head[0] == pytest.approx(0.55, abs=0.03) and result.head[1] == pytest.approx(0.55, abs=0.03)
    # 198 lines tested at 3 SD: a clean election may show one by chance, not a grid
    assert len(result.prominent()) <= 2
    assert result.density.sum() == 30_000 and result.density.shape == (100, 100)


def test_drawn_protocols_show_up_as_turnout_lines_near_the_head():
    rng = np.random.default_rng(2)
    table = with_drawn_protocols(clean_election(30_000, rng), 0.05, rng)
    result = _comet(table)
    turnout_lines = {line.percent for line in result.prominent() if line.axis == "turnout"}
    # 5 % of 30,000 stations moved to the nearest integer turnout: the lines stand out around the head (55 %)
    assert len(turnout_lines & set(range(45, 66))) >= 8
    assert not [line for line in result.prominent() if line.axis == "share"]
    assert result.on_integer.sum() > 1500


def test_ballot_stuffing_makes_a_tail_towards_the_top_right():
    rng = np.random.default_rng(3)
    table = clean_election(20_000, rng)
    clean_tail = _comet(table).tail_fraction
    stuffed = rng.random(len(table)) < 0.3  # 30 % of stations stuffed with up to 70 % of their non-voters
    issued, lead = table.issued.copy(), table.votes[:, 0].copy()
    extra = np.round(rng.uniform(0, 0.7, len(table)) * (table.registered - issued)).astype(np.int64) * stuffed
    result = comet(issued + extra, table.registered, lead + extra, table.ballots + extra)
    assert result.head[0] == pytest.approx(0.55, abs=0.04)  # the head stays where the fair stations are
    assert clean_tail < 0.02 and result.tail_fraction > 0.1


def test_one_station_and_bad_input():
    one = comet([70], [100], [35], [70])
    assert one.n == 1 and one.head == pytest.approx((0.705, 0.505))
    assert [(line.axis, line.percent) for line in one.lines if line.stations] == [("turnout", 70), ("share", 50)]
    with pytest.raises(ValueError, match="equally long"):
        comet([1, 2], [100], [1], [1])
    with pytest.raises(ValueError, match="filter the stations first"):
        comet([0], [0], [0], [1])
    with pytest.raises(ValueError, match="between 0 and 100"):
        comet([120], [100], [1], [120])
