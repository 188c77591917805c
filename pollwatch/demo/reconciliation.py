"""The demo's altered protocols: official results that differ from the citizen observers' counts at a handful of
stations, so the protocol reconciliation page has tabulation changes to show besides the simulation's own.

The simulated falsification (``pollwatch.demo.results``) already makes the official protocol differ from what
observers counted wherever ballots were stuffed or protocols drawn. On top of that, at a few stations whose
official row matched the observers' count exactly, the tally is changed after the count, as a territorial
commission would change it (through ``do_import_results``, the path of a real re-import):

- two stations where 40 votes are moved from the runner-up (the strongest of the others) to the leader (large);
- one where 80 ballots for the leader are added to the tally, within the register (large);
- one slip of a single vote (small);
- one where ballots beyond the register are added for the leader (impossible).

The observers at those stations attached a photo of the protocol posted there (a PNG with its numbers), shown
beside the official row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from pollwatch.results.official import CANONICAL_HEADER, do_import_results, export_rows
from pollwatch.stats.results import results_from_rows

ALTERATIONS = ("moved", "moved", "added", "slip", "impossible")
MOVED_VOTES = 40
ADDED_BALLOTS = 80


@dataclass(frozen=True)
class AlteredProtocol:
    code: str
    kind: str  # one of ALTERATIONS
    expected: str  # the reconciliation class it must get


def _alter(row: list[int], kind: str) -> list[int]:
    """``row``: registered, issued, ballots, invalid, votes… (the leader first); the altered official row."""
    registered, issued, ballots, invalid, *votes = row
    runner_up = 1 + max(range(len(votes) - 1), key=lambda k: votes[1 + k])
    if kind == "moved":
        votes[0] += MOVED_VOTES
        votes[runner_up] -= MOVED_VOTES
    elif kind == "added":
        ballots += ADDED_BALLOTS
        issued += ADDED_BALLOTS
        votes[0] += ADDED_BALLOTS
    elif kind == "slip":
        votes[0] += 1
        votes[runner_up] -= 1
    else:  # impossible: 40 ballots beyond the register, all for the leader
        extra = registered - ballots + 40
        ballots += extra
        issued += extra
        votes[0] += extra
    return [registered, issued, ballots, invalid, *votes]


def inject_altered_protocols(mission, *, base_url: str) -> tuple[dict[str, object], list[AlteredProtocol]]:
    """Alter the official result of a few stations of ``mission`` that reconcile exactly; the lines to print and
    the altered stations (for tests)."""
    from pollwatch.reconciliation.queries import reconciliation_report

    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    report = reconciliation_report(mission, admin)
    contest = report.contest
    # Stations with room for the changes (a runner-up with 40 votes, 200 voters who did not vote), spread over the
    # code order (stable for a seed).
    exact = [r.code for r in report.stations if r.status == "exact" and len(r.observed) > 4
             and max(r.observed[4:]) >= MOVED_VOTES and r.observed[0] - r.observed[1] >= 200]
    if contest is None or len(exact) < len(ALTERATIONS):
        return {}, []
    step = len(exact) // len(ALTERATIONS)
    chosen = {exact[k * step]: kind for k, kind in enumerate(ALTERATIONS)}
    rows = export_rows(contest)
    header = [str(h) for h in next(rows)]
    altered = []
    for row in rows:
        if str(row[0]) in chosen:
            numbers = _alter([int(v) for v in row[3:]], chosen[str(row[0])])
            altered.append([str(v) for v in (*row[:3], *numbers)])
    assert header[: len(CANONICAL_HEADER)] == CANONICAL_HEADER
    do_import_results(contest, results_from_rows(header, altered), user=admin)
    _photograph(mission, report, set(chosen))
    expected = {"moved": "large", "added": "large", "slip": "small", "impossible": "impossible"}
    protocols = [AlteredProtocol(code, kind, expected[kind]) for code, kind in chosen.items()]
    lines: dict[str, object] = {
        "reconciliation_url": f"{base_url.rstrip('/')}/missions/{mission.slug}/reconciliation/",
        "reconciliation_altered": ", ".join(f"{p.code} ({p.kind})" for p in protocols),
    }
    return lines, protocols


def _photograph(mission, report, codes: set[str]) -> None:
    """The observers at the altered stations photographed the protocol posted at the station (what they counted)."""
    from pollwatch.collection.demo import do_attach_demo_photo, protocol_photo
    from pollwatch.collection.models import Submission

    names = ["registered", "ballots", "invalid", *report.candidates]
    for row in report.stations:
        if row.code not in codes:
            continue
        submission = (Submission.objects.for_mission(mission)
                      .filter(station_id=row.station_id, form__form_id="count_form", is_current=True, held=False)
                      .order_by("-received_at").first())
        if submission is not None:
            lines = [f"{name}: {value}" for name, value in zip(names, row.observed, strict=True)]
            do_attach_demo_photo(submission, "protocol.png", protocol_photo(row.code, lines))
