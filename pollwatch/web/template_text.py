"""Find user-visible text in Django templates that is not marked for translation.

Used by the test that keeps templates translatable (tests/web/test_i18n_catalogues.py) and by
``scripts/mark_template_strings.py``. A template is read with Django's own lexer: text outside
``{% translate %}``/``{% blocktranslate %}``, comments, ``<script>``/``<style>`` and tags' names, which
contains a letter, is bare text; so are ``placeholder``/``title``/``aria-label``/``alt`` attributes written as
plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.template.base import Lexer, TokenType

LETTER = re.compile(r"[^\W\d_]")
HTML_TAG = re.compile(r"<[^>]*>", re.S)
ATTRIBUTE = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"{]*)"')
RAW_ELEMENT = re.compile(r"<(script|style|code|kbd)\b.*?</\1>", re.S | re.I)  # code, kbd: commands, field names, keys
# Text that is not words to translate: the product's name, entities, symbols.
NOT_WORDS = re.compile(r"^(pollwatch|&[a-z]+;|[^\w]*|[A-Za-z]|km|%|CSV|PDF|JSON|XLSForm|XML|GeoJSON|SMS|PVT|ID|API|sha256)$")


@dataclass(frozen=True)
class BareText:
    line: int
    text: str


def bare_text(source: str) -> list[BareText]:
    """Bare text of a template's source, with its line number, in order."""
    parts: list[str] = []
    found_vars: list[BareText] = []
    depth = 0  # inside blocktranslate / comment blocks
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in {"blocktranslate", "blocktrans", "comment"}:
                depth += 1
            elif name in {"endblocktranslate", "endblocktrans", "endcomment"}:
                depth -= 1
            parts.append("\x00")
        elif token.token_type == TokenType.TEXT and not depth:
            parts.append(token.contents)
        elif token.token_type == TokenType.TEXT:
            parts.append("\n" * token.contents.count("\n"))
        else:
            if token.token_type == TokenType.VAR and re.search(r'\|default:"[^"]*[^\W\d_]', token.contents):
                found_vars.append(BareText(token.lineno, token.contents))  # |default:"words" not wrapped in _()
            parts.append("\x00")
    text = "".join(parts)
    text = RAW_ELEMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found: list[BareText] = list(found_vars)
    for m in HTML_TAG.finditer(text):
        for a in ATTRIBUTE.finditer(m.group(0)):
            value = a.group(2).replace("\x00", " ").strip()
            if "\x00" not in a.group(2) and LETTER.search(value) and not re.search(r"[=_*]", value) and not NOT_WORDS.match(value):
                found.append(BareText(text.count("\n", 0, m.start()) + 1, value))
    pos = 0
    for m in [*HTML_TAG.finditer(text), None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        words = [w for w in re.split(r"[\s\x00·—–:,()/|]+", piece) if w]
        if any(LETTER.search(w) and not NOT_WORDS.match(w) for w in words):
            found.append(BareText(text.count("\n", 0, pos) + 1, " ".join(piece.replace("\x00", " … ").split())))
        pos = m.end() if m else pos
    found.sort(key=lambda b: b.line)
    return found
