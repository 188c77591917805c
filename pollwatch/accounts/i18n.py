"""The interface's language: the user's saved choice, else the switcher's cookie, else Accept-Language.

The top bar's switcher posts to :func:`set_language` (Django's ``set_language``, which sets the language cookie),
which also saves the choice for a signed-in user; :func:`apply_language_on_login` puts the saved choice into the
session at login, and :class:`UserLocaleMiddleware` prefers the session's language to the cookie and the browser's.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from pollwatch.accounts.models import UserLanguage
from pollwatch.accounts.services import do_save_user_language

SESSION_KEY = "pollwatch_language"


def supported(code: str | None) -> str | None:
    """``code`` if it is one of the interface's languages, else None."""
    return code if code and code in dict(settings.LANGUAGES) else None


class UserLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (cookie, then Accept-Language), with the signed-in user's saved language first."""

    def process_request(self, request):
        session = getattr(request, "session", None)
        language = supported(session.get(SESSION_KEY)) if session is not None else None
        if language is None:
            super().process_request(request)
            return
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


@login_not_required
@require_POST
def set_language(request):
    """The switcher: sets the cookie (Django's view), and for a signed-in user the session and the saved choice."""
    response = django_set_language(request)
    language = supported(request.POST.get("language"))
    if language and getattr(request, "user", None) is not None and request.user.is_authenticated:
        do_save_user_language(request.user, language)
        request.session[SESSION_KEY] = language
    return response


def apply_language_on_login(sender, request=None, user=None, **kwargs) -> None:
    """``user_logged_in``: the language the user saved earlier becomes this session's language."""
    if request is None or not hasattr(request, "session"):
        return
    saved = UserLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    if supported(saved):
        request.session[SESSION_KEY] = saved
        translation.activate(saved)
        request.LANGUAGE_CODE = saved
