"""Shpilkin's estimate of the leader's excess votes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pollwatch.stats.forensics._common import FloatArray

BIN = 0.005  # turnout bins of half a percentage point for locating the peak


@dataclass(frozen=True)
class ExcessVotesResult:
    """Votes for the leader beyond what the low-turnout relation predicts."""

    excess_votes: float
    leader_votes: float
    threshold_turnout: float  # stations at or below it form the clean core
    core_ratio: float  # leader votes per vote for the other candidates in the core
    core_stations: int

    @property
    def excess_share(self) -> float:
        """Excess as a share of the leader's votes."""
        return self.excess_votes / self.leader_votes if self.leader_votes else 0.0


def _turnout_peak(turnout: FloatArray, weights: FloatArray) -> float:
    """The most common turnout, counted in voters (as Shpilkin's histograms are), on 0.5-point bins."""
    counts, edges = np.histogram(turnout, bins=int(1 / BIN), range=(0.0, 1.0), weights=weights)
    smooth = np.convolve(counts, np.ones(5) / 5, mode="same")
    i = int(np.argmax(smooth))
    # The moving average flattens a sharp peak over five bins: take the fullest raw bin among them.
    lo = max(i - 2, 0)
    i = lo + int(np.argmax(counts[lo : i + 3]))
    return float(edges[i + 1])


def excess_votes(
    turnout_numerator: npt.ArrayLike,
    registered: npt.ArrayLike,
    leader_votes: npt.ArrayLike,
    other_votes: npt.ArrayLike,
) -> ExcessVotesResult:
    """Estimate the leader's votes above what the stations with ordinary turnout predict (Shpilkin).

    Method: in an honest election the leader's share hardly depends on turnout, while ballot stuffing adds
    both turnout and leader votes, so the votes of the *other* candidates are taken as honest and the leader's
    votes are compared with them. The clean core is the set of stations with turnout at or below the peak of
    the turnout distribution (counted in registered voters, 0.5-point bins, 5-bin moving average). In the core
    the leader gets r = Σ leader / Σ others votes per vote for the others; at every station above the peak the
    leader is expected to get r × others, and the excess is Σ (leader − r × others) over those stations.

    Assumptions, each of which the analyst should check: the others' votes are not falsified (moving votes
    *from* them to the leader makes this an underestimate), stations in the core are mostly honest, and the
    leader's honest share does not rise with turnout (regions with genuinely high turnout and genuinely high
    support inflate the estimate; run it per region to see).

    References
    ----------
    .. [1] Shpilkin, S. (2009, 2011, 2012). Statistical analyses of Russian election results (Troitsky Variant,
       Gazeta.ru); the method is described in Kobak, Shpilkin & Pshenichnikov (2016), Ann. Appl. Stat. 10(1),
       and in Klimek et al. (2012), PNAS 109(41), supplement.

    Examples
    --------
    >>> r = excess_votes([500, 500, 900], [1000, 1000, 1000], [250, 250, 700], [250, 250, 200])
    >>> r.core_ratio, r.excess_votes
    (1.0, 500.0)
    """
    num, reg, lead, other = (np.asarray(a, dtype=np.float64) for a in (turnout_numerator, registered,
                                                                       leader_votes, other_votes))
    if not (num.shape == reg.shape == lead.shape == other.shape) or num.ndim != 1 or num.size == 0:
        raise ValueError("the four arrays must be 1-D, equally long and not empty")
    if np.any(reg <= 0):
        raise ValueError("every station needs registered > 0 (filter the stations first)")
    turnout = num / reg
    threshold = _turnout_peak(turnout, reg)
    core = turnout <= threshold
    core_others = other[core].sum()
    if core.sum() == 0 or core_others == 0:
        return ExcessVotesResult(float("nan"), float(lead.sum()), threshold, float("nan"), int(core.sum()))
    ratio = float(lead[core].sum() / core_others)
    above = ~core
    excess = float((lead[above] - ratio * other[above]).sum())
    return ExcessVotesResult(excess, float(lead.sum()), threshold, ratio, int(core.sum()))
