"""Benchmark: how long `pollwatch demo --no-serve` takes to build the demo election from nothing.

Runs the real command three times into fresh SQLite files and prints each time and the median, plus, as a
baseline measured in the same run, the time of `pollwatch migrate` alone (the fixed cost inside every build).
Target (issue 3): under 60 s on a 2-core machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pollwatch.cli.main", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    builds, migrates = [], []
    for run in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "POLLWATCH_DATA_DIR": tmp}
            env.pop("DATABASE_URL", None)
            migrates.append(timed(["migrate", "--db", str(Path(tmp) / "m.sqlite3")], env))
            builds.append(timed(["demo", "--no-serve", "--seed", str(run + 1), "--db", str(Path(tmp) / "d.sqlite3")], env))
    build, migrate = statistics.median(builds), statistics.median(migrates)
    print(f"demo build (3 runs): {', '.join(f'{b:.1f}' for b in builds)} s; median {build:.1f} s (target < 60 s)")
    print(f"baseline migrate alone: median {migrate:.1f} s; building the data itself: {build - migrate:.1f} s")


if __name__ == "__main__":
    main()
