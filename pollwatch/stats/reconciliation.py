"""Protocol reconciliation: the count an observer saw at the station against the official result for it.

Where observers report the protocol of their station (and photograph it), every official row can be checked
against it. Each station is classed:

- **exact**: every number (registered, ballots, invalid, each candidate) is the same;
- **small**: some differ, by at most ``max(SMALL_VOTES, SMALL_SHARE × ballots)`` each (a transcription slip, a
  late correction of a few ballots);
- **large**: a difference beyond that;
- **impossible**: the official or the observer's numbers cannot both be a protocol (candidates' votes above
  the ballots, ballots above the registered voters) — a row to read before any other.

The aggregate "votes that changed between the station and the official tally" is, per candidate,
Σ (official − observed) over the reconciled stations, with a 95 % percentile interval from a bootstrap of
stations (what the same checks would show on another draw of observed stations; it is not an extrapolation to
the unobserved ones). This is the method of observer groups' protocol comparisons (e.g. the Golos "protocol
copies" comparisons of the 2011–2012 Russian elections; NDI, *The Quick Count and Election Observation*, 2002,
ch. 7 on verifying official results).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pollwatch.stats.results import ResultsTable

SMALL_VOTES = 2
SMALL_SHARE = 0.01
CLASSES = ("exact", "small", "large", "impossible")


@dataclass(frozen=True)
class StationReconciliation:
    station_id: str
    region: str
    status: str  # one of CLASSES
    largest_difference: int  # the largest |official − observed| over the numbers compared
    differences: dict[str, int]  # official − observed, per number that differs


@dataclass(frozen=True)
class Reconciliation:
    stations: tuple[StationReconciliation, ...]
    counts: dict[str, int]  # stations per class
    by_region: dict[str, dict[str, int]]  # region → class → stations
    changed_votes: dict[str, tuple[float, float, float]]  # candidate → (Σ official − observed, 95 % low, high)
    unmatched: tuple[str, ...]  # observed stations without an official row

    def as_dict(self) -> dict[str, object]:
        return {
            "counts": self.counts, "by_region": self.by_region,
            "changed_votes": {k: {"votes": v[0], "interval": [v[1], v[2]]} for k, v in self.changed_votes.items()},
            "unmatched": list(self.unmatched),
            "stations": [s.__dict__ for s in self.stations if s.status != "exact"],
        }


def _impossible(registered: int, ballots: int, invalid: int, votes: npt.NDArray[np.int64]) -> bool:
    return bool(ballots > registered or invalid > ballots or votes.sum() > ballots - invalid or np.any(votes < 0))


def reconcile(observed: ResultsTable, official: ResultsTable, *, rng: np.random.Generator | int | None = None,
              reps: int = 1000) -> Reconciliation:
    """Compare each observed protocol with the official row of the same station (module docstring)."""
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    index = {str(s): i for i, s in enumerate(official.station_id)}
    columns = [official.candidates.index(c) if c in official.candidates else -1 for c in observed.candidates]
    rows: list[StationReconciliation] = []
    deltas: list[npt.NDArray[np.int64]] = []
    unmatched: list[str] = []
    names = observed.candidates
    for i, sid in enumerate(observed.station_id.astype(str)):
        j = index.get(sid)
        if j is None:
            unmatched.append(sid)
            continue
        off_votes = np.array([official.votes[j, c] if c >= 0 else 0 for c in columns], dtype=np.int64)
        obs_votes = observed.votes[i].astype(np.int64)
        pairs = {"registered": (official.registered[j], observed.registered[i]),
                 "ballots": (official.ballots[j], observed.ballots[i]),
                 "invalid": (official.invalid[j], observed.invalid[i]),
                 **{n: (off_votes[k], obs_votes[k]) for k, n in enumerate(names)}}
        diffs = {k: int(a) - int(b) for k, (a, b) in pairs.items() if int(a) != int(b)}
        largest = max((abs(v) for v in diffs.values()), default=0)
        tolerance = max(SMALL_VOTES, SMALL_SHARE * float(observed.ballots[i]))
        if (_impossible(int(official.registered[j]), int(official.ballots[j]), int(official.invalid[j]), off_votes)
                or _impossible(int(observed.registered[i]), int(observed.ballots[i]), int(observed.invalid[i]),
                               obs_votes)):
            status = "impossible"
        elif not diffs:
            status = "exact"
        elif largest <= tolerance:
            status = "small"
        else:
            status = "large"
        rows.append(StationReconciliation(sid, str(observed.region[i]), status, largest, diffs))
        deltas.append(off_votes - obs_votes)
    counts = {c: sum(r.status == c for r in rows) for c in CLASSES}
    by_region: dict[str, dict[str, int]] = {}
    for r in rows:
        by_region.setdefault(r.region, dict.fromkeys(CLASSES, 0))[r.status] += 1
    changed: dict[str, tuple[float, float, float]] = {}
    if deltas:
        d = np.array(deltas, dtype=np.float64)
        boot = np.array([d[generator.integers(0, len(d), len(d))].sum(axis=0) for _ in range(reps)])
        for k, n in enumerate(names):
            changed[n] = (float(d[:, k].sum()), float(np.percentile(boot[:, k], 2.5)),
                          float(np.percentile(boot[:, k], 97.5)))
    return Reconciliation(tuple(rows), counts, dict(sorted(by_region.items())), changed, tuple(unmatched))
