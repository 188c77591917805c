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
    small_register: int
    turnout_over_100: int
    rate_above_99: int

    def as_dict(self) -> dict[str, int]:
        return {
            "zero_ballots": self.zero_ballots,
            "registered_below_100": self.small_register,
            "turnout_over_100_percent": self.turnout_over_100,
            "turnout_or_leader_share_above_99_percent": self.rate_above_99,
        }


def analysis_mask(table: ResultsTable, leader: int) -> tuple[BoolArray, Exclusions]:
    """Stations used by the rate-based tests: ballots > 0, registered ≥ 100, turnout and leader share ≤ 99 %."""
    turnout = safe_ratio(table.turnout_numerator, table.registered)
    share = safe_ratio(table.votes[:, leader], table.ballots)
    zero = table.ballots <= 0
    small = ~zero & (table.registered < MIN_REGISTERED)
    over = ~zero & ~small & (turnout > 1.0)
    high = ~zero & ~small & ~over & ((turnout > MAX_RATE) | (share > MAX_RATE))
    keep = ~(zero | small | over | high)
    return keep, Exclusions(int(zero.sum()), int(small.sum()), int(over.sum()), int(high.sum()))
