"""OpenRosa 1.0 server per mission, under ``/m/<slug>/``: formList, form download, manifest, submission.

Deliberately outside Django's session auth: ODK Collect and Enketo authenticate with HTTP Digest against the
observer's device credential. Only these views are CSRF-exempt.

The same views answer under ``/key/<token>/m/<slug>/`` too, when the mission allows login URLs
(``Mission.allow_device_tokens``): ODK Central's App User login, where the server URL configured in Collect holds a
random token and no HTTP authentication is sent. The token names a device login, so a report sent either way is
the same observer's (the same report-integrity rules); its failures are throttled like wrong PINs; an unknown,
revoked or other mission's token, a mission that does not exist or does not allow login URLs all get one answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.db import connection, transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from pollwatch.accounts.redaction import redact
from pollwatch.accounts.services import do_record_audit
from pollwatch.accounts.throttling import client_address
from pollwatch.collection import digest
from pollwatch.collection.models import DeviceCredential, DigestNonceUse, ObservationForm
from pollwatch.collection.services import current_forms, device_token_hash, servable_forms
from pollwatch.collection.submissions import IncomingFile, SubmissionRejected, receive_submission
from pollwatch.missions.models import Mission
from pollwatch.web.unavailable import RETRY_AFTER

# Advertised in X-OpenRosa-Accept-Content-Length; larger POSTs get 413 before the body is read.
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
OPENROSA_NS = "http://openrosa.org/http/response"


def _respond(body: str = "", status: int = 200, content_type: str = "text/xml; charset=utf-8") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["X-OpenRosa-Version"] = "1.0"
    return response


def _message(text: str, status: int) -> HttpResponse:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><OpenRosaResponse xmlns="{OPENROSA_NS}">'
            f'<message nature="{"submit_success" if status < 300 else "error"}">{escape(text)}</message>'
            "</OpenRosaResponse>")
    return _respond(body, status=status)


def _challenge(text: str = "Authentication required.", stale: bool = False) -> HttpResponse:
    response = _message(text, 401)
    response["WWW-Authenticate"] = digest.challenge(stale=stale)
    return response


def _authenticate(request: HttpRequest, slug: str, token: str | None = None, *, claim_nonce: bool = True
                  ) -> tuple[Mission, DeviceCredential] | HttpResponse:
    """The mission and device credential of a request, or the 401/404/410/429 to send.

    ``token``: the request came through a login URL (``/key/<token>/m/<slug>/``), not Digest.
    ``claim_nonce=False``: the caller records the (nonce, nc) pair itself (a submission does so in the report's own
    transaction, :func:`_nonce_claim`) or needs none (HEAD: a replayed HEAD gets an empty 204 and changes nothing).
    """
    if token is not None:
        return _authenticate_token(request, slug, token)
    params = digest.parse_authorization(request.headers.get("Authorization", ""))
    if params is None:
        return _challenge()
    state = digest.nonce_state(params["nonce"])
    if state != "ok":
        return _challenge("The nonce has expired." if state == "stale" else "Bad nonce.", stale=state == "stale")
    if urlsplit(params["uri"]).path != request.path:
        return _challenge("The digest was made for another URL.")
    # Locked (too many wrong PINs for this user name or from this address) before the PIN is even looked at, and
    # whether or not the user name exists: the right PIN after 40 wrong ones is refused too.
    if _locked_out(request, DEVICE_PREFIX + params["username"]):
        return _too_many()
    cred = _credential(slug, params["username"])
    if cred is None or not digest.check_response(params, method=request.method, ha1=cred.ha1):
        if _login_of_another_mission(params, request.method, slug):
            # The same answer whether or not a mission of that slug exists: a 403 for a real one told a device
            # login of one mission the slugs of the others.
            return _message("No such mission for this device login.", 404)
        if _record_failure(request, DEVICE_PREFIX + params["username"]):
            return _too_many()
        return _challenge("Wrong user name or PIN.")
    if claim_nonce and not _first_use(params["nonce"], params.get("nc", "")):
        return _replayed()
    request.digest_nonce = (params["nonce"], params.get("nc", "")[:16])
    mission = cred.mission
    if not mission.is_active:
        return _message("This mission is closed.", 410)
    return mission, cred


# Phone logins are throttled by django-axes, like web logins (settings.AXES_*): failures counted per user name
# and per address, locked out for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT of them. Device user names are kept
# apart from web user names in its table by this prefix.
DEVICE_PREFIX = "device:"
# A login URL's failures are counted under this prefix and the first characters of the presented token's sha256
# (never the token): a guesser's tokens are all different, so what stops them is the count per address.
URL_LOGIN_PREFIX = "device-url:"


def _authenticate_token(request: HttpRequest, slug: str, token: str) -> tuple[Mission, DeviceCredential] | HttpResponse:
    digest_of_token = device_token_hash(token[:200])
    name = URL_LOGIN_PREFIX + digest_of_token[:16]
    if _locked_out(request, name):
        return _too_many()
    cred = _token_credential(digest_of_token)
    # One answer for every refusal, asked in this order so that none costs a query the others do not: whether the
    # slug names a mission is never looked up (the credential says which mission it belongs to).
    if cred is None or cred.mission.slug != slug or not cred.mission.allow_device_tokens:
        if _record_failure(request, name):
            return _too_many()
        return _no_such_login_url()
    mission = cred.mission
    if not mission.is_active:
        return _message("This mission is closed.", 410)
    _note_token_use(request, cred)
    return mission, cred


def _no_such_login_url() -> HttpResponse:
    return _message("No such login URL (it may have been revoked): ask your coordinator for a new one.", 404)


# A login URL's last use is written at most once per this interval (a phone's burst of requests: one write).
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


def _note_token_use(request: HttpRequest, cred: DeviceCredential) -> None:
    """Keep the login URL's last use (shown on the forms page); its first use goes to the audit trail."""
    now = timezone.now()
    used = cred.token_used_at
    if used is not None and now - used < TOKEN_USE_RESOLUTION:
        return
    rows = DeviceCredential.objects.filter(pk=cred.pk, token_hash=cred.token_hash)
    rows = rows.filter(token_used_at__isnull=True) if used is None else rows.filter(token_used_at__lt=now - TOKEN_USE_RESOLUTION)
    changed = rows.update(token_used_at=now)
    cred.token_used_at = now
    if changed and used is None:
        do_record_audit("device_token.first_use", mission=cred.mission, obj=cred,
                        detail={"username": cred.username, "ip_address": client_address(request)})


# A login (device user name, address) found with no failure on record is not asked again for CLEAN_LOGIN_TTL
# seconds: a phone's HEAD and POST, and a burst of its reports, cost one lookup instead of one each (a round trip
# per report on PostgreSQL). Any failure recorded in this process forgets every such login at once, so a guesser
# sending to this process is checked from their second wrong PIN on; failures recorded by another web process
# take effect here within the TTL — at most one unchecked guess per process, whose PIN it would have to hit.
CLEAN_LOGIN_TTL = 10.0
_clean_logins: dict[tuple[str, str], float] = {}


def _locked_out(request: HttpRequest, name: str) -> bool:
    address = client_address(request)
    key = (name, address)
    now = time.monotonic()
    seen_clean = _clean_logins.get(key)
    if seen_clean is not None and now - seen_clean < CLEAN_LOGIN_TTL:
        return False
    if not _any_failure_on_record(name, address):
        if len(_clean_logins) > 10_000:
            _clean_logins.clear()
        _clean_logins[key] = now
        return False
    return not AxesProxyHandler.is_allowed(request, {"username": name})


_ATTEMPTS_TABLE = AccessAttempt._meta.db_table


def _any_failure_on_record(name: str, address: str) -> bool:
    """Whether axes holds any failed attempt for this login or address (expired ones included: then axes decides).

    Why a fast path: axes asks two aggregate queries per request (one per lockout parameter), a sixth of a report's
    time in the election-day profile, though a working phone has no failures at all. One indexed lookup tells the
    common case; a phone with failures on record gets axes's own full check, so the lockout rules stay axes's."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {_ATTEMPTS_TABLE} WHERE username = %s OR ip_address = %s LIMIT 1",  # noqa: S608
                       [name, address or None])
        return cursor.fetchone() is not None


def _record_failure(request: HttpRequest, name: str) -> bool:
    """Count a wrong PIN or login URL (axes listens to Django's login-failed signal, the audit trail too); True once
    locked. ``name``: the device user name with its prefix."""
    _clean_logins.clear()
    AxesProxyHandler.update_request(request)
    request.axes_path_info = redact(request.axes_path_info)  # axes keeps the path: never a login URL's token
    user_login_failed.send(sender=__name__, credentials={"username": name}, request=request)
    locked = bool(getattr(request, "axes_locked_out", False))
    request.axes_locked_out = False  # answered here, in OpenRosa's form, not by the axes middleware's page
    return locked


def _replayed() -> HttpResponse:
    # A replayed header (or a client that reused a count): a fresh nonce lets a real client retry by itself.
    return _challenge("This nonce count was already used.", stale=True)


def _too_many() -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = _message(f"Too many wrong PINs for this login or from this network: try again in {minutes} minutes.",
                        429)
    response["Retry-After"] = str(minutes * 60)
    return response


# Accepted (nonce, nc) pairs are kept a little longer than a nonce lives; older ones are deleted now and then (on
# about one request in CLEANUP_EVERY) rather than by a scheduled job, so a deployment needs nothing else running.
NONCE_KEEP = dt.timedelta(seconds=digest.NONCE_TTL + 60)
CLEANUP_EVERY = 500


def _first_use(nonce: str, nc: str) -> bool:
    """Record that (nonce, nc) was used, in a transaction of its own; False when it already was (a replay)."""
    with transaction.atomic():
        return _claim(nonce, nc)


def _claim(nonce: str, nc: str) -> bool:
    """Insert the (nonce, nc) pair in the current transaction; False when it was already there.

    ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike) rather than catching an IntegrityError: inside
    a report's transaction that would need a savepoint, two more round trips on every report."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_NONCE_TABLE} (nonce, nc, used_at) VALUES (%s, %s, %s) "  # noqa: S608 - table name is ours
                       "ON CONFLICT (nonce, nc) DO NOTHING", [nonce, nc[:16], now])
        claimed = cursor.rowcount == 1
    if claimed and random.randrange(CLEANUP_EVERY) == 0:
        DigestNonceUse.objects.filter(used_at__lt=now - NONCE_KEEP).delete()
    return claimed


_NONCE_TABLE = DigestNonceUse._meta.db_table


class NonceReplayed(SubmissionRejected):
    def __init__(self) -> None:
        super().__init__(401, "This nonce count was already used.")


def _nonce_claim(request: HttpRequest):
    """What a submission runs first in its own transaction: claim the request's (nonce, nc) or refuse the report.

    Why inside the report's transaction: on SQLite every write transaction waits for the one writer lock, and a
    separate one for the nonce was a second wait on every report (two lock round trips per report instead of one).
    A report refused as a replay rolls back with its nonce row, and a stored one cannot lose its row."""
    nonce, nc = request.digest_nonce

    def claim() -> None:
        if not _claim(nonce, nc):
            raise NonceReplayed

    return claim


# Device credentials are read on every request of a burst; a short in-process cache saves the query. A new PIN or a
# revoked login takes effect within CREDENTIAL_TTL seconds in every worker (at once in the one that changed it).
CREDENTIAL_TTL = 10.0
_credentials: dict[tuple[str, str], tuple[float, DeviceCredential | None]] = {}
_token_credentials: dict[str, tuple[float, DeviceCredential | None]] = {}


def _credential(slug: str, username: str) -> DeviceCredential | None:
    """The active device login ``username`` of the mission ``slug`` (usernames are unique per mission)."""
    now = time.monotonic()
    hit = _credentials.get((slug, username))
    if hit is not None and now - hit[0] < CREDENTIAL_TTL:
        return hit[1]
    found = list(DeviceCredential.objects.select_related("mission", "observer")
                 .filter(mission__slug=slug, username=username, is_active=True).order_by()[:1])
    cred = found[0] if found else None
    if len(_credentials) > 10_000:
        _credentials.clear()
    _credentials[(slug, username)] = (now, cred)
    return cred


def _token_credential(token_hash: str) -> DeviceCredential | None:
    """The active device login whose login URL token has this sha256 (tokens are unique over all missions)."""
    now = time.monotonic()
    hit = _token_credentials.get(token_hash)
    if hit is not None and now - hit[0] < CREDENTIAL_TTL:
        return hit[1]
    found = list(DeviceCredential.objects.select_related("mission", "observer")
                 .filter(token_hash=token_hash, is_active=True).order_by()[:1])
    cred = found[0] if found else None
    if len(_token_credentials) > 10_000:
        _token_credentials.clear()
    _token_credentials[token_hash] = (now, cred)
    return cred


def _login_of_another_mission(params: dict[str, str], method: str, slug: str) -> bool:
    """Whether the digest is right for a login of another mission (a phone set up with the wrong URL): answered as
    a mission that does not exist rather than a challenge (no PIN retry helps). Only asked after a failed login, so
    it costs nothing on the hot path."""
    others = (DeviceCredential.objects.filter(username=params["username"], is_active=True)
              .exclude(mission__slug=slug).values_list("ha1", flat=True)[:20])
    return any(digest.check_response(params, method=method, ha1=ha1) for ha1 in others)


def forget_credentials() -> None:
    _clean_logins.clear()
    _credentials.clear()
    _token_credentials.clear()


def _base(request: HttpRequest, token: str | None) -> str:
    """Where the links of a formList or manifest start: the server, and the login URL's prefix if one was used
    (ODK Collect follows the links as given, with no authentication of their own)."""
    base = request.build_absolute_uri("/").rstrip("/")
    return base + f"/key/{token}" if token is not None else base


def openrosa_view(view):
    @functools.wraps(view)
    def without_body_for_head(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # ODK Collect sends HEAD before each submission; its 401 challenge (or 403/404) must carry no body (RFC 9110).
        if request.method == "HEAD" and not response.streaming:
            response.content = b""
        return response

    return csrf_exempt(login_not_required(without_body_for_head))


@openrosa_view
def form_list(request: HttpRequest, slug: str, token: str | None = None) -> HttpResponse:
    auth = _authenticate(request, slug, token)
    if isinstance(auth, HttpResponse):
        return auth
    mission, _ = auth
    base = _base(request, token)
    items = []
    # The form-list API: with ?formID=X the server MUST list only that form, and nothing for an unknown id.
    form_id = request.GET.get("formID")
    for f in current_forms(mission, form_id=form_id[:100] if form_id is not None else None):
        download = base + reverse("openrosa-form", args=[slug, f.form_id, f.version])
        manifest = base + reverse("openrosa-manifest", args=[slug, f.form_id, f.version])
        items.append(
            "<xform>"
            f"<formID>{escape(f.form_id)}</formID><name>{escape(f.title)}</name>"
            f"<version>{escape(f.version)}</version><hash>md5:{f.md5}</hash>"
            f"<descriptionText>{escape(f.get_kind_display())}</descriptionText>"
            f"<downloadUrl>{escape(download)}</downloadUrl><manifestUrl>{escape(manifest)}</manifestUrl>"
            "</xform>"
        )
    body = ('<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="http://openrosa.org/xforms/xformsList">'
            + "".join(items) + "</xforms>")
    return _respond(body)


def _form_or_404(mission, form_id: str, version: str) -> ObservationForm | None:
    """A form version with an XForm, or None: a form row without one is never served."""
    return servable_forms(mission).filter(form_id=form_id, version=version).first()


@openrosa_view
def form_download(request: HttpRequest, slug: str, form_id: str, version: str, token: str | None = None
                  ) -> HttpResponse:
    auth = _authenticate(request, slug, token)
    if isinstance(auth, HttpResponse):
        return auth
    form = _form_or_404(auth[0], form_id, version)
    if form is None:
        return _message("No such form.", 404)
    return _respond(form.xform)


@openrosa_view
def form_manifest(request: HttpRequest, slug: str, form_id: str, version: str, token: str | None = None
                  ) -> HttpResponse:
    auth = _authenticate(request, slug, token)
    if isinstance(auth, HttpResponse):
        return auth
    form = _form_or_404(auth[0], form_id, version)
    if form is None:
        return _message("No such form.", 404)
    base = _base(request, token)
    files = "".join(
        f"<mediaFile><filename>{escape(m.name)}</filename><hash>md5:{m.md5}</hash>"
        f"<downloadUrl>{escape(base + reverse('openrosa-media', args=[slug, form_id, version, m.name]))}</downloadUrl>"
        "</mediaFile>"
        for m in form.media.all()
    )
    return _respond('<?xml version="1.0" encoding="UTF-8"?>'
                    f'<manifest xmlns="http://openrosa.org/xforms/xformsManifest">{files}</manifest>')


@openrosa_view
def form_media(request: HttpRequest, slug: str, form_id: str, version: str, name: str, token: str | None = None
               ) -> HttpResponse:
    auth = _authenticate(request, slug, token)
    if isinstance(auth, HttpResponse):
        return auth
    form = _form_or_404(auth[0], form_id, version)
    media = form.media.filter(name=name).first() if form else None
    if media is None:
        return _message("No such media file.", 404)
    response = FileResponse(media.file.open("rb"), filename=media.name)
    response["X-OpenRosa-Version"] = "1.0"
    return response


@openrosa_view
def submission(request: HttpRequest, slug: str, token: str | None = None) -> HttpResponse:
    if request.method not in {"HEAD", "POST"}:
        response = _message("Use HEAD or POST.", 405)
        response["Allow"] = "HEAD, POST"
        return response
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _message("Bad Content-Length.", 400)
    if length > MAX_SUBMISSION_BYTES:
        return _message(f"The submission is larger than {MAX_SUBMISSION_BYTES} bytes.", 413)
    auth = _authenticate(request, slug, token, claim_nonce=False)
    if isinstance(auth, HttpResponse):
        return auth
    mission, cred = auth
    if request.method == "HEAD":
        return _accepting(_respond(status=204))
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message("The POST needs a multipart part named xml_submission_file.", 400)
    raw = upload.read()
    files = [
        IncomingFile(name=f.name, content=f.read(), content_type=f.content_type or "")
        for key, items in request.FILES.lists() if key != "xml_submission_file" for f in items
    ]
    try:
        receipt = receive_submission(raw, transport="openrosa", mission=mission, observer=cred.observer,
                                     attachments=files,
                                     first_in_transaction=_nonce_claim(request) if token is None else None)
    except NonceReplayed:
        return _replayed()
    except SubmissionRejected as exc:
        response = _message(exc.message, exc.status)
        if exc.status == 503:  # the server's trouble (a full disk): the phone keeps the report and sends it again
            response["Retry-After"] = str(RETRY_AFTER)
        return response
    return _accepting(_message(receipt.message, 201))


def _accepting(response: HttpResponse) -> HttpResponse:
    """The form-submission API: the 204 to HEAD and the 201/202 to POST say how large a submission may be."""
    response["X-OpenRosa-Accept-Content-Length"] = str(MAX_SUBMISSION_BYTES)
    return response
