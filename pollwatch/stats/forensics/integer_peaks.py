"""Integer-percentage peaks (Kobak, Shpilkin & Pshenichnikov 2016)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from pollwatch.stats.forensics._common import BoolArray, FloatArray, IntArray, RandomLike, as_generator

TOLERANCE_POINTS = 0.05  # a rate is "integer" within ±0.05 percentage points
DEFAULT_RESAMPLES = 1000


@dataclass(frozen=True)
class IntegerPeaksResult:
    """Stations on integer percentages, observed and under the binomial null.

    Attributes
    ----------
    observed : int
        Stations whose turnout or leader's share is an integer percentage (± ``TOLERANCE_POINTS``).
    expected_mean, expected_sd : float
        Mean and standard deviation of the same count over the Monte Carlo draws of the null.
    p_value : float
        One-sided: the share of null draws with a count ≥ ``observed`` (with the usual +1 correction).
    on_integer : numpy.ndarray of bool
        Which of the input stations are on an integer value.
    hit_probability : numpy.ndarray of float
        Each station's probability of landing on an integer value under the null (sums to ``expected``).
    line_expected : tuple of two numpy.ndarray of float
        Expected stations within the window of each integer percentage 0–100 under the null, for turnout and
        for the leader's share (the per-line view the comet plot draws).
    """

    observed: int
    expected_mean: float
    expected_sd: float
    p_value: float
    n_resamples: int
    on_integer: BoolArray
    hit_probability: FloatArray
    line_expected: tuple[FloatArray, FloatArray] = (np.zeros(101), np.zeros(101))

    @property
    def excess(self) -> float:
        """Observed minus expected: stations on integer values beyond chance."""
        return self.observed - self.expected_mean

    @property
    def z(self) -> float:
        return self.excess / self.expected_sd if self.expected_sd > 0 else float("inf")


def is_integer_percentage(rate: npt.ArrayLike, tolerance: float = TOLERANCE_POINTS) -> BoolArray:
    """Whether each rate (a fraction 0–1) is within ``tolerance`` percentage points of an integer percentage.

    >>> is_integer_percentage([0.70, 0.7004, 0.7006, 0.123]).tolist()
    [True, True, False, False]
    """
    percent = np.asarray(rate, dtype=np.float64) * 100.0
    return np.abs(percent - np.round(percent)) <= tolerance + 1e-9


def _lattice_hit_probability(n: IntArray | FloatArray, p: FloatArray, tolerance: float) -> FloatArray:
    """P(k/n is within ``tolerance`` points of an integer percentage) for k ~ Binomial(n, p), per station."""
    return _lattice_hits(n, p, tolerance)[0]


def line_expectations(n: IntArray | FloatArray, p: FloatArray, tolerance: float = TOLERANCE_POINTS) -> FloatArray:
    """Expected number of stations within ``tolerance`` points of each integer percentage 0–100 (101 values)
    when each station's count is Binomial(n, p): the lattice-exact null of the integer-peaks test, per line."""
    return _lattice_hits(n, p, tolerance)[1]


def _lattice_hits(n: IntArray | FloatArray, p: FloatArray, tolerance: float) -> tuple[FloatArray, FloatArray]:
    """Per station, P(k/n is within ``tolerance`` points of an integer percentage) for k ~ Binomial(n, p); and
    per integer percentage 0–100, the sum of those probabilities over the stations.

    Sums the binomial probability of each count k inside an integer window [j − tol, j + tol] % for the
    integers j within ±7 standard deviations of the mean. A window holds at most ⌈2·tol·n/100⌉ + 1 counts, so
    the work is (stations × windows × counts-per-window) log-pmf evaluations; stations are grouped by their
    number of windows so that it stays vectorised.
    """
    n = np.asarray(n, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    out = np.zeros(len(n))
    lines = np.zeros(101)
    log_n_factorial = special.gammaln(n + 1)
    sd_points = 100.0 * np.sqrt(p * (1 - p) / np.maximum(n, 1))
    half_width = np.ceil(7 * sd_points).astype(np.int64) + 1
    centre = np.round(100 * p).astype(np.int64)
    per_window = np.ceil(2 * tolerance * n / 100.0).astype(np.int64) + 1
    for width in np.unique(half_width):
        idx = np.flatnonzero(half_width == width)
        nn = n[idx, None, None]
        pp = p[idx, None, None]
        j = (centre[idx, None] + np.arange(-width, width + 1)[None, :])[:, :, None]
        k_lo = np.maximum(np.ceil(nn * (j - tolerance) / 100.0 - 1e-9), 0)
        k_hi = np.minimum(np.floor(nn * (j + tolerance) / 100.0 + 1e-9), nn)
        k = k_lo + np.arange(int(per_window[idx].max()))[None, None, :]
        inside = (k <= k_hi) & (j >= 0) & (j <= 100)
        k = np.where(inside, k, 0)
        log_pmf = (
            log_n_factorial[idx, None, None]
            - special.gammaln(k + 1)
            - special.gammaln(nn - k + 1)
            + special.xlogy(k, pp)
            + special.xlog1py(nn - k, -pp)
        )
        in_window = np.where(inside, np.exp(log_pmf), 0.0).sum(axis=2)  # stations × windows
        out[idx] = in_window.sum(axis=1)
        lines += np.bincount(np.clip(j[:, :, 0], 0, 100).ravel(), weights=in_window.ravel(), minlength=101)
    return np.clip(out, 0.0, 1.0), lines


def integer_peaks(
    turnout_numerator: npt.ArrayLike,
    registered: npt.ArrayLike,
    leader_votes: npt.ArrayLike,
    ballots: npt.ArrayLike,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    tolerance: float = TOLERANCE_POINTS,
    rng: RandomLike = None,
) -> IntegerPeaksResult:
    """Count stations whose turnout or leader's share is an integer percentage, against a binomial null.

    Falsified protocols are often written to reach a round target, so the distribution of turnout and of the
    leader's share shows spikes at integer percentages [1]_. This counts the stations on an integer value
    (turnout = ``turnout_numerator / registered``, share = ``leader_votes / ballots``, each within
    ± ``tolerance`` percentage points of an integer) and compares the count with a null in which every station
    keeps its size and its observed rates: turnout numerator ~ Binomial(registered, observed turnout) and leader
    votes ~ Binomial(ballots, observed share), independently.

    Parameters
    ----------
    turnout_numerator, registered, leader_votes, ballots : array_like of int
        Per station. Filter the stations first (the authors use ballots > 0, registered ≥ 100, turnout ≤ 99 %,
        leader share ≤ 99 %; :func:`~pollwatch.stats.forensics._common.analysis_mask` applies them).
    n_resamples : int
        Monte Carlo draws of the null count (default 1,000, as in [1]_).
    tolerance : float
        Half-width of the integer window in percentage points (default 0.05).
    rng : numpy.random.Generator, int or None
        Seed or generator; the same seed gives the same result.

    Returns
    -------
    IntegerPeaksResult

    Notes
    -----
    The null is evaluated exactly per station: each station's probability of landing on an integer value is the
    binomial probability mass inside the integer windows (the lattice k/n matters for small stations: at
    n = 100 every count is an integer percentage), computed for turnout and share and combined as
    1 − (1 − p_turnout)(1 − p_share). The Monte Carlo then draws the count as a sum of independent Bernoulli
    variables with these probabilities — the same distribution as drawing every station's binomials, at a
    fraction of the cost (``bench/forensics.py`` measures both).

    References
    ----------
    .. [1] Kobak, D., Shpilkin, S. & Pshenichnikov, M. S. (2016). Integer percentages as electoral falsification
       fingerprints. The Annals of Applied Statistics 10(1), 54–73.

    Examples
    --------
    >>> r = integer_peaks([500, 610], [1000, 1000], [300, 200], [500, 610], n_resamples=200, rng=1)
    >>> r.observed, r.on_integer.tolist()
    (2, [True, True])
    """
    num, reg, lead, bal = _integer_peaks_iv(turnout_numerator, registered, leader_votes, ballots, n_resamples)
    turnout = num / reg
    share = lead / bal
    on_integer = is_integer_percentage(turnout, tolerance) | is_integer_percentage(share, tolerance)
    p_turnout, lines_turnout = _lattice_hits(reg, turnout, tolerance)
    p_share, lines_share = _lattice_hits(bal, share, tolerance)
    hit = 1.0 - (1.0 - p_turnout) * (1.0 - p_share)
    generator = as_generator(rng)
    counts = np.empty(n_resamples, dtype=np.int64)
    chunk = max(1, min(n_resamples, 4_000_000 // max(len(hit), 1)))
    hit32 = hit.astype(np.float32)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        draws = generator.random((stop - start, len(hit)), dtype=np.float32) < hit32
        counts[start:stop] = draws.sum(axis=1)
    observed = int(on_integer.sum())
    return IntegerPeaksResult(
        observed=observed,
        expected_mean=float(counts.mean()),
        expected_sd=float(counts.std(ddof=1)) if n_resamples > 1 else 0.0,
        p_value=float((np.sum(counts >= observed) + 1) / (n_resamples + 1)),
        n_resamples=n_resamples,
        on_integer=on_integer,
        hit_probability=hit,
        line_expected=(lines_turnout, lines_share),
    )


def _integer_peaks_iv(
    turnout_numerator: npt.ArrayLike,
    registered: npt.ArrayLike,
    leader_votes: npt.ArrayLike,
    ballots: npt.ArrayLike,
    n_resamples: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    arrays = [np.asarray(a, dtype=np.float64) for a in (turnout_numerator, registered, leader_votes, ballots)]
    if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
        raise ValueError("turnout_numerator, registered, leader_votes and ballots must be 1-D and equally long")
    if arrays[0].size == 0:
        raise ValueError("no stations to analyse")
    if any(np.any(~np.isfinite(a)) or np.any(a < 0) for a in arrays):
        raise ValueError("counts must be finite and non-negative")
    num, reg, lead, bal = arrays
    if np.any(reg <= 0) or np.any(bal <= 0):
        raise ValueError("every station needs registered > 0 and ballots > 0 (filter the stations first)")
    if np.any(num > reg) or np.any(lead > bal):
        raise ValueError("turnout above 100 % or leader votes above ballots: filter the stations first")
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1")
    return num, reg, lead, bal
