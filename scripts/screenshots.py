"""Take the README's screenshots of the demo: build it in a temp dir, serve it, log in, capture pages.

Usage: .venv/bin/python scripts/screenshots.py   (needs Debian's chromium at /usr/bin/chromium)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PORT = 8765
PAGES = [
    ("home.png", "/missions/citizens/"),
    ("pvt.png", "/missions/citizens/pvt/"),
    ("forensics.png", "/missions/citizens/forensics/?by=district"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "POLLWATCH_DATA_DIR": tmp}
        env.pop("DATABASE_URL", None)
        pollwatch = [sys.executable, "-m", "pollwatch.cli.main"]
        db = Path(tmp) / "demo.sqlite3"
        subprocess.run([*pollwatch, "demo", "--no-serve", "--db", str(db), "--port", str(PORT)], env=env, check=True)
        server = subprocess.Popen([*pollwatch, "serve", "--db", str(db), "--port", str(PORT)], env=env)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"http://127.0.0.1:{PORT}/login/")
                page.fill("#id_username", "admin")
                page.fill("#id_password", "pollwatch-demo")
                page.click("button[type=submit]")
                page.wait_for_load_state()
                for name, path in PAGES:
                    page.goto(f"http://127.0.0.1:{PORT}{path}")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(OUT / name), full_page=name != "home.png")
                    print(f"wrote {OUT / name}")
                # The dashboard loads its station map as an HTMX partial after the page: wait until it is drawn.
                page.goto(f"http://127.0.0.1:{PORT}/missions/citizens/operations/dashboard")
                page.wait_for_selector("#station-map .plotly-graph-div .main-svg")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / "election-day-dashboard.png"), full_page=True)
                page.locator("#station-map").screenshot(path=str(OUT / "election-day-map.png"))
                print(f"wrote {OUT / 'election-day-dashboard.png'}, {OUT / 'election-day-map.png'}")
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
