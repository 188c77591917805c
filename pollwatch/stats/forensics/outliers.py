"""Stations that stand out on their own: near-100 % rates and identical protocols."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

NEAR_FULL = 0.99  # a turnout or leader share at or above this is "near 100 %"
MIN_IDENTICAL_BALLOTS = 20  # tiny stations share protocols by chance


@dataclass(frozen=True)
class OutliersResult:
    """Row indexes (into the arrays given) of outlying stations."""

    near_full_turnout: tuple[int, ...]
    near_full_share: tuple[int, ...]
    identical_groups: tuple[tuple[int, ...], ...]  # stations whose whole protocol is identical

    @property
    def identical_stations(self) -> int:
        return sum(len(g) for g in self.identical_groups)


def find_outliers(
    registered: npt.ArrayLike,
    turnout_numerator: npt.ArrayLike,
    ballots: npt.ArrayLike,
    invalid: npt.ArrayLike,
    votes: npt.ArrayLike,
    leader: int,
) -> OutliersResult:
    """Stations with turnout or leader's share ≥ 99 %, and groups of stations with identical protocols.

    Two stations with ≥ 20 ballots reporting exactly the same registered voters, ballots, invalid ballots and
    votes for every candidate are unlikely by chance and are a classic sign of protocols copied or drawn up
    centrally (identical "twin" protocols). Near-100 % turnout with near-100 % for the leader is the signature
    of Klimek et al.'s extreme fraud — but also of small closed institutions (hospitals, military units), so
    each station needs a look, not a verdict.

    Examples
    --------
    >>> r = find_outliers([100, 500, 500], [100, 300, 300], [100, 300, 300], [0, 5, 5],
    ...                   [[99, 1], [200, 95], [200, 95]], leader=0)
    >>> r.near_full_turnout, r.near_full_share, r.identical_groups
    ((0,), (0,), ((1, 2),))
    """
    reg = np.asarray(registered, dtype=np.int64)
    num = np.asarray(turnout_numerator, dtype=np.int64)
    bal = np.asarray(ballots, dtype=np.int64)
    inv = np.asarray(invalid, dtype=np.int64)
    vts = np.asarray(votes, dtype=np.int64)
    if vts.ndim != 2 or not (len(reg) == len(num) == len(bal) == len(inv) == len(vts)):
        raise ValueError("votes must be a (stations, candidates) array matching the other arrays")
    turnout = np.divide(num, reg, out=np.zeros(len(reg)), where=reg > 0)
    share = np.divide(vts[:, leader], bal, out=np.zeros(len(reg)), where=bal > 0)
    full_turnout = tuple(int(i) for i in np.flatnonzero((turnout >= NEAR_FULL) & (bal > 0)))
    full_share = tuple(int(i) for i in np.flatnonzero((share >= NEAR_FULL) & (bal > 0)))
    protocol = np.column_stack([reg, bal, inv, vts])
    eligible = np.flatnonzero(bal >= MIN_IDENTICAL_BALLOTS)
    groups: list[tuple[int, ...]] = []
    if eligible.size:
        _, inverse, counts = np.unique(protocol[eligible], axis=0, return_inverse=True, return_counts=True)
        for g in np.flatnonzero(counts > 1):
            groups.append(tuple(int(i) for i in eligible[np.flatnonzero(inverse.ravel() == g)]))
    return OutliersResult(full_turnout, full_share, tuple(groups))
