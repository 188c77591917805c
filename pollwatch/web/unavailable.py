"""The answer to a request that failed because the server could not reach its database or write its disk: 503
with ``Retry-After``, not 500.

A 500 says "this request is broken"; these failures are the server's and pass (PostgreSQL restarting, a failover,
a full disk being cleared). ODK Collect and the API clients keep the report and send it again later, and a load
balancer may try another server. Nothing was stored: the report's transaction rolled back, so a report is never
acknowledged (201) unless it committed.

Installed as Django's ``handler500`` (``pollwatch/urls.py``): it is called for every uncaught exception, from a
view or a middleware, inside the ``except`` that caught it, so it can look at the exception. Anything else is
Django's own 500 page.
"""

from __future__ import annotations

import errno
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.defaults import server_error as django_server_error

# Seconds a client is asked to wait: long enough for PostgreSQL to restart, short enough not to delay a report.
RETRY_AFTER = 10
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def is_transient(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is the database being unreachable or the disk being full."""
    seen = 0
    while exc is not None and seen < 10:
        # OperationalError: the connection failed or was cut (PostgreSQL), the database is locked or its disk is
        # full (SQLite); InterfaceError: the connection was already closed. IntegrityError, ProgrammingError and
        # DataError are bugs or bad input: they stay 500s.
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def service_unavailable(message: str = "The server cannot store anything right now; nothing was stored. "
                        "Try again in a few seconds.") -> HttpResponse:
    response = HttpResponse(message + "\n", status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if is_transient(sys.exc_info()[1]):
        return service_unavailable()
    return django_server_error(request, template_name=template_name)
