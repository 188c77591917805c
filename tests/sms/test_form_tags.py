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
