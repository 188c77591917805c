"""Synthetic elections with a known amount of falsification, for the forensics tests."""

from __future__ import annotations

import numpy as np

from pollwatch.stats.results import ResultsTable


def clean_election(n: int, rng: np.random.Generator, *, candidates: int = 3) -> ResultsTable:
    """Honest stations: heterogeneous turnout and support, binomial counts."""
    registered = np.clip(np.rint(np.exp(rng.normal(6.9, 0.5, n))), 100, 3000).astype(np.int64)
    turnout = np.clip(rng.normal(0.55, 0.08, n), 0.05, 0.95)
    share = np.clip(rng.normal(0.55, 0.08, n), 0.05, 0.95)
    issued = rng.binomial(registered, turnout)
    ballots = issued
    invalid = rng.binomial(ballots, 0.01)
    valid = ballots - invalid
    leader = rng.binomial(ballots, share)
    leader = np.minimum(leader, valid)
    rest = valid - leader
    others = np.column_stack([rng.binomial(rest, 0.6), np.zeros(n, dtype=np.int64)])
    others[:, 1] = rest - others[:, 0]
    votes = np.column_stack([leader, others])[:, :candidates]
    return _table(registered, issued, ballots, invalid, votes, rng)


def with_drawn_protocols(table: ResultsTable, share_drawn: float, rng: np.random.Generator) -> ResultsTable:
    """Rewrite a share of the stations so that turnout lands on the nearest integer percentage."""
    issued = table.issued.copy() if table.issued is not None else table.ballots.copy()
    drawn = rng.random(len(table)) < share_drawn
    target = np.round(issued / table.registered * 100) / 100
    issued[drawn] = np.round(target[drawn] * table.registered[drawn]).astype(np.int64)
    return ResultsTable(
        station_id=table.station_id, region=table.region, district=table.district, registered=table.registered,
        ballots=table.ballots, invalid=table.invalid, votes=table.votes, candidates=table.candidates,
        issued=issued, rows_read=len(table),
    )


def _table(registered, issued, ballots, invalid, votes, rng) -> ResultsTable:
    n = len(registered)
    regions = np.array([f"R{i % 7}" for i in range(n)])
    return ResultsTable(
        station_id=np.array([f"S{i:06d}" for i in range(n)]), region=regions, district=regions,
        registered=registered, ballots=ballots, invalid=invalid, votes=votes,
        candidates=tuple(["Leader", "Second", "Third"][: votes.shape[1]]), issued=issued, rows_read=n,
    )
