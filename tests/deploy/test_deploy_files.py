"""The files of deploy/ agree with each other and with the app: paths, socket, limits, timeouts.

No nginx needed: these read the files. tests/deploy/test_nginx_stack.py runs them.
"""

from __future__ import annotations

import re
from pathlib import Path

from pollwatch.cli.serving import PROD_DEFAULTS, check_prod_environment, prod_gunicorn_command
from pollwatch.collection.openrosa import MAX_SUBMISSION_BYTES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def env_file() -> dict[str, str]:
    lines = (DEPLOY / "pollwatch.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's settings (every value of each key, all sections together)."""
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def nginx_size(value: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit_.lower()]


def nginx_seconds(value: str) -> int:
    return int(value.removesuffix("s"))


def directive(text: str, name: str) -> str:
    return re.search(rf"^\s*{name}\s+([^;]+);", text, re.MULTILINE).group(1).strip()


def test_nginx_accepts_exactly_the_largest_body_the_app_accepts():
    # A smaller nginx limit would cut off photos ODK Collect was told it may send; a larger one lets nginx buffer
    # bodies the app refuses anyway.
    app = (DEPLOY / "nginx" / "pollwatch-app.conf").read_text()
    assert nginx_size(directive(app, "client_max_body_size")) == MAX_SUBMISSION_BYTES


def test_nginx_waits_longer_for_the_app_than_gunicorn_lets_a_request_run():
    app = (DEPLOY / "nginx" / "pollwatch-app.conf").read_text()
    web_timeout = int(env_file()["POLLWATCH_WEB_TIMEOUT"])
    assert nginx_seconds(directive(app, "proxy_read_timeout")) > web_timeout
    assert web_timeout == int(PROD_DEFAULTS["POLLWATCH_WEB_TIMEOUT"])


def test_the_socket_is_the_same_in_the_socket_unit_the_env_file_and_nginx():
    socket = unit("pollwatch-web.socket")["ListenStream"][0]
    assert env_file()["POLLWATCH_BIND"] == f"unix:{socket}" == PROD_DEFAULTS["POLLWATCH_BIND"]
    assert f"server unix:{socket} " in (DEPLOY / "nginx" / "pollwatch-upstream.conf").read_text()
    assert unit("pollwatch-web.service")["Requires"] == ["pollwatch-web.socket"]


def test_nginx_serves_static_files_from_where_collectstatic_puts_them_and_never_the_uploads():
    app = (DEPLOY / "nginx" / "pollwatch-app.conf").read_text()
    assert directive(app, "alias").rstrip("/") == env_file()["POLLWATCH_STATIC_ROOT"]
    assert env_file()["POLLWATCH_DATA_DIR"] not in app  # attachments only through the app's access checks


def test_every_service_reads_the_env_file_and_may_write_only_the_data_dir():
    data_dir = env_file()["POLLWATCH_DATA_DIR"]
    for name in ("pollwatch-web.service", "pollwatch-worker@.service", "pollwatch-backup.service"):
        settings = unit(name)
        assert settings["EnvironmentFile"] == ["/etc/pollwatch/pollwatch.env"], name
        assert settings["User"] == ["pollwatch"] and settings["ProtectSystem"] == ["strict"], name
        assert settings["ReadWritePaths"][0].split()[0] == data_dir, name
        assert settings["ExecStart"][0].startswith("/opt/pollwatch/venv/bin/pollwatch "), name
    backup = unit("pollwatch-backup.service")
    assert "/var/backups/pollwatch" in backup["ReadWritePaths"][0].split()
    assert "--out /var/backups/pollwatch" in backup["ExecStart"][0]
    assert unit("pollwatch-backup.timer")["OnCalendar"] == ["hourly"]


def test_the_site_sends_http_to_https_and_includes_the_shared_app_config():
    site = (DEPLOY / "nginx" / "pollwatch.conf").read_text()
    assert "return 301 https://$host$request_uri;" in site
    assert "listen 443 ssl" in site and "include snippets/pollwatch-app.conf;" in site
    assert site.count("observe.example.org") == 4  # what docs/deploy.md's sed replaces


def test_serve_prod_takes_its_settings_from_the_environment_and_refuses_laptop_defaults():
    command = prod_gunicorn_command({"POLLWATCH_BIND": "unix:/tmp/x.sock", "POLLWATCH_WEB_WORKERS": "7"})
    assert command[command.index("--bind") + 1] == "unix:/tmp/x.sock"
    assert command[command.index("--workers") + 1] == "7"
    assert command[command.index("--timeout") + 1] == PROD_DEFAULTS["POLLWATCH_WEB_TIMEOUT"]
    problems = check_prod_environment({"POLLWATCH_DEBUG": "1"})
    assert any("POLLWATCH_SECRET_KEY" in p for p in problems)
    assert any("POLLWATCH_DEBUG" in p for p in problems)
    assert any("POLLWATCH_ALLOWED_HOSTS" in p for p in problems)
    assert check_prod_environment({"POLLWATCH_SECRET_KEY": "k", "POLLWATCH_ALLOWED_HOSTS": "h"}) == []


def test_the_units_wait_for_the_database_and_migrations_with_checks_that_exist():
    from pollwatch.health import parse_check_names

    for name, key in (("pollwatch-worker@.service", "ExecStartPre"), ("pollwatch-web.service", "ExecStartPost")):
        command = unit(name)[key][0].split()
        assert command[:2] == ["/opt/pollwatch/venv/bin/pollwatch", "ready"], name
        assert parse_check_names(command[command.index("--check") + 1]) == ["database", "migrations"], name
        wait = float(command[command.index("--wait") + 1])
        assert float(unit(name)["TimeoutStartSec"][0]) > wait, name  # systemd lets the wait finish and say why
