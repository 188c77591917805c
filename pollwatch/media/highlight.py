"""The item text of the coding screen as HTML, with actor mentions and loaded terms marked (escaped)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pollwatch.media.analysis.actors import Catalogue


def _flag_spans(text: str, flags) -> list[tuple[int, int, str, str]]:
    spans = []
    for flag in flags:
        where = text.find(flag.sentence)
        where = where if where >= 0 else 0
        at = text.find(flag.term, where)
        if at < 0:
            lowered = text.lower()
            at = lowered.find(flag.term.lower(), where)
        if at >= 0:
            spans.append((at, at + len(flag.term), "loaded", f'data-flag="{flag.pk}" title="{escape(flag.category)}"'))
    return spans


def highlighted_html(text: str, catalogue: Catalogue, flags=()) -> SafeString:
    """Paragraphs of ``text`` with ``<mark class="actor">`` on mentions and ``<mark class="loaded">`` on flags."""
    spans = [(m.start, m.end, "actor", f'data-actor="{escape(m.actor)}" title="{escape(catalogue[m.actor].name)}"')
             for m in catalogue.find_mentions(text)]
    spans += _flag_spans(text, flags)
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out, pos = [], 0
    for start, end, kind, attrs in spans:
        if start < pos or "\n" in text[start:end]:
            continue  # overlapping marks: the first (longest) one wins
        out.append(escape(text[pos:start]))
        out.append(f'<mark class="{kind}" {attrs}>{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    paragraphs = [p for p in "".join(out).split("\n") if p.strip()]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))  # noqa: S308 — every piece is escaped above
