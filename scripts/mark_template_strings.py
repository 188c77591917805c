"""Helper for new templates: wrap their plain text in {% translate %}; review the diff afterwards.

    .venv/bin/python scripts/mark_template_strings.py path/to/template.html ...
Text next to a {{ variable }}, with an entity or with both quote kinds is left alone and printed: it needs a
{% blocktranslate %} written by hand. Text in <code>/<kbd> must be reverted by hand (commands, keys).
tests/i18n/test_catalogues.py then says what is still bare.
"""

import re
import sys

import django
from django.conf import settings

settings.configure()
django.setup()
from django.template.base import DebugLexer, TokenType  # noqa: E402

from pollwatch.web.template_text import LETTER, NOT_WORDS  # noqa: E402

ATTR = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"{]*)"')


def mark(path: str) -> None:
    src = open(path).read()
    tokens = DebugLexer(src).tokenize()
    kind = ["t"] * len(src)  # t text, g template, h html tag
    depth = 0
    var_spans = []
    for tok in tokens:
        a, b = tok.position
        if tok.token_type == TokenType.TEXT:
            if depth:
                for i in range(a, b):
                    kind[i] = "g"
            continue
        for i in range(a, b):
            kind[i] = "g"
        if tok.token_type == TokenType.VAR:
            var_spans.append((a, b))
        if tok.token_type == TokenType.BLOCK:
            name = tok.contents.split()[0]
            depth += name in {"blocktranslate", "comment"}
            depth -= name in {"endblocktranslate", "endcomment"}
    i, n = 0, len(src)
    while i < n:  # html tags and raw elements
        if kind[i] == "t" and src[i] == "<" and i + 1 < n and (src[i + 1].isalpha() or src[i + 1] in "/!"):
            j = i
            while j < n and not (kind[j] == "t" and src[j] == ">"):
                j += 1
            m = re.match(r"<(script|style)\b", src[i:j + 1])
            if m:
                j = src.find("</" + m.group(1), j)
                j = src.find(">", j)
            for k in range(i, j + 1):
                if kind[k] == "t":
                    kind[k] = "h"
            i = j + 1
        else:
            i += 1
    edits = []
    i = 0
    while i < n:
        if kind[i] != "t":
            i += 1
            continue
        j = i
        while j < n and kind[j] == "t":
            j += 1
        run = src[i:j]
        words = [w for w in re.split(r"[\s·—–:,()/|]+", run) if w]
        if any(LETTER.search(w) and not NOT_WORDS.match(w) for w in words):
            stripped = " ".join(run.split())  # a template tag cannot span lines
            before = src[:i].rstrip()
            after = src[j:].lstrip()
            near_var = before.endswith("}}") or after.startswith("{{")
            if near_var or "&" in stripped or ('"' in stripped and "'" in stripped):
                print(f"{path}:{src.count(chr(10), 0, i) + 1}: MANUAL {stripped!r}")
            else:
                q = "'" if '"' in stripped else '"'
                lead = run[: len(run) - len(run.lstrip())]
                trail = run[len(run.rstrip()):]
                edits.append((i, j, f"{lead}{{% translate {q}{stripped}{q} %}}{trail}"))
        i = j
    # attributes inside html tags
    for m in ATTR.finditer(src):
        if kind[m.start()] == "h" and LETTER.search(m.group(2)) and not NOT_WORDS.match(m.group(2)):
            val = m.group(2)
            edits.append((m.start(2), m.end(2), f"{{% translate '{val}' %}}" if "'" not in val else val))
    edits.sort(reverse=True)
    out = src
    for a, b, rep in edits:
        out = out[:a] + rep + out[b:]
    if edits and "{% load i18n" not in out and not re.search(r"{% load [^%]*\bi18n\b", out):
        m = re.match(r"({% extends [^%]*%}\n?)", out)
        if m:
            out = m.group(1) + "{% load i18n %}\n" + out[m.end():] if m.group(1).endswith("\n") else m.group(1) + "{% load i18n %}" + out[m.end():]
        else:
            out = "{% load i18n %}" + out
    open(path, "w").write(out)


for p in sys.argv[1:]:
    mark(p)
