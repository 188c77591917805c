"""The audit trail's hash chain: what an entry's hash covers, and checking a whole trail.

``hash = sha256(canonical JSON of the entry's content + the previous entry's hash)``, where the content is the
time (UTC, ISO 8601 with microseconds), action, user name, mission slug, object type and id and the detail, and
canonical JSON is sorted keys, no spaces, UTF-8. The first entry's previous hash is empty. An entry edited in
place no longer matches its hash; a deleted one leaves the next entry pointing to a hash that is not the one before
it; one inserted between two leaves the later one pointing past it. Someone who can write the database can still
recompute the whole chain from the edit on: compare the head hash that ``pollwatch audit verify`` prints with a
copy kept elsewhere (a printed report, another server) to detect that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def content_of(*, at: dt.datetime, action: str, username: str, mission_slug: str, object_type: str, object_id: str,
               detail: Any) -> dict[str, Any]:
    return {"at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "action": action, "user": username,
            "mission": mission_slug, "object_type": object_type, "object_id": object_id, "detail": detail}


def entry_hash(content: dict[str, Any], prev_hash: str) -> str:
    canonical = json.dumps({"entry": content, "prev": prev_hash}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def hash_of(entry) -> str:
    """The hash an AuditEntry should carry, from its stored fields and its stored previous hash."""
    return entry_hash(content_of(at=entry.at, action=entry.action, username=entry.username,
                                 mission_slug=entry.mission_slug, object_type=entry.object_type,
                                 object_id=entry.object_id, detail=entry.detail), entry.prev_hash)


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    head: str  # the last entry's hash: keep a copy elsewhere to detect a recomputed chain
    broken_at: int | None = None  # id of the first entry whose chain breaks
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def check_chain(entries: Iterable) -> ChainCheck:
    """Walk entries in id order; the first one that was edited, or whose predecessor is not the entry it was
    chained to (one deleted or inserted before it), breaks the chain."""
    prev, n = "", 0
    for entry in entries:
        n += 1
        if entry.prev_hash != prev:
            reason = ("the entry before it was deleted or another one inserted before it" if n > 1
                      else "the entries before it were deleted")
            return ChainCheck(n, prev, entry.pk, reason)
        if hash_of(entry) != entry.hash:
            return ChainCheck(n, prev, entry.pk, "its content was changed after it was written")
        prev = entry.hash
    return ChainCheck(n, prev)
