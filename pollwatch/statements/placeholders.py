"""The placeholder language of findings: ``{{ checklist.ballot_box_sealed.no_pct }}``.

Deliberately tiny and safe: a placeholder is a dotted path of names between ``{{`` and ``}}``, nothing else — no
expressions, no filters, no ``eval``. The first name picks a *source* (pollwatch.statements.sources, a registry
that apps fill), the rest is the source's to read. Any other use of braces, an unknown source, or a path its
source cannot resolve is an error for the editor, with the position: never a blank in the PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)+)\s*\}\}")
BRACES = re.compile(r"\{\{|\}\}")
MAX_PLACEHOLDERS = 200  # per text; a finding with more is not prose


class PlaceholderError(ValueError):
    """A placeholder that cannot be parsed or resolved; the message says which and why."""


@dataclass(frozen=True)
class Segment:
    text: str  # literal text, or the dotted path of a placeholder
    placeholder: bool


def parse(text: str) -> list[Segment]:
    """Split ``text`` into literal text and placeholders; PlaceholderError for broken braces.

    >>> [s.text for s in parse("in {{ checklist.sealed.no_of }} stations")]
    ['in ', 'checklist.sealed.no_of', ' stations']
    >>> parse("in {{ 1 + 1 }} stations")
    Traceback (most recent call last):
    ...
    pollwatch.statements.placeholders.PlaceholderError: broken placeholder at character 4: '{{ 1 + 1 }}' (write {{ source.name.statistic }})
    """
    out: list[Segment] = []
    pos = 0
    for m in PLACEHOLDER.finditer(text):
        _literal(text, pos, m.start(), out)
        out.append(Segment(m.group(1), True))
        pos = m.end()
    _literal(text, pos, len(text), out)
    if sum(s.placeholder for s in out) > MAX_PLACEHOLDERS:
        raise PlaceholderError(f"more than {MAX_PLACEHOLDERS} placeholders in one text")
    return out


def _literal(text: str, start: int, end: int, out: list[Segment]) -> None:
    chunk = text[start:end]
    stray = BRACES.search(chunk)
    if stray:
        at = start + stray.start()
        close = text.find("}}", at + 2)
        shown = text[at:close + 2] if stray.group(0) == "{{" and close != -1 else text[at:at + 20]
        # Counted from 1, as a person counts the characters of what they typed.
        raise PlaceholderError(f"broken placeholder at character {at + 1}: {shown!r} "
                               "(write {{ source.name.statistic }})")
    if chunk:
        out.append(Segment(chunk, False))


def placeholders(text: str) -> list[str]:
    """The paths of the placeholders in ``text``, in order (PlaceholderError if it is broken)."""
    return [s.text for s in parse(text) if s.placeholder]
