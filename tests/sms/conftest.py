"""SMS helpers on top of the named world: the demo forms (with SMS prefixes and tags) in ``cis``, its gateway
settings, and signing helpers. CIS-001 (Pavel, +7900000001, deployed at S111) reports as observer ``1``."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

DEMO_FORMS = Path(__file__).resolve().parents[2] / "pollwatch" / "collection" / "demo_forms"
TOKEN = "twilio-test-auth-token"
SECRET = "generic-gateway-secret"
PAVEL_PHONE = "+7900000001"


@pytest.fixture(autouse=True)
def _fresh_caches(settings, tmp_path):
    from pollwatch.collection.submissions import forget_forms
    from pollwatch.sms.queries import forget_grammars
    from pollwatch.sms.senders.console import OUTBOX

    settings.MEDIA_ROOT = tmp_path / "media"
    forget_forms()
    forget_grammars()
    OUTBOX.clear()


@pytest.fixture
def sms_world(world):
    from pollwatch.collection.services import check_import_form
    from pollwatch.sms.models import SmsSettings

    for path in sorted(DEMO_FORMS.glob("*.xlsx")):
        check_import_form(world.cis, path.read_bytes(), filename=path.name)
    SmsSettings.objects.create(mission=world.cis, twilio_auth_token=TOKEN, gateway_secret=SECRET)
    return world


def twilio_post(client, slug: str, params: dict[str, str], *, token: str = TOKEN, signature: str | None = None):
    from twilio.request_validator import RequestValidator

    url = f"http://testserver/sms/{slug}/twilio"
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, params)
    return client.post(f"/sms/{slug}/twilio", params, HTTP_X_TWILIO_SIGNATURE=signature)


def gateway_post(client, slug: str, body: bytes, *, content_type: str = "application/json", secret: str = SECRET):
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.generic("POST", f"/sms/{slug}/gateway", body, content_type=content_type,
                          HTTP_X_POLLWATCH_SIGNATURE=f"sha256={signature}")
