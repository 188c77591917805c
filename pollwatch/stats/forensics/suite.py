"""Run every forensic test on a results table, with a regional breakdown, and shape the JSON report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from pollwatch.stats.forensics._common import (
    BoolArray,
    Exclusions,
    RandomLike,
    analysis_mask,
    as_generator,
    safe_ratio,
)
from pollwatch.stats.forensics.comet import CometResult, comet
from pollwatch.stats.forensics.excess_votes import ExcessVotesResult, excess_votes
from pollwatch.stats.forensics.fingerprints import (
    SobyaninResult,
    ZeroFiveResult,
    sobyanin_sukhovolsky,
    zero_five_digits,
)
from pollwatch.stats.forensics.integer_peaks import DEFAULT_RESAMPLES, IntegerPeaksResult, integer_peaks
from pollwatch.stats.forensics.intervals import (
    Estimate,
    bootstrap_interval,
    chi2_interval,
    correlation_interval,
    digit_mean_interval,
    holm,
    integer_excess_interval,
)
from pollwatch.stats.forensics.klimek import KlimekResult, klimek_fingerprint
from pollwatch.stats.forensics.last_digit import LastDigitResult, last_digit_test
from pollwatch.stats.forensics.mixture import FraudProbabilitiesResult, fraud_probabilities
from pollwatch.stats.forensics.outliers import OutliersResult, find_outliers
from pollwatch.stats.forensics.second_digit import SecondDigitResult, second_digit_test
from pollwatch.stats.results import ResultsTable, RowProblem

Progress = Callable[[str], None]
EXCESS_REPS = 100  # station-bootstrap resamples of Shpilkin's excess votes (country)
REGION_EXCESS_REPS = 30  # … and per region
FLAG_LEVEL = 0.05  # family-wise error rate of the regional flags (Holm)
TOP_STATIONS = 20  # stations listed with their posterior fraud probabilities


@dataclass(frozen=True)
class RegionRow:
    """One region's share of each test: which regions drive an anomaly."""

    region: str
    stations: int
    analyzed: int
    turnout: float
    leader_share: float
    integer_observed: int
    integer_expected: float
    second_digit_mean: float
    second_digit_n: int
    near_full_turnout: int
    identical_protocols: int
    second_digit_p: float = float("nan")
    last_digit_p: float = float("nan")
    correlation: float = float("nan")  # turnout–leader share, analysed stations
    excess_votes: float = float("nan")  # Shpilkin's estimate within the region (its own turnout peak)
    # 95 % intervals (pollwatch.stats.forensics.intervals) and Holm-adjusted p-values across regions
    integer_excess_interval: tuple[float, float] = (float("nan"), float("nan"))
    integer_p: float = float("nan")
    integer_p_holm: float = float("nan")
    second_digit_interval: tuple[float, float] = (float("nan"), float("nan"))
    second_digit_p_holm: float = float("nan")
    last_digit_p_holm: float = float("nan")
    correlation_interval: tuple[float, float] = (float("nan"), float("nan"))
    excess_votes_interval: tuple[float, float] = (float("nan"), float("nan"))
    flagged: tuple[str, ...] = ()  # tests whose Holm-adjusted p-value is below 5 %

    @property
    def integer_excess(self) -> float:
        return self.integer_observed - self.integer_expected


@dataclass(frozen=True)
class ForensicsReport:
    table: ResultsTable
    leader: int
    analyzed: BoolArray  # stations used by the rate-based tests
    exclusions: Exclusions
    integer: IntegerPeaksResult
    second_digit_leader: SecondDigitResult
    second_digit_all: SecondDigitResult
    last_digit_all: LastDigitResult
    correlation: float
    klimek: KlimekResult
    excess: ExcessVotesResult
    outliers: OutliersResult
    regions: tuple[RegionRow, ...]
    flags: tuple[RowProblem, ...] = ()  # stations kept as published whose numbers cannot all be true
    intervals: dict[str, Estimate] = field(default_factory=dict)  # 95 % interval of each headline figure
    zero_five: ZeroFiveResult | None = None
    sobyanin: SobyaninResult | None = None
    comet: CometResult | None = None  # over the fingerprint's stations (``fingerprint``)
    fraud: FraudProbabilitiesResult | None = None  # per-station posteriors, same stations
    fingerprint: BoolArray | None = None  # stations of the Klimek fit, the comet and the posteriors

    @property
    def leader_name(self) -> str:
        return self.table.candidates[self.leader]

    def integer_station_ids(self) -> list[str]:
        ids = self.table.station_id[self.analyzed][self.integer.on_integer]
        return [str(s) for s in ids]

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data; a figure that is undefined (no counts ≥ 10, one station) is ``None``."""
        data: dict[str, Any] = _finite(self._json())
        return data

    def _json(self) -> dict[str, Any]:
        t = self.table
        return {
            "stations": {
                "total": t.rows_read,
                "loaded": len(t),
                "analyzed": int(self.analyzed.sum()),
                "excluded": {
                    "unreadable_rows": len(t.problems),
                    **self.exclusions.as_dict(),
                },
                "flagged": {column: sum(f.column == column for f in self.flags)
                            for column in sorted({f.column for f in self.flags})},
            },
            "leader": self.leader_name,
            "turnout": float(safe_ratio(t.turnout_numerator.sum(), t.registered.sum())),
            "leader_share": float(safe_ratio(t.votes[:, self.leader].sum(), t.ballots.sum())),
            "integer_percentages": {
                "observed": self.integer.observed,
                "expected_mean": self.integer.expected_mean,
                "expected_sd": self.integer.expected_sd,
                "excess": self.integer.excess,
                "p_value": self.integer.p_value,
                "n_resamples": self.integer.n_resamples,
                "stations": self.integer_station_ids(),
                "excess_interval": self._interval("integer_excess"),
            },
            "second_digit": {
                "leader": _digits_json(self.second_digit_leader),
                "all": _digits_json(self.second_digit_all),
                "benford_mean": self.second_digit_leader.benford_mean,
                "leader_mean_interval": self._interval("second_digit_mean"),
            },
            "last_digit": {
                "n": self.last_digit_all.n,
                "chi2": self.last_digit_all.chi2,
                "p_value": self.last_digit_all.p_value,
                "zero_share": self.last_digit_all.zero_share,
                "chi2_interval": self._interval("last_digit_chi2"),
            },
            "zero_five_digits": None if self.zero_five is None else {
                "n": self.zero_five.n, "share": self.zero_five.share, "expected": 0.2,
                "interval": [self.zero_five.low, self.zero_five.high], "p_value": self.zero_five.p_value},
            "sobyanin_sukhovolsky": None if self.sobyanin is None else {
                "stations": self.sobyanin.n, "leader_slope": self.sobyanin.leader_slope,
                "leader_interval": list(self.sobyanin.leader_interval), "others_slope": self.sobyanin.others_slope,
                "others_interval": list(self.sobyanin.others_interval)},
            "comet": None if self.comet is None else self.comet.to_json(),
            "station_fraud_probabilities": None if self.fraud is None or self.fingerprint is None else
            self.fraud.to_json(t.station_id[self.fingerprint], k=TOP_STATIONS),
            "turnout_share_correlation": self.correlation,
            "turnout_share_correlation_interval": self._interval("correlation"),
            "intervals": {name: {"value": e.value, "interval": e.as_list(), "method": e.method}
                          for name, e in self.intervals.items()},
            "klimek": {
                **self.klimek.to_json(),
                "fair_leader_share": self.klimek.fair_share,
                "stations": self.klimek.n,
            },
            "excess_votes": self.excess.excess_votes,
            "excess_votes_detail": {
                "share_of_leader_votes": self.excess.excess_share,
                "threshold_turnout": self.excess.threshold_turnout,
                "core_ratio": self.excess.core_ratio,
                "interval": self._interval("excess_votes"),
            },
            "outliers": {
                "near_full_turnout": [str(t.station_id[i]) for i in self.outliers.near_full_turnout],
                "near_full_leader_share": [str(t.station_id[i]) for i in self.outliers.near_full_share],
                "identical_protocols": [[str(t.station_id[i]) for i in g] for g in self.outliers.identical_groups],
            },
            "regions": [
                {
                    "region": r.region, "stations": r.stations, "analyzed": r.analyzed, "turnout": r.turnout,
                    "leader_share": r.leader_share, "integer_observed": r.integer_observed,
                    "integer_expected": r.integer_expected, "integer_excess": r.integer_excess,
                    "second_digit_mean": r.second_digit_mean, "second_digit_n": r.second_digit_n,
                    "second_digit_p_value": r.second_digit_p, "last_digit_p_value": r.last_digit_p,
                    "turnout_share_correlation": r.correlation, "excess_votes": r.excess_votes,
                    "near_full_turnout": r.near_full_turnout, "identical_protocols": r.identical_protocols,
                    "integer_excess_interval": list(r.integer_excess_interval), "integer_p_value": r.integer_p,
                    "integer_p_holm": r.integer_p_holm, "second_digit_mean_interval": list(r.second_digit_interval),
                    "second_digit_p_holm": r.second_digit_p_holm, "last_digit_p_holm": r.last_digit_p_holm,
                    "turnout_share_correlation_interval": list(r.correlation_interval),
                    "excess_votes_interval": list(r.excess_votes_interval), "flagged": list(r.flagged),
                }
                for r in self.regions
            ],
            "problems": [
                {"line": p.line, "station_id": p.station_id, "column": p.column, "reason": p.reason}
                for p in t.problems
            ],
            "flags": [
                {"line": p.line, "station_id": p.station_id, "column": p.column, "reason": p.reason}
                for p in self.flags
            ],
        }


    def _interval(self, name: str) -> list[float] | None:
        estimate = self.intervals.get(name)
        return estimate.as_list() if estimate else None


def _finite(value: Any) -> Any:
    """NaN and infinities become None, so that the JSON is standard and an undefined figure is explicit."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _digits_json(r: SecondDigitResult) -> dict[str, Any]:
    return {"mean": r.mean, "n": r.n, "chi2": r.chi2, "p_value": r.p_value, "frequencies": list(r.frequencies)}


def run_forensics(
    table: ResultsTable,
    *,
    leader: str | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    rng: RandomLike = None,
    progress: Progress | None = None,
    breakdown: str = "region",
    klimek_bootstrap: int = 0,
) -> ForensicsReport:
    """Every forensic test on ``table``; the leader defaults to the candidate with the most votes.

    ``breakdown`` is the column of the regional table: "region" or "district". ``klimek_bootstrap`` > 0 gives
    the Klimek parameters parametric-bootstrap intervals from that many refits (slow: about a second each);
    otherwise they get Wald intervals.
    """
    if breakdown not in ("region", "district"):
        raise ValueError("breakdown must be 'region' or 'district'")
    step = progress or (lambda message: None)
    if len(table) == 0:
        raise ValueError("no usable stations in the results")
    li = table.candidate_index(leader) if leader else table.leader_index()
    generator = as_generator(rng)
    mask, exclusions = analysis_mask(table, li)
    if not mask.any():
        raise ValueError("no station passes the filters (ballots > 0, registered ≥ 100, rates ≤ 99 %)")
    lead = table.votes[:, li]
    step("integer percentages")
    integer = integer_peaks(table.turnout_numerator[mask], table.registered[mask], lead[mask],
                            table.ballots[mask], n_resamples=n_resamples, rng=generator)
    step("digit tests")
    second_leader = second_digit_test(lead)
    second_all = second_digit_test(table.votes.ravel())
    last_all = last_digit_test(table.votes.ravel())
    turnout = safe_ratio(table.turnout_numerator, table.registered)
    share = safe_ratio(lead, table.ballots)
    correlation = float("nan")  # undefined for one station or a constant rate; null in the JSON
    if mask.sum() > 1 and turnout[mask].std() > 0 and share[mask].std() > 0:
        correlation = float(np.corrcoef(turnout[mask], share[mask])[0, 1])
    step("turnout–share fingerprint")
    fingerprint_mask = (table.ballots > 0) & (table.registered >= 100) & (table.turnout_numerator <= table.registered)
    fingerprint_mask &= lead <= table.ballots
    klimek = klimek_fingerprint(table.registered[fingerprint_mask], table.turnout_numerator[fingerprint_mask],
                                lead[fingerprint_mask], table.ballots[fingerprint_mask], rng=generator,
                                n_bootstrap=klimek_bootstrap)
    step("excess votes and outliers")
    others = table.votes.sum(axis=1) - lead
    excess = excess_votes(table.turnout_numerator[fingerprint_mask], table.registered[fingerprint_mask],
                          lead[fingerprint_mask], others[fingerprint_mask])
    outliers = find_outliers(table.registered, table.turnout_numerator, table.ballots, table.invalid,
                             table.votes, li)
    step("intervals")
    fm = fingerprint_mask
    shpilkin = _shpilkin(table.turnout_numerator[fm], table.registered[fm], lead[fm], others[fm])
    intervals = {
        "integer_excess": integer_excess_interval(integer.observed, integer.hit_probability)[0],
        "second_digit_mean": digit_mean_interval(second_leader.frequencies),
        "last_digit_chi2": chi2_interval(last_all.frequencies, np.full(10, 0.1), generator),
        "correlation": correlation_interval(turnout[mask], share[mask]),
        "excess_votes": bootstrap_interval(shpilkin, int(fm.sum()), excess.excess_votes, generator, EXCESS_REPS),
    }
    regions = _regional_rows(table, li, mask, fingerprint_mask, integer, outliers, getattr(table, breakdown),
                             generator)
    fm_args = (table.registered[fm], table.turnout_numerator[fm], lead[fm], table.ballots[fm])
    # the lines over the integer test's stations (≤ 99 %), with its null per line; the points over all
    comet_result = comet(fm_args[1], fm_args[0], fm_args[2], fm_args[3], line_stations=mask[fm],
                         line_expected=integer.line_expected)
    fraud = fraud_probabilities(*fm_args, fit=klimek)
    zero_five = zero_five_digits(table.votes.ravel())
    sobyanin = sobyanin_sukhovolsky(table.registered[mask], table.turnout_numerator[mask], lead[mask], others[mask])
    return ForensicsReport(table, li, mask, exclusions, integer, second_leader, second_all, last_all,
                           correlation, klimek, excess, outliers, regions, table.check_protocols(), intervals,
                           zero_five, sobyanin, comet_result, fraud, fingerprint_mask)


def _shpilkin(num: np.ndarray, reg: np.ndarray, lead: np.ndarray,
              others: np.ndarray) -> Callable[[np.ndarray], float]:
    """Shpilkin's excess votes on a resample (indices) of the given stations."""
    def statistic(idx: np.ndarray) -> float:
        return excess_votes(num[idx], reg[idx], lead[idx], others[idx]).excess_votes
    return statistic


def station_flags(n: int, analyzed: BoolArray, integer: IntegerPeaksResult,
                  outliers: OutliersResult) -> dict[str, BoolArray]:
    """Per-station masks over all ``n`` stations: on an integer value, turnout ≥ 99 %, identical protocol."""
    on_integer = np.zeros(n, dtype=bool)
    on_integer[np.flatnonzero(analyzed)] = integer.on_integer
    near_full = np.zeros(n, dtype=bool)
    near_full[list(outliers.near_full_turnout)] = True
    identical = np.zeros(n, dtype=bool)
    for group in outliers.identical_groups:
        identical[list(group)] = True
    return {"on_integer": on_integer, "near_full": near_full, "identical": identical}


def _regional_rows(table: ResultsTable, li: int, mask: BoolArray, fingerprint_mask: BoolArray,
                   integer: IntegerPeaksResult, outliers: OutliersResult,
                   labels: np.ndarray, rng: np.random.Generator | None = None) -> tuple[RegionRow, ...]:
    """One row per region with its figures, their intervals, and the flags that survive Holm's correction."""
    generator = rng if rng is not None else np.random.default_rng(0)
    n = len(table)
    flags = station_flags(n, mask, integer, outliers)
    on_integer, full, identical = flags["on_integer"], flags["near_full"], flags["identical"]
    hit = np.zeros(n)
    hit[np.flatnonzero(mask)] = integer.hit_probability
    rows = []
    lead = table.votes[:, li]
    others = table.votes.sum(axis=1) - lead
    turnout = safe_ratio(table.turnout_numerator, table.registered)
    share = safe_ratio(lead, table.ballots)
    for region in np.unique(labels):
        r = labels == region
        digits = second_digit_test(lead[r])
        last = last_digit_test(table.votes[r].ravel())
        used = r & mask
        correlation = float("nan")  # undefined below three stations or for a constant rate
        if used.sum() > 2 and turnout[used].std() > 0 and share[used].std() > 0:
            correlation = float(np.corrcoef(turnout[used], share[used])[0, 1])
        core = r & fingerprint_mask
        excess = float("nan")
        excess_ci = Estimate(excess, excess, excess, "")
        if core.any():
            cn, cr, cl, co = (table.turnout_numerator[core], table.registered[core], lead[core], others[core])
            excess = excess_votes(cn, cr, cl, co).excess_votes
            excess_ci = bootstrap_interval(_shpilkin(cn, cr, cl, co), int(core.sum()), excess, generator,
                                           REGION_EXCESS_REPS)
        integer_ci, integer_p = integer_excess_interval(int(on_integer[r].sum()), hit[r & mask])
        digit_ci = digit_mean_interval(digits.frequencies)
        corr_ci = correlation_interval(turnout[used], share[used])
        rows.append(RegionRow(
            region=str(region), stations=int(r.sum()), analyzed=int((r & mask).sum()),
            turnout=float(safe_ratio(table.turnout_numerator[r].sum(), table.registered[r].sum())),
            leader_share=float(safe_ratio(lead[r].sum(), table.ballots[r].sum())),
            integer_observed=int(on_integer[r].sum()), integer_expected=float(hit[r].sum()),
            second_digit_mean=digits.mean, second_digit_n=digits.n,
            near_full_turnout=int(full[r].sum()), identical_protocols=int(identical[r].sum()),
            second_digit_p=digits.p_value, last_digit_p=last.p_value, correlation=correlation,
            excess_votes=excess, integer_excess_interval=(integer_ci.low, integer_ci.high), integer_p=integer_p,
            second_digit_interval=(digit_ci.low, digit_ci.high), correlation_interval=(corr_ci.low, corr_ci.high),
            excess_votes_interval=(excess_ci.low, excess_ci.high),
        ))
    p_integer = holm([row.integer_p for row in rows])
    p_digit = holm([row.second_digit_p for row in rows])
    p_last = holm([row.last_digit_p for row in rows])
    adjusted = []
    for row, pi, pd, pl in zip(rows, p_integer, p_digit, p_last, strict=True):
        flagged = tuple(name for name, p in (("integer_excess", pi), ("second_digit", pd), ("last_digit", pl))
                        if np.isfinite(p) and p < FLAG_LEVEL)
        adjusted.append(replace(row, integer_p_holm=float(pi), second_digit_p_holm=float(pd),
                                last_digit_p_holm=float(pl), flagged=flagged))
    adjusted.sort(key=lambda row: row.integer_excess, reverse=True)
    return tuple(adjusted)
