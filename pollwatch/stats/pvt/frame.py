"""The sampling frame: every station with its registered voters and stratum attributes (FRAME.csv)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pollwatch.stats.results import ResultsFormatError, ResultsTable


@dataclass(frozen=True, eq=False)
class Frame:
    """Stations of the population: ids, registered voters and any stratum columns."""

    station_id: npt.NDArray[np.str_]
    registered: npt.NDArray[np.int64]
    attributes: dict[str, npt.NDArray[np.str_]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.station_id)

    def strata(self, columns: str | list[str] | None) -> npt.NDArray[np.str_]:
        """The stratum label of every station: one column, several crossed with " × ", or one stratum."""
        if not columns:
            return np.full(len(self), "all", dtype=object).astype(str)
        names = [columns] if isinstance(columns, str) else list(columns)
        missing = [c for c in names if c not in self.attributes]
        if missing:
            known = ", ".join(self.attributes) or "none"
            raise ValueError(f"no stratum column {', '.join(map(repr, missing))} in the frame (columns: {known})")
        labels = self.attributes[names[0]]
        for name in names[1:]:
            labels = np.char.add(np.char.add(labels, " × "), self.attributes[name])
        return labels

    @classmethod
    def from_results(cls, table: ResultsTable) -> Frame:
        return cls(table.station_id, table.registered, {"region": table.region, "district": table.district})


def load_frame(path: str | Path) -> Frame:
    """Read FRAME.csv: ``station_id, registered`` and any other (stratum) columns."""
    path = Path(path)
    if not path.is_file():
        raise ResultsFormatError(f"{path}: no such file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultsFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise ResultsFormatError(f"{path}: the file is empty")
    header = [h.strip() for h in rows[0]]
    for required in ("station_id", "registered"):
        if required not in header:
            raise ResultsFormatError(f"{path}: missing column {required!r} (a frame needs station_id, registered)")
    sid, reg = header.index("station_id"), header.index("registered")
    ids: list[str] = []
    registered: list[int] = []
    other = [i for i in range(len(header)) if i not in (sid, reg)]
    attrs: dict[str, list[str]] = {header[i]: [] for i in other}
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        row = row + [""] * (len(header) - len(row))
        station = row[sid].strip()
        try:
            voters = int(row[reg])
        except ValueError:
            raise ResultsFormatError(f"{path}: line {line}: registered is not an integer: {row[reg]!r}") from None
        if voters < 0:
            raise ResultsFormatError(f"{path}: line {line}: registered is negative")
        if station in seen:
            raise ResultsFormatError(f"{path}: line {line}: duplicated station_id {station!r}")
        seen.add(station)
        ids.append(station)
        registered.append(voters)
        for i in other:
            attrs[header[i]].append(row[i].strip())
    if not ids:
        raise ResultsFormatError(f"{path}: the frame has no stations")
    return Frame(np.array(ids), np.array(registered, dtype=np.int64), {k: np.array(v) for k, v in attrs.items()})
