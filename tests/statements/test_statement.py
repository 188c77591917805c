"""The statement: findings bound to data, freeze, publish, HTML/PDF, evidence pages, the public page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pollwatch.operations.models import ChecklistCount
from pollwatch.statements import services
from pollwatch.statements.models import StatementVersion
from pollwatch.statements.placeholders import PlaceholderError, parse
from pollwatch.statements.render import render_html, render_pdf

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[1] / "media" / "fixtures"


@pytest.fixture
def statement(world):
    # ChecklistCount is a derived counter table: written directly here as the rebuild would leave it.
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C11"], region=world.units["R1"],
                                  form_id="closing", field="counted_in_view", yes=400, total=441)
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C21"], region=world.units["R2"],
                                  form_id="closing", field="counted_in_view", yes=82, total=82)
    st = services.do_create_statement(
        world.odihr, slug="preliminary", title="Statement of preliminary findings", user=world.alice,
        summary="The election took place in a restrictive environment; ballots were not counted in view in "
                "{{ checklist.counted_in_view.no_of }} observed counts.")
    services.check_add_finding(st, section="counting", assessment="negative", user=world.alice,
                               text="In {{ checklist.counted_in_view.no_of }} observed counts "
                                    "({{ checklist.counted_in_view.no_pct }}) ballots were not counted in view.")
    services.check_add_finding(st, section="observers", assessment="mixed", user=world.alice,
                               text="The mission deployed {{ observers.deployed }} observers.")
    return st


def test_a_placeholder_renders_its_number_with_a_numbered_note_linking_to_its_evidence(statement):
    content = services.build_content(statement)
    html = render_html(content, evidence_url="/missions/odihr/evidence/")
    assert "41 of 523" in html and "7.8 %" in html
    assert 'href="/missions/odihr/evidence/checklist.counted_in_view.no_of/"' in html
    assert content["values"]["checklist.counted_in_view.no_of"]["note"] == 1
    assert "Observers deployed: 2" in html


def test_broken_or_unknown_placeholders_are_editor_errors_not_blanks(statement):
    with pytest.raises(PlaceholderError, match="broken placeholder"):
        parse("in {{ 1 + 1 }} counts")
    with pytest.raises(ValueError, match="unknown source 'nosuch'"):
        services.check_add_finding(statement, section="media", assessment="negative", text="{{ nosuch.thing.x }}")
    with pytest.raises(ValueError, match="no yes/no answers to a field 'nope'"):
        services.check_add_finding(statement, section="media", assessment="negative", text="{{ checklist.nope.no_of }}")
    with pytest.raises(ValueError, match="quick-count sample|not published"):
        services.check_add_finding(statement, section="tabulation", assessment="mixed", text="{{ pvt.1.share }}")


def test_a_statement_without_findings_cannot_be_frozen(world):
    st = services.do_create_statement(world.odihr, slug="empty", title="Empty")
    with pytest.raises(ValueError, match="no findings"):
        services.check_freeze_statement(st)
    assert not StatementVersion.objects.exists()


def test_a_frozen_version_keeps_its_numbers_and_says_what_changed_since(statement, world):
    version = services.check_freeze_statement(statement, user=world.alice)
    assert len(version.data_hash) == 64
    ChecklistCount.objects.filter(unit=world.units["C21"]).update(yes=70)
    version.refresh_from_db()
    assert version.content["values"]["checklist.counted_in_view.no_of"]["text"] == "41 of 523"
    assert "checklist.counted_in_view.no_of: 41 of 523 then, 53 of 523 now" in services.changes_since(version)
    again = services.check_freeze_statement(statement)
    assert again.number == 2 and again.data_hash != version.data_hash


def test_the_pdf_renders_offline(statement):
    html = render_html(services.build_content(statement), evidence_url="/missions/odihr/evidence/")
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000


def test_evidence_page_shows_query_table_and_csv_to_the_mission_only(client, statement, world):
    client.force_login(world.alice)
    page = client.get("/missions/odihr/evidence/checklist.counted_in_view.no_of/").content.decode()
    assert "41 of 523" in page and "denominator" in page and "Absheron" in page
    csv = client.get("/missions/odihr/evidence/checklist.counted_in_view.no_of.csv")
    assert csv.status_code == 200 and csv.content.decode().splitlines()[0] == "region,yes,no,answered"
    client.force_login(world.boris)  # the CIS mission's coordinator
    assert client.get("/missions/odihr/evidence/checklist.counted_in_view.no_of/").status_code == 404


def test_nothing_unpublished_is_public(client, statement):
    assert client.get("/p/odihr/preliminary/").status_code == 404
    services.check_freeze_statement(statement)
    assert client.get("/p/odihr/preliminary/").status_code == 404  # frozen is not published


def _public_pages(client, mission="odihr", statement="preliminary") -> list[str]:
    base = f"/p/{mission}/{statement}/"
    page = client.get(base)
    assert page.status_code == 200, base
    html = page.content.decode()
    out = [html]
    for link in sorted(set(re.findall(rf'href="({re.escape(base)}evidence/[^"]+)"', html))):
        response = client.get(link)
        assert response.status_code == 200, link
        out.append(response.content.decode())
        out.append(client.get(link.rstrip("/") + ".csv").content.decode())
    return out


def test_the_published_page_needs_no_login_and_leaks_no_personal_data(client, statement, world):
    version = services.check_freeze_statement(statement, user=world.alice)
    services.do_publish_version(version, user=world.alice)
    pages = _public_pages(client)
    assert "41 of 523" in pages[0]
    assert len(pages) >= 4  # the statement, and each evidence page with its CSV
    text = "\n".join(pages)
    for observer in world.observers.values():
        for secret in (observer.name, observer.phone, observer.code):
            assert secret and secret not in text
    for user in (world.alice, world.anna):
        assert user.username not in text
    assert not re.search(r"\+\d{7,}", text)  # no phone number of any shape
    pdf = client.get("/p/odihr/preliminary/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_comparison_page_shows_the_contradiction_with_the_cis_style_verdict(client, statement, world):
    from pollwatch.media.importers import check_import_corpus

    check_import_corpus(world.odihr, [(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))],
                        user=world.alice, analyse=False)
    client.force_login(world.alice)
    html = client.get("/missions/odihr/statements/compare/").content.decode()
    assert "OSCE/ODIHR EOM: negative" in html and "CIS: positive" in html
    assert "contradict" in html and "none cited" in html
    # its own evidence score reads observers from its data: 2 deployed in the test world
    assert re.search(r"<td>OSCE/ODIHR EOM</td><td>\d+</td><td>\d+</td><td>[^<]*</td><td>2</td>", html)


def test_a_statement_in_russian_renders_its_template_and_sections_in_russian(world, statement):
    statement.language = "ru"
    statement.save()
    html = render_html(services.build_content(statement), evidence_url="/e/")
    assert "Краткие выводы" in html and "День голосования: подсчёт голосов" in html and "Методология" in html
    assert "Summary of conclusions" not in html


def test_the_render_command_writes_html_and_pdf_and_refuses_a_broken_draft(statement, tmp_path, world):
    from typer.testing import CliRunner

    from pollwatch.cli.main import app

    out = tmp_path / "s.html"
    result = CliRunner().invoke(app, ["statement", "render", "--mission", "odihr", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "41 of 523" in out.read_text()
    version = services.check_freeze_statement(statement)
    pdf = tmp_path / "s.pdf"
    result = CliRunner().invoke(app, ["statement", "render", "--mission", "odihr", "--format", "pdf", "--out", str(pdf),
                                      "--version", str(version.number)])
    assert result.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF-")
    result = CliRunner().invoke(app, ["statement", "render", "--mission", "odihr", "--format", "pdf", "--out", str(pdf),
                                      "--version", "9"])
    assert result.exit_code == 2 and "has no version 9" in result.stderr
    statement.findings.create(section="media", assessment="negative", text="{{ incidents.nosuch.count }}")
    result = CliRunner().invoke(app, ["statement", "render", "--mission", "odihr", "--format", "html", "--out",
                                      str(tmp_path / "x.html")])
    assert result.exit_code == 1 and "no incident category 'nosuch'" in result.stderr
    assert not (tmp_path / "x.html").exists()
