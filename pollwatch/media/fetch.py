"""Fetching a news page by URL without letting a URL reach inside the server's network (SSRF).

A media import with "fetch the URLs" fetched ``http://127.0.0.1:…`` and showed the page to every member, and a
closed port answered differently from an open one, so it also scanned ports. Here a URL is fetched only when:

- its scheme is http or https (no ``file:``, ``ftp:``, ``gopher:``), with no user name or password in it;
- every address its host resolves to is a public unicast address: not loopback, private (RFC 1918, ULA),
  shared (100.64/10), link-local (169.254/16 — the cloud metadata service at 169.254.169.254 — and fe80::/10),
  multicast, reserved or unspecified, also not such an address wrapped in IPv6 (``::ffff:127.0.0.1``, 6to4,
  Teredo, NAT64). ``POLLWATCH_FETCH_ALLOW`` (CIDRs, comma-separated) lets a deployment name internal networks it
  does mean to fetch from, e.g. its own news archive;
- the connection goes to the address that was checked (the host is not resolved a second time, so a DNS answer
  that changes between the check and the connection — DNS rebinding — cannot slip in another one);
- redirects are followed here, at most ``MAX_REDIRECTS``, each new URL checked like the first;
- the body is at most ``MAX_BYTES`` and the whole fetch takes at most ``FETCH_TIMEOUT`` seconds, however slowly
  the server drips.

Every failure before a server's HTTP answer — a refused address, a name that does not resolve, a closed port, a
timeout, a TLS error — gives the same message, so the answer tells nothing about what listens where.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from pollwatch.media.analysis.corpus import MAX_BYTES, CorpusError

FETCH_TIMEOUT = 15.0  # seconds for one URL, redirects included
MAX_REDIRECTS = 5
USER_AGENT = "pollwatch-media/0.1"
NO_PAGE = "could not be fetched (no page from a public web server at this address)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64: the IPv4 address is the last 32 bits
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    if settings.configured:
        names = getattr(settings, "FETCH_ALLOWED_NETWORKS", [])
    else:  # a command that never starts Django (``pollwatch compare --fetch-urls``) reads the same variable
        names = [n.strip() for n in os.environ.get("POLLWATCH_FETCH_ALLOW", "").split(",") if n.strip()]
    return [ipaddress.ip_network(n, strict=False) for n in names]


def is_public_address(address: str | Address) -> bool:
    """Whether an address is one a fetch may connect to: public unicast, or in ``FETCH_ALLOWED_NETWORKS``."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return False  # a zone index names a local interface
    if any(ip.version == net.version and ip in net for net in _allowed_networks()):
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_public_address(inner):
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, sending the URL's host name in ``Host``."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate is verified against the URL's host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


class _NoPage(Exception):
    """Nothing a server said: refused address, no such name, closed port, timeout, TLS failure."""


def _checked_target(url: str, resolve: Resolver) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, address, path) of a URL that may be fetched; CorpusError or _NoPage otherwise."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise CorpusError(f"{url}: not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise CorpusError(f"{url}: a URL with a user name or password is not fetched")
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        raise CorpusError(f"{url}: not an http(s) URL") from None
    if not host:
        raise CorpusError(f"{url}: not an http(s) URL")
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise _NoPage from None
    # Every address must be public: a name that resolves to one public and one private address is refused, since
    # which one a client picks is not ours to know.
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise _NoPage
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, addresses[0], path


def fetch_url(url: str, *, resolve: Resolver | None = None, timeout: float | None = None,
              max_bytes: int | None = None) -> bytes:
    """GET one page under the rules of the module docstring; raise CorpusError with the reason."""
    resolve = resolve or _resolve
    timeout = FETCH_TIMEOUT if timeout is None else timeout
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + timeout
    current = url.strip()
    try:
        for _ in range(MAX_REDIRECTS + 1):
            scheme, host, port, address, path = _checked_target(current, resolve)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _NoPage
            kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
            connection = kind(host, address, port, remaining)
            try:
                try:
                    connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html, */*"})
                    response = connection.getresponse()
                except (OSError, http.client.HTTPException):
                    raise _NoPage from None
                if response.status in {301, 302, 303, 307, 308} and response.getheader("Location"):
                    current = urljoin(current, response.getheader("Location").strip())
                    continue
                if response.status != 200:
                    raise CorpusError(f"{url}: could not be fetched (HTTP {response.status} {response.reason})")
                return _read_body(url, response, connection, deadline, max_bytes, timeout)
            finally:
                connection.close()
        raise CorpusError(f"{url}: could not be fetched (more than {MAX_REDIRECTS} redirects)")
    except _NoPage:
        raise CorpusError(f"{url}: {NO_PAGE}") from None


def _read_body(url: str, response: http.client.HTTPResponse, connection: http.client.HTTPConnection,
               deadline: float, max_bytes: int, timeout: float) -> bytes:
    slow = CorpusError(f"{url}: could not be fetched (took longer than {timeout:g} s)")
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise CorpusError(f"{url}: larger than {_megabytes(max_bytes)}")
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise slow
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        try:
            chunk = response.read1(65536)
        except TimeoutError:
            raise slow from None
        except (OSError, http.client.HTTPException):
            raise CorpusError(f"{url}: could not be fetched (the connection broke off)") from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise CorpusError(f"{url}: larger than {_megabytes(max_bytes)}")
        chunks.append(chunk)


def _megabytes(limit: int) -> str:
    return f"{limit / 1e6:g} MB"
