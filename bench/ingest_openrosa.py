"""Benchmark: OpenRosa ingest throughput of a running server (gunicorn, 2 workers) on SQLite and PostgreSQL.

    .venv/bin/python bench/ingest_openrosa.py [--backend sqlite|postgres|both] [--clients 16] [--seconds 15]

For each backend: a fresh database (PostgreSQL: a throwaway cluster on a unix socket, see
``pollwatch.testing.pgcluster``), migrated, with one mission, its demo forms and device logins for 50 observers;
gunicorn with 2 sync workers; N client threads POST real count-form instances (multipart, Digest auth, one
challenge per client then the nonce is reused with a growing nc, as ODK Collect does). Reported: submissions/s,
p50/p99 latency, and the ratio to a raw INSERT loop (one transaction per row, the same columns into the same
table through the bare DB driver) measured in the same run. Then the rows are counted: stored == accepted (201).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
SLUG = "bench"
PIN = "1234"
N_OBSERVERS = 50

SETUP = r"""
import datetime as dt, json, sys
import django
django.setup()
from pollwatch.collection.demo import DEMO_FORMS
from pollwatch.collection.services import check_import_form, do_set_device_credential
from pollwatch.elections.services import do_create_election
from pollwatch.geography.services import do_create_station, do_create_unit
from pollwatch.missions.services import do_create_mission, do_create_observer, do_deploy_observer
e = do_create_election(slug="b", name="Bench", country="az", date=dt.date(2024, 2, 7), kind="presidential",
                       timezone="Asia/Baku")
u = do_create_unit(e, code="AZ", name="AZ", level="country")
m = do_create_mission(e, slug="bench", name="Bench", kind="citizen")
check_import_form(m, (DEMO_FORMS / "count_form.xlsx").read_bytes(), filename="count_form.xlsx")
t0 = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
users = []
for i in range(int(sys.argv[1])):
    s = do_create_station(u, code=f"S{i:04d}", name=f"Station {i}", registered_voters=1000)
    o = do_create_observer(m, code=f"OBS-{i:03d}", name=f"Observer {i}")
    do_deploy_observer(o, station=s, shift_start=t0, shift_end=t0 + dt.timedelta(hours=14))
    users.append(do_set_device_credential(o, username=f"obs{i:03d}", password=sys.argv[2])[0].username)
print(json.dumps({"mission_id": m.pk, "form_pk": m.forms.get().pk, "users": users}))
"""


def instance_xml(instance_id: str, station: str) -> bytes:
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" id="count_form" version="2024020701">'
        f"<start>2024-02-07T20:01:00.000+04:00</start><end>2024-02-07T20:09:00.000+04:00</end>"
        f"<deviceid>collect:bench</deviceid><station_code>{station}</station_code><observer_code/>"
        f"<registered>1000</registered><ballots_cast>612</ballots_cast><invalid>9</invalid>"
        f"<votes_mammadov>350</votes_mammadov><votes_aliyeva>253</votes_aliyeva>"
        f"<protocol_posted>yes</protocol_posted><protocol_photo/>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def multipart(xml: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
            f"filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n").encode() + xml + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def client_loop(port: int, user: str, station: str, deadline: float, results: list, lock: threading.Lock) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pollwatch.settings")
    from pollwatch.collection.digest import authorization_header

    path = f"/m/{SLUG}/submission"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("HEAD", path)
    resp = conn.getresponse()
    resp.read()
    challenge = resp.getheader("WWW-Authenticate")
    conn.close()
    nc = 0
    mine = []
    while time.perf_counter() < deadline:
        nc += 1
        body, ctype = multipart(instance_xml(f"uuid:{uuid.uuid4()}", station))
        auth = authorization_header(user, PIN, method="POST", uri=path, www_authenticate=challenge, nc=f"{nc:08x}",
                                    cnonce=uuid.uuid4().hex[:16])
        t = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", path, body=body, headers={"Content-Type": ctype, "Authorization": auth,
                                                           "X-OpenRosa-Version": "1.0"})
            r = conn.getresponse()
            r.read()
            mine.append((r.status, time.perf_counter() - t))
        except OSError:
            mine.append((0, time.perf_counter() - t))
        finally:
            conn.close()
    with lock:
        results.extend(mine)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw_insert_rate(env: dict, mission_id: int, form_pk: int, seconds: float) -> float:
    """Same columns, same table, bare driver, one transaction per row: the database's own ceiling."""
    code = r"""
import json, sys, time, uuid, datetime as dt, hashlib
import django
django.setup()
from django.db import connection
from pollwatch.collection.models import Submission
mission_id, form_pk, seconds, xml = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
table = Submission._meta.db_table
cols = ", ".join(f'"{c}"' for c in ("mission_id", "form_id", "transport", "instance_id", "received_at", "raw",
                                    "values", "needs_review", "review_reason", "content_hash", "is_current"))
raw = connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)
ph = "?" if connection.vendor == "sqlite" else "%s"
sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join([ph] * 11)})"
values = json.dumps({"station_code": "S0000", "registered": 1000, "ballots_cast": 612})
n = 0
t0 = time.perf_counter()
while time.perf_counter() - t0 < seconds:
    cur = raw.cursor()
    cur.execute(sql, (mission_id, form_pk, "raw", f"raw:{uuid.uuid4()}", dt.datetime.now(dt.UTC).isoformat(),
                      xml, values, False, "", hashlib.sha256(xml.encode()).hexdigest(), True))
    raw.commit()
    n += 1
print(n / (time.perf_counter() - t0))
"""
    out = subprocess.run([PY, "-c", code, str(mission_id), str(form_pk), str(seconds),
                          instance_xml("uuid:x", "S0000").decode()], env=env, capture_output=True, text=True,
                         check=False, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return float(out.stdout.strip().splitlines()[-1])


def run_backend(backend: str, clients: int, seconds: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"pollwatch-bench-{backend}-"))
    env = {**os.environ, "POLLWATCH_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "pollwatch.settings",
           "POLLWATCH_SECRET_KEY": "bench-secret", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    cluster = None
    if backend == "postgres":
        sys.path.insert(0, str(ROOT))
        from pollwatch.testing.pgcluster import Cluster, find_pg_bin

        cluster = Cluster(find_pg_bin())
        url = cluster.start()
        cluster._run("createdb", "-h", str(cluster.dir), "-U", "postgres", "pollwatch")
        env["DATABASE_URL"] = url
        env["POLLWATCH_CONN_MAX_AGE"] = "60"  # a worker keeps its connection, as behind a pooler
    server = None
    try:
        subprocess.run([PY, "-m", "django", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        setup = json.loads(subprocess.run([PY, "-c", SETUP, str(N_OBSERVERS), PIN], env=env, check=True,
                                          capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "pollwatch.wsgi", "-w", "2", *os.environ.get("BENCH_GUNICORN_ARGS", "").split(), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "--backlog", "2048"], env=env, cwd=ROOT,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(200):  # wait until a worker answers (Django booted), not just until the port is open
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("HEAD", f"/m/{SLUG}/submission")
                c.getresponse().read()
                c.close()
                break
            except OSError:
                time.sleep(0.1)
        results: list = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds
        threads = [threading.Thread(target=client_loop, args=(port, setup["users"][i % N_OBSERVERS],
                                                              f"S{i % N_OBSERVERS:04d}", deadline, results, lock))
                   for i in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        server.terminate()
        server.wait(timeout=10)
        server = None
        count_code = ("import django; django.setup(); from pollwatch.collection.models import Submission; "
                      "print(Submission.objects.filter(transport='openrosa').count())")
        stored = int(subprocess.run([PY, "-c", count_code], env=env, check=True, capture_output=True, text=True,
                                    cwd=ROOT).stdout.strip())
        raw_rate = raw_insert_rate(env, setup["mission_id"], setup["form_pk"], min(seconds, 5))
        accepted = [lat for status, lat in results if status == 201]
        statuses: dict[int, int] = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        lat = sorted(accepted)
        rate = len(accepted) / elapsed
        return {
            "backend": backend, "clients": clients, "seconds": round(elapsed, 1), "accepted": len(accepted),
            "statuses": statuses, "stored": stored, "lost": len(accepted) - stored,
            "submissions_per_s": round(rate, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1000, 1) if lat else None,
            "raw_insert_per_s": round(raw_rate, 1), "ratio_to_raw": round(rate / raw_rate, 3),
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if cluster is not None:
            cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(json.dumps(run_backend(backend, args.clients, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
