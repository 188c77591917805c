"""The turnout–share fingerprint and its fraud model (Klimek, Yegorov, Hanel & Thurner 2012)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from scipy import optimize

from pollwatch.stats.forensics._common import FloatArray, IntArray, RandomLike, as_generator

BINS = 50  # 2-percentage-point bins on each axis
EXTREME_SD = 0.075  # extreme fraud: x = 1 − |N(0, 0.075)|, as in the paper
COARSE_F_I = np.round(np.arange(0.0, 0.61, 0.1), 3)
COARSE_F_E = np.array([0.0, 0.01, 0.03, 0.06, 0.1])
ALPHAS = np.array([0.5, 1.0, 2.0])
THETAS = np.array([0.05, 0.1, 0.15, 0.25, 0.4])


@dataclass(frozen=True)
class KlimekResult:
    """The observed fingerprint, the fitted fraud model and the model's own fingerprint.

    ``observed`` and ``model`` are 2-D histograms (turnout along axis 0, leader's share along axis 1) over
    ``edges`` (fractions 0–1), counted in stations.
    """

    n: int
    correlation: float  # Pearson correlation of turnout and leader's share across stations
    f_incremental: float
    f_extreme: float
    alpha: float
    fair_turnout: float
    fair_turnout_sd: float
    fair_share: float
    fair_share_sd: float
    theta: float
    distance: float
    edges: FloatArray = field(repr=False)
    observed: IntArray = field(repr=False)
    model: IntArray = field(repr=False)


def _left_flank_gaussian(values: FloatArray) -> tuple[float, float]:
    """Centre and spread of the fair part of a distribution, fitted on its left flank.

    Fraud only pushes stations to the right (more turnout, more leader votes), so the bins left of the peak
    are clean: a parabola fitted to their log-counts (1-point bins, 3-bin moving average, bins ≥ 10 % of the
    peak, weighted by √count) is a Gaussian whose vertex and width are returned. Falls back to the peak and
    the left-side root-mean-square deviation when the flank is too short to fit.
    """
    counts, edges = np.histogram(values, bins=100, range=(0.0, 1.0))
    smooth = np.convolve(counts, np.ones(3) / 3, mode="same")
    centres = (edges[:-1] + edges[1:]) / 2
    peak = int(np.argmax(smooth))
    flank = np.flatnonzero((np.arange(100) <= peak + 1) & (smooth >= 0.1 * smooth[peak]))
    if flank.size >= 4:
        a, b, _ = np.polyfit(centres[flank], np.log(smooth[flank]), 2, w=np.sqrt(smooth[flank]))
        if a < 0:
            centre = float(-b / (2 * a))
            spread = float(np.sqrt(-1 / (2 * a)))
            if 0 < centre < 1 and 0.005 < spread < 0.5:
                return centre, spread
    centre = float(centres[peak])
    below = values[values < centre]
    return centre, float(np.sqrt(np.mean((below - centre) ** 2))) if below.size else 0.05


def _hist(turnout: FloatArray, share: FloatArray) -> IntArray:
    i = np.clip((turnout * BINS).astype(np.int64), 0, BINS - 1)
    j = np.clip((share * BINS).astype(np.int64), 0, BINS - 1)
    return np.bincount(i * BINS + j, minlength=BINS * BINS).reshape(BINS, BINS)


@dataclass(frozen=True)
class _Draws:
    """Common random numbers: every candidate (f_i, f_e, α) is simulated on the same draws."""

    turnout_z: FloatArray  # N(0, 1): fair turnout a = a₀ + σₐ·z, kept inside (0, 1)
    share_z: FloatArray
    kind: FloatArray  # uniform: < f_i incremental, < f_i + f_e extreme
    incremental_z: FloatArray  # |N(0, 1)|: incremental fraud x = θ·z
    extreme_x: FloatArray


def _draws(n: int, rng: np.random.Generator) -> _Draws:
    ext = np.clip(1 - np.abs(rng.normal(0, EXTREME_SD, n)), 0, 1)
    return _Draws(rng.normal(0, 1, n), rng.normal(0, 1, n), rng.random(n), np.abs(rng.normal(0, 1, n)), ext)


@dataclass(frozen=True)
class _Params:
    fair_turnout: float
    fair_turnout_sd: float
    fair_share: float
    fair_share_sd: float
    f_incremental: float = 0.0
    f_extreme: float = 0.0
    alpha: float = 1.0
    theta: float = 0.1


def simulate(registered: npt.ArrayLike, params: _Params, draws: _Draws) -> tuple[FloatArray, FloatArray]:
    """Turnout and leader's share of each station under the fraud model (see :func:`klimek_fingerprint`)."""
    n = np.asarray(registered, dtype=np.float64)
    turnout = np.clip(params.fair_turnout + params.fair_turnout_sd * draws.turnout_z, 0.001, 0.999)
    share = np.clip(params.fair_share + params.fair_share_sd * draws.share_z, 0.001, 0.999)
    voters = np.round(n * turnout)
    leader = np.round(voters * share)
    others = voters - leader
    fi, fe = params.f_incremental, params.f_extreme
    x = np.where(draws.kind < fi, np.minimum(params.theta * draws.incremental_z, 0.999), 0.0)
    x = np.where((draws.kind >= fi) & (draws.kind < fi + fe), draws.extreme_x, x)
    stuffed = np.floor(x * (n - voters))
    moved = np.round(x**params.alpha * others)
    voters = voters + stuffed
    leader = leader + stuffed + moved
    return voters / n, np.divide(leader, voters, out=np.zeros_like(voters), where=voters > 0)


_BOUNDS = {
    "fair_turnout": (0.01, 0.99), "fair_turnout_sd": (0.005, 0.5), "fair_share": (0.01, 0.99),
    "fair_share_sd": (0.005, 0.5), "f_incremental": (0.0, 1.0), "f_extreme": (0.0, 1.0), "theta": (0.01, 1.0),
}


def klimek_fingerprint(
    registered: npt.ArrayLike,
    turnout_numerator: npt.ArrayLike,
    leader_votes: npt.ArrayLike,
    ballots: npt.ArrayLike,
    *,
    fit: bool = True,
    rng: RandomLike = None,
) -> KlimekResult:
    """2-D histogram of turnout × leader's share, and the fraud model of Klimek et al. fitted to it.

    In a fair election the turnout–share histogram is one roughly Gaussian cloud; ballot stuffing smears it
    towards the top-right corner and extreme fraud puts a second cluster at 100 % turnout and 100 % share [1]_.

    The model, for a station with N registered voters: fair turnout a ~ N(a₀, σₐ) and leader's share
    v ~ N(v₀, σᵥ), truncated to (0, 1); with probability ``f_incremental`` a fraction x ~ |N(0, θ)| of the
    non-voters' ballots is added for the leader and a fraction x^α of the other candidates' votes is moved to
    the leader; with probability ``f_extreme`` the same happens with x = 1 − |N(0, 0.075)|.

    Estimation (constants and filters): (a₀, σₐ) and (v₀, σᵥ) are Gaussians fitted to the left flanks of the
    turnout and share distributions (see ``_left_flank_gaussian``: fraud only raises turnout and share, so the
    left flank is clean). f_i, f_e, α and θ minimise
    Σ (H_model − H_observed)² / (H_observed + 1) over the 50 × 50 histogram, first on the grid
    f_i ∈ {0, 0.1, …, 0.6}, f_e ∈ {0, 0.01, 0.03, 0.06, 0.1}, α ∈ {0.5, 1, 2}, θ ∈ {0.05, 0.1, 0.15, 0.25, 0.4},
    then by Nelder–Mead over the seven continuous parameters (a₀, σₐ, v₀, σᵥ, f_i, f_e, log θ) from the best grid
    point, every candidate simulated on the same random draws (common random numbers), so the distance is
    smooth in the parameters.

    Parameters
    ----------
    registered, turnout_numerator, leader_votes, ballots : array_like of int
        Per station; the leader's share is ``leader_votes / ballots`` and turnout ``turnout_numerator /
        registered``. Filter first (ballots > 0, registered ≥ 100, turnout ≤ 100 %); stations above 99 % are
        *kept* here, since extreme fraud lives there.
    fit : bool
        Fit the model (otherwise only the histogram and correlation are computed).
    rng : numpy.random.Generator, int or None
        Seed or generator for the simulations.

    References
    ----------
    .. [1] Klimek, P., Yegorov, Y., Hanel, R. & Thurner, S. (2012). Statistical detection of systematic election
       irregularities. PNAS 109(41), 16469–16473.
    """
    reg, num, lead, bal = (np.asarray(a, dtype=np.float64) for a in (registered, turnout_numerator,
                                                                     leader_votes, ballots))
    if not (reg.shape == num.shape == lead.shape == bal.shape) or reg.ndim != 1:
        raise ValueError("registered, turnout_numerator, leader_votes and ballots must be 1-D and equally long")
    if reg.size < 2:
        raise ValueError("the fingerprint needs at least two stations")
    if np.any(reg <= 0) or np.any(bal <= 0) or np.any(num > reg) or np.any(lead > bal):
        raise ValueError("filter the stations first: registered > 0, ballots > 0, turnout ≤ 100 %")
    turnout = num / reg
    share = lead / bal
    observed = _hist(turnout, share)
    correlation = float(np.corrcoef(turnout, share)[0, 1]) if turnout.std() > 0 and share.std() > 0 else 0.0
    a0, sa = _left_flank_gaussian(turnout)
    v0, sv = _left_flank_gaussian(share)
    sa, sv = max(sa, 0.01), max(sv, 0.01)
    edges = np.linspace(0, 1, BINS + 1)
    if not fit:
        nan = float("nan")
        return KlimekResult(len(reg), correlation, nan, nan, nan, a0, sa, v0, sv, nan, nan, edges, observed,
                            np.zeros_like(observed))
    draws = _draws(len(reg), as_generator(rng))
    weight = 1.0 / (observed + 1.0)
    cache: dict[_Params, float] = {}

    def distance(params: _Params) -> float:
        if params not in cache:
            t, s = simulate(reg, params, draws)
            cache[params] = float((((_hist(t, s) - observed) ** 2) * weight).sum())
        return cache[params]

    fair = _Params(a0, sa, v0, sv)
    best = min(
        (
            replace(fair, f_incremental=float(fi), f_extreme=float(fe), alpha=float(al), theta=float(th))
            for fi in COARSE_F_I for fe in COARSE_F_E for al in ALPHAS for th in THETAS if fi + fe <= 1
        ),
        key=distance,
    )
    # Refine every continuous parameter, the fair ones included, from the best grid point (Nelder–Mead; the
    # fair centre and incremental fraud trade off against each other, so they must move together).
    names = ("fair_turnout", "fair_turnout_sd", "fair_share", "fair_share_sd", "f_incremental", "f_extreme")

    def unpack(x: FloatArray) -> _Params | None:
        values = dict(zip(names, (float(v) for v in x[:6]), strict=True))
        theta = float(np.exp(x[6]))
        trial = replace(best, **values, theta=theta)
        for name in (*names, "theta"):
            low, high = _BOUNDS[name]
            if not low <= getattr(trial, name) <= high:
                return None
        return trial if trial.f_incremental + trial.f_extreme <= 1 else None

    def objective(x: FloatArray) -> float:
        trial = unpack(x)
        return distance(trial) if trial is not None else float("inf")

    start = np.array([getattr(best, n) for n in names] + [np.log(best.theta)])
    simplex = np.vstack([start] + [start + np.eye(7)[i] * d for i, d in
                                   enumerate((0.01, 0.01, 0.01, 0.01, 0.05, 0.01, 0.3))])
    found = optimize.minimize(objective, start, method="Nelder-Mead",
                              options={"initial_simplex": simplex, "maxfev": 700, "xatol": 1e-3, "fatol": 0.5})
    refined = unpack(found.x)
    if refined is not None and distance(refined) < distance(best):
        best = refined
    t, s = simulate(reg, best, draws)
    return KlimekResult(
        n=len(reg), correlation=correlation, f_incremental=best.f_incremental, f_extreme=best.f_extreme,
        alpha=best.alpha, fair_turnout=best.fair_turnout, fair_turnout_sd=best.fair_turnout_sd,
        fair_share=best.fair_share, fair_share_sd=best.fair_share_sd, theta=best.theta, distance=distance(best),
        edges=edges, observed=observed, model=_hist(t, s),
    )
