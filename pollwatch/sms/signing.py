"""Webhook signatures: Twilio's (the SDK's RequestValidator) and the generic gateway's HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import os

from pollwatch.sms.senders.twilio import twilio_credentials


def gateway_secret(settings) -> str:
    return (settings.gateway_secret if settings else "") or os.environ.get("POLLWATCH_SMS_GATEWAY_SECRET", "")


def twilio_signature_ok(settings, url: str, params: dict[str, str], signature: str) -> bool:
    from twilio.request_validator import RequestValidator

    _, token = twilio_credentials(settings)
    if not token or not signature:
        return False
    return bool(RequestValidator(token).validate(url, params, signature))


def gateway_signature_ok(settings, body: bytes, header: str) -> bool:
    """``header`` is ``sha256=<hex>`` (or the bare hex) of HMAC-SHA256(secret, raw body)."""
    secret = gateway_secret(settings)
    if not secret or not header:
        return False
    given = header.split("=", 1)[1] if header.startswith("sha256=") else header
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())
