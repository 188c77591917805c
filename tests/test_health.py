"""``/health``: public, personal-data free, says the backlog of reports not yet derived; 503 without a database."""

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_health_answers_without_login_with_the_backlog(client, world, settings):
    from pollwatch.collection.models import Submission

    settings.POLLWATCH_DERIVE = "worker"
    body = client.get("/health").json()
    assert body == {"status": "ok", "database": "ok", "backlog": 0, "oldest_pending_s": 0.0, "failed": 0}
    from django.utils import timezone

    Submission.objects.create(mission=world.cis, transport="web", received_at=timezone.now(), raw="{}")
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["backlog"] == 1
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert world.cis.slug not in response.content.decode()  # counts only: no mission, no person


def test_health_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from pollwatch.collection import derivation

    def down(mission=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(derivation, "backlog", down)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_the_dashboard_says_how_fresh_it_is(world, login, settings):
    from django.utils import timezone

    from pollwatch.collection.models import DeriveState, Submission

    client = login(world.boris)
    page = client.get("/missions/cis/operations/dashboard").content.decode()
    assert "Up to date with every report received" in page and "0 reports pending" in page
    settings.POLLWATCH_DERIVE = "worker"
    Submission.objects.create(mission=world.cis, transport="web", received_at=timezone.now(), raw="{}")
    Submission.objects.create(mission=world.cis, transport="web", received_at=timezone.now(), raw="{}",
                              derive_state=DeriveState.FAILED, derive_error="boom")
    page = client.get("/missions/cis/operations/coverage").content.decode()
    assert "Behind by" in page and "1 report pending" in page
    assert "1 could not be derived" in page  # a coordinator is told, with a link to the failed reports
