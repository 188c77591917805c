"""Keeps a user who must use a second factor and has none on the enrolment page (marked at login by
:class:`pollwatch.accounts.views.PasswordLoginView`): every other page redirects there, until a device is confirmed."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from pollwatch.accounts.views import MUST_ENROL


class TwoFactorEnrolmentMiddleware:
    # Reachable before enrolling: the page itself, logging out, switching the language, static files, health checks.
    ALLOWED = ("account-two-factor", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only the session's own mark is read: no query for anyone else (the session is loaded for auth anyway).
        if request.session.get(MUST_ENROL) and request.user.is_authenticated:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith(("/static/", "/health")):
                return redirect("account-two-factor")
        return self.get_response(request)
