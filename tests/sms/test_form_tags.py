"""Coordinators edit a form's SMS prefix and its questions' SMS tags in the web UI; bad input is a 400 naming the
problem, and the SMS grammar reads the new tags at once."""

from __future__ import annotations

import pytest

from pollwatch.collection.models import ObservationForm
from pollwatch.sms.grammar import parse_message
from pollwatch.sms.queries import sms_grammar

pytestmark = pytest.mark.django_db


def opening(world) -> ObservationForm:
    return ObservationForm.objects.get(mission=world.cis, form_id="opening_checklist")


def post_of(form: ObservationForm, prefix: str, **changes: str) -> dict[str, str]:
    data = {"prefix": prefix}
    data |= {f"tag_{f['name']}": f.get("sms_tag", "") for f in form.fields if f.get("name")}
    data |= {f"tag_{name}": tag for name, tag in changes.items()}
    return data


def test_a_coordinator_edits_the_prefix_and_tags_and_sms_reports_use_them(client, login, sms_world):
    login(sms_world.boris)
    form = opening(sms_world)
    listing = client.get("/missions/cis/sms/forms/")
    assert listing.status_code == 200 and b"Opening checklist" in listing.content
    page = client.get(f"/missions/cis/sms/forms/{form.pk}/")
    assert page.status_code == 200
    assert b'name="tag_commission_members"' in page.content and b'value="OP"' in page.content
    response = client.post(f"/missions/cis/sms/forms/{form.pk}/", post_of(form, "oc", commission_members="m1"))
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.sms_prefix == "OC"
    assert next(f["sms_tag"] for f in form.fields if f["name"] == "commission_members") == "M1"
    got = parse_message("OC1 AA1 M19", sms_grammar(sms_world.cis))
    assert got.problems == [] and got.responses == {"AA": "1", "M1": "9"}


def test_a_question_without_a_tag_takes_no_sms_answer(client, login, sms_world):
    login(sms_world.boris)
    form = opening(sms_world)
    client.post(f"/missions/cis/sms/forms/{form.pk}/", post_of(form, "OP", commission_members=""))
    form.refresh_from_db()
    assert not any(f.get("sms_tag") for f in form.fields if f["name"] == "commission_members")
    got = parse_message("OP1 AD9", sms_grammar(sms_world.cis))
    assert got.problems and "Unknown question AD" in got.problems[0]


@pytest.mark.parametrize(("prefix", "changes", "message"), [
    ("OP", {"commission_members": "AA"}, "AA is the tag of"),
    ("ED", {}, "has this prefix already"),
    ("O1", {}, "A prefix is 1–10 letters"),
    ("OP", {"commission_members": "A-1"}, "A tag is 1–10 letters or digits"),
    ("OP", {"commission_members": "ÄB"}, "A tag is 1–10 letters or digits"),
])
def test_bad_prefixes_and_tags_are_refused_with_a_message(client, login, sms_world, prefix, changes, message):
    login(sms_world.boris)
    form = opening(sms_world)
    before = (form.sms_prefix, form.fields)
    response = client.post(f"/missions/cis/sms/forms/{form.pk}/", post_of(form, prefix, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    form.refresh_from_db()
    assert (form.sms_prefix, form.fields) == before


def test_only_those_who_author_forms_may_edit_tags(client, login, sms_world):
    form = opening(sms_world)
    login(sms_world.bella)  # analyst of the mission
    assert client.get(f"/missions/cis/sms/forms/{form.pk}/").status_code == 403
    assert client.post(f"/missions/cis/sms/forms/{form.pk}/", post_of(form, "XX")).status_code == 403
    login(sms_world.outsider)
    assert client.get(f"/missions/cis/sms/forms/{form.pk}/").status_code == 404
    login(sms_world.alice)  # admin of the other mission: the form is not in hers
    assert client.get(f"/missions/odihr/sms/forms/{form.pk}/").status_code == 404
    form.refresh_from_db()
    assert form.sms_prefix == "OP"


def test_the_editor_warns_of_tags_that_a_mistyped_message_reads_alike(client, login, sms_world):
    login(sms_world.boris)
    form = opening(sms_world)
    page = client.get(f"/missions/cis/sms/forms/{form.pk}/").content.decode()
    assert "read alike" not in page  # AA–AE: nothing to confuse
    # IA and LA are both 1A when typed with a digit; AI next to IA: AA101A120 is AA10 IA120 or AA101 AI20
    response = client.post(f"/missions/cis/sms/forms/{form.pk}/",
                           post_of(form, "OP", opened_on_time="IA", ballot_box_sealed="LA", voter_list_present="AI"),
                           follow=True)
    assert response.status_code == 200  # a warning, not an error: the tags are saved
    form.refresh_from_db()
    assert {f["sms_tag"] for f in form.fields if f.get("sms_tag")} >= {"IA", "LA", "AI"}
    page = response.content.decode()
    assert "IA and LA read alike when I or L is typed as 1 and O as 0 (“1A”)" in page
    assert "IA and AI read alike" in page and "(“1A1”)" in page
    assert "Consider changing one of them." in page
    # the warning is worded in the coordinator's language, and also shown on a refused edit
    client.cookies["pollwatch_language"] = "ru"
    response = client.post(f"/missions/cis/sms/forms/{form.pk}/",
                           post_of(form, "O1", opened_on_time="OA", ballot_box_sealed="0A"))
    assert response.status_code == 400
    assert "OA и 0A" in response.content.decode()


def test_an_xlsform_import_warns_of_tags_that_read_alike(world):
    import io

    from openpyxl import load_workbook

    from pollwatch.collection.services import check_import_form
    from tests.sms.conftest import DEMO_FORMS

    wb = load_workbook(DEMO_FORMS / "opening_checklist.xlsx")
    survey = wb["survey"]
    header = [c.value for c in survey[1]]
    at_name, at_tag = header.index("name") + 1, header.index("sms_tag") + 1
    for row in range(2, survey.max_row + 1):
        name = survey.cell(row, at_name).value
        if name in ("opened_on_time", "ballot_box_sealed"):
            survey.cell(row, at_tag).value = {"opened_on_time": "VI", "ballot_box_sealed": "VL"}[name]
    out = io.BytesIO()
    wb.save(out)
    form, created = check_import_form(world.cis, out.getvalue(), filename="opening_checklist.xlsx")
    assert created
    assert ("SMS tags VI and VL read alike when I/L are typed as 1 and O as 0 (V1): a mistyped message could be "
            "read either way; consider changing one of them.") in form.warnings
    plain, _ = check_import_form(world.odihr, (DEMO_FORMS / "opening_checklist.xlsx").read_bytes(),
                                 filename="opening_checklist.xlsx")
    assert not any("read alike" in w for w in plain.warnings)
