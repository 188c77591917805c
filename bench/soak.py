"""Soak: `pollwatch serve` on PostgreSQL under a steady moderate OpenRosa load for N minutes; memory and latency
sampled every minute must stay flat.

    .venv/bin/python bench/soak.py [--minutes 30] [--rate 10] [--phones 20] [--sample-every 60]

Set-up as bench/ingest_openrosa.py (a throwaway PostgreSQL cluster with production durability, one mission of 50
observers and 10,000 stations, the count form due at 21:00), then `pollwatch serve --workers 2` (gunicorn with 2
workers and one derivation worker beside it, as a laptop or a single server runs it). ``--phones`` threads, each a
phone that answers one Digest challenge and then reuses the nonce with a growing count (as ODK Collect does),
send reports at ``--rate`` per second in all, open loop (each phone keeps its own schedule, so a slow answer does
not lower the offered load). Every ``--sample-every`` seconds one JSON line: the minute's accepted reports and
their latency (p50, p99, max), the RSS of gunicorn's master, of each web worker and of the derivation worker, the
backlog and the oldest pending report's age (``/health``). At the end a summary compares the first and the last
samples, and checks every accepted report was stored once and derived.

Not in CI (it takes ``--minutes``); figures go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest_openrosa import (  # noqa: E402 - bench/ is not a package: its path is added above
    N_OBSERVERS,
    N_STATIONS,
    PIN,
    POLLWATCH,
    PY,
    SETUP,
    SLUG,
    free_port,
    instance_xml,
    multipart,
)

from pollwatch.testing.processes import children, cmdline  # noqa: E402

PATH = f"/m/{SLUG}/submission"


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0




def processes(serve_pid: int) -> dict[str, object]:
    """The pids under `pollwatch serve`: gunicorn's master, its web workers, the derivation worker."""
    out: dict[str, object] = {"master": None, "web": [], "worker": None}
    for child in children(serve_pid):
        line = cmdline(child)
        if "gunicorn" in line:
            out["master"] = child
            out["web"] = sorted(children(child))
        elif "worker" in line:
            out["worker"] = child
    return out


class Phone(threading.Thread):
    """One observer's phone: a Digest challenge once, then reports on a fixed schedule (nc counts up)."""

    def __init__(self, port: int, user: str, interval: float, stop: threading.Event, results: list,
                 lock: threading.Lock, accepted_ids: list):
        super().__init__(daemon=True)
        self.port, self.user, self.interval, self.stop_event = port, user, interval, stop
        self.results, self.lock, self.accepted_ids = results, lock, accepted_ids
        self.nc = 0
        self.challenge = ""

    def _request(self, method: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, PATH, body=body, headers={"X-OpenRosa-Version": "1.0", **headers})
            response = conn.getresponse()
            response.read()
            return response.status, response.getheader("WWW-Authenticate") or ""
        finally:
            conn.close()

    def send_one(self) -> None:
        from pollwatch.collection.digest import authorization_header

        if not self.challenge:
            self.challenge = self._request("HEAD", {})[1]
            self.nc = 0
        self.nc += 1
        instance_id = f"uuid:{uuid.uuid4()}"
        body, ctype = multipart(instance_xml(instance_id, f"S{random.randrange(N_STATIONS):05d}"))
        auth = authorization_header(self.user, PIN, method="POST", uri=PATH, www_authenticate=self.challenge,
                                    nc=f"{self.nc:08x}", cnonce=uuid.uuid4().hex[:16])
        t = time.perf_counter()
        try:
            status = self._request("POST", {"Authorization": auth, "Content-Type": ctype}, body)[0]
        except OSError:
            status = 0
        latency = time.perf_counter() - t
        if status == 401:  # the nonce expired: ask again next time
            self.challenge = ""
        with self.lock:
            self.results.append((time.monotonic(), status, latency))
            if status == 201:
                self.accepted_ids.append(instance_id)

    def run(self) -> None:
        next_at = time.monotonic() + random.uniform(0, self.interval)
        while not self.stop_event.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stop_event.wait(delay)
                if self.stop_event.is_set():
                    break
            self.send_one()
            next_at += self.interval


def health(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/health")
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(int(len(values) * q), len(values) - 1)]


FINAL_STATE = r"""
import json, sys
import django
django.setup()
from django.db.models import Count
from pollwatch.collection.models import DeriveState, Submission
ids = set(json.load(open(sys.argv[1])))
rows = Submission.objects.filter(transport="openrosa")
dupes = rows.values("instance_id").annotate(n=Count("pk")).filter(n__gt=1).count()
stored = set(rows.values_list("instance_id", flat=True))
print(json.dumps({"accepted": len(ids), "stored": rows.count(), "accepted_not_stored": len(ids - stored),
                  "duplicated": dupes, "pending": rows.filter(derive_state=DeriveState.PENDING).count(),
                  "failed": rows.filter(derive_state=DeriveState.FAILED).count()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=10, help="reports per second, all phones together")
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--sample-every", type=float, default=60)
    args = parser.parse_args()

    from pollwatch.testing.pgcluster import Cluster, find_pg_bin

    tmp = Path(tempfile.mkdtemp(prefix="pollwatch-soak-"))
    env = {**os.environ, "POLLWATCH_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "pollwatch.settings",
           "POLLWATCH_SECRET_KEY": "soak-secret", "PYTHONPATH": str(ROOT), "POLLWATCH_CONN_MAX_AGE": "60"}
    cluster = Cluster(find_pg_bin())
    env["DATABASE_URL"] = cluster.start(durable=True)
    cluster._run("createdb", "-h", str(cluster.dir), "-U", "postgres", "pollwatch")
    serve = None
    try:
        subprocess.run([PY, "-m", "django", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        setup = json.loads(subprocess.run([PY, "-c", SETUP, str(N_OBSERVERS), PIN, str(N_STATIONS)], env=env,
                                          check=True, capture_output=True, text=True, cwd=ROOT
                                          ).stdout.strip().splitlines()[-1])
        port = free_port()
        serve = subprocess.Popen([*POLLWATCH, "serve", "--port", str(port), "--workers", "2"], env=env, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=open(tmp / "serve.log", "wb"))
        for _ in range(300):
            try:
                health(port)
                break
            except (OSError, ValueError):
                time.sleep(0.2)
        results: list = []
        accepted_ids: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()
        interval = args.phones / args.rate
        phones = [Phone(port, setup["users"][i % N_OBSERVERS], interval, stop, results, lock, accepted_ids)
                  for i in range(args.phones)]
        print(json.dumps({"soak": {"minutes": args.minutes, "rate": args.rate, "phones": args.phones,
                                   "backend": "postgres", "gunicorn_workers": 2, "derivation_workers": 1}}),
              flush=True)
        t0 = time.monotonic()
        for phone in phones:
            phone.start()
        samples = []
        seen = 0
        end = t0 + args.minutes * 60
        next_sample = t0 + args.sample_every
        while time.monotonic() < end:
            time.sleep(max(min(next_sample, end) - time.monotonic(), 0))
            with lock:
                window = results[seen:]
                seen = len(results)
            ok = [lat for _, status, lat in window if status == 201]
            procs = processes(serve.pid)
            state = health(port)
            sample = {
                "minute": round((time.monotonic() - t0) / 60, 1), "accepted": len(ok),
                "other_statuses": sorted({s for _, s, _ in window if s != 201}),
                "p50_ms": round(statistics.median(ok) * 1000, 1) if ok else None,
                "p99_ms": round(percentile(ok, 0.99) * 1000, 1) if ok else None,
                "max_ms": round(max(ok) * 1000, 1) if ok else None,
                "rss_mb": {"master": round(rss_kb(procs["master"]) / 1024, 1) if procs["master"] else None,
                           "web": [round(rss_kb(p) / 1024, 1) for p in procs["web"]],
                           "worker": round(rss_kb(procs["worker"]) / 1024, 1) if procs["worker"] else None},
                "backlog": state.get("backlog"), "oldest_pending_s": state.get("oldest_pending_s"),
            }
            samples.append(sample)
            print(json.dumps(sample), flush=True)
            next_sample += args.sample_every
        stop.set()
        for phone in phones:
            phone.join(timeout=70)
        for _ in range(600):  # let the worker finish the backlog
            if health(port).get("backlog") == 0:
                break
            time.sleep(1)
        ids_file = tmp / "accepted.json"
        ids_file.write_text(json.dumps(accepted_ids))
        final = json.loads(subprocess.run([PY, "-c", FINAL_STATE, str(ids_file)], env=env, check=True,
                                          capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
        first, last = samples[0], samples[-1]
        summary = {
            "elapsed_min": round((time.monotonic() - t0) / 60, 1), "offered_per_s": args.rate,
            "accepted_per_s": round(len(accepted_ids) / (args.minutes * 60), 2),
            "non_201": sum(1 for _, s, _ in results if s != 201),
            "p50_ms_first_last": [first["p50_ms"], last["p50_ms"]],
            "p99_ms_first_last": [first["p99_ms"], last["p99_ms"]],
            "p99_ms_worst_minute": max((s["p99_ms"] or 0) for s in samples),
            "web_rss_mb_first_last": [sum(first["rss_mb"]["web"]), sum(last["rss_mb"]["web"])],
            "worker_rss_mb_first_last": [first["rss_mb"]["worker"], last["rss_mb"]["worker"]],
            "max_backlog": max((s["backlog"] or 0) for s in samples),
            **final,
        }
        print(json.dumps({"summary": summary}), flush=True)
    finally:
        if serve is not None:
            serve.terminate()
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
        cluster.stop()


if __name__ == "__main__":
    main()
