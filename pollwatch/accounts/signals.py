"""Logins, failed logins and lockouts go to the audit trail (connected in ``AccountsConfig.ready``)."""

from __future__ import annotations

from pollwatch.accounts.redaction import redact
from pollwatch.accounts.services import do_record_audit
from pollwatch.accounts.throttling import client_address


def record_login(sender, request=None, user=None, **kwargs) -> None:
    do_record_audit("auth.login", user=user, detail={"ip_address": client_address(request) if request else ""})


def record_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    """A wrong password, or PIN (device logins' user names start with ``device:``), or a wrong TOTP code
    (``auth.totp_failed``); the password or code is never kept."""
    username = str((credentials or {}).get("username", ""))[:150]
    action = "auth.totp_failed" if (credentials or {}).get("second_factor") else "auth.login_failed"
    do_record_audit(action, detail={
        "username": username, "ip_address": client_address(request) if request else "",
        "path": redact(getattr(request, "path", ""))[:200]})


def record_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes' ``user_locked_out``: a user name or address reached the failure limit (or tried while locked)."""
    do_record_audit("auth.lockout", detail={"username": str(username or "")[:150], "ip_address": ip_address or "",
                                            "path": redact(getattr(request, "path", ""))[:200]})
