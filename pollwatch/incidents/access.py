"""Gates for incidents; capabilities come from ``pollwatch.missions.permissions``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from pollwatch.incidents.models import Incident
from pollwatch.missions.access import observer_q, require_capability
from pollwatch.missions.permissions import Cap


def visible_incidents(user, mission):
    """The mission's incidents ``user`` may see: all with SEE_REPORTS, else those their own observer reported."""
    return Incident.objects.for_mission(mission).filter(observer_q(user, mission))


def access_incident_by_id(user, mission, pk: int, need: Cap | None = None) -> Incident:
    if need is not None:
        require_capability(user, mission, need)
    return get_object_or_404(visible_incidents(user, mission).select_related("station", "region", "assignee"), pk=pk)
