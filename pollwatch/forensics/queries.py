"""Load an election's official results as a statistics table and run the forensics on it (cached)."""

from __future__ import annotations

import dataclasses
import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.core.cache import caches
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
    # The suite takes seconds (the Klimek fit): every web worker, and the next start, reads the one computed for
    # these very numbers with this very code. Keyed on content, so a stale or foreign entry can never be served.
    cache = caches["forensics"]
    cache_key = f"forensics:{_table_digest(table, breakdown)}"
    try:
        report = cache.get(cache_key)
    except Exception:  # an entry written by another version of the classes, or a damaged file: compute again
        report = None
    if not isinstance(report, ForensicsReport):
        report = run_forensics(table, rng=SEED)
        try:
            cache.set(cache_key, report)
        except OSError:  # a read-only or full data dir costs speed, never the page
            pass
    return report


def _table_digest(table: ResultsTable, breakdown: str) -> str:
    digest = hashlib.sha256(f"{breakdown}|{SEED}|{_code_digest()}|{table.candidates!r}".encode())
    for column in (table.station_id, table.region, table.district, table.registered, table.ballots,
                   table.invalid, table.votes, table.issued):
        digest.update(b"-" if column is None else np.ascontiguousarray(column).tobytes())
        digest.update(b"|")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """The statistics' source: a cached report computed by other code (an upgrade, a patch) is not reused."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted((root / "stats").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def forensics_report(contest: Contest, *, breakdown: str = "region") -> ForensicsReport | None:
    """The forensic report of a contest's results, or None when it has no results yet."""
    key = _fingerprint(contest)
    if not key[1]:
        return None
    return _report(key, breakdown)


def forget_computed_reports() -> None:
    """Drop this process's copies of computed reports (the file cache stays): as a newly started worker sees it."""
    _report.cache_clear()
