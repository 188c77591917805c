"""Exports of election-day tables as CSV (streamed row by row) or XLSX (openpyxl write-only, spooled to a
temporary file), respecting the user's permissions: observers' phone numbers only for PII roles.

Each export is a function ``(mission, show_pii, filters, *, sealed) -> (header, rows iterator)`` (``sealed``: the
form ids whose reports the user may not see, ``pollwatch.collection.access.sealed_form_ids``) with the dashboard's
filters (``operations.filters``); rows come from ``.iterator()`` so memory stays flat whatever the size of the
selection.
"""

from __future__ import annotations

from collections.abc import Collection

from pollwatch.accounts.privacy import initials
from pollwatch.collection.models import ObservationForm, Submission
from pollwatch.incidents.models import Incident
from pollwatch.operations.filters import Filters
from pollwatch.operations.models import MasterRecord
from pollwatch.web.downloads import safe_cell as _cell

CHUNK = 2000


def coverage_rows(mission, show_pii: bool, filters: Filters | None = None, *, sealed: Collection[str] = ()):
    """Expected reports; the status is the one the coverage tables count (missing when nothing came in the
    time window)."""
    filters = filters or Filters(mission)
    header = ["observer", "name", "phone", "form", "station", "area", "region", "due_at", "status", "first_received_at"]
    data = filters.expected().exclude(schedule__form_id__in=sealed).order_by("pk").values_list(
        "observer__code", "observer__name", "observer__phone", "schedule__form_id", "station__code", "area__code",
        "region__name", "due_at", "shown_status", "first_received_at").iterator(chunk_size=CHUNK)
    if not show_pii:
        data = ([code, initials(name), *rest] for code, name, *rest in data)
    return _without_phone(header, data, show_pii, index=2)


def submission_rows(mission, show_pii: bool, filters: Filters | None = None, *, sealed: Collection[str] = ()):
    filters = filters or Filters(mission)
    fields: list[str] = []
    forms = ObservationForm.objects.for_mission(mission).exclude(form_id__in=sealed)
    for definition in forms.values_list("fields", flat=True):
        fields += [f["name"] for f in definition or [] if f.get("name") and f["name"] not in fields]
    reports = Submission.objects.for_mission(mission).exclude(form__form_id__in=sealed)
    for values in reports.values_list("values", flat=True)[:500]:
        fields += [k for k in values or {} if k not in fields]
    header = ["id", "received_at", "form", "observer", "phone", "station", "transport", "is_current", *fields]
    rows = Submission.objects.filter(filters.submission_q()).exclude(form__form_id__in=sealed)
    data = (
        [pk, at, form, obs, phone, station, transport, current, *(_cell((values or {}).get(f)) for f in fields)]
        for pk, at, form, obs, phone, station, transport, current, values in rows.order_by("pk").values_list(
            "pk", "received_at", "form__form_id", "observer__code", "observer__phone", "station__code", "transport",
            "is_current", "values").iterator(chunk_size=CHUNK)
    )
    return _without_phone(header, data, show_pii, index=4)


def master_rows(mission, show_pii: bool, filters: Filters | None = None, *, sealed: Collection[str] = ()):
    filters = filters or Filters(mission)
    header = ["station", "form", "reports", "open_conflicts", "values", "conflicts"]
    rows = MasterRecord.objects.filter(filters.master_q()).exclude(form_id__in=sealed)
    data = ([s, f, n, c, _cell(v), _cell(k)] for s, f, n, c, v, k in rows.order_by("pk").values_list(
        "station__code", "form_id", "report_count", "open_conflicts", "values", "conflicts").iterator(chunk_size=CHUNK))
    return header, data


def incident_rows(mission, show_pii: bool, filters: Filters | None = None, *, sealed: Collection[str] = ()):
    filters = filters or Filters(mission)
    header = ["id", "occurred_at", "source", "category", "severity", "status", "station", "region", "location",
              "observer", "phone", "description", "duplicate_of"]
    rows = Incident.objects.filter(filters.incident_q())
    data = rows.order_by("pk").values_list(
        "pk", "occurred_at", "source", "category", "severity", "status", "station__code", "region__name", "location",
        "observer__code", "observer__phone", "description", "duplicate_of").iterator(chunk_size=CHUNK)
    return _without_phone(header, data, show_pii, index=10)


def _without_phone(header, data, show_pii: bool, *, index: int):
    if show_pii:
        return header, data
    return [h for i, h in enumerate(header) if i != index], ([v for i, v in enumerate(r) if i != index] for r in data)


EXPORTS = {"coverage": coverage_rows, "submissions": submission_rows, "masters": master_rows,
           "incidents": incident_rows}
