"""What every tabular importer shares: reading CSV/XLSX, header mapping, per-row errors, the report.

An importer validates *every* row before writing anything; a file with any error writes nothing. Writes
happen in one transaction and upsert by code, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pollwatch.files import decode_utf8, looks_binary, read_bounded

MAX_FILE_BYTES = 100 * 1024 * 1024


class ImportFileError(ValueError):
    """The file cannot be read at all (encoding, format, required columns)."""


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number: the header is row 1
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column {self.column!r}: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Column:
    """A field an importer reads, the header names it accepts, and how a cell becomes a value."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[str], Any] = str.strip


class Importer(Protocol):
    """A tabular importer (see :mod:`pollwatch.imports.registry`)."""

    kind: str
    columns: tuple[Column, ...]

    def run(self, table: Table, *, target: Any, dry_run: bool, user: Any = None) -> ImportReport:
        """Validate every row, then (unless ``dry_run`` or any error) write all of them in one transaction."""
        ...


# --- cell parsers -------------------------------------------------------------------------------------------


def parse_nonnegative_int(text: str) -> int:
    text = text.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        value = float(text) if "." in text else int(text)
    except ValueError:
        raise ValueError(f"not a whole number: {text!r}") from None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"not a whole number: {text!r}")
        value = int(value)
    if value < 0:
        raise ValueError(f"must not be negative: {value}")
    return value


def _parse_coordinate(text: str, limit: float, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if not -limit <= value <= limit:
        raise ValueError(f"{what} must be between -{limit:g} and {limit:g}, got {value:g}")
    return value


def parse_latitude(text: str) -> float | None:
    return _parse_coordinate(text, 90, "latitude")


def parse_longitude(text: str) -> float | None:
    return _parse_coordinate(text, 180, "longitude")


# --- reading files --------------------------------------------------------------------------------------------


def _normalise(header: str) -> str:
    return " ".join(header.strip().lstrip("\ufeff").lower().replace("_", " ").split())


@dataclass
class Table:
    """A file's header and rows as strings, with the column mapping resolved."""

    header: list[str]
    rows: list[list[str]]
    source: str = ""

    def resolve(self, columns: Iterable[Column], mapping: Mapping[str, str] | None = None) -> dict[str, int]:
        """Map each importer column to a header index; raise when a required one is missing."""
        mapping = dict(mapping or {})
        known = {c.name for c in columns}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ImportFileError(
                f"--map names unknown field(s) {', '.join(unknown)}; fields are: {', '.join(sorted(known))}"
            )
        index = {_normalise(h): i for i, h in enumerate(self.header)}
        resolved: dict[str, int] = {}
        missing: list[str] = []
        for col in columns:
            names = [mapping[col.name]] if col.name in mapping else [col.name, *col.aliases]
            found = next((index[_normalise(n)] for n in names if _normalise(n) in index), None)
            if found is not None:
                resolved[col.name] = found
            elif col.required:
                missing.append(col.name if col.name not in mapping else f"{col.name} (mapped to {mapping[col.name]!r})")
        if missing:
            raise ImportFileError(
                f"missing required column(s): {', '.join(missing)}. The file's columns are: "
                f"{', '.join(self.header)}. Rename them or map them with --map FIELD=HEADER."
            )
        return resolved

    def records(self, columns: Iterable[Column], resolved: dict[str, int]):
        """Yield (row number, {field: parsed value}, [RowError]) for every non-empty row."""
        columns = list(columns)
        for offset, row in enumerate(self.rows):
            if not any(cell.strip() for cell in row):
                continue
            number = offset + 2
            values: dict[str, Any] = {}
            errors: list[RowError] = []
            for col in columns:
                if col.name not in resolved:
                    continue
                i = resolved[col.name]
                cell = row[i] if i < len(row) else ""
                if not cell.strip():
                    if col.required:
                        errors.append(RowError(number, self.header[i], "required value is empty"))
                    values[col.name] = None
                    continue
                try:
                    values[col.name] = col.parse(cell)
                except ValueError as exc:
                    errors.append(RowError(number, self.header[i], str(exc)))
            yield number, values, errors


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: str | Path) -> Table:
    """Read a CSV (UTF-8, any common delimiter) or XLSX file into a :class:`Table`."""
    path = Path(path)
    raw = read_bounded(path, max_bytes=MAX_FILE_BYTES, error=ImportFileError)
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    if looks_binary(raw):
        raise ImportFileError(f"{path}: this is a binary file, not a CSV or XLSX")
    text = decode_utf8(raw, name=str(path), error=ImportFileError,
                       advice="Save the file as 'CSV UTF-8' and import it again.")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    from pollwatch.imports.limits import TABLE_LIMITS

    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        rows.append(row)
        if len(rows) > TABLE_LIMITS.rows + 1 or len(row) > 1000:
            raise ImportFileError(f"{path}: more than {TABLE_LIMITS.rows:,} rows or 1,000 columns")
    if not rows:
        raise ImportFileError(f"{path}: the file is empty")
    return Table(header=[h.strip().lstrip("\ufeff") for h in rows[0]], rows=rows[1:], source=str(path))


def _read_xlsx(path: Path) -> Table:
    import zipfile

    from openpyxl import load_workbook

    from pollwatch.imports.limits import TABLE_LIMITS, SpreadsheetTooLarge, check_xlsx

    try:
        check_xlsx(path, TABLE_LIMITS)  # sized up from the zip before openpyxl inflates anything
    except SpreadsheetTooLarge as exc:
        raise ImportFileError(f"{path}: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"{path}: not a readable XLSX workbook ({exc})") from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(f"{path}: not a readable XLSX workbook ({exc})") from None
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):  # the declared dimension can lie: count as rows come
        rows.append([_cell_text(v) for v in row])
        if len(rows) > TABLE_LIMITS.rows + 1:
            workbook.close()
            raise ImportFileError(f"{path}: more than {TABLE_LIMITS.rows:,} rows")
    workbook.close()
    if not rows:
        raise ImportFileError(f"{path}: the first sheet is empty")
    return Table(header=[h.strip() for h in rows[0]], rows=rows[1:], source=str(path))


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["code=Station No", ...]`` → ``{"code": "Station No"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        field_name, sep, header = pair.partition("=")
        if not sep or not field_name.strip() or not header.strip():
            raise ImportFileError(f"--map expects FIELD=HEADER, got {pair!r}")
        mapping[field_name.strip()] = header.strip()
    return mapping
