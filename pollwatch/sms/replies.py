"""Reply texts in the observer's language: the first of the observer's ``languages`` that pollwatch speaks
(``settings.LANGUAGES``), else English. The frames and the problems inside them are gettext messages (the
catalogues under ``pollwatch/locale``); a problem is rendered from its code and parameters
(:class:`pollwatch.sms.grammar.Problem`), so "Unknown question DD" reaches a Russian observer in Russian."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

MAX_REPLY = 640  # characters (four SMS parts)

TEMPLATES = {
    "received": _("Received: {form}, station {station}. Thank you."),
    "received_no_station": _("Received: {form}. Thank you."),
    "problems": _("Not stored: {problems}. Please correct and send again."),
    "unknown_observer": _("Unknown observer code {code}. Check your card and send again."),
    "wrong_phone": _("This phone is not registered for observer {code}; the report is held for review."),
    "empty": _("Empty message. Send your report as on your card, e.g. {example}."),
    "duplicate": _("{tag} was sent twice; the last value was kept."),
}

# One text per code of pollwatch.sms.grammar.PROBLEMS, with the same parameters.
PROBLEM_TEXTS = {
    "empty": _("Empty message"),
    "comment_only": _("Only a comment; no report"),
    "prefix_missing": _("Form prefix missing"),
    "unknown_form": _("Unknown form {prefix}; expected {expected}"),
    "observer_missing": _("Observer code missing"),
    "no_value": _("{tag} has no value"),
    "unexpected": _("Unexpected {text}"),
    "unknown_question": _("Unknown question {tag}; expected {expected}"),
    "no_option": _("{tag}{value}: no option {options} (1–{count})"),
    "below_minimum": _("{tag}{value}: below the minimum {minimum}"),
    "above_maximum": _("{tag}{value}: above the maximum {maximum}"),
    "duplicate": _("{tag} given more than once; the last value ({value}) is used"),
}


def language_of(observer) -> str:
    spoken = {code for code, _name in settings.LANGUAGES}
    for code in (getattr(observer, "languages", "") or "").split(","):
        code = code.strip().lower()
        if code in spoken:
            return code
    return "en"


def problem_text(problem: str, language: str = "en") -> str:
    """One problem in ``language``: from its code when it has one, else the text as it is."""
    code = getattr(problem, "code", None)
    if code not in PROBLEM_TEXTS:
        return str(problem)
    with translation.override(language):
        return str(PROBLEM_TEXTS[code]).format(**problem.params)  # type: ignore[attr-defined]


def problems_text(problems: Iterable[str], language: str = "en") -> str:
    return "; ".join(problem_text(p, language) for p in problems)


def reply_text(key: str, language: str = "en", **values: object) -> str:
    with translation.override(language):
        return str(TEMPLATES[key]).format(**values)[:MAX_REPLY]
