"""The one path every report takes: store it verbatim, parse it; the stored row is the derivation queue's entry.

Every transport (OpenRosa, SMS, web entry, REST API, CLI) ends in :func:`receive_submission`: store the raw payload
and its attachments verbatim, then parse typed values from it in the same transaction. Dedupe is a unique constraint
on (mission, instance_id) plus a content hash — never read-then-write.

A raw payload is read by the reader of its payload type (:func:`register_payload_reader`): the XForm instance
(``xform-xml``, here), the JSON of web entry and the API (``web-json``, ``api-json``: collection.payloads) and the
SMS text (``sms-text``: pollwatch.sms). Whatever re-reads a stored payload (reparse) asks :func:`payload_reader`.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from pollwatch.accounts.services import do_record_audit
from pollwatch.collection.attachments import AttachmentRefused, sniff_attachment
from pollwatch.collection.derivation import on_report_stored
from pollwatch.collection.models import Attachment, DeriveState, ObservationForm, Submission
from pollwatch.collection.xforms import XmlError, read_instance_header, read_values
from pollwatch.geography.models import PollingStation
from pollwatch.missions.models import Deployment, Observer

logger = logging.getLogger(__name__)

STATION_FIELDS = ("station_code", "station")
OBSERVER_FIELDS = ("observer_code",)


class SubmissionRejected(Exception):
    """A report the edge must refuse, with the HTTP status and a message for the client.

    ``code`` and ``params`` (optional) name the reason for a transport that words it in the sender's language (an
    SMS reply: ``pollwatch.sms.replies.rejection_text``); ``message`` is the English text."""

    def __init__(self, status: int, message: str, *, code: str = "", params: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.params = params or {}


@dataclass
class Receipt:
    submission: Submission
    created: bool  # False: an identical resubmission, already stored

    @property
    def message(self) -> str:
        if self.created:
            return "Report received. Thank you."
        return "This report was already received; stored once."


@dataclass
class IncomingFile:
    name: str
    content: bytes
    content_type: str = ""


def safe_file_name(name: str) -> str:
    name = Path(name or "").name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:200]
    if not name or name in {".", ".."}:
        raise SubmissionRejected(400, "an attachment has no usable file name")
    return name


def store_attachments(submission: Submission, files: list[IncomingFile]) -> None:
    if not files:
        return
    have = set(submission.attachments.values_list("name", flat=True)) if submission.pk else set()
    folder = Path("collection") / submission.mission.slug / re.sub(r"[^A-Za-z0-9._-]", "_", submission.instance_id)
    for f in files:
        name = safe_file_name(f.name)
        if name in have:
            continue
        try:
            content_type = sniff_attachment(submission, name, f.content)  # by its bytes, not the client's word
        except AttachmentRefused as exc:
            raise SubmissionRejected(415, str(exc)) from exc
        rel = folder / name
        path = Path(settings.MEDIA_ROOT) / rel
        _write_file(path, f.content)
        Attachment.objects.create(
            submission=submission, name=name, file=str(rel), content_type=content_type, size=len(f.content),
            sha256=hashlib.sha256(f.content).hexdigest(),
        )
        have.add(name)


def _write_file(path: Path, content: bytes) -> None:
    """Write an attachment before its report commits. A full disk refuses the report with a 503 (the phone sends it
    again once there is room) and leaves no partial file; the report's transaction rolls back."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        path.unlink(missing_ok=True)
        logger.error("cannot store an attachment, the disk is full: %s", exc)
        raise SubmissionRejected(503, "The server's disk is full: the report was not stored. It will be accepted "
                                 "when you send it again later.") from exc


# Form versions are immutable once imported (only is_active changes, through do_set_form_active, which clears this
# cache in its process); other workers see a closed form within FORM_TTL seconds.
FORM_TTL = 5.0
_forms: dict[tuple[int, str], tuple[float, list[ObservationForm]]] = {}


def forget_forms() -> None:
    _forms.clear()
    _stations.clear()
    _places.clear()
    _station_units.clear()


def _forms_of(mission, form_id: str) -> list[ObservationForm]:
    now = time.monotonic()
    hit = _forms.get((mission.pk, form_id))
    if hit is not None and now - hit[0] < FORM_TTL:
        return hit[1]
    found = list(ObservationForm.objects.for_mission(mission).filter(form_id=form_id).order_by()
                 .defer("xform", "xlsform", "warnings"))
    if len(_forms) > 1000:
        _forms.clear()
    _forms[(mission.pk, form_id)] = (now, found)
    return found


def _find_form(mission, form_id: str, version: str) -> ObservationForm:
    candidates = _forms_of(mission, form_id)
    if not candidates:
        raise SubmissionRejected(404, f"No form {form_id!r} in this mission.")
    form = next((f for f in candidates if f.version == version), None)
    if form is None:
        raise SubmissionRejected(404, f"Form {form_id!r} has no version {version!r} in this mission.")
    if not form.md5:  # no XForm (md5 is its hash): no phone can have filled it, and its fields have no paths
        raise SubmissionRejected(404, f"Form {form_id!r} version {version!r} has no XForm: it takes no reports.")
    if not form.is_active:
        raise SubmissionRejected(410, f"Form {form_id!r} is closed: it no longer accepts reports.")
    return form


def find_form(mission, form_id: str, version: str) -> ObservationForm:
    """The form version a payload names, for a payload reader (cached like the receive path's own lookups);
    :class:`SubmissionRejected` 404 for an unknown one or one without an XForm, 410 for a closed one."""
    return _find_form(mission, form_id, version)


# Station codes are looked up on every report, and a burst names thousands of different stations, so a cache per
# code missed nearly every time (profiled under the ingest benchmark: a quarter of the request). Each process keeps
# the election's whole code → id map instead, loaded in one query and reloaded after STATION_TTL seconds; a code it
# does not know (a station imported since, or a typo) is asked of the database, and found ones are added.
STATION_TTL = 300.0
_stations: dict[int, tuple[float, dict[str, int]]] = {}
_loading_stations = threading.Lock()


def _station_id(election_id: int, code: str) -> int | None:
    now = time.monotonic()
    hit = _stations.get(election_id)
    if hit is None or now - hit[0] >= STATION_TTL:
        # One thread loads the map; the others of its process wait for it rather than each loading their own (a
        # fresh worker's first burst had every thread load 10,000 codes at once).
        with _loading_stations:
            hit = _stations.get(election_id)
            if hit is None or now - hit[0] >= STATION_TTL:
                codes, units = {}, {}
                for each_code, each_pk, unit in (PollingStation.objects.filter(election_id=election_id)
                                                 .order_by().values_list("code", "pk", "unit_id")):
                    codes[each_code], units[each_pk] = each_pk, unit
                # The same rows give every station's unit, which the deployment check asks for (a burst names
                # thousands of stations: one query each cost a sixth of the request).
                _station_units.update(units)
                hit = _stations[election_id] = (time.monotonic(), codes)
    pk = hit[1].get(code)
    if pk is None:
        pk = PollingStation.objects.filter(election_id=election_id, code=code).values_list("pk", flat=True).first()
        if pk is not None:
            hit[1][code] = pk
    return pk


@dataclass
class ReadPayload:
    """What a payload reader found in a raw payload: the form, typed values by question name, problems to flag the
    report with, and the routing facts the payload carries (an SMS's observer, an instance's instanceID and
    deprecatedID; empty when the transport gives them)."""

    form: ObservationForm
    values: dict[str, Any]
    problems: list[str]
    observer: Observer | None = None
    instance_id: str = ""
    deprecated_id: str = ""


class PayloadReader(Protocol):
    """Reads one payload type: stored raw text → :class:`ReadPayload`; :class:`SubmissionRejected` (a 4xx) if not."""

    def __call__(self, text: str, mission: Any, *, form: ObservationForm | None = None) -> ReadPayload:
        """Read ``text``; ``form`` is the report's form when it is already known (a reparse reads against it)."""
        ...


# Readers of raw payloads by payload type (Submission.payload_type). Built-in ones register like a third party's:
# the XForm instance below, JSON from CollectionConfig.ready(), SMS text from SmsConfig.ready().
XFORM_XML = "xform-xml"
_payload_readers: dict[str, PayloadReader] = {}
_transport_payloads: dict[str, str] = {}  # a transport's payload type when its caller names none


def register_payload_reader(payload_type: str, reader: PayloadReader, *, transport: str = "") -> None:
    """Register the reader of ``payload_type``; with ``transport``, it is that transport's default payload type."""
    _payload_readers[payload_type] = reader
    if transport:
        _transport_payloads[transport] = payload_type


def payload_reader(payload_type: str) -> PayloadReader:
    """The reader of a payload type; LookupError for a type no app registered."""
    try:
        return _payload_readers[payload_type]
    except KeyError:
        raise LookupError(f"no payload reader is registered for {payload_type!r}") from None


def settle_values(submission: Submission, values: dict[str, Any], problems: list[str], *,
                  observer_fixed: bool) -> None:
    """Station, observer and the review flag of a report from its typed values (whatever the payload's format;
    idempotent: reparse uses it)."""
    reasons: list[str] = list(problems)
    submission.values = values
    mission = submission.mission
    if not observer_fixed:
        code = next((str(values[k]) for k in OBSERVER_FIELDS if values.get(k)), "")
        if code:
            submission.observer = Observer.objects.filter(mission=mission, code=code).first()
            if submission.observer is None:
                reasons.append(f"unknown observer code {code!r}")
    code = next((str(values[k]).strip() for k in STATION_FIELDS if values.get(k)), "")
    station_id = None
    if code:
        station_id = _station_id(mission.election_id, code)
        if station_id is None:
            reasons.append(f"unknown station code {code!r}")
    elif submission.observer_id:
        station_id = (Deployment.objects.filter(observer_id=submission.observer_id, station__isnull=False)
                      .values_list("station_id", flat=True).first())
    if station_id is None and not code:
        reasons.append("no station code and no station deployment")
    submission.station_id = station_id
    if submission.deprecates_id is None and getattr(submission, "_deprecated_id", ""):
        reasons.append(f"edit of an unknown report {submission._deprecated_id!r}")
    held: list[str] = []
    if submission.claimed_edit_of:
        held.append(f"edit of {submission.claimed_edit_of!r}, a report from another login")
    if station_id is not None and submission.observer_id is not None and not _deployed_at(submission, station_id):
        held.append("station not in the observer's deployment")
    submission.held = bool(held) and submission.accepted_by_id is None
    if submission.held:
        held.append("held: not counted until a coordinator accepts it")
    reasons += held
    submission.needs_review = bool(reasons)
    submission.review_reason = "; ".join(reasons)[:200]


def _deployed_at(submission: Submission, station_id: int) -> bool:
    """Whether the observer has a deployment at the station, or in an area the station lies in."""
    stations, units = _observer_places(submission.observer_id, submission.mission.election_id)
    if station_id in stations:
        return True
    return bool(units) and _unit_of_station(station_id) in units


# Asked for every report, so kept per process like the form and station caches: an observer's places (stations,
# and the units their mobile-team areas cover) for PLACES_TTL seconds, a station's unit until forget_forms(). Without
# them the check cost three queries per report (the election-day benchmark's rate fell from ~220 to ~150/s). A
# deployment made in the last PLACES_TTL seconds can see a report held for review, never one wrongly counted:
# reports for stations outside the cached places are held, and a coordinator accepts them.
PLACES_TTL = 10.0
_places: dict[int, tuple[float, frozenset[int], frozenset[int]]] = {}
_station_units: dict[int, int | None] = {}


def _observer_places(observer_id: int, election_id: int) -> tuple[frozenset[int], frozenset[int]]:
    from pollwatch.geography.tree import unit_tree

    now = time.monotonic()
    hit = _places.get(observer_id)
    if hit is not None and now - hit[0] < PLACES_TTL:
        return hit[1], hit[2]
    rows = list(Deployment.objects.filter(observer_id=observer_id).values_list("station_id", "area_id"))
    stations = frozenset(station for station, _ in rows if station is not None)
    areas = {area for _, area in rows if area is not None}
    units: frozenset[int] = frozenset()
    if areas:
        tree = unit_tree(election_id)
        units = frozenset().union(*(tree.under(area) for area in areas))
    if len(_places) > 100_000:
        _places.clear()
    _places[observer_id] = (now, stations, units)
    return stations, units


def _forget_places(sender, instance, **kwargs) -> None:
    """A deployment changed in this process: its observer's places are read again at the next report."""
    _places.pop(instance.observer_id, None)


post_save.connect(_forget_places, sender=Deployment, dispatch_uid="collection-forget-places-save")
post_delete.connect(_forget_places, sender=Deployment, dispatch_uid="collection-forget-places-delete")


def _unit_of_station(station_id: int) -> int | None:
    if station_id not in _station_units:
        if len(_station_units) > 1_000_000:
            _station_units.clear()
        _station_units[station_id] = (PollingStation.objects.filter(pk=station_id)
                                      .values_list("unit_id", flat=True).first())
    return _station_units[station_id]


def same_author(original: Submission, observer: Observer | None, entered_by) -> bool:
    """Whether an edit comes from the login that sent ``original``: the same user typing it in, or else the same
    observer's device login (``observer``, fixed by the transport)."""
    user_id = entered_by.pk if getattr(entered_by, "is_authenticated", False) else None
    if original.entered_by_id is not None or user_id is not None:
        return original.entered_by_id == user_id
    return observer is not None and original.observer_id == observer.pk


def read_xform_payload(text: str, mission: Any, *, form: ObservationForm | None = None) -> ReadPayload:
    """Read an XForm instance (OpenRosa): its header names the form version, then its typed values."""
    try:
        header = read_instance_header(text)
    except XmlError as exc:
        raise SubmissionRejected(400, str(exc)) from exc
    if form is None:
        form = _find_form(mission, header.form_id, header.version)
    values, problems = read_values(header.root, form.fields)
    return ReadPayload(form, values, problems, instance_id=header.instance_id, deprecated_id=header.deprecated_id)


register_payload_reader(XFORM_XML, read_xform_payload, transport="openrosa")


def receive_submission(
    raw: bytes,
    *,
    transport: str,
    mission,
    observer: Observer | None = None,
    attachments: list[IncomingFile] | None = None,
    entered_by=None,
    first_in_transaction: Callable[[], None] | None = None,
    instance_id: str = "",
    payload_type: str = "",
) -> Receipt:
    """Store one report (its raw payload, verbatim) and parse it; the single path of every transport.

    ``payload_type`` says which reader reads ``raw`` (default: the transport's, else ``xform-xml``); the reader finds
    the form, the typed values and the instance's ids. ``instance_id`` is the idempotency key of a payload that
    carries none (an SMS: the gateway's message id).

    ``first_in_transaction`` runs at the start of the report's transaction and may refuse it by raising
    :class:`SubmissionRejected` (OpenRosa claims the request's Digest nonce count there: one write, not two).

    Raises :class:`SubmissionRejected` (400 malformed/forbidden payload, 404 unknown form, 410 closed form,
    409 same instanceID with other content).
    """
    payload_type = payload_type or _transport_payloads.get(transport, XFORM_XML)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionRejected(400, "the report is not UTF-8 text") from exc
    read = payload_reader(payload_type)(text, mission)
    form = read.form
    if not form.is_active:
        raise SubmissionRejected(410, f"Form {form.form_id!r} is closed: it no longer accepts reports.",
                                 code="form_closed", params={"form": form.form_id, "title": form.title})
    instance_id = (read.instance_id or instance_id)[:128]
    content_hash = hashlib.sha256(raw).hexdigest()
    files = attachments or []
    deprecates = None
    claimed = ""
    if read.deprecated_id:
        deprecates = Submission.objects.filter(mission=mission, instance_id=read.deprecated_id).first()
        if deprecates is not None and not same_author(deprecates, observer, entered_by):
            # Another login's report: not replaced. This one is stored next to it, held for review.
            deprecates, claimed = None, read.deprecated_id
    submission = Submission(
        mission=mission, form=form, observer=observer or read.observer, transport=transport,
        instance_id=instance_id, received_at=timezone.now(), raw=text, payload_type=payload_type,
        content_hash=content_hash, deprecates=deprecates,
        entered_by=entered_by if getattr(entered_by, "is_authenticated", False) else None, claimed_edit_of=claimed,
    )
    submission._deprecated_id = "" if claimed else read.deprecated_id
    observer_fixed = submission.observer is not None
    settle_values(submission, read.values, read.problems, observer_fixed=observer_fixed)
    # One transaction, no savepoint: the unique constraint on (mission, instance_id) decides, and a duplicate is
    # handled after the failed transaction has rolled back (two round trips fewer per report than a savepoint).
    try:
        _insert(submission, deprecates, files, first_in_transaction)
    except IntegrityError:
        with transaction.atomic():
            existing = (Submission.objects.select_related("mission").select_for_update()
                        .filter(mission=mission, instance_id=instance_id).first()) if instance_id else None
            if existing is not None:
                if existing.content_hash != content_hash:
                    raise SubmissionRejected(
                        409, f"A different report with instanceID {instance_id} was already received.",
                        code="conflict", params={"instance_id": instance_id},
                    ) from None
                # Identical resubmission (e.g. ODK Collect splitting a large report over several POSTs): keep
                # one row, add attachments not seen yet.
                store_attachments(existing, files)
                return Receipt(existing, created=False)
        # Not a duplicate: a row the report points to is gone (a station deleted since this process cached its
        # code). Look everything up afresh and store it once more.
        forget_forms()
        settle_values(submission, read.values, read.problems, observer_fixed=observer_fixed)
        _insert(submission, deprecates, files, first_in_transaction)
    return Receipt(submission, created=True)


def _insert(submission: Submission, deprecates: Submission | None, files: list[IncomingFile],
            first_in_transaction: Callable[[], None] | None = None) -> None:
    with transaction.atomic():
        if first_in_transaction is not None:
            first_in_transaction()
        submission.save(force_insert=True)
        if deprecates is not None:
            Submission.objects.filter(pk=deprecates.pk).update(is_current=False)
        store_attachments(submission, files)
        # Born pending (Submission.derive_state): the worker derives it; nothing else is written per report.
        on_report_stored(submission)


def do_reparse_submission(submission: Submission) -> None:
    """Rebuild values, station and review flag from the stored raw payload, read by its payload type's reader."""
    try:
        read = payload_reader(submission.payload_type)(submission.raw, submission.mission, form=submission.form)
    except (LookupError, SubmissionRejected) as exc:
        # Not a payload its reader can read (a row made by hand, a reader no longer registered): values are kept.
        logger.warning("submission %s: raw payload not reparsed: %s", submission.pk, exc)
        return
    submission._deprecated_id = ""
    submission.form = read.form
    settle_values(submission, read.values, read.problems, observer_fixed=submission.observer_id is not None)
    submission.derive_state, submission.derive_error = DeriveState.PENDING, ""
    with transaction.atomic():
        submission.save(update_fields=["values", "form", "station", "observer", "needs_review", "review_reason",
                                       "held",
                                       "derive_state", "derive_error"])
        on_report_stored(submission)


def do_reparse_submissions(mission=None) -> int:
    forget_forms()  # a reparse is usually run because stations were imported since: no cached lookups
    qs = Submission.objects.select_related("form", "mission")
    if mission is not None:
        qs = qs.for_mission(mission)
    n = 0
    with transaction.atomic():
        for submission in qs.iterator(chunk_size=500):
            do_reparse_submission(submission)
            n += 1
        do_record_audit("submissions.reparse", mission=mission, detail={"count": n})
    return n
