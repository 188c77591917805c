"""Benchmark: the close-of-polls peak as a mission runs it — `pollwatch serve` as shipped (web workers and the
derivation worker together), 16 phones sending count reports over OpenRosa, then how long until the election-day
tables have caught up.

    .venv/bin/python bench/election_day.py [--backend sqlite|postgres|both] [--clients 16] [--seconds 20]
                                           [--stations 10000] [--derive-only N]

For each backend: a fresh database (PostgreSQL: a throwaway cluster with PostgreSQL's *default durability*, fsync
and synchronous commit on, as a mission would run it), one mission with the demo count form, 10 regions × 10
constituencies × N/100 stations, 50 deployed observers with device logins, the count form scheduled. Then:

1. ``pollwatch serve`` as shipped (its gunicorn settings and its worker), on a free port;
2. the authenticated HEAD rate (Digest check, no write): the stack's ceiling on this box;
3. the burst: ``--clients`` threads POST prepared count reports (Digest, multipart) for ``--seconds``;
4. ``/health`` polled every 0.25 s after the burst until ``backlog`` is 0: the catch-up time;
5. stored == accepted (nothing lost), every reported station has its master record, no report failed;
6. the raw-insert rate (same table, bare driver, one transaction per row) in the same run, for the ratio;
7. batch derivation: ``--derive-only`` reports stored with no worker running, then ``pollwatch worker --batch``
   timed (reports derived per second).

Prints one JSON line per backend. Figures go to docs/benchmarks.md with the machine and what else was running.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_openrosa import (  # noqa: E402 - the shared load generator of the OpenRosa benchmarks
    N_OBSERVERS,
    PIN,
    POLLWATCH,
    PY,
    ROOT,
    SETUP,
    free_port,
    raw_insert_rate,
    timed_load,
)

STATE = r"""
import json
import django
django.setup()
from pollwatch.collection.models import DeriveState, Submission
from pollwatch.operations.models import MasterRecord
print(json.dumps({
    "stored": Submission.objects.filter(transport="openrosa").count(),
    "pending": Submission.objects.filter(derive_state=DeriveState.PENDING).count(),
    "failed": Submission.objects.filter(derive_state=DeriveState.FAILED).count(),
    "stations_reported": Submission.objects.exclude(station=None).values("station").distinct().count(),
    "master_records": MasterRecord.objects.count()}))
"""


def _state(env: dict) -> dict:
    out = subprocess.run([PY, "-c", STATE], env=env, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _health(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/health")
    body = json.loads(conn.getresponse().read())
    conn.close()
    return body


def _wait_until_serving(port: int) -> None:
    for _ in range(600):
        try:
            _health(port)
            return
        except (OSError, ValueError):
            time.sleep(0.1)
    raise RuntimeError("pollwatch serve did not answer")


def _cpu(server_pid: int, cluster) -> dict[str, float]:
    """CPU seconds so far of the web workers, the derivation worker and PostgreSQL (all of its backends)."""
    from pollwatch.testing.processes import cmdline, cpu_seconds, descendants

    worker = sum(cpu_seconds(pid) for pid in descendants(server_pid) if " worker" in cmdline(pid))
    out = {"web": cpu_seconds(server_pid) - worker, "worker": worker}
    if cluster is not None:
        out["database"] = cpu_seconds(int((cluster.data / "postmaster.pid").read_text().split()[0]))
    return out


def _world(backend: str, stations: int):
    tmp = Path(tempfile.mkdtemp(prefix=f"pollwatch-eday-{backend}-"))
    env = {**os.environ, "POLLWATCH_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "pollwatch.settings",
           "POLLWATCH_SECRET_KEY": "bench-secret", "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "POLLWATCH_CONN_MAX_AGE", "POLLWATCH_DERIVE", "POLLWATCH_TASKS"):
        env.pop(name, None)  # as shipped
    cluster = None
    if backend == "postgres":
        from pollwatch.testing.pgcluster import Cluster, find_pg_bin

        cluster = Cluster(find_pg_bin())
        env["DATABASE_URL"] = cluster.start(durable=True)
        cluster._run("createdb", "-h", str(cluster.dir), "-U", "postgres", "pollwatch")
    subprocess.run([*POLLWATCH, "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    setup = json.loads(subprocess.run([PY, "-c", SETUP, str(N_OBSERVERS), PIN, str(stations)], env=env, check=True,
                                      capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
    return env, setup, cluster


def run_backend(backend: str, clients: int, seconds: float, stations: int, derive_only: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import ingest_openrosa

    ingest_openrosa.N_STATIONS = stations
    env, setup, cluster = _world(backend, stations)
    server = None
    try:
        port = free_port()
        server = subprocess.Popen([*POLLWATCH, "serve", "--port", str(port)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL)
        _wait_until_serving(port)
        cpu_before = _cpu(server.pid, cluster)
        ceiling, ceiling_elapsed, head_client_cpu = timed_load(port, setup["users"], clients, 5, method="HEAD",
                                                               with_cpu=True)
        heads = sum(1 for st, _ in ceiling if st == 204)
        cpu_head = {k: round(1000 * (v - cpu_before[k]) / max(heads, 1), 2)
                    for k, v in _cpu(server.pid, cluster).items()}
        cpu_head["client"] = round(1000 * head_client_cpu / max(heads, 1), 2)
        cpu_before = _cpu(server.pid, cluster)
        results, elapsed, client_cpu = timed_load(port, setup["users"], clients, seconds, with_cpu=True)
        cpu_burst = {k: v - cpu_before[k] for k, v in _cpu(server.pid, cluster).items()}
        burst_end = time.perf_counter()
        backlog_at_end = _health(port)["backlog"]
        caught_up = None
        while time.perf_counter() - burst_end < 600:
            if _health(port)["backlog"] == 0:
                caught_up = time.perf_counter() - burst_end
                break
            time.sleep(0.25)
        server.terminate()
        server.wait(timeout=60)
        server = None
        state = _state(env)
        accepted = sorted(lat for status, lat in results if status == 201)
        statuses: dict[int, int] = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        batch = batch_derivation(env, setup, derive_only) if derive_only else {}
        # Last: its rows are pending reports without a station, which the batch above should not count.
        raw_rate = raw_insert_rate(env, setup["mission_id"], setup["form_pk"], 5)
        rate = len(accepted) / elapsed
        out = {
            "backend": backend, "stations": stations, "clients": clients, "seconds": round(elapsed, 1),
            "accepted": len(accepted), "statuses": statuses, "stored": state["stored"],
            "lost": len(accepted) - state["stored"], "reports_per_s": round(rate, 1),
            "p50_ms": round(statistics.median(accepted) * 1000, 1) if accepted else None,
            "p99_ms": round(accepted[int(len(accepted) * 0.99) - 1] * 1000, 1) if accepted else None,
            "backlog_at_burst_end": backlog_at_end,
            "caught_up_s": round(caught_up, 1) if caught_up is not None else None,
            "failed": state["failed"], "every_station_derived": state["master_records"] == state["stations_reported"],
            "raw_insert_per_s": round(raw_rate, 1), "ratio_to_raw": round(rate / raw_rate, 3),
            "authenticated_head_per_s": round(heads / ceiling_elapsed, 1), "cpu_ms_per_head": cpu_head,
            # CPU milliseconds per accepted report during the burst, by component: unlike reports/s, these do
            # not move with what else the shared box runs, so they say where a faster request path must save.
            "cpu_ms_per_report": {k: round(1000 * v / max(len(accepted), 1), 2)
                                  for k, v in {**cpu_burst, "client": client_cpu}.items()},
        }
        return {**out, **batch}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        if cluster is not None:
            cluster.stop()


STORE = r"""
import sys, uuid, datetime as dt
import django
django.setup()
from pollwatch.collection.models import Submission
from pollwatch.collection.submissions import receive_submission
from pollwatch.missions.models import Mission
sys.path.insert(0, sys.argv[3])
from ingest_openrosa import instance_xml
mission = Mission.objects.get(pk=int(sys.argv[1]))
n, stations = int(sys.argv[2]), int(sys.argv[4])
for i in range(n):
    receive_submission(instance_xml(f"uuid:{uuid.uuid4()}", f"S{(i * 7919) % stations:05d}"),
                       transport="openrosa", mission=mission)
"""


def batch_derivation(env: dict, setup: dict, n: int) -> dict:
    """``n`` reports stored through the receive path with no worker running, then one ``worker --batch``."""
    import ingest_openrosa

    subprocess.run([PY, "-c", STORE, str(setup["mission_id"]), str(n), str(Path(__file__).parent),
                    str(ingest_openrosa.N_STATIONS)], env=env, check=True, cwd=ROOT)
    pending = _state(env)["pending"]
    t = time.perf_counter()
    subprocess.run([*POLLWATCH, "worker", "--batch"], env=env, check=True, cwd=ROOT)
    spent = time.perf_counter() - t
    after = _state(env)
    return {"batch_derived": pending, "batch_seconds": round(spent, 1),
            "batch_derived_per_s": round(pending / spent, 1), "batch_left": after["pending"],
            "batch_failed": after["failed"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--derive-only", type=int, default=20_000,
                        help="reports to store with no worker, then derive with `worker --batch` (0: skip)")
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        print(json.dumps(run_backend(backend, args.clients, args.seconds, args.stations, args.derive_only)),
              flush=True)


if __name__ == "__main__":
    main()
