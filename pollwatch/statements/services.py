"""Writers of statements: findings, freezing a version with its rendered numbers, publishing it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from pollwatch.accounts.services import do_record_audit
from pollwatch.statements import numbers
from pollwatch.statements.models import Finding, Section, Statement, StatementVersion
from pollwatch.statements.placeholders import PlaceholderError, parse
from pollwatch.statements.sources import resolve

METHODOLOGY = (("observers", "observers.deployed"), ("stations", "stations.observed"),
               ("regions", "regions.covered"), ("reports", "reports.count"))


@dataclass
class Problem:
    where: str  # "summary" or "finding 3 (Election day: counting)"
    message: str


def check_text(mission, text: str) -> list[str]:
    """Every problem with the placeholders of one text (empty when all resolve)."""
    try:
        segments = parse(text)
    except PlaceholderError as exc:
        return [str(exc)]
    problems = []
    for seg in segments:
        if seg.placeholder:
            try:
                resolve(mission, seg.text)
            except PlaceholderError as exc:
                problems.append(str(exc))
    return problems


def statement_problems(statement: Statement) -> list[Problem]:
    out = [Problem("summary", m) for m in check_text(statement.mission, statement.summary)]
    findings = list(statement.findings.all())
    if not findings:
        out.append(Problem("statement", "the statement has no findings"))
    for n, f in enumerate(findings, 1):
        out += [Problem(f"finding {n} ({f.get_section_display()})", m) for m in check_text(statement.mission, f.text)]
    return out


def do_create_statement(mission, *, slug: str, title: str, summary: str = "", language: str = "en",
                        user=None) -> Statement:
    with transaction.atomic():
        statement = Statement.objects.create(mission=mission, slug=slug, title=title, summary=summary,
                                             language=language)
        do_record_audit("statement.create", user=user, mission=mission, obj=statement)
    return statement


def do_edit_statement(statement: Statement, *, title: str, summary: str, language: str, user=None) -> Statement:
    """Change the draft's title, summary or language; frozen versions keep theirs."""
    with transaction.atomic():
        statement.title, statement.summary, statement.language = title, summary, language
        statement.save(update_fields=["title", "summary", "language"])
        do_record_audit("statement.edit", user=user, mission=statement.mission, obj=statement)
    return statement


def check_add_finding(statement: Statement, *, section: str, text: str, assessment: str, user=None) -> Finding:
    """Add a finding after checking its section and that every placeholder resolves (ValueError otherwise)."""
    if section not in Section.values:
        raise ValueError(f"unknown section {section!r}")
    problems = check_text(statement.mission, text)
    if problems:
        raise ValueError("; ".join(problems))
    return do_add_finding(statement, section=section, text=text, assessment=assessment, user=user)


def do_add_finding(statement: Statement, *, section: str, text: str, assessment: str, user=None) -> Finding:
    with transaction.atomic():
        order = list(Section.values).index(section) * 1000 + statement.findings.filter(section=section).count()
        finding = Finding.objects.create(statement=statement, section=section, text=text, assessment=assessment,
                                         position=order)
        do_record_audit("statement.finding", user=user, mission=statement.mission, obj=finding)
    return finding


def check_edit_finding(finding: Finding, *, section: str, text: str, assessment: str, user=None) -> Finding:
    """Change a finding after the same checks as adding one (ValueError lists what is wrong)."""
    if section not in Section.values:
        raise ValueError(f"unknown section {section!r}")
    problems = check_text(finding.statement.mission, text)
    if problems:
        raise ValueError("; ".join(problems))
    return do_edit_finding(finding, section=section, text=text, assessment=assessment, user=user)


def do_edit_finding(finding: Finding, *, section: str, text: str, assessment: str, user=None) -> Finding:
    """Frozen versions keep their copy: editing a finding changes only the draft (and the next version)."""
    with transaction.atomic():
        if section != finding.section:
            finding.position = (list(Section.values).index(section) * 1000
                                + finding.statement.findings.filter(section=section).count())
        finding.section, finding.text, finding.assessment = section, text, assessment
        finding.save(update_fields=["section", "text", "assessment", "position"])
        do_record_audit("statement.finding.edit", user=user, mission=finding.statement.mission, obj=finding)
    return finding


def do_delete_finding(finding: Finding, *, user=None) -> None:
    with transaction.atomic():
        do_record_audit("statement.finding.delete", user=user, mission=finding.statement.mission, obj=finding,
                        detail={"section": finding.section, "text": finding.text[:200]})
        finding.delete()


def build_content(statement: Statement) -> dict[str, Any]:
    """Everything the page shows, with every placeholder resolved now (PlaceholderError if one does not); numbers
    are formatted in the statement's language."""
    with translation.override(statement.language or "en"):
        return _build_content(statement)


def _build_content(statement: Statement) -> dict[str, Any]:
    mission = statement.mission
    values: dict[str, dict[str, Any]] = {}

    def render(text: str) -> list[dict[str, Any]]:
        out = []
        for seg in parse(text):
            if not seg.placeholder:
                out.append({"text": seg.text})
                continue
            if seg.text not in values:
                values[seg.text] = resolve(mission, seg.text).as_dict() | {"note": len(values) + 1}
            out.append({"placeholder": seg.text, "text": values[seg.text]["text"], "note": values[seg.text]["note"]})
        return out

    summary = render(statement.summary)
    findings = [{"id": f.pk, "section": f.section, "text": render(f.text), "assessment": f.assessment}
                for f in statement.findings.all()]
    methodology = {}
    for key, path in METHODOLOGY:
        try:
            value = resolve(mission, path)
        except PlaceholderError:
            continue
        methodology[key] = value.text
    pvt_sample = mission.pvt_samples.order_by("-created_at").first()
    if pvt_sample is not None and pvt_sample.published_at is not None:
        methodology["pvt_sample"] = numbers.integer(pvt_sample.size)
    return {"title": statement.title, "mission": mission.name, "election": str(mission.election),
            "language": statement.language, "summary": summary, "findings": findings, "values": values,
            "methodology": methodology}


def data_hash(content: dict[str, Any]) -> str:
    """The hash of the data a version's numbers were computed from: the values with their evidence rows."""
    payload = json.dumps({"values": content["values"], "methodology": content["methodology"]}, sort_keys=True,
                         default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def check_freeze_statement(statement: Statement, *, user=None) -> StatementVersion:
    """Freeze after checking there is something to freeze and every placeholder resolves (ValueError lists why)."""
    problems = statement_problems(statement)
    if problems:
        raise ValueError("; ".join(f"{p.where}: {p.message}" for p in problems))
    content = build_content(statement)
    if any(not v.get("public", True) for v in content["values"].values()):
        raise ValueError("the statement cites unpublished data")
    return do_freeze_statement(statement, content, user=user)


def do_freeze_statement(statement: Statement, content: dict[str, Any], *, user=None) -> StatementVersion:
    with transaction.atomic():
        number = (statement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = StatementVersion.objects.create(statement=statement, number=number, content=content,
                                                  data_hash=data_hash(content), frozen_by=user)
        do_record_audit("statement.freeze", user=user, mission=statement.mission, obj=version,
                        detail={"number": number, "data_hash": version.data_hash})
    return version


def do_publish_version(version: StatementVersion, *, user=None) -> StatementVersion:
    with transaction.atomic():
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        do_record_audit("statement.publish", user=user, mission=version.statement.mission, obj=version)
    return version


def changes_since(version: StatementVersion) -> list[str]:
    """What the live data says now that differs from the frozen numbers (for the page's "changed since")."""
    out = []
    with translation.override(version.content.get("language") or "en"):
        for path, frozen in version.content["values"].items():
            try:
                now = resolve(version.statement.mission, path).text
            except PlaceholderError as exc:
                out.append(f"{path}: {exc}")
                continue
            if now != frozen["text"]:
                out.append(f"{path}: {frozen['text']} then, {now} now")
    return out


def _plain(segments: list[dict[str, Any]]) -> str:
    return "".join(s["text"] for s in segments)


def diff_versions(old: StatementVersion, new: StatementVersion) -> list[str]:
    """What changed from one frozen version to another: the summary, findings added, removed or reworded (or
    reassessed), and every number whose frozen value differs — each a line for the version page."""
    a, b = old.content, new.content
    out = []
    if _plain(a["summary"]) != _plain(b["summary"]):
        out.append(f"summary: {_plain(b['summary'])!r} (was {_plain(a['summary'])!r})")

    def keyed(content):  # by finding (an edited one is the same finding), else by section and text
        return {f.get("id") or (f["section"], _source_text(f)): f for f in content["findings"]}

    before, after = keyed(a), keyed(b)
    for key, f in after.items():
        label, was = Section(f["section"]).label, before.get(key)
        if was is None:
            out.append(f"{label}: finding added: {_plain(f['text'])!r}")
            continue
        if _source_text(was) != _source_text(f) or was["section"] != f["section"]:
            out.append(f"{label}: finding reworded: {_plain(f['text'])!r} (was {_plain(was['text'])!r})")
        if was["assessment"] != f["assessment"]:
            out.append(f"{label}: assessment {was['assessment']} → {f['assessment']}: {_plain(f['text'])!r}")
    for key, f in before.items():
        if key not in after:
            out.append(f"{Section(f['section']).label}: finding removed: {_plain(f['text'])!r}")
    for path, value in b["values"].items():
        was = a["values"].get(path)
        if was is not None and was["text"] != value["text"]:
            out.append(f"{path}: {was['text']} in v{old.number}, {value['text']} in v{new.number}")
    return out


def _source_text(finding: dict[str, Any]) -> str:
    """A finding's text with its placeholders, not their values (so a changed number is not a reworded finding)."""
    return "".join(f"{{{{ {s['placeholder']} }}}}" if s.get("placeholder") else s["text"] for s in finding["text"])
