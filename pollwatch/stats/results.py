"""The canonical polling-station results table, shared by the forensics and quick-count modules.

Canonical CSV columns: ``station_id, region, district, registered, issued, ballots, invalid`` and one integer
column per candidate/party (every other column). ``issued`` (ballots issued to voters) is optional;
``ballots`` = valid + invalid. Turnout = issued / registered when ``issued`` is present, else
ballots / registered; a candidate's share = votes / ballots (Kobak, Shpilkin & Pshenichnikov 2016).

Rows that cannot be used are never dropped silently: :func:`load_results` keeps them out of the table and
lists each one with its CSV line number and reason in :attr:`ResultsTable.problems`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

REQUIRED_COLUMNS = ("station_id", "registered", "ballots", "invalid")
OPTIONAL_COLUMNS = ("region", "district", "issued")
KNOWN_COLUMNS = ("station_id", "region", "district", "registered", "issued", "ballots", "invalid")
NUMERIC_COLUMNS = ("registered", "issued", "ballots", "invalid")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class ResultsFormatError(ValueError):
    """The file cannot be read as a results table at all (not a CSV, required columns missing, no rows)."""


@dataclass(frozen=True)
class RowProblem:
    """One station row excluded from the table, or a station kept but flagged."""

    line: int  # 1-based line number in the file (header = line 1); 0 when not from a file
    station_id: str
    column: str
    reason: str


@dataclass(frozen=True, eq=False)
class ResultsTable:
    """Station-level results: one row per station, candidates as columns of ``votes``."""

    station_id: npt.NDArray[np.str_]
    region: npt.NDArray[np.str_]
    district: npt.NDArray[np.str_]
    registered: IntArray
    ballots: IntArray
    invalid: IntArray
    votes: IntArray  # shape (stations, candidates)
    candidates: tuple[str, ...]
    issued: IntArray | None = None
    problems: tuple[RowProblem, ...] = field(default=())
    rows_read: int = 0  # data rows in the file, including excluded ones
    line: IntArray | None = None  # each kept station's line in the file (header = 1), when read from a file

    def __post_init__(self) -> None:
        n = len(self.station_id)
        for name in ("region", "district", "registered", "ballots", "invalid"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"column {name!r} has {len(getattr(self, name))} rows, expected {n}")
        if self.votes.shape != (n, len(self.candidates)):
            raise ValueError(f"votes has shape {self.votes.shape}, expected {(n, len(self.candidates))}")
        if self.issued is not None and len(self.issued) != n:
            raise ValueError("column 'issued' has the wrong length")
        if self.line is not None and len(self.line) != n:
            raise ValueError("column 'line' has the wrong length")

    def __len__(self) -> int:
        return len(self.station_id)

    @property
    def turnout_numerator(self) -> IntArray:
        """Ballots issued when known, else ballots cast: the numerator of turnout."""
        return self.issued if self.issued is not None else self.ballots

    @property
    def valid(self) -> IntArray:
        return self.ballots - self.invalid

    def candidate_index(self, name: str) -> int:
        try:
            return self.candidates.index(name)
        except ValueError:
            raise ValueError(f"unknown candidate {name!r}; candidates are: {', '.join(self.candidates)}") from None

    def leader_index(self) -> int:
        """The candidate with the most votes in total."""
        if not self.candidates:
            raise ValueError("the results have no candidate columns")
        return int(np.argmax(self.votes.sum(axis=0)))

    def subset(self, mask: npt.NDArray[np.bool_]) -> ResultsTable:
        """The stations where ``mask`` is true (problems and rows_read are kept)."""
        return ResultsTable(
            station_id=self.station_id[mask],
            region=self.region[mask],
            district=self.district[mask],
            registered=self.registered[mask],
            ballots=self.ballots[mask],
            invalid=self.invalid[mask],
            votes=self.votes[mask],
            candidates=self.candidates,
            issued=None if self.issued is None else self.issued[mask],
            problems=self.problems,
            rows_read=self.rows_read,
            line=None if self.line is None else self.line[mask],
        )

    def check_protocols(self) -> tuple[RowProblem, ...]:
        """Stations kept as published whose numbers cannot all be true, one entry per failed check.

        Checks: issued > registered, ballots > registered, invalid > ballots, a candidate's votes > registered,
        and the candidates' sum ≠ valid (= ballots − invalid). Nothing is corrected; consumers decide whether to
        exclude (the forensic rate tests leave out turnout > 100 %) and report these alongside ``problems``.

        >>> t = results_from_rows(["station_id", "registered", "ballots", "invalid", "A", "B"],
        ...                       [["1", "100", "60", "2", "40", "18"], ["2", "100", "120", "0", "70", "40"]])
        >>> [(p.line, p.station_id, p.column) for p in t.check_protocols()]
        [(3, '2', 'ballots'), (3, '2', 'candidates')]
        """
        n = len(self)
        lines = self.line if self.line is not None else np.zeros(n, dtype=np.int64)
        sums = self.votes.sum(axis=1)
        valid = self.valid
        top = self.votes.max(axis=1) if self.votes.shape[1] else np.zeros(n, dtype=np.int64)
        checks: list[tuple[str, npt.NDArray[np.bool_], str]] = []
        if self.issued is not None:
            checks.append(("issued", self.issued > self.registered, "issued {issued} > registered {registered}"))
        checks += [
            ("ballots", self.ballots > self.registered, "ballots {ballots} > registered {registered}"),
            ("invalid", self.invalid > self.ballots, "invalid {invalid} > ballots {ballots}"),
            ("votes", top > self.registered, "a candidate's votes {top} > registered {registered}"),
            ("candidates", sums != valid, "candidates' sum {sums} ≠ valid {valid} (ballots − invalid)"),
        ]
        found: list[tuple[int, int, RowProblem]] = []
        for order, (column, bad, template) in enumerate(checks):
            for i in np.flatnonzero(bad):
                values = {"issued": self.issued[i] if self.issued is not None else 0,
                          "registered": self.registered[i], "ballots": self.ballots[i],
                          "invalid": self.invalid[i], "top": top[i], "sums": sums[i], "valid": valid[i]}
                found.append((int(i), order, RowProblem(int(lines[i]), str(self.station_id[i]), column,
                                                        template.format(**values))))
        return tuple(problem for _, _, problem in sorted(found, key=lambda f: (f[0], f[1])))


def _parse_int(text: str) -> int | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
        return int(value) if value.is_integer() else None


def results_from_rows(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, first_line: int = 2
) -> ResultsTable:
    """Build a :class:`ResultsTable` from a canonical header and string rows.

    Rows with a missing/non-numeric/negative count, or a duplicated ``station_id``, are excluded and listed in
    ``problems``; the rest is kept as read (no value is ever corrected).
    """
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ResultsFormatError(
            f"missing required column(s): {', '.join(missing)}; the canonical header is "
            "station_id, region, district, registered, issued, ballots, invalid, <one column per candidate>"
        )
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise ResultsFormatError(f"duplicated column name(s): {', '.join(dupes)}")
    col = {name: i for i, name in enumerate(header)}
    has_issued = "issued" in col
    cand_cols = [i for i, h in enumerate(header) if h not in KNOWN_COLUMNS]
    numeric = [c for c in NUMERIC_COLUMNS if c in col]

    ids: list[str] = []
    regions: list[str] = []
    districts: list[str] = []
    nums: list[list[int]] = []
    votes: list[list[int]] = []
    problems: list[RowProblem] = []
    lines: list[int] = []
    seen: dict[str, int] = {}
    rows_read = 0
    for offset, row in enumerate(rows):
        line = first_line + offset
        if not any(cell.strip() for cell in row):
            continue
        rows_read += 1
        if len(row) < len(header):
            row = list(row) + [""] * (len(header) - len(row))
        sid = row[col["station_id"]].strip()
        if not sid:
            problems.append(RowProblem(line, "", "station_id", "empty station_id"))
            continue
        bad: RowProblem | None = None
        values: list[int] = []
        for name in numeric:
            v = _parse_int(row[col[name]])
            if v is None:
                bad = RowProblem(line, sid, name, f"not an integer: {row[col[name]]!r}")
                break
            if v < 0:
                bad = RowProblem(line, sid, name, f"negative count: {v}")
                break
            values.append(v)
        cand_values: list[int] = []
        if bad is None:
            for i in cand_cols:
                v = _parse_int(row[i])
                if v is None:
                    bad = RowProblem(line, sid, header[i], f"not an integer: {row[i]!r}")
                    break
                if v < 0:
                    bad = RowProblem(line, sid, header[i], f"negative count: {v}")
                    break
                cand_values.append(v)
        if bad is None and sid in seen:
            bad = RowProblem(line, sid, "station_id", f"duplicated station_id (first on line {seen[sid]})")
        if bad is not None:
            problems.append(bad)
            continue
        seen[sid] = line
        lines.append(line)
        ids.append(sid)
        regions.append(row[col["region"]].strip() if "region" in col else "")
        districts.append(row[col["district"]].strip() if "district" in col else "")
        nums.append(values)
        votes.append(cand_values)

    n = len(ids)
    if rows_read == 0:
        raise ResultsFormatError("the file has a header but no station rows")
    num_arr = np.asarray(nums, dtype=np.int64).reshape(n, len(numeric))
    by_name = {name: num_arr[:, j] for j, name in enumerate(numeric)}
    return ResultsTable(
        station_id=np.asarray(ids, dtype=str),
        region=np.asarray(regions, dtype=str),
        district=np.asarray(districts, dtype=str),
        registered=by_name["registered"],
        ballots=by_name["ballots"],
        invalid=by_name["invalid"],
        issued=by_name["issued"] if has_issued else None,
        votes=np.asarray(votes, dtype=np.int64).reshape(n, len(cand_cols)),
        candidates=tuple(header[i] for i in cand_cols),
        problems=tuple(problems),
        rows_read=rows_read,
        line=np.asarray(lines, dtype=np.int64),
    )


def load_results(path: str | Path) -> ResultsTable:
    """Read a canonical results CSV (UTF-8, comma-separated, header on line 1).

    Raises :class:`ResultsFormatError` with a readable message when the file is not a usable results CSV.
    """
    path = Path(path)
    if not path.exists():
        raise ResultsFormatError(f"{path}: no such file")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ResultsFormatError(f"{path}: this is a binary file, not a CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultsFormatError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ResultsFormatError(f"{path}: the file is empty") from None
    try:
        return results_from_rows(header, reader)
    except ResultsFormatError as exc:
        raise ResultsFormatError(f"{path}: {exc}") from None
