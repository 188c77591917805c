"""Inbound SMS: signed webhooks become reports through the collection's receive path; bad input never a 500."""

from __future__ import annotations

import json

import pytest

from pollwatch.collection.models import Submission
from pollwatch.sms.models import InboundMessage, OutboundMessage
from pollwatch.sms.senders.console import OUTBOX
from tests.sms.conftest import PAVEL_PHONE, gateway_post, twilio_post

pytestmark = pytest.mark.django_db

REPORT = "OP1 AA1 AB1 AC1 AD12 AE2"


def sms(sid: str, body: str, sender: str = PAVEL_PHONE) -> dict[str, str]:
    return {"MessageSid": sid, "SmsSid": sid, "From": sender, "To": "+15005550006", "Body": body,
            "AccountSid": "AC123", "NumMedia": "0"}


def test_a_signed_twilio_message_with_typos_becomes_a_report_and_gets_a_confirmation(
        client, sms_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = twilio_post(client, "cis", sms("SM1", "op-l aa1, ab 1 ac1 ad l2 ae2"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response" in response.content
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.ACCEPTED, message.problems
    submission = Submission.objects.get()
    assert submission.transport == "sms"
    assert submission.raw == "op-l aa1, ab 1 ac1 ad l2 ae2"  # stored verbatim: the text is the payload
    assert submission.values == {"opened_on_time": "yes", "ballot_box_sealed": "yes", "voter_list_present": "yes",
                                 "commission_members": 12, "unauthorised_persons": "no"}
    assert submission.station.code == "S111"
    assert submission.observer.code == "CIS-001"
    assert not submission.needs_review
    assert OUTBOX == [(PAVEL_PHONE, "Received: Opening checklist, station S111. Thank you.")]
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.SENT


def test_a_forged_twilio_signature_is_refused(client, sms_world):
    response = twilio_post(client, "cis", sms("SM1", REPORT), token="not-the-token")
    assert response.status_code == 403
    response = twilio_post(client, "cis", sms("SM1", REPORT), signature="")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert not Submission.objects.exists()


def test_a_replayed_webhook_is_processed_once(client, sms_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert twilio_post(client, "cis", sms("SM7", REPORT)).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Submission.objects.count() == 1
    assert len(OUTBOX) == 1


def test_a_message_from_an_unregistered_phone_is_quarantined_not_stored_as_a_report(client, sms_world):
    twilio_post(client, "cis", sms("SM2", REPORT, sender="+15550001111"))
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.QUARANTINED
    assert "not the registered phone" in message.problems[0]
    assert not Submission.objects.exists()


@pytest.mark.parametrize("body, status", [
    ("", "ignored"), ("   ", "ignored"), ("\x00\x01\xff\ufffd binary", "rejected"), ("x" * 2000, "rejected"),
    ("ZZ99 AA1", "rejected"), ("OP4242 AA1", "rejected"), ("OP1 AA1 DD3 AB7", "rejected"),
    ("OP1 " + "AA1" * 700, "accepted"),  # 2,100 characters: one answer given 700 times, the last kept and flagged
])
def test_bad_messages_get_a_clear_outcome_and_never_a_500(client, sms_world, body, status):
    response = twilio_post(client, "cis", sms("SM-bad", body))
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == status
    assert message.problems and message.problems != ["processing"]
    assert Submission.objects.exists() == (status == "accepted")


def test_every_problem_is_in_the_reply(client, sms_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        twilio_post(client, "cis", sms("SM3", "OP1 AA1 DD3 AB7"))
    (_, reply), = OUTBOX
    assert "Unknown question DD; expected AA–AE" in reply
    assert "AB7: no option 7 (1–2)" in reply


def test_the_reply_is_in_the_observers_language(client, sms_world, django_capture_on_commit_callbacks):
    observer = sms_world.observers["CIS-001"]
    observer.languages = "ru"
    observer.save()
    with django_capture_on_commit_callbacks(execute=True):
        twilio_post(client, "cis", sms("SM4", REPORT))
    assert OUTBOX[0][1] == "Получено: Opening checklist, участок S111. Спасибо."


def test_the_generic_gateway_takes_signed_json_and_form_bodies(client, sms_world):
    body = json.dumps({"id": "g-1", "from": PAVEL_PHONE, "text": REPORT}).encode()
    response = gateway_post(client, "cis", body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    body = f"id=g-2&from=%2B7900000001&text={REPORT.replace(' ', '+')}".encode()
    response = gateway_post(client, "cis", body, content_type="application/x-www-form-urlencoded")
    assert response.json()["status"] == "accepted"
    assert Submission.objects.count() == 2
    response = gateway_post(client, "cis", json.dumps({"id": "g-1", "from": PAVEL_PHONE, "text": REPORT}).encode())
    assert response.json()["replayed"] is True


def test_the_generic_gateway_refuses_bad_signatures_and_bodies(client, sms_world):
    body = json.dumps({"id": "g-1", "from": PAVEL_PHONE, "text": REPORT}).encode()
    assert gateway_post(client, "cis", body, secret="wrong").status_code == 403
    assert gateway_post(client, "cis", b"\xff\xfe not json").status_code == 400
    assert gateway_post(client, "cis", b"[1, 2]").status_code == 400
    assert gateway_post(client, "cis", json.dumps({"from": PAVEL_PHONE}).encode()).status_code == 400
    assert client.post("/sms/nope/gateway", {}).status_code == 404
    assert client.get("/sms/cis/twilio").status_code == 405
    assert not InboundMessage.objects.exists()


def test_a_mission_without_sms_settings_refuses_every_webhook(client, world):
    assert twilio_post(client, "odihr", sms("SM1", REPORT)).status_code == 403
    assert gateway_post(client, "odihr", b"{}").status_code == 403


def test_simulate_feeds_reports_through_the_same_service(sms_world):
    from pollwatch.sms.simulate import simulate_messages

    summary = simulate_messages(sms_world.cis, count=30, typo_share=0.5, seed=3)
    assert summary["messages"] == 30
    assert summary.get("accepted", 0) >= 20, summary
    assert Submission.objects.filter(transport="sms").count() == summary["accepted"]


def test_a_russian_speaking_observer_gets_the_problems_in_russian(client, sms_world,
                                                                   django_capture_on_commit_callbacks):
    observer = sms_world.observers["CIS-001"]
    observer.languages = "ru,en"
    observer.save()
    with django_capture_on_commit_callbacks(execute=True):
        twilio_post(client, "cis", sms("SM5", "OP1 AA1 AB7 DD3"))
    (_, reply), = OUTBOX
    assert reply == ("Не сохранено: AB7: нет варианта 7 (1–2); Неизвестный вопрос DD; ожидается AA–AE. "
                     "Исправьте и отправьте снова.")
    # the log keeps the problems in English, as the coordinators' common reference
    assert "Unknown question DD; expected AA–AE" in InboundMessage.objects.get().problems


@pytest.mark.parametrize(("languages", "expected"), [
    ("fr", "Non enregistré : Question inconnue DD ; attendu : AA–AE. Corrigez et renvoyez, s'il vous plaît."),
    ("ar", "لم يُحفظ: سؤال غير معروف DD؛ المتوقع: AA–AE. يرجى التصحيح والإرسال مرة أخرى."),
    ("az", "Saxlanılmadı: Naməlum sual DD; gözlənilən: AA–AE. Düzəldib yenidən göndərin."),
    ("", "Not stored: Unknown question DD; expected AA–AE. Please correct and send again."),
])
def test_problems_are_rendered_in_each_shipped_language(client, sms_world, django_capture_on_commit_callbacks,
                                                        languages, expected):
    observer = sms_world.observers["CIS-001"]
    observer.languages = languages
    observer.save()
    with django_capture_on_commit_callbacks(execute=True):
        twilio_post(client, "cis", sms("SM6", "OP1 AA1 DD3"))
    assert OUTBOX == [(PAVEL_PHONE, expected)]


@pytest.mark.parametrize(("languages", "expected"), [
    ("ru", "Не сохранено: Форма «Opening checklist» закрыта: отчёты по ней больше не принимаются. "
           "Исправьте и отправьте снова."),
    ("az", "Saxlanılmadı: «Opening checklist» forması bağlanıb: artıq hesabat qəbul etmir. "
           "Düzəldib yenidən göndərin."),
    ("", "Not stored: The form “Opening checklist” is closed: it no longer accepts reports. "
         "Please correct and send again."),
])
def test_a_report_refused_after_parsing_gets_the_reason_in_the_observers_language(
        client, sms_world, django_capture_on_commit_callbacks, languages, expected):
    from pollwatch.collection.models import ObservationForm
    from pollwatch.sms.queries import sms_grammar

    observer = sms_world.observers["CIS-001"]
    observer.languages = languages
    observer.save()
    sms_grammar(sms_world.cis)  # the grammar this process holds still has the form a coordinator now closes
    ObservationForm.objects.filter(mission=sms_world.cis, form_id="opening_checklist").update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        twilio_post(client, "cis", sms("SM7", REPORT))
    assert OUTBOX == [(PAVEL_PHONE, expected)]
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.REJECTED
    # the log keeps the collection's English reason
    assert message.problems == ["Form 'opening_checklist' is closed: it no longer accepts reports."]
    assert not Submission.objects.exists()
