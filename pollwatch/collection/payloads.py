"""The JSON payloads of web entry and the REST API: the values as submitted, stored verbatim, read like an instance.

A report typed in on the web entry page (``web-json``) or posted to the API (``api-json``) is stored as one canonical
JSON document — ``{"form_id", "version", "instance_id", "deprecated_id"?, "observer_code"?, "values"}``, keys sorted,
no spaces — and read back by :func:`read_json_payload`, registered for both payload types from
``CollectionConfig.ready()``. No XForm instance is built: the reader types each value exactly as the XForm reader
types the same answer in an instance (``xforms.typed_value`` on the answer's text), so the same values make the
same report, whichever transport brought them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from typing import Any

from pollwatch.collection.models import ObservationForm
from pollwatch.collection.submissions import ReadPayload, SubmissionRejected, find_form
from pollwatch.collection.xforms import typed_value, typed_values

API_JSON = "api-json"
WEB_JSON = "web-json"

# A whole number a question takes: the 64-bit range every database and the derived tables can hold.
MAX_INT = 2**63 - 1


def json_payload(form: ObservationForm, values: dict[str, Any], *, instance_id: str = "", deprecated_id: str = "",
                 observer_code: str = "") -> bytes:
    """The canonical JSON payload of a report entered on the web or posted to the API: what is stored as its raw.

    ``values`` are already checked (:func:`check_submission_values`); dates and times become their ISO text.
    """
    doc: dict[str, Any] = {
        "form_id": form.form_id, "version": form.version, "instance_id": instance_id or f"uuid:{uuid.uuid4()}",
        "values": {name: _jsonable(v) for name, v in values.items()},
    }
    if deprecated_id:
        doc["deprecated_id"] = deprecated_id
    if observer_code:
        doc["observer_code"] = observer_code
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):  # a web entry form's date and time fields (datetime is a date)
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def read_json_payload(text: str, mission: Any, *, form: ObservationForm | None = None) -> ReadPayload:
    """Read a web entry or API payload: its form version, instance ids and the values typed as their questions'."""
    try:
        doc = json.loads(text)
    except ValueError as exc:  # malformed, or a number of more than 4,300 digits
        raise SubmissionRejected(400, f"the report is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), dict):
        raise SubmissionRejected(400, "the report is not a JSON object with an object of values")
    ids = {key: doc.get(key, "") for key in ("form_id", "version", "instance_id", "deprecated_id")}
    for key, value in ids.items():
        if not isinstance(value, str) or len(value) > 128:
            raise SubmissionRejected(400, f"the report's {key} is not a text of at most 128 characters")
    if not ids["instance_id"]:
        raise SubmissionRejected(400, "the report has no instance_id")
    if form is None:
        form = find_form(mission, ids["form_id"], ids["version"])
    values, problems = read_json_values(doc["values"], form.fields)
    return ReadPayload(form, values, problems, instance_id=ids["instance_id"], deprecated_id=ids["deprecated_id"])


def read_json_values(submitted: dict[str, Any], fields: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """Typed values by question name, as ``xforms.read_values`` reads the same answers from an instance; a value
    not of its type is kept as text and named in the problems, never dropped."""
    return typed_values((f, answer_text(submitted[f["name"]])) for f in fields if f["name"] in submitted)


def answer_text(value: Any) -> str:
    """The text a phone would put in the instance for this answer (a multiple choice is its names, space-separated)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(answer_text(v) for v in value).strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def check_submission_values(form: ObservationForm, values: dict[str, Any]) -> dict[str, str]:
    """Field errors of a JSON/web report against the form's questions (empty dict: valid)."""
    errors: dict[str, str] = {}
    known = {f["name"]: f for f in form.fields}
    for name in values:
        if name not in known:
            errors[name] = "not a question of this form"
    for f in form.fields:
        if not f.get("question"):
            continue
        v = values.get(f["name"])
        if v in (None, "", []):
            if f["required"]:
                errors[f["name"]] = "required"
            continue
        problem = _shape_problem(f, v)
        if problem:
            errors[f["name"]] = problem
            continue
        choices = {c["name"] for c in f.get("choices", [])}
        items = v if isinstance(v, list) else [v]
        try:
            typed = [typed_value(f["type"], answer_text(item)) for item in items]
        except ValueError:
            errors[f["name"]] = f"not a valid {f['type']}"
            continue
        if any(isinstance(t, int) and not isinstance(t, bool) and abs(t) > MAX_INT for t in typed):
            errors[f["name"]] = f"out of range (at most {MAX_INT} in absolute value)"
        elif any(isinstance(t, float) and not math.isfinite(t) for t in typed):
            errors[f["name"]] = "not a finite number"
        elif choices and any(answer_text(i) not in choices for i in items):
            errors[f["name"]] = f"not one of {', '.join(sorted(choices))}"
    return errors


def _shape_problem(field: dict[str, Any], value: Any) -> str:
    """Whether a JSON value has a shape its question can take: a list only for a multiple choice, scalars only."""
    items = value
    if isinstance(value, list):
        if field["type"] != "select":
            return "one value, not a list"
    else:
        items = [value]
    for item in items:
        if not isinstance(item, str | int | float | dt.date | dt.time) or (
                isinstance(item, bool) and field["type"] not in ("boolean", "string")):
            return f"not a valid {field['type']}"
        if isinstance(item, float) and not math.isfinite(item):
            return "not a finite number"
    return ""
