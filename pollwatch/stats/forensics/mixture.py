"""Per-station fraud probabilities from a finite mixture: a simplified version of Mebane's eforensics model.

Mebane (2016) and Ferrari, McAlister & Mebane (2018) fit a finite mixture of "no fraud", "incremental fraud"
and "extreme fraud" to station-level turnout and vote shares — the fraud model of Klimek et al. (2012) — and
report, for every station, the posterior probability of each kind of fraud. Their model is Bayesian (MCMC,
covariates in each component's parameters); ours is the empirical-Bayes simplification: the mixture is the
maximum-likelihood Klimek fit of :mod:`pollwatch.stats.forensics.klimek` (no covariates), and each station's
posterior follows from Bayes' rule at the fitted parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from pollwatch.stats.forensics._common import FloatArray, IntArray
from pollwatch.stats.forensics.klimek import (
    KlimekParams,
    KlimekResult,
    bin_index,
    component_probabilities,
    klimek_fingerprint,
)


@dataclass(frozen=True)
class FraudProbabilitiesResult:
    """Each station's posterior probability of incremental and of extreme fraud (input order)."""

    p_incremental: FloatArray = field(repr=False)
    p_extreme: FloatArray = field(repr=False)
    params: KlimekParams

    @property
    def p_fraud(self) -> FloatArray:
        """Posterior probability of either kind of fraud."""
        total: FloatArray = self.p_incremental + self.p_extreme
        return total

    @property
    def expected_incremental(self) -> float:
        """Expected number of incrementally falsified stations (the sum of the posteriors)."""
        return float(self.p_incremental.sum())

    @property
    def expected_extreme(self) -> float:
        return float(self.p_extreme.sum())

    def top(self, k: int = 20) -> IntArray:
        """Indices of the ``k`` stations most likely falsified, most likely first (ties: input order)."""
        order: IntArray = np.argsort(-self.p_fraud, kind="stable")[:k].astype(np.int64)
        return order

    def to_json(self, station_ids: npt.ArrayLike | None = None, k: int = 20) -> dict[str, Any]:
        ids = np.asarray(station_ids) if station_ids is not None else None
        return {
            "expected_incremental": self.expected_incremental,
            "expected_extreme": self.expected_extreme,
            "top": [{"station": str(ids[i]) if ids is not None else int(i),
                     "p_incremental": float(self.p_incremental[i]), "p_extreme": float(self.p_extreme[i])}
                    for i in self.top(k)],
        }


def fraud_probabilities(
    registered: npt.ArrayLike,
    turnout_numerator: npt.ArrayLike,
    leader_votes: npt.ArrayLike,
    ballots: npt.ArrayLike,
    *,
    fit: KlimekResult | KlimekParams | None = None,
) -> FraudProbabilitiesResult:
    """Posterior probability that each station had no, incremental or extreme fraud [1]_ [2]_.

    The three-component mixture is the fraud model of Klimek et al. [3]_: with probability 1 − f_i − f_e a
    station is fair, with f_i it has incremental fraud (a fraction x ~ |N(0, σₓ)| of non-voters' ballots stuffed
    for the leader and x^α of the others' votes moved to him), with f_e extreme fraud (x = 1 − |N(0, σₑ)|). Its
    parameters are the maximum-likelihood fit (``fit``: a :class:`KlimekResult` or parameters; fitted here when
    omitted). For a station at turnout t and leader's share s, Bayes' rule gives

        P(incremental | t, s) = f_i p_i(t, s) / [(1 − f_i − f_e) p_0(t, s) + f_i p_i(t, s) + f_e p_e(t, s)],

    and likewise for extreme fraud, where p_0, p_i, p_e are the components' probabilities of the station's
    2 × 2-point cell of the fit's histogram (the likelihood the parameters were fitted on).

    Simplifications against eforensics [2]_: parameters are plugged in (no posterior uncertainty), there are no
    covariates, and each station is placed by its cell rather than its exact point. A posterior is a measure
    of how unlike the fair cloud a station looks, not evidence about that station: a genuinely popular,
    high-turnout station looks like incremental fraud.

    Parameters
    ----------
    registered, turnout_numerator, leader_votes, ballots : array_like of int
        Per station, filtered as for :func:`~pollwatch.stats.forensics.klimek.klimek_fingerprint`.
    fit : KlimekResult or KlimekParams, optional
        The fitted mixture; fitted from these stations (Wald intervals skipped) when omitted.

    References
    ----------
    .. [1] Mebane, W. R. (2016). Election forensics: frauds tests and observation-level frauds probabilities.
       Annual meeting of the Midwest Political Science Association, Chicago.
    .. [2] Ferrari, D., McAlister, K. & Mebane, W. R. (2018). Developments in positive empirical models of
       election frauds: dimensions and decisions. Annual Meeting of the Society for Political Methodology.
    .. [3] Klimek, P., Yegorov, Y., Hanel, R. & Thurner, S. (2012). Statistical detection of systematic election
       irregularities. PNAS 109(41), 16469–16473.
    """
    reg, num, lead, bal = (np.asarray(a, dtype=np.float64) for a in (registered, turnout_numerator, leader_votes,
                                                                     ballots))
    if not (reg.shape == num.shape == lead.shape == bal.shape) or reg.ndim != 1:
        raise ValueError("registered, turnout_numerator, leader_votes and ballots must be 1-D and equally long")
    if np.any(reg <= 0) or np.any(bal <= 0) or np.any(num > reg) or np.any(lead > bal):
        raise ValueError("filter the stations first: registered > 0, ballots > 0, turnout ≤ 100 %")
    if fit is None:
        fit = klimek_fingerprint(reg, num, lead, bal, intervals=False)
    params = fit.params if isinstance(fit, KlimekResult) else fit
    if not (np.isfinite(params.f_incremental) and np.isfinite(params.f_extreme)):
        raise ValueError("the Klimek model was not fitted (fit=False)")
    fair, inc, ext = component_probabilities(params)
    fi, fe = params.f_incremental, params.f_extreme
    i, j = bin_index(num / reg, lead / bal)
    p0, pi, pe = (1 - fi - fe) * fair[i, j], fi * inc[i, j], fe * ext[i, j]
    total = np.maximum(p0 + pi + pe, 1e-300)
    return FraudProbabilitiesResult(pi / total, pe / total, params)
