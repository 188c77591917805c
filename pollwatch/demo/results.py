"""Official results for the demo election, with falsification injected where the forensics must find it.

Honest stations: turnout and the leader's share are logit-normal around regional means (clustered like real
elections), ballots are binomial draws from the register, the other candidates share the rest by fixed weights.
Two kinds of falsification are injected into chosen constituencies, following the models the forensics tests
are built on:

- **ballot stuffing** (Klimek et al. 2012, PNAS 109(41)): at a fraction of stations, a share of the non-voters'
  ballots is added for the leader and a share of the other candidates' votes is moved to the leader
  ("incremental" fraud); at a few, turnout and the leader's share are pushed near 100 % ("extreme" fraud);
- **drawn protocols** (Kobak et al. 2016, Ann. Appl. Stat. 10(1)): the commission writes down a round turnout
  and leader share (integer percentages) instead of the count.

The ground truth — which constituencies were falsified and how — is returned to the caller (and so to tests),
never stored in the database: analysts must find it from the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FALSIFIED_SHARE = 0.08  # of constituencies with ballot stuffing
DRAWN_SHARE = 0.05  # of constituencies with drawn (integer-percentage) protocols


@dataclass(frozen=True)
class SimulatedResults:
    registered: np.ndarray
    issued: np.ndarray
    ballots: np.ndarray
    invalid: np.ndarray
    votes: np.ndarray  # (stations, candidates); column 0 is the leader
    stuffed_units: tuple[int, ...]  # indexes into the unit list passed in
    drawn_units: tuple[int, ...]
    honest_ballots: np.ndarray  # what an observer at the count saw, before any falsification
    honest_invalid: np.ndarray
    honest_votes: np.ndarray


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def simulate_results(
    registered: np.ndarray,
    unit_of_station: np.ndarray,
    region_of_unit: np.ndarray,
    *,
    candidates: int,
    rng: np.random.Generator,
) -> SimulatedResults:
    """Simulate station protocols; see the module docstring for the model and the injected falsification."""
    registered = np.asarray(registered, dtype=np.int64)
    n_units = len(region_of_unit)
    n_regions = int(region_of_unit.max()) + 1
    region_turnout = rng.normal(0.2, 0.25, n_regions)  # logit scale: ~55 % turnout
    region_leader = rng.normal(1.0, 0.3, n_regions)  # logit scale: ~73 % for the leader
    unit_turnout = region_turnout[region_of_unit] + rng.normal(0, 0.15, n_units)
    unit_leader = region_leader[region_of_unit] + rng.normal(0, 0.15, n_units)
    n = len(registered)
    turnout = _expit(unit_turnout[unit_of_station] + rng.normal(0, 0.25, n))
    leader = _expit(unit_leader[unit_of_station] + rng.normal(0, 0.25, n))

    ballots = rng.binomial(registered, turnout)
    invalid = rng.binomial(ballots, 0.012)
    valid = ballots - invalid
    leader_votes = rng.binomial(valid, leader)
    weights = rng.dirichlet(np.full(candidates - 1, 2.0))
    others = np.array([rng.multinomial(v, weights) for v in valid - leader_votes])
    votes = np.column_stack([leader_votes, others])
    honest = (ballots.copy(), invalid.copy(), votes.copy())

    units = rng.permutation(n_units)
    stuffed = np.sort(units[: max(1, round(FALSIFIED_SHARE * n_units))])
    drawn = np.sort(units[len(stuffed) : len(stuffed) + max(1, round(DRAWN_SHARE * n_units))])
    in_stuffed = np.isin(unit_of_station, stuffed)
    in_drawn = np.isin(unit_of_station, drawn)

    # Incremental fraud at 70 % of the stations of a stuffed constituency, extreme fraud at 10 %.
    u = rng.random(n)
    incremental = in_stuffed & (u < 0.7)
    extreme = in_stuffed & (u >= 0.7) & (u < 0.8)
    non_voters = registered - ballots
    x = np.clip(rng.normal(0.35, 0.1, n), 0, 1)  # share of non-voters' ballots stuffed for the leader
    y = np.clip(rng.normal(0.3, 0.1, n), 0, 1)  # share of the others' votes moved to the leader
    x[extreme] = rng.uniform(0.9, 1.0, extreme.sum())
    y[extreme] = rng.uniform(0.9, 1.0, extreme.sum())
    fraud = incremental | extreme
    added = np.where(fraud, np.floor(non_voters * x).astype(np.int64), 0)
    moved = np.where(fraud[:, None], np.floor(votes[:, 1:] * y[:, None]).astype(np.int64), 0)
    votes[:, 1:] -= moved
    votes[:, 0] += added + moved.sum(axis=1)
    ballots = ballots + added

    # Drawn protocols: round turnout to a multiple of 5 % and the leader's share to an integer percentage.
    for i in np.flatnonzero(in_drawn):
        if registered[i] < 100:
            continue
        target_turnout = min(0.95, np.ceil(ballots[i] / registered[i] * 20) / 20)
        target_ballots = round(target_turnout * registered[i])
        target_valid = target_ballots - invalid[i]
        target_leader = round(min(0.98, max(votes[i, 0] / max(valid[i], 1), 0.5) + 0.05), 2)
        leader_count = round(target_leader * target_ballots)  # share of ballots, the forensics convention
        rest = target_valid - leader_count
        if rest < 0:
            continue
        share = votes[i, 1:] / max(votes[i, 1:].sum(), 1)
        others_i = np.floor(share * rest).astype(np.int64)
        others_i[0] += rest - others_i.sum()
        votes[i] = np.concatenate([[leader_count], others_i])
        ballots[i] = target_ballots

    ballots_out = votes.sum(axis=1) + invalid
    issued = ballots_out + rng.poisson(0.5, n)  # a few voters take a ballot and do not cast it
    issued = np.minimum(issued, np.maximum(registered, ballots_out))
    issued[in_drawn] = ballots_out[in_drawn]  # a drawn protocol is consistent with itself
    return SimulatedResults(
        registered=registered, issued=issued, ballots=ballots_out, invalid=invalid,
        votes=votes, stuffed_units=tuple(int(i) for i in stuffed), drawn_units=tuple(int(i) for i in drawn),
        honest_ballots=honest[0], honest_invalid=honest[1], honest_votes=honest[2],
    )


@dataclass(frozen=True)
class DemoResultsTruth:
    """Which constituencies (codes) the demo falsified; for tests and docs, never stored."""

    stuffed: tuple[str, ...]
    drawn: tuple[str, ...]
    # Station code → (ballots, invalid, votes per candidate) as really cast: what the quick count observes.
    honest_counts: dict[str, tuple[int, int, tuple[int, ...]]]


def build_demo_results(election, rng: np.random.Generator) -> DemoResultsTruth:
    """Write official results for every station of the demo election's first contest."""
    from pollwatch.elections.models import CandidateVotes, StationResult
    from pollwatch.geography.models import AdministrativeUnit, PollingStation

    contest = election.contests.get()
    candidates = list(contest.candidates.order_by("ballot_position"))
    units = list(AdministrativeUnit.objects.filter(election=election, level="constituency").order_by("code"))
    regions = sorted({u.parent_id for u in units})
    unit_index = {u.pk: i for i, u in enumerate(units)}
    stations = list(PollingStation.objects.filter(election=election).order_by("code"))
    sim = simulate_results(
        np.array([s.registered_voters for s in stations]),
        np.array([unit_index[s.unit_id] for s in stations]),
        np.array([regions.index(u.parent_id) for u in units]),
        candidates=len(candidates),
        rng=rng,
    )
    results = StationResult.objects.bulk_create(
        [
            StationResult(contest=contest, station=s, registered=int(sim.registered[i]), issued=int(sim.issued[i]),
                          ballots=int(sim.ballots[i]), invalid=int(sim.invalid[i]))
            for i, s in enumerate(stations)
        ],
        batch_size=2000,
    )
    CandidateVotes.objects.bulk_create(
        (
            CandidateVotes(result=r, candidate=c, votes=int(sim.votes[i, k]))
            for i, r in enumerate(results)
            for k, c in enumerate(candidates)
        ),
        batch_size=5000,
    )
    return DemoResultsTruth(
        stuffed=tuple(units[i].code for i in sim.stuffed_units), drawn=tuple(units[i].code for i in sim.drawn_units),
        honest_counts={
            s.code: (int(sim.honest_ballots[i]), int(sim.honest_invalid[i]),
                     tuple(int(v) for v in sim.honest_votes[i]))
            for i, s in enumerate(stations)
        },
    )
