"""The optional TOTP second factor: enrolment from the account page, then password → code at every web and admin
login; wrong codes lock out like wrong passwords, a code is used once, required users are sent to enrolment."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pollwatch.accounts.models import AuditEntry
from pollwatch.accounts.two_factor import do_reset_totp
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_device_slowdown(settings):
    # django-otp also slows a device down after a failure (1 s, 2 s, 4 s …); the lockout tests count axes's limit.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _code(device, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _enrol(client, user) -> TOTPDevice:
    """Through the account page, as a user does: read the secret shown, confirm with the app's code."""
    import base64

    client.force_login(user)
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and b"<svg" in page.content  # the QR code, drawn inline
    secret = re.search(rb'id="totp-secret">([A-Z2-7]+)<', page.content).group(1).decode()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    response = client.post("/account/two-factor/", {"confirm": "1", "code": f"{totp.token():06d}"})
    assert response.status_code == 302
    client.logout()
    return TOTPDevice.objects.get(user=user, confirmed=True)


def _password(client, username, password=PASSWORD, address="192.0.2.10", next_url=""):
    data = {"username": username, "password": password} | ({"next": next_url} if next_url else {})
    return client.post("/login/", data, REMOTE_ADDR=address)


def _code_step(client, code, address="192.0.2.10"):
    return client.post("/login/code/", {"code": code}, REMOTE_ADDR=address)


def test_a_user_without_a_device_logs_in_with_the_password_alone(world, client):
    response = _password(client, "anna")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" in client.session


def test_enrolment_shows_a_qr_code_and_secret_and_a_wrong_first_code_stores_nothing(world, client):
    client.force_login(world.anna)
    page = client.get("/account/two-factor/")
    assert b"<svg" in page.content and not re.search(rb"<script(?![^>]*\bsrc=)", page.content)  # no inline script
    assert client.post("/account/two-factor/", {"confirm": "1", "code": "000000"}).status_code == 400
    assert not TOTPDevice.objects.filter(user=world.anna).exists()
    assert AuditEntry.objects.filter(action="auth.totp_failed", username="anna").exists()


def test_after_enrolment_the_password_alone_does_not_log_in(world, client):
    _enrol(client, world.anna)
    response = _password(client, "anna")
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")
    assert "_auth_user_id" not in client.session
    assert client.get("/missions/odihr/").status_code == 302  # still anonymous: sent to the login page
    assert AuditEntry.objects.filter(action="auth.totp_enrolled", username="anna").exists()


def test_the_right_code_logs_in_and_is_audited(world, client):
    device = _enrol(client, world.anna)
    _password(client, "anna", next_url="/missions/odihr/")
    response = _code_step(client, _code(device, steps_ahead=1))  # the enrolment's own step is spent
    assert response.status_code == 302 and response["Location"] == "/missions/odihr/"
    assert client.session["_auth_user_id"] == str(world.anna.pk)
    assert client.get("/missions/odihr/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.totp_verified", username="anna").exists()
    assert AuditEntry.objects.filter(action="auth.login", username="anna").exists()


def test_a_wrong_code_is_refused_and_audited(world, client):
    _enrol(client, world.anna)
    _password(client, "anna")
    response = _code_step(client, "123456")
    assert response.status_code == 400 and b"not right" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.totp_failed", detail__username="anna").exists()


def test_the_same_code_cannot_log_in_twice(world, client):
    device = _enrol(client, world.anna)
    code = _code(device, steps_ahead=1)
    _password(client, "anna")
    assert _code_step(client, code).status_code == 302
    client.logout()
    _password(client, "anna")
    replayed = _code_step(client, code)
    assert replayed.status_code == 400 and "_auth_user_id" not in client.session


def test_wrong_codes_lock_the_user_out_like_wrong_passwords(world, client, settings):
    device = _enrol(client, world.anna)
    _password(client, "anna")
    answers = [_code_step(client, f"{n:06d}").status_code for n in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[-1] == 429 and set(answers) <= {400, 429}
    # The right code, and then the right password from elsewhere, are refused while the lockout lasts.
    locked = _code_step(client, _code(device, steps_ahead=1))
    assert locked.status_code == 429 and b"Too many failed logins" in locked.content
    assert "_auth_user_id" not in client.session
    assert _password(client, "anna", address="198.51.100.7").status_code == 429
    assert AuditEntry.objects.filter(action="auth.lockout", detail__username="anna").exists()


def test_the_code_step_expires_without_a_fresh_password(world, client):
    device = _enrol(client, world.anna)
    _password(client, "anna")
    session = client.session
    session["pollwatch_totp_pending"]["at"] -= 3600
    session.save()
    response = _code_step(client, _code(device, steps_ahead=1))
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_required_user_without_a_device_is_kept_on_the_enrolment_page(world, client):
    world.cis.require_totp = True
    world.cis.save()
    response = _password(client, "boris")  # coordinator of cis
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    assert client.get("/missions/cis/").url == "/account/two-factor/"
    _enrol_page = client.get("/account/two-factor/")
    assert b"Your role needs a second factor" in _enrol_page.content
    # An analyst of the same mission is not required to.
    client.logout()
    assert _password(client, "bella")["Location"] == "/"


def test_the_site_setting_requires_it_of_every_missions_coordinators_and_admins(world, client, settings):
    settings.TOTP_REQUIRED = True
    assert _password(client, "alice")["Location"] == "/account/two-factor/"  # admin of odihr
    client.logout()
    assert _password(client, "anna")["Location"] == "/"  # analyst


def test_a_required_user_cannot_turn_the_device_off(world, client):
    device = _enrol(client, world.boris)
    world.cis.require_totp = True
    world.cis.save()
    client.force_login(world.boris)
    response = client.post("/account/two-factor/", {"remove": "1", "code": _code(device, steps_ahead=1)})
    assert response.status_code == 403 and TOTPDevice.objects.filter(user=world.boris).exists()


def test_an_admins_reset_removes_the_device_and_is_audited(world, client):
    _enrol(client, world.anna)
    do_reset_totp(world.anna, by=world.alice, reason="lost phone")
    assert not TOTPDevice.objects.filter(user=world.anna).exists()
    entry = AuditEntry.objects.get(action="auth.totp_reset")
    assert entry.username == "alice" and entry.detail["username"] == "anna"
    assert _password(client, "anna")["Location"] == "/"


def test_the_admin_asks_an_enrolled_staff_user_for_the_code(world, client):
    world.alice.is_staff = world.alice.is_superuser = True
    world.alice.save()
    device = _enrol(client, world.alice)
    # A session that only passed the password (as an old admin login would give) does not reach the admin.
    client.force_login(world.alice)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(response["Location"])["Location"].startswith("/login/")
    client.logout()
    _password(client, "alice", next_url="/admin/")
    assert _code_step(client, _code(device, steps_ahead=1))["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_resets_a_device_only_through_the_audited_action(world, client):
    world.alice.is_staff = world.alice.is_superuser = True
    world.alice.save()
    device = _enrol(client, world.anna)
    client.force_login(world.alice)  # alice has no device: the admin needs her password only
    response = client.post("/admin/otp_totp/totpdevice/", {
        "action": "reset_devices", "_selected_action": [device.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.anna).exists()
    assert AuditEntry.objects.filter(action="auth.totp_reset", username="alice", detail__username="anna").exists()


def test_api_tokens_do_not_ask_for_a_code(world, client):
    from pollwatch.collection.services import do_create_api_token

    _enrol(client, world.alice)
    _token, key = do_create_api_token(world.alice, "script")
    response = client.get("/api/missions/odihr/forms", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_the_reset_command_removes_a_device_for_a_user_locked_out_of_the_admin(world, client):
    import io

    from django.core.management import CommandError, call_command

    _enrol(client, world.alice)
    out = io.StringIO()
    call_command("reset_totp", "alice", stdout=out)
    assert "devices removed: 1" in out.getvalue() and not TOTPDevice.objects.filter(user=world.alice).exists()
    assert AuditEntry.objects.filter(action="auth.totp_reset", detail__username="alice").exists()
    with pytest.raises(CommandError, match="no user"):
        call_command("reset_totp", "nobody")
