"""Headers on every response and production settings (finding 12: no CSP, HSTS or Permissions-Policy; sensitive
pages and exports cacheable; POLLWATCH_SECRET_KEY documented as required in production but not enforced)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_pages_and_exports_carry_the_policy_and_are_never_cached(world, login):
    boris = login(world.boris)
    for response in (boris.get("/missions/cis/"), boris.get(reverse("operations-export", args=["cis", "incidents", "csv"])),
                     boris.get("/login/")):
        csp = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert script_src == "'self'" and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"]


def test_no_template_has_an_inline_script_or_event_handler():
    for path in (ROOT / "pollwatch").rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{path.relative_to(ROOT)} has an inline script: {tag}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path.relative_to(ROOT)} has an inline event handler"


@pytest.mark.django_db
def test_a_chart_is_a_div_with_its_data_not_a_script(world):
    from pollwatch.figures import figure_div

    html = figure_div({"data": [{"type": "bar", "x": ["a"], "y": [1], "name": "</div><script>alert(1)</script>"}],
                       "layout": {}}, validate=False)
    assert "<script" not in html and 'class="plotly-graph-div plotly-figure"' in html


def _settings_env(**extra) -> dict:
    keep = {"PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV"}  # not the test run's DJANGO_ALLOW_ASYNC_UNSAFE and the like
    env = {k: v for k, v in os.environ.items() if k in keep}
    return env | {"POLLWATCH_DATA_DIR": extra.pop("data_dir")} | extra


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    for switch in ({"POLLWATCH_ENV": "production"}, {"POLLWATCH_HTTPS": "1"}):
        result = subprocess.run([sys.executable, "-c", "import pollwatch.settings"], capture_output=True, text=True,
                                env=_settings_env(data_dir=str(tmp_path), **switch), timeout=60)
        assert result.returncode != 0 and "POLLWATCH_SECRET_KEY must be set in production" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # nothing made up on the server's disk
    laptop = subprocess.run([sys.executable, "-c", "import pollwatch.settings"], capture_output=True,
                            env=_settings_env(data_dir=str(tmp_path)), timeout=60)
    assert laptop.returncode == 0 and (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("production", [
    {},  # HTTPS and a secret key: what docs/security.md says is enough
    {"POLLWATCH_ENV": "production", "POLLWATCH_ALLOWED_HOSTS": "observe.example.org", "POLLWATCH_PROXY_COUNT": "1"},
], ids=["https", "production-behind-a-proxy"])
def test_the_deployment_check_reports_nothing_over_https_with_a_secret_key(tmp_path, production):
    import secrets

    env = _settings_env(data_dir=str(tmp_path), POLLWATCH_HTTPS="1", POLLWATCH_SECRET_KEY=secrets.token_urlsafe(50),
                        POLLWATCH_DB=str(tmp_path / "db.sqlite3"), **production)
    result = subprocess.run([sys.executable, "-m", "pollwatch.cli.main", "manage", "check", "--deploy"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout and "WARNINGS" not in result.stderr


def test_over_https_the_settings_send_hsts_and_redirect_plain_http(tmp_path):
    code = ("from django.conf import settings; import django; django.setup(); "
            "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE)")
    env = _settings_env(data_dir=str(tmp_path), POLLWATCH_HTTPS="1", POLLWATCH_SECRET_KEY="k" * 60,
                        DJANGO_SETTINGS_MODULE="pollwatch.settings")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.split() == ["31536000", "True", "True"], out.stderr
