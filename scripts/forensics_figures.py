"""Make the figures of docs/forensics.md from the 2018 Russian presidential election (../shared/data).

Usage: .venv/bin/python scripts/forensics_figures.py   (needs kaleido and Chromium for static export)
"""

from __future__ import annotations

import os
from pathlib import Path

import plotly.io as pio

from pollwatch.forensics.report_html import forensics_figures
from pollwatch.stats.forensics.suite import run_forensics
from pollwatch.stats.mapping import load_mapped_results, load_mapping

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "russia-2018-president.csv.zip"
NAMES = {"Turnout": "turnout", "Leader's share": "share", "Fingerprint": "fingerprint", "Second digit": "2bl"}


def main() -> None:
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    table = load_mapped_results(DATA, load_mapping(ROOT / "pollwatch" / "stats" / "data" / "russia_cec.toml"))
    report = run_forensics(table, rng=1)
    for name, fig in forensics_figures(report):
        out = ROOT / "docs" / "img" / f"forensics-2018-{NAMES[name]}.png"
        pio.write_image(fig, out, width=1000, height=420 if name == "Fingerprint" else 360, scale=1)
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
