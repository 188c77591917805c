"""The "comet" plot of Kobak, Shpilkin & Pshenichnikov: every station as a point of turnout × leader's share.

In a fair election the stations form one compact cloud (the comet's head). Ballot stuffing drags stations
towards 100 % turnout and 100 % share (the tail); protocols written to reach a round figure put stations on the
straight lines turnout = k % and share = k % (the "grid" of the 2011–2012 Russian elections).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from pollwatch.stats.forensics._common import BoolArray, FloatArray, IntArray
from pollwatch.stats.forensics.integer_peaks import TOLERANCE_POINTS, line_expectations

DENSITY_BINS = 100  # 1-percentage-point cells of the density summary
LINE_SIGMA = 4.0  # a line stands out when its count exceeds the expected by 4 Poisson SD (198 lines are looked at)
LINE_MIN = 10  # … and holds at least 10 stations


@dataclass(frozen=True)
class CometLine:
    """One integer-percentage line: stations on it and the count expected from its neighbourhood."""

    axis: str  # "turnout" or "share"
    percent: int
    stations: int  # stations within ±0.05 points of the line
    expected: float  # … under the binomial null of the integer-peaks test (each station keeps its size and rate)

    @property
    def z(self) -> float:
        """Excess over the expected count in Poisson standard deviations (0 when none is expected)."""
        return float((self.stations - self.expected) / np.sqrt(self.expected)) if self.expected > 0 else 0.0


@dataclass(frozen=True)
class CometResult:
    """Per-station points, the integer lines and a density summary of the turnout × share plane.

    ``turnout`` and ``share`` are fractions (one per station, in input order). ``lines`` holds every integer
    percentage 1–99 on each axis; ``prominent()`` those that stand out. ``density`` counts stations in 1-point
    cells (turnout along axis 0) over ``edges``; ``head`` is the (turnout, share) of the densest cell of the
    density smoothed over 5 × 5 points; ``tail_fraction`` the fraction of stations at least 10 points above the
    head on both axes (where stuffing drags them).
    """

    n: int
    turnout: FloatArray = field(repr=False)
    share: FloatArray = field(repr=False)
    on_integer: BoolArray = field(repr=False)  # turnout or share on an integer percentage
    lines: tuple[CometLine, ...] = field(repr=False)
    edges: FloatArray = field(repr=False)
    density: IntArray = field(repr=False)
    head: tuple[float, float]
    tail_fraction: float

    def prominent(self, sigma: float = LINE_SIGMA) -> list[CometLine]:
        """Lines with at least 10 stations whose count exceeds the expected by more than ``sigma`` Poisson SD.

        A description of the picture, not a test: the integer-peaks test is the test of these lines."""
        return [line for line in self.lines if line.z > sigma and line.stations >= LINE_MIN]

    def to_json(self) -> dict[str, Any]:
        return {
            "stations": self.n,
            "head": list(self.head),
            "tail_fraction": self.tail_fraction,
            "on_integer": int(self.on_integer.sum()),
            "prominent_lines": [{"axis": line.axis, "percent": line.percent, "stations": line.stations,
                                 "expected": line.expected, "z": line.z} for line in self.prominent()],
        }


def _comet_iv(turnout_numerator: npt.ArrayLike, registered: npt.ArrayLike, leader_votes: npt.ArrayLike,
              ballots: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    num, reg, lead, bal = (np.asarray(a, dtype=np.float64) for a in (turnout_numerator, registered, leader_votes,
                                                                     ballots))
    if not (num.shape == reg.shape == lead.shape == bal.shape) or num.ndim != 1:
        raise ValueError("turnout_numerator, registered, leader_votes and ballots must be 1-D and equally long")
    if np.any(reg <= 0) or np.any(bal <= 0):
        raise ValueError("filter the stations first: registered > 0 and ballots > 0")
    if np.any(num > reg) or np.any(lead > bal) or np.any(num < 0) or np.any(lead < 0):
        raise ValueError("turnout and the leader's share must lie between 0 and 100 %")
    return num / reg, lead / bal


def _window_count(percent: FloatArray, centres: FloatArray, tolerance: float) -> IntArray:
    """Stations within ±tolerance points of each centre (sorted search, no per-centre loop over stations)."""
    ordered = np.sort(percent)
    hi = np.searchsorted(ordered, centres + tolerance + 1e-9, side="right")
    lo = np.searchsorted(ordered, centres - tolerance - 1e-9, side="left")
    return (hi - lo).astype(np.int64)


def comet(turnout_numerator: npt.ArrayLike, registered: npt.ArrayLike, leader_votes: npt.ArrayLike,
          ballots: npt.ArrayLike, *, tolerance: float = TOLERANCE_POINTS, line_stations: npt.ArrayLike | None = None,
          line_expected: tuple[FloatArray, FloatArray] | None = None) -> CometResult:
    """The comet plot's data: station points, the integer-percentage lines and a density summary [1]_ [2]_.

    Turnout is ``turnout_numerator / registered``, the leader's share ``leader_votes / ballots`` (the
    convention of the integer-peaks test). For each integer k = 1…99 and each axis the stations within
    ±``tolerance`` points of k % are counted, against the count expected when each station's turnout numerator
    is Binomial(registered, its turnout) and its leader's votes Binomial(ballots, its share) — the null of the
    integer-peaks test, line by line, which knows that a station of 200 voters can only report even halves of a
    percent. Counts are of stations, not voters.

    Parameters
    ----------
    turnout_numerator, registered, leader_votes, ballots : array_like
        One value per station; filter first (registered > 0, ballots > 0).
    tolerance : float
        Half-width of a line in percentage points (0.05, as in the integer-peaks test).
    line_stations : array_like of bool, optional
        Count the lines over these stations only (the suite: the integer test's stations, ≤ 99 %).
    line_expected : (array, array), optional
        The expected count of each integer percentage 0–100 for turnout and share over ``line_stations``, when
        already computed (``IntegerPeaksResult.line_expected``); computed here otherwise.

    Returns
    -------
    CometResult

    References
    ----------
    .. [1] Kobak, D., Shpilkin, S. & Pshenichnikov, M. S. (2016). Integer percentages as electoral falsification
       fingerprints. Annals of Applied Statistics 10(1), 54–73.
    .. [2] Kobak, D., Shpilkin, S. & Pshenichnikov, M. S. (2016). Statistical fingerprints of electoral fraud?
       Significance 13(4), 20–23 (the "comet" scatter plots).

    Examples
    --------
    >>> r = comet([70, 55, 61], [100, 100, 100], [50, 30, 40], [70, 55, 61])
    >>> [(line.axis, line.percent, line.stations) for line in r.lines if line.stations][:2]
    [('turnout', 55, 1), ('turnout', 61, 1)]
    """
    turnout, share = _comet_iv(turnout_numerator, registered, leader_votes, ballots)
    n = int(turnout.size)
    ks = np.arange(1, 100, dtype=np.float64)
    lines: list[CometLine] = []
    on = np.zeros(n, dtype=bool)
    use = np.ones(n, dtype=bool) if line_stations is None else np.asarray(line_stations, dtype=bool)
    if use.shape != (n,):
        raise ValueError("line_stations must be one flag per station")
    sizes = (np.asarray(registered, dtype=np.float64)[use], np.asarray(ballots, dtype=np.float64)[use])
    for a, (axis, values, size) in enumerate((("turnout", turnout[use], sizes[0]), ("share", share[use], sizes[1]))):
        percent = values * 100.0
        at = _window_count(percent, ks, tolerance)
        expected = (line_expected[a] if line_expected is not None else line_expectations(size, values, tolerance))
        lines.extend(CometLine(axis, int(k), int(c), float(e))
                     for k, c, e in zip(ks, at, expected[1:100], strict=True))
    for values in (turnout, share):
        percent = values * 100.0
        on |= np.abs(percent - np.round(percent)) <= tolerance + 1e-9
    edges = np.linspace(0.0, 1.0, DENSITY_BINS + 1)
    i = np.clip((turnout * DENSITY_BINS).astype(np.int64), 0, DENSITY_BINS - 1)
    j = np.clip((share * DENSITY_BINS).astype(np.int64), 0, DENSITY_BINS - 1)
    density = np.bincount(i * DENSITY_BINS + j, minlength=DENSITY_BINS**2).reshape(DENSITY_BINS, DENSITY_BINS)
    head: tuple[float, float] = (float("nan"), float("nan"))
    tail = float("nan")
    if n:
        padded = np.pad(density.astype(np.float64), 2)
        smooth = np.zeros((DENSITY_BINS, DENSITY_BINS))
        for di in range(5):
            for dj in range(5):
                smooth += padded[di:di + DENSITY_BINS, dj:dj + DENSITY_BINS]
        hi, hj = np.unravel_index(int(np.argmax(smooth + 1e-3 * density)), smooth.shape)  # ties: the denser cell
        head = (float((hi + 0.5) / DENSITY_BINS), float((hj + 0.5) / DENSITY_BINS))
        tail = float(np.mean((turnout >= head[0] + 0.1) & (share >= head[1] + 0.1)))
    return CometResult(n, turnout, share, on, tuple(lines), edges, density.astype(np.int64), head, tail)
