"""API tokens: a user creates one on their page (shown once), it opens the API as them, and revoking closes it."""

from __future__ import annotations

import re

import pytest

from pollwatch.accounts.models import AuditEntry
from pollwatch.collection.models import ApiToken

pytestmark = pytest.mark.django_db


def create_on_the_page(client, name="boris nightly export") -> str:
    response = client.post("/account/api-tokens/", {"name": name})
    assert response.status_code == 201
    return re.search(r'<code id="token-key">([^<]+)</code>', response.content.decode()).group(1)


def test_a_token_made_on_the_page_is_shown_once_and_opens_the_api_as_its_user(client, world):
    client.force_login(world.boris)
    key = create_on_the_page(client)
    listing = client.get("/account/api-tokens/").content.decode()
    assert "boris nightly export" in listing and key not in listing  # never shown again
    assert ApiToken.objects.get(user=world.boris).key_hash != key  # only the hash is stored
    client.logout()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/missions/cis/forms", **bearer).status_code == 200
    assert client.get("/api/missions/odihr/forms", **bearer).status_code == 404  # boris's missions only


def test_a_revoked_token_is_refused_and_the_revocation_is_audited(client, world):
    client.force_login(world.boris)
    key = create_on_the_page(client)
    token = ApiToken.objects.get(user=world.boris)
    assert client.post("/account/api-tokens/", {"revoke": token.pk}).status_code == 302
    client.logout()
    assert client.get("/api/missions/cis/forms", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke").exists()


def test_nobody_revokes_another_users_token(client, world):
    client.force_login(world.boris)
    create_on_the_page(client)
    token = ApiToken.objects.get(user=world.boris)
    client.force_login(world.alice)
    assert client.post("/account/api-tokens/", {"revoke": token.pk}).status_code == 404
    assert "boris nightly export" not in client.get("/account/api-tokens/").content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_token_page_needs_a_login(client, world):
    response = client.get("/account/api-tokens/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_cli_prints_a_working_token_once(world, client):
    from typer.testing import CliRunner

    from pollwatch.cli.main import app

    out = CliRunner().invoke(app, ["api-token", "boris", "--name", "cli"])
    assert out.exit_code == 0, out.output
    key = out.stdout.strip().removeprefix("api_token: ")
    assert client.get("/api/missions/cis/forms", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    missing = CliRunner().invoke(app, ["api-token", "nobody"])
    assert missing.exit_code == 2 and "no active user 'nobody'" in missing.output
