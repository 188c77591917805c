"""The Django admin behind pollwatch's login: a staff user with a TOTP device must have given its code in this
session (django-otp's ``is_verified``), and the admin's own login page hands over to the two-step web login."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class TwoFactorAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        from pollwatch.accounts.two_factor import confirmed_device

        if not super().has_permission(request):
            return False
        verified = getattr(request.user, "is_verified", lambda: False)()
        return verified or confirmed_device(request.user) is None

    def login(self, request, extra_context=None):
        from django.contrib.auth.views import redirect_to_login
        from django.urls import reverse

        # One login for the site and the admin: password, then the code of a device if the user has one.
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, login_url=reverse("login"))


class TwoFactorAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`TwoFactorAdminSite` as ``admin.site``."""

    default_site = "pollwatch.accounts.admin_site.TwoFactorAdminSite"
