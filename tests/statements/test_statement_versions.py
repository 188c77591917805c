"""Versions: what changed between two frozen versions, and numbers in the statement's language."""

from __future__ import annotations

import pytest

from pollwatch.operations.models import ChecklistCount
from pollwatch.statements import services
from pollwatch.statements.render import render_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(world):
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C11"], region=world.units["R1"],
                                  form_id="closing", field="counted_in_view", yes=400, total=1441)
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C21"], region=world.units["R2"],
                                  form_id="closing", field="counted_in_view", yes=82, total=82)
    st = services.do_create_statement(world.odihr, slug="preliminary", title="Preliminary", user=world.alice,
                                      summary="Counting was assessed negatively.")
    services.check_add_finding(st, section="counting", assessment="negative", user=world.alice,
                               text="In {{ checklist.counted_in_view.no_of }} observed counts "
                                    "({{ checklist.counted_in_view.no_pct }}) ballots were not counted in view.")
    return st


def test_the_version_page_says_what_changed_since_the_previous_version(client, statement, world):
    v1 = services.check_freeze_statement(statement, user=world.alice)
    ChecklistCount.objects.filter(unit=world.units["C21"]).update(yes=70)
    finding = statement.findings.get()
    services.check_edit_finding(finding, section="counting", assessment="mixed", text=finding.text, user=world.alice)
    services.check_add_finding(statement, section="observers", assessment="positive", user=world.alice,
                               text="The mission deployed {{ observers.deployed }} observers.")
    v2 = services.check_freeze_statement(statement, user=world.alice)
    diff = services.diff_versions(v1, v2)
    assert "checklist.counted_in_view.no_of: 1,041 of 1,523 in v1, 1,053 of 1,523 in v2" in diff
    assert any(line.startswith("Election day: counting: assessment negative → mixed") for line in diff)
    assert any(line.startswith("Citizen and international observers: finding added") for line in diff)
    assert services.diff_versions(v2, v2) == []
    client.force_login(world.alice)
    page = client.get("/missions/odihr/statements/preliminary/v2/").content.decode()
    assert "What changed since version 1" in page and "1,041 of 1,523 in v1, 1,053 of 1,523 in v2" in page
    assert "What changed since" not in client.get("/missions/odihr/statements/preliminary/v1/").content.decode()


def test_numbers_are_written_in_the_statements_language(statement):
    english = services.build_content(statement)
    assert english["values"]["checklist.counted_in_view.no_of"]["text"] == "1,041 of 1,523"
    assert english["values"]["checklist.counted_in_view.no_pct"]["text"] == "68.4 %"
    statement.language = "ru"
    statement.save()
    russian = services.build_content(statement)
    assert russian["values"]["checklist.counted_in_view.no_of"]["text"] == "1\xa0041 из 1\xa0523"
    assert russian["values"]["checklist.counted_in_view.no_pct"]["text"] == "68,4 %"
    # the notes say what each number counts in the statement's language too
    assert russian["values"]["checklist.counted_in_view.no_of"]["label"] == (
        "участки, отчёт которых отвечает 'no' на 'counted_in_view' (форма closing)")
    assert "знаменатель: 1\xa0523 участков с ответом" in russian["values"]["checklist.counted_in_view.no_of"]["query"]
    assert "1\xa0041 из 1\xa0523" in render_html(russian, evidence_url="/e/")
    # a frozen Russian version compares with the live data in Russian too: nothing "changed" by formatting alone
    assert services.changes_since(services.check_freeze_statement(statement)) == []


def test_a_coordinator_edits_a_finding_and_a_broken_placeholder_is_shown_in_the_editor(client, statement, world):
    finding = statement.findings.get()
    url = f"/missions/odihr/statements/preliminary/findings/{finding.pk}/"
    client.force_login(world.alice)
    page = client.get(url).content.decode()
    assert "checklist.counted_in_view.no_of" in page  # the form holds the text with its placeholders
    response = client.post(url, {"section": "counting", "assessment": "negative",
                                 "text": "In {{ checklist.counted_in_veiw.no_of }} counts and {{ 1 + 1 }}."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "broken placeholder at character" in html
    finding.refresh_from_db()
    assert "counted_in_view" in finding.text  # nothing saved
    response = client.post(url, {"section": "counting", "assessment": "negative",
                                 "text": "In {{ checklist.counted_in_veiw.no_of }} counts."})
    assert "no yes/no answers to a field &#x27;counted_in_veiw&#x27;" in response.content.decode()
    response = client.post(url, {"section": "tabulation", "assessment": "mixed",
                                 "text": "Tabulation: {{ checklist.counted_in_view.yes_pct }} counted in view."})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.section, finding.assessment) == ("tabulation", "mixed")
    builder = client.get("/missions/odihr/statements/preliminary/").content.decode()
    assert "31.6 %" in builder and "Election day: tabulation" in builder
    # a finding saved earlier that no longer resolves shows its reason next to it in the builder
    statement.findings.create(section="media", assessment="negative", text="{{ incidents.nosuch.count }}")
    builder = client.get("/missions/odihr/statements/preliminary/").content.decode()
    assert builder.count("no incident category &#x27;nosuch&#x27;") >= 2  # the problem list and the finding row
    assert client.post(f"{url}delete").status_code == 302
    assert not statement.findings.filter(pk=finding.pk).exists()


def test_only_the_missions_editors_reach_a_finding(client, statement, world):
    finding = statement.findings.get()
    url = f"/missions/odihr/statements/preliminary/findings/{finding.pk}/"
    client.force_login(world.anna)  # the ODIHR mission's analyst reads statements, does not edit them
    assert client.get(url).status_code == 404
    assert client.post(f"{url}delete").status_code == 404
    client.force_login(world.boris)  # the CIS mission's coordinator
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 404)
    assert statement.findings.filter(pk=finding.pk).exists()
