"""Run the automatic coding on items: actors, space, speech, tone, loaded terms, claims, contradictions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pollwatch.media.analysis.actors import Catalogue, Mention
from pollwatch.media.analysis.claims import (
    NO_COMMENT,
    REPORTING,
    SPEAKING_AFTER_QUOTE,
    Claim,
    classify_stance,
    classify_subject,
    find_contradictions,
)
from pollwatch.media.analysis.corpus import Item
from pollwatch.media.analysis.loaded import find_loaded
from pollwatch.media.analysis.text import normalise, paragraphs, sentences

QUOTE_RE = re.compile(r"[\"“«„]([^\"“”«»„]{3,})[\"”»“]")
CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:while|whereas|but|however|meanwhile)\b", re.I)
PRONOUN_RE = re.compile(r"\b(?:he|she|он|она)\b", re.I)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    quoted: bool


def sentence_spans(text: str) -> list[Sentence]:
    """The sentences of ``text`` by the shared splitter (analysis.text: abbreviations, quotes), each marked
    ``quoted`` when it lies within a quotation."""
    out: list[Sentence] = []
    for para in paragraphs(normalise(text)):  # normalise keeps offsets: one character for one
        raw = text[para.start:para.end]
        quotes = [(q.start(), q.end()) for q in QUOTE_RE.finditer(raw)]
        for s in sentences(para):
            start, end = s.start - para.start, s.end - para.start
            piece = raw[start:end]
            inside = any(qs <= start + 1 and end - 3 <= qe for qs, qe in quotes) or any(
                qs <= start < qe and (qe - qs) > 0.6 * len(piece) for qs, qe in quotes)
            out.append(Sentence(s.start, s.end, piece.strip(), para.index, inside))
    return out


def _in(m: Mention, s: Sentence) -> bool:
    return s.start <= m.start < s.end


def analyze_item(item: Item, catalogue: Catalogue, tagger: Any) -> dict[str, Any]:
    """The automatic coding of one item as the JSON shape of ``pollwatch media analyze --json``."""
    text = item.text
    mentions = catalogue.find_mentions(text)
    sentences = sentence_spans(text)
    by_sentence = [[m for m in mentions if _in(m, s)] for s in sentences]

    # --- speakers of quoted paragraphs: the actor (or pronoun) named outside the quotes
    speaker_of_paragraph: dict[int, str] = {}
    paragraphs = sorted({s.paragraph for s in sentences})
    for p in paragraphs:
        sents = [i for i, s in enumerate(sentences) if s.paragraph == p]
        if not any(sentences[i].quoted for i in sents):
            continue
        outside = [i for i in sents if not sentences[i].quoted]
        para_start = sentences[sents[0]].start
        para_text = text[para_start:sentences[sents[-1]].end]
        stripped = QUOTE_RE.sub(lambda m: " " * len(m.group(0)), para_text)
        verb = SPEAKING_AFTER_QUOTE.search(stripped) or NO_COMMENT.search(stripped)
        if not verb:
            continue
        vpos = para_start + verb.start()
        named = [m for m in mentions
                 if para_start <= m.start < para_start + len(para_text)
                 and not any(q.start() <= m.start - para_start < q.end() for q in QUOTE_RE.finditer(para_text))]
        pronoun = PRONOUN_RE.match(stripped[verb.start():]) or re.search(
            r"\b(?:he|she)\s+$", stripped[:verb.start()], re.I)
        persons_here = [m for m in named if catalogue[m.actor].kind == "person"]
        if pronoun and persons_here:
            speaker_of_paragraph[p] = persons_here[0].actor  # "X spoke about Y. '…,' he said": X
        elif named and not pronoun:
            before = [m for m in named if m.start <= vpos]
            speaker_of_paragraph[p] = (before[-1] if before else min(named, key=lambda m: m.start - vpos)).actor
        elif PRONOUN_RE.search(stripped):
            persons = [m for m in mentions if m.start < para_start and catalogue[m.actor].kind == "person"]
            if persons:
                speaker_of_paragraph[p] = persons[-1].actor
        del outside

    claims: list[Claim] = []
    direct: dict[str, int] = {}
    reported: dict[str, int] = {}
    for i, s in enumerate(sentences):
        # (speaker, clause) pairs: one for direct speech; one per reporting verb with its own
        # subject for reported speech ("While the CIS praised …, ODIHR observers reported …": two)
        said: list[tuple[str, str, bool]] = []
        if s.quoted and s.paragraph in speaker_of_paragraph:
            said.append((speaker_of_paragraph[s.paragraph], s.text, True))
        else:
            verbs = sorted([*REPORTING.finditer(s.text), *NO_COMMENT.finditer(s.text)], key=lambda v: v.start())
            found: list[tuple[str, int]] = []
            prev_end = 0
            for verb in verbs:
                before = [m for m in by_sentence[i] if prev_end <= m.start - s.start < verb.start()]
                if before and found and not CLAUSE_BREAK.search(s.text[prev_end:before[-1].start - s.start]):
                    before = []  # "X noted the OSCE findings and declined": OSCE is an object, X still speaks
                if before:
                    found.append((before[-1].actor, before[-1].start - s.start))
                elif not found and not s.quoted and PRONOUN_RE.match(s.text[: verb.start()].strip() or "-"):
                    persons = [m for m in mentions if m.start < s.start and catalogue[m.actor].kind == "person"]
                    if persons:
                        found.append((persons[-1].actor, 0))
                prev_end = verb.end()
            if len(found) == 1:
                said.append((found[0][0], s.text, False))
            else:
                for n, (speaker, start) in enumerate(found):
                    end = found[n + 1][1] if n + 1 < len(found) else len(s.text)
                    said.append((speaker, s.text[start:end], False))
        for speaker, clause, is_direct in said:
            counter = direct if is_direct else reported
            counter[speaker] = counter.get(speaker, 0) + 1
            stance = classify_stance(clause)
            subject = classify_subject(clause)
            if stance == "no_comment" and subject is None:
                subject = "election_conduct"
            if subject is None:
                continue
            claims.append(Claim(source=catalogue[speaker].organisation, subject=subject, stance=stance,
                                sentence=s.text, speaker=speaker, direct=is_direct))

    actors: dict[str, dict[str, Any]] = {}
    for actor_id in dict.fromkeys(m.actor for m in mentions):
        idx = [i for i, ms in enumerate(by_sentence) if any(m.actor == actor_id for m in ms)]
        sents = [sentences[i].text for i in idx]
        surfaces = [next(m.text for m in by_sentence[i] if m.actor == actor_id) for i in idx]
        actors[actor_id] = {
            "mentions": sum(m.actor == actor_id for m in mentions),
            "words": sum(len(t.split()) for t in sents),
            "tone": tagger.tone(sents, actor_id, surfaces),
            "direct_speech": direct.get(actor_id, 0),
            "reported_speech": reported.get(actor_id, 0),
        }

    loaded = find_loaded([s.text for s in sentences], item.language)
    return {
        "id": item.id,
        "title": item.title,
        "outlet": item.outlet,
        "date": item.date,
        "language": item.language,
        "actors": actors,
        "loaded_terms": [{"term": t.term, "category": t.category, "sentence": t.sentence} for t in loaded],
        "claims": [c.as_dict() for c in claims],
    }


def analyze_items(items: list[Item], catalogue: Catalogue, tagger: Any) -> dict[str, Any]:
    """Code every item and find contradictions across the whole batch."""
    coded = [analyze_item(item, catalogue, tagger) for item in items]
    all_claims = [Claim(**c) for item in coded for c in item["claims"]]
    return {"items": coded, "contradictions": find_contradictions(all_claims)}
