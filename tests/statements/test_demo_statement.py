"""The demo's statement end to end: built from the demo's data, every number opens its evidence page (for the
mission and on the public page), nothing on the public pages identifies an observer, and the comparison with the
seeds shows the CIS-style verdict contradicting the mission's, with no evidence cited."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.contrib.auth import get_user_model

from pollwatch.demo.generator import build_demo
from pollwatch.demo.statements import build_demo_statement
from pollwatch.missions.models import Observer
from pollwatch.operations.demo import build_demo_operations

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _note_links(html: str) -> list[str]:
    return sorted(set(re.findall(r'<li id="note-\d+">.*?<a href="([^"]+)"', html)))


def test_the_demo_statement_cites_checklist_incident_forensics_and_media_figures_each_with_an_evidence_page(client):
    summary = build_demo(seed=3)
    build_demo_operations(summary, np.random.default_rng(3))
    urls = build_demo_statement(summary, base_url="")

    public = client.get(urls["public_statement_url"])  # no login
    assert public.status_code == 200
    html = public.content.decode()
    assert "ballot stuffing" in html and re.search(r"\d+ of [\d,]+<sup>.*?</sup> observed polling stations", html)
    links = _note_links(html)
    sources = {link.rstrip("/").rsplit("/", 1)[-1].split(".")[0] for link in links}
    assert {"checklist", "incidents", "forensics", "media", "stations", "observers", "reports"} <= sources
    pages = [html]
    for link in links:  # every number of the public page resolves to a frozen evidence page and its CSV
        assert link.startswith(urls["public_statement_url"] + "evidence/")
        page = client.get(link)
        assert page.status_code == 200, link
        csv = client.get(link.rstrip("/") + ".csv")
        assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv"), link
        pages += [page.content.decode(), csv.content.decode()]
    pdf = client.get(urls["public_statement_url"] + "statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    text = "\n".join(pages)
    mission = next(m for m in summary.missions if m.kind == "international")
    for name, phone, code in Observer.objects.filter(mission__in=summary.missions).values_list("name", "phone", "code"):
        assert name not in text and code not in text and (not phone or phone not in text)
    for username in get_user_model().objects.values_list("username", flat=True):
        assert not re.search(rf"\b{re.escape(username)}\b", text), username
    assert not re.search(r"\+\d{7,}", text)

    ru = client.get(urls["public_statement_url_ru"]).content.decode()
    assert ru.count("Краткие выводы") == 1 and re.search(r"\d\xa0\d{3}", ru)  # 1 512: grouped the Russian way

    # for the mission's members: the live statement and each number's live evidence page
    client.force_login(get_user_model().objects.get(username="ieom-analyst"))
    builder = client.get(urls["statement_url"])
    assert builder.status_code == 200
    live_links = _note_links(builder.content.decode())
    assert len(live_links) == len(links)
    for link in live_links:
        assert link.startswith(f"/missions/{mission.slug}/evidence/")
        assert client.get(link).status_code == 200, link

    assert urls["comparison_contradictions"] >= 1
    compare = client.get(urls["comparison_url"]).content.decode()
    row = re.search(r"<tr class=\"contradict\">(.*?)</tr>", compare, re.S)
    assert row and "CIS: positive" in row.group(1) and "none cited" in row.group(1)
