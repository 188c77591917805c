"""Paragraphs, sentences and quotations of a news text, with offsets into the (normalised) text: one splitter for
the media monitor (pipeline.sentence_spans) and for the verdict comparison (pollwatch.statements.compare)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Typographic quotes become straight ones, one character for one, so offsets stay valid.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‟": '"', "″": '"',
                         "‘": "'", "’": "'", "‚": "'", "\u00a0": " "})
SENTENCE_END = re.compile(r"(?<=[.!?…])\"?\s+(?=[\"'(\[]?[A-ZА-ЯЁ0-9À-Þ])|(?<=[.!?…]\")\s*(?=[A-ZА-ЯЁ])")
ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Sr|Jr|Prof|Gen|Col|Lt|Amb|Sen|Rep|No|Nos|Art|para|vol|p|pp|approx|ca|cf|vs|etc|e\.g|i\.e)"
    r"|\b[A-Z]|\b(?:U\.S|U\.K|U\.N|E\.U)|\b(?:г|гг|т\.е|т\.д|им|ул|с\.г))\.$")
MIN_QUOTE_WORDS = 5  # shorter quotes ("well administered") are words inside reported speech, not speech


def normalise(text: str) -> str:
    return text.translate(_QUOTES).replace("\r\n", "\n")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int
    text: str
    quotes: tuple[tuple[int, int], ...]  # absolute spans of quotations of MIN_QUOTE_WORDS words or more
    open_at_end: bool  # a quotation runs on into the next paragraph


def paragraphs(text: str) -> list[Paragraph]:
    out = []
    carry = False
    for m in re.finditer(r"[^\n]+", text):
        para = m.group(0)
        if not para.strip():
            continue
        marks = [i for i, ch in enumerate(para) if ch == '"']
        spans = []
        opened = 0 if carry and not para.lstrip().startswith('"') else None
        for i in marks:
            if opened is None:
                opened = i
            else:
                spans.append((opened, i + 1))
                opened = None
        open_at_end = opened is not None
        if opened is not None:
            spans.append((opened, len(para)))
        quotes = tuple((m.start() + a, m.start() + b) for a, b in spans if len(para[a:b].split()) >= MIN_QUOTE_WORDS)
        out.append(Paragraph(len(out), m.start(), m.end(), para, quotes, open_at_end))
        carry = open_at_end
    return out


def sentences(para: Paragraph) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    pieces: list[tuple[int, int]] = []
    for m in SENTENCE_END.finditer(para.text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(para.text)))
    merged: list[tuple[int, int]] = []
    for a, b in pieces:
        if merged and ABBREVIATION.search(para.text[merged[-1][0]:merged[-1][1]].rstrip()):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    for a, b in merged:
        chunk = para.text[a:b]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append(Sentence(para.start + a + lead, para.start + b, chunk.strip(), para.index))
    return out


def inside(spans: tuple[tuple[int, int], ...] | list[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos < b for a, b in spans)
