"""The deployment of docs/deploy.md, run: nginx → gunicorn (unix socket) → PostgreSQL, with deploy/'s own files.

What differs from a server, and only that: paths live under a temporary directory (the files are templated by
replacing their production paths), nginx listens on a high localhost port without TLS (so POLLWATCH_HTTPS=0),
systemd's socket activation is done by the test (the socket of pollwatch-web.socket is created, owned and
passed to `pollwatch serve --prod` as systemd would), and the database is a new one on the test cluster.

Needs Debian's nginx (`.ci/run` installs it): skipped without it, failing under CI=true. Runs in the PostgreSQL
pass (`make test-postgres`): the documented deployment is on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from pollwatch.backups.database import Database
from pollwatch.collection import digest
from tests.deploy.uploads import free_port, multipart, padded_jpeg

# Selected with the database tests, so that it runs in the PostgreSQL pass; it makes its own database.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
FORMS = ROOT / "pollwatch" / "collection" / "demo_forms"
ADMIN_PASSWORD = "a long deployment test password"
PIN = "24681357"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def find_nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found is None:
        message = "nginx is not installed (apt-get install nginx)"
        if IN_CI:
            pytest.fail(message + "; under CI the deployment test must run")
        pytest.skip(message)
    return found


def cluster_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the deployment test runs in the PostgreSQL pass (make test-postgres): docs/deploy.md "
                    "deploys on PostgreSQL")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))



@dataclass
class Stack:
    root: Path
    port: int
    env: dict[str, str]
    database: Database
    processes: list[subprocess.Popen] = field(default_factory=list)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{self.port}", **(headers or {})})
            response = conn.getresponse()
            response.data = response.read()
            return response
        finally:
            conn.close()

    def query(self, sql: str) -> list[tuple]:
        conn = self.database.connect()
        try:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
        finally:
            conn.close()


def templated(text: str, root: Path) -> str:
    """deploy/'s production paths, moved under ``root``; the venv's pollwatch for /opt/pollwatch/venv."""
    for production, here in (("/opt/pollwatch/venv/bin/", f"{Path(sys.executable).parent}/"),
                              ("/run/pollwatch/", f"{root}/run/"), ("/var/lib/pollwatch", f"{root}/data"),
                              ("/var/www/pollwatch/static", f"{root}/static"), ("/etc/pollwatch/", f"{root}/etc/"),
                              ("snippets/", f"{root}/nginx/snippets/"), ("/var/backups/pollwatch", f"{root}/backups"),
                              ("/var/log/nginx/", f"{root}/nginx/")):
        text = text.replace(production, here)
    return text


def unit_value(name: str, key: str, root: Path) -> str:
    text = templated((DEPLOY / "systemd" / name).read_text(), root)
    return re.search(rf"^{key}=(.*)$", text, re.MULTILINE).group(1)


def run(stack_env: dict[str, str], *args: str, extra: dict[str, str] | None = None) -> str:
    """`pollwatch …` as an administrator runs it with pollwatch-admin: the env file's environment only."""
    result = subprocess.run([str(Path(sys.executable).parent / "pollwatch"), *args], env={**stack_env, **(extra or {})},
                            cwd=stack_env["POLLWATCH_DATA_DIR"], capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, f"pollwatch {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wait_until(check, what: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what}: not ready after {timeout} s")


SETUP_MISSION = """
import datetime as dt
from django.contrib.auth import get_user_model
from pollwatch.elections.models import Election
from pollwatch.geography.services import do_create_station, do_create_unit
from pollwatch.missions.models import Role
from pollwatch.missions.services import do_add_member, do_create_mission, do_create_observer
election = Election.objects.get(slug="az-2024")
country = do_create_unit(election, code="AZ", name="Azerbaijan", level="country")
unit = do_create_unit(election, code="C11", name="Sumgait", level="constituency", parent=country)
do_create_station(unit, code="S111", name="School 1", registered_voters=800)
mission = do_create_mission(election, slug="citizens", name="Citizens for Fair Elections", kind="citizen")
do_create_observer(mission, code="OBS-1", name="Pavel Orlov")
do_add_member(mission, get_user_model().objects.get(username="admin"), Role.ADMIN)
"""


@pytest.fixture(scope="module")
def stack():
    nginx = find_nginx()
    name = f"deploy_{uuid.uuid4().hex[:10]}"
    admin_db = Database.from_url(cluster_url("postgres")).connect()
    admin_db.autocommit = True
    admin_db.execute(f'CREATE DATABASE "{name}"')  # docs: createdb -O pollwatch pollwatch
    # Not under pytest's tmp_path (mode 0700 for root): nginx's workers run as www-data and must reach the
    # socket and the static files, as on a server.
    root = Path(tempfile.mkdtemp(prefix="pollwatch-deploy-"))
    root.chmod(0o755)
    as_root = os.geteuid() == 0
    stack = Stack(root=root, port=free_port(), env={}, database=Database.from_url(cluster_url(name)))
    try:
        for folder in ("run", "data", "static", "etc", "nginx/snippets", "nginx/conf.d", "nginx/temp"):
            (root / folder).mkdir(parents=True)
            (root / folder).chmod(0o755)

        # The env file, as docs/deploy.md fills it in.
        env_text = templated((DEPLOY / "pollwatch.env.example").read_text(), root)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        env.update(line.split("=", 1) for line in env_text.splitlines() if line and not line.startswith("#"))
        overrides = {"DATABASE_URL": cluster_url(name), "POLLWATCH_SECRET_KEY": secrets.token_urlsafe(50),
                     "POLLWATCH_ALLOWED_HOSTS": "127.0.0.1,localhost", "POLLWATCH_HTTPS": "0",
                     "POLLWATCH_WEB_WORKERS": "2"}
        assert set(overrides) <= set(env), "the test sets only what the env file has"
        env.update(overrides)
        stack.env = env

        # Install steps: migrate, static files, an administrator, a mission with a form and a device login.
        run(env, "migrate")
        run(env, "manage", "collectstatic", "--noinput", "--verbosity", "0")
        run(env, "manage", "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org",
            extra={"DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD})
        run(env, "election", "create", "--slug", "az-2024", "--name", "Presidential election", "--country", "az",
            "--date", "2024-02-07", "--timezone", "Asia/Baku")
        run(env, "manage", "shell", "-c", SETUP_MISSION)
        run(env, "forms", "import", str(FORMS / "count_form.xlsx"), "--mission", "citizens")
        login = run(env, "submissions", "device-login", "OBS-1", "--mission", "citizens", "--pin", PIN)
        stack.env["OPENROSA_USER"] = re.search(r"openrosa_user: (\S+)", login).group(1)

        # pollwatch-web.socket, as systemd makes it: owned by nginx's user, mode 0600, passed as fd 3.
        socket_path = Path(unit_value("pollwatch-web.socket", "ListenStream", root))
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(socket_path))
        listener.listen(int(unit_value("pollwatch-web.socket", "Backlog", root)))
        socket_path.chmod(int(unit_value("pollwatch-web.socket", "SocketMode", root), 8))
        if as_root:
            web_user = pwd.getpwnam(unit_value("pollwatch-web.socket", "SocketUser", root))
            os.chown(socket_path, web_user.pw_uid, web_user.pw_gid)
        command = unit_value("pollwatch-web.service", "ExecStart", root).split()
        fd = listener.fileno()

        def as_fd_3() -> None:
            os.dup2(fd, 3)

        gunicorn = subprocess.Popen(
            ["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", *command],
            env={**env, "LISTEN_FDS": "1"}, cwd=unit_value("pollwatch-web.service", "WorkingDirectory", root),
            # close_fds would close fd 3 after preexec_fn put the socket there
            preexec_fn=as_fd_3, close_fds=False, stdout=subprocess.DEVNULL, stderr=open(root / "gunicorn.log", "wb"),
        )
        listener.close()
        stack.processes.append(gunicorn)

        # nginx with the site's shared config, as sites-available/pollwatch includes it, minus TLS.
        for conf, folder in (("pollwatch-upstream.conf", "conf.d"), ("pollwatch-app.conf", "snippets")):
            (root / "nginx" / folder / conf).write_text(templated((DEPLOY / "nginx" / conf).read_text(), root))
        temp = root / "nginx" / "temp"
        if as_root:
            os.chown(temp, pwd.getpwnam("www-data").pw_uid, pwd.getpwnam("www-data").pw_gid)
        (root / "nginx" / "nginx.conf").write_text(f"""
{"user www-data;" if as_root else ""}
worker_processes 1;
pid {root}/nginx/nginx.pid;
error_log {root}/nginx/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {root}/nginx/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {root}/nginx/conf.d/pollwatch-upstream.conf;
    server {{
        listen 127.0.0.1:{stack.port};
        server_name 127.0.0.1 localhost;
        include {root}/nginx/snippets/pollwatch-app.conf;
    }}
}}
""")
        server = subprocess.Popen([nginx, "-e", f"{root}/nginx/error.log", "-p", f"{root}/nginx",
                                   "-c", f"{root}/nginx/nginx.conf", "-g", "daemon off;"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stack.processes.append(server)
        try:
            wait_until(lambda: stack.request("GET", "/login/").status == 200, "nginx → gunicorn", server)
        except AssertionError as exc:
            logs = {name: (root / name).read_text(errors="replace")[-3000:]
                    for name in ("gunicorn.log", "nginx/error.log") if (root / name).exists()}
            raise AssertionError(f"{exc}\n{logs}") from None
        yield stack
    finally:
        for process in reversed(stack.processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        admin_db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_db.close()
        shutil.rmtree(root, ignore_errors=True)



def count_report(instance_id: str, photo: str = "") -> bytes:
    return (f'<data id="count_form" version="2024020701"><station_code>S111</station_code><observer_code/>'
            f"<registered>800</registered><ballots_cast>512</ballots_cast><invalid>12</invalid>"
            f"<votes_mammadov>300</votes_mammadov><votes_aliyeva>200</votes_aliyeva>"
            f"<protocol_posted>yes</protocol_posted><protocol_photo>{photo}</protocol_photo>"
            f"<meta><instanceID>{instance_id}</instanceID></meta></data>").encode()



def digest_headers(stack: Stack, method: str, path: str) -> dict[str, str]:
    """What ODK Collect does: ask without credentials, answer the challenge."""
    challenge = stack.request("HEAD", path)
    assert challenge.status == 401
    header = digest.authorization_header(stack.env["OPENROSA_USER"], PIN, method=method, uri=path,
                                         www_authenticate=challenge.getheader("WWW-Authenticate"))
    return {"Authorization": header}


def submit(stack: Stack, xml: bytes, files: list[tuple[str, bytes]] = ()):
    path = "/m/citizens/submission"
    body, ctype = multipart([("xml_submission_file", "submission.xml", xml, "text/xml"),
                             *((name, name, content, "image/jpeg") for name, content in files)])
    return stack.request("POST", path, body, {**digest_headers(stack, "POST", path), "Content-Type": ctype,
                                              "X-OpenRosa-Version": "1.0"})


def test_a_phone_gets_its_forms_with_links_to_the_host_and_scheme_it_used(stack):
    # A client claiming HTTPS changes nothing: nginx sets X-Forwarded-Proto from what it received.
    response = stack.request("GET", "/m/citizens/formList", headers={
        **digest_headers(stack, "GET", "/m/citizens/formList"), "X-Forwarded-Proto": "https",
        "X-OpenRosa-Version": "1.0"})
    assert response.status == 200, response.data
    urls = re.findall(rb"<downloadUrl>([^<]+)</downloadUrl>", response.data)
    assert urls and all(u.startswith(f"http://127.0.0.1:{stack.port}/m/citizens/".encode()) for u in urls)


def test_an_openrosa_report_through_nginx_is_stored_once_with_its_photo(stack):
    photo = padded_jpeg(200_000)
    first = submit(stack, count_report("uuid:deploy-1", photo="protocol.jpg"), [("protocol.jpg", photo)])
    assert first.status == 201, first.data
    again = submit(stack, count_report("uuid:deploy-1", photo="protocol.jpg"), [("protocol.jpg", photo)])
    assert again.status == 201 and b"already received" in again.data
    assert stack.query("SELECT count(*) FROM collection_submission WHERE instance_id = 'uuid:deploy-1'") == [(1,)]
    [(relative, sha256)] = stack.query(
        "SELECT a.file, a.sha256 FROM collection_attachment a JOIN collection_submission s ON s.id = a.submission_id "
        "WHERE s.instance_id = 'uuid:deploy-1'")
    stored = (stack.root / "data" / "media" / relative).read_bytes()
    assert stored == photo and hashlib.sha256(stored).hexdigest() == sha256


def test_nginx_lets_through_a_report_as_large_as_the_app_accepts_and_refuses_a_larger_one(stack):
    from pollwatch.collection.openrosa import MAX_SUBMISSION_BYTES

    big = padded_jpeg(MAX_SUBMISSION_BYTES - 64 * 1024)  # the XML and multipart framing fit in the rest
    response = submit(stack, count_report("uuid:deploy-big", photo="big.jpg"), [("big.jpg", big)])
    assert response.status == 201, response.data

    path = "/m/citizens/submission"
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    try:  # announce one byte too many: nginx answers from the header, before any body is sent
        conn.putrequest("POST", path)
        conn.putheader("Content-Length", str(MAX_SUBMISSION_BYTES + 1))
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.endheaders()
        refused = conn.getresponse()
        assert refused.status == 413 and b"nginx" in refused.read()
    finally:
        conn.close()


LOGIN_URL = """
from pollwatch.collection.services import do_create_device_token, do_set_mission_device_tokens
from pollwatch.missions.models import Mission, Observer
do_set_mission_device_tokens(Mission.objects.get(slug="citizens"), True)
print("token:", do_create_device_token(Observer.objects.get(code="OBS-1"))[1])
"""


def test_a_login_url_works_through_nginx_and_its_token_is_in_no_log(stack):
    # The login URL is the phone's whole credential: nginx's access log and gunicorn's log show /key/[redacted]/.
    token = re.search(r"token: (\S+)", run(stack.env, "manage", "shell", "-c", LOGIN_URL)).group(1)
    listing = stack.request("GET", f"/key/{token}/m/citizens/formList", headers={"X-OpenRosa-Version": "1.0"})
    assert listing.status == 200, listing.data
    assert f"http://127.0.0.1:{stack.port}/key/{token}/m/citizens/forms/".encode() in listing.data
    assert stack.request("GET", f"/key/{token}/m/citizens/forms/nope/1/form.xml").status == 404
    assert stack.request("GET", f"/key/{token}x/m/citizens/formList").status == 404
    logs = (stack.root / "nginx" / "access.log").read_text() + (stack.root / "gunicorn.log").read_text()
    assert '"GET /key/[redacted]/m/citizens/formList HTTP/1.1" 200' in logs
    assert token not in logs


def test_staff_log_in_and_pages_and_static_files_come_through_nginx(stack):
    page = stack.request("GET", "/login/")
    cookies = SimpleCookie(page.getheader("Set-Cookie"))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.data).group(1).decode()
    origin = f"http://127.0.0.1:{stack.port}"
    logged_in = stack.request("POST", "/login/", urlencode(
        {"username": "admin", "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token}).encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + "/login/",
        "Cookie": f"csrftoken={cookies['csrftoken'].value}"})
    assert logged_in.status == 302, logged_in.data[:500]
    session = SimpleCookie(logged_in.getheader("Set-Cookie"))["sessionid"].value
    for path, text in (("/missions/citizens/", b"Citizens for Fair Elections"),
                       ("/missions/citizens/submissions/", b"<td>OBS-1</td><td>S111</td>"),
                       ("/missions/citizens/operations/", b"Citizens for Fair Elections")):
        response = stack.request("GET", path, headers={"Cookie": f"sessionid={session}"})
        assert response.status == 200, (path, response.status)
        assert text in response.data, path

    css = stack.request("GET", "/static/pollwatch/pollwatch.css")
    assert css.status == 200 and css.data
    # nginx's `expires 1h` from the collected files, not WhiteNoise's short max-age from the app.
    assert "max-age=3600" in css.getheader("Cache-Control")
    assert css.data == (stack.root / "static" / "pollwatch" / "pollwatch.css").read_bytes()


def test_the_https_site_as_installed_passes_nginx_own_check(tmp_path):
    """sites-available/pollwatch with its TLS server, a self-signed certificate in certbot's place: `nginx -t`."""
    nginx = find_nginx()
    root = tmp_path
    (root / "nginx" / "snippets").mkdir(parents=True)
    cert = root / "live"
    cert.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=observe.example.org", "-keyout", str(cert / "privkey.pem"), "-out", str(cert / "fullchain.pem")],
                   check=True, capture_output=True)
    site = templated((DEPLOY / "nginx" / "pollwatch.conf").read_text(), root)
    site = site.replace("/etc/letsencrypt/live/observe.example.org/", f"{cert}/")
    (root / "site.conf").write_text(site)
    for conf, folder in (("pollwatch-upstream.conf", "conf.d"), ("pollwatch-app.conf", "snippets")):
        (root / "nginx" / folder).mkdir(exist_ok=True)
        (root / "nginx" / folder / conf).write_text(templated((DEPLOY / "nginx" / conf).read_text(), root))
    (root / "nginx.conf").write_text(f"""
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    include {root}/nginx/conf.d/pollwatch-upstream.conf;
    include {root}/site.conf;
}}
""")
    result = subprocess.run([nginx, "-t", "-e", f"{root}/error.log", "-p", str(root), "-c", f"{root}/nginx.conf"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_readiness_through_nginx_names_the_missing_worker_and_the_units_own_check_passes(stack):
    # No `pollwatch worker` runs in this stack: the full check says so; what a load balancer asks passes.
    full = stack.request("GET", "/health/ready")
    assert full.status == 503 and full.getheader("Retry-After")
    assert json.loads(full.data)["failing"] == ["worker"]
    assert stack.request("GET", "/health/ready?check=database,migrations").status == 200
    # The worker unit's ExecStartPre, as systemd runs it (the env file's environment).
    command = unit_value("pollwatch-worker@.service", "ExecStartPre", stack.root).split()
    assert '"status": "ready"' in run(stack.env, *command[1:])
