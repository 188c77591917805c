"""A count report's answers as the numbers of a protocol: what the quick count and the protocol reconciliation read.

A count form (the shipped ``count_form``, or any form with one ``votes_<ballot position>`` field per candidate)
asks for the ballots cast (``ballots_cast``, or ``ballots``, or ``valid`` + ``invalid``), the invalid ballots,
optionally the registered voters and the ballots issued, and the votes of each candidate.
"""

from __future__ import annotations

import re

VOTES_FIELD = re.compile(r"^votes_(\d+)$")


def count_row(values: dict, candidates: list[tuple[int, str]], registered: int) -> list[str]:
    """``[registered, issued, ballots, invalid, votes…]`` (as text, the canonical results columns) from a count
    report's values, in the order of ``candidates`` ((ballot position, name) pairs); ValueError names what is
    missing or not a count. ``registered`` is the station's register, used when the report does not give it."""
    def number(key: str) -> int:
        raw = values.get(key)
        if raw is None or raw == "":
            raise ValueError(f"no {key!r}")
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{key!r} is not a whole number: {raw!r}") from None
        if value < 0:
            raise ValueError(f"{key!r} is negative")
        return value

    votes = [number(f"votes_{position}") for position, _ in candidates]
    invalid = number("invalid")
    if "ballots_cast" in values:  # the name in the shipped count form
        ballots = number("ballots_cast")
    else:
        ballots = number("ballots") if "ballots" in values else number("valid") + invalid
    issued = number("issued") if values.get("issued") not in (None, "") else ballots
    reg = number("registered") if values.get("registered") not in (None, "") else registered
    return [str(v) for v in (reg, issued, ballots, invalid, *votes)]


def is_count_form(fields: list[dict]) -> bool:
    """Whether a form's questions (``ObservationForm.fields``) make it a count form: votes per ballot position."""
    return any(VOTES_FIELD.match(str(f.get("name", ""))) for f in fields or [])
