"""Line verdicts up by topic: agreement, contradiction, the evidence each mission cites, its evidence score."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pollwatch.media.analysis.text import normalise, paragraphs
from pollwatch.statements.compare import lexicon as lx
from pollwatch.statements.compare.extract import Claim, extract_claims
from pollwatch.statements.compare.missions import mission_catalogue, speakers_in


@dataclass
class Document:
    file: str
    text: str
    claims: list[Claim] = field(default_factory=list)
    # observers and stations a mission reports, when known from data rather than from the text
    reach: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    topic: str
    a_mission: str
    a_stance: str
    b_mission: str
    b_stance: str
    relation: str  # agree / contradict / differ
    a_evidence: str
    b_evidence: str


@dataclass(frozen=True)
class EvidenceScore:
    mission: str
    verdicts: int
    citing_figures: int
    observers: int | None  # the largest number of observers it reports, if any
    stations: int | None

    @property
    def share(self) -> float:
        return self.citing_figures / self.verdicts if self.verdicts else 0.0


def analyse(documents: Iterable[tuple[str, str]]) -> list[Document]:
    return [Document(name, text, extract_claims(text)) for name, text in documents]


def _stance(claims: list[Claim]) -> str:
    stances = {c.stance for c in claims if c.stance != "no_comment"}
    if not stances:
        return "no_comment"
    if stances == {"positive"}:
        return "positive"
    if stances == {"negative"}:
        return "negative"
    return "mixed"


def by_topic(docs: list[Document]) -> dict[str, dict[str, list[tuple[Document, Claim]]]]:
    """topic → mission → its claims on the topic (with their document), in reading order."""
    out: dict[str, dict[str, list[tuple[Document, Claim]]]] = {}
    for doc in docs:
        for claim in doc.claims:
            for topic in claim.topics:
                out.setdefault(topic, {}).setdefault(claim.mission, []).append((doc, claim))
    return {t: out[t] for t in lx.TOPICS if t in out}


def relation(a: str, b: str) -> str:
    if a == b:
        return "agree"
    if {a, b} == {"positive", "negative"}:
        return "contradict"
    return "differ"


def _evidence(claims: list[Claim]) -> str:
    figures = [f for c in claims for f in c.figures]
    return "; ".join(dict.fromkeys(figures)) if figures else "none cited"


def rows(docs: list[Document]) -> list[Row]:
    """One row per topic and pair of missions that both judged it."""
    out = []
    for topic, missions in by_topic(docs).items():
        names = list(missions)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                ca = [c for _, c in missions[a]]
                cb = [c for _, c in missions[b]]
                sa, sb = _stance(ca), _stance(cb)
                out.append(Row(topic, a, sa, b, sb, relation(sa, sb), _evidence(ca), _evidence(cb)))
    return out


def contradictions(docs: list[Document]) -> list[dict[str, object]]:
    """Positive against negative on one topic by two missions: the first claim of each side."""
    out = []
    for topic, missions in by_topic(docs).items():
        firsts = {m: {c.stance: (d, c) for d, c in reversed(claims)} for m, claims in missions.items()}
        names = list(missions)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                for sa, sb in (("positive", "negative"), ("negative", "positive")):
                    if sa in firsts[a] and sb in firsts[b]:
                        (da, ca), (db, cb) = firsts[a][sa], firsts[b][sb]
                        out.append({"topic": topic,
                                    "a": {"mission": a, "stance": sa, "file": da.file, "quote": ca.quote},
                                    "b": {"mission": b, "stance": sb, "file": db.file, "quote": cb.quote}})
                        break
    return out


def _largest(pattern: re.Pattern[str], text: str) -> int | None:
    values = []
    for m in pattern.finditer(text):
        digits = re.sub(r"[^\d]", "", m.group(1))
        if digits and not lx.YEAR.match(digits):
            values.append(int(digits))
    return max(values) if values else None


def evidence_scores(docs: list[Document]) -> list[EvidenceScore]:
    """Per mission: how many of its verdicts cite figures, and the observers and stations it reports.

    Observers and stations are read from the sentences of the texts that name the mission ("The mission deployed
    480 observers … visited 1,200 polling stations").
    """
    verdicts: dict[str, list[Claim]] = {}
    for doc in docs:
        for claim in doc.claims:
            if claim.stance != "no_comment":
                verdicts.setdefault(claim.mission, []).append(claim)
    names = {a.id: a.name for a in mission_catalogue().actors.values()}
    reported: dict[str, tuple[int | None, int | None]] = {}
    for doc in docs:
        reported.update(doc.reach)
        text = normalise(doc.text)
        for para in paragraphs(text):
            named = {names.get(s.mission, s.mission) for s in speakers_in(para.text, mission_catalogue()) if s.mission}
            if len(named) != 1:
                continue  # a paragraph naming two missions does not say whose observers these are
            mission = named.pop()
            obs, st = reported.get(mission, (None, None))
            o, s = _largest(lx.OBSERVER_COUNT, para.text), _largest(lx.STATION_COUNT, para.text)
            reported[mission] = (max(filter(None, (obs, o)), default=None), max(filter(None, (st, s)), default=None))
    out = []
    for mission, claims in verdicts.items():
        obs, st = reported.get(mission, (None, None))
        out.append(EvidenceScore(mission, len(claims), sum(bool(c.figures) for c in claims), obs, st))
    return out


def to_json(docs: list[Document]) -> dict[str, object]:
    """The JSON of ``pollwatch compare --json`` (its documented contract, nothing more)."""
    return {"items": [{"file": d.file, "claims": [c.as_json() for c in d.claims]} for d in docs],
            "contradictions": contradictions(docs)}
