"""No error page leaks a traceback, a path or a setting under the real production settings (issue #17, item 10).

A real server: ``pollwatch serve --prod`` (gunicorn, exec'd) with the environment docs/deploy.md gives it —
``POLLWATCH_ENV=production``, a secret key, allowed hosts, its own data dir and SQLite database — on a free port.
Asked for unknown pages, bad OpenRosa requests (malformed XML, XXE, too large, an unknown login URL), bad API bodies
(malformed, too large), a forged host, a POST without CSRF token, and a request that fails inside the app (the data
dir's ``media`` is a file, so storing an attachment raises: an unhandled exception, Django's 500): every answer is a
4xx/5xx with no traceback, no server path, no setting name or value and none of Django's technical pages.

The database is the test session's migrated one, copied to a file (no second migration run), then given a mission
by ``pollwatch manage shell`` under the production environment.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pollwatch.collection import digest
from tests.deploy.uploads import free_port, multipart, padded_jpeg

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "pollwatch" / "collection" / "demo_forms" / "count_form.xlsx"
PIN = "24681357"
# Marked so that pytest-django sets up the session's test database, which the server's database is copied from.
pytestmark = pytest.mark.django_db

SETUP = f"""
import datetime as dt
from pathlib import Path
from pollwatch.collection.services import check_import_form, do_create_api_token, do_set_device_credential
from pollwatch.elections.services import do_create_election
from pollwatch.geography.services import do_create_station, do_create_unit
from pollwatch.missions.models import Role
from pollwatch.missions.services import do_add_member, do_create_mission, do_create_observer, do_create_user
election = do_create_election(slug="az-2024", name="Presidential election", country="az", date=dt.date(2024, 2, 7),
                              kind="presidential")
country = do_create_unit(election, code="AZ", name="Azerbaijan", level="country")
do_create_station(country, code="S111", name="School 1", registered_voters=800)
mission = do_create_mission(election, slug="citizens", name="Citizens for Fair Elections", kind="citizen")
observer = do_create_observer(mission, code="OBS-1", name="Pavel Orlov")
print("openrosa_user:", do_set_device_credential(observer, password="{PIN}")[0].username)
check_import_form(mission, Path("{FORM}").read_bytes(), filename="count_form.xlsx")
admin = do_create_user("admin", "a long test password")
do_add_member(mission, admin, Role.ADMIN)
print("api_token:", do_create_api_token(admin, "errors", mission=mission)[1])
"""

# What an error page must never show. Django's technical pages (DEBUG on) have the last four.
LEAKS = ("Traceback", 'File "', "site-packages", "SECRET_KEY", "DATABASES", "INSTALLED_APPS", "settings.py",
         "POLLWATCH_", "sqlite3", "pollwatch/", "Errno", "NotADirectoryError", "OperationalError",
         "You're seeing this error because you have", "Request Method:", "Exception Value:", "Using the URLconf")


class Server:
    def __init__(self, port: int, data: Path, key: str, process: subprocess.Popen, log: Path, env: dict):
        self.port, self.data, self.key, self.process, self.log, self.env = port, data, key, process, log, env

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                *, send_body: bool = True) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            if send_body:
                conn.request(method, path, body=body, headers=headers)
            else:  # announce a body and send none: the server must answer from the headers
                conn.putrequest(method, path, skip_host=True)
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.endheaders()
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def leaks(self, status: int, headers: dict[str, str], body: str) -> list[str]:
        text = body + "\n".join(f"{k}: {v}" for k, v in headers.items())
        found = [marker for marker in LEAKS if marker in text]
        for secret, name in ((self.key, "the secret key"), (str(self.data), "the data dir"),
                             (str(ROOT), "the source tree"), (sys.prefix, "the virtualenv")):
            if secret in text:
                found.append(name)
        return found


def _migrated_database(path: Path) -> None:
    """The test session's migrated database (SQLite in memory), copied into ``path``."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("copies the SQLite test database; the PostgreSQL deployment is tests/deploy/test_nginx_stack.py")
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _wait_for(server: Server, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited ({server.process.returncode}):\n{server.log.read_text()[-3000:]}")
        try:
            if server.request("GET", "/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer within {timeout} s:\n{server.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("production")
    data = root / "data"
    data.mkdir()
    with django_db_blocker.unblock():
        _migrated_database(data / "pollwatch.sqlite3")
    port, key = free_port(), secrets.token_urlsafe(50)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(root),
        # The code under test, not whatever checkout the virtualenv was installed from.
        "PYTHONPATH": str(ROOT),
        "POLLWATCH_ENV": "production", "POLLWATCH_SECRET_KEY": key, "POLLWATCH_ALLOWED_HOSTS": "127.0.0.1",
        "POLLWATCH_DATA_DIR": str(data), "POLLWATCH_DB": str(data / "pollwatch.sqlite3"),
        "POLLWATCH_BIND": f"127.0.0.1:{port}", "POLLWATCH_WEB_WORKERS": "1", "POLLWATCH_WEB_THREADS": "2",
        "POLLWATCH_DERIVE": "worker",
    }
    cli = [sys.executable, "-m", "pollwatch.cli.main"]
    setup = subprocess.run([*cli, "manage", "shell", "-c", SETUP], env=env, cwd=root, capture_output=True, text=True,
                           timeout=120, check=False)
    assert setup.returncode == 0, setup.stderr[-3000:]
    env["OPENROSA_USER"] = re.search(r"openrosa_user: (\S+)", setup.stdout).group(1)
    env["API_TOKEN"] = re.search(r"api_token: (\S+)", setup.stdout).group(1)
    # A deployment whose uploads folder is not a folder: storing an attachment fails with an unhandled OSError.
    (data / "media").write_text("not a folder")
    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*cli, "serve", "--prod"], env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    started = Server(port, data, key, process, log, env)
    try:
        _wait_for(started)
        yield started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _digest(server: Server, method: str, path: str) -> dict[str, str]:
    status, headers, _ = server.request("HEAD", path)
    assert status == 401
    return {"Authorization": digest.authorization_header(server.env["OPENROSA_USER"], PIN, method=method, uri=path,
                                                         www_authenticate=headers["WWW-Authenticate"])}


def _report(photo: str = "") -> bytes:
    return (f'<data id="count_form" version="2024020701"><station_code>S111</station_code><observer_code/>'
            f"<registered>800</registered><ballots_cast>512</ballots_cast><invalid>12</invalid>"
            f"<votes_mammadov>300</votes_mammadov><votes_aliyeva>200</votes_aliyeva>"
            f"<protocol_posted>yes</protocol_posted><protocol_photo>{photo}</protocol_photo>"
            f"<meta><instanceID>uuid:{secrets.token_hex(8)}</instanceID></meta></data>").encode()


def _openrosa(server: Server, xml: bytes, files: list[tuple[str, bytes]] = ()):
    path = "/m/citizens/submission"
    body, ctype = multipart([("xml_submission_file", "submission.xml", xml, "text/xml"),
                             *((name, name, content, "image/jpeg") for name, content in files)])
    return server.request("POST", path, body, {**_digest(server, "POST", path), "Content-Type": ctype,
                                               "X-OpenRosa-Version": "1.0"})


XXE = (b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<data id="count_form" version="2024020701"><station_code>&x;</station_code></data>')


def test_no_error_page_of_a_production_server_leaks_a_traceback_a_path_or_a_setting(server):
    from pollwatch.collection.openrosa import MAX_SUBMISSION_BYTES

    api = {"Authorization": f"Bearer {server.env['API_TOKEN']}", "Content-Type": "application/json"}
    answers = {
        "unknown page": server.request("GET", "/no/such/page/"),
        "unknown page under a mission": server.request("GET", "/missions/no-such-mission/forms/nothing"),
        "unknown static file": server.request("GET", "/static/pollwatch/../../settings.py"),
        "OpenRosa, unknown mission": server.request("GET", "/m/no-such-mission/formList"),
        "OpenRosa, malformed XML": _openrosa(server, b"<data id='count_form'><unclosed></data>"),
        "OpenRosa, XXE": _openrosa(server, XXE),
        "OpenRosa, not UTF-8": _openrosa(server, b"<data id='count_form'>\xff\xfe</data>"),
        "OpenRosa, too large": server.request("POST", "/m/citizens/submission", headers={
            "Content-Length": str(MAX_SUBMISSION_BYTES + 1), "Content-Type": "multipart/form-data; boundary=x"},
            send_body=False),
        "OpenRosa, unknown login URL": server.request("GET", f"/key/{secrets.token_urlsafe(32)}/m/citizens/formList"),
        "API, no token": server.request("GET", "/api/missions/citizens/submissions"),
        "API, malformed body": server.request("POST", "/api/missions/citizens/submissions", b"{not json", api),
        "API, wrong types": server.request("POST", "/api/missions/citizens/submissions",
                                           b'{"form_id": [], "values": "x"}', api),
        "API, too large": server.request("POST", "/api/missions/citizens/submissions", headers={
            **api, "Content-Length": str(50 * 1024 * 1024)}, send_body=False),
        "forged Host": server.request("GET", "/login/", headers={"Host": "evil.example"}),
        "POST without CSRF": server.request("POST", "/login/", b"username=admin&password=x",
                                            {"Content-Type": "application/x-www-form-urlencoded"}),
        "bad method": server.request("PUT", "/login/"),
        "unhandled exception": _openrosa(server, _report("protocol.jpg"), [("protocol.jpg", padded_jpeg(2000))]),
    }
    for name, (status, headers, body) in answers.items():
        assert 400 <= status < 600, (name, status, body[:300])
        assert server.leaks(status, headers, body) == [], (name, status, body[:2000])
    assert answers["unknown page"][0] == 404 and "Not Found" in answers["unknown page"][2]
    assert answers["OpenRosa, malformed XML"][0] == 400 and answers["OpenRosa, XXE"][0] == 400
    assert answers["OpenRosa, too large"][0] == 413 and answers["forged Host"][0] == 400
    # The failure really was an unhandled exception, answered by Django's plain 500 (its traceback is in the log).
    assert answers["unhandled exception"][0] == 500, answers["unhandled exception"]
    assert "Server Error (500)" in answers["unhandled exception"][2]
    assert "NotADirectoryError" in server.log.read_text(errors="replace")
