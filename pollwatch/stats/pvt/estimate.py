"""Ratio estimation of shares and turnout from a (stratified) sample of stations.

Stations are clusters of voters: a candidate's share is a ratio of two random totals (the candidate's votes
over all candidates' votes in the sampled stations), so its variance is that of the ratio estimator, not of a
simple proportion of voters (Cochran, *Sampling Techniques*, 3rd ed., §6.3 and §6.10–6.11).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RatioEstimate:
    """One estimated ratio (a share or turnout) with its margin of error, all fractions 0–1."""

    estimate: float
    se: float
    moe: float

    @property
    def ci_low(self) -> float:
        return self.estimate - self.moe

    @property
    def ci_high(self) -> float:
        return self.estimate + self.moe

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float]:
        """The normal interval estimate ± z·SE at another level.

        >>> low, high = RatioEstimate(0.5, 0.01, 0.0196).confidence_interval(0.99)
        >>> round(low, 4), round(high, 4)
        (0.4742, 0.5258)
        """
        half = z_value(level) * self.se
        return self.estimate - half, self.estimate + half

    @property
    def logit_interval(self) -> tuple[float, float]:
        """The interval on the logit scale, logit(p) ± z·SE/(p(1 − p)), mapped back: inside (0, 1) and
        asymmetric, it stays valid for a candidate under 1 % where estimate ± moe would go negative (the
        delta method on the logit; Agresti, *Categorical Data Analysis*, 3rd ed., §1.4 and §16.1)."""
        p = self.estimate
        if not 0 < p < 1 or self.se <= 0:
            return max(self.ci_low, 0.0), min(self.ci_high, 1.0)
        z = self.moe / self.se
        centre = np.log(p / (1 - p))
        half = z * self.se / (p * (1 - p))
        return float(1 / (1 + np.exp(-(centre - half)))), float(1 / (1 + np.exp(-(centre + half))))

    def as_dict(self) -> dict[str, float]:
        low, high = self.logit_interval
        return {"estimate": self.estimate, "moe": self.moe, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "se": self.se, "logit_low": low, "logit_high": high}


def _stratum_sizes(starts: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    return np.diff(np.append(starts, n))


def ratio_estimates(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike,
    starts: npt.ArrayLike,
    population: npt.ArrayLike,
    *,
    method: str = "combined",
    known_denominators: npt.ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Ratio estimates and their standard errors, vectorised over repetitions and ratios.

    Parameters
    ----------
    numerators : array, shape (reps, n, k)
        Per sampled station, the k numerators (e.g. each candidate's votes).
    denominators : array, shape (reps, n, k) or (reps, n, 1)
        The matching denominators (e.g. all candidates' votes, or registered voters).
    starts : array of int, shape (strata,)
        Sample positions where each stratum begins; positions are grouped by stratum, every stratum has ≥ 2.
    population : array, shape (strata,)
        Frame stations per stratum (N_h), for the expansion weights and the finite-population correction.
    method : {"combined", "separate"}
        Combined ratio estimator R̂ = Σ_h N_h ȳ_h / Σ_h N_h x̄_h with
        V = Σ_h N_h² (1 − f_h) s²_{d,h} / n_h / X̂², d = y − R̂x (Cochran 6.11); or separate, which needs
        the known stratum totals X_h: R̂ = Σ_h (X_h / X) R̂_h and V = Σ_h N_h² (1 − f_h) s²_{d,h} / n_h / X²,
        d = y − R̂_h x (Cochran 6.10). Without known totals the separate estimate with estimated weights
        N_h x̄_h / X̂ equals the combined one, so the combined estimator is returned. The separate estimator
        sums one ratio bias per stratum: with few stations per stratum it is biased and its intervals
        under-cover (Cochran §6.12); the combined one is the default. One stratum gives the
        simple-random-sample ratio estimator, the formula NDI's Apollo uses:
        p = Σa/Σm, V = (1 − f)/(k m̄²) · (Σa² − 2pΣam + p²Σm²)/(k − 1).
    known_denominators : array, shape (strata,), optional
        Known stratum totals X_h of the denominator (e.g. registered voters from the frame), for "separate".

    Returns
    -------
    estimate, se : arrays of shape (reps, k)

    References
    ----------
    .. [1] Cochran, W. G. (1977), *Sampling Techniques*, 3rd ed., Wiley, §6.3, §6.10–6.11.
    .. [2] Estok, Nevitte & Cowan (2002), *The Quick Count and Election Observation*, NDI (Apollo's formula).

    Examples
    --------
    Four stations of ten, one stratum (the simple random sample): a candidate's votes over valid votes.

    >>> import numpy as np
    >>> est, se = ratio_estimates([[[30], [50], [20], [40]]], [[[100], [100], [50], [100]]], [0], [10])
    >>> round(float(est[0, 0]), 4), round(float(se[0, 0]), 5)
    (0.4, 0.03614)
    """
    y = np.asarray(numerators, dtype=np.float64)
    x = np.asarray(denominators, dtype=np.float64)
    st = np.asarray(starts, dtype=np.int64)
    big_n = np.asarray(population, dtype=np.float64)
    n = y.shape[1]
    n_h = _stratum_sizes(st, n).astype(np.float64)
    if np.any(n_h < 2):
        raise ValueError("every stratum needs at least two reporting stations (collapse strata first)")
    x = np.broadcast_to(x, y.shape)
    fpc = 1.0 - n_h / big_n
    sum_y = np.add.reduceat(y, st, axis=1)  # (reps, strata, k)
    sum_x = np.add.reduceat(x, st, axis=1)
    mean_y = sum_y / n_h[None, :, None]
    mean_x = sum_x / n_h[None, :, None]
    expand = big_n[None, :, None]
    x_total = (expand * mean_x).sum(axis=1)  # (reps, k)

    def within_variance(ratio_per_stratum: FloatArray) -> FloatArray:
        # s²_{d,h} with d = y − R x, R given per stratum (reps, strata, k); computed from sums for speed.
        r_rep = np.repeat(ratio_per_stratum, n_h.astype(np.int64), axis=1)
        d = y - r_rep * x
        sum_d = np.add.reduceat(d, st, axis=1)
        sum_d2 = np.add.reduceat(d * d, st, axis=1)
        result: FloatArray = (sum_d2 - sum_d**2 / n_h[None, :, None]) / (n_h[None, :, None] - 1)
        return result

    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "combined":
            estimate = (expand * mean_y).sum(axis=1) / x_total
            s2 = within_variance(np.broadcast_to(estimate[:, None, :], sum_y.shape))
            var = (expand**2 * fpc[None, :, None] * s2 / n_h[None, :, None]).sum(axis=1) / x_total**2
        elif method == "separate" and known_denominators is not None:
            r_h = sum_y / sum_x
            known = np.asarray(known_denominators, dtype=np.float64)
            w = (known / known.sum())[None, :, None]
            estimate = (w * r_h).sum(axis=1)
            s2 = within_variance(r_h)
            # W_h / X̄_h = N_h / X with the frame's X̄_h = X_h / N_h (Cochran 6.10), not the sample mean x̄_h.
            var = ((expand / known.sum()) ** 2 * fpc[None, :, None] * s2 / n_h[None, :, None]).sum(axis=1)
        elif method == "separate":
            # Without known stratum totals, Σ_h (N_h x̄_h / X̂) R̂_h = Σ_h N_h ȳ_h / X̂ *is* the combined
            # estimate, so it gets the combined estimator's variance (residuals about one R̂).
            return ratio_estimates(y, x, st, big_n, method="combined")
        else:
            raise ValueError("method must be 'combined' or 'separate'")
    return np.nan_to_num(estimate), np.sqrt(np.maximum(np.nan_to_num(var), 0.0))


def z_value(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def collapse_strata(labels: npt.ArrayLike, reported: npt.ArrayLike) -> tuple[npt.NDArray[np.str_], list[str]]:
    """Merge strata with fewer than two reporting stations into their neighbour (in sorted order).

    A stratum with one reporting station has no within-stratum variance; one with none cannot be estimated at
    all. Each is merged with the next stratum (the last with the previous) until every stratum has ≥ 2
    reporting stations. Returns the new label of every frame station and the list of merges, for the warning.

    >>> new, merges = collapse_strata(["a", "a", "b", "c", "c"], [True, True, True, True, True])
    >>> new.tolist(), merges
    (['a', 'a', 'b + c', 'b + c', 'b + c'], ['b + c'])
    """
    labels = np.asarray(labels).astype(str)
    reported = np.asarray(reported, dtype=bool)
    unique, inverse = np.unique(labels, return_inverse=True)
    per_stratum = np.bincount(inverse, weights=reported, minlength=len(unique))
    groups = {str(name): [str(name)] for name in unique}
    counts = {str(name): int(c) for name, c in zip(unique, per_stratum, strict=True)}
    if min(counts.values()) >= 2:
        return labels, []
    order = list(groups)
    merges: list[str] = []
    while len(order) > 1 and min(counts[g] for g in order) < 2:
        i = next(k for k, g in enumerate(order) if counts[g] < 2)
        j = i + 1 if i + 1 < len(order) else i - 1
        a, b = sorted((order[i], order[j]), key=order.index)
        merged = f"{a} + {b}"
        groups[merged] = groups.pop(a) + groups.pop(b)
        counts[merged] = counts.pop(a) + counts.pop(b)
        k = order.index(a)
        order[k] = merged
        order.remove(b)
        merges.append(merged)
    mapping = {member: name for name, members in groups.items() for member in members}
    final = [m for m in merges if m in groups]
    return np.array([mapping[str(name)] for name in unique])[inverse], final
