"""Official results in the app: import from a results table, export as the canonical CSV.

The canonical CSV (``station_id, region, district, registered, issued, ballots, invalid, <candidates…>``) is the
format of :mod:`pollwatch.stats.results`; exporting the app's results to it lets every statistic run on exactly
what the app holds, and anyone re-run it outside the app.

Import checks (never silent corrections): rows the table loader could not read (non-numeric, negative,
duplicated) are excluded with their reason; stations unknown to the election are excluded; stations whose
numbers are impossible (ballots > registered, candidates' sum ≠ valid) are imported *as published* and listed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.elections.models import Candidate, CandidateVotes, Contest, StationResult
from pollwatch.geography.models import PollingStation
from pollwatch.stats.results import ResultsTable, RowProblem

CANONICAL_HEADER = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid"]


@dataclass
class ResultsImportReport:
    stations: int = 0
    created: int = 0
    updated: int = 0
    excluded: list[RowProblem] = field(default_factory=list)  # not imported, with the reason
    flagged: list[RowProblem] = field(default_factory=list)  # imported as published, but impossible


def check_results_table(table: ResultsTable, contest: Contest) -> ResultsImportReport:
    """Everything the import would report, without writing."""
    report = ResultsImportReport(excluded=list(table.problems))
    known = set(PollingStation.objects.filter(election=contest.election).values_list("code", flat=True))
    valid = table.valid
    sums = table.votes.sum(axis=1)
    for i, code in enumerate(table.station_id):
        code = str(code)
        if code not in known:
            report.excluded.append(RowProblem(0, code, "station_id", "no such station in this election"))
            continue
        report.stations += 1
        if table.ballots[i] > table.registered[i]:
            report.flagged.append(RowProblem(0, code, "ballots",
                                             f"ballots {table.ballots[i]} > registered {table.registered[i]}"))
        if table.issued is not None and table.issued[i] > table.registered[i]:
            report.flagged.append(RowProblem(0, code, "issued",
                                             f"issued {table.issued[i]} > registered {table.registered[i]}"))
        if sums[i] != valid[i]:
            report.flagged.append(RowProblem(0, code, "candidates",
                                             f"candidates' sum {sums[i]} ≠ valid {valid[i]} (ballots − invalid)"))
    return report


def _candidates_for(contest: Contest, names: tuple[str, ...]) -> list[Candidate]:
    existing = {c.name: c for c in contest.candidates.all()}
    if not existing:  # a contest set up without a ballot takes it from the results file, in column order
        Candidate.objects.bulk_create(
            Candidate(contest=contest, ballot_position=i, name=name) for i, name in enumerate(names, start=1)
        )
        existing = {c.name: c for c in contest.candidates.all()}
    unknown = [n for n in names if n not in existing]
    if unknown:
        raise ValueError(
            f"candidate column(s) not on the ballot of {contest}: {', '.join(unknown)}; "
            f"the ballot is: {', '.join(existing)}"
        )
    return [existing[n] for n in names]


@transaction.atomic
def do_import_results(contest: Contest, table: ResultsTable, *, user=None) -> ResultsImportReport:
    """Upsert the official results of ``contest`` by station code (re-importing a file changes nothing)."""
    report = check_results_table(table, contest)
    candidates = _candidates_for(contest, table.candidates)
    stations = dict(PollingStation.objects.filter(election=contest.election).values_list("code", "pk"))
    existing = {r.station_id: r for r in StationResult.objects.filter(contest=contest)}
    old_votes: dict[tuple[int, int], int] = {
        (result_id, candidate_id): n
        for result_id, candidate_id, n in CandidateVotes.objects.filter(result__contest=contest).values_list(
            "result_id", "candidate_id", "votes"
        )
    }
    new, changed, rewrite = [], [], []
    for i, code in enumerate(table.station_id):
        station = stations.get(str(code))
        if station is None:
            continue
        fields = {
            "registered": int(table.registered[i]),
            "issued": None if table.issued is None else int(table.issued[i]),
            "ballots": int(table.ballots[i]),
            "invalid": int(table.invalid[i]),
        }
        result = existing.get(station)
        if result is None:
            result = StationResult(contest=contest, station_id=station, **fields)
            new.append(result)
            rewrite.append((result, i))
            continue
        same_votes = all(
            old_votes.get((result.pk, c.pk)) == int(table.votes[i, k]) for k, c in enumerate(candidates)
        )
        if same_votes and all(getattr(result, key) == value for key, value in fields.items()):
            continue
        for key, value in fields.items():
            setattr(result, key, value)
        changed.append(result)
        rewrite.append((result, i))
    StationResult.objects.bulk_create(new, batch_size=2000)
    StationResult.objects.bulk_update(changed, ["registered", "issued", "ballots", "invalid"], batch_size=2000)
    CandidateVotes.objects.filter(result__in=changed).delete()
    CandidateVotes.objects.bulk_create(
        (
            CandidateVotes(result=r, candidate=c, votes=int(table.votes[i, k]))
            for r, i in rewrite
            for k, c in enumerate(candidates)
        ),
        batch_size=5000,
    )
    report.created, report.updated = len(new), len(changed)
    do_record_audit("results.import", user=user, obj=contest,
                    detail={"stations": report.stations, "flagged": len(report.flagged)})
    return report


def export_rows(contest: Contest) -> Iterator[list[object]]:
    """The canonical results CSV of ``contest``, header first, one row per station (streams; no big lists)."""
    candidates = list(contest.candidates.order_by("ballot_position"))
    yield CANONICAL_HEADER + [c.name for c in candidates]
    votes: dict[int, dict[int, int]] = {}
    for result_id, candidate_id, n in CandidateVotes.objects.filter(result__contest=contest).values_list(
        "result_id", "candidate_id", "votes"
    ).iterator(chunk_size=10000):
        votes.setdefault(result_id, {})[candidate_id] = n
    results = (
        StationResult.objects.filter(contest=contest)
        .select_related("station__unit__parent")
        .order_by("station__code")
    )
    for r in results.iterator(chunk_size=2000):
        unit = r.station.unit
        region = unit.parent.name if unit.parent_id else unit.name
        v = votes.get(r.pk, {})
        yield [r.station.code, region, unit.name, r.registered, "" if r.issued is None else r.issued, r.ballots,
               r.invalid] + [v.get(c.pk, 0) for c in candidates]


def write_canonical_csv(contest: Contest, handle) -> int:
    """Write the canonical CSV; returns the number of station rows written."""
    writer = csv.writer(handle)
    rows = -1  # the header is not a station
    for row in export_rows(contest):
        writer.writerow(row)
        rows += 1
    return rows
