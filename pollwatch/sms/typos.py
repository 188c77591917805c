"""Realistic SMS reports and the mistakes people make typing them (no Django).

Used by the tests (labelled messages: the values the observer meant), ``pollwatch sms simulate`` and
``bench/sms.py``. The mistakes are those seen on observer phones: case, spaces missing or added (between pairs, and
between a tag and its value), punctuation used as separators, the letter O for zero and I/l for one in numbers,
the digit for a tag's O/I/L, unicode digits from a phone set to another script, stray spaces around the message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from pollwatch.sms.grammar import SmsField, SmsForm

_TYPES = ("integer", "integer", "select", "select", "multiselect", "boolean")
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
_EXTENDED = "۰۱۲۳۴۵۶۷۸۹"
_FULLWIDTH = "０１２３４５６７８９"


@dataclass
class Report:
    """One report as the observer meant it, and the text they typed."""

    form: SmsForm
    participant_id: str
    responses: dict[str, Any]
    form_serial: str | None = None
    exclamation: bool = False
    comment: str | None = None
    text: str = ""
    mistakes: list[str] = field(default_factory=list)

    def expected(self) -> dict[str, Any]:
        return {"prefix": self.form.prefix, "participant_id": self.participant_id, "exclamation": self.exclamation,
                "form_serial": self.form_serial, "responses": dict(self.responses), "comment": self.comment,
                "problems": []}


def make_form(rng: random.Random, *, prefix: str, confusable: bool = False, groups: int = 3,
              per_group: int = 5) -> SmsForm:
    """A form with tags ``AA``… (group letter + question letter).

    With ``confusable`` the groups are lettered as in a long Apollo checklist whose groups run through the
    alphabet (``H``…``O``) and have up to 16 questions (``A``…``P``), so tags contain I, L and O in both places
    (``IA``, ``AI``, ``LO``, ``OL``, ``II`` …).
    """
    group_letters = "ILOHKN" if confusable else "ABCDEF"
    question_letters = "ABCDEFGHIJKLMNOP" if not confusable else "AIOLBCDEFGHJKMNP"
    fields = []
    for g in range(groups):
        for q in range(per_group):
            kind = rng.choice(_TYPES)
            options = rng.randint(2, 5) if kind in ("select", "multiselect") else None
            fields.append(SmsField(tag=group_letters[g] + question_letters[q], type=kind, options=options))
    return SmsForm(prefix=prefix, fields=tuple(fields))


def valid_report(form: SmsForm, rng: random.Random, *, participant_id: str | None = None) -> Report:
    """A report with every question answered (booleans only when true), typed cleanly in Apollo's shape."""
    responses: dict[str, Any] = {}
    for f in form.fields:
        if f.type == "integer":
            responses[f.tag] = str(rng.choice([0, 1, 2, 3, 5, 10, 11, 20, 100, 101, rng.randint(0, 3000)]))
        elif f.type == "select":
            responses[f.tag] = str(rng.randint(1, f.options or 4))
        elif f.type == "multiselect":
            picks = sorted(rng.sample(range(1, (f.options or 4) + 1), rng.randint(1, f.options or 4)))
            responses[f.tag] = "".join(map(str, picks))
        elif f.type == "boolean" and rng.random() < 0.5:
            responses[f.tag] = 1
    if rng.random() < 0.3:  # a partial report (just a few questions)
        keep = set(rng.sample(sorted(responses), max(1, len(responses) // 3))) if responses else set()
        responses = {k: v for k, v in responses.items() if k in keep}
    report = Report(form=form, participant_id=participant_id or str(rng.randint(100000, 999999)),
                    responses=responses)
    if rng.random() < 0.1:
        report.form_serial = str(rng.randint(1, 99))
    if rng.random() < 0.1:
        report.exclamation = True
    if rng.random() < 0.15:
        report.comment = rng.choice(["queue outside", "police inside the station", "Ballot box not sealed",
                                     "ok", "Late opening, 8:40"])
    report.text = render(report)
    return report


def render(report: Report) -> str:
    parts = [report.form.prefix, report.participant_id]
    if report.form_serial:
        parts.append("X" + report.form_serial)
    if report.exclamation:
        parts.append("!")
    for tag, value in report.responses.items():
        parts.append(tag if value == 1 and _is_boolean(report.form, tag) else f"{tag}{value}")
    text = "".join(parts)
    if report.comment is not None:
        text += "@" + report.comment
    return text


def _is_boolean(form: SmsForm, tag: str) -> bool:
    return any(f.tag == tag and f.type == "boolean" for f in form.fields)


def _number(value: str, rng: random.Random, mistakes: list[str], rate: float) -> str:
    out = []
    for ch in value:
        if ch == "0" and rng.random() < rate:
            out.append(rng.choice("Oo"))
            mistakes.append("O for 0")
        elif ch == "1" and rng.random() < rate:
            out.append(rng.choice("lI"))
            mistakes.append("l for 1")
        else:
            out.append(ch)
    return "".join(out)


def _tag(tag: str, rng: random.Random, mistakes: list[str], rate: float) -> str:
    out = []
    for ch in tag:
        r = rng.random()
        if ch == "O" and r < rate:
            out.append("0")
            mistakes.append("0 for a tag's O")
        elif ch == "I" and r < rate:
            out.append(rng.choice("1111l"))
            mistakes.append("1 or l for a tag's I")
        elif ch == "L" and r < rate / 4:
            out.append("1")
            mistakes.append("1 for a tag's L")
        else:
            out.append(ch)
    return "".join(out)


def mistype(report: Report, rng: random.Random, *, rate: float = 0.3) -> Report:
    """The report typed the way observers type: the same values, a different text (``report.text`` replaced)."""
    m: list[str] = []
    seps = [" "] * 6 + ["", "", ", ", ",", ".", "-", ";", "  ", " / "]
    between = rng.choice(seps) if rng.random() < rate * 2 else ""
    inner = " " if rng.random() < rate else ""
    if between:
        m.append(f"separator {between!r}")
    parts = [report.form.prefix + (rng.choice([" ", "", "-"]) if rng.random() < rate else "")]
    parts.append(_number(report.participant_id, rng, m, rate / 3))
    if report.form_serial:
        parts.append(between + rng.choice("Xx") + _number(report.form_serial, rng, m, rate / 3))
    if report.exclamation:
        parts.append(rng.choice(["!", " !", "! "]))
    for tag, value in report.responses.items():
        typed_tag = _tag(tag, rng, m, rate / 2)
        if value == 1 and _is_boolean(report.form, tag):
            parts.append(between + typed_tag)
        else:
            parts.append(between + typed_tag + inner + _number(str(value), rng, m, rate / 3))
    text = "".join(parts)
    if rng.random() < rate:
        text = text.lower()
        m.append("lower case")
    elif rng.random() < rate / 2:
        text = "".join(ch.lower() if rng.random() < 0.5 else ch for ch in text)
        m.append("mixed case")
    if rng.random() < rate / 10:
        digits = rng.choice([_ARABIC_INDIC, _EXTENDED, _FULLWIDTH])
        text = "".join(digits[int(ch)] if ch.isdigit() else ch for ch in text)
        m.append("unicode digits")
    if rng.random() < rate / 3:
        text = rng.choice([" ", "  ", "\t"]) + text + rng.choice([" ", ".", "", "\n"]).rstrip("\n")
        m.append("padding")
    if report.comment is not None:
        text += rng.choice(["@", " @", "@ "]) + report.comment
    return Report(form=report.form, participant_id=report.participant_id, responses=dict(report.responses),
                  form_serial=report.form_serial, exclamation=report.exclamation, comment=report.comment,
                  text=text, mistakes=m)


def labelled_corpus(n: int, *, seed: int = 0, rate: float = 0.3) -> tuple[list[SmsForm], list[Report]]:
    """``n`` mistyped reports over four forms, two of them with tags using I, L and O."""
    rng = random.Random(seed)
    forms = [make_form(rng, prefix="PB"), make_form(rng, prefix="PC", confusable=True),
             make_form(rng, prefix="OB", confusable=True, groups=2), make_form(rng, prefix="PBA", groups=2)]
    reports = [mistype(valid_report(rng.choice(forms), rng), rng, rate=rate) for _ in range(n)]
    return forms, reports


def forms_json(forms: list[SmsForm]) -> list[dict[str, Any]]:
    """The FORMS.json document of ``forms``."""
    return [{"prefix": f.prefix, "groups": [{"name": "all", "fields": [
        {"tag": x.tag, "type": x.type, **({"options": x.options} if x.options else {})} for x in f.fields]}]}
        for f in forms]
