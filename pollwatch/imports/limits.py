"""Spreadsheets are sized up before they are parsed: an XLSX is a zip, and a 1.6 MB XLSForm declaring a million
rows held a worker for 53 s at ~1 GB inside pyxform/openpyxl.

:func:`check_xlsx` reads only the zip's directory (compressed and uncompressed sizes, compression ratio) and then
streams each worksheet's XML through a counter of rows and cells, a chunk at a time, stopping at the first limit
passed — the sheet is never held in memory whole, and a bomb is refused after reading about as much as the
limit allows. What passes is small enough to parse.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path


class SpreadsheetTooLarge(ValueError):
    """The file is over a limit; the message names the limit and what the file declares or holds."""


@dataclass(frozen=True)
class Limits:
    uncompressed_bytes: int
    rows: int  # per sheet
    cells: int  # per sheet
    ratio: int = 200  # uncompressed / compressed size of one member: text XML compresses ~10-30x, bombs ~1000x


XLSFORM_LIMITS = Limits(uncompressed_bytes=50 * 1024 * 1024, rows=20_000, cells=400_000)
TABLE_LIMITS = Limits(uncompressed_bytes=1024 * 1024 * 1024, rows=1_000_000, cells=20_000_000)
CHUNK = 1 << 16
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:([A-Z]+)(\d+)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + c - 64
    return n


def check_xlsx(source: bytes | str | Path, limits: Limits) -> None:
    """Raise :class:`SpreadsheetTooLarge` (or ``zipfile.BadZipFile`` for a file that is no zip) before parsing."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115 — closed below
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > limits.uncompressed_bytes:
                raise SpreadsheetTooLarge(f"the workbook unpacks to {total / 1e6:.0f} MB, over the "
                                          f"{limits.uncompressed_bytes / 1e6:.0f} MB limit")
            for m in members:
                if m.file_size > 1_000_000 and m.file_size > limits.ratio * max(m.compress_size, 1):
                    raise SpreadsheetTooLarge(f"{m.filename} is compressed {m.file_size // max(m.compress_size, 1)}"
                                              " times: a zip bomb, not a spreadsheet")
            for m in members:
                if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
                    _check_sheet(archive, m, limits)
    finally:
        handle.close()


def _check_sheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    name = member.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    rows = cells = 0
    tail = b""
    with archive.open(member) as stream:
        first = True
        while chunk := stream.read(CHUNK):
            if first:  # the declared size, when the sheet says it (it may lie: the count below does not)
                first = False
                declared = _DIMENSION.search(chunk)
                if declared and int(declared.group(2)) > limits.rows:
                    raise SpreadsheetTooLarge(f"sheet {name} declares {int(declared.group(2)):,} rows, over the "
                                              f"{limits.rows:,}-row limit")
                if declared and int(declared.group(2)) * _column_number(declared.group(1)) > limits.cells:
                    raise SpreadsheetTooLarge(f"sheet {name} declares more than {limits.cells:,} cells")
            window = tail + chunk
            # Count tags that start in this chunk (a tag cut at the chunk's end is counted with the next one).
            rows += len(re.findall(rb"<(?:\w+:)?row[\s>]", window)) - len(re.findall(rb"<(?:\w+:)?row[\s>]", tail))
            cells += len(re.findall(rb"<(?:\w+:)?c[\s>]", window)) - len(re.findall(rb"<(?:\w+:)?c[\s>]", tail))
            if rows > limits.rows:
                raise SpreadsheetTooLarge(f"sheet {name} has more than {limits.rows:,} rows")
            if cells > limits.cells:
                raise SpreadsheetTooLarge(f"sheet {name} has more than {limits.cells:,} cells")
            tail = window[-16:]
