"""Uncertainty of the forensic figures, and the multiple-testing correction across regions.

Each figure gets a 95 % interval by the method that suits it:

- integer-percentage excess: observed − expected, where the expected count under the binomial null of Kobak,
  Shpilkin & Pshenichnikov (2016) is a sum of independent Bernoulli variables with each station's exact hit
  probability p: the interval is excess ± z·√Σp(1 − p), the one-sided p-value a normal approximation with
  continuity correction;
- mean second digit (Mebane 2006): mean ± z·sd/√n over the counts' second digits;
- last-digit χ² (Beber & Scacco 2012): percentile interval over multinomial resamples of the digit frequencies;
- turnout–share correlation: Fisher's z, atanh(r) ± z/√(n − 3);
- Shpilkin's excess votes: percentile interval over a bootstrap of stations (the turnout peak is re-located in
  each resample).

Across regions, a region is *flagged* for a test only when the test's p-value stays below 5 % after Holm's
step-down correction over all regions (Holm 1979, Scand. J. Statist. 6(2), 65–70: family-wise error ≤ 5 %,
valid under any dependence), which for the integer excess is the same as its Bonferroni–Holm-widened interval
excluding zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from pollwatch.stats.forensics._common import FloatArray

LEVEL = 0.95
_Z = float(special.ndtri(0.5 + LEVEL / 2))


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95 % interval and how the interval was computed."""

    value: float
    low: float
    high: float
    method: str

    def as_list(self) -> list[float]:
        return [self.low, self.high]


def integer_excess_interval(observed: int, hit_probability: npt.ArrayLike) -> tuple[Estimate, float]:
    """Excess of stations on integer values with its interval, and the one-sided p-value (normal, corrected)."""
    p = np.asarray(hit_probability, dtype=np.float64)
    expected = float(p.sum())
    sd = float(np.sqrt((p * (1 - p)).sum()))
    excess = observed - expected
    if sd == 0:
        return Estimate(excess, excess, excess, "binomial null"), float("nan")
    p_value = float(stats.norm.sf((observed - 0.5 - expected) / sd))
    return Estimate(excess, excess - _Z * sd, excess + _Z * sd, "binomial null"), p_value


def digit_mean_interval(frequencies: npt.ArrayLike) -> Estimate:
    """Mean digit from its ten frequencies, with a normal interval."""
    f = np.asarray(frequencies, dtype=np.float64)
    n = f.sum()
    if n < 2:
        return Estimate(float("nan"), float("nan"), float("nan"), "normal")
    d = np.arange(10)
    mean = float((f * d).sum() / n)
    sd = float(np.sqrt((f * (d - mean) ** 2).sum() / (n - 1)))
    half = _Z * sd / np.sqrt(n)
    return Estimate(mean, float(mean - half), float(mean + half), "normal")


def chi2_interval(frequencies: npt.ArrayLike, expected_share: npt.ArrayLike, rng: np.random.Generator,
                  reps: int = 1000) -> Estimate:
    """Pearson χ² of the frequencies, with a percentile interval over multinomial resamples of them."""
    f = np.asarray(frequencies, dtype=np.float64)
    n = int(f.sum())
    share = np.asarray(expected_share, dtype=np.float64)
    if n == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), "multinomial bootstrap")
    chi2 = float(((f - n * share) ** 2 / (n * share)).sum())
    draws = rng.multinomial(n, f / n, size=reps)
    values = ((draws - n * share) ** 2 / (n * share)).sum(axis=1)
    tail = (1 - LEVEL) / 2 * 100
    return Estimate(chi2, float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail)),
                    "multinomial bootstrap")


def correlation_interval(x: npt.ArrayLike, y: npt.ArrayLike) -> Estimate:
    """Pearson correlation with Fisher's z interval (NaN below four points or for a constant variable)."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if a.size < 4 or a.std() == 0 or b.std() == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), "Fisher z")
    r = float(np.corrcoef(a, b)[0, 1])
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    half = _Z / np.sqrt(a.size - 3)
    return Estimate(r, float(np.tanh(z - half)), float(np.tanh(z + half)), "Fisher z")


def bootstrap_interval(statistic: Callable[[npt.NDArray[np.int64]], float], n: int, value: float,
                       rng: np.random.Generator, reps: int) -> Estimate:
    """Percentile interval of ``statistic`` over ``reps`` resamples (with replacement) of ``n`` stations."""
    if n < 2 or not np.isfinite(value):
        return Estimate(value, float("nan"), float("nan"), "station bootstrap")
    values = np.array([statistic(rng.integers(0, n, n)) for _ in range(reps)])
    values = values[np.isfinite(values)]
    if values.size < reps // 2:
        return Estimate(value, float("nan"), float("nan"), "station bootstrap")
    tail = (1 - LEVEL) / 2 * 100
    return Estimate(value, float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail)),
                    "station bootstrap")


def holm(p_values: npt.ArrayLike) -> FloatArray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count towards the number of tests)."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(np.isfinite(p))
    m = valid.size
    if m == 0:
        return out
    order = valid[np.argsort(p[valid])]
    adjusted = np.maximum.accumulate(np.minimum((m - np.arange(m)) * p[order], 1.0))
    out[order] = adjusted
    return out
