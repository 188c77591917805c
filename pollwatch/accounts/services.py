"""The audit trail: every ``do_*`` service records what it changed through :func:`do_record_audit`."""

from __future__ import annotations

from typing import Any

from pollwatch.accounts.models import AuditEntry


def do_record_audit(
    action: str,
    *,
    user: Any = None,
    mission: Any = None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        user=user if getattr(user, "is_authenticated", False) else None,
        mission=mission,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "")) if obj is not None else "",
        detail=detail or {},
    )
