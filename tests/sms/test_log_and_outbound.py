"""The coordinators' message log, corrections, broadcasts, and the outbound queue's retries."""

from __future__ import annotations

import pytest

from pollwatch.collection.models import Submission
from pollwatch.sms.models import InboundMessage, OutboundMessage, SmsSettings
from pollwatch.sms.senders.base import SendError, register_sender
from pollwatch.sms.senders.console import OUTBOX
from pollwatch.sms.services import do_receive_sms, do_send_broadcast, do_send_outbound
from tests.sms.conftest import PAVEL_PHONE

pytestmark = pytest.mark.django_db


def receive(mission, text, sid="m1", sender=PAVEL_PHONE):
    return do_receive_sms(mission, gateway="generic", message_id=sid, sender=sender, text=text).message


def test_the_log_shows_messages_to_coordinators_with_filters_and_search(client, login, sms_world,
                                                                        django_assert_max_num_queries):
    receive(sms_world.cis, "OP1 AA1 AB1", "a")
    receive(sms_world.cis, "ZZ1 AA1", "b")
    login(sms_world.boris)
    with django_assert_max_num_queries(15):
        page = client.get("/missions/cis/sms/")
    assert page.status_code == 200
    assert b"OP1 AA1 AB1" in page.content and b"ZZ1 AA1" in page.content
    page = client.get("/missions/cis/sms/?status=rejected")
    assert b"ZZ1 AA1" in page.content and b"OP1 AA1 AB1" not in page.content
    page = client.get("/missions/cis/sms/?q=OP1")
    assert b"OP1 AA1 AB1" in page.content and b"ZZ1 AA1" not in page.content
    assert client.get("/missions/cis/sms/?status=bogus&page=x").status_code == 200


def test_the_log_is_for_the_missions_managers_only(client, login, sms_world):
    login(sms_world.outsider)
    assert client.get("/missions/cis/sms/").status_code == 404
    login(sms_world.bella)  # analyst
    assert client.get("/missions/cis/sms/").status_code == 403
    client.logout()
    assert client.get("/missions/cis/sms/").status_code == 302


def test_a_coordinator_corrects_a_misparsed_message_and_the_original_is_kept(client, login, sms_world):
    original = receive(sms_world.cis, "OP1 AA1 XB1", "bad")
    assert original.status == "rejected"
    login(sms_world.boris)
    response = client.post(f"/missions/cis/sms/{original.pk}/correct", {"text": "OP1 AA1 AB1"})
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.status == "rejected" and original.text == "OP1 AA1 XB1"
    fixed = InboundMessage.objects.get(corrects=original)
    assert fixed.status == "accepted" and fixed.corrected_by == sms_world.boris
    assert Submission.objects.get().raw == "OP1 AA1 AB1"
    assert client.post(f"/missions/cis/sms/{original.pk}/correct", {"text": ""}).status_code == 302
    assert InboundMessage.objects.count() == 2


def test_a_quarantined_message_is_accepted_when_the_coordinator_trusts_the_phone(client, login, sms_world):
    held = receive(sms_world.cis, "OP1 AA1 AB1", "q", sender="+15550009999")
    assert held.status == "quarantined"
    login(sms_world.boris)
    client.post(f"/missions/cis/sms/{held.pk}/correct", {"text": held.text, "trust": "1"})
    assert InboundMessage.objects.get(corrects=held).status == "accepted"


def test_a_broadcast_reaches_the_region_and_records_each_recipient(client, login, sms_world,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        b = do_send_broadcast(sms_world.cis, "Polls close in 1 hour", user=sms_world.boris, region="R1")
    assert [(r.to, r.status) for r in b.recipients.all()] == [(PAVEL_PHONE, "sent")]
    assert OUTBOX == [(PAVEL_PHONE, "Polls close in 1 hour")]
    assert do_send_broadcast(sms_world.cis, "x", user=sms_world.boris, region="R2").recipients.count() == 0
    receive(sms_world.cis, "OP1 AA1 AB1", "o")
    missing = do_send_broadcast(sms_world.cis, "Send your opening report", user=sms_world.boris,
                                missing_form="opening_checklist")
    assert missing.recipients.count() == 0  # Pavel has sent it


def test_the_broadcast_form_is_for_managers(client, login, sms_world):
    login(sms_world.bella)
    assert client.post("/missions/cis/sms/broadcast", {"text": "hi"}).status_code == 403
    login(sms_world.boris)
    assert client.post("/missions/cis/sms/broadcast", {"text": ""}).status_code == 302
    assert client.post("/missions/cis/sms/broadcast", {"text": "Hello", "region": "R1"}).status_code == 302
    assert OutboundMessage.objects.filter(broadcast__isnull=False).count() == 1


class Flaky:
    def __init__(self, failures: int, retry: bool = True):
        self.failures, self.retry, self.sent = failures, retry, []

    def send(self, to, text, *, settings):
        if self.failures:
            self.failures -= 1
            raise SendError("gateway timeout", retry=self.retry)
        self.sent.append((to, text))
        return "id-1"


def test_a_failing_sender_is_retried_then_succeeds(sms_world):
    flaky = Flaky(2)
    register_sender("flaky", flaky)
    SmsSettings.objects.filter(mission=sms_world.cis).update(sender="flaky")
    out = OutboundMessage.objects.create(mission=sms_world.cis, to=PAVEL_PHONE, text="hi")
    for _ in range(3):
        do_send_outbound(out.pk)
    out.refresh_from_db()
    assert (out.status, out.attempts, out.provider_id) == ("sent", 3, "id-1")
    assert flaky.sent == [(PAVEL_PHONE, "hi")]


def test_a_permanent_failure_is_not_retried(sms_world):
    register_sender("broken", Flaky(1, retry=False))
    SmsSettings.objects.filter(mission=sms_world.cis).update(sender="broken")
    out = OutboundMessage.objects.create(mission=sms_world.cis, to=PAVEL_PHONE, text="hi")
    do_send_outbound(out.pk)
    out.refresh_from_db()
    assert (out.status, out.attempts, out.last_error) == ("failed", 1, "gateway timeout")


def test_sms_parse_cli_reads_the_missions_grammar(sms_world):
    from typer.testing import CliRunner

    from pollwatch.cli.main import app

    result = CliRunner().invoke(app, ["sms", "parse", "OP1 AA1 AB2 DD3", "--mission", "cis"])
    assert result.exit_code == 0, result.output
    assert "AA = 1" in result.output and "problem: Unknown question DD" in result.output


def test_reparse_reads_an_sms_report_from_its_stored_text(sms_world):
    from pollwatch.collection.submissions import do_reparse_submission

    receive(sms_world.cis, "OP1 AA1 AB1 AD7", "r")
    submission = Submission.objects.get()
    Submission.objects.filter(pk=submission.pk).update(values={})
    submission.refresh_from_db()
    do_reparse_submission(submission)
    submission.refresh_from_db()
    assert submission.values == {"opened_on_time": "yes", "ballot_box_sealed": "yes", "commission_members": 7}
