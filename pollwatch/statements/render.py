"""Statement content (services.build_content or a frozen version) to HTML and to PDF (WeasyPrint, no network)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from pollwatch.statements.models import Assessment, Section


def _sections(content: dict[str, Any]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for finding in content["findings"]:
        section = out.setdefault(finding["section"], {"label": Section(finding["section"]).label, "findings": []})
        section["findings"].append(finding | {"assessment_label": Assessment(finding["assessment"]).label})
    return [out[s] for s in Section.values if s in out]


def render_html(content: dict[str, Any], *, evidence_url: str, version: Any = None, changes: list[str] | None = None,
                standalone: bool = True, language: str | None = None) -> str:
    """The statement as HTML; ``evidence_url`` is the prefix each footnote links to (+ ``<placeholder>/``).

    ``language`` (one of the mission's working languages) renders the statement's frame — headings, section names,
    assessments, notes — in that language instead of the statement's own; the findings' text is as written.
    """
    notes = sorted(content["values"].items(), key=lambda kv: kv[1]["note"])
    if language:
        content = content | {"language": language}
    with translation.override(content.get("language") or "en"):
        return render_to_string("statements/statement_body.html", {
            "c": content, "sections": _sections(content), "notes": notes, "evidence_url": evidence_url,
            "version": version, "changes": changes or [], "standalone": standalone,
        })


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """PDF bytes of the statement's HTML. WeasyPrint fetches nothing from the network: every style is inline and
    fonts come from the system (Debian's DejaVu); a URL fetcher allowing only data: and file: URLs makes sure of
    it (links stay links: they are written into the PDF, not fetched)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    offline = URLFetcher(allowed_protocols={"data", "file"})
    return HTML(string=html, base_url=base_url, url_fetcher=offline).write_pdf()
