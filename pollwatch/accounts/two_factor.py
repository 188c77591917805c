"""Optional TOTP second factor for web and admin logins (django-otp's TOTP devices).

A user enrols a device from ``/account/two-factor/`` (a QR code and its secret, confirmed with a first code);
from then on the web login asks for a code after the password (:mod:`pollwatch.accounts.views`), and so does the
Django admin (``TwoFactorAdminSite``). Phones' Digest logins and API tokens never ask for one.

Whether a user *must* use a device is decided by the rules registered here: the site setting
``TOTP_REQUIRED`` (``POLLWATCH_REQUIRE_TOTP=1``) covers staff and superusers, and ``pollwatch.missions``
registers the rule for missions' coordinators and admins (site-wide, or per mission with ``Mission.require_totp``).
A user who must and has no device is logged in only as far as the enrolment page.

Codes are checked by django-otp (a code's time step is accepted once: ``TOTPDevice.last_t``; failures slow the
device down), and each wrong code also counts as a failed login for django-axes, so wrong codes lock the user name
and address out exactly as wrong passwords do. Successes, failures, enrolments and resets are audited.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from pollwatch.accounts.services import do_record_audit

# The credentials key that marks a failed login as a wrong second-factor code (pollwatch.accounts.signals).
SECOND_FACTOR = "second_factor"

# Rules that say a user must use a second factor; apps above accounts register theirs from AppConfig.ready().
_REQUIREMENT_RULES: list[Callable[[Any], bool]] = []


def register_requirement(rule: Callable[[Any], bool]) -> None:
    """Add a rule ``rule(user) -> bool``: True when ``user`` must log in with a TOTP device."""
    if rule not in _REQUIREMENT_RULES:
        _REQUIREMENT_RULES.append(rule)


def totp_required(user) -> bool:
    """Whether ``user`` must use a TOTP device: staff and superusers under the site setting, and every registered
    rule (missions: coordinators and admins where the mission or the site requires it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(settings, "TOTP_REQUIRED", False) and (user.is_staff or user.is_superuser):
        return True
    return any(rule(user) for rule in _REQUIREMENT_RULES)


def confirmed_device(user):
    """The user's confirmed TOTP device, or None (web logins then ask for the password only)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not getattr(user, "is_authenticated", False) or not user.pk:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def secret_of(device) -> str:
    """The device's key in base32, as authenticator apps take it when typed in instead of scanned."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device) -> str:
    """The device's ``otpauth://`` URL as an inline SVG QR code, drawn on the server (no script, no network)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, title="TOTP")


def normalised(code: str) -> str:
    """A code as typed: spaces and dashes dropped (apps show ``123 456``)."""
    return "".join(ch for ch in str(code or "") if ch.isdigit())[:12]


def new_key() -> str:
    """A fresh TOTP key (hex, as TOTPDevice stores it): kept in the session until the first code confirms it."""
    from django_otp.plugins.otp_totp.models import default_key

    return default_key()


def unsaved_device(user, key: str):
    """The device an enrolment in progress shows (its QR code and secret): not stored until it is confirmed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice(user=user, key=key, name="default", confirmed=False)


def do_confirm_totp_device(user, key: str, code: str, *, ip_address: str = ""):
    """Store the device of an enrolment once the app shows a right first code (that time step is spent: it cannot
    log in); it then guards every web login. None (and an audited failure) for a wrong code."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = unsaved_device(user, key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    token = normalised(code)
    if not token or not totp.verify(int(token), tolerance=device.tolerance):
        do_record_audit("auth.totp_failed", user=user, detail={"stage": "enrolment", "ip_address": ip_address})
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device.confirmed, device.last_t, device.drift = True, totp.t(), totp.drift
        device.save()
        do_record_audit("auth.totp_enrolled", user=user, obj=device, detail={"ip_address": ip_address})
    return device


def check_totp_code(request, user, code: str):
    """The user's device if ``code`` is its current code (used once: django-otp refuses a time step it has seen),
    else None. A wrong code is a failed login: Django's ``user_login_failed`` with the user name, which django-axes
    counts towards the lockout like a wrong password and the audit trail records as ``auth.totp_failed``."""
    from django.contrib.auth.signals import user_login_failed

    from pollwatch.accounts.throttling import client_address

    device = confirmed_device(user)
    if device is not None and device.verify_token(normalised(code)):
        do_record_audit("auth.totp_verified", user=user, obj=device,
                        detail={"ip_address": client_address(request)})
        return device
    user_login_failed.send(sender=__name__, request=request,
                           credentials={"username": user.get_username(), SECOND_FACTOR: "totp"})
    return None


def do_reset_totp(user, *, by=None, reason: str = "") -> int:
    """Remove every TOTP device of ``user`` (a lost phone: an admin's reset, or the user turning it off);
    their next login asks for the password only, or sends them to enrolment if they must use one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        n, _ = TOTPDevice.objects.filter(user=user).delete()
        do_record_audit("auth.totp_reset", user=by, detail={"username": user.get_username(), "devices": n,
                                                            "reason": reason[:200]})
    return n
