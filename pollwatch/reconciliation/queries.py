"""Reads of the protocol reconciliation: each station's count as the mission's observers reported it (the count
form's master record) against the official result of that station (``elections.StationResult``).

The classes, the tolerance of a "small" difference and the interval of the votes that changed are those of
:mod:`pollwatch.stats.reconciliation`. Quick-count secrecy: a count form whose reports are sealed for the viewer
(``collection.access.sealed_form_ids``: an unpublished sample's count form, for roles without SEE_QUICK_COUNT) is
left out entirely — at every station, as the reports are, so the sample's stations cannot be told apart by what is
missing — and the report says so (``sealed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from pollwatch.collection.access import sealed_form_ids, submission_q
from pollwatch.collection.attachments import INLINE_TYPES
from pollwatch.collection.counts import count_row, is_count_form
from pollwatch.collection.models import Attachment, ObservationForm
from pollwatch.elections.models import CandidateVotes, Contest, StationResult
from pollwatch.geography.models import PollingStation
from pollwatch.geography.regions import regions
from pollwatch.geography.tree import unit_tree
from pollwatch.operations.models import MasterRecord
from pollwatch.stats.reconciliation import CLASSES, Reconciliation, reconcile
from pollwatch.stats.results import results_from_rows

SEED = 1  # the bootstrap's seed: everyone who opens the page sees the same interval
REPS = 1000
NUMBERS = ("registered", "ballots", "invalid")  # compared besides each candidate's votes
HEADER = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid"]


@dataclass(frozen=True)
class StationRow:
    station_id: int
    code: str
    name: str
    region: str
    status: str  # one of CLASSES
    largest_difference: int
    observed: list[int]  # NUMBERS, then each candidate's votes, as the observers reported them
    official: list[int]  # the same, as published
    differs: list[bool]  # per column: official ≠ observed
    photos: list[int] = field(default_factory=list)  # attachment ids of the count reports' photos
    # For an impossible station, whose numbers cannot be a protocol: "official", "observed" or "both" ("" else).
    impossible_side: str = ""

    @property
    def official_cells(self) -> list[tuple[int, bool]]:
        """(official number, whether it differs from the observers') per column, for the page."""
        return list(zip(self.official, self.differs, strict=True))


@dataclass(frozen=True)
class ChangedVotes:
    candidate: str
    votes: int  # Σ (official − observed) over the compared stations
    low: float  # 95 % bootstrap interval over stations
    high: float


@dataclass
class ReconciliationReport:
    contest: Contest | None
    candidates: list[str]
    stations: list[StationRow]  # compared stations, in region then code order
    counts: dict[str, int]  # stations per class
    by_region: list[tuple[str, dict[str, int]]]  # (region, class → stations), by region name
    changed: list[ChangedVotes]
    not_compared: list[tuple[str, str]]  # (station code, reason): an incomplete count, no official row
    sealed: bool = False  # a count form was left out for quick-count secrecy
    regions: list[str] = field(default_factory=list)  # every region of the election (for the filter)

    @property
    def compared(self) -> int:
        return sum(self.counts.values())

    @property
    def differing(self) -> int:
        """Stations where the official tally differs from the observers' count (small, large or impossible)."""
        return self.compared - self.counts.get("exact", 0)


def count_form_ids(mission) -> set[str]:
    """The mission's count forms: forms asking for votes per ballot position (``votes_<position>``)."""
    return {form_id for form_id, fields in ObservationForm.objects.for_mission(mission).values_list("form_id", "fields")
            if is_count_form(fields)}


def region_names(mission) -> list[str]:
    """The names of the election's regions, sorted: the region filter's choices."""
    return sorted(regions(mission.election).values_list("name", flat=True))


def reconciliation_report(mission, user=None, *, region: str | None = None) -> ReconciliationReport:
    """The reconciliation of ``mission``'s count reports with the official results of its election's first
    contest, as ``user`` may see it (None: as the public would — what a statement may cite). ``region`` limits
    the stations (and the aggregate) to one region by name."""
    viewer = user if user is not None else AnonymousUser()
    contest = mission.election.contests.order_by("pk").first()
    forms = count_form_ids(mission)
    sealed = forms & sealed_form_ids(viewer, mission)
    forms -= sealed
    report = ReconciliationReport(contest=contest, candidates=[], stations=[], counts=dict.fromkeys(CLASSES, 0),
                                  by_region=[], changed=[], not_compared=[], sealed=bool(sealed),
                                  regions=region_names(mission))
    if contest is None or not forms:
        return report
    ballot = list(contest.candidates.order_by("ballot_position").values_list("ballot_position", "name"))
    report.candidates = [name for _, name in ballot]
    masters = list(MasterRecord.objects.for_mission(mission).filter(form_id__in=sorted(forms))
                   .order_by("station_id", "form_id").values_list("station_id", "values", "conflicts"))
    if not masters:
        return report
    station_ids = {s for s, _v, _c in masters}
    stations = {pk: (code, name, unit_id, unit_name, registered) for pk, code, name, unit_id, unit_name, registered in
                PollingStation.objects.filter(pk__in=station_ids)
                .values_list("pk", "code", "name", "unit_id", "unit__name", "registered_voters")}
    tree = unit_tree(mission.election_id)
    region_by_pk = dict(regions(mission.election).values_list("pk", "name"))

    def region_of(station_id: int) -> str:
        _code, _name, unit_id, unit_name, _reg = stations[station_id]
        return region_by_pk.get(tree.region(unit_id)) or unit_name

    observed_rows: list[list[str]] = []
    seen: set[int] = set()
    for station_id, values, conflicts in masters:
        if station_id in seen:  # two count forms at one station: the first (by form id) is the station's count
            continue
        seen.add(station_id)
        if region and region_of(station_id) != region:
            continue
        code, _name, _unit, _unit_name, registered = stations[station_id]
        try:
            numbers = count_row(values or {}, ballot, registered)
        except ValueError as exc:
            open_fields = sorted(f for f, c in (conflicts or {}).items() if "resolved" not in c)
            reason = (f"observers disagree on {', '.join(open_fields)} (an open conflict)" if open_fields
                      else f"incomplete count: {exc}")
            report.not_compared.append((code, reason))
            continue
        observed_rows.append([code, region_of(station_id), "", *numbers])
    official = _official_rows(contest, {r[0] for r in observed_rows}, report.candidates)
    by_code = {stations[pk][0]: pk for pk in stations}
    for row in observed_rows:
        if row[0] not in official:
            report.not_compared.append((row[0], "no official result for this station"))
    compared = [r for r in observed_rows if r[0] in official]
    report.not_compared.sort()
    if not compared:
        return report
    header = HEADER + report.candidates
    observed_table = results_from_rows(header, compared)
    official_table = results_from_rows(header, [[r[0], r[1], "", *official[r[0]]] for r in compared])
    result: Reconciliation = reconcile(observed_table, official_table, rng=SEED, reps=REPS)
    photos = _photos(mission, user, forms, {by_code[r[0]] for r in compared})
    numbers_of = {r[0]: r for r in compared}
    columns = [*NUMBERS, *report.candidates]
    rows = []
    for s in result.stations:
        pk = by_code[s.station_id]
        obs = numbers_of[s.station_id]
        observed = [int(obs[3]), int(obs[5]), int(obs[6]), *(int(v) for v in obs[7:])]
        off = official[s.station_id]
        published = [int(off[0]), int(off[2]), int(off[3]), *(int(v) for v in off[4:])]
        side = ""
        if s.status == "impossible":
            sides = [name for name, numbers in (("official", published), ("observed", observed))
                     if impossible_numbers(numbers)]
            side = "both" if len(sides) == 2 else (sides[0] if sides else "")
        rows.append(StationRow(pk, s.station_id, stations[pk][1], s.region, s.status, s.largest_difference,
                               observed, published, [c in s.differences for c in columns], photos.get(pk, []),
                               side))
    report.stations = sorted(rows, key=lambda r: (r.region, r.code))
    report.counts = dict(result.counts)
    report.by_region = sorted(result.by_region.items())
    report.changed = [ChangedVotes(name, int(v[0]), v[1], v[2]) for name, v in result.changed_votes.items()]
    return report


def impossible_numbers(numbers: list[int]) -> bool:
    """Whether [registered, ballots, invalid, votes…] cannot be a protocol (the library's test)."""
    registered, ballots, invalid, *votes = numbers
    return ballots > registered or invalid > ballots or sum(votes) > ballots - invalid or min(votes, default=0) < 0


def _official_rows(contest: Contest, codes: set[str], candidates: list[str]) -> dict[str, list[str]]:
    """Station code → [registered, issued, ballots, invalid, votes…] (text) of the official results."""
    if not codes:
        return {}
    results = {pk: (code, registered, issued, ballots, invalid) for pk, code, registered, issued, ballots, invalid in
               StationResult.objects.filter(contest=contest, station__code__in=codes)
               .values_list("pk", "station__code", "registered", "issued", "ballots", "invalid")}
    votes: dict[int, dict[str, int]] = {}
    for result_id, name, n in (CandidateVotes.objects.filter(result_id__in=results)
                               .values_list("result_id", "candidate__name", "votes")):
        votes.setdefault(result_id, {})[name] = n
    return {code: [str(v) for v in (registered, ballots if issued is None else issued, ballots, invalid,
                                    *(votes.get(pk, {}).get(c, 0) for c in candidates))]
            for pk, (code, registered, issued, ballots, invalid) in results.items()}


def _photos(mission, user, forms: set[str], station_ids: set[int]) -> dict[int, list[int]]:
    """Station id → the ids of the photos attached to its current count reports, as ``user`` may see them."""
    if user is None or not station_ids:
        return {}
    found = (Attachment.objects.filter(submission__mission=mission, submission__station_id__in=station_ids,
                                       submission__form__form_id__in=forms, submission__is_current=True,
                                       submission__held=False, content_type__in=INLINE_TYPES)
             .filter(submission_q(user, mission, field="submission"))
             .order_by("submission__station_id", "-submission__received_at", "pk")
             .values_list("submission__station_id", "pk"))
    photos: dict[int, list[int]] = {}
    for station_id, pk in found:
        photos.setdefault(station_id, []).append(pk)
    return photos
