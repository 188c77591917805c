"""Benchmark: the whole forensics suite on a 100,000-station election, and the integer test against a loop.

Prints the time of `run_forensics` (1,000 Monte Carlo repetitions) on a synthetic 100k-station election, and,
as a ratio measured in the same run, the vectorised integer-percentage test against a straightforward
per-station Python loop that draws each station's binomials (extrapolated from 2,000 stations × 50 draws).
Target (issue 7): the whole suite under 10 s on the 2-core machine.
"""

from __future__ import annotations

import time

import numpy as np

from pollwatch.stats.forensics.integer_peaks import integer_peaks, is_integer_percentage
from pollwatch.stats.forensics.suite import run_forensics
from pollwatch.stats.results import ResultsTable


def synthetic(n: int, rng: np.random.Generator) -> ResultsTable:
    reg = np.clip(np.rint(np.exp(rng.normal(7, 0.5, n))), 100, 3000).astype(np.int64)
    issued = rng.binomial(reg, np.clip(rng.normal(0.6, 0.1, n), 0.05, 0.95))
    invalid = rng.binomial(issued, 0.01)
    valid = issued - invalid
    lead = rng.binomial(valid, np.clip(rng.normal(0.6, 0.1, n), 0.05, 0.95))
    second = rng.binomial(valid - lead, 0.6)
    votes = np.column_stack([lead, second, valid - lead - second])
    ids = np.array([f"S{i}" for i in range(n)])
    regions = np.array([f"R{i % 80}" for i in range(n)])
    return ResultsTable(ids, regions, regions, reg, issued, invalid, votes, ("A", "B", "C"), issued=issued,
                        rows_read=n)


def loop_integer_test(num, reg, lead, bal, reps, rng) -> float:
    """The straightforward way: per station, per repetition, draw and check."""
    counts = []
    for _ in range(reps):
        hits = 0
        for i in range(len(reg)):
            t = rng.binomial(reg[i], num[i] / reg[i]) / reg[i]
            s = rng.binomial(bal[i], lead[i] / bal[i]) / bal[i]
            hits += bool(is_integer_percentage(t) or is_integer_percentage(s))
        counts.append(hits)
    return float(np.mean(counts))


def main() -> None:
    table = synthetic(100_000, np.random.default_rng(1))
    started = time.perf_counter()
    run_forensics(table, rng=1)
    suite_seconds = time.perf_counter() - started
    started = time.perf_counter()
    integer_peaks(table.issued, table.registered, table.votes[:, 0], table.ballots, n_resamples=1000, rng=1)
    vectorised = time.perf_counter() - started
    small = slice(0, 2000)
    started = time.perf_counter()
    loop_integer_test(table.issued[small], table.registered[small], table.votes[small, 0], table.ballots[small],
                      50, np.random.default_rng(1))
    loop_seconds = (time.perf_counter() - started) * (100_000 / 2000) * (1000 / 50)
    print(f"whole suite, 100,000 stations, 1,000 repetitions: {suite_seconds:.1f} s (target < 10 s)")
    print(f"integer test vectorised: {vectorised:.2f} s; per-station loop (extrapolated): {loop_seconds:,.0f} s; "
          f"speed-up ×{loop_seconds / vectorised:,.0f}")


if __name__ == "__main__":
    main()
