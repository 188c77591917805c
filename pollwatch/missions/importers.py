"""Importer for a mission's observers (upsert by observer code within the mission)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from pollwatch.imports.base import Column
from pollwatch.imports.upsert import TabularImporter
from pollwatch.missions.models import Mission, Observer


def _parse_email(text: str) -> str:
    value = text.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(f"not an e-mail address: {value!r}") from None
    return value


def _parse_phone(text: str) -> str:
    value = "".join(text.split())
    digits = value[1:] if value.startswith("+") else value
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        raise ValueError(f"not a phone number (digits, optionally starting with +): {text.strip()!r}")
    return value


def _parse_languages(text: str) -> str:
    codes = [c.strip().lower() for c in text.replace(";", ",").split(",") if c.strip()]
    for code in codes:
        if not (2 <= len(code) <= 3 and code.isalpha()):
            raise ValueError(f"not a language code (e.g. en, ru, az): {code!r}")
    return ",".join(codes)


class ObserverImporter(TabularImporter):
    """Rows: ``code, name`` (+ ``phone, email, languages, category``)."""

    kind = "observers"
    model = Observer
    columns = (
        Column("code", ("observer code", "observer id", "id"), required=True),
        Column("name", ("full name", "observer name"), required=True),
        Column("phone", ("mobile", "phone number", "telephone"), parse=_parse_phone),
        Column("email", ("e-mail",), parse=_parse_email),
        Column("languages", ("language",), parse=_parse_languages),
        Column("category", ("role", "type")),
    )

    def existing(self, target: Mission) -> dict[str, Any]:
        return {o.code: o for o in Observer.objects.for_mission(target)}

    def build(self, values, target: Mission, context) -> dict[str, Any]:
        return {
            "mission": target,
            "code": values["code"],
            "name": values["name"],
            "phone": values.get("phone") or "",
            "email": values.get("email") or "",
            "languages": values.get("languages") or "",
            "category": values.get("category") or "",
        }

    def audit_mission(self, target: Mission) -> Mission:
        return target
