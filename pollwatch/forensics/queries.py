"""Load an election's official results as a statistics table and run the forensics on it (cached)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from django.db.models import Count, Max, Sum

from pollwatch.elections.models import CandidateVotes, Contest, StationResult
from pollwatch.results.official import export_rows
from pollwatch.stats.forensics.suite import ForensicsReport, run_forensics
from pollwatch.stats.results import ResultsTable, results_from_rows

SEED = 1  # fixed, so everyone who opens the page sees the same figures as `pollwatch forensics --seed 1`


def results_table(contest: Contest) -> ResultsTable:
    """The contest's official results, exactly as `pollwatch results export` writes them."""
    rows = export_rows(contest)
    header = [str(h) for h in next(rows)]
    return results_from_rows(header, ([str(v) for v in row] for row in rows))


def _fingerprint(contest: Contest) -> tuple:
    # Changes whenever results are imported again: a re-import rewrites the changed stations' votes (new ids).
    # An in-place edit through the admin that keeps every total is the one change it may miss until restart.
    agg = StationResult.objects.filter(contest=contest).aggregate(
        n=Count("id"), last=Max("id"), ballots=Sum("ballots"), registered=Sum("registered")
    )
    last_votes = CandidateVotes.objects.filter(result__contest=contest).aggregate(m=Max("id"))["m"]
    return (contest.pk, agg["n"], agg["last"], agg["ballots"], agg["registered"], last_votes)


@lru_cache(maxsize=8)
def _report(key: tuple, breakdown: str) -> ForensicsReport:
    contest = Contest.objects.get(pk=key[0])
    table = results_table(contest)
    if breakdown == "district":  # the regional table of the suite, one row per district instead
        table = dataclasses.replace(table, region=table.district)
    return run_forensics(table, rng=SEED)


def forensics_report(contest: Contest, *, breakdown: str = "region") -> ForensicsReport | None:
    """The forensic report of a contest's results, or None when it has no results yet."""
    key = _fingerprint(contest)
    if not key[1]:
        return None
    return _report(key, breakdown)
