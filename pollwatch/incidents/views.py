"""Incident pages: the triage list with filters, one incident with its history and triage actions, the
public-safe summary. Thin: gate, validate, call check_*, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pollwatch.incidents import services
from pollwatch.incidents.access import access_incident_by_id, visible_incidents
from pollwatch.incidents.models import Incident
from pollwatch.missions.access import access_mission_by_slug, has_capability
from pollwatch.missions.filters import parse_filters
from pollwatch.missions.permissions import Cap, roles_with
from pollwatch.web.params import id_param, int_param


def incident_list(request, slug: str):
    """Incidents by status, category, severity and the dashboard's filters (region, observer group, when it
    occurred, flag), so a bar of the dashboard's incident chart lands on the incidents it counts."""
    mission = access_mission_by_slug(request.user, slug)
    filters = parse_filters(mission, request.GET)
    rows = visible_incidents(request.user, mission).filter(filters.incident_q()).select_related("station", "region", "assignee")
    status, category = request.GET.get("status", ""), request.GET.get("category", "")
    severity = int_param(request.GET, "severity", low=min(Incident.Severity.values), high=max(Incident.Severity.values))
    if status in Incident.Status.values:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category=category[:64])
    if severity is not None:
        rows = rows.filter(severity=severity)
    if not request.GET.get("duplicates"):
        rows = rows.filter(duplicate_of__isnull=True)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "incidents/incident_list.html", {"mission": mission, "page": page, "filters": filters,
                                                            "statuses": Incident.Status.choices,
                                                            "severities": Incident.Severity.choices})


def incident_detail(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    incident = access_incident_by_id(request.user, mission, pk)
    managers = _managers(mission)
    return render(request, "incidents/incident_detail.html", {
        "mission": mission, "incident": incident, "can_manage": has_capability(request.user, mission, Cap.TRIAGE_INCIDENTS),
        "next_statuses": [(to, Incident.Status(to).label) for to in sorted(services.TRANSITIONS[incident.status])],
        "events": [_history(e) for e in incident.events.select_related("user")],
        "duplicates": incident.duplicates.all(),
        "managers": managers,
    })


# An event's action (IncidentEvent.action) as the history names it.
ACTIONS = {"created": gettext_lazy("reported"), "status": gettext_lazy("status changed"),
           "assign": gettext_lazy("assigned"), "note": gettext_lazy("note"),
           "duplicate": gettext_lazy("marked as a duplicate")}


def _history(event):
    event.action_label = ACTIONS.get(event.action, event.action)
    event.to_status_label = Incident.Status(event.to_status).label if event.to_status in Incident.Status.values else event.to_status
    return event


def _managers(mission):
    return get_user_model().objects.filter(memberships__mission=mission, memberships__role__in=roles_with(Cap.TRIAGE_INCIDENTS))


@require_POST
def incident_triage(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    incident = access_incident_by_id(request.user, mission, pk, need=Cap.TRIAGE_INCIDENTS)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:2000]
    try:
        if action == "status":
            services.check_transition_incident(incident, request.POST.get("to", ""), user=request.user, note=note)
        elif action == "assign":
            # Looked up among this mission's managers only, with the service's own refusal: "no such user" for
            # an unknown name told coordinators which user names exist on the server, in any mission.
            username = request.POST.get("assignee", "")
            assignee = _managers(mission).filter(username=username).first() if username else None
            if username and assignee is None:
                raise ValueError(_(services.ASSIGNEES_ONLY))
            services.check_assign_incident(incident, assignee, user=request.user)
        elif action == "note":
            services.check_add_incident_note(incident, note, user=request.user)
        elif action == "duplicate":
            original_id = id_param(request.POST, "original")
            original = Incident.objects.for_mission(mission).filter(pk=original_id).first() if original_id else None
            if original is None:
                raise ValueError("no such incident")
            services.check_mark_duplicate(incident, original, user=request.user)
        else:
            raise ValueError("unknown action")
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("incident-detail", slug=mission.slug, pk=incident.pk)


def incident_public(request, slug: str):
    """The public-safe summary of verified incidents (no observer, no notes, no phone numbers)."""
    mission = access_mission_by_slug(request.user, slug)
    rows = Incident.objects.for_mission(mission).filter(
        status__in=[Incident.Status.VERIFIED, Incident.Status.ESCALATED, Incident.Status.RESOLVED],
        duplicate_of__isnull=True,
    ).select_related("station", "region")
    return JsonResponse({"incidents": [services.public_summary(i) for i in rows]})
