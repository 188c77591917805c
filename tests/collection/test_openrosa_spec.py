"""What the OpenRosa form-list and form-submission APIs require beyond the basics, and the invariant that a form
without an XForm is never offered, served or filled; XML nesting bounds; device logins unique per mission."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from pollwatch.collection.models import ObservationForm, Submission

from .conftest import PIN, DigestClient, count_xml

pytestmark = pytest.mark.django_db

NS = "{http://openrosa.org/xforms/xformsList}"
SUBMIT = "/m/cis/submission"


def listed(response) -> list[str]:
    return [x.findtext(f"{NS}formID") for x in fromstring(response.content).findall(f"{NS}xform")]


def test_form_list_with_form_id_lists_only_that_form_and_nothing_for_an_unknown_one(forms, device):
    assert listed(device("pavel").get("/m/cis/formList?formID=count_form")) == ["count_form"]
    empty = device("pavel").get("/m/cis/formList?formID=no_such_form")
    assert empty.status_code == 200 and listed(empty) == []


def test_an_accepted_submission_says_how_large_a_submission_may_be(forms, device):
    head = device("pavel").head(SUBMIT)
    created = device("pavel").submit(SUBMIT, count_xml("uuid:len"))
    again = device("pavel").submit(SUBMIT, count_xml("uuid:len"))
    assert (head.status_code, created.status_code) == (204, 201)
    assert head["X-OpenRosa-Accept-Content-Length"] == created["X-OpenRosa-Accept-Content-Length"]
    assert again["X-OpenRosa-Accept-Content-Length"] == created["X-OpenRosa-Accept-Content-Length"]
    assert int(created["X-OpenRosa-Accept-Content-Length"]) >= 10_000_000


def test_a_form_without_an_xform_is_not_listed_not_downloadable_and_takes_no_report(world, forms, device):
    ObservationForm.objects.create(mission=world.cis, form_id="closing", version="demo", title="Closing",
                                   kind="closing", fields=[{"name": "valid", "type": "int"}])
    assert "closing" not in listed(device("pavel").get("/m/cis/formList"))
    assert listed(device("pavel").get("/m/cis/formList?formID=closing")) == []
    assert device("pavel").get("/m/cis/forms/closing/demo/form.xml").status_code == 404
    assert device("pavel").get("/m/cis/forms/closing/demo/manifest").status_code == 404
    answer = device("pavel").submit(SUBMIT, count_xml("uuid:placeholder", form_id="closing", version="demo"))
    assert answer.status_code == 404 and b"has no XForm" in answer.content
    assert not Submission.objects.filter(instance_id="uuid:placeholder").exists()


def test_an_api_report_for_a_form_without_an_xform_is_a_404(world, forms, client):
    from pollwatch.collection.services import do_create_api_token

    ObservationForm.objects.create(mission=world.cis, form_id="closing", version="demo", title="Closing",
                                   kind="closing", fields=[{"name": "valid", "type": "int"}])
    _, token = do_create_api_token(world.boris)
    response = client.post("/api/missions/cis/submissions", {"form_id": "closing", "values": {"valid": 3}},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404


def test_a_report_nested_thousands_of_elements_deep_is_a_400_and_nothing_is_stored(forms, device):
    deep = ("<data id='count_form' version='2024020701'>" + "<a>" * 5000 + "x" + "</a>" * 5000
            + "<meta><instanceID>uuid:deep</instanceID></meta></data>")
    answer = device("pavel").submit(SUBMIT, deep)
    assert answer.status_code == 400 and b"nested more than" in answer.content
    assert not Submission.objects.filter(instance_id="uuid:deep").exists()


def test_two_missions_may_each_have_a_device_login_co_0001(world, forms, client):
    from pollwatch.collection.services import do_set_device_credential
    from pollwatch.missions.services import do_create_observer

    cis = do_create_observer(world.cis, code="CO-0001", name="Pavel Orlov", phone="+7900000009")
    odihr = do_create_observer(world.odihr, code="CO-0001", name="Ingrid Larsen", phone="+4790000009")
    assert do_set_device_credential(cis, password="11111111")[0].username == "co-0001"
    assert do_set_device_credential(odihr, password="22222222")[0].username == "co-0001"
    # Each phone reaches its own mission with its own PIN; on the other mission's URL it is told there is no such
    # mission for it (the answer for a slug that does not exist, so a login learns no other mission's slug).
    assert DigestClient(client, "co-0001", "11111111").get("/m/cis/formList").status_code == 200
    assert DigestClient(client, "co-0001", "22222222").get("/m/odihr/formList").status_code == 200
    assert DigestClient(client, "co-0001", "22222222").get("/m/cis/formList").status_code == 404
    assert DigestClient(client, "co-0001", "33333333").get("/m/cis/formList").status_code == 401


def test_a_device_login_taken_by_another_observer_of_the_mission_is_refused(world, devices):
    from pollwatch.collection.services import do_set_device_credential
    from pollwatch.missions.services import do_create_observer

    other = do_create_observer(world.cis, code="CIS-002", name="Olga Petrova", phone="+7900000002")
    with pytest.raises(ValueError, match="belongs to another observer"):
        do_set_device_credential(other, username="pavel", password=PIN)
