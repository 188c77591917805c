"""The audit trail: every ``do_*`` service records what it changed through :func:`do_record_audit`.

Entries are appended one at a time, each chained to the one before (:mod:`pollwatch.accounts.chain`). Reading
the chain's head and appending to it happen under a lock, so two requests recording at once do not both chain to
the same entry: on PostgreSQL a transaction-level advisory lock, on SQLite the database's single write lock, which
every transaction takes at BEGIN (``transaction_mode=IMMEDIATE`` in settings).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from pollwatch.accounts.chain import ChainCheck, check_chain, content_of, entry_hash
from pollwatch.accounts.models import AuditEntry, UserLanguage

# Any constant unique to this lock in the database's advisory-lock space (the crc32 of "pollwatch.audit").
AUDIT_LOCK = 0x7905D3A7


def do_record_audit(
    action: str,
    *,
    user: Any = None,
    mission: Any = None,
    obj: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    user = user if getattr(user, "is_authenticated", False) else None
    # Stored as it will read back from the JSON column, so the hash computed now is the one recomputed later.
    detail = json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder, sort_keys=True))
    entry = AuditEntry(
        at=timezone.now(), action=action, user=user, username=user.get_username() if user else "",
        mission=mission, mission_slug=getattr(mission, "slug", "") or "",
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "")) if obj is not None else "", detail=detail,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK])
        entry.prev_hash = AuditEntry.objects.order_by("-pk").values_list("hash", flat=True).first() or ""
        entry.hash = entry_hash(content_of(at=entry.at, action=entry.action, username=entry.username,
                                           mission_slug=entry.mission_slug, object_type=entry.object_type,
                                           object_id=entry.object_id, detail=entry.detail), entry.prev_hash)
        entry.save(force_insert=True)
    return entry


def verify_audit_trail() -> ChainCheck:
    """Check the whole chain, oldest entry first (see :func:`pollwatch.accounts.chain.check_chain`)."""
    return check_chain(AuditEntry.objects.order_by("pk").iterator(chunk_size=2000))


def do_save_user_language(user, language: str) -> None:
    """The interface language ``user`` chose (a code of settings.LANGUAGES), applied again at each login."""
    UserLanguage.objects.update_or_create(user=user, defaults={"language": language})
