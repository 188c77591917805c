"""Gate functions: the only way a view, endpoint or command gets a mission's objects for a user.

"Does not exist" and "not yours" get the same 404 so that object ids of other missions leak nothing
(Zulip's ``access_stream_by_id`` pattern).
"""

from __future__ import annotations

from django.http import Http404

from pollwatch.missions.models import PII_ROLES, Membership, Mission, Role


def access_mission_by_slug(user, slug: str) -> Mission:
    mission = Mission.objects.visible_to(user).select_related("election").filter(slug=slug).first()
    if mission is None:
        raise Http404("No such mission")
    return mission


def role_in_mission(user, mission: Mission) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, mission=mission).values_list("role", flat=True).first()


def can_see_pii(user, mission: Mission) -> bool:
    """Observers' phone numbers and e-mails are for admins and coordinators only."""
    return role_in_mission(user, mission) in PII_ROLES


def can_manage(user, mission: Mission) -> bool:
    return role_in_mission(user, mission) in {Role.ADMIN, Role.COORDINATOR}
