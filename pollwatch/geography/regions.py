"""The region of a unit or a station: the one definition every app uses.

A region is the unit at depth ``REGION_DEPTH`` (1: the level below the country root) on a unit's line of
ancestors — the unit itself at that depth. A unit above that level (the country) has no region. The dashboard
counts and filters by it, expected reports and incidents store it, PVT strata and the mission's home page read it.
:class:`pollwatch.geography.tree.UnitTree` answers the same question on ids for a whole election at once
(``unit_tree(election_id).region(unit_id)``); use it when many units are asked (one query for the tree).
"""

from __future__ import annotations

from django.db.models import QuerySet

from pollwatch.geography.models import AdministrativeUnit

REGION_DEPTH = 1


def region_of(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    """The region of a loaded unit, following ``.parent`` (``select_related`` the parents to save queries)."""
    while unit is not None and unit.depth > REGION_DEPTH:
        unit = unit.parent
    return unit if unit is not None and unit.depth == REGION_DEPTH else None


def station_region(station) -> AdministrativeUnit | None:
    """The region of a polling station (None without a station)."""
    return region_of(station.unit if station is not None else None)


def regions(election) -> QuerySet[AdministrativeUnit]:
    """The election's regions (for drop-downs and per-region tables)."""
    return AdministrativeUnit.objects.filter(election=election, depth=REGION_DEPTH)
