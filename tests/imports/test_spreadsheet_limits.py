"""Spreadsheets are sized up from the zip before they are parsed (finding 9: a 1.6 MB XLSForm declaring a million
rows held a worker for 53 s at ~1 GB)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from pollwatch.imports.limits import XLSFORM_LIMITS, SpreadsheetTooLarge, check_xlsx

DEMO_FORMS = Path(__file__).resolve().parents[2] / "pollwatch" / "collection" / "demo_forms"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(sheet_xml: bytes) -> bytes:
    """A minimal XLSX zip around one worksheet (what matters to the check: the zip and the sheet's XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def _rows(n: int, *, declared: str = "") -> bytes:
    head = f'<worksheet xmlns="{NS}">' + (f'<dimension ref="A1:{declared}"/>' if declared else "") + "<sheetData>"
    body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>x</t></is></c></row>' for i in range(1, n + 1))
    return (head + body + "</sheetData></worksheet>").encode()


def test_the_demo_xlsforms_pass():
    for path in DEMO_FORMS.glob("*.xlsx"):
        check_xlsx(path.read_bytes(), XLSFORM_LIMITS)


def test_a_sheet_declaring_a_million_rows_is_refused_from_its_first_bytes():
    with pytest.raises(SpreadsheetTooLarge, match="declares 1,000,000 rows"):
        check_xlsx(_workbook(_rows(3, declared="C1000000")), XLSFORM_LIMITS)


def test_rows_a_sheet_holds_but_does_not_declare_are_counted_as_they_stream():
    bomb = _workbook(_rows(25_000))
    started = time.perf_counter()
    with pytest.raises(SpreadsheetTooLarge, match="more than 20,000 rows"):
        check_xlsx(bomb, XLSFORM_LIMITS)
    assert time.perf_counter() - started < 2


def test_a_member_compressed_like_a_zip_bomb_is_refused_from_the_zip_directory():
    with pytest.raises(SpreadsheetTooLarge, match="zip bomb"):
        check_xlsx(_workbook(b"<worksheet>" + b" " * 20_000_000 + b"</worksheet>"), XLSFORM_LIMITS)


def test_an_xlsform_upload_that_is_too_large_gets_a_form_error_before_pyxform(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pollwatch.collection.models import ObservationForm

    upload = SimpleUploadedFile("bomb.xlsx", _workbook(_rows(3, declared="C1000000")))
    response = login(world.boris).post("/missions/cis/forms/", {"file": upload})
    assert response.status_code == 400 and b"too large" in response.content and b"1,000,000 rows" in response.content
    assert not ObservationForm.objects.exists()


def test_a_table_import_counts_the_rows_of_an_xlsx_and_a_csv(tmp_path, monkeypatch):
    from pollwatch.imports import base, limits

    monkeypatch.setattr(limits, "TABLE_LIMITS", limits.Limits(uncompressed_bytes=10**8, rows=50, cells=10**6))
    path = tmp_path / "big.xlsx"
    path.write_bytes(_workbook(_rows(60)))
    with pytest.raises(base.ImportFileError, match="more than 50 rows"):
        base.read_table(path)
    csv = tmp_path / "big.csv"
    csv.write_text("code,name\n" + "".join(f"S{i},x\n" for i in range(60)))
    with pytest.raises(base.ImportFileError, match="more than 50 rows"):
        base.read_table(csv)
