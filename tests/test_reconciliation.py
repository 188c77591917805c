"""Observer-reported protocols against the official results: every station classed, votes moved counted."""

import numpy as np

from pollwatch.stats.reconciliation import reconcile
from pollwatch.stats.results import results_from_rows

HEADER = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid", "A", "B"]


def _tables(n=300, seed=1):
    rng = np.random.default_rng(seed)
    observed, official = [], []
    for i in range(n):
        reg = int(rng.integers(500, 2000))
        ballots = int(rng.binomial(reg, 0.55))
        invalid = int(rng.binomial(ballots, 0.02))
        a = int(rng.binomial(ballots - invalid, 0.5))
        row = [f"S{i}", f"R{i % 3}", "D", str(reg), str(ballots), str(ballots), str(invalid), str(a),
               str(ballots - invalid - a)]
        observed.append(row)
        off = list(row)
        if i % 50 == 1:  # altered: 120 votes moved from B to A
            off[7], off[8] = str(a + 120), str(ballots - invalid - a - 120)
        elif i % 50 == 2:  # a slip of one vote
            off[7], off[8] = str(a + 1), str(ballots - invalid - a - 1)
        elif i % 50 == 3:  # stuffed beyond the register
            off[4] = off[5] = str(reg + 50)
            off[7] = str(a + reg + 50 - ballots)
        official.append(off)
    return results_from_rows(HEADER, observed), results_from_rows(HEADER, official)


def test_altered_protocols_are_found_and_classed_and_the_moved_votes_are_counted():
    observed, official = _tables()
    result = reconcile(observed, official, rng=1)
    assert result.counts == {"exact": 282, "small": 6, "large": 6, "impossible": 6}
    large = {s.station_id for s in result.stations if s.status == "large"}
    assert large == {f"S{i}" for i in range(300) if i % 50 == 1}
    votes, low, high = result.changed_votes["A"]
    assert votes == 6 * 120 + 6 * 1 + sum(int(official.votes[i, 0] - observed.votes[i, 0])
                                          for i in range(300) if i % 50 == 3)
    assert low <= votes <= high and result.changed_votes["B"][0] == -(6 * 120 + 6)
    assert sum(result.by_region["R0"].values()) == 100
    assert result.as_dict()["counts"]["large"] == 6 and not result.unmatched


def test_an_observed_station_without_an_official_row_is_listed_not_dropped():
    observed, official = _tables(n=60)
    result = reconcile(observed, official.subset(np.arange(60) != 5), rng=1)
    assert result.unmatched == ("S5",) and sum(result.counts.values()) == 59
