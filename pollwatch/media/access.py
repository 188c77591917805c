"""Who may do what in a mission's media monitoring. The mission itself always comes from
:func:`pollwatch.missions.access.access_mission_by_slug` (404 for other missions' users)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from pollwatch.media.models import NewsItem
from pollwatch.missions.access import has_capability
from pollwatch.missions.permissions import Cap


def can_monitor(user, mission) -> bool:
    """Import items and code them (MONITOR_MEDIA: analysts, coordinators, admins; not observers in the field)."""
    return has_capability(user, mission, Cap.MONITOR_MEDIA)


def access_item_by_id(user, mission, pk: int) -> NewsItem:
    """An item of ``mission`` (already gated for ``user``); another mission's item is a 404 like a missing one."""
    return get_object_or_404(NewsItem.objects.for_mission(mission).select_related("outlet", "reprint_of"), pk=pk)
