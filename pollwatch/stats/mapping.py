"""Read official results in any tabular layout into a :class:`~pollwatch.stats.results.ResultsTable`.

A TOML mapping names, for each canonical field, which of the file's columns hold it (see
``pollwatch/stats/data/russia_cec.toml`` for the format and an example). Files may be CSV (UTF-8), a ZIP holding
one CSV, or XLSX. Without a mapping the file must already be in the canonical layout.
"""

from __future__ import annotations

import csv
import io
import tomllib
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pollwatch.files import decode_utf8, looks_binary, read_bounded
from pollwatch.stats.results import ResultsFormatError, ResultsTable, results_from_rows

Selector = str | list[str] | dict[str, Any]
COUNT_FIELDS = ("registered", "issued", "ballots", "valid", "invalid")


def read_rows(path: str | Path) -> tuple[list[str], Iterator[list[str]]]:
    """Header and rows (as strings) of a CSV, a ZIP with one CSV inside, or an XLSX file."""
    path = Path(path)
    if not path.is_file():
        raise ResultsFormatError(f"{path}: no such file")  # read_bounded's message; a ZIP is not read whole
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04" and path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _xlsx_rows(path)
    if magic == b"PK\x03\x04":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if n.lower().endswith((".csv", ".txt"))]
        if len(names) != 1:
            raise ResultsFormatError(f"{path}: the ZIP should hold exactly one CSV, found {len(names)}")
        raw = archive.read(names[0])
    else:
        raw = read_bounded(path, max_bytes=None, error=ResultsFormatError)
    if looks_binary(raw):
        raise ResultsFormatError(f"{path}: this is a binary file, not a CSV")
    text = decode_utf8(raw, name=str(path), error=ResultsFormatError, advice="Save it as UTF-8 CSV.")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise ResultsFormatError(f"{path}: the file is empty")
    return [h.strip() for h in header], reader


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ResultsFormatError(f"{path}: not a readable XLSX workbook ({exc})") from None
    rows = sheet.iter_rows(values_only=True)

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    header = next(rows, None)
    if header is None:
        raise ResultsFormatError(f"{path}: the first sheet is empty")
    return [text(h).strip() for h in header], ([text(v) for v in row] for row in rows)


def load_mapping(path: str | Path) -> dict[str, Selector]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ResultsFormatError(f"{path}: not a readable TOML mapping ({exc})") from None
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise ResultsFormatError(f"{path}: the mapping needs a [columns] table")
    missing = [f for f in ("station_id", "registered", "invalid", "candidates") if f not in columns]
    if "ballots" not in columns and "valid" not in columns:
        missing.append("ballots or valid")
    if missing:
        raise ResultsFormatError(f"{path}: the mapping does not name: {', '.join(missing)}")
    return columns


def _select(header: Sequence[str], selector: Selector, field: str) -> list[int]:
    if isinstance(selector, str):
        names = [selector]
    elif isinstance(selector, list):
        names = [str(s) for s in selector]
    elif isinstance(selector, dict) and ("startswith" in selector or "contains" in selector):
        if "startswith" in selector:
            found = [i for i, h in enumerate(header) if h.startswith(str(selector["startswith"]))]
        else:
            found = [i for i, h in enumerate(header) if str(selector["contains"]) in h]
        if not found:
            raise ResultsFormatError(f"mapping for {field!r}: no column matches {selector}")
        return found
    else:
        raise ResultsFormatError(f"mapping for {field!r}: expected a column name, a list or a selector table")
    missing = [n for n in names if n not in header]
    if missing:
        raise ResultsFormatError(f"mapping for {field!r}: no column named {', '.join(map(repr, missing))}")
    return [header.index(n) for n in names]


def _candidates(header: Sequence[str], selector: Selector) -> list[int]:
    if isinstance(selector, dict):
        after = selector.get("after")
        start = header.index(after) + 1 if after in header else 0
        if after is not None and after not in header:
            raise ResultsFormatError(f"mapping for 'candidates': no column named {after!r}")
        exclude = set(selector.get("exclude", []))
        prefixes = tuple(selector.get("exclude_startswith", []))
        found = [i for i in range(start, len(header)) if header[i] not in exclude
                 and not (prefixes and header[i].startswith(prefixes))]
        if not found:
            raise ResultsFormatError("mapping for 'candidates' selects no column")
        return found
    return _select(header, selector, "candidates")


def load_mapped_results(path: str | Path, mapping: dict[str, Selector]) -> ResultsTable:
    """Read ``path`` through ``mapping`` into a canonical results table (bad rows listed, never fixed)."""
    header, rows = read_rows(path)
    try:
        ids = _select(header, mapping["station_id"], "station_id")
        fields = {f: _select(header, mapping[f], f) for f in COUNT_FIELDS if f in mapping}
        place = {f: _select(header, mapping[f], f)[0] for f in ("region", "district") if f in mapping}
        cands = _candidates(header, mapping["candidates"])
    except ResultsFormatError as exc:
        raise ResultsFormatError(f"{path}: {exc}") from None
    canonical = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid"]
    if "issued" not in fields:
        canonical.remove("issued")
    names = [header[i] for i in cands]

    def total(row: list[str], columns: list[int]) -> str:
        cells = [row[i].strip() if i < len(row) else "" for i in columns]
        if any(c == "" for c in cells):
            return "" if all(c == "" for c in cells) else "n/a"
        try:
            return str(sum(int(float(c)) for c in cells))
        except ValueError:
            return next(c for c in cells if not _is_number(c))

    def convert() -> Iterator[list[str]]:
        for row in rows:
            counts = {f: total(row, cols) for f, cols in fields.items()}
            votes = [row[i].strip() if i < len(row) else "" for i in cands]
            if all(v == "" for v in counts.values()) and all(v == "" for v in votes):
                yield []  # a row without any data: skipped, as the authors' loaddata() does (keeps line numbers)
                continue
            if "ballots" not in counts:
                valid, invalid = counts["valid"], counts["invalid"]
                counts["ballots"] = str(int(valid) + int(invalid)) if valid.isdigit() and invalid.isdigit() else valid
            station = "|".join(row[i].strip() if i < len(row) else "" for i in ids)
            out = [station, row[place["region"]] if "region" in place else "",
                   row[place["district"]] if "district" in place else "", counts["registered"]]
            if "issued" in counts:
                out.append(counts["issued"])
            yield out + [counts["ballots"], counts["invalid"], *votes]

    return results_from_rows(canonical + names, convert())


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
