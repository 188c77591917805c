"""Second-digit Benford test (2BL) of vote counts (Mebane)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from pollwatch.stats.forensics._common import FloatArray

MIN_COUNT = 10  # a count needs two digits to have a second one


def benford_second_digit_probabilities() -> FloatArray:
    """Benford's law for the second significant digit: P(d) = Σ_{k=1..9} log10(1 + 1/(10k + d)), d = 0..9.

    >>> p = benford_second_digit_probabilities()
    >>> round(float(p.sum()), 12), round(float((np.arange(10) * p).sum()), 3)
    (1.0, 4.187)
    """
    d = np.arange(10)
    k = np.arange(1, 10)[:, None]
    probabilities: FloatArray = np.log10(1 + 1 / (10 * k + d)).sum(axis=0)
    return probabilities


BENFORD_2BL = benford_second_digit_probabilities()
BENFORD_2BL_MEAN = float((np.arange(10) * BENFORD_2BL).sum())  # 4.187


@dataclass(frozen=True)
class SecondDigitResult:
    """Mean second digit and Pearson χ² against Benford's second-digit law (9 degrees of freedom)."""

    n: int
    mean: float
    chi2: float
    p_value: float
    frequencies: tuple[int, ...]  # counts of second digits 0..9
    benford_mean: float = BENFORD_2BL_MEAN

    @property
    def mean_deviation(self) -> float:
        return self.mean - self.benford_mean


def second_digits(counts: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The second significant digit of each count ≥ 10.

    >>> second_digits([10, 23, 987, 1005]).tolist()
    [0, 3, 8, 0]
    """
    values = np.asarray(counts, dtype=np.int64)
    magnitude = np.floor(np.log10(values)).astype(np.int64)
    return (values // 10 ** (magnitude - 1)) % 10


def second_digit_test(counts: npt.ArrayLike, *, min_count: int = MIN_COUNT) -> SecondDigitResult:
    """Mebane's second-digit Benford test on vote counts.

    Counts below ``min_count`` (default 10) are dropped: they have no second digit. The statistic is the mean
    second digit (4.187 under Benford's second-digit law) and Pearson's χ² of the ten digit frequencies against
    the law, with 9 degrees of freedom. Mebane argues that counts from a mixture of honest processes follow the
    law roughly, and that some manipulations (and some honest strategic voting) move the mean [1]_; a deviation
    is a reason to look, not proof.

    Parameters
    ----------
    counts : array_like of int
        Vote counts, e.g. the leader's votes per station, or every candidate's counts pooled.
    min_count : int
        Smallest count included (≥ 10).

    Returns
    -------
    SecondDigitResult

    References
    ----------
    .. [1] Mebane, W. R. Jr. (2006). Election forensics: Vote counts and Benford's law. Political Methodology
       Society summer meeting; Mebane (2011), Comment on "Benford's Law and the detection of election fraud",
       Political Analysis 19(3), 269–272.

    Examples
    --------
    >>> r = second_digit_test([10, 21, 32, 43, 54, 65, 76, 87, 98, 109])
    >>> r.n, r.mean
    (10, 3.6)
    """
    if min_count < 10:
        raise ValueError("min_count must be at least 10: smaller counts have no second digit")
    values = np.asarray(counts)
    if values.ndim != 1:
        values = values.ravel()
    if values.size and (not np.issubdtype(values.dtype, np.number) or np.any(values < 0)):
        raise ValueError("counts must be non-negative numbers")
    values = values[values >= min_count].astype(np.int64)
    if values.size == 0:
        return SecondDigitResult(0, float("nan"), float("nan"), float("nan"), (0,) * 10)
    digits = second_digits(values)
    frequencies = np.bincount(digits, minlength=10)
    expected = BENFORD_2BL * values.size
    chi2 = float(((frequencies - expected) ** 2 / expected).sum())
    return SecondDigitResult(
        n=int(values.size),
        mean=float(digits.mean()),
        chi2=chi2,
        p_value=float(stats.chi2.sf(chi2, df=9)),
        frequencies=tuple(int(f) for f in frequencies),
    )
