"""Writes for the electoral geography (bulk writes live in :mod:`pollwatch.geography.importers`)."""

from __future__ import annotations

from django.db import transaction

from pollwatch.elections.models import Election
from pollwatch.geography.models import AdministrativeUnit, PollingStation


@transaction.atomic
def do_create_unit(
    election: Election,
    *,
    code: str,
    name: str,
    level: str,
    parent: AdministrativeUnit | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> AdministrativeUnit:
    return AdministrativeUnit.objects.create(
        election=election,
        parent=parent,
        code=code,
        name=name,
        level=level,
        depth=0 if parent is None else parent.depth + 1,
        latitude=latitude,
        longitude=longitude,
    )


@transaction.atomic
def do_create_station(
    unit: AdministrativeUnit,
    *,
    code: str,
    registered_voters: int,
    name: str = "",
    address: str = "",
    setting: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> PollingStation:
    return PollingStation.objects.create(
        election=unit.election,
        unit=unit,
        code=code,
        name=name,
        address=address,
        registered_voters=registered_voters,
        setting=setting,
        latitude=latitude,
        longitude=longitude,
    )


@transaction.atomic
def do_set_unit_boundaries(election: Election, boundaries: dict[str, dict]) -> int:
    """Store each unit's GeoJSON geometry, by unit code (already checked by ``check_import_boundaries``)."""
    units = {u.code: u for u in AdministrativeUnit.objects.filter(election=election, code__in=boundaries)}
    for code, geometry in boundaries.items():
        units[code].boundary = geometry
    AdministrativeUnit.objects.bulk_update(list(units.values()), ["boundary"], batch_size=500)
    return len(units)
