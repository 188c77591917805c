"""Official results: imported as published (never corrected), flagged when impossible, exported canonically."""

import io

import numpy as np
import pytest

from pollwatch.elections.models import CandidateVotes, StationResult
from pollwatch.results.official import do_import_results, write_canonical_csv
from pollwatch.stats.results import results_from_rows

pytestmark = pytest.mark.django_db

HEADER = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid",
          "Ilgar Mammadov", "Leyla Aliyeva"]


def table(*rows):
    return results_from_rows(HEADER, [[str(v) for v in row] for row in rows])


def test_results_are_imported_per_station_with_votes_per_candidate(world):
    report = do_import_results(world.contest, table(
        ["S111", "Absheron", "Sumgait", 800, 500, 498, 8, 400, 90],
        ["S211", "Ganja-Dashkasan", "Ganja", 1500, 900, 900, 10, 500, 390],
    ))
    assert (report.stations, report.created, report.updated) == (2, 2, 0)
    result = StationResult.objects.get(station=world.stations["S111"])
    assert (result.registered, result.issued, result.ballots, result.invalid) == (800, 500, 498, 8)
    votes = dict(CandidateVotes.objects.filter(result=result).values_list("candidate__name", "votes"))
    assert votes == {"Ilgar Mammadov": 400, "Leyla Aliyeva": 90}


def test_impossible_protocols_are_kept_as_published_and_listed(world):
    report = do_import_results(world.contest, table(
        ["S111", "", "", 800, 900, 850, 8, 800, 42],  # more ballots than voters
        ["S112", "", "", 1200, 600, 600, 10, 500, 50],  # candidates' sum 550 ≠ valid 590
    ))
    flagged = {(p.station_id, p.column) for p in report.flagged}
    assert flagged == {("S111", "ballots"), ("S111", "issued"), ("S112", "candidates")}
    # Never silently fixed: the numbers in the database are the published ones.
    assert StationResult.objects.get(station=world.stations["S111"]).ballots == 850


def test_unknown_stations_and_unreadable_rows_are_excluded_with_a_reason(world):
    report = do_import_results(world.contest, table(
        ["S111", "", "", 800, 500, 498, 8, 400, 90],
        ["NOPE", "", "", 800, 500, 498, 8, 400, 90],
        ["S112", "", "", 1200, "n/a", 600, 10, 500, 90],
    ))
    reasons = {p.station_id: p.reason for p in report.excluded}
    assert reasons["NOPE"] == "no such station in this election"
    assert reasons["S112"].startswith("not an integer")
    assert StationResult.objects.count() == 1


def test_candidate_columns_must_match_the_ballot(world):
    bad = results_from_rows(HEADER[:7] + ["Someone Else"], [["S111", "", "", "800", "500", "498", "8", "490"]])
    with pytest.raises(ValueError, match="not on the ballot.*Someone Else"):
        do_import_results(world.contest, bad)


def test_reimport_is_idempotent_and_updates_changed_stations(world):
    rows = [["S111", "", "", 800, 500, 498, 8, 400, 90], ["S121", "", "", 600, 300, 300, 0, 200, 100]]
    do_import_results(world.contest, table(*rows))
    again = do_import_results(world.contest, table(*rows))
    assert (again.created, again.updated) == (0, 0)
    rows[1] = ["S121", "", "", 600, 300, 300, 0, 210, 90]
    changed = do_import_results(world.contest, table(*rows))
    assert (changed.created, changed.updated) == (0, 1)
    votes = CandidateVotes.objects.filter(result__station=world.stations["S121"]).order_by("candidate__ballot_position")
    assert [v.votes for v in votes] == [210, 90]


def test_export_writes_the_canonical_csv_that_the_statistics_read_back(world):
    do_import_results(world.contest, table(
        ["S111", "", "", 800, 500, 498, 8, 400, 90], ["S211", "", "", 1500, 900, 900, 10, 500, 390],
    ))
    out = io.StringIO()
    assert write_canonical_csv(world.contest, out) == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(HEADER)
    assert lines[1] == "S111,Absheron,Sumgait,800,500,498,8,400,90"
    import csv

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    back = results_from_rows(rows[0], rows[1:])
    assert back.candidates == ("Ilgar Mammadov", "Leyla Aliyeva")
    assert np.array_equal(back.votes, [[400, 90], [500, 390]])


def test_the_demo_falsified_constituencies_stand_out_in_its_official_results():
    from pollwatch.demo.generator import build_demo

    summary = build_demo(seed=3)
    truth = summary.results_truth
    assert truth.stuffed and truth.drawn and not set(truth.stuffed) & set(truth.drawn)
    out = io.StringIO()
    write_canonical_csv(summary.election.contests.get(), out)
    import csv

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    t = results_from_rows(rows[0], rows[1:])
    assert len(t) == summary.counts["stations"] and not t.problems
    turnout = t.issued / t.registered
    leader = t.votes[:, 0] / t.ballots
    stuffed = np.isin(t.district, [u.name for u in summary.election.units.filter(code__in=truth.stuffed)])
    drawn = np.isin(t.district, [u.name for u in summary.election.units.filter(code__in=truth.drawn)])
    clean = ~stuffed & ~drawn
    # Stuffing raises both turnout and the leader's share (Klimek et al. 2012).
    assert turnout[stuffed].mean() > turnout[clean].mean() + 0.1
    assert leader[stuffed].mean() > leader[clean].mean() + 0.1
    # Drawn protocols sit on integer percentages far more often than the ~10 % chance rate (Kobak et al. 2016).
    on_integer = np.abs(turnout * 100 - np.round(turnout * 100)) <= 0.05
    big = t.registered >= 1000  # where a written-down round percentage is reachable within ±0.05 points
    assert on_integer[drawn & big].mean() > 0.9 and on_integer[clean & big].mean() < 0.15
