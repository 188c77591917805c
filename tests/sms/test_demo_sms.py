"""Done when: a message typed with common mistakes at the demo's Twilio webhook becomes a report visible in the
dashboard, and the observer gets the confirmation through the console sender."""

from __future__ import annotations

import numpy as np
import pytest
from twilio.request_validator import RequestValidator

from pollwatch.collection.demo import build_demo_collection
from pollwatch.collection.models import Submission
from pollwatch.demo.generator import build_demo
from pollwatch.operations.demo import build_demo_operations
from pollwatch.sms.demo import build_demo_sms
from pollwatch.sms.senders.console import OUTBOX

pytestmark = pytest.mark.django_db


def test_a_mistyped_sms_at_the_demo_webhook_becomes_a_report_and_is_confirmed(
        client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    summary = build_demo(seed=5)
    citizens = next(m for m in summary.missions if m.slug == "citizens")
    build_demo_collection(citizens, seed=1, base_url="http://testserver")
    build_demo_operations(summary, np.random.default_rng(5))
    lines = build_demo_sms(citizens, base_url="http://testserver")
    assert set(lines) >= {"twilio_webhook_url", "twilio_auth_token", "sms_observer_phone", "sms_example"}
    assert lines["sms_observer_phone"].startswith("+")
    # typed as people type it: lower case, no space after the prefix, an O for a zero, commas
    typed = lines["sms_example"].lower().replace(" ", ", ").replace("0", "o", 1).replace("op, ", "op")
    params = {"MessageSid": "SMdemo1", "From": lines["sms_observer_phone"], "To": "+15005550006", "Body": typed}
    signature = RequestValidator(lines["twilio_auth_token"]).compute_signature(lines["twilio_webhook_url"], params)
    before = Submission.objects.filter(mission=citizens).count()
    OUTBOX.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(lines["twilio_webhook_url"].removeprefix("http://testserver"), params,
                               HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    report = Submission.objects.filter(mission=citizens, instance_id="sms:twilio:SMdemo1").get()
    assert Submission.objects.filter(mission=citizens).count() == before + 1
    assert report.raw == typed
    assert report.values["commission_members"] == 9 and not report.needs_review
    # the demo observer's first language is Azerbaijani
    assert OUTBOX == [(lines["sms_observer_phone"],
                       f"Qəbul edildi: Opening checklist, məntəqə {report.station.code}. Təşəkkür edirik.")]
    client.force_login(citizens.memberships.filter(role="coordinator").first().user)
    page = client.get(f"/missions/citizens/submissions/{report.pk}/")
    assert page.status_code == 200 and report.station.code.encode() in page.content
    dashboard = client.get("/missions/citizens/operations/dashboard")
    assert dashboard.status_code == 200
