"""What retention (``pollwatch.missions.retention``) erases in collection: the observers' PII inside stored raw
payloads (XForm XML, SMS text, web entries) and report values' strings, their device logins, and the metadata of
their photos (EXIF: GPS position, device serial, owner). Counts, answers and the derived tables stay."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

from pollwatch.collection.attachments import without_metadata_lossless
from pollwatch.collection.models import Attachment, DeviceCredential, Submission
from pollwatch.collection.submissions import safe_file_name


def device_login_names(mission) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for observer_id, username in DeviceCredential.objects.filter(mission=mission).values_list("observer_id",
                                                                                              "username"):
        names.setdefault(observer_id, []).append(username)
    return names


def submissions(mission):
    return Submission.objects.filter(mission=mission)


def erase_device_logins(mission, scrubber, dry_run: bool, progress) -> int:
    logins = DeviceCredential.objects.filter(mission=mission)
    if dry_run:
        return logins.count()
    deleted, _ = logins.delete()
    return deleted


def erase_attachment_metadata(mission, scrubber, dry_run: bool, progress) -> int:
    """Photos' metadata cut out without re-encoding (``without_metadata_lossless``); an attachment's name scrubbed
    like any text, its file renamed to match, and the report's XML and values then name the new file (this step
    runs before the reports'). Size and sha256 follow the new bytes:
    the audit entry of the retention says the originals' hashes are gone with their metadata."""
    rows = Attachment.objects.filter(submission__mission=mission).order_by("pk")
    total, changed = rows.count(), 0
    root = Path(settings.MEDIA_ROOT)
    for done, attachment in enumerate(rows.iterator(chunk_size=200), 1):
        path = root / attachment.file.name
        try:
            content = path.read_bytes()
        except OSError:
            content = None
        stripped = without_metadata_lossless(content) if content is not None else None
        name = safe_file_name(scrubber.text(attachment.name))
        if name != attachment.name:
            scrubber.replace_first(attachment.name, name)  # the report's XML and values name the file so too
        if stripped is not None or name != attachment.name:
            changed += 1
            if not dry_run:
                new_rel = str(Path(attachment.file.name).with_name(name))
                data = stripped if stripped is not None else content
                if data is not None:
                    (root / new_rel).write_bytes(data)
                    if new_rel != attachment.file.name:
                        path.unlink(missing_ok=True)
                updates = {"name": name, "file": new_rel}
                if data is not None:
                    updates |= {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                Attachment.objects.filter(pk=attachment.pk).update(**updates)
        if done % 200 == 0 or done == total:
            progress("attachments", done, total)
    return changed
