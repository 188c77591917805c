"""Links made from what users supplied: only http(s) URLs become links.

A media CSV can name any ``url``; rendered as ``<a href="javascript:…">`` it runs a script in the session of the
monitor who clicks it. Django's autoescape does not help: the scheme is not markup. So a URL from outside goes
through :func:`http_url` when stored and again (the ``http_url`` template filter) when rendered as a link.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def http_url(value: object) -> str:
    """``value`` when it is an absolute http or https URL with a host, else ``""``."""
    text = str(value or "").strip()
    # Browsers drop tabs and newlines inside a URL and accept backslashes for slashes: "java\tscript:" and
    # "https:\\\\evil" must not pass as something else than they will be taken for.
    if any(c in text for c in "\t\r\n\\") or any(ord(c) < 0x20 for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return ""
    return text
