"""Validate the quick count on the 2018 Russian presidential election (../shared/data) for docs/pvt.md.

Prints the coverage table for samples of 500, 1,500 and 3,000 stations stratified by region (500 repetitions
each, seed 3) and writes docs/img/pvt-2018-coverage.png (needs kaleido and Chromium).
"""

from __future__ import annotations

import os
from pathlib import Path

import plotly.graph_objects as go

from pollwatch.stats.mapping import load_mapped_results, load_mapping
from pollwatch.stats.pvt.quick_count import validate_quick_count

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "russia-2018-president.csv.zip"
SIZES = (500, 1500, 3000)


def main() -> None:
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    population = load_mapped_results(DATA, load_mapping(ROOT / "pollwatch" / "stats" / "data" / "russia_cec.toml"))
    results = {n: validate_quick_count(population, size=n, reps=500, strata="region", rng=3) for n in SIZES}
    names = ["turnout", *population.candidates]
    print("| | " + " | ".join(f"n = {n:,}: coverage · mean MoE · bias" for n in SIZES) + " |")
    print("| --- |" + " --- |" * len(SIZES))
    for name in names:
        cells = []
        for n in SIZES:
            c = results[n].turnout if name == "turnout" else results[n].candidates[name]
            cells.append(f"{c.coverage:.1%} · ±{c.mean_moe:.2%} · {c.bias:+.3%}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    fig = go.Figure()
    for n in SIZES:
        values = [results[n].turnout.coverage] + [results[n].candidates[c].coverage for c in population.candidates]
        fig.add_trace(go.Bar(name=f"{n:,} stations", x=[x.split()[0] for x in names], y=values))
    fig.add_hline(y=0.95, line_dash="dash", annotation_text="nominal 95 %")
    fig.update_layout(title="Coverage of 95 % intervals, 2018 Russian presidential election (500 samples each)",
                      yaxis_range=[0.85, 1.0], yaxis_tickformat=".0%", barmode="group", height=420)
    out = ROOT / "docs" / "img" / "pvt-2018-coverage.png"
    fig.write_image(out, width=1000, height=420)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
