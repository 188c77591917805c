"""Reads of the SMS app: a mission's SMS grammar, observers by SMS code and phone, the message log."""

from __future__ import annotations

import re
import time
from typing import Any

from django.db.models import Q

from pollwatch.collection.models import ObservationForm
from pollwatch.missions.models import Observer
from pollwatch.sms.grammar import SmsField, SmsForm
from pollwatch.sms.models import InboundMessage

GRAMMAR_TTL = 30.0
_grammars: dict[int, tuple[float, list[SmsForm]]] = {}


def forget_grammars() -> None:
    _grammars.clear()


def sms_field_type(field: dict[str, Any]) -> str:
    """The SMS grammar's type of an XForm question: select_one by option number, select_multiple by digits."""
    kind = field.get("type")
    if kind == "select1":
        return "select"
    if kind == "select":
        return "multiselect"
    if kind == "boolean":
        return "boolean"
    if kind == "string":
        return "comment"
    return "integer"


def sms_grammar(mission) -> list[SmsForm]:
    """The SMS grammar of the mission's current forms that have an SMS prefix (newest version of each form id);
    each SmsForm's ``key`` is the ObservationForm's pk. Cached per process for GRAMMAR_TTL seconds."""
    now = time.monotonic()
    hit = _grammars.get(mission.pk)
    if hit is not None and now - hit[0] < GRAMMAR_TTL:
        return hit[1]
    forms: list[SmsForm] = []
    seen: set[str] = set()
    rows = (ObservationForm.objects.for_mission(mission).exclude(sms_prefix="").filter(is_active=True)
            .order_by("form_id", "-created_at", "-pk").only("pk", "form_id", "sms_prefix", "fields", "title"))
    for form in rows:
        if form.form_id in seen:
            continue
        seen.add(form.form_id)
        fields = []
        for f in form.fields:
            tag = f.get("sms_tag")
            if not tag:
                continue
            kind = sms_field_type(f)
            options = len(f.get("choices") or []) if kind in ("select", "multiselect") else None
            fields.append(SmsField(tag=tag, type=kind, options=options or None, name=f["name"],
                                   label=f.get("label", "")))
        forms.append(SmsForm(prefix=form.sms_prefix, fields=tuple(fields), name=form.title, key=form.pk))
    _grammars[mission.pk] = (now, forms)
    return forms


def tagged_forms(mission) -> list[ObservationForm]:
    """The newest active version of each of the mission's forms (with an SMS prefix or not): the forms whose SMS
    tags a coordinator edits, and among which a prefix is unique."""
    seen: dict[str, ObservationForm] = {}
    for form in (ObservationForm.objects.for_mission(mission).filter(is_active=True)
                 .order_by("form_id", "-created_at", "-pk").only("pk", "form_id", "sms_prefix", "fields", "title",
                                                                  "mission_id")):
        seen.setdefault(form.form_id, form)
    return list(seen.values())


def code_key(code: str) -> str:
    """An observer code as an SMS carries it: its digits without leading zeros (``CO-0042`` → ``42``)."""
    digits = re.sub(r"\D", "", code or "")
    return digits.lstrip("0") or ("0" if digits else "")


def observer_by_sms_code(mission, participant_id: str | None) -> Observer | None:
    if not participant_id:
        return None
    exact = Observer.objects.for_mission(mission).filter(code=participant_id).first()
    if exact is not None:
        return exact
    key = code_key(participant_id)
    # Codes are short and a mission has thousands of observers: match on the digits, in Python, over the
    # candidates whose code ends in them (one indexed-ish query, not a scan of every phone).
    candidates = Observer.objects.for_mission(mission).filter(code__endswith=key[-4:] if key else participant_id)
    found = [o for o in candidates if code_key(o.code) == key]
    return found[0] if len(found) == 1 else None


def phone_key(phone: str) -> str:
    """A phone number compared by its last 9 digits (E.164 and national formats of one number agree)."""
    return re.sub(r"\D", "", phone or "")[-9:]


def same_phone(a: str, b: str) -> bool:
    return bool(phone_key(a)) and phone_key(a) == phone_key(b)


# Phones are encrypted at rest (Fernet: the same number encrypts differently each time), so the database cannot
# look one up. Each process keeps the mission's phone → observer map, decrypted once and rebuilt after
# PHONE_INDEX_TTL seconds or when a sender is not in it (an observer registered since).
PHONE_INDEX_TTL = 60.0
_phone_index: dict[int, tuple[float, dict[str, int]]] = {}


def _phones_of(mission, *, fresh: bool = False) -> dict[str, int]:
    now = time.monotonic()
    hit = _phone_index.get(mission.pk)
    if fresh or hit is None or now - hit[0] > PHONE_INDEX_TTL:
        index = {phone_key(phone): pk for pk, phone in
                 Observer.objects.for_mission(mission).exclude(phone="").values_list("pk", "phone")}
        hit = _phone_index[mission.pk] = (now, index)
    return hit[1]


def observer_by_phone(mission, phone: str) -> Observer | None:
    key = phone_key(phone)
    if not key:
        return None
    pk = _phones_of(mission).get(key) or _phones_of(mission, fresh=True).get(key)
    return Observer.objects.filter(pk=pk).first() if pk else None


def message_log(mission, *, status: str = "", q: str = "", direction: str = "in", sealed=()):
    """The inbound messages, newest first; none of a ``sealed`` form (an unpublished quick count's count form:
    their text is the count): neither those that made its reports nor those that start with its SMS prefix."""
    qs = InboundMessage.objects.for_mission(mission).select_related("observer", "submission")
    if sealed:
        qs = qs.exclude(submission__form__form_id__in=sealed)
        for prefix in set(ObservationForm.objects.for_mission(mission).filter(form_id__in=sealed)
                          .exclude(sms_prefix="").values_list("sms_prefix", flat=True)):
            qs = qs.exclude(text__iregex=rf"^\s*{re.escape(prefix)}(?![a-z])")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(text__icontains=q) | Q(sender__icontains=q) | Q(observer__code__icontains=q))
    return qs
