"""Incident writes: reporting (form, SMS, staff), the triage workflow with its history, duplicates."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pollwatch.accounts.services import do_record_audit
from pollwatch.geography.regions import station_region
from pollwatch.incidents.models import Incident, IncidentEvent

S = Incident.Status
# The triage workflow: new → verifying → verified/rejected → escalated/resolved (escalated → resolved).
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.VERIFYING, S.REJECTED},
    S.VERIFYING: {S.VERIFIED, S.REJECTED},
    S.VERIFIED: {S.ESCALATED, S.RESOLVED},
    S.REJECTED: {S.VERIFYING},
    S.ESCALATED: {S.RESOLVED},
    S.RESOLVED: set(),
}
MAX_DESCRIPTION = 5000


def check_report_incident(mission, *, source: str, category: str, description: str, severity: int = 2,
                          station=None, location: str = "", observer=None, occurred_at: dt.datetime | None = None,
                          submission=None, user=None) -> Incident:
    category = (category or "").strip()
    if not category:
        raise ValueError("an incident needs a category")
    if source not in Incident.Source.values:
        raise ValueError(f"unknown source {source!r}")
    if severity not in Incident.Severity.values:
        raise ValueError("severity must be 1 (low) to 4 (critical)")
    if not (description or "").strip():
        raise ValueError("an incident needs a description")
    if len(description) > MAX_DESCRIPTION:
        raise ValueError(f"description longer than {MAX_DESCRIPTION} characters")
    if station is not None and station.election_id != mission.election_id:
        raise ValueError("the station is not in this mission's election")
    return do_report_incident(mission, source=source, category=category[:64], description=description.strip(),
                              severity=severity, station=station, location=location[:300], observer=observer,
                              occurred_at=occurred_at or timezone.now(), submission=submission, user=user)


def do_report_incident(mission, *, source, category, description, severity, station, location, observer,
                       occurred_at, submission=None, user=None) -> Incident:
    with transaction.atomic():
        incident = Incident.objects.create(
            mission=mission, source=source, category=category, description=description, severity=severity,
            station=station, region=station_region(station), location=location, observer=observer,
            occurred_at=occurred_at, submission=submission,
        )
        IncidentEvent.objects.create(incident=incident, user=_user(user), action="created", to_status=S.NEW)
        do_record_audit("incident.report", user=user, mission=mission, obj=incident, detail={"source": source})
    return incident


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def derive_incidents(submissions) -> None:
    """The deriver subscribed to "reports stored": each current report of an incident form becomes (or, for an
    edit, updates) its incident."""
    for submission in submissions:
        if submission.form_id is not None and submission.form.kind == "incident" and submission.is_current:
            do_report_incident_from_submission(submission)


def do_report_incident_from_submission(submission) -> Incident | None:
    """An incident form's report becomes an incident once; an edit updates the same incident."""
    values = submission.values or {}
    original = submission.deprecates.incident if submission.deprecates_id and hasattr(submission.deprecates, "incident") else None
    if hasattr(submission, "incident"):
        return submission.incident
    try:
        severity = int(values.get("severity") or 2)
    except (TypeError, ValueError):
        severity = 2
    severity = min(max(severity, 1), 4)
    if original is not None:
        Incident.objects.filter(pk=original.pk).update(
            submission=submission, category=str(values.get("category") or original.category)[:64],
            description=str(values.get("description") or original.description), severity=severity,
        )
        return Incident.objects.get(pk=original.pk)
    return do_report_incident(
        submission.mission, source=Incident.Source.SMS if submission.transport == "sms" else Incident.Source.FORM,
        category=str(values.get("category") or "other")[:64], description=str(values.get("description") or "—"),
        severity=severity, station=submission.station, location=str(values.get("location") or "")[:300],
        observer=submission.observer, occurred_at=submission.received_at, submission=submission,
    )


def check_transition_incident(incident: Incident, to_status: str, *, user, note: str = "") -> Incident:
    if to_status not in TRANSITIONS.get(incident.status, set()):
        raise ValueError(_("cannot go from {current} to {to}").format(current=incident.status, to=to_status))
    if to_status in (S.REJECTED, S.RESOLVED) and not note.strip():
        raise ValueError(_("say why the incident is {to}").format(to=to_status))
    return do_transition_incident(incident, to_status, user=user, note=note.strip()[:2000])


def do_transition_incident(incident: Incident, to_status: str, *, user, note: str = "") -> Incident:
    with transaction.atomic():
        from_status = incident.status
        incident.status = to_status
        incident.save(update_fields=["status"])
        IncidentEvent.objects.create(incident=incident, user=_user(user), action="status", from_status=from_status,
                                     to_status=to_status, note=note)
        do_record_audit("incident.status", user=user, mission=incident.mission, obj=incident,
                        detail={"from": from_status, "to": to_status})
    return incident


ASSIGNEES_ONLY = gettext_noop("incidents are assigned to the mission's coordinators and admins")


def check_assign_incident(incident: Incident, assignee, *, user) -> Incident:
    from pollwatch.missions.access import has_capability
    from pollwatch.missions.permissions import Cap

    if assignee is not None and not has_capability(assignee, incident.mission, Cap.TRIAGE_INCIDENTS):
        raise ValueError(_(ASSIGNEES_ONLY))
    return do_assign_incident(incident, assignee, user=user)


def do_assign_incident(incident: Incident, assignee, *, user) -> Incident:
    with transaction.atomic():
        incident.assignee = assignee
        incident.save(update_fields=["assignee"])
        IncidentEvent.objects.create(incident=incident, user=_user(user), action="assign",
                                     note=assignee.get_username() if assignee else "")
        do_record_audit("incident.assign", user=user, mission=incident.mission, obj=incident)
    return incident


def check_add_incident_note(incident: Incident, note: str, *, user) -> IncidentEvent:
    if not note.strip():
        raise ValueError(_("the note is empty"))
    return do_add_incident_note(incident, note.strip()[:2000], user=user)


def do_add_incident_note(incident: Incident, note: str, *, user) -> IncidentEvent:
    with transaction.atomic():
        event = IncidentEvent.objects.create(incident=incident, user=_user(user), action="note", note=note)
        do_record_audit("incident.note", user=user, mission=incident.mission, obj=incident)
    return event


def check_mark_duplicate(incident: Incident, original: Incident, *, user) -> Incident:
    if original.mission_id != incident.mission_id:
        raise ValueError(_("no such incident"))
    if original.pk == incident.pk:
        raise ValueError(_("an incident cannot duplicate itself"))
    root = original.duplicate_of or original  # groups stay one level deep
    if root.pk == incident.pk:
        raise ValueError(_("that incident is already a duplicate of this one"))
    return do_mark_duplicate(incident, root, user=user)


def do_mark_duplicate(incident: Incident, original: Incident, *, user) -> Incident:
    with transaction.atomic():
        Incident.objects.filter(duplicate_of=incident).update(duplicate_of=original)
        incident.duplicate_of = original
        incident.save(update_fields=["duplicate_of"])
        IncidentEvent.objects.create(incident=incident, user=_user(user), action="duplicate", note=f"#{original.pk}")
        do_record_audit("incident.duplicate", user=user, mission=incident.mission, obj=incident,
                        detail={"original": original.pk})
    return incident


_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def scrub_contacts(text: str) -> str:
    """Phone numbers and e-mail addresses in a text replaced (published summaries, retention)."""
    return _PHONE.sub("[phone removed]", _EMAIL.sub("[e-mail removed]", text))


def public_summary(incident: Incident) -> dict:
    """What may be published: no observer, no assignee, no notes; phone numbers and e-mails in the
    description replaced."""
    text = scrub_contacts(incident.description)
    return {
        "category": incident.category, "severity": str(incident.get_severity_display()), "status": incident.status,
        "region": incident.region.name if incident.region else "",
        "station": incident.station.code if incident.station else "",
        "occurred_at": incident.occurred_at.isoformat(), "description": text,
    }
