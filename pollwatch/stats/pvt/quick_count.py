"""The quick count on real data: estimate from reported sample stations, and validate by simulation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from pollwatch.stats.pvt.estimate import RatioEstimate, collapse_strata, ratio_estimates, z_value
from pollwatch.stats.pvt.frame import Frame
from pollwatch.stats.pvt.nonresponse import NonresponseCheck, nonresponse_check
from pollwatch.stats.pvt.sampling import allocate
from pollwatch.stats.results import ResultsTable, RowProblem

RandomLike = np.random.Generator | int | None
DESIGNS = ("srs", "stratified")
# Below this many reporting stations in a stratum the separate estimator's bias is not negligible (on 2018 with
# 500 stations over 87 strata its turnout intervals cover 86 %; docs/pvt.md).
SEPARATE_MIN_PER_STRATUM = 20
TAKE_ALL = "take-all"  # the label of validate's certainty stratum (take_all_above)


@dataclass(frozen=True)
class QuickCountEstimate:
    """Per-candidate share of valid votes and turnout, with margins of error, from the reported stations."""

    stations_reported: int
    turnout: RatioEstimate
    candidates: dict[str, RatioEstimate]
    design: str
    method: str
    confidence: float
    reported_by_stratum: dict[str, int]
    excluded: tuple[RowProblem, ...]  # reported stations left out (impossible numbers), with the reason
    warnings: tuple[str, ...]
    nonresponse: NonresponseCheck | None = None  # reported vs silent sample stations, when the sample is known

    def as_dict(self) -> dict[str, Any]:
        return {
            "stations_reported": self.stations_reported,
            "turnout": {**self.turnout.as_dict(), "stations": self.stations_reported},
            "candidates": {name: {**e.as_dict(), "stations": self.stations_reported}
                           for name, e in self.candidates.items()},
            "design": self.design,
            "method": self.method,
            "confidence": self.confidence,
            "reported_by_stratum": self.reported_by_stratum,
            "excluded": [{"station_id": p.station_id, "reason": p.reason} for p in self.excluded],
            "warnings": list(self.warnings),
            "nonresponse": self.nonresponse.as_dict() if self.nonresponse else None,
        }


def impossible_rows(results: ResultsTable) -> list[RowProblem]:
    """Stations whose numbers cannot all be true: excluded from estimates and validation, and listed.

    A station is impossible when ballots issued (or cast) exceed registered voters, a candidate's votes
    exceed registered voters, invalid ballots exceed ballots, or the candidates' votes together exceed the
    ballots cast. Stations with no registered voters and no votes are possible (they add nothing).

    >>> from pollwatch.stats.results import results_from_rows
    >>> t = results_from_rows(["station_id", "registered", "ballots", "invalid", "A", "B"],
    ...                       [["1", "100", "60", "2", "40", "18"], ["2", "100", "120", "0", "70", "50"]])
    >>> [(p.line, p.station_id, p.reason) for p in impossible_rows(t)]
    [(3, '2', 'ballots 120 > registered 100')]
    """
    valid = results.votes.sum(axis=1)
    top = results.votes.max(axis=1) if results.votes.shape[1] else np.zeros(len(results), dtype=np.int64)
    checks = [
        (results.ballots > results.registered, "ballots {ballots} > registered {registered}"),
        (top > results.registered, "a candidate's votes {top} > registered {registered}"),
        (results.invalid > results.ballots, "invalid {invalid} > ballots {ballots}"),
        (valid > results.ballots, "candidates' votes {valid} > ballots {ballots}"),
    ]
    if results.issued is not None:
        checks.insert(0, (results.issued > results.registered, "issued {issued} > registered {registered}"))
    failed = np.zeros(len(results), dtype=bool)
    for mask, _ in checks:
        failed |= mask
    lines = results.line if results.line is not None else np.zeros(len(results), dtype=np.int64)
    problems = []
    for i in np.flatnonzero(failed):
        values = {"ballots": results.ballots[i], "registered": results.registered[i], "top": top[i],
                  "invalid": results.invalid[i], "valid": valid[i],
                  "issued": None if results.issued is None else results.issued[i]}
        reasons = [text.format(**values) for mask, text in checks if mask[i]]
        problems.append(RowProblem(int(lines[i]), str(results.station_id[i]), "counts", "; ".join(reasons)))
    return problems


def estimate_quick_count(
    frame: Frame,
    results: ResultsTable,
    *,
    design: str = "stratified",
    strata: str | list[str] | None = None,
    method: str = "combined",
    confidence: float = 0.95,
    sample_ids: npt.ArrayLike | None = None,
) -> QuickCountEstimate:
    """Estimate shares and turnout from the sample stations that have reported.

    Shares are of valid votes (votes ÷ all candidates' votes); turnout is issued ÷ registered when the results
    have ``issued``, else ballots ÷ registered. Stations not in the frame are an error; reported stations with
    impossible numbers are excluded and listed; strata with fewer than two reporting stations are merged with
    a neighbour, with a warning. The finite-population correction uses the frame's station counts.

    Parameters
    ----------
    frame : Frame
        Every station of the population (for N_h, the finite-population correction and the strata).
    results : ResultsTable
        The canonical results of the sample stations that have reported (non-response: the others are absent).
    design : {"stratified", "srs"}
        ``srs`` ignores ``strata`` and gives NDI Apollo's estimator, p = Σa/Σm with
        Var = (1 − f)/(k m̄²) · (Σa² − 2pΣam + p²Σm²)/(k − 1).
    strata : str or list of str, optional
        Frame column(s) the sample was stratified by.
    method : {"combined", "separate"}
        Stratified ratio estimator (Cochran §6.11 or §6.10), see :func:`ratio_estimates`.
    confidence : float
        Level of the intervals: estimate ± z·SE (``moe``), and the logit interval of each ratio.
    sample_ids : array_like of str, optional
        The drawn (main) sample. When given, the reporting sample stations are compared with the silent ones on
        the frame's columns (:func:`~pollwatch.stats.pvt.nonresponse.nonresponse_check`) and a difference is a
        warning, listed first.

    Returns
    -------
    QuickCountEstimate
        ``stations_reported``, ``turnout`` and ``candidates`` (each a :class:`RatioEstimate`), the excluded
        stations and the warnings.

    References
    ----------
    .. [1] Estok, Nevitte & Cowan (2002), *The Quick Count and Election Observation*, NDI, ch. 5 and annex.
    .. [2] Cochran, W. G. (1977), *Sampling Techniques*, 3rd ed., Wiley, §6.3, §6.10–6.11.

    Examples
    --------
    >>> import numpy as np
    >>> from pollwatch.stats.results import results_from_rows
    >>> f = Frame(np.array(["S0", "S1", "S2", "S3", "S4"]), np.full(5, 200))
    >>> reported = results_from_rows(
    ...     ["station_id", "registered", "issued", "ballots", "invalid", "A", "B"],
    ...     [["S0", "200", "100", "100", "0", "30", "70"], ["S1", "200", "120", "120", "0", "60", "60"],
    ...      ["S2", "200", "80", "80", "0", "40", "40"]])
    >>> e = estimate_quick_count(f, reported, design="srs")
    >>> e.stations_reported, round(e.candidates["A"].estimate, 4), round(e.turnout.estimate, 2)
    (3, 0.4333, 0.5)
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}")
    if len(results) == 0:
        raise ValueError("no reported stations to estimate from")
    sorter = np.argsort(frame.station_id)
    found = np.searchsorted(frame.station_id, results.station_id, sorter=sorter)
    found = np.minimum(found, len(frame) - 1)
    rows_in_frame = sorter[found]
    known_station = frame.station_id[rows_in_frame] == results.station_id
    unknown = [str(s) for s in results.station_id[~known_station]]
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ValueError(f"{len(unknown)} reported station(s) are not in the frame: {', '.join(unknown[:5])}{more}")
    bad = impossible_rows(results)
    keep = np.ones(len(results), dtype=bool)
    keep &= ~np.isin(results.station_id, [p.station_id for p in bad])
    if keep.sum() < 2:
        raise ValueError("fewer than two reported stations with possible numbers: no estimate can be made")
    results = results.subset(keep)
    rows = rows_in_frame[keep]
    if results.votes.sum() == 0:
        raise ValueError("the reported stations have no votes for any candidate: shares cannot be estimated")
    if results.registered.sum() == 0:
        raise ValueError("the reported stations have no registered voters: turnout cannot be estimated")
    warnings: list[str] = []
    if bad:
        warnings.append(f"{len(bad)} reported station(s) with impossible numbers were excluded")
    frame_labels = frame.strata(strata if design == "stratified" else None)
    reported = np.zeros(len(frame), dtype=bool)
    reported[rows] = True
    labels, merges = collapse_strata(frame_labels, reported)
    for merged in merges:
        warnings.append(f"strata {merged} had fewer than two reporting stations: variance undefined, merged")
    station_labels = labels[rows]
    order = np.argsort(station_labels, kind="stable")
    names, starts, counts = np.unique(station_labels[order], return_index=True, return_counts=True)
    if method == "separate" and len(names) > 1 and counts.min() < SEPARATE_MIN_PER_STRATUM:
        warnings.append(
            f"separate ratio estimator with {int((counts < SEPARATE_MIN_PER_STRATUM).sum())} strata of fewer than "
            f"{SEPARATE_MIN_PER_STRATUM} reporting stations: its bias adds up over strata and the turnout interval "
            "may under-cover (Cochran §6.12); prefer the combined estimator")
    frame_names, frame_inverse = np.unique(labels, return_inverse=True)
    at = np.searchsorted(frame_names, names)
    population = np.bincount(frame_inverse, minlength=len(frame_names)).astype(np.float64)[at]
    known = np.bincount(frame_inverse, weights=frame.registered, minlength=len(frame_names))[at]
    votes = results.votes[order].astype(np.float64)
    valid = votes.sum(axis=1, keepdims=True)
    share, share_se = ratio_estimates(votes[None], valid[None], starts, population, method=method)
    turnout, turnout_se = ratio_estimates(results.turnout_numerator[order].astype(np.float64)[None, :, None],
                                          results.registered[order].astype(np.float64)[None, :, None], starts,
                                          population, method=method, known_denominators=known)
    z = z_value(confidence)
    nonresponse = None
    if sample_ids is not None:
        nonresponse = nonresponse_check(frame, sample_ids, results.station_id)
        if nonresponse.warning:
            warnings.insert(0, nonresponse.warning)
    return QuickCountEstimate(
        stations_reported=int(len(results)),
        turnout=RatioEstimate(float(turnout[0, 0]), float(turnout_se[0, 0]), z * float(turnout_se[0, 0])),
        candidates={name: RatioEstimate(float(share[0, k]), float(share_se[0, k]), z * float(share_se[0, k]))
                    for k, name in enumerate(results.candidates)},
        design=design,
        method=method,
        confidence=confidence,
        reported_by_stratum={str(n): int(c) for n, c in zip(names, counts, strict=True)},
        excluded=tuple(bad),
        warnings=tuple(warnings),
        nonresponse=nonresponse,
    )


@dataclass(frozen=True)
class Coverage:
    coverage: float  # share of repetitions whose normal interval (estimate ± moe) contains the true value
    bias: float  # mean of estimate − truth
    mean_moe: float
    truth: float
    # The same for the logit interval (RatioEstimate.logit_interval), the one the app shows.
    logit_coverage: float
    # Share of repetitions whose interval lies wholly below the truth (the miss of a right-skewed estimate of a
    # small share): normal and logit. The rest of the misses lie above.
    below: float
    logit_below: float

    def as_dict(self) -> dict[str, float]:
        return {"coverage": self.coverage, "bias": self.bias, "mean_moe": self.mean_moe, "true": self.truth,
                "logit_coverage": self.logit_coverage, "below": self.below, "logit_below": self.logit_below}


def logit_intervals(estimates: npt.ArrayLike, se: npt.ArrayLike, z: float) -> tuple[np.ndarray, np.ndarray]:
    """:attr:`RatioEstimate.logit_interval` for arrays of estimates: logit(p) ± z·SE/(p(1 − p)) mapped back,
    and the normal interval clipped to [0, 1] where p is 0 or 1 or SE is 0.

    >>> low, high = logit_intervals([0.004, 0.5], [0.001, 0.01], 1.96)
    >>> [round(float(x), 3) for x in low], [round(float(x), 3) for x in high]
    ([0.002, 0.48], [0.007, 0.52])
    """
    p = np.asarray(estimates, dtype=np.float64)
    s = np.asarray(se, dtype=np.float64)
    inside = (p > 0) & (p < 1) & (s > 0)
    q = np.where(inside, p, 0.5)
    centre = np.log(q / (1 - q))
    half = z * np.where(inside, s, 0.0) / (q * (1 - q))
    low = np.where(inside, 1 / (1 + np.exp(-(centre - half))), np.clip(p - z * s, 0.0, 1.0))
    high = np.where(inside, 1 / (1 + np.exp(-(centre + half))), np.clip(p + z * s, 0.0, 1.0))
    return low, high


@dataclass(frozen=True)
class ValidationResult:
    size: int
    reps: int
    design: str
    strata: str | None
    turnout: Coverage
    candidates: dict[str, Coverage]
    population_stations: int  # stations the samples are drawn from and the truth is computed over
    population_excluded: tuple[RowProblem, ...] = ()  # stations left out: impossible numbers, as in estimates
    warnings: tuple[str, ...] = ()  # e.g. strata merged because they have a single station

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size, "reps": self.reps, "design": self.design, "strata": self.strata,
            "population_stations": self.population_stations,
            "population_excluded": [{"station_id": p.station_id, "reason": p.reason}
                                    for p in self.population_excluded],
            "warnings": list(self.warnings),
            "turnout": self.turnout.as_dict(),
            "candidates": {name: c.as_dict() for name, c in self.candidates.items()},
        }


def validate_quick_count(
    population: ResultsTable,
    *,
    size: int,
    reps: int,
    strata: str | None = None,
    design: str = "stratified",
    method: str = "combined",
    confidence: float = 0.95,
    rng: RandomLike = None,
    progress: Callable[[int], None] | None = None,
    take_all_above: int | None = None,
) -> ValidationResult:
    """Draw ``reps`` samples of ``size`` stations from a full results file, estimate, and check the intervals.

    ``take_all_above``: stations with at least this many registered voters form a stratum of their own that every
    sample takes whole (a certainty stratum: no sampling variance). Remote electronic voting published as a few
    "stations" of 20,000–170,000 voters (Russia 2021) needs it: drawn or not drawn by chance, such a unit moves
    every share by points, and no interval built on the other stations covers it (docs/pvt.md).

    The population is every station of the file that an estimate would use: rows the loader could not read
    are already left out, and stations with impossible numbers (see :func:`impossible_rows`) are left out
    and listed in ``population_excluded``, exactly as :func:`estimate_quick_count` leaves them out. The
    true values are computed over it exactly as the estimator defines them: a candidate's share of all
    candidates' votes, and Σ issued (or ballots) ÷ Σ registered. Samples are drawn with the project's own
    design (proportional allocation, at least two stations per stratum), all repetitions at once as index arrays.

    Returns
    -------
    ValidationResult
        For turnout and each candidate a :class:`Coverage`: the share of intervals containing the true value,
        the mean bias and the mean margin of error.

    Examples
    --------
    >>> import numpy as np
    >>> from pollwatch.stats.results import ResultsTable
    >>> rng = np.random.default_rng(0)
    >>> reg = rng.integers(500, 1500, 2000)
    >>> issued = rng.binomial(reg, 0.6)
    >>> a = rng.binomial(issued, rng.uniform(0.4, 0.6, 2000))
    >>> pop = ResultsTable(np.arange(2000).astype(str), np.array(["N", "S"] * 1000), np.full(2000, "d"),
    ...                    reg, issued, np.zeros(2000, int), np.column_stack([a, issued - a]), ("A", "B"),
    ...                    issued=issued)
    >>> v = validate_quick_count(pop, size=200, reps=400, strata="region", rng=1)
    >>> 0.92 <= v.candidates["A"].coverage <= 0.98
    True
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}")
    if reps < 1:
        raise ValueError("reps must be at least 1")
    excluded = impossible_rows(population)
    if excluded:
        keep = ~np.isin(population.station_id, [p.station_id for p in excluded])
        population = population.subset(keep)
    n_pop = len(population)
    if n_pop < 2:
        raise ValueError("the population has fewer than two stations with possible numbers")
    if size < 2 or size > n_pop:
        raise ValueError(f"size must be between 2 and the number of stations ({n_pop})")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if design == "stratified" and strata:
        if strata not in ("region", "district"):
            raise ValueError("validate stratifies by a column of the results file: 'region' or 'district'")
        labels = getattr(population, strata).astype(str)
    else:
        labels = np.full(n_pop, "all")
    take_all = TAKE_ALL
    if take_all_above is not None:
        big = population.registered >= take_all_above
        if big.sum() == 1:
            raise ValueError(f"one station has {take_all_above} registered voters or more: a take-all stratum "
                             "needs at least two (raise or drop --take-all-above)")
        labels = np.where(big, take_all, labels)
    names, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(names))
    warnings: list[str] = []
    if np.any(counts < 2):
        labels, merges = collapse_strata(labels, np.ones(n_pop, dtype=bool))
        warnings += [f"strata {m} had fewer than two stations in the population: merged" for m in merges]
        names, inverse = np.unique(labels, return_inverse=True)
        counts = np.bincount(inverse, minlength=len(names))
    certain = names == take_all
    if certain.any():
        rest = int(size - counts[certain].sum())
        if rest < 2:
            raise ValueError(f"size must exceed the {int(counts[certain].sum())} take-all stations by at least 2")
        alloc = np.zeros(len(names), dtype=np.int64)
        alloc[certain] = counts[certain]
        alloc[~certain] = allocate(counts[~certain], rest, minimum=2)
        warnings.append(f"{int(counts[certain].sum())} stations with ≥ {take_all_above} registered voters are "
                        "taken in every sample (take-all stratum)")
    else:
        alloc = allocate(counts, size, minimum=2)
    members = [np.flatnonzero(inverse == h) for h in range(len(names))]
    starts = np.concatenate([[0], np.cumsum(alloc)[:-1]]).astype(np.int64)
    population_n = counts.astype(np.float64)
    known = np.array([population.registered[m].sum() for m in members], dtype=np.float64)
    votes = population.votes.astype(np.float64)
    valid = votes.sum(axis=1, keepdims=True)
    t_num = population.turnout_numerator.astype(np.float64)[:, None]
    t_den = population.registered.astype(np.float64)[:, None]
    true_share = votes.sum(axis=0) / valid.sum()
    true_turnout = float(t_num.sum() / t_den.sum())
    z = z_value(confidence)
    est_s, se_s, est_t, se_t = [], [], [], []
    chunk = max(1, min(reps, 2_000_000 // max(size * (votes.shape[1] + 2), 1)))
    done = 0
    while done < reps:
        r = min(chunk, reps - done)
        index = np.concatenate(
            [m[np.argsort(generator.random((r, len(m))), axis=1)[:, :a]] if a else np.empty((r, 0), np.int64)
             for m, a in zip(members, alloc, strict=True)],
            axis=1,
        )
        s, sse = ratio_estimates(votes[index], valid[index], starts, population_n, method=method)
        t, tse = ratio_estimates(t_num[index], t_den[index], starts, population_n, method=method,
                                 known_denominators=known)
        est_s.append(s)
        se_s.append(sse)
        est_t.append(t[:, 0])
        se_t.append(tse[:, 0])
        done += r
        if progress:
            progress(done)
    share, share_se = np.concatenate(est_s), np.concatenate(se_s)
    turnout, turnout_se = np.concatenate(est_t), np.concatenate(se_t)

    def coverage(estimates: np.ndarray, se: np.ndarray, truth: float) -> Coverage:
        moe = z * se
        low, high = logit_intervals(estimates, se, z)
        return Coverage(float(np.mean(np.abs(estimates - truth) <= moe)), float(np.mean(estimates - truth)),
                        float(np.mean(moe)), truth, logit_coverage=float(np.mean((low <= truth) & (truth <= high))),
                        below=float(np.mean(estimates + moe < truth)), logit_below=float(np.mean(high < truth)))

    return ValidationResult(
        size=size, reps=reps, design=design, strata=strata if design == "stratified" else None,
        turnout=coverage(turnout, turnout_se, true_turnout),
        candidates={name: coverage(share[:, k], share_se[:, k], float(true_share[k]))
                    for k, name in enumerate(population.candidates)},
        population_stations=n_pop,
        population_excluded=tuple(excluded),
        warnings=tuple(warnings),
    )
