"""REST API of Collection: forms, stations and submissions of a mission (token or session auth)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from pollwatch.collection.access import visible_submissions
from pollwatch.collection.models import ApiToken, ObservationForm, Submission
from pollwatch.collection.payloads import API_JSON, check_submission_values, json_payload
from pollwatch.collection.services import servable_forms
from pollwatch.collection.submissions import SubmissionRejected, receive_submission
from pollwatch.geography.models import PollingStation
from pollwatch.missions.access import access_mission_by_slug, has_capability, limit_to_token
from pollwatch.missions.models import Observer
from pollwatch.missions.permissions import Cap
from pollwatch.web.params import MAX_ID


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = (ApiToken.objects.select_related("user")
                 .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
                         key_hash=hashlib.sha256(token.encode()).hexdigest(), user__is_active=True).first())
        if found is None:
            return None
        limit_to_token(found.user, mission_id=found.mission_id, role=found.role)
        request.user = found.user
        return found.user


router = Router(auth=[TokenAuth(), django_auth], tags=["collection"])


class FormOut(Schema):
    form_id: str
    version: str
    title: str
    kind: str
    md5: str
    is_active: bool
    fields: list[dict[str, Any]]


class StationOut(Schema):
    code: str
    name: str
    registered_voters: int | None = None


MAX_OFFSET = 10**12


class SubmissionOut(Schema):
    id: int
    form_id: str | None = Field(None, alias="form.form_id")
    form_version: str | None = Field(None, alias="form.version")
    observer: str | None = Field(None, alias="observer.code")
    station: str | None = Field(None, alias="station.code")
    transport: str
    payload_type: str  # what the stored raw payload is: xform-xml, api-json, web-json, sms-text (docs/collection.md)
    instance_id: str
    received_at: dt.datetime
    values: dict[str, Any]
    needs_review: bool
    review_reason: str
    is_current: bool
    attachments: list[str]

    @staticmethod
    def resolve_attachments(obj: Submission) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class SubmissionFilter(Schema):
    form_id: str | None = None
    station: str | None = None
    observer: str | None = None
    needs_review: bool | None = None
    transport: str | None = None
    limit: int = Field(100, ge=1, le=1000)
    # Bounded so that offset + limit stays a 64-bit LIMIT/OFFSET: past it both backends overflow.
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class SubmissionIn(Schema):
    form_id: str = Field(..., max_length=100)
    version: str | None = Field(None, max_length=64, description="Default: the newest active version")
    observer_code: str | None = Field(None, max_length=32)
    instance_id: str | None = Field(None, max_length=128, description="Idempotency key; generated if absent")
    deprecated_id: str | None = Field(None, max_length=128,
                                      description="An edit: the instance_id of the report this one replaces")
    values: dict[str, Any]


class Error(Schema):
    detail: Any


@router.get("/missions/{slug}/forms", response=list[FormOut])
def list_forms(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    return list(ObservationForm.objects.for_mission(mission).defer("xform", "xlsform"))


@router.get("/missions/{slug}/stations", response=list[StationOut])
def list_stations(request, slug: str, q: str = "", limit: int = Query(500, ge=1, le=5000)):
    mission = access_mission_by_slug(request.user, slug)
    stations = PollingStation.objects.filter(election=mission.election)
    if q:
        stations = stations.filter(code__istartswith=q)
    return list(stations.order_by("code")[:limit])


def _submissions(user, mission):
    return (visible_submissions(user, mission).select_related("form", "observer", "station")
            .prefetch_related("attachments"))


@router.get("/missions/{slug}/submissions", response=list[SubmissionOut])
def list_submissions(request, slug: str, filters: Query[SubmissionFilter]):
    mission = access_mission_by_slug(request.user, slug)
    qs = _submissions(request.user, mission).filter(is_current=True)
    if filters.form_id:
        qs = qs.filter(form__form_id=filters.form_id)
    if filters.station:
        qs = qs.filter(station__code=filters.station)
    if filters.observer:
        qs = qs.filter(observer__code=filters.observer)
    if filters.needs_review is not None:
        qs = qs.filter(needs_review=filters.needs_review)
    if filters.transport:
        qs = qs.filter(transport=filters.transport)
    return list(qs[filters.offset: filters.offset + filters.limit])


@router.get("/missions/{slug}/submissions/{submission_id}", response=SubmissionOut)
def get_submission(request, slug: str, submission_id: int = Path(..., ge=1, le=MAX_ID)):
    mission = access_mission_by_slug(request.user, slug)
    found = _submissions(request.user, mission).filter(pk=submission_id).first()
    if found is None:
        raise HttpError(404, "No such submission")
    return found


@router.post("/missions/{slug}/submissions", response={201: SubmissionOut, 200: SubmissionOut, 400: Error,
                                                        403: Error, 404: Error, 409: Error, 410: Error})
def create_submission(request, slug: str, payload: SubmissionIn):
    mission = access_mission_by_slug(request.user, slug)
    if not has_capability(request.user, mission, Cap.ENTER_REPORTS):
        return Status(403, {"detail": f"Your role in this mission may not {Cap.ENTER_REPORTS.value}."})
    forms = servable_forms(mission).filter(form_id=payload.form_id)
    form = (forms.filter(version=payload.version) if payload.version else forms.filter(is_active=True)).first()
    if form is None:
        return Status(404, {"detail": f"No form {payload.form_id!r} (version {payload.version or 'current'})."})
    errors = check_submission_values(form, payload.values)
    if errors:
        return Status(400, {"detail": {"values": errors}})
    observer = None
    if payload.observer_code:
        observer = Observer.objects.for_mission(mission).filter(code=payload.observer_code).first()
        if observer is None:
            return Status(400, {"detail": {"observer_code": "no such observer in this mission"}})
    # The values as submitted are the stored payload (no XForm instance is built from them).
    raw = json_payload(form, payload.values, instance_id=payload.instance_id or "",
                       deprecated_id=payload.deprecated_id or "", observer_code=observer.code if observer else "")
    try:
        receipt = receive_submission(raw, transport="api", payload_type=API_JSON, mission=mission,
                                     observer=observer, entered_by=request.user)
    except SubmissionRejected as exc:
        return Status(exc.status, {"detail": exc.message})
    # What the caller just entered, shown back to them whatever it is (e.g. a count report sealed for their role).
    entered = (Submission.objects.select_related("form", "observer", "station").prefetch_related("attachments")
               .get(pk=receipt.submission.pk))
    return Status(201 if receipt.created else 200, entered)
