"""Benchmark: OpenRosa ingest throughput of a running server (gunicorn, 2 workers) on SQLite and PostgreSQL.

    .venv/bin/python bench/ingest_openrosa.py [--backend sqlite|postgres|both] [--clients 16] [--seconds 15]
                                              [--no-worker] [--no-drain]

For each backend: a fresh database (PostgreSQL: a throwaway cluster on a unix socket, see
``pollwatch.testing.pgcluster``), migrated, with one mission, its demo forms and device logins for 50 observers;
gunicorn with 2 sync workers; N client threads POST real count-form instances (multipart, Digest auth, one
challenge per client then the nonce is reused with a growing nc, as ODK Collect does). Reported: submissions/s,
p50/p99 latency, and the ratio to a raw INSERT loop (one transaction per row, the same columns into the same
table through the bare DB driver) measured in the same run, and, before the ingest, the rate of the authenticated
HEAD that precedes each submission (Digest check, 204, no write): the ceiling of this server stack on this box.
Then the rows are counted: stored == accepted (201).

Each stored report is pending in the reports table until the worker derives it (collection/derivation.py). With ``--worker``
(the default) one task worker (``pollwatch worker``) runs beside gunicorn during the ingest, as ``pollwatch serve``
runs it; after the ingest the backlog left is drained by ``pollwatch worker --batch``, timed (rebuilds/s), and every
reported station must then have its master record (``--no-drain`` skips that, for quick ingest-only runs).
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
POLLWATCH = [PY, "-m", "pollwatch.cli.main"]
SLUG = "bench"
PIN = "12345678"
N_OBSERVERS = 50
N_STATIONS = 10_000
# Requests prepared per second of the run and client pool: more than any server here can take.
MAX_RATE = 3000

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
# Grouped as on election day: 10 regions of 10 constituencies of ~100 stations (the derived tables recount per
# region or constituency, so a flat list of 10,000 stations would make every rebuild read them all).
from pollwatch.geography.models import PollingStation
regions = [do_create_unit(e, code=f"R{r}", name=f"Region {r}", level="region", parent=u) for r in range(10)]
constituencies = [do_create_unit(e, code=f"C{r}{c}", name=f"Constituency {r}{c}", level="constituency",
                                 parent=regions[r]) for r in range(10) for c in range(10)]
t0 = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
users = []
for i in range(int(sys.argv[1])):
    s = do_create_station(constituencies[i % 100], code=f"S{i:05d}", name=f"Station {i}", registered_voters=1000)
    o = do_create_observer(m, code=f"OBS-{i:03d}", name=f"Observer {i}")
    do_deploy_observer(o, station=s, shift_start=t0, shift_end=t0 + dt.timedelta(hours=14))
    # ... and a mobile team over the whole country: the load names stations at random, and a report for a station
    # the observer is not deployed to is held for review (issue 17), which would leave it out of the tables.
    do_deploy_observer(o, area=u, shift_start=t0, shift_end=t0 + dt.timedelta(hours=14))
    users.append(do_set_device_credential(o, username=f"obs{i:03d}", password=sys.argv[2])[0].username)
# The other stations the reports name (observers report by station code): a few reports per station, as on
# election day, so each rebuild reads a station's handful of reports, not thousands.
PollingStation.objects.bulk_create(
    PollingStation(election=e, unit=constituencies[i % 100], code=f"S{i:05d}", name=f"Station {i}",
                   registered_voters=1000)
    for i in range(int(sys.argv[1]), int(sys.argv[3]))
)
# The count form is due at 21:00: every deployment expects one, so each rebuild also re-derives coverage.
from pollwatch.operations.services import do_set_form_schedule
do_set_form_schedule(m, form_id="count_form", due_time=dt.time(21, 0))
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


def prepared_requests(port: int, user: str, client: int, clients: int, count: int, method: str = "POST"
                      ) -> list[bytes]:
    """``count`` complete POST requests for one client, built before the clock starts (as wrk does): the load
    generator shares the server's two cores, so every millisecond it spends is one the server does not get.
    ``method="HEAD"``: the authenticated HEAD that ODK Collect sends before a submission (no body, no write)."""
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
    out = []
    for nc in range(1, count + 1):
        station = f"S{(client + clients * nc) % N_STATIONS:05d}"  # clients interleave over the stations
        auth = authorization_header(user, PIN, method=method, uri=path, www_authenticate=challenge,
                                    nc=f"{nc:08x}", cnonce=uuid.uuid4().hex[:16])
        if method == "HEAD":
            out.append((f"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {auth}\r\n"
                        "X-OpenRosa-Version: 1.0\r\nConnection: close\r\n\r\n").encode())
            continue
        body, ctype = multipart(instance_xml(f"uuid:{uuid.uuid4()}", station))
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {ctype}\r\n"
                f"Authorization: {auth}\r\nX-OpenRosa-Version: 1.0\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n")
        out.append(head.encode() + body)
    return out


def client_loop(port: int, requests: list[bytes], deadline: float, results: list, lock: threading.Lock) -> None:
    mine = []
    for request in requests:
        if time.perf_counter() >= deadline:
            break
        t = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(request)
                reply = b""
                while b"\r\n" not in reply:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
                while sock.recv(65536):  # read to the end: the server closes after its reply
                    pass
            mine.append((int(reply.split(b" ", 2)[1]), time.perf_counter() - t))
        except (OSError, IndexError, ValueError):
            mine.append((0, time.perf_counter() - t))
    with lock:
        results.extend(mine)


def timed_load(port: int, users: list[str], clients: int, seconds: float, method: str = "POST",
               with_cpu: bool = False) -> tuple:
    """``clients`` threads sending prepared requests for ``seconds``: their (status, latency) list and the time
    (``with_cpu``: and the CPU seconds the client threads spent, the requests' preparation not counted)."""
    results: list = []
    lock = threading.Lock()
    per_client = int(seconds * MAX_RATE / clients) + 1
    prepared = [prepared_requests(port, users[i % N_OBSERVERS], i, clients, per_client, method)
                for i in range(clients)]
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=client_loop, args=(port, prepared[i], deadline, results, lock))
               for i in range(clients)]
    t0, cpu0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if with_cpu:
        return results, time.perf_counter() - t0, time.process_time() - cpu0
    return results, time.perf_counter() - t0


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
                                    "values", "needs_review", "review_reason", "content_hash", "is_current",
                                    "derive_state", "derive_error", "claimed_edit_of", "held", "payload_type"))
raw = connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)
ph = "?" if connection.vendor == "sqlite" else "%s"
sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join([ph] * 16)})"
values = json.dumps({"station_code": "S00000", "registered": 1000, "ballots_cast": 612})
n = 0
t0 = time.perf_counter()
while time.perf_counter() - t0 < seconds:
    cur = raw.cursor()
    cur.execute(sql, (mission_id, form_pk, "raw", f"raw:{uuid.uuid4()}", dt.datetime.now(dt.UTC).isoformat(),
                      xml, values, False, "", hashlib.sha256(xml.encode()).hexdigest(), True, 1, "", "", False, "xform-xml"))
    raw.commit()
    n += 1
print(n / (time.perf_counter() - t0))
"""
    out = subprocess.run([PY, "-c", code, str(mission_id), str(form_pk), str(seconds),
                          instance_xml("uuid:x", "S00000").decode()], env=env, capture_output=True, text=True,
                         check=False, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return float(out.stdout.strip().splitlines()[-1])


QUEUE_STATE = r"""
import json
import django
django.setup()
from pollwatch.collection.models import DeriveState, Submission
from pollwatch.operations.models import MasterRecord
print(json.dumps({"ready": Submission.objects.filter(derive_state=DeriveState.PENDING).count(),
                  "failed": Submission.objects.filter(derive_state=DeriveState.FAILED).count(),
                  "stations_reported": Submission.objects.exclude(station=None).values("station").distinct().count(),
                  "master_records": MasterRecord.objects.count()}))
"""


def drain_queue(env: dict) -> dict:
    """Run the task worker over the backlog the ingest left, timed; then check every report was derived."""
    def state() -> dict:
        out = subprocess.run([PY, "-c", QUEUE_STATE], env=env, check=True, capture_output=True, text=True, cwd=ROOT)
        return json.loads(out.stdout.strip().splitlines()[-1])

    backlog = state()["ready"]
    t = time.perf_counter()
    subprocess.run([*POLLWATCH, "worker", "--batch"], env=env, check=True, cwd=ROOT)
    drain = time.perf_counter() - t
    after = state()
    return {"backlog_after_ingest": backlog, "drain_seconds": round(drain, 1),
            "rebuilds_per_s": round(backlog / drain, 1) if backlog else None, "tasks_left": after["ready"],
            "tasks_failed": after["failed"],
            "every_station_derived": after["master_records"] == after["stations_reported"]}


def run_backend(backend: str, clients: int, seconds: float, with_worker: bool, drain: bool = True) -> dict:
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
    server = worker = None
    try:
        subprocess.run([PY, "-m", "django", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        setup = json.loads(subprocess.run([PY, "-c", SETUP, str(N_OBSERVERS), PIN, str(N_STATIONS)], env=env, check=True,
                                          capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "pollwatch.wsgi", "-w", "2", *os.environ.get("BENCH_GUNICORN_ARGS", "").split(), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "--backlog", "2048"], env=env, cwd=ROOT,
        )
        if with_worker:  # as `pollwatch serve` runs it: one task worker beside the web workers
            worker = subprocess.Popen([*POLLWATCH, "worker"], env=env, cwd=ROOT)
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
        # The server's own ceiling on this box, measured first (the queue is empty): the same clients, the same Digest check, no body and no write
        # (the authenticated HEAD that precedes each submission, answered 204).
        ceiling, ceiling_elapsed = timed_load(port, setup["users"], clients, min(seconds, 5), method="HEAD")
        results, elapsed = timed_load(port, setup["users"], clients, seconds)
        server.terminate()
        server.wait(timeout=10)
        server = None
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
            worker = None
        derived = drain_queue(env) if drain else {}
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
            "authenticated_head_per_s": round(sum(1 for st, _ in ceiling if st == 204) / ceiling_elapsed, 1),
            "worker_during_ingest": with_worker, **derived,
        }
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        if cluster is not None:
            cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--worker", action=argparse.BooleanOptionalAction, default=True,
                        help="run the task worker during the ingest, as `pollwatch serve` does (default: yes)")
    parser.add_argument("--drain", action=argparse.BooleanOptionalAction, default=True,
                        help="after the ingest, drain the queue with a worker, timed, and check every report was "
                             "derived (default: yes; --no-drain for quick ingest-only runs)")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(json.dumps(run_backend(backend, args.clients, args.seconds, args.worker, args.drain)), flush=True)


if __name__ == "__main__":
    main()
