"""Retention: once a mission is closed, erase what identifies its observers and keep the anonymised data.

``do_apply_retention(mission)`` (``pollwatch retention --mission M``, ``pollwatch manage retention``) first reads
who the observers are (:class:`Scrubber`: their names, phones, e-mails, device and web login names, and codes that
are made of those), then lets every app scrub its own rows, then erases the observers' identities
(:func:`do_erase_observers_pii`). An app registers what it stores with :func:`register_text_fields` (rows and
text/JSON columns: each string in them has the observers' PII replaced; numbers and other values stay as they
are) or :func:`register_eraser` (anything else: files, rows to delete), from its ``AppConfig.ready()``. Everything
but the files runs in one transaction, and the erasure is audited with its counts. ``dry_run`` counts what would
change and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.missions.models import Membership, Mission, Observer

NAME_REMOVED = "[name removed]"
PHONE_REMOVED = "[phone removed]"
EMAIL_REMOVED = "[e-mail removed]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEPARATORS = r"[\s().-]*"


class MissionStillOpen(Exception):
    """Retention was asked for a mission that is still active (``is_active``): close it first."""


def _phone_pattern(digits: str) -> str:
    return r"(?<!\d)\+?" + _SEPARATORS.join(digits) + r"(?!\d)"


def _personal_code(observer: Observer) -> bool:
    """A code made of the observer's name, phone or e-mail (``PAVEL``, ``79000000001``) identifies them too."""
    code = observer.code.lower()
    tokens = [t for t in re.split(r"\W+", observer.name.lower()) if len(t) >= 3]
    digits = re.sub(r"\D", "", observer.phone or "")
    local = (observer.email or "").split("@")[0].lower()
    return (any(t in code for t in tokens) or (len(digits) >= 6 and digits[-6:] in re.sub(r"\D", "", code))
            or (len(local) >= 3 and local in code))


@dataclass
class Scrubber:
    """Replaces the mission's observers' PII in any text: full names (either order) by "Observer CODE", their
    phones in any spacing by ``[phone removed]``, e-mail addresses (theirs and any other) by ``[e-mail removed]``,
    login names and personal codes. Generic "anything that looks like a phone" is not used here: in a report's XML
    that would eat counts and dates (incidents' free texts get it besides, ``incidents.services.scrub_contacts``)."""

    replacements: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    new_codes: dict[int, str] = field(default_factory=dict)  # observer pk -> its code after retention
    after: Callable[[str], str] | None = None

    @classmethod
    def for_mission(cls, mission: Mission) -> Scrubber:
        scrubber = cls()
        rules: list[tuple[str, str]] = []
        other_logins: dict[int, list[str]] = {}
        for source in _LOGIN_SOURCES:
            for pk, names in source(mission).items():
                other_logins.setdefault(pk, []).extend(names)
        observers = list(Observer.objects.for_mission(mission).select_related("user"))
        codes = {o.code.lower() for o in observers if not _personal_code(o)}
        for observer in observers:
            code = f"OBS{observer.pk}" if _personal_code(observer) else observer.code
            if code != observer.code:
                scrubber.new_codes[observer.pk] = code
            tokens = observer.name.split()
            if len(observer.name.strip()) >= 3 and not observer.name.startswith("Observer "):
                for order in {tuple(tokens), tuple(reversed(tokens))}:
                    # Spaces, commas, or a file name's _ . - between the parts; no letter or digit around them.
                    rules.append((r"(?<![^\W_])" + r"[\s,_.-]+".join(re.escape(t) for t in order) + r"(?![^\W_])",
                                  f"Observer {code}"))
            digits = re.sub(r"\D", "", observer.phone or "")
            if len(digits) >= 7:
                rules.append((_phone_pattern(digits), PHONE_REMOVED))
                if len(digits) > 9:  # the national form, without the country code or trunk prefix
                    rules.append((_phone_pattern(digits[-9:]), PHONE_REMOVED))
            if observer.email:
                rules.append((re.escape(observer.email), EMAIL_REMOVED))
            logins = [getattr(observer.user, "username", ""), *other_logins.get(observer.pk, ())]
            for login in filter(None, logins):
                # A login named after the observer's code (often the case for device logins) is no more
                # personal than the code, which stays: replacing it would blank the code in every SMS.
                if len(login) >= 4 and login.lower() not in codes:
                    rules.append((r"(?<![\w-])" + re.escape(login) + r"(?![\w-])", NAME_REMOVED))
            if code != observer.code:
                rules.append((r"(?<![\w-])" + re.escape(observer.code) + r"(?![\w-])", code))
        # Longest first, so a full name goes before any part of it, a full phone before its national form.
        for pattern, replacement in sorted(set(rules), key=lambda r: -len(r[0])):
            scrubber.replacements.append((re.compile(pattern, re.IGNORECASE), replacement))
        scrubber.replacements.append((_EMAIL, EMAIL_REMOVED))
        return scrubber

    def text(self, value: str) -> str:
        for pattern, replacement in self.replacements:
            value = pattern.sub(replacement, value)
        return self.after(value) if self.after else value

    def replace_first(self, old: str, new: str) -> None:
        """Replace ``old`` literally by ``new`` before any other rule (a renamed attachment's file name)."""
        self.replacements.insert(0, (re.compile(re.escape(old)), new))

    def then(self, after: Callable[[str], str]) -> Scrubber:
        """This scrubber followed by ``after`` on each string."""
        return Scrubber(self.replacements, self.new_codes, after)  # the same rules (list), shared

    def json(self, value: Any) -> Any:
        """Strings inside a JSON value scrubbed (keys too); numbers, booleans and nulls unchanged."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.json(v) for k, v in value.items()}
        return value


Progress = Callable[[str, int, int], None]  # (what, rows done, rows in all)
Eraser = Callable[[Mission, Scrubber, bool, Progress], int]  # -> rows changed (or that would be)


@dataclass(frozen=True)
class _TextFields:
    rows: Callable[[Mission], models.QuerySet]
    fields: tuple[str, ...]
    also: Callable[[str], str] | None = None  # a further scrub of each string (e.g. any phone number)


_STEPS: dict[str, _TextFields | Eraser] = {}
# Other login names an observer has (device logins: collection), observer pk -> names; scrubbed from texts too.
_LOGIN_SOURCES: list[Callable[[Mission], dict[int, list[str]]]] = []


def register_login_names(source: Callable[[Mission], dict[int, list[str]]]) -> None:
    """Add ``source(mission) -> {observer pk: [login names]}``: names that identify an observer in texts."""
    if source not in _LOGIN_SOURCES:
        _LOGIN_SOURCES.append(source)


def register_text_fields(label: str, rows: Callable[[Mission], models.QuerySet], fields: Iterable[str], *,
                         also: Callable[[str], str] | None = None) -> None:
    """Scrub the observers' PII in ``fields`` (text or JSON columns) of ``rows(mission)`` at retention, then apply
    ``also`` to each string if given."""
    _STEPS[label] = _TextFields(rows, tuple(fields), also)


def register_eraser(label: str, eraser: Eraser) -> None:
    """Run ``eraser(mission, scrubber, dry_run, progress) -> rows changed`` at retention."""
    _STEPS[label] = eraser


def _scrub_rows(step: _TextFields, mission: Mission, scrubber: Scrubber, dry_run: bool, progress: Progress,
                label: str) -> int:
    queryset = step.rows(mission)
    model = queryset.model
    total, changed = queryset.count(), 0
    limits = {name: getattr(model._meta.get_field(name), "max_length", None) for name in step.fields}
    scrub = scrubber if step.also is None else scrubber.then(step.also)
    for done, row in enumerate(queryset.only("pk", *step.fields).iterator(chunk_size=500), 1):
        updates = {}
        for name in step.fields:
            value = getattr(row, name)
            new = scrub.json(value) if isinstance(value, (dict, list)) else (
                scrub.text(value) if isinstance(value, str) else value)
            if isinstance(new, str) and limits[name]:
                new = new[: limits[name]]
            if new != value:
                updates[name] = new
        if updates:
            changed += 1
            if not dry_run:
                model.objects.filter(pk=row.pk).update(**updates)
        if done % 500 == 0 or done == total:
            progress(label, done, total)
    return changed


def do_erase_observers_pii(mission: Mission, scrubber: Scrubber | None = None, *, dry_run: bool = False,
                           by=None) -> dict[str, int]:
    """Erase what identifies the mission's observers: name (→ "Observer CODE"), phone, e-mail, languages, a code
    made of those (→ ``OBS<id>``); their web logins are unlinked, dropped from the mission and, when they belong
    to no other mission, anonymised and disabled. Codes, deployments and reports stay."""
    scrubber = scrubber or Scrubber.for_mission(mission)
    observers = logins = 0
    for observer in Observer.objects.for_mission(mission).select_related("user").iterator(chunk_size=1000):
        observers += 1
        user = observer.user
        if dry_run:
            logins += user is not None
            continue
        observer.code = scrubber.new_codes.get(observer.pk, observer.code)
        observer.name, observer.phone, observer.email, observer.languages = f"Observer {observer.code}", "", "", ""
        observer.user = None
        observer.save(update_fields=["code", "name", "phone", "email", "languages", "user"])
        if user is not None:
            logins += 1
            Membership.objects.filter(mission=mission, user=user).delete()
            if not user.memberships.exists() and not (user.is_staff or user.is_superuser):
                user.username, user.first_name, user.last_name, user.email = f"erased-{user.pk}", "", "", ""
                user.is_active = False
                user.set_unusable_password()
                user.save()
    if not dry_run:
        do_record_audit("retention.observers", user=by, mission=mission,
                        detail={"observers": observers, "web_logins": logins})
    return {"observers": observers, "web_logins": logins}


def do_apply_retention(mission: Mission, *, dry_run: bool = False, by=None,
                       progress: Progress | None = None) -> dict[str, int]:
    """Erase a closed mission's personal data (see the module's docstring); returns, per step, how many rows
    changed (with ``dry_run``: would change; nothing is written). Raises :class:`MissionStillOpen`."""
    if mission.is_active:
        raise MissionStillOpen(mission.slug)
    progress = progress or (lambda what, done, total: None)
    with transaction.atomic():
        scrubber = Scrubber.for_mission(mission)
        counts: dict[str, int] = {}
        for label, step in _STEPS.items():
            if isinstance(step, _TextFields):
                counts[label] = _scrub_rows(step, mission, scrubber, dry_run, progress, label)
            else:
                counts[label] = step(mission, scrubber, dry_run, progress)
        counts |= do_erase_observers_pii(mission, scrubber, dry_run=dry_run, by=by)
        progress("observers", counts["observers"], counts["observers"])
        if not dry_run:
            do_record_audit("retention.apply", user=by, mission=mission, detail=counts)
    return counts
