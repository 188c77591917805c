"""HTTP Digest authentication (RFC 7616, MD5, qop=auth) for OpenRosa clients such as ODK Collect.

Nonces are ``<timestamp>.<random>.<hmac>`` signed with SECRET_KEY and valid for ``NONCE_TTL`` seconds, so telling a
nonce we issued from a forged one needs no table. What does need one is replay: a captured Authorization header
was accepted for three different reports within the nonce's life. So each (nonce, nc) pair is accepted once —
the server remembers the pairs it accepted until their nonce expires (``DigestNonceUse``, see
:mod:`pollwatch.collection.openrosa`), and a client asks for each request with the next nonce count, as RFC 7616
says.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from django.conf import settings

REALM = "pollwatch"
NONCE_TTL = 300
_PARAM = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\s]+)')


def ha1_for(username: str, password: str) -> str:
    return _md5(f"{username}:{REALM}:{password}")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 — Digest MD5 is what ODK Collect speaks


def _sign(stamp: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), stamp.encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(now: float | None = None) -> str:
    # The random part makes two challenges of the same second two nonces: each has its own counts.
    stamp = f"{int(now if now is not None else time.time())}.{secrets.token_hex(8)}"
    return f"{stamp}.{_sign(stamp)}"


def nonce_state(nonce: str, now: float | None = None) -> str:
    """'ok', 'stale' (well signed but expired: the client retries without asking the user) or 'bad'."""
    stamp, _, sig = nonce.rpartition(".")
    seconds = stamp.partition(".")[0]
    if not seconds.isdigit() or len(nonce) > 80 or not hmac.compare_digest(sig, _sign(stamp)):
        return "bad"
    if (now if now is not None else time.time()) - int(seconds) > NONCE_TTL:
        return "stale"
    return "ok"


def challenge(stale: bool = False) -> str:
    header = f'Digest realm="{REALM}", qop="auth", nonce="{make_nonce()}", algorithm=MD5'
    return header + (", stale=true" if stale else "")


def parse_authorization(header: str) -> dict[str, str] | None:
    if not header or not header[:7].lower() == "digest ":
        return None
    params = {k.lower(): v[1:-1].replace('\\"', '"') if v.startswith('"') else v for k, v in _PARAM.findall(header[7:])}
    if not {"username", "nonce", "uri", "response"} <= params.keys():
        return None
    return params


def check_response(params: dict[str, str], *, method: str, ha1: str) -> bool:
    ha2 = _md5(f"{method}:{params['uri']}")
    if params.get("qop"):
        if params["qop"] != "auth" or "nc" not in params or "cnonce" not in params:
            return False
        expected = _md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
    else:
        expected = _md5(f"{ha1}:{params['nonce']}:{ha2}")
    return hmac.compare_digest(expected, params["response"].lower())


def authorization_header(username: str, password: str, *, method: str, uri: str, www_authenticate: str,
                         cnonce: str = "0a4f113b", nc: str = "00000001") -> str:
    """A client's Authorization header for a challenge (used by tests and the benchmark)."""
    params = {k.lower(): v.strip('"') for k, v in _PARAM.findall(www_authenticate[7:])}
    ha1 = ha1_for(username, password) if params.get("realm") == REALM else _md5(f"{username}:{params['realm']}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    response = _md5(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    return (f'Digest username="{username}", realm="{params["realm"]}", nonce="{params["nonce"]}", uri="{uri}", '
            f'qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", algorithm=MD5')
