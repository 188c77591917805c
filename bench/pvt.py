"""Benchmark: quick-count estimation and validation at the sizes of issue 6.

- estimate from 5,000 reported stations (target < 100 ms), and
- `validate` with 1,000 repetitions on a 100,000-station population (target < 30 s), against, as a baseline
  measured in the same run, a loop that draws and estimates one sample at a time with the public API
  (20 repetitions, extrapolated).

``python bench/pvt.py 2018`` instead validates the quick count on the 2018 Russian presidential election
(../shared/data, converted with ../shared/checks/to_canonical.py as the acceptance check does): it prints the
coverage table of docs/pvt.md for samples of 500, 1,500 and 3,000 stations stratified by region (500
repetitions each, seed 3) and rewrites docs/img/pvt-2018-coverage.png (plotly + kaleido, system Chromium).

``python bench/pvt.py logit ELECTION.zip[@TAKE_ALL] ...`` compares the normal and the logit intervals on real
elections in the format of the ``dkobak/elections`` collection (``data/<year>.csv.zip``; ../shared/data holds
2018): for every candidate or party under 1 % (and, for reference, the leader and turnout), the coverage of both
intervals at 500, 1,500 and 3,000 stations, stratified by region, 500 repetitions, seed 3 — the small-candidate
table of docs/pvt.md. ``@TAKE_ALL`` takes every station with at least that many registered voters in each sample
(``validate --take-all-above``: 2021's remote e-voting units).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from pollwatch.stats.pvt.frame import Frame
from pollwatch.stats.pvt.quick_count import estimate_quick_count, validate_quick_count
from pollwatch.stats.pvt.sampling import draw_sample
from pollwatch.stats.results import ResultsTable, load_results

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SIZES = (500, 1500, 3000)
SMALL = 0.01  # a "small" candidate: under 1 % of the valid votes


def canonical_from_kobak(src: Path, dst: Path) -> None:
    """A ``dkobak/elections`` zip as the canonical CSV, with ../shared/checks/to_canonical.py's conventions
    (issued = early + in the station + outside, ballots = valid + invalid), also for the parliamentary files whose
    station is ``region, oik, tik, uik`` (2016) or that carry a ``level`` column (2021)."""
    import csv
    import io
    import zipfile

    with zipfile.ZipFile(src) as z, dst.open("w", newline="", encoding="utf-8") as out:
        rows = csv.reader(io.TextIOWrapper(z.open(z.namelist()[0]), encoding="utf-8"))
        h = next(rows)
        first = next(i for i, x in enumerate(h) if x.startswith("Число"))
        ids = [i for i in range(first) if h[i] != "level"]

        def pick(test):
            return [i for i, x in enumerate(h) if test(x)]

        reg = pick(lambda x: x.startswith(("Число избирателей, включенных", "Число избирателей, внесенных")))
        issued = pick(lambda x: "бюллетеней, выданных" in x)
        valid = pick(lambda x: x.startswith("Число действительных"))
        invalid = pick(lambda x: x.startswith("Число недействительных"))
        cands = [i for i, x in enumerate(h) if i >= first and x != "url" and not x.startswith("Число")]
        assert len(reg) == len(valid) == len(invalid) == 1 and len(issued) == 3, h
        w = csv.writer(out)
        w.writerow(["station_id", "region", "district", "registered", "issued", "ballots", "invalid"]
                   + [h[i] for i in cands])
        for r in rows:
            if all(r[i] == "" for i in reg + issued + valid + invalid + cands):
                continue  # no data at all, as the authors' loaddata() skips
            w.writerow(["|".join(r[i] for i in ids), r[h.index("region")], r[h.index("tik")], int(r[reg[0]]),
                        sum(int(r[i]) for i in issued), int(r[valid[0]]) + int(r[invalid[0]]), int(r[invalid[0]])]
                       + [int(r[i]) for i in cands])


def validate_logit(specs: list[str]) -> None:
    """The small-candidate table of docs/pvt.md (module docstring)."""
    print("| election | candidate | share | " + " | ".join(f"n = {n:,}: normal · logit" for n in SIZES) + " |")
    print("| --- | --- | ---: |" + " --- |" * len(SIZES))
    for spec in specs:
        path, _, take_all = spec.partition("@")
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = Path(tmp) / "results.csv"
            canonical_from_kobak(Path(path), csv_path)
            population = load_results(csv_path)
        started = time.perf_counter()
        results = {n: validate_quick_count(population, size=n, reps=500, strata="region", rng=3,
                                           take_all_above=int(take_all) if take_all else None) for n in SIZES}
        first = results[SIZES[0]]
        leader = max(first.candidates, key=lambda c: first.candidates[c].truth)
        shown = [("turnout", lambda r: r.turnout), (leader, lambda r, c=leader: r.candidates[c])]
        shown += [(c, lambda r, c=c: r.candidates[c]) for c, v in sorted(first.candidates.items(),
                                                                        key=lambda kv: kv[1].truth)
                  if v.truth < SMALL]
        name = Path(path).name.split(".")[0] + (f" (take-all ≥ {int(take_all):,})" if take_all else "")
        for label, get in shown:
            cells = [f"{get(results[n]).coverage:.1%} · {get(results[n]).logit_coverage:.1%}" for n in SIZES]
            print(f"| {name} | {label[:60]} | {get(first).truth:.2%} | " + " | ".join(cells) + " |")
        print(f"({name}: {first.population_stations} stations, {time.perf_counter() - started:.1f} s; "
              f"{'; '.join(first.warnings)})", file=sys.stderr)


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


def validate_2018() -> None:
    import plotly.graph_objects as go

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "2018.csv"
        subprocess.run([sys.executable, str(SHARED / "checks" / "to_canonical.py"),
                        str(SHARED / "data" / "russia-2018-president.csv.zip"), str(csv_path)], check=True)
        population = load_results(csv_path)
    started = time.perf_counter()
    results = {n: validate_quick_count(population, size=n, reps=500, strata="region", rng=3) for n in SIZES}
    print(f"population: {results[SIZES[0]].population_stations} stations "
          f"({len(results[SIZES[0]].population_excluded)} excluded), "
          f"{len(np.unique(population.region))} regions; {time.perf_counter() - started:.1f} s")
    names = ["turnout", *population.candidates]
    print("| | " + " | ".join(f"n = {n:,}: coverage · mean MoE · bias" for n in SIZES) + " |")
    print("| --- |" + " --- |" * len(SIZES))
    for name in names:
        cells = []
        for n in SIZES:
            c = results[n].turnout if name == "turnout" else results[n].candidates[name]
            cells.append(f"{c.coverage:.1%} · ±{c.mean_moe:.2%} · {c.bias:+.3%}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    fig = go.Figure()
    for n in SIZES:
        values = [results[n].turnout.coverage] + [results[n].candidates[c].coverage for c in population.candidates]
        fig.add_trace(go.Bar(name=f"{n:,} stations", x=[x.split()[0] for x in names], y=values))
    fig.add_hline(y=0.95, line_dash="dash", annotation_text="nominal 95 %")
    fig.add_hrect(y0=0.93, y1=0.97, fillcolor="green", opacity=0.08, line_width=0)
    fig.update_layout(title="Coverage of 95 % intervals, 2018 Russian presidential election "
                            "(stratified by region, 500 samples each)",
                      yaxis_range=[0.85, 1.0], yaxis_tickformat=".0%", barmode="group", height=420)
    out = ROOT / "docs" / "img" / "pvt-2018-coverage.png"
    fig.write_image(out, width=1000, height=420)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["2018"]:
        validate_2018()
    elif sys.argv[1:2] == ["logit"]:
        validate_logit(sys.argv[2:] or [str(SHARED / "data" / "russia-2018-president.csv.zip")])
    else:
        main()
