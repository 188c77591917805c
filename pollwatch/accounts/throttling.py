"""What login throttling (django-axes, configured in settings) needs from pollwatch: the client's address (the
lockout itself is audited in :mod:`pollwatch.accounts.signals`)."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The address a login came from: REMOTE_ADDR, or behind ``PROXY_COUNT`` trusted reverse proxies the address
    the outermost of them saw (X-Forwarded-For is read from the right: entries further left are the client's
    own claims, which would let an attacker pick a fresh address for every guess)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    return hops[-count] if len(hops) >= count else remote
