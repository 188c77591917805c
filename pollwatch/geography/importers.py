"""Importers for administrative units and polling stations (upsert by code within an election)."""

from __future__ import annotations

from typing import Any

from pollwatch.elections.models import Election
from pollwatch.geography.models import AdministrativeUnit, PollingStation
from pollwatch.imports.base import Column, RowError, parse_latitude, parse_longitude, parse_nonnegative_int
from pollwatch.imports.upsert import TabularImporter


def _parse_setting(text: str) -> str:
    value = text.strip().lower()
    if value not in {"urban", "rural", ""}:
        raise ValueError(f"must be 'urban' or 'rural', got {text.strip()!r}")
    return value


class GeographyImporter(TabularImporter):
    """Rows: ``code, name, level, parent`` (+ ``latitude, longitude``); parents may come later in the file."""

    kind = "geography"
    model = AdministrativeUnit
    columns = (
        Column("code", ("unit code", "id"), required=True),
        Column("name", ("unit name",), required=True),
        Column("level", ("type", "level name"), required=True),
        Column("parent", ("parent code", "parent_code", "parent id")),
        Column("latitude", ("lat",), parse=parse_latitude),
        Column("longitude", ("lon", "lng", "long"), parse=parse_longitude),
    )

    def existing(self, target: Election) -> dict[str, Any]:
        return {u.code: u for u in AdministrativeUnit.objects.filter(election=target)}

    def check_rows(self, records, target: Election) -> list[RowError]:
        in_file = {values["code"]: values.get("parent") for _, values in records}
        in_db = dict(AdministrativeUnit.objects.filter(election=target).values_list("code", "parent__code"))
        parents = {**in_db, **in_file}
        errors = []
        for number, values in records:
            parent = values.get("parent")
            if parent and parent not in parents:
                errors.append(RowError(number, "parent", f"unknown parent unit {parent!r}"))
                continue
            seen = {values["code"]}
            while parent:  # walk up: a unit cannot be its own ancestor
                if parent in seen:
                    errors.append(RowError(number, "parent", f"the parent chain of {values['code']!r} loops"))
                    break
                seen.add(parent)
                parent = parents.get(parent)
        return errors

    def _upsert(self, records, target: Election, report) -> None:
        # Units reference each other and parents may come after children in the file: create the new units
        # first (without parents), then set every unit's parent and depth from the combined code map.
        units = self.existing(target)
        parent_code = {code: (u.parent.code if u.parent_id else None) for code, u in units.items()}
        parent_code.update({values["code"]: values.get("parent") for _, values in records})
        new = [
            AdministrativeUnit(**self.build(values, target, {}))
            for _, values in records
            if values["code"] not in units
        ]
        AdministrativeUnit.objects.bulk_create(new, batch_size=2000)
        created = {u.code for u in new}
        units = self.existing(target)

        def depth(code: str) -> int:
            n, parent = 0, parent_code.get(code)
            while parent:
                n, parent = n + 1, parent_code.get(parent)
            return n

        dirty, fields = [], set()
        for _, values in records:
            unit = units[values["code"]]
            want = self.build(values, target, {})
            parent = values.get("parent")
            want.update(parent_id=units[parent].pk if parent else None, depth=depth(unit.code))
            diff = {k for k, v in want.items() if getattr(unit, k) != v}
            if diff:
                for k in diff:
                    setattr(unit, k, want[k])
                dirty.append(unit)
                fields |= diff
            if unit.code in created:
                report.created += 1
            elif diff:
                report.updated += 1
            else:
                report.unchanged += 1
        if dirty:
            AdministrativeUnit.objects.bulk_update(dirty, sorted(fields), batch_size=2000)

    def build(self, values, target: Election, context) -> dict[str, Any]:
        return {
            "election": target,
            "code": values["code"],
            "name": values["name"],
            "level": values["level"],
            "latitude": values.get("latitude"),
            "longitude": values.get("longitude"),
        }


class StationImporter(TabularImporter):
    """Rows: ``code, unit, registered_voters`` (+ ``name, address, setting, latitude, longitude``)."""

    kind = "stations"
    model = PollingStation
    columns = (
        Column("code", ("station code", "station", "station id", "id"), required=True),
        Column("unit", ("unit code", "constituency", "district", "parent"), required=True),
        Column("registered_voters", ("registered", "voters", "registered voters"), required=True,
               parse=parse_nonnegative_int),
        Column("name", ("station name",)),
        Column("address", ()),
        Column("setting", ("urban/rural", "urban rural", "area type"), parse=_parse_setting),
        Column("latitude", ("lat",), parse=parse_latitude),
        Column("longitude", ("lon", "lng", "long"), parse=parse_longitude),
    )

    def existing(self, target: Election) -> dict[str, Any]:
        return {s.code: s for s in PollingStation.objects.filter(election=target)}

    def check_rows(self, records, target: Election) -> list[RowError]:
        units = set(AdministrativeUnit.objects.filter(election=target).values_list("code", flat=True))
        return [
            RowError(number, "unit", f"unknown administrative unit {values['unit']!r}; import the geography first")
            for number, values in records
            if values["unit"] not in units
        ]

    def build(self, values, target: Election, context) -> dict[str, Any]:
        if "units" not in context:
            context["units"] = dict(AdministrativeUnit.objects.filter(election=target).values_list("code", "pk"))
        return {
            "election": target,
            "unit_id": context["units"][values["unit"]],
            "code": values["code"],
            "registered_voters": values["registered_voters"],
            "name": values.get("name") or "",
            "address": values.get("address") or "",
            "setting": values.get("setting") or "",
            "latitude": values.get("latitude"),
            "longitude": values.get("longitude"),
        }
