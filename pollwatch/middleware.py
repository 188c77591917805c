"""Response headers every page and download gets (Django's SecurityMiddleware does HSTS, nosniff, referrer and
COOP; these are the ones it has no setting for)."""

from __future__ import annotations

from django.conf import settings


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline scripts), Permissions-Policy, and ``Cache-Control: no-store``.

    Observers' names and phones, incident reports and exports are on nearly every page, so no browser or proxy
    cache keeps any dynamic response; static files (served by WhiteNoise before this middleware) keep theirs. A
    response that chose its own policy or caching (an attachment's ``sandbox``) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cache-Control", "no-store")
        return response
