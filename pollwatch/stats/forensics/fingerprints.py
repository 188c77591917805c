"""Two more fingerprints from the literature: 0/5 last digits, and the Sobyanin–Sukhovolsky regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special, stats

MIN_COUNT = 10  # as for the last-digit test: a count below 10 is its own last digit
_Z = float(special.ndtri(0.975))


@dataclass(frozen=True)
class ZeroFiveResult:
    """Share of vote counts ending in 0 or 5 against the 20 % of uniform last digits."""

    n: int
    share: float
    low: float  # Wilson 95 % interval of the share
    high: float
    p_value: float  # two-sided exact binomial test against 0.2


def zero_five_digits(counts: npt.ArrayLike, *, min_count: int = MIN_COUNT) -> ZeroFiveResult:
    """How often counts end in 0 or 5: people who invent numbers favour round ones [1]_ [2]_.

    Counts below ``min_count`` are left out. Under honest counting last digits are uniform, so 0 and 5 together
    are 20 %; the share's interval is Wilson's, the test the exact binomial.

    References
    ----------
    .. [1] Beber, B. & Scacco, A. (2012). What the numbers say: a digit-based test for election fraud. Political
       Analysis 20(2), 211–234.
    .. [2] Kalinin, K. & Mebane, W. R. (2011). Understanding electoral frauds through evolution of Russian
       federalism: from "bargaining loyalty" to "signaling loyalty". APSA annual meeting (the 0/5 test).
    """
    values = np.asarray(counts).ravel()
    values = values[values >= min_count].astype(np.int64)
    n = int(values.size)
    if n == 0:
        nan = float("nan")
        return ZeroFiveResult(0, nan, nan, nan, nan)
    k = int(np.isin(values % 10, (0, 5)).sum())
    p = k / n
    centre = (p + _Z**2 / (2 * n)) / (1 + _Z**2 / n)
    half = _Z * np.sqrt(p * (1 - p) / n + _Z**2 / (4 * n * n)) / (1 + _Z**2 / n)
    return ZeroFiveResult(n, p, float(centre - half), float(centre + half),
                          float(stats.binomtest(k, n, 0.2).pvalue))


@dataclass(frozen=True)
class SobyaninResult:
    """Slopes of the leader's and the others' votes (as shares of the register) on turnout across stations."""

    n: int
    leader_slope: float
    leader_interval: tuple[float, float]
    others_slope: float
    others_interval: tuple[float, float]


def sobyanin_sukhovolsky(registered: npt.ArrayLike, turnout_numerator: npt.ArrayLike, leader_votes: npt.ArrayLike,
                         other_votes: npt.ArrayLike) -> SobyaninResult:
    """Regress, across stations, leader's votes ÷ registered and others' votes ÷ registered on turnout [1]_.

    If extra turnout comes from ordinary voters, each point of turnout adds votes to every candidate in about
    their shares: both slopes lie between 0 and 1 and add up to about 1. A leader's slope above 1 (each extra
    voter brings more than one vote for the leader) or a negative slope for the others (the others lose votes
    where turnout is higher) is the signature of ballots added for the leader and votes taken from the others.
    Ordinary least squares with heteroskedasticity-robust (HC1) 95 % intervals.

    References
    ----------
    .. [1] Sobyanin, A. A. & Sukhovolsky, V. G. (1995). Democracy restricted by falsifications: elections and
       referenda in Russia 1991–1993 (in Russian). Moscow: Project Group for Human Rights; as used in Myagkov,
       Ordeshook & Shakin (2009), *The Forensics of Election Fraud*, Cambridge University Press, ch. 3.
    """
    reg, num, lead, other = (np.asarray(a, dtype=np.float64) for a in (registered, turnout_numerator,
                                                                       leader_votes, other_votes))
    keep = reg > 0
    reg, num, lead, other = reg[keep], num[keep], lead[keep], other[keep]
    n = int(reg.size)
    nan = float("nan")
    if n < 3:
        return SobyaninResult(n, nan, (nan, nan), nan, (nan, nan))
    t = num / reg
    x = np.column_stack([np.ones(n), t])
    xtx_inv = np.linalg.pinv(x.T @ x)

    def fit(y: npt.NDArray[np.float64]) -> tuple[float, tuple[float, float]]:
        beta = xtx_inv @ x.T @ y
        resid = y - x @ beta
        meat = (x * resid[:, None] ** 2).T @ x
        cov = xtx_inv @ meat @ xtx_inv * n / (n - 2)
        se = float(np.sqrt(max(cov[1, 1], 0.0)))
        return float(beta[1]), (float(beta[1] - _Z * se), float(beta[1] + _Z * se))

    leader_slope, leader_ci = fit(lead / reg)
    others_slope, others_ci = fit(other / reg)
    return SobyaninResult(n, leader_slope, leader_ci, others_slope, others_ci)
