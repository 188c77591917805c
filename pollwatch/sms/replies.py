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


# Reasons a report is refused after it was read (``SubmissionRejected.code`` from collection's receive path and the
# SMS payload reader), with the same parameters; a reason without a code reaches the reply as its English text.
REJECTION_TEXTS = {
    "form_closed": _("The form “{title}” is closed: it no longer accepts reports"),
    "form_gone": _("The form of this report no longer exists"),
    "not_sms_report": _("Not a report of this mission's forms"),
    "conflict": _("A different report with this message id was already received"),
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


def rejection_text(exc, language: str = "en") -> str:
    """The reason of a :class:`pollwatch.collection.submissions.SubmissionRejected` in ``language``: from its code
    when the SMS replies know it, else its (English) message."""
    code = getattr(exc, "code", "")
    if code not in REJECTION_TEXTS:
        return str(getattr(exc, "message", exc))
    with translation.override(language):
        return str(REJECTION_TEXTS[code]).format(**exc.params)


def problems_text(problems: Iterable[str], language: str = "en") -> str:
    return "; ".join(problem_text(p, language) for p in problems)


def reply_text(key: str, language: str = "en", **values: object) -> str:
    with translation.override(language):
        return str(TEMPLATES[key]).format(**values)[:MAX_REPLY]
