"""Phone logins are throttled and a captured Digest header cannot be replayed (finding 6: 40 wrong PINs in 0.5 s,
then the right one accepted; one captured header accepted for three different reports)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pollwatch.accounts.models import AuditEntry
from pollwatch.collection import digest
from pollwatch.collection.models import DigestNonceUse, Submission

from .conftest import DigestClient, count_xml

SUBMIT = "/m/cis/submission"


def test_wrong_pins_lock_the_device_login_and_then_the_right_pin_is_refused_too(forms, client, devices, settings):
    wrong = DigestClient(client, "pavel", "99999999")
    answers = [wrong.get("/m/cis/formList").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = DigestClient(client, "pavel", devices["pavel"]).submit(SUBMIT, count_xml("uuid:after-guessing"))
    assert locked.status_code == 429 and "Retry-After" in locked
    assert b"Too many wrong PINs" in locked.content and b"OpenRosaResponse" in locked.content
    assert not Submission.objects.exists()
    assert AuditEntry.objects.filter(action="auth.lockout", detail__username="device:pavel").exists()


def test_guessing_many_device_logins_from_one_address_locks_the_address(forms, client, devices, settings):
    # pavel's phone was just seen working from this address: its clean record must not outlive the guessing.
    assert DigestClient(client, "pavel", devices["pavel"]).get("/m/cis/formList").status_code == 200
    for i in range(settings.AXES_FAILURE_LIMIT):
        DigestClient(client, f"obs{i}", "99999999").get("/m/cis/formList")
    assert DigestClient(client, "pavel", devices["pavel"]).get("/m/cis/formList").status_code == 429
    other_network = client.get("/m/cis/formList", REMOTE_ADDR="198.51.100.7")
    header = digest.authorization_header("pavel", devices["pavel"], method="GET", uri="/m/cis/formList",
                                         www_authenticate=other_network["WWW-Authenticate"])
    assert client.get("/m/cis/formList", HTTP_AUTHORIZATION=header, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_a_lockout_recorded_by_another_web_process_applies_here_once_the_clean_record_expires(
        forms, client, devices, settings, monkeypatch):
    from axes.models import AccessAttempt

    from pollwatch.collection import openrosa

    pavel = DigestClient(client, "pavel", devices["pavel"])
    assert pavel.get("/m/cis/formList").status_code == 200  # seen with no failure on record
    # Another gunicorn process counted the wrong PINs: rows in the table, no signal in this process.
    AccessAttempt.objects.create(username="device:pavel", ip_address="127.0.0.1", user_agent="", http_accept="",
                                 path_info="/m/cis/formList", get_data="", post_data="",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT)
    monkeypatch.setattr(openrosa, "CLEAN_LOGIN_TTL", 0.0)  # the clean record has expired
    assert pavel.submit(SUBMIT, count_xml("uuid:after-lockout")).status_code == 429
    assert not Submission.objects.exists()


def test_an_unknown_user_name_is_locked_like_a_known_one(forms, client, devices, settings):
    # Otherwise the lockout would tell which device logins exist.
    for name in ("pavel", "nobody"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            last = DigestClient(client, name, "99999999").get("/m/cis/formList", REMOTE_ADDR=f"203.0.113.{len(name)}")
        assert last.status_code == 429


def _captured_header(client, pin: str, *, method: str = "POST", path: str = SUBMIT, nc: str = "00000001") -> str:
    challenge = client.head(path)["WWW-Authenticate"]
    return digest.authorization_header("pavel", pin, method=method, uri=path, www_authenticate=challenge, nc=nc)


def _post(client, header: str, xml: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("submission.xml", xml.encode(), content_type="text/xml")
    return client.post(SUBMIT, {"xml_submission_file": upload}, HTTP_AUTHORIZATION=header)


def test_a_captured_digest_header_is_accepted_once_not_for_another_report(forms, client, devices):
    header = _captured_header(client, devices["pavel"])
    assert _post(client, header, count_xml("uuid:real")).status_code == 201
    replay = _post(client, header, count_xml("uuid:forged", ballots=999))
    assert replay.status_code == 401 and "stale=true" in replay["WWW-Authenticate"]
    assert list(Submission.objects.values_list("instance_id", flat=True)) == ["uuid:real"]


def test_a_client_counting_up_on_one_nonce_is_accepted_for_every_request(forms, client, devices):
    challenge = client.head("/m/cis/formList")["WWW-Authenticate"]
    for nc in ("00000001", "00000002", "00000003"):
        header = digest.authorization_header("pavel", devices["pavel"], method="GET", uri="/m/cis/formList",
                                             www_authenticate=challenge, nc=nc)
        assert client.get("/m/cis/formList", HTTP_AUTHORIZATION=header).status_code == 200


def test_two_challenges_in_the_same_second_are_two_nonces():
    assert digest.make_nonce(now=1_700_000_000) != digest.make_nonce(now=1_700_000_000)
    assert digest.nonce_state(digest.make_nonce()) == "ok"
    assert digest.nonce_state("1700000000.abcd.0123456789abcdef0123456789abcdef") == "bad"


def test_remembered_nonce_counts_are_forgotten_once_their_nonce_has_expired(forms, client, devices, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from pollwatch.collection import openrosa

    DigestNonceUse.objects.create(nonce="old", nc="00000001", used_at=timezone.now() - dt.timedelta(hours=1))
    monkeypatch.setattr(openrosa, "CLEANUP_EVERY", 1)
    DigestClient(client, "pavel", devices["pavel"]).get("/m/cis/formList")
    assert list(DigestNonceUse.objects.values_list("nonce", flat=True)) != ["old"]
    assert not DigestNonceUse.objects.filter(nonce="old").exists()


def test_a_device_pin_has_at_least_eight_characters(world):
    from pollwatch.collection.services import do_set_device_credential

    with pytest.raises(ValueError, match="at least 8 characters"):
        do_set_device_credential(world.observers["CIS-001"], password="2468")
    _, pin = do_set_device_credential(world.observers["CIS-001"])
    assert len(pin) >= 8 and pin.isdigit()
    assert len({do_set_device_credential(world.observers["CIS-001"])[1] for _ in range(5)}) == 5


def test_the_cli_refuses_a_short_pin(world, monkeypatch):
    from pollwatch.cli.collection import submissions_app

    monkeypatch.setattr("pollwatch.cli.collection.setup_django", lambda db: None)
    result = CliRunner().invoke(submissions_app, ["device-login", "CIS-001", "--mission", "cis", "--pin", "1234"])
    assert result.exit_code == 2 and "at least 8 characters" in result.output
    ok = CliRunner().invoke(submissions_app, ["device-login", "CIS-001", "--mission", "cis", "--pin", "correct-staple"])
    assert ok.exit_code == 0 and "openrosa_password: correct-staple" in ok.output
