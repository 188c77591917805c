"""Web login in two steps when the user has a TOTP device (password, then code), and the user's own two-factor page.

The password step does not log a user with a device in: it keeps who passed it in the (still anonymous) session
for ``PENDING_SECONDS``, and the code step logs them in. A user who must use a device and has none is logged in
with a session mark that keeps them on the enrolment page (:class:`pollwatch.accounts.middleware.
TwoFactorEnrolmentMiddleware`) until they have confirmed one.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from pollwatch.accounts import two_factor
from pollwatch.accounts.throttling import client_address

# Session keys: who passed the password step (and how, and when); the mark of a user who must enrol first.
PENDING = "pollwatch_totp_pending"
MUST_ENROL = "pollwatch_totp_must_enrol"
# The key of an enrolment in progress (hex): stored as a device only once a first code confirms it.
ENROL_KEY = "pollwatch_totp_enrol_key"
PENDING_SECONDS = 300


class PasswordLoginView(LoginView):
    """Django's login view; a user with a confirmed TOTP device is sent on to the code step instead of in."""

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.confirmed_device(user) is not None:
            self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time(),
                                             "next": self.get_redirect_url()}  # checked: a safe URL or ""
            return redirect("login-code")
        auth_login(self.request, user)
        if two_factor.totp_required(user):
            self.request.session[MUST_ENROL] = True
            messages.warning(self.request, _("Your role needs a second factor: set up an authenticator app first."))
            return redirect("account-two-factor")
        return HttpResponseRedirect(self.get_success_url())


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None, ""
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, str(pending.get("backend", ""))


def _next_url(request: HttpRequest) -> str:
    """Where the login goes on to: the ``next`` the password step accepted (LoginView checked it), else home."""
    pending = request.session.get(PENDING)
    target = pending.get("next", "") if isinstance(pending, dict) else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return target
    return reverse("home")


@login_not_required
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the current code of the user's authenticator app."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_lockout_response

    user, backend = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, _("Log in again: the code step has expired."))
        return redirect("login")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, None, credentials)
    status = 200
    if request.method == "POST":
        device = two_factor.check_totp_code(request, user, request.POST.get("code", ""))
        if device is not None:
            target = _next_url(request)
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=backend)
            otp_login(request, device)
            return HttpResponseRedirect(target)
        messages.error(request, _("That code is not right, or was already used. Enter the code your app shows now."))
        status = 400  # when the code locked the user name out, the axes middleware answers with its 429 page
    return render(request, "registration/login_code.html", status=status)


def two_factor_page(request: HttpRequest) -> HttpResponse:
    """The user's own second factor: enrol a device (QR code and secret, confirmed with a first code), or remove it."""
    user = request.user
    required = two_factor.totp_required(user)
    device = two_factor.confirmed_device(user)
    status = 200
    if request.method == "POST" and device is None and "confirm" in request.POST and request.session.get(ENROL_KEY):
        device = two_factor.do_confirm_totp_device(user, request.session[ENROL_KEY], request.POST.get("code", ""),
                                                   ip_address=client_address(request))
        if device is not None:
            otp_login(request, device)
            request.session.pop(MUST_ENROL, None)
            request.session.pop(ENROL_KEY, None)
            messages.success(request, _("Two-factor login is on: each login now asks for a code from your app."))
            return redirect("account-two-factor")
        messages.error(request, _("That code is not right. Enter the code your app shows now."))
        status = 400
    elif request.method == "POST" and device is not None and "remove" in request.POST:
        if required:
            messages.error(request, _("Your role needs a second factor: it cannot be turned off."))
            status = 403
        elif two_factor.check_totp_code(request, user, request.POST.get("code", "")) is None:
            messages.error(request, _("That code is not right, or was already used."))
            status = 400
        else:
            two_factor.do_reset_totp(user, by=user, reason="turned off by the user")
            messages.success(request, _("Two-factor login is off."))
            return redirect("account-two-factor")
    context: dict = {"device": device, "required": required}
    if device is None:
        if not request.session.get(ENROL_KEY):
            request.session[ENROL_KEY] = two_factor.new_key()
        shown = two_factor.unsaved_device(user, request.session[ENROL_KEY])
        context |= {"qr": two_factor.qr_svg(shown), "secret": two_factor.secret_of(shown)}
    return render(request, "accounts/two_factor.html", context, status=status)
