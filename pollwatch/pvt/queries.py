"""Reads of the quick count: the election as a sampling frame, and the live estimate of a sample."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext

from pollwatch.collection.counts import count_row
from pollwatch.collection.models import Submission
from pollwatch.elections.models import CandidateVotes, Election, StationResult
from pollwatch.geography.models import PollingStation
from pollwatch.geography.regions import regions
from pollwatch.geography.tree import unit_tree
from pollwatch.pvt.models import PvtSample
from pollwatch.stats.pvt.frame import Frame
from pollwatch.stats.pvt.quick_count import QuickCountEstimate, estimate_quick_count
from pollwatch.stats.results import ResultsTable, RowProblem
from pollwatch.web.stats_messages import stats_message

STRATUM_COLUMNS = ("region", "district", "setting")
CONVERGENCE_POINTS = 12


def election_frame(election: Election) -> tuple[Frame, np.ndarray]:
    """Every station of the election with its stratum attributes, and the matching station primary keys."""
    # The region stratum is the station's region (pollwatch.geography.regions), or its own unit outside any.
    tree = unit_tree(election.pk)
    region_names = dict(regions(election).values_list("pk", "name"))
    rows = [
        (pk, code, registered, unit_name, region_names.get(tree.region(unit_id)), setting)
        for pk, code, registered, unit_id, unit_name, setting in
        PollingStation.objects.filter(election=election).order_by("code")
        .values_list("pk", "code", "registered_voters", "unit_id", "unit__name", "setting")
    ]
    pks = np.array([r[0] for r in rows], dtype=np.int64)
    frame = Frame(
        station_id=np.array([r[1] for r in rows]),
        registered=np.array([r[2] for r in rows], dtype=np.int64),
        attributes={
            "region": np.array([r[4] or r[3] for r in rows]),
            "district": np.array([r[3] for r in rows]),
            "setting": np.array([r[5] or "unknown" for r in rows]),
        },
    )
    return frame, pks


@dataclass(frozen=True)
class ConvergencePoint:
    reported: int
    estimates: dict[str, tuple[float, float]]  # candidate → (estimate, moe)


@dataclass
class LiveEstimate:
    sample: PvtSample
    candidates: list[str]
    expected: int
    reported: int
    estimate: QuickCountEstimate | None
    by_stratum: list[tuple[str, int, int]]  # (stratum, expected, reported)
    flagged: list[RowProblem] = field(default_factory=list)
    convergence: list[ConvergencePoint] = field(default_factory=list)
    official: dict[str, float] | None = None  # official share of valid votes per candidate, and "turnout"
    # Shown to the user, in the active language (pollwatch.stats's English translated by stats_message), as are
    # the reasons of ``flagged``.
    message: str = ""
    warnings: list[str] = field(default_factory=list)


def live_estimate(sample: PvtSample) -> LiveEstimate:
    """The current estimate from the latest count report of each main-sample station, in arrival order."""
    candidates = list(sample.contest.candidates.order_by("ballot_position").values_list("ballot_position", "name"))
    names = [name for _, name in candidates]
    main = list(sample.stations.filter(is_reserve=False).select_related("station").order_by("position"))
    by_station = {s.station_id: s for s in main}
    reports = (
        Submission.objects.for_mission(sample.mission)
        # Current, not held: a replaced report no longer counts, nor one held for review (an "edit" from another
        # login, a station outside the sender's deployment) until a coordinator accepts it.
        .filter(station_id__in=by_station, form__form_id=sample.count_form_id, is_current=True, held=False)
        .order_by("received_at", "pk")
        .values_list("station_id", "values", "received_at")
    )
    latest: dict[int, dict] = {}
    first_seen: dict[int, object] = {}
    for station_id, values, received in reports:
        latest[station_id] = values or {}  # a later report (an edit, a correction) replaces the earlier one
        first_seen.setdefault(station_id, received)
    header = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid", *names]
    rows: list[list[str]] = []
    flagged: list[RowProblem] = []
    for station_id in sorted(latest, key=lambda s: first_seen[s]):
        st = by_station[station_id]
        try:
            rows.append([st.station.code, "", "", *count_row(latest[station_id], candidates,
                                                                st.station.registered_voters)])
        except ValueError as exc:
            flagged.append(RowProblem(0, st.station.code, "count", gettext("incomplete count report: %(problem)s")
                                      % {"problem": stats_message(str(exc))}))
    frame, _ = election_frame(sample.mission.election)
    expected = {}
    for s in main:
        expected[s.stratum] = expected.get(s.stratum, 0) + 1
    stratum_of = {s.station.code: s.stratum for s in main}
    reported_strata: dict[str, int] = {}
    for row in rows:
        reported_strata[stratum_of[row[0]]] = reported_strata.get(stratum_of[row[0]], 0) + 1
    result = LiveEstimate(
        sample=sample, candidates=names, expected=len(main), reported=len(rows), estimate=None,
        # Strata are named by their stations' attributes (data); an unstratified sample has one, of every station.
        by_stratum=[(name if sample.strata_columns else gettext("all stations"), n, reported_strata.get(name, 0))
                    for name, n in sorted(expected.items())],
        flagged=flagged, official=official_shares(sample),
    )
    if len(rows) < 2:
        result.message = gettext("Fewer than two sample stations have reported a usable count: no estimate yet.")
        return result
    from pollwatch.stats.results import results_from_rows

    table = results_from_rows(header, rows)
    strata = sample.strata_columns or None
    design = "stratified" if strata else "srs"
    try:
        result.estimate = estimate_quick_count(frame, table, design=design, strata=strata,
                                               sample_ids=[s.station.code for s in main])
    except ValueError as exc:
        result.message = stats_message(str(exc))
        return result
    result.flagged += [RowProblem(p.line, p.station_id, p.column, stats_message(p.reason))
                       for p in result.estimate.excluded]
    result.warnings = [stats_message(w) for w in result.estimate.warnings]
    result.convergence = _convergence(frame, table, design, strata, names)
    return result


def _convergence(frame: Frame, table: ResultsTable, design: str, strata, names: list[str]) -> list[ConvergencePoint]:
    """Estimate and margin after the first k reports in arrival order, at up to 12 values of k."""
    n = len(table)
    steps = sorted({int(k) for k in np.linspace(min(10, n), n, CONVERGENCE_POINTS)} | {n})
    points = []
    for k in steps:
        if k < 2:
            continue
        try:
            e = estimate_quick_count(frame, table.subset(np.arange(n) < k), design=design, strata=strata)
        except ValueError:
            continue
        points.append(ConvergencePoint(k, {name: (e.candidates[name].estimate, e.candidates[name].moe)
                                           for name in names}))
    return points


def official_shares(sample: PvtSample) -> dict[str, float] | None:
    results = StationResult.objects.filter(contest=sample.contest)
    if not results.exists():
        return None
    totals = dict(
        CandidateVotes.objects.filter(result__contest=sample.contest)
        .values_list("candidate__name")
        .annotate(n=Sum("votes"))
    )
    valid = sum(totals.values())
    if not valid:
        return None
    return {name: votes / valid for name, votes in totals.items()}
