"""Evidence pages draw their table as a bar chart (inline SVG: no script, nothing fetched), live and public."""

from __future__ import annotations

import re

import pytest

from pollwatch.operations.models import ChecklistCount
from pollwatch.statements import services
from pollwatch.statements.charts import MAX_BARS, bar_chart_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(world):
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C11"], region=world.units["R1"],
                                  form_id="closing", field="counted_in_view", yes=400, total=441)
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C21"], region=world.units["R2"],
                                  form_id="closing", field="counted_in_view", yes=82, total=82)
    st = services.do_create_statement(world.odihr, slug="preliminary", title="Preliminary")
    services.check_add_finding(st, section="counting", assessment="negative",
                               text="Not counted in view in {{ checklist.counted_in_view.no_of }} counts.")
    return st


def _bars(html: str) -> list[tuple[str, str]]:
    """(label, value) of each bar of the page's chart."""
    svg = re.search(r'<svg class="evidence-chart".*?</svg>', html, re.S).group(0)
    return re.findall(r'text-anchor="end">([^<]*)</text><rect[^>]*/><text[^>]*>([^<]*)</text>', svg)


def test_the_evidence_page_draws_the_no_answers_per_region(client, statement, world):
    client.force_login(world.anna)
    html = client.get("/missions/odihr/evidence/checklist.counted_in_view.no_of/").content.decode()
    assert _bars(html) == [("Absheron", "41"), (world.units["R2"].name, "0")]
    assert "<script" not in html.split('<svg class="evidence-chart"')[1].split("</svg>")[0]


def test_the_public_evidence_page_has_the_same_chart_frozen(client, statement, world):
    services.do_publish_version(services.check_freeze_statement(statement))
    ChecklistCount.objects.filter(unit=world.units["C21"]).update(yes=70)  # later data does not change it
    html = client.get("/p/odihr/preliminary/evidence/checklist.counted_in_view.no_of/").content.decode()
    assert _bars(html) == [("Absheron", "41"), (world.units["R2"].name, "0")]


def test_chart_labels_are_escaped_and_long_tables_are_cut_with_a_note():
    svg = bar_chart_svg(["region", "n"], [["<script>alert(1)</script>", 3]])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    many = bar_chart_svg(["region", "n"], [[f"r{i}", i] for i in range(MAX_BARS + 5)])
    assert many.count("<rect") == MAX_BARS and f"first {MAX_BARS} of {MAX_BARS + 5} rows" in many
    assert bar_chart_svg(["value"], [["41 of 523"]]) == ""  # nothing numeric: no chart, the table says it
