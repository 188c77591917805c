"""Last-digit uniformity of vote counts (Beber & Scacco 2012)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

MIN_COUNT = 10  # single-digit counts are not uniform in their last digit (they are the count itself)


@dataclass(frozen=True)
class LastDigitResult:
    """χ² of last-digit frequencies against the uniform distribution (9 degrees of freedom)."""

    n: int
    chi2: float
    p_value: float
    frequencies: tuple[int, ...]
    zero_share: float  # humans inventing numbers avoid (or favour) round endings

    @property
    def mean(self) -> float:
        total = sum(self.frequencies)
        return sum(d * f for d, f in enumerate(self.frequencies)) / total if total else float("nan")


def last_digit_test(counts: npt.ArrayLike, *, min_count: int = MIN_COUNT) -> LastDigitResult:
    """Test whether the last digits of vote counts are uniform.

    In honest counts of sufficient size the last digit is close to uniform on 0–9; people who invent numbers
    pick some digits more often than others [1]_. Counts below ``min_count`` (default 10) are dropped.

    Parameters
    ----------
    counts : array_like of int
        Vote counts (one candidate's, or several pooled).
    min_count : int
        Smallest count included.

    References
    ----------
    .. [1] Beber, B. & Scacco, A. (2012). What the numbers say: A digit-based test for election fraud.
       Political Analysis 20(2), 211–234.

    Examples
    --------
    >>> r = last_digit_test(np.arange(10, 110))
    >>> r.n, r.chi2, r.frequencies[0]
    (100, 0.0, 10)
    """
    values = np.asarray(counts)
    if values.size and (not np.issubdtype(values.dtype, np.number) or np.any(values < 0)):
        raise ValueError("counts must be non-negative numbers")
    values = values.ravel()
    values = values[values >= min_count].astype(np.int64)
    if values.size == 0:
        return LastDigitResult(0, float("nan"), float("nan"), (0,) * 10, float("nan"))
    frequencies = np.bincount(values % 10, minlength=10)
    expected = values.size / 10
    chi2 = float(((frequencies - expected) ** 2 / expected).sum())
    return LastDigitResult(
        n=int(values.size),
        chi2=chi2,
        p_value=float(stats.chi2.sf(chi2, df=9)),
        frequencies=tuple(int(f) for f in frequencies),
        zero_share=float(frequencies[0] / values.size),
    )
