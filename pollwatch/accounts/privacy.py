"""Masking personal data for roles without "see PII" (pollwatch.missions.permissions.Cap.SEE_PII)."""

from __future__ import annotations


def initials(name: object) -> str:
    """"Ingrid Larsen" -> "I. L.": enough for a coordinator's analyst to tell two observers of a team apart,
    not to find them."""
    parts = str(name or "").split()
    return " ".join(f"{p[0]}." for p in parts if p[0].isalnum())


def shown_name(name: object, show_pii: bool) -> str:
    return str(name or "") if show_pii else initials(name)
