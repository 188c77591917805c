"""Helpers shared by the forensic tests: the rates, the analysis filter, the random generator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pollwatch.stats.results import ResultsTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
RandomLike = np.random.Generator | int | None

# Inclusion criteria of Kobak, Shpilkin & Pshenichnikov (2016) for rate-based tests.
MIN_REGISTERED = 100
MAX_RATE = 0.99


def as_generator(rng: RandomLike) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def safe_ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """numerator / denominator, 0 where the denominator is 0 (those stations are excluded by the filters)."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


@dataclass(frozen=True)
class Exclusions:
    """Why stations were left out of the rate-based tests (a station is counted under its first reason)."""

    zero_ballots: int
    zero_registered: int
    small_register: int
    turnout_over_100: int
    leader_over_ballots: int
    rate_above_99: int

    def as_dict(self) -> dict[str, int]:
        return {
            "zero_ballots": self.zero_ballots,
            "zero_registered": self.zero_registered,
            "registered_below_100": self.small_register,
            "turnout_over_100_percent": self.turnout_over_100,
            "leader_votes_over_ballots": self.leader_over_ballots,
            "turnout_or_leader_share_above_99_percent": self.rate_above_99,
        }


def analysis_mask(table: ResultsTable, leader: int) -> tuple[BoolArray, Exclusions]:
    """Stations used by the rate-based tests: ballots > 0, registered ≥ 100, turnout and leader share ≤ 99 %.

    Each left-out station is counted under the first reason that applies, in the order of :class:`Exclusions`.
    """
    turnout = safe_ratio(table.turnout_numerator, table.registered)
    share = safe_ratio(table.votes[:, leader], table.ballots)
    zero = table.ballots <= 0
    no_register = ~zero & (table.registered <= 0)
    small = ~zero & ~no_register & (table.registered < MIN_REGISTERED)
    rest = ~(zero | no_register | small)
    over = rest & (turnout > 1.0)
    rest &= ~over
    impossible_share = rest & (share > 1.0)
    rest &= ~impossible_share
    high = rest & ((turnout > MAX_RATE) | (share > MAX_RATE))
    keep = rest & ~high
    return keep, Exclusions(int(zero.sum()), int(no_register.sum()), int(small.sum()), int(over.sum()),
                            int(impossible_share.sum()), int(high.sum()))
