"""Reads for the statement pages: this mission's findings against other missions' verdicts in its news corpus."""

from __future__ import annotations

from dataclasses import dataclass

from pollwatch.media.models import NewsItem
from pollwatch.statements.compare import lexicon as lx
from pollwatch.statements.compare.align import Document, EvidenceScore, Row, analyse, evidence_scores, rows
from pollwatch.statements.compare.extract import Claim
from pollwatch.statements.compare.verdict import evaluate
from pollwatch.statements.models import SECTION_TOPIC, Statement


@dataclass
class Comparison:
    statement: Statement | None
    rows: list[Row]
    scores: list[EvidenceScore]
    documents: list[Document]


def _text(segments: list[dict]) -> str:
    return "".join(s["text"] for s in segments)


def mission_document(statement: Statement, content: dict) -> Document:
    """A statement's own verdicts as comparison claims: one per finding (its section's topic), and the summary's
    overall verdict; the figures it cites are its resolved placeholders."""
    name = statement.mission.name
    claims = []
    summary = _text(content["summary"])
    verdict = evaluate(summary) if summary else None
    if verdict is not None:
        claims.append(Claim(name, name, verdict.stance, [lx.OVERALL], summary,
                            figures=[s["text"] for s in content["summary"] if s.get("note")]))
    for n, finding in enumerate(content["findings"], 1):
        claims.append(Claim(name, name, finding["assessment"], [SECTION_TOPIC[finding["section"]]],
                            _text(finding["text"]), paragraph=n,
                            figures=[s["text"] for s in finding["text"] if s.get("note")]))
    reach = content.get("methodology", {})

    def number(key: str) -> int | None:
        digits = "".join(ch for ch in str(reach.get(key, "")) if ch.isdigit())
        return int(digits) if digits else None

    return Document(f"{name}: {statement.title}", summary, claims,
                    reach={name: (number("observers"), number("stations"))})


def comparison(mission, statement: Statement | None, content: dict | None) -> Comparison:
    items = NewsItem.objects.for_mission(mission).order_by("pk").values_list("title", "text")
    docs = analyse([(title or f"item {n}", text) for n, (title, text) in enumerate(items, 1)])
    if statement is not None and content is not None:
        docs.insert(0, mission_document(statement, content))
    own = mission.name
    table = [r for r in rows(docs) if own in (r.a_mission, r.b_mission)] if statement else rows(docs)
    return Comparison(statement, table, evidence_scores(docs), docs)
