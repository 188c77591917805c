"""Time rendering a long statement (about 50 A4 pages) to HTML and PDF.

Usage: .venv/bin/python bench/statement_render.py [--findings N]   → pages and seconds for docs/statements.md.
No database: the content has the shape services.build_content returns, with placeholder notes on every finding.
"""

from __future__ import annotations

import io
import os
import sys
import time


def content(n_findings: int) -> dict:
    from pollwatch.statements.models import Section

    sections = list(Section.values)
    values = {}
    findings = []
    for i in range(n_findings):
        key = f"checklist.field_{i}.no_of"
        values[key] = {"text": f"{i * 7 % 500 + 3} of 523", "number": 1.0, "label": f"stations answering no to field_{i}",
                       "query": "master records of the closing form with a yes/no answer; denominator: 523 stations",
                       "columns": [], "rows": [], "public": True, "note": i + 1}
        text = [{"text": "Observers reported that in "}, {"placeholder": key, "text": values[key]["text"], "note": i + 1},
                {"text": " observed polling stations the procedure was not followed as the law requires; in most "
                         "cases commission members were unaware of the rule, and observers were not given a reason "
                         "when they asked. The mission notes that this repeats a pattern seen in previous elections."}]
        findings.append({"section": sections[i % len(sections)], "text": text,
                         "assessment": ("positive", "mixed", "negative")[i % 3]})
    return {"title": "Statement of preliminary findings and conclusions", "mission": "Benchmark mission",
            "election": "Benchmark election", "language": "en",
            "summary": [{"text": "The election was competitive but marred by procedural irregularities. " * 10}],
            "findings": findings, "values": values,
            "methodology": {"observers": "400", "stations": "1,514", "regions": "14", "reports": "1,600"}}


def main() -> None:
    n = int(sys.argv[sys.argv.index("--findings") + 1]) if "--findings" in sys.argv else 320
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pollwatch.settings")
    import django

    django.setup()
    from pypdf import PdfReader

    from pollwatch.statements.render import render_html, render_pdf

    data = content(n)
    t0 = time.perf_counter()
    html = render_html(data, evidence_url="https://example.org/missions/bench/evidence/")
    t1 = time.perf_counter()
    pdf = render_pdf(html)
    t2 = time.perf_counter()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"findings: {n}\npages: {pages}\nhtml_seconds: {t1 - t0:.2f}\npdf_seconds: {t2 - t1:.2f}\n"
          f"pdf_bytes: {len(pdf)}")


if __name__ == "__main__":
    main()
