"""REST API tokens: scoped to a mission, capped at a role, expiring, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pollwatch.collection.models import ApiToken
from pollwatch.collection.services import do_create_api_token, do_revoke_api_token
from pollwatch.missions.models import Role

pytestmark = pytest.mark.django_db


def _get(client, key, url):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_scoped_to_one_mission_sees_no_other(client, crew, world):
    from pollwatch.missions.services import do_add_member

    do_add_member(world.cis, world.alice, Role.ANALYST)
    _, key = do_create_api_token(world.alice, "odihr only", mission=world.odihr)
    assert _get(client, key, "/api/missions/odihr/forms").status_code == 200
    assert _get(client, key, "/api/missions/cis/forms").status_code == 404
    _, everywhere = do_create_api_token(world.alice, "all")
    assert _get(client, everywhere, "/api/missions/cis/forms").status_code == 200


def test_a_token_capped_at_a_role_has_no_more_than_its_capabilities(client, crew, world):
    body = {"form_id": "checklist", "values": {"sealed": "yes"}}
    _, capped = do_create_api_token(world.alice, "read only", role=Role.OBSERVER)
    response = client.post("/api/missions/odihr/submissions", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {capped}")
    assert response.status_code == 403
    # As an observer it sees only its own observer's reports: alice has none.
    assert _get(client, capped, "/api/missions/odihr/submissions").json() == []
    _, full = do_create_api_token(world.alice, "full")
    assert len(_get(client, full, "/api/missions/odihr/submissions").json()) >= 2


def test_an_expired_or_revoked_token_is_refused(client, crew, world):
    token, key = do_create_api_token(world.alice, "short", days=1)
    assert _get(client, key, "/api/missions/odihr/forms").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _get(client, key, "/api/missions/odihr/forms").status_code == 401
    token, key = do_create_api_token(world.alice, "revoked")
    do_revoke_api_token(token, user=world.alice)
    assert _get(client, key, "/api/missions/odihr/forms").status_code == 401


def test_tokens_expire_after_the_configured_days_by_default(world, settings):
    settings.POLLWATCH_API_TOKEN_DAYS = 7
    token, _ = do_create_api_token(world.alice)
    assert dt.timedelta(days=6) < token.expires_at - timezone.now() <= dt.timedelta(days=7)


def test_the_token_page_creates_a_scoped_expiring_token(login, world):
    client = login(world.alice)
    response = client.post("/account/api-tokens/", {"name": "s", "mission": "odihr", "role": "analyst", "days": "30"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=world.alice, name="s")
    assert token.mission == world.odihr and token.role == "analyst"
    assert client.post("/account/api-tokens/", {"name": "x", "mission": "cis"}).status_code == 302  # not hers
    assert not ApiToken.objects.filter(name="x").exists()
