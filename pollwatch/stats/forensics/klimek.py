"""The turnout–share fingerprint and its fraud model (Klimek, Yegorov, Hanel & Thurner 2012), fitted by maximum
likelihood on the 2-D histogram.

The model (our reading of Klimek et al. 2012, main text "Model" and SI), for a station with N registered voters:

- fair turnout a ~ N(a₀, σₐ) and fair leader's share v ~ N(v₀, σᵥ), independent, clipped to (0.001, 0.999);
  N·a voters come, N·a·v vote for the leader, N·a·(1 − v) for the others;
- with probability f_i the station has *incremental fraud*: x ~ |N(0, σₓ)| (capped at 0.999); a fraction x of
  the N·(1 − a) non-voters' ballots is stuffed for the leader, and a fraction x^α of the others' votes is moved
  to the leader;
- with probability f_e it has *extreme fraud*: the same with x = 1 − |N(0, σₑ)| (the paper's σₑ = 0.075);
- otherwise (1 − f_i − f_e) it is fair.

So, with x = 0 for a fair station, the reported turnout and share are

    t = a + x (1 − a)
    s = [a v + x (1 − a) + x^α a (1 − v)] / t.

α > 1 steals less from the others than from the non-voters, α < 1 more.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse, special

from pollwatch.stats.forensics._common import FloatArray, IntArray, RandomLike, as_generator

BINS = 50  # 2-percentage-point bins on each axis
EXTREME_SD = 0.075  # extreme fraud: x = 1 − |N(0, 0.075)|, as in the paper
LEVEL = 0.95  # confidence level of the intervals
# Incremental fraud with a small spread can stand in for the fair cloud itself (label switching: f_i → 1 with a
# "fair" part describing a corner); at most 80 % of stations may be incrementally falsified.
MAX_INCREMENTAL = 0.8

# Quadrature of the likelihood (see ``_fraud_component``). Incremental fraud: x on 96 equal-width intervals
# of [0, min(5σₓ, 0.999)] with exact half-normal masses, and fair turnout a exact (normal CDF) over the
# a-interval that lands in each turnout bin (the upper 48 x-nodes: each half bin). Extreme fraud: a on a uniform
# z-grid of 41 nodes over ±4.2 SD (weights φ(z)), x exact over each quarter of a turnout bin. The share is exact
# (normal CDF at the share-bin edges). Issue 21's second round put a on the nodes for incremental fraud too:
# each node's half-normal then starts with a jump at t = a, 41 nodes 0.2 SD apart made ripples, and the
# derivatives of the likelihood in the fair turnout's mean and SD were 17 % off (against a 1,201 × 1,200-node
# brute force; now 0.2 %): the Fisher information read the ripples as signal and the Wald SE of f_i at f_i = 0.5,
# α = 2 came out 15–25 % too small. With x on the nodes the spikes are smoothed by a's own spread.
_Z_A = np.linspace(-4.2, 4.2, 41)
_W_A = np.exp(-_Z_A**2 / 2) / np.exp(-_Z_A**2 / 2).sum()
_X_NODES = 96
_X_NODES_COARSE = 32
_SPLIT_EXTREME = 4  # extreme fraud: a node per quarter of a turnout bin (its share moves fast with x)
_FLOOR = 1e-9  # probability floor of a bin (a station the model cannot place costs ~21 nats, not infinity)


@dataclass(frozen=True)
class _Params:
    """Parameters of the model (see the module docstring); ``theta`` is σₓ, the spread of incremental fraud."""

    fair_turnout: float
    fair_turnout_sd: float
    fair_share: float
    fair_share_sd: float
    f_incremental: float = 0.0
    f_extreme: float = 0.0
    alpha: float = 1.0
    theta: float = 0.1
    extreme_sd: float = EXTREME_SD


KlimekParams = _Params
PARAMETERS = ("f_incremental", "f_extreme", "alpha", "theta", "extreme_sd", "fair_turnout", "fair_turnout_sd",
              "fair_share", "fair_share_sd")


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class KlimekResult:
    """The observed fingerprint, the fitted fraud model and the model's own fingerprint.

    ``observed`` and ``model`` are 2-D histograms (turnout along axis 0, leader's share along axis 1) over
    ``edges`` (fractions 0–1), counted in stations (``model`` is expected counts). ``intervals`` maps each
    parameter to its 95 % confidence interval (``interval_method``: "bootstrap" — parametric, from the fitted
    model — or "wald", from the observed information). ``deviance`` is the G² statistic of the fitted model
    against the histogram, ``gof_p`` its parametric-bootstrap p-value (NaN without a bootstrap), ``gof_rmse``
    the root-mean-square of the Pearson residuals over the bins where the model expects ≥ 5 stations
    (≈ 1 when the model fits).
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
    distance: float  # − log-likelihood per station of the fitted model (lower is better)
    edges: FloatArray = field(repr=False)
    observed: IntArray = field(repr=False)
    model: FloatArray = field(repr=False)
    extreme_sd: float = EXTREME_SD
    deviance: float = float("nan")
    deviance_df: int = 0
    gof_rmse: float = float("nan")
    gof_p: float = float("nan")
    intervals: dict[str, Interval] = field(default_factory=dict, repr=False)
    interval_method: str = ""
    n_bootstrap: int = 0

    @property
    def params(self) -> _Params:
        return _Params(self.fair_turnout, self.fair_turnout_sd, self.fair_share, self.fair_share_sd,
                       self.f_incremental, self.f_extreme, self.alpha, self.theta, self.extreme_sd)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in PARAMETERS}
        out["intervals"] = {k: [v.low, v.high] for k, v in self.intervals.items()}
        out["interval_method"] = self.interval_method
        out["n_bootstrap"] = self.n_bootstrap
        out["goodness_of_fit"] = {"deviance": self.deviance, "df": self.deviance_df,
                                  "pearson_rmse": self.gof_rmse, "p_value": self.gof_p}
        return out


# --- the generator -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draws:
    """Common random numbers: every candidate (f_i, f_e, α) is simulated on the same draws."""

    turnout_z: FloatArray  # N(0, 1): fair turnout a = a₀ + σₐ·z, kept inside (0, 1)
    share_z: FloatArray
    kind: FloatArray  # uniform: < f_i incremental, < f_i + f_e extreme
    incremental_z: FloatArray  # |N(0, 1)|: incremental fraud x = θ·z
    extreme_x: FloatArray


def _draws(n: int, rng: np.random.Generator, extreme_sd: float = EXTREME_SD) -> _Draws:
    ext = np.clip(1 - np.abs(rng.normal(0, extreme_sd, n)), 0, 1)
    return _Draws(rng.normal(0, 1, n), rng.normal(0, 1, n), rng.random(n), np.abs(rng.normal(0, 1, n)), ext)


def simulate(registered: npt.ArrayLike, params: _Params, draws: _Draws) -> tuple[FloatArray, FloatArray]:
    """Turnout and leader's share of each station under the fraud model (module docstring), counts rounded to
    the nearest integer. (Until issue 21's third round the stuffed ballots were rounded down: half a ballot short
    per falsified station, which the continuous likelihood read as α 0.035 and f_i 0.005–0.01 low at 1,000,000
    stations.)"""
    n = np.asarray(registered, dtype=np.float64)
    turnout = np.clip(params.fair_turnout + params.fair_turnout_sd * draws.turnout_z, 0.001, 0.999)
    share = np.clip(params.fair_share + params.fair_share_sd * draws.share_z, 0.001, 0.999)
    voters = np.round(n * turnout)
    leader = np.round(voters * share)
    others = voters - leader
    fi, fe = params.f_incremental, params.f_extreme
    x = np.where(draws.kind < fi, np.minimum(params.theta * draws.incremental_z, 0.999), 0.0)
    x = np.where((draws.kind >= fi) & (draws.kind < fi + fe), draws.extreme_x, x)
    stuffed = np.round(x * (n - voters))
    moved = np.round(x**params.alpha * others)
    voters = voters + stuffed
    leader = leader + stuffed + moved
    return voters / n, np.divide(leader, voters, out=np.zeros_like(voters), where=voters > 0)


def generate_election(registered: npt.ArrayLike, params: _Params,
                      rng: RandomLike = None) -> tuple[IntArray, IntArray, IntArray]:
    """A synthetic election from the model: (voters, leader's votes, ballots) per station, integers."""
    voters, leader, ballots, _ = generate_labelled_election(registered, params, rng)
    return voters, leader, ballots


def generate_labelled_election(registered: npt.ArrayLike, params: _Params,
                               rng: RandomLike = None) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """As :func:`generate_election`, with each station's kind: 0 fair, 1 incremental fraud, 2 extreme fraud."""
    reg = np.asarray(registered, dtype=np.float64)
    draws = _draws(len(reg), as_generator(rng), params.extreme_sd)
    t, s = simulate(reg, params, draws)
    voters = np.round(t * reg)
    fi, fe = params.f_incremental, params.f_extreme
    kind = np.where(draws.kind < fi, 1, np.where(draws.kind < fi + fe, 2, 0)).astype(np.int64)
    return voters.astype(np.int64), np.round(s * voters).astype(np.int64), voters.astype(np.int64), kind


# --- the likelihood ----------------------------------------------------------------------------------------


def _hist(turnout: FloatArray, share: FloatArray) -> IntArray:
    i = np.clip((turnout * BINS).astype(np.int64), 0, BINS - 1)
    j = np.clip((share * BINS).astype(np.int64), 0, BINS - 1)
    return np.bincount(i * BINS + j, minlength=BINS * BINS).reshape(BINS, BINS)


_EDGES = np.linspace(0.0, 1.0, BINS + 1)
_INNER = _EDGES[1:-1]
_EDGES_OPEN = np.concatenate([[-np.inf], _INNER, [np.inf]])  # the first and last bins take the tails


def _fraud_component(p: _Params, *, extreme: bool, coarse: bool = False) -> FloatArray:
    """Bin probabilities (BINS × BINS) of falsified stations: incremental, or extreme with ``extreme``.

    t = a + x(1 − a) = x + a(1 − x): one of a and x is integrated exactly over the interval that lands in each
    half (extreme: quarter) of a turnout bin, the other on nodes — the one whose spread in t is the smaller, so
    that the nodes' spikes are smoothed by the exact variable's spread:

    - incremental fraud (x = |N(0, σₓ)|, shifts of a few points): x on ``_X_NODES`` equal-width intervals of
      [0, min(5σₓ, 0.999)] with their exact half-normal masses (and the cap's atom at x = 0.999); for each, a lies
      in [(e − x)/(1 − x), (e′ − x)/(1 − x)], a normal-CDF difference;
    - extreme fraud (1 − x = |N(0, σₑ)|, where a barely moves t): a on the nodes ``_Z_A``; for each, x lies in
      [(e − a)/(1 − a), (e′ − a)/(1 − a)], a difference of the half-normal CDF of 1 − x.

    Each sub-bin is one node, at the median of its exact variable; there the share s is linear in v, so its bin
    probabilities are exact normal-CDF differences. ``coarse``: incremental fraud on ``_X_NODES_COARSE`` nodes
    and whole bins, for the optimiser's exploration (a third of the cost; tens of nats off where σₓ is large and
    the fair cloud narrow, which only the choice of the basin sees).
    """
    if extreme:
        split = _SPLIT_EXTREME
        edges = np.linspace(0.0, 1.0, BINS * split + 1)
        a_nodes = np.clip(p.fair_turnout + p.fair_turnout_sd * _Z_A, 0.001, 0.999)
        xi = np.clip((edges[None, :] - a_nodes[:, None]) / (1 - a_nodes[:, None]), 0.0, 1.0)  # nodes × edges
        cdf = 1.0 - (2 * special.ndtr((1 - xi) / p.extreme_sd) - 1)  # P(x ≤ ξ) = P(1 − x ≥ 1 − ξ)
        mass = np.diff(cdf, axis=1) * _W_A[:, None]
        node_k, node_q = np.nonzero(mass > 1e-13)
        w = mass[node_k, node_q]
        middle = (cdf[node_k, node_q] + cdf[node_k, node_q + 1]) / 2
        aa = a_nodes[node_k]
        xx = 1 - p.extreme_sd * special.ndtri(1 - middle / 2)  # 1 − x = σₑ·Φ⁻¹((1 + (1 − u))/2)
        rows = np.minimum(node_q // split, BINS - 1)
    else:
        top = min(5.0 * p.theta, 0.999)
        count = _X_NODES_COARSE if coarse else _X_NODES
        x_edges = np.linspace(0.0, top, count + 1)
        x_cdf = 2 * special.ndtr(x_edges / p.theta) - 1
        x_w = np.append(np.diff(x_cdf), 1.0 - x_cdf[-1])  # the last node: the mass above top (x is capped at 0.999)
        x_nodes = np.minimum(np.append(p.theta * special.ndtri((1 + (x_cdf[:-1] + x_cdf[1:]) / 2) / 2), top), 0.999)
        parts = []
        # the lower half of the x-nodes on whole turnout bins, the upper half (where the share moves faster with
        # a) on half bins; split by node index, not by x, so that the likelihood stays smooth in σₓ
        halves = ((slice(0, None), 1),) if coarse else ((slice(0, count // 2), 1), (slice(count // 2, None), 2))
        for nodes, split in halves:
            x_k, w_k = x_nodes[nodes], x_w[nodes]
            edges = np.linspace(0.0, 1.0, BINS * split + 1)
            ai = (edges[None, :] - x_k[:, None]) / (1 - x_k[:, None])
            cdf = special.ndtr((ai - p.fair_turnout) / p.fair_turnout_sd)
            cdf[:, 0], cdf[:, -1] = 0.0, 1.0  # a is clipped inside (0, 1): t stays inside the first and last bins
            mass = np.diff(cdf, axis=1) * w_k[:, None]
            node_k, node_q = np.nonzero(mass > 1e-13)
            middle = np.clip((cdf[node_k, node_q] + cdf[node_k, node_q + 1]) / 2, 1e-15, 1 - 1e-15)
            parts.append((mass[node_k, node_q], x_k[node_k],
                          np.clip(p.fair_turnout + p.fair_turnout_sd * special.ndtri(middle), 0.001, 0.999),
                          np.minimum(node_q // split, BINS - 1)))
        w, xx, aa, rows = (np.concatenate(column) for column in zip(*parts, strict=True))
    t = aa + xx * (1 - aa)
    xa = xx ** p.alpha
    slope = np.maximum(aa * (1 - xa), 1e-12)
    # s·t = a·v·(1 − x^α) + x(1 − a) + x^α·a  ⇒  v at each share edge:
    v_edge = (_INNER[None, :] * t[:, None] - (xx * (1 - aa) + xa * aa)[:, None]) / slope[:, None]
    cdf_s = np.empty((len(t), BINS + 1))
    cdf_s[:, 0], cdf_s[:, -1] = 0.0, 1.0
    cdf_s[:, 1:-1] = special.ndtr((v_edge - p.fair_share) / p.fair_share_sd)
    in_t = sparse.csr_matrix((w, (rows, np.arange(len(w)))), shape=(BINS, len(w)))
    # a sparse product, not BLAS: a threaded matrix product stalls on a shared machine
    result: FloatArray = np.asarray(in_t @ np.diff(cdf_s, axis=1))
    return result


def _fair_component(p: _Params) -> FloatArray:
    """Bin probabilities of fair stations, exactly: t = a and s = v are independent normals."""
    in_t = np.diff(special.ndtr((_EDGES_OPEN - p.fair_turnout) / p.fair_turnout_sd))
    in_s = np.diff(special.ndtr((_EDGES_OPEN - p.fair_share) / p.fair_share_sd))
    return np.outer(in_t, in_s)


class _Components:
    """Bin probabilities of the fair, incremental and extreme stations, cached by the parameters each uses."""

    def __init__(self, *, coarse: bool = False) -> None:
        self.coarse = coarse
        self._cache: dict[tuple[str, tuple[float, ...]], FloatArray] = {}

    def _get(self, kind: str, key: tuple[float, ...], make: Any) -> FloatArray:
        full = (kind, key)
        if full not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[full] = make()
        return self._cache[full]

    def __call__(self, p: _Params) -> tuple[FloatArray, FloatArray, FloatArray]:
        fair_key = (p.fair_turnout, p.fair_turnout_sd, p.fair_share, p.fair_share_sd)
        fair = self._get("fair", fair_key, lambda: _fair_component(p))
        inc = self._get("inc", (*fair_key, p.alpha, p.theta), lambda: _fraud_component(p, extreme=False, coarse=self.coarse))
        ext = self._get("ext", (*fair_key, p.alpha, p.extreme_sd), lambda: _fraud_component(p, extreme=True))
        return fair, inc, ext


def component_probabilities(params: _Params) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Bin probabilities (BINS × BINS, turnout along axis 0) of fair, incrementally and extremely falsified
    stations under ``params``: the three components of the likelihood."""
    return _Components()(params)


def bin_index(turnout: FloatArray, share: FloatArray) -> tuple[IntArray, IntArray]:
    """Turnout and share bins of each station in the fit's histogram."""
    return (np.clip((turnout * BINS).astype(np.int64), 0, BINS - 1),
            np.clip((share * BINS).astype(np.int64), 0, BINS - 1))


def _model_probabilities(p: _Params, components: _Components | None = None) -> FloatArray:
    fair, inc, ext = (components or _Components())(p)
    fi, fe = p.f_incremental, p.f_extreme
    probs: FloatArray = (1 - fi - fe) * fair + fi * inc + fe * ext
    return probs


def _mixture_weights(observed: FloatArray, fair: FloatArray, inc: FloatArray, ext: FloatArray,
                     start: tuple[float, float]) -> tuple[float, float, float]:
    """(f_i, f_e) maximising the likelihood for fixed components, and − log-likelihood per station.

    The log-likelihood is concave in the mixture weights: an active-set Newton iteration with a projected
    backtracking line search on {f_i, f_e ≥ 0, f_i + f_e ≤ 0.99} finds its maximum.
    """
    n = observed.sum()
    seen = observed > 0
    o, pf, d = observed[seen], fair[seen] + _FLOOR, np.stack([inc[seen] - fair[seen], ext[seen] - fair[seen]])

    def project(w: FloatArray) -> FloatArray:
        w = np.clip(w, 0.0, [MAX_INCREMENTAL, 0.99])
        return w * (0.99 / w.sum()) if w.sum() > 0.99 else w

    def loglik(w: FloatArray) -> float:
        probs = pf + w @ d
        return float((o * np.log(probs)).sum()) if np.all(probs > 0) else -np.inf

    w = project(np.array(start, dtype=np.float64))
    current = loglik(w)
    if not np.isfinite(current):
        w = np.zeros(2)
        current = loglik(w)
    for _ in range(40):
        ratio = o / (pf + w @ d)
        g = d @ ratio
        h = -(d * (ratio**2 / o)) @ d.T
        free = np.array([not (w[c] <= 0 and g[c] <= 0) for c in range(2)])
        if not free.any():
            break
        step = np.zeros(2)
        hf = h[np.ix_(free, free)]
        if np.linalg.cond(hf) < 1e12:
            step[free] = np.linalg.solve(hf, -g[free])
        else:
            step[free] = g[free] / max(np.abs(np.diag(hf)).max(), 1e-300)
        moved = False
        t = 1.0
        for _ in range(30):
            trial = project(w + t * step)
            value = loglik(trial)
            if value >= current:
                moved = value > current or np.allclose(trial, w)
                break
            t /= 2
        else:
            break
        done = np.abs(trial - w).max() < 1e-9
        w, current = trial, value
        if done or not moved:
            break
    return float(w[0]), float(w[1]), -current / n


# Parameters and their bounds; the log-scaled ones are optimised on the log scale. The mixture weights f_i and
# f_e are profiled out (solved exactly for each value of the others), the rest go to L-BFGS-B.
_OUTER = (
    ("fair_turnout", 0.02, 0.98), ("fair_turnout_sd", 0.005, 0.4), ("fair_share", 0.02, 0.98),
    ("fair_share_sd", 0.005, 0.4), ("alpha", 0.2, 5.0), ("theta", 0.01, 1.5), ("extreme_sd", 0.01, 0.3),
)
_FREE = (*_OUTER, ("f_incremental", 0.0, MAX_INCREMENTAL), ("f_extreme", 0.0, 0.99))
_LOG = {"fair_turnout_sd", "fair_share_sd", "alpha", "theta", "extreme_sd"}


def _pack(p: _Params, names: tuple[tuple[str, float, float], ...] = _OUTER) -> FloatArray:
    return np.array([np.log(getattr(p, n)) if n in _LOG else getattr(p, n) for n, _, _ in names])


def _unpack(u: FloatArray, base: _Params, names: tuple[tuple[str, float, float], ...] = _OUTER) -> _Params:
    values = {n: float(np.exp(v)) if n in _LOG else float(v) for (n, _, _), v in zip(names, u, strict=True)}
    return replace(base, **values)


def _bounds(names: tuple[tuple[str, float, float], ...] = _OUTER) -> list[tuple[float, float]]:
    return [(float(np.log(lo)), float(np.log(hi))) if n in _LOG else (lo, hi) for n, lo, hi in names]


def _neg_loglik(p: _Params, observed: FloatArray, components: _Components) -> float:
    """− log-likelihood per station of the multinomial histogram (constant terms dropped)."""
    total = p.f_incremental + p.f_extreme
    if total > 0.99:
        p = replace(p, f_incremental=p.f_incremental * 0.99 / total, f_extreme=p.f_extreme * 0.99 / total)
    probs = _model_probabilities(p, components)
    return -float((observed * np.log(np.maximum(probs, 0.0) + _FLOOR)).sum()) / float(observed.sum())


class _Profile:
    """The likelihood with f_i and f_e maximised out, as a function of the other parameters."""

    def __init__(self, observed: FloatArray, base: _Params, *, no_incremental: bool = False,
                 coarse: bool = False) -> None:
        self.observed = observed.ravel()
        self.components = _Components(coarse=coarse)
        self.no_incremental = no_incremental
        self.base = replace(base, f_incremental=0.0) if no_incremental else base
        self.weights = (self.base.f_incremental, self.base.f_extreme)

    def solve(self, p: _Params) -> tuple[_Params, float]:
        fair, inc, ext = self.components(p)
        if self.no_incremental:
            inc = fair
        fi, fe, value = _mixture_weights(self.observed, fair.ravel(), inc.ravel(), ext.ravel(), self.weights)
        self.weights = (fi, fe)
        return replace(p, f_incremental=fi, f_extreme=fe), value

    def __call__(self, u: FloatArray) -> float:
        return self.solve(_unpack(u, self.base))[1]


def _left_flank_gaussian(values: FloatArray) -> tuple[float, float]:
    """Centre and spread of the fair part of a distribution, fitted on its left flank (a starting point).

    Fraud only pushes stations to the right, so the bins left of the peak are clean: a parabola fitted to their
    log-counts is a Gaussian whose vertex and width are returned.
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


def _clamp(p: _Params) -> _Params:
    return replace(p, **{n: float(np.clip(getattr(p, n), lo, hi)) for n, lo, hi in _FREE})


def _maximise(observed: FloatArray, starts: list[_Params], *, keep: int = 1, maxiter: int = 60,
              no_incremental: bool = False) -> tuple[_Params, float]:
    """L-BFGS-B on the profile likelihood: a short run from each of the ``keep`` most likely ``starts``, then
    the best of those run to convergence. The ranking and the short runs use the coarse quadrature (they only
    choose the basin), the final run the full one."""
    def run(start: _Params, iterations: int, coarse: bool = False) -> tuple[_Params, float]:
        profile = _Profile(observed, start, no_incremental=no_incremental, coarse=coarse)
        found = optimize.minimize(profile, _pack(profile.base), method="L-BFGS-B", bounds=_bounds(),
                                  options={"maxiter": iterations, "ftol": 1e-10, "gtol": 1e-6, "eps": 1e-6})
        return profile.solve(_unpack(found.x, profile.base))

    ranked = []
    for start in starts:
        profile = _Profile(observed, _clamp(start), no_incremental=no_incremental, coarse=True)
        ranked.append(profile.solve(profile.base))
    ranked.sort(key=lambda pair: pair[1])
    candidates = [run(start, 12, coarse=True) for start, _ in ranked[:keep]] if keep > 1 else ranked[:1]
    best = min(candidates, key=lambda pair: pair[1])[0]
    at_best = _Profile(observed, best, no_incremental=no_incremental).solve(best)
    return min([at_best, run(best, maxiter)], key=lambda pair: pair[1])


def _starts(turnout: FloatArray, share: FloatArray) -> list[_Params]:
    a0, sa = _left_flank_gaussian(turnout)
    v0, sv = _left_flank_gaussian(share)
    sa, sv = max(sa, 0.01), max(sv, 0.01)
    return [_Params(a0, sa, v0, sv, 0.1, 0.01, alpha, theta, EXTREME_SD)
            for alpha in (0.6, 1.0, 1.8) for theta in (0.06, 0.15, 0.35)]


def _fit_histogram(observed: FloatArray, starts: list[_Params], keep: int = 3) -> tuple[_Params, float, _Params]:
    """The fit, its − log-likelihood per station, and the unrestricted fit (for the intervals).

    Incremental fraud with a small spread σₓ looks like a slightly wider fair cloud, so on a clean election the
    unrestricted maximum can wander along that ridge. The model without incremental fraud (f_i = 0) is fitted
    too and kept unless the full model improves the log-likelihood by more than BIC's penalty for its two
    extra parameters (f_i, σₓ): ln(stations).
    """
    obs = observed.astype(np.float64)
    full, value = _maximise(obs, starts, keep=keep)
    if full.f_incremental == 0.0:
        return full, value, full
    n = float(obs.sum())
    profile = _Profile(obs, full, no_incremental=True)
    if (profile.solve(profile.base)[1] - value) * n > 200 * np.log(n):
        return full, value, full  # overwhelming evidence: refitting the fair part cannot close that gap
    bare, bare_value = _maximise(obs, [replace(full, f_incremental=0.0)], no_incremental=True)
    if (bare_value - value) * n < np.log(n):
        return bare, bare_value, full
    return full, value, full


def _wald_intervals(p: _Params, observed: FloatArray) -> dict[str, Interval]:
    """95 % intervals from the observed information (numerical Hessian of the log-likelihood, internal scale)."""
    u0 = _pack(p, _FREE)
    n = float(observed.sum())
    bounds = _bounds(_FREE)
    components = _Components()

    def f(u: FloatArray) -> float:
        return _neg_loglik(_unpack(u, p, _FREE), observed, components) * n

    k = len(u0)
    h = np.array([1e-3 if _FREE[i][0] not in _LOG else 1e-2 for i in range(k)])
    # one-sided steps at a bound
    u0 = np.array([min(max(u0[i], bounds[i][0] + h[i]), bounds[i][1] - h[i]) for i in range(k)])
    f0 = f(u0)
    hess = np.zeros((k, k))
    fp = np.array([f(u0 + h[i] * np.eye(k)[i]) for i in range(k)])
    fm = np.array([f(u0 - h[i] * np.eye(k)[i]) for i in range(k)])
    for i in range(k):
        hess[i, i] = (fp[i] - 2 * f0 + fm[i]) / h[i] ** 2
        for j in range(i):
            fpp = f(u0 + h[i] * np.eye(k)[i] + h[j] * np.eye(k)[j])
            hess[i, j] = hess[j, i] = (fpp - fp[i] - fp[j] + f0) / (h[i] * h[j])
    try:
        cov = np.linalg.pinv(hess)
    except np.linalg.LinAlgError:
        return {}
    z = special.ndtri(0.5 + LEVEL / 2)
    out = {}
    for i, (name, lo, hi) in enumerate(_FREE):
        se = float(np.sqrt(max(cov[i, i], 0.0)))
        a, b = u0[i] - z * se, u0[i] + z * se
        if name in _LOG:
            a, b = np.exp(a), np.exp(b)
        at_low, at_high = getattr(p, name) <= lo + 1e-6, getattr(p, name) >= hi - 1e-6
        out[name] = Interval(float(lo if at_low else max(a, lo)), float(hi if at_high else min(b, hi)))
    return out


def klimek_fingerprint(
    registered: npt.ArrayLike,
    turnout_numerator: npt.ArrayLike,
    leader_votes: npt.ArrayLike,
    ballots: npt.ArrayLike,
    *,
    fit: bool = True,
    n_bootstrap: int = 0,
    intervals: bool = True,
    rng: RandomLike = None,
) -> KlimekResult:
    """2-D histogram of turnout × leader's share, and the fraud model of Klimek et al. fitted to it.

    In a fair election the turnout–share histogram is one roughly Gaussian cloud; ballot stuffing smears it
    towards the top-right corner and extreme fraud puts a second cluster at 100 % turnout and 100 % share [1]_.
    The model and its equations are in the module docstring.

    Estimation: maximum likelihood of the observed 50 × 50 histogram (2-point bins; stations are independent
    draws, so the bin counts are multinomial with the model's bin probabilities). The bin probabilities are
    computed without simulation, so the likelihood is smooth: the fair part exactly (two independent normals);
    for the falsified stations one of fair turnout a and fraud x on nodes and the other integrated exactly over
    the interval that lands in each (part of a) turnout bin — x on nodes for incremental fraud, a for extreme
    fraud — and the share bins exactly there (s is linear in v): see ``_fraud_component``. All nine parameters — f_i, f_e, α, σₓ (``theta``), σₑ, a₀, σₐ, v₀, σᵥ — are
    continuous; f_i and f_e are profiled out (the log-likelihood is concave in them: solved by Newton for each
    value of the others) and the other seven maximised by L-BFGS-B — 12 iterations from each of the three most
    likely of nine starting points (α ∈ {0.6, 1, 1.8} × σₓ ∈ {0.06, 0.15, 0.35}, the fair part from the left
    flanks of the marginal histograms, where fraud does not reach; the ranking and these runs on a coarser
    quadrature), then the best to convergence. The model
    without incremental fraud is fitted too and chosen by BIC (see ``_fit_histogram``). A bin probability is
    floored at 1e-9.

    Intervals: with ``n_bootstrap`` > 0, a parametric bootstrap — that many elections drawn from the fitted
    model on the same registered voters, each refitted from the fit — gives percentile intervals and a
    p-value for the deviance; otherwise (``intervals``) Wald intervals from the numerical Hessian.

    Parameters
    ----------
    registered, turnout_numerator, leader_votes, ballots : array_like of int
        Per station; the leader's share is ``leader_votes / ballots`` and turnout ``turnout_numerator /
        registered``. Filter first (ballots > 0, registered ≥ 100, turnout ≤ 100 %); stations above 99 % are
        *kept* here, since extreme fraud lives there.
    fit : bool
        Fit the model (otherwise only the histogram and correlation are computed).
    rng : numpy.random.Generator, int or None
        Seed or generator for the bootstrap.

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
    edges = _EDGES.copy()
    starts = _starts(turnout, share)
    if not fit:
        s = starts[0]
        nan = float("nan")
        return KlimekResult(len(reg), correlation, nan, nan, nan, s.fair_turnout, s.fair_turnout_sd,
                            s.fair_share, s.fair_share_sd, nan, nan, edges, observed,
                            np.zeros(observed.shape), extreme_sd=nan)
    obs = observed.astype(np.float64)
    best, value, unrestricted = _fit_histogram(obs, starts)
    probs = _model_probabilities(best)
    expected = probs * len(reg)
    deviance = _deviance(obs, probs)
    big = expected >= 5
    rmse = float(np.sqrt(np.mean(((obs - expected)[big]) ** 2 / expected[big]))) if big.any() else float("nan")
    df = int(big.sum()) - len(_FREE)
    found: dict[str, Interval] = {}
    method = ""
    gof_p = float("nan")
    if n_bootstrap > 0:
        found, gof_p = _bootstrap(reg, best, deviance, n_bootstrap, as_generator(rng))
        method = "bootstrap"
    elif intervals:
        found = _wald_intervals(unrestricted, obs)
        found = {k: Interval(min(v.low, getattr(best, k)), max(v.high, getattr(best, k))) for k, v in found.items()}
        method = "wald"
    return KlimekResult(
        n=len(reg), correlation=correlation, f_incremental=best.f_incremental, f_extreme=best.f_extreme,
        alpha=best.alpha, fair_turnout=best.fair_turnout, fair_turnout_sd=best.fair_turnout_sd,
        fair_share=best.fair_share, fair_share_sd=best.fair_share_sd, theta=best.theta, distance=value,
        edges=edges, observed=observed, model=expected, extreme_sd=best.extreme_sd, deviance=deviance,
        deviance_df=df, gof_rmse=rmse, gof_p=gof_p, intervals=found, interval_method=method,
        n_bootstrap=n_bootstrap,
    )


def _deviance(observed: FloatArray, probs: FloatArray) -> float:
    expected = probs * observed.sum()
    seen = observed > 0
    return float(2 * (observed[seen] * np.log(observed[seen] / np.maximum(expected[seen], 1e-300))).sum())


def _bootstrap(reg: FloatArray, fitted: _Params, deviance: float, reps: int,
               rng: np.random.Generator) -> tuple[dict[str, Interval], float]:
    """Parametric bootstrap: elections drawn from the fitted model, refitted from the fit (percentile CIs)."""
    values: dict[str, list[float]] = {name: [] for name in PARAMETERS}
    worse = 0
    for _ in range(reps):
        t, s = simulate(reg, fitted, _draws(len(reg), rng, fitted.extreme_sd))
        obs = _hist(t, s).astype(np.float64)
        refit, _ = _maximise(obs, [fitted], keep=1)
        for name in PARAMETERS:
            values[name].append(getattr(refit, name))
        worse += _deviance(obs, _model_probabilities(refit)) >= deviance
    tail = (1 - LEVEL) / 2 * 100
    out = {name: Interval(float(np.percentile(v, tail)), float(np.percentile(v, 100 - tail)))
           for name, v in values.items()}
    return out, (worse + 1) / (reps + 1)


