"""Benchmark: quick-count estimation and validation at the sizes of issue 6.

- estimate from 5,000 reported stations (target < 100 ms), and
- `validate` with 1,000 repetitions on a 100,000-station population (target < 30 s), against, as a baseline
  measured in the same run, a loop that draws and estimates one sample at a time with the public API
  (20 repetitions, extrapolated).
"""

from __future__ import annotations

import time

import numpy as np

from pollwatch.stats.pvt.frame import Frame
from pollwatch.stats.pvt.quick_count import estimate_quick_count, validate_quick_count
from pollwatch.stats.pvt.sampling import draw_sample
from pollwatch.stats.results import ResultsTable


def population(n: int, rng: np.random.Generator) -> ResultsTable:
    reg = np.clip(np.rint(np.exp(rng.normal(7, 0.5, n))), 100, 3000).astype(np.int64)
    region = np.array([f"R{i % 85:02d}" for i in range(n)])
    issued = rng.binomial(reg, np.clip(rng.normal(0.6, 0.1, n), 0.05, 0.95))
    valid = issued - rng.binomial(issued, 0.01)
    shares = rng.dirichlet([8, 2, 1, 1, 0.5, 0.3, 0.2, 0.2], n)
    votes = np.array([rng.multinomial(v, s) for v, s in zip(valid, shares, strict=True)])
    ids = np.array([f"S{i}" for i in range(n)])
    return ResultsTable(ids, region, region, reg, issued, issued - valid, votes,
                        tuple(f"C{k}" for k in range(8)), issued=issued, rows_read=n)


def main() -> None:
    pop = population(100_000, np.random.default_rng(1))
    frame = Frame.from_results(pop)
    sample = draw_sample(frame, 5000, strata="region", rng=1)
    reported = pop.subset(np.isin(np.arange(len(pop)), sample.index))
    estimate_quick_count(frame, reported, strata="region")  # warm-up
    started = time.perf_counter()
    for _ in range(10):
        estimate_quick_count(frame, reported, strata="region")
    estimate_ms = (time.perf_counter() - started) / 10 * 1000
    started = time.perf_counter()
    validate_quick_count(pop, size=1500, reps=1000, strata="region", rng=1)
    validate_s = time.perf_counter() - started
    started = time.perf_counter()
    for r in range(20):
        s = draw_sample(frame, 1500, strata="region", rng=r)
        estimate_quick_count(frame, pop.subset(np.isin(np.arange(len(pop)), s.index)), strata="region")
    loop_s = (time.perf_counter() - started) / 20 * 1000
    print(f"estimate from 5,000 reported stations: {estimate_ms:.0f} ms (target < 100 ms)")
    print(f"validate, 1,000 reps × 1,500 stations on 100,000: {validate_s:.1f} s (target < 30 s); "
          f"one-sample-at-a-time loop (extrapolated): {loop_s:.0f} s; speed-up ×{loop_s / validate_s:.0f}")


if __name__ == "__main__":
    main()
