"""The SMS payload reader: the stored raw text of an SMS report → typed values of its form (collection calls it)."""

from __future__ import annotations

from typing import Any

from pollwatch.collection.models import ObservationForm
from pollwatch.collection.submissions import ReadPayload, SubmissionRejected
from pollwatch.sms.grammar import ParseResult, Problem, parse_message
from pollwatch.sms.queries import observer_by_sms_code, sms_grammar


def values_of(result: ParseResult, form: ObservationForm) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values by question name: option numbers become the choices' names (1 = the first choice)."""
    by_name = {f["name"]: f for f in form.fields}
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    assert result.form is not None
    tags = {f.tag: f for f in result.form.fields}
    for tag, value in result.responses.items():
        sms_field = tags[tag]
        field = by_name.get(sms_field.name)
        if field is None:
            continue
        choices = [c["name"] for c in field.get("choices") or []]
        if sms_field.type == "select":
            n = int(value)
            if 1 <= n <= len(choices):
                values[field["name"]] = choices[n - 1]
            else:
                problems.append(Problem("no_option", tag=tag, value=value, options=n, count=len(choices)))
        elif sms_field.type == "multiselect":
            picked = []
            for digit in value:
                n = int(digit)
                if 1 <= n <= len(choices):
                    picked.append(choices[n - 1])
                else:
                    problems.append(Problem("no_option", tag=tag, value=value, options=n, count=len(choices)))
            values[field["name"]] = list(dict.fromkeys(picked))
        elif sms_field.type == "boolean":
            values[field["name"]] = bool(value)
        else:
            values[field["name"]] = int(value)
    comment_field = next((f for f in result.form.fields if f.type == "comment"), None)
    if result.comment and comment_field is not None:
        values[comment_field.name] = result.comment
    return values, problems


def read_sms_payload(text: str, mission, *, form: ObservationForm | None = None) -> ReadPayload:
    """Read an SMS report against the mission's grammar (registered with collection as ``sms-text``, the payload
    type of transport ``sms``); ``form`` is not needed: the text's prefix names its form."""
    result = parse_message(text, sms_grammar(mission))
    if result.form is None:
        raise SubmissionRejected(400, "; ".join(result.problems) or "not an SMS report of this mission",
                                 code="not_sms_report")
    form = ObservationForm.objects.for_mission(mission).filter(pk=result.form.key).first()
    if form is None:
        raise SubmissionRejected(404, "the form of this SMS report is gone", code="form_gone")
    values, problems = values_of(result, form)
    observer = observer_by_sms_code(mission, result.participant_id)
    reasons = [p for p in result.problems if getattr(p, "code", "") != "duplicate"] + problems
    if observer is None:
        reasons.append(f"unknown observer code {result.participant_id!r}")
    return ReadPayload(form=form, values=values, problems=reasons, observer=observer)
