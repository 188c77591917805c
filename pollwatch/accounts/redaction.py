"""Login URLs' tokens kept out of logs and stored rows.

A phone's login URL (``/key/<token>/m/<slug>/…``, :mod:`pollwatch.collection.openrosa`) holds its whole credential:
whatever writes a request's path down — the access log, Django's "Not Found: /…" warnings, django-axes' failed
attempts, the audit trail's failed logins — writes ``/key/[redacted]/`` instead (nginx's log format in deploy/nginx
does the same). Plain ``re`` and ``logging`` only: gunicorn's logger (:mod:`pollwatch.web.access_log`) imports this
before Django is set up.
"""

from __future__ import annotations

import logging
import re

# /key/ followed by anything up to the next slash, space, quote or end (a request line, a path, a full URL).
_KEY_IN_PATH = re.compile(r"/key/[^/\s\"'?#]+")
REDACTED = "/key/[redacted]"


def redact(text: str) -> str:
    """``text`` with every login URL's token replaced by an ellipsis.

    >>> redact("GET /key/s3cr3t-t0ken/m/cis/formList HTTP/1.1")
    'GET /key/[redacted]/m/cis/formList HTTP/1.1'
    >>> redact("/m/cis/formList")
    '/m/cis/formList'
    """
    return _KEY_IN_PATH.sub(REDACTED, text) if "/key/" in text else text


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message with tokens redacted (settings.LOGGING, gunicorn's handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is logging's to report, not ours
            return True
        if "/key/" in message:
            record.msg, record.args = redact(message), ()
        return True
