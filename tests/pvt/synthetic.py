"""Synthetic elections for the quick-count tests: support clustered by region, one very small candidate."""

from __future__ import annotations

import numpy as np

from pollwatch.stats.results import ResultsTable

CANDIDATES = ("Leader", "Second", "Third", "Minor")


def clustered_election(n: int, rng: np.random.Generator, *, regions: int = 8) -> ResultsTable:
    """Honest stations whose turnout and support depend on their region (so stratification pays off)."""
    region_index = np.arange(n) % regions
    region_turnout = np.linspace(0.45, 0.75, regions)[region_index]
    region_lead = np.linspace(0.35, 0.70, regions)[region_index]
    registered = np.clip(np.rint(np.exp(rng.normal(6.9, 0.5, n))), 100, 3000).astype(np.int64)
    issued = rng.binomial(registered, np.clip(rng.normal(region_turnout, 0.06), 0.05, 0.95))
    invalid = rng.binomial(issued, 0.015)
    valid = issued - invalid
    lead = np.clip(rng.normal(region_lead, 0.06), 0.05, 0.9)
    shares = np.column_stack([lead, (1 - lead) * 0.6, (1 - lead) * 0.38, (1 - lead) * 0.02])
    votes = np.array([rng.multinomial(v, s / s.sum()) for v, s in zip(valid, shares, strict=True)])
    region = np.array([f"R{r}" for r in region_index])
    return ResultsTable(
        station_id=np.array([f"S{i:05d}" for i in range(n)]), region=region,
        district=np.array([f"R{r}-D{i % 3}" for i, r in enumerate(region_index)]), registered=registered,
        ballots=issued, invalid=invalid, votes=votes, candidates=CANDIDATES, issued=issued, rows_read=n,
    )


def write_results(table: ResultsTable, path) -> None:
    """Write a table as a canonical results CSV."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["station_id", "region", "district", "registered", "issued", "ballots", "invalid",
                    *table.candidates])
        for i in range(len(table)):
            w.writerow([table.station_id[i], table.region[i], table.district[i], table.registered[i],
                        table.issued[i], table.ballots[i], table.invalid[i], *table.votes[i]])


if __name__ == "__main__":  # regenerates fixtures/results_small.csv (seed 2026, 600 stations, 2 impossible)
    from pathlib import Path

    t = clustered_election(600, np.random.default_rng(2026))
    issued = t.issued.copy()
    issued[10] = t.registered[10] + 40  # turnout above 100 %
    votes = t.votes.copy()
    votes[20, 0] = t.ballots[20] + 5  # the leader has more votes than ballots cast
    t = ResultsTable(t.station_id, t.region, t.district, t.registered, t.ballots, t.invalid, votes, t.candidates,
                     issued=issued, rows_read=len(t))
    write_results(t, Path(__file__).parent / "fixtures" / "results_small.csv")
