"""Under production settings (DEBUG off) no error page shows a traceback, a setting or a path of the server
(item 10): a 404, a 500 from a view that fails, a malformed API request, a bad OpenRosa request.

In process, with a test-only failing view; tests/test_error_pages_served.py asks a real `pollwatch serve --prod`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path


def _fails(request):
    raise RuntimeError("boom: the database password is hunter2")


urlpatterns = [path("boom/", _fails), path("", include("pollwatch.urls"))]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def _leaks(response, settings) -> list[str]:
    body = response.content.decode("utf-8", "replace")
    found = [m for m in ("Traceback", "RuntimeError", "hunter2", "site-packages", "/work/", "DATABASES",
                         "SECRET_KEY", "INSTALLED_APPS", "pollwatch/settings.py") if m in body]
    if settings.SECRET_KEY in body:
        found.append("the secret key")
    return found


@pytest.mark.django_db
def test_no_error_page_leaks_a_traceback_or_a_setting(production, settings, world):
    production.force_login(world.boris)
    answers = {
        "404": production.get("/no/such/page/"),
        "500": production.get("/boom/"),
        "mission 404": production.get("/missions/no-such-mission/"),
        "api 404": production.get("/api/missions/no-such-mission/submissions"),
        "api bad body": production.post("/api/missions/cis/submissions", "{not json", content_type="application/json"),
        "openrosa bad": production.post("/m/cis/submission", {"x": "y"}),
        "bad method": production.put("/login/"),
    }
    assert answers["500"].status_code == 500 and answers["404"].status_code == 404
    for name, response in answers.items():
        assert response.status_code < 500 or name == "500", (name, response.status_code)
        assert _leaks(response, settings) == [], name
