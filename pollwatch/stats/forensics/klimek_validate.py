"""Validation of the Klimek fit on synthetic elections drawn from its own model: bias, RMSE, CI coverage.

``python -m pollwatch.stats.forensics.klimek_validate [--part grid|sizes|spread] [--draws 2] [--seed S] [--alpha A]`` prints the Markdown tables of
docs/forensics.md. Each cell draws elections from the model of Klimek et al. (2012) (see
:mod:`pollwatch.stats.forensics.klimek`) with known f_i, f_e, α and σₓ, a fair part drawn at random per
election (a₀, v₀ ~ U(0.45, 0.65), σₐ, σᵥ ~ U(0.05, 0.10)) and registered voters log-normal (median 1,100,
100–3,000), fits it, and compares.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from pollwatch.stats.forensics.klimek import KlimekParams, generate_election, klimek_fingerprint


@dataclass(frozen=True)
class Cell:
    f_incremental: float
    f_extreme: float
    alpha: float
    theta: float
    stations: int
    draws: int
    bias_fi: float
    rmse_fi: float
    bias_fe: float
    rmse_fe: float
    bias_alpha: float
    cover_fi: int  # draws whose 95 % interval contains the true value
    cover_fe: int
    max_error_fi: float
    max_error_fe: float
    seconds: float


def synthetic_election(fi: float, fe: float, alpha: float, theta: float, stations: int,
                       rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    registered = np.clip(np.rint(np.exp(rng.normal(7, 0.5, stations))), 100, 3000)
    params = KlimekParams(rng.uniform(0.45, 0.65), rng.uniform(0.05, 0.1), rng.uniform(0.45, 0.65),
                          rng.uniform(0.05, 0.1), fi, fe, alpha, theta)
    voters, leader, ballots = generate_election(registered, params, rng)
    return registered, voters, leader, ballots


def run_cell(fi: float, fe: float, alpha: float, theta: float, stations: int, draws: int,
             seed: int) -> Cell:
    rng = np.random.default_rng(seed)
    err_fi, err_fe, err_alpha, cover_fi, cover_fe = [], [], [], 0, 0
    start = time.perf_counter()
    for _ in range(draws):
        result = klimek_fingerprint(*synthetic_election(fi, fe, alpha, theta, stations, rng), rng=rng)
        err_fi.append(result.f_incremental - fi)
        err_fe.append(result.f_extreme - fe)
        err_alpha.append(result.alpha - alpha)
        ci, ce = result.intervals["f_incremental"], result.intervals["f_extreme"]
        cover_fi += ci.low - 1e-9 <= fi <= ci.high + 1e-9
        cover_fe += ce.low - 1e-9 <= fe <= ce.high + 1e-9
    e_fi, e_fe = np.array(err_fi), np.array(err_fe)
    return Cell(fi, fe, alpha, theta, stations, draws, float(e_fi.mean()), float(np.sqrt((e_fi**2).mean())),
                float(e_fe.mean()), float(np.sqrt((e_fe**2).mean())), float(np.mean(err_alpha)), cover_fi,
                cover_fe, float(np.abs(e_fi).max()), float(np.abs(e_fe).max()),
                (time.perf_counter() - start) / draws)


def markdown(cells: list[Cell]) -> str:
    lines = ["| f_i | f_e | α | σₓ | stations | draws | bias f_i | RMSE f_i | max \\|Δf_i\\| | bias f_e | RMSE f_e "
             "| max \\|Δf_e\\| | bias α | f_i in CI | f_e in CI | s/fit |",
             "| " + " | ".join(["---"] * 16) + " |"]
    for c in cells:
        lines.append(f"| {c.f_incremental:g} | {c.f_extreme:g} | {c.alpha:g} | {c.theta:g} | {c.stations:,} | "
                     f"{c.draws} | {c.bias_fi:+.3f} | {c.rmse_fi:.3f} | {c.max_error_fi:.3f} | {c.bias_fe:+.4f} | "
                     f"{c.rmse_fe:.4f} | {c.max_error_fe:.4f} | {c.bias_alpha:+.2f} | {c.cover_fi}/{c.draws} | "
                     f"{c.cover_fe}/{c.draws} | {c.seconds:.1f} |")
    total = sum(c.draws for c in cells)
    lines.append("")
    lines.append(f"Overall: {sum(c.cover_fi for c in cells)}/{total} f_i intervals and "
                 f"{sum(c.cover_fe for c in cells)}/{total} f_e intervals contain the true value; "
                 f"max |Δf_i| {max(c.max_error_fi for c in cells):.3f}, "
                 f"max |Δf_e| {max(c.max_error_fe for c in cells):.4f}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2)
    parser.add_argument("--part", choices=("grid", "sizes", "spread"), default="grid")
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--alpha", type=float, default=None, help="only the cells with this α (seeds as in the "
                        "whole part: --seed plus the cell's index)")
    args = parser.parse_args()
    specs: list[tuple[float, float, float, float, int]]
    if args.part == "grid":  # the main grid at 40,000 stations, σₓ = 0.15
        specs = [(fi, fe, alpha, 0.15, 40_000) for fi in (0.25, 0.5, 0.1, 0.0) for alpha in (2.0, 0.5, 1.0)
                 for fe in (0.05, 0.0, 0.1)]
    elif args.part == "sizes":  # 5,000 and 100,000 stations on a sub-grid
        specs = [(fi, 0.05, 2.0, 0.15, n) for n in (5_000, 100_000) for fi in (0.0, 0.25, 0.5)]
    else:  # the spread of incremental fraud
        specs = [(fi, 0.02, alpha, theta, 40_000) for theta in (0.075, 0.3) for fi in (0.2, 0.4)
                 for alpha in (1.0, 2.0)]
    cells = []
    for k, spec in enumerate(specs):
        if args.alpha is not None and spec[2] != args.alpha:
            continue
        cells.append(run_cell(*spec, draws=args.draws, seed=args.seed + k))
        print(markdown(cells[-1:]).splitlines()[2], flush=True)
    print()
    print(markdown(cells))


if __name__ == "__main__":
    main()
