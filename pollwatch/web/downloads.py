"""Tables as downloads: a CSV streamed row by row, or an XLSX (openpyxl write-only, spooled to a temporary file).

Shared by every app's exports (election day, media); each download is written to the audit trail first.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from collections.abc import Iterator

# A text cell starting with one of these is taken for a formula by Excel, LibreOffice or Google Sheets when the file
# is opened: an incident description "=HYPERLINK(…)" became a live link in a coordinator's spreadsheet. OWASP's
# CSV-injection advice: put a single quote in front, which every spreadsheet shows as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value as a spreadsheet cell: JSON for dicts and lists, formula-looking text escaped."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_stream(header, data) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(h) for h in header])
    for row in data:
        yield writer.writerow([safe_cell(v) for v in row])


def xlsx_file(header, data, *, title: str):
    """A write-only workbook (rows are not kept in memory) spooled to a temporary file, rewound."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([safe_cell(h) for h in header])
    for row in data:
        sheet.append([_naive(safe_cell(v)) for v in row])
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


def download_response(header, data, *, fmt: str, name: str, title: str, user, mission, query: str = ""):
    """A CSV export streamed row by row, or an XLSX built in a spooled temporary file, as a download.

    Every cell goes through ``safe_cell``: text that a spreadsheet would run as a formula is escaped. Every export is
    written to the audit trail (who took which table, with which filters), before the first row leaves."""
    from django.http import FileResponse, StreamingHttpResponse

    from pollwatch.accounts.services import do_record_audit

    do_record_audit("export", user=user, mission=mission,
                    detail={"name": name, "format": fmt, "columns": [str(h) for h in header], "query": query[:500]})

    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(header, data), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(xlsx_file(header, data, title=title), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _naive(value):
    """Excel has no time zones: datetimes are written in UTC without tzinfo."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
