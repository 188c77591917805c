"""How many stations a quick count needs (the NDI handbook's calculation)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class SampleSizeResult:
    voters: int  # the formula's sample, in voters, rounded up
    stations: int  # voters ÷ mean station size × design effect ÷ response rate, rounded up
    z: float
    mean_station_size: float
    margin: float
    confidence: float
    p: float
    deff: float
    response_rate: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "voters": self.voters, "stations": self.stations, "z": self.z,
            "mean_station_size": self.mean_station_size, "margin": self.margin, "confidence": self.confidence,
            "p": self.p, "deff": self.deff, "response_rate": self.response_rate,
        }


def sample_size(
    voters: int,
    stations: int,
    margin: float,
    *,
    confidence: float = 0.95,
    p: float = 0.5,
    deff: float = 1.0,
    response_rate: float = 1.0,
) -> SampleSizeResult:
    """Sample size of a quick count, in voters and in stations.

    n = P(1 − P) / (E²/Z² + P(1 − P)/N), with N the registered voters, E the margin of error (a fraction),
    Z the two-sided normal quantile of ``confidence`` and P the expected share (0.5 is the most demanding).
    Stations = n ÷ (N / number of stations) × design effect ÷ expected response rate, rounded up: the design
    effect inflates for clustering of voters in stations, the response rate for sample stations that will not
    report in time [1]_.

    References
    ----------
    .. [1] Estok, M., Nevitte, N. & Cowan, G. (2002). *The Quick Count and Election Observation*. NDI, ch. 5
       ("Statistical Principles and Quick Counts").

    Examples
    --------
    >>> r = sample_size(6_400_000, 6_500, 0.01)
    >>> r.voters, r.stations
    (9590, 10)
    """
    if voters <= 0 or stations <= 0:
        raise ValueError("voters and stations must be positive")
    if stations > voters:
        raise ValueError("there cannot be more stations than registered voters")
    if not 0 < margin < 1:
        raise ValueError("margin must be a fraction between 0 and 1, e.g. 0.01 for ±1 point")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.95")
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    if deff < 1:
        raise ValueError("the design effect is at least 1")
    if not 0 < response_rate <= 1:
        raise ValueError("response_rate must be in (0, 1]")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    n = p * (1 - p) / (margin**2 / z**2 + p * (1 - p) / voters)
    n_voters = math.ceil(n - 1e-9)
    mean_size = voters / stations
    n_stations = math.ceil(n_voters / mean_size * deff / response_rate - 1e-9)
    return SampleSizeResult(n_voters, n_stations, z, mean_size, margin, confidence, p, deff,
                            response_rate)
