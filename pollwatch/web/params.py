"""Query and form parameters read at the edge, with bounds.

A view reads ``id_param(request.GET, "check")`` instead of ``int(request.GET["check"])``: a value that is not a
whole number, or lies outside what the database can hold (an id past 64 bits overflows SQLite and PostgreSQL
alike), raises :class:`BadParameter`, which :class:`BadParameterMiddleware` (and the API's handler) turn into a
400 naming the parameter — never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext_noop

# The largest primary key or integer column either backend stores (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1
# Dates the product has any use for. Python's own range (year 1 to 9999) overflows as soon as a time zone shifts
# it, and a bound this wide refuses no real election.
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


class BadParameter(ValueError):
    """A parameter that cannot be used; ``str()`` is the message for the 400, starting with the name (English, as
    the API's errors are); :meth:`translated` is the same in the active language, for a page's message.

    With ``values``, ``message`` is a message id (marked with ``gettext_noop``) whose ``%(name)s`` placeholders
    they fill, in English for ``str()`` and in the active language for :meth:`translated`; without, it is plain
    English text."""

    def __init__(self, name: str, message: str, values: dict | None = None):
        super().__init__(f"{name}: {message % values if values is not None else message}")
        self.name = name
        self.msgid, self.values = message, values

    def translated(self, label: str | None = None) -> str:
        """The message in the active language, naming the parameter by ``label`` (its field's label) if given."""
        from django.utils.translation import gettext

        if self.values is None:
            return str(self)
        return f"{label or self.name}: {gettext(self.msgid) % self.values}"


def parse_int(name: str, text: object, *, low: int | None = None, high: int | None = None) -> int:
    """``text`` as an int in ``[low, high]``, or :class:`BadParameter` naming ``name``."""
    value = str(text).strip()
    digits = value[1:] if value[:1] in "+-" else value
    # isdecimal and a length bound first: int() of a 100,000-digit string is slow, and "٣" is not a number here.
    if not digits.isascii() or not digits.isdecimal() or len(digits) > 30:
        raise BadParameter(name, gettext_noop("%(value)s is not a whole number"), {"value": repr(str(text)[:40])})
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = {"low": low if low is not None else "-∞", "high": high if high is not None else "∞", "value": number}
        raise BadParameter(name, gettext_noop("must be between %(low)s and %(high)s, not %(value)s"), bounds)
    return number


def int_param(params: Mapping, name: str, *, default: int | None = None, low: int | None = None,
              high: int | None = None) -> int | None:
    """An optional bounded integer parameter; ``default`` when absent or empty."""
    text = params.get(name, "")
    if text is None or str(text).strip() == "":
        return default
    return parse_int(name, text, low=low, high=high)


def id_param(params: Mapping, name: str) -> int | None:
    """An optional row id (1 to MAX_ID); None when absent or empty."""
    return int_param(params, name, low=1, high=MAX_ID)


def parse_date(name: str, text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) between MIN_DATE and MAX_DATE, or :class:`BadParameter`."""
    try:
        day = dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise BadParameter(name, gettext_noop("%(value)s is not a date (YYYY-MM-DD)"),
                           {"value": repr(text[:40])}) from None
    if not MIN_DATE <= day <= MAX_DATE:
        values = {"value": day.isoformat(), "low": MIN_DATE.isoformat(), "high": MAX_DATE.isoformat()}
        raise BadParameter(name, gettext_noop("%(value)s is outside %(low)s to %(high)s"), values)
    return day


def date_param(params: Mapping, name: str) -> dt.date | None:
    text = str(params.get(name, "") or "")
    return parse_date(name, text) if text.strip() else None


def bounded_datetime(value: dt.datetime) -> bool:
    """Whether a parsed datetime lies within the dates the product handles (so time zone arithmetic is safe)."""
    return MIN_DATE <= value.date() <= MAX_DATE


def keyed_ids(params: Mapping, prefix: str) -> dict[int, str]:
    """Parameters named ``<prefix><id>`` (e.g. ``tone-17``) as {id: value}; a malformed id is a BadParameter."""
    return {parse_int(key, key[len(prefix):], low=1, high=MAX_ID): value
            for key, value in params.items() if key.startswith(prefix)}


def _nul_parameter(request: HttpRequest) -> str | None:
    """The name of a parameter (or "path") holding a NUL character, which PostgreSQL refuses in any text."""
    if "\x00" in request.path:
        return "path"
    sources = [request.GET]
    # A form post is parsed here; a multipart one (uploads, OpenRosa reports) is not, so its view can refuse an
    # oversized body before reading it. Its text fields go through Django forms, which refuse NUL themselves.
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        sources.append(request.POST)
    for params in sources:
        for key, values in params.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "\\x00")[:40]
    if request.content_type == "application/json" and _JSON_NUL.search(request.body):
        return "body"
    return None


# A NUL in a JSON text: the escape \u0000 (not preceded by an escaped backslash) or a raw NUL byte.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00")


class BadParameterMiddleware:
    """Answer a :class:`BadParameter` raised by a view with a 400 that says which parameter and why; refuse a
    NUL character in the path, the query or a form post before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _nul_parameter(request)
        if name is not None:
            return _bad_request(request, f"Bad parameter {name}: contains a NUL character")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadParameter):
            if request.path_info.startswith("/api/"):  # the API's errors are English
                return _bad_request(request, f"Bad parameter {exception}")
            from django.utils.translation import gettext

            return _bad_request(request, gettext("Bad parameter %(problem)s") % {"problem": exception.translated()})
        return None


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 with ``message``: as the REST API answers (JSON ``{"detail": …}``, what its schema declares) under
    /api/, else as text."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
