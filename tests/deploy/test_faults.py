"""Faults survived (issue 20, point 4): while phones send reports as ODK Collect does, kill -9 a web worker, kill -9
the derivation worker mid-batch, restart PostgreSQL and fill the disk holding the uploads; afterwards every report
that got a 201 is stored exactly once, every one is derived, none is duplicated, and while the database was down
the server answered 503 — never 201 for a report it did not store.

The server is `pollwatch serve --workers 2` (gunicorn with two web workers and the derivation worker beside it) on
a PostgreSQL cluster of its own (started here with ``pollwatch.testing.pgcluster.Cluster``, so that restarting it
touches nothing else of the test run), uploads on a small tmpfs mounted over its media folder (root only: without
it the disk test is skipped, saying why). Each phone is a thread that answers one Digest challenge, then sends
reports one after the other, a third of them with a photo; a report that gets anything but a 201 (a 503, a
connection reset by a killed worker, a timeout) is sent again, identical, after a short wait, as ODK Collect's
auto-send does, until it gets its 201.

CI runs one round of faults (about a minute on a quiet machine). ``POLLWATCH_FAULT_ROUNDS=N`` repeats the round N
times, for a longer run by hand. Runs in the PostgreSQL pass (`make test-postgres`), as the deployment test does.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pollwatch.collection import digest
from pollwatch.testing.processes import children, cmdline
from tests.deploy.uploads import free_port, multipart, padded_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PIN = "24681357"
PHONES = 6
SUBMIT = "/m/citizens/submission"
ROUNDS = int(os.environ.get("POLLWATCH_FAULT_ROUNDS", "1"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

SETUP = f"""
import datetime as dt
import django
django.setup()
from pollwatch.collection.demo import DEMO_FORMS
from pollwatch.collection.services import check_import_form, do_set_device_credential
from pollwatch.elections.services import do_create_election
from pollwatch.geography.services import do_create_station, do_create_unit
from pollwatch.missions.services import do_create_mission, do_create_observer, do_deploy_observer
from pollwatch.operations.services import do_set_form_schedule
e = do_create_election(slug="az", name="Presidential", country="az", date=dt.date(2024, 2, 7), kind="presidential",
                       timezone="Asia/Baku")
country = do_create_unit(e, code="AZ", name="Azerbaijan", level="country")
m = do_create_mission(e, slug="citizens", name="Citizens", kind="citizen")
check_import_form(m, (DEMO_FORMS / "count_form.xlsx").read_bytes(), filename="count_form.xlsx")
t0 = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
regions = [do_create_unit(e, code=f"R{{r}}", name=f"Region {{r}}", level="region", parent=country) for r in range(3)]
for i in range(30):
    s = do_create_station(regions[i % 3], code=f"S{{i:03d}}", name=f"Station {{i}}", registered_voters=1000)
    if i < {PHONES}:
        o = do_create_observer(m, code=f"OBS-{{i}}", name=f"Observer {{i}}")
        do_deploy_observer(o, station=s, shift_start=t0, shift_end=t0 + dt.timedelta(hours=14))
        do_set_device_credential(o, username=f"phone{{i}}", password="{PIN}")
do_set_form_schedule(m, form_id="count_form", due_time=dt.time(21, 0))
"""



def report_xml(instance_id: str, station: str, photo: str) -> bytes:
    return (f'<data id="count_form" version="2024020701"><station_code>{station}</station_code><observer_code/>'
            f"<registered>1000</registered><ballots_cast>{random.randint(300, 900)}</ballots_cast><invalid>9</invalid>"
            f"<votes_mammadov>150</votes_mammadov><votes_aliyeva>140</votes_aliyeva>"
            f"<protocol_posted>yes</protocol_posted><protocol_photo>{photo}</protocol_photo>"
            f"<meta><instanceID>{instance_id}</instanceID></meta></data>").encode()



@dataclass
class Report:
    instance_id: str
    body: bytes
    content_type: str
    photo_sha256: str = ""


@dataclass
class Attempt:
    instance_id: str
    sent_at: float
    answered_at: float
    status: int  # 0: no HTTP answer (connection reset or refused, timeout)
    retry_after: bool
    disk_full: bool


class Phone(threading.Thread):
    def __init__(self, load: Load, number: int):
        super().__init__(daemon=True)
        self.load, self.user = load, f"phone{number}"
        self.station = f"S{number:03d}"
        self.challenge = ""
        self.nc = 0
        self.unfinished: Report | None = None

    def new_report(self) -> Report:
        instance_id = f"uuid:{uuid.uuid4()}"
        if random.random() < 1 / 3:
            photo = padded_jpeg(random.randint(60_000, 120_000))
            body, ctype = multipart([
                ("xml_submission_file", "submission.xml", report_xml(instance_id, self.station, "p.jpg"), "text/xml"),
                ("p.jpg", "p.jpg", photo, "image/jpeg")])
            return Report(instance_id, body, ctype, hashlib.sha256(photo).hexdigest())
        body, ctype = multipart([("xml_submission_file", "submission.xml",
                                  report_xml(instance_id, self.station, ""), "text/xml")])
        return Report(instance_id, body, ctype)

    def post(self, report: Report) -> Attempt:
        sent = time.monotonic()
        status, retry_after, disk_full = 0, False, False
        conn = http.client.HTTPConnection("127.0.0.1", self.load.port, timeout=30)
        try:
            if not self.challenge:
                conn.request("HEAD", SUBMIT, headers={"X-OpenRosa-Version": "1.0"})
                answer = conn.getresponse()
                answer.read()
                self.challenge = answer.getheader("WWW-Authenticate") or ""
                self.nc = 0
                conn.close()
                if not self.challenge:
                    raise ConnectionError(f"no challenge ({answer.status})")
                conn = http.client.HTTPConnection("127.0.0.1", self.load.port, timeout=30)
            self.nc += 1
            auth = digest.authorization_header(self.user, PIN, method="POST", uri=SUBMIT,
                                               www_authenticate=self.challenge, nc=f"{self.nc:08x}",
                                               cnonce=uuid.uuid4().hex[:16])
            conn.request("POST", SUBMIT, body=report.body, headers={
                "Authorization": auth, "Content-Type": report.content_type, "X-OpenRosa-Version": "1.0"})
            answer = conn.getresponse()
            text = answer.read()
            status, retry_after = answer.status, bool(answer.getheader("Retry-After"))
            disk_full = b"disk is full" in text
            if status == 401:
                self.challenge = ""  # stale nonce: ODK Collect asks again
        except (OSError, http.client.HTTPException):
            self.challenge = ""
        finally:
            conn.close()
        return Attempt(report.instance_id, sent, time.monotonic(), status, retry_after, disk_full)

    def run(self) -> None:
        load = self.load
        while True:
            report = self.unfinished
            if report is None:
                if load.stopping.is_set():
                    return
                report = self.unfinished = self.new_report()
            attempt = self.post(report)
            with load.lock:
                load.attempts.append(attempt)
                if attempt.status == 201:
                    load.acknowledged[report.instance_id] = report
            if attempt.status == 201:
                self.unfinished = None
                time.sleep(random.uniform(0.05, 0.2))
            elif time.monotonic() > load.give_up_at:
                return
            else:
                time.sleep(random.uniform(0.3, 1.0))  # ODK Collect waits, then sends the same report again


@dataclass
class Load:
    port: int
    acknowledged: dict[str, Report]  # shared by the loads of one server
    attempts: list[Attempt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    give_up_at: float = float("inf")
    phones: list[Phone] = field(default_factory=list)

    def start(self) -> None:
        self.phones = [Phone(self, i) for i in range(PHONES)]
        for phone in self.phones:
            phone.start()

    def stop(self, finish_within: float = 90) -> list[Phone]:
        """No new reports; each phone sends its unfinished one until it is acknowledged. Returns phones that could
        not finish in time."""
        self.give_up_at = time.monotonic() + finish_within
        self.stopping.set()
        for phone in self.phones:
            phone.join(timeout=finish_within + 40)
        return [p for p in self.phones if p.is_alive() or p.unfinished is not None]

    def statuses(self, since: float, until: float) -> list[int]:
        with self.lock:
            return [a.status for a in self.attempts if a.sent_at >= since and a.answered_at <= until]

    def acknowledged_count(self) -> int:
        with self.lock:
            return sum(1 for a in self.attempts if a.status == 201)





@dataclass
class Server:
    cluster: object
    env: dict[str, str]
    port: int
    media: Path
    serve: subprocess.Popen
    log: Path
    disk_skip: str = ""  # why the full-disk test cannot run here ("" when it can)
    # Every report acknowledged (201) by this server, over all the tests of the module.
    acknowledged: dict[str, Report] = field(default_factory=dict)

    def pids(self) -> tuple[list[int], int | None]:
        """gunicorn's web workers and the derivation worker under `pollwatch serve`."""
        web, worker = [], None
        for child in children(self.serve.pid):
            line = cmdline(child)
            if "gunicorn" in line:
                web = sorted(children(child))
            elif " worker" in line:
                worker = child
        return web, worker

    def db(self):
        import psycopg

        return psycopg.connect(host=str(self.cluster.dir), dbname="pollwatch", user="postgres", autocommit=True)

    def query(self, sql: str, params=()) -> list[tuple]:
        with self.db() as conn:
            return conn.execute(sql, params).fetchall()

    def health(self, path: str = "/health") -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def wait_for(check, what: str, timeout: float = 60, server: Server | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception:  # noqa: BLE001, S110 - the thing waited for is not there yet (a refused connection, …)
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what}: not after {timeout} s" + (f"\n{server.logs()}" if server else ""))


@pytest.fixture(scope="module")
def server():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the fault test runs in the PostgreSQL pass (make test-postgres)")
    from pollwatch.testing.pgcluster import Cluster, find_pg_bin

    bindir = find_pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed")
    cluster = Cluster(bindir)
    url = cluster.start()
    root = Path(tempfile.mkdtemp(prefix="pollwatch-faults-"))
    media = root / "data" / "media"
    media.mkdir(parents=True)
    disk_skip = ""
    mounted = False
    if os.geteuid() != 0:
        disk_skip = "mounting a small tmpfs over the uploads folder needs root"
    else:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "pollwatch-faults", str(media)],
                                capture_output=True, text=True, check=False)
        mounted = result.returncode == 0
        if not mounted:
            disk_skip = f"cannot mount a tmpfs here ({result.stderr.strip() or result.returncode})"
    serve = None
    try:
        cluster._run("createdb", "-h", str(cluster.dir), "-U", "postgres", "pollwatch")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "DATABASE_URL": url,
               "POLLWATCH_DATA_DIR": str(root / "data"), "POLLWATCH_SECRET_KEY": uuid.uuid4().hex * 2,
               "DJANGO_SETTINGS_MODULE": "pollwatch.settings", "POLLWATCH_CONN_MAX_AGE": "60",
               "PYTHONPATH": str(ROOT), "POLLWATCH_LOG_LEVEL": "ERROR"}
        subprocess.run([PY, "-m", "pollwatch.cli.main", "migrate"], env=env, cwd=root, check=True,
                       capture_output=True, timeout=300)
        subprocess.run([PY, "-c", SETUP], env=env, cwd=root, check=True, capture_output=True, timeout=300)
        port = free_port()
        log = root / "serve.log"
        serve = subprocess.Popen([PY, "-m", "pollwatch.cli.main", "serve", "--port", str(port), "--workers", "2"],
                                 env=env, cwd=root, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        srv = Server(cluster=cluster, env=env, port=port, media=media, serve=serve, log=log, disk_skip=disk_skip)
        wait_for(lambda: srv.health()[0] == 200 and len(srv.pids()[0]) == 2 and srv.pids()[1],
                 "pollwatch serve answering", 120, srv)
        yield srv
    finally:
        if serve is not None:
            serve.terminate()
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
        cluster.stop()
        if mounted:
            subprocess.run(["umount", "-l", str(media)], check=False)
        shutil.rmtree(root, ignore_errors=True)


def check_every_acknowledged_report(server: Server, load: Load) -> None:
    """Every report that got a 201 is stored exactly once, with its photo; every stored report is derived."""
    laggards = load.stop()
    assert not laggards, f"{len(laggards)} phones still had a report the server never acknowledged\n{server.logs()}"
    wait_for(lambda: server.query("SELECT count(*) FROM collection_submission WHERE derive_state = 1")[0][0] == 0,
             "every stored report derived", 180, server)
    rows = server.query("SELECT instance_id, count(*), min(derive_state), max(derive_state) "
                        "FROM collection_submission GROUP BY instance_id")
    stored = {instance_id: (n, lo, hi) for instance_id, n, lo, hi in rows}
    acknowledged = load.acknowledged
    assert acknowledged, "no report was acknowledged at all"
    missing = [i for i in acknowledged if i not in stored]
    assert missing == [], f"{len(missing)} acknowledged reports are not stored"
    assert [i for i, (n, _, _) in stored.items() if n != 1] == [], "a report is stored more than once"
    assert set(stored) == set(acknowledged), "a report is stored that no phone was ever told was received"
    assert {(lo, hi) for _, lo, hi in stored.values()} == {(0, 0)}, "a stored report is not derived (or failed)"
    photos = dict(server.query(
        "SELECT s.instance_id, a.sha256 FROM collection_attachment a JOIN collection_submission s "
        "ON s.id = a.submission_id"))
    files = dict(server.query("SELECT s.instance_id, a.file FROM collection_attachment a "
                              "JOIN collection_submission s ON s.id = a.submission_id"))
    for instance_id, report in acknowledged.items():
        if report.photo_sha256:
            assert photos.get(instance_id) == report.photo_sha256, f"{instance_id}: its photo is not stored"
            content = (server.media / files[instance_id]).read_bytes()
            assert hashlib.sha256(content).hexdigest() == report.photo_sha256, f"{instance_id}: photo damaged"
    # The election-day tables were derived from them: one master record per reported station.
    stations = server.query("SELECT count(DISTINCT station_id) FROM collection_submission")[0][0]
    assert server.query("SELECT count(*) FROM operations_masterrecord")[0][0] == stations
    # And the server is ready again, its (restarted) worker included.
    wait_for(lambda: server.health("/health/ready")[0] == 200, "/health/ready after the faults", 60, server)


def more_acknowledged(load: Load, n: int, server: Server, timeout: float = 60) -> None:
    target = load.acknowledged_count() + n
    wait_for(lambda: load.acknowledged_count() >= target, f"{n} more reports acknowledged", timeout, server)


def kill_a_web_worker(server: Server, load: Load) -> None:
    web, _ = server.pids()
    victim = random.choice(web)
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: len(server.pids()[0]) == 2 and victim not in server.pids()[0],
             "gunicorn replacing the killed web worker", 60, server)
    more_acknowledged(load, 10, server)


def kill_the_derivation_worker_mid_batch(server: Server, load: Load) -> None:
    _, worker = server.pids()
    # Hold it while reports pile up, so that its next batch is large enough to be caught in the middle.
    os.kill(worker, signal.SIGSTOP)
    more_acknowledged(load, 20, server)
    with server.db() as conn:
        os.kill(worker, signal.SIGCONT)
        # A batch is running while its transaction holds the derivers' advisory locks (operations/derive.py); the
        # web workers never take one.
        wait_for(lambda: conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").fetchone()[0],
                 "the derivation worker in the middle of a batch", 30, server)
        os.kill(worker, signal.SIGKILL)
        pending = conn.execute("SELECT count(*) FROM collection_submission WHERE derive_state = 1").fetchone()[0]
    assert pending > 0, "the killed batch was already committed: not killed mid-batch"
    wait_for(lambda: server.pids()[1] not in (None, worker), "pollwatch serve restarting the worker", 60, server)
    more_acknowledged(load, 10, server)


def restart_postgresql(server: Server, load: Load) -> None:
    cluster = server.cluster
    cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "fast", "-w", "stop")
    down_from = time.monotonic()
    wait_for(lambda: len(load.statuses(down_from, time.monotonic())) >= 2 * PHONES,
             "phones answered while the database is down", 30, server)
    status, body = server.health("/health/ready")
    assert status == 503 and json.loads(body)["failing"] == ["database"]
    down_until = time.monotonic()
    options = f"-k {cluster.dir} -c listen_addresses='' -c max_connections=50 -F -c full_page_writes=off"
    cluster._run("pg_ctl", "-D", str(cluster.data), "-o", options, "-l", str(cluster.dir / "log"), "-w", "start")
    answered_while_down = load.statuses(down_from, down_until)
    assert 201 not in answered_while_down, "a report was acknowledged while the database was down"
    assert 503 in answered_while_down and set(answered_while_down) <= {503, 401}, sorted(set(answered_while_down))
    with load.lock:
        refusals = [a for a in load.attempts if a.status == 503 and a.sent_at >= down_from]
    assert all(a.retry_after for a in refusals), "a 503 without Retry-After"
    more_acknowledged(load, 10, server, timeout=90)


def test_acknowledged_reports_survive_killed_workers_and_a_database_restart(server):
    load = Load(server.port, server.acknowledged)
    load.start()
    more_acknowledged(load, 10, server)
    for _ in range(ROUNDS):
        kill_a_web_worker(server, load)
        kill_the_derivation_worker_mid_batch(server, load)
        restart_postgresql(server, load)
    check_every_acknowledged_report(server, load)


def fill_the_disk(folder: Path) -> Path:
    """Write a file until the file system is full, then give back less room than the smallest photo."""
    filler = folder / "filler"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
        size = out.seek(0, os.SEEK_END)
        out.truncate(max(size - 20_000, 0))
    return filler


def test_a_full_upload_disk_refuses_photo_reports_with_503_until_there_is_room(server):
    if server.disk_skip:
        if IN_CI:
            pytest.fail(f"under CI the full-disk test must run: {server.disk_skip}")
        pytest.skip(server.disk_skip)
    load = Load(server.port, server.acknowledged)
    load.start()
    more_acknowledged(load, 5, server)
    for _ in range(ROUNDS):
        filler = fill_the_disk(server.media)
        wait_for(lambda since=time.monotonic(): any(a.disk_full for a in load.attempts if a.sent_at >= since),
                 "a photo report refused for the full disk", 60, server)
        with load.lock:
            refused = [a for a in load.attempts if a.disk_full]
        assert all(a.status == 503 and a.retry_after for a in refused)
        filler.unlink()
        more_acknowledged(load, 10, server)
    check_every_acknowledged_report(server, load)
