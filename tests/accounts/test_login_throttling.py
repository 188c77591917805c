"""Web logins are throttled per user name and per address, and each lockout is audited (finding 6: 40 wrong web
passwords, then the right one accepted)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pollwatch.accounts.models import AuditEntry
from tests.conftest import PASSWORD


def _login(client, username, password, address="192.0.2.10", **extra):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def test_wrong_passwords_lock_the_user_out_and_the_right_one_is_then_refused(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _login(client, "alice", "guess").status_code in {200, 429}
    refused = _login(client, "alice", PASSWORD, address="198.51.100.20")  # another address: the user is locked
    assert refused.status_code == 429 and b"Too many failed logins" in refused.content
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.lockout", detail__username="alice").exists()


def test_guessing_many_users_from_one_address_locks_the_address_for_everyone(world, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"user{i}", "guess")
    assert _login(client, "anna", PASSWORD).status_code == 429
    assert _login(client, "anna", PASSWORD, address="198.51.100.21").status_code == 302  # elsewhere she logs in


def test_a_forged_forwarded_for_header_does_not_give_a_fresh_address(world, client, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"user{i}", "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert _login(client, "anna", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_one_counted(rf, settings):
    from pollwatch.accounts.throttling import client_address

    settings.PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_address(request) == "203.0.113.5"  # the client's own claim (6.6.6.6) is not believed
    settings.PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"


def test_a_lockout_ends_after_the_cooloff(world, client, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "alice", "guess")
    assert _login(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_a_few_typos_do_not_lock_anyone_out(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "alice", "typo")
    assert _login(client, "alice", PASSWORD).status_code == 302
