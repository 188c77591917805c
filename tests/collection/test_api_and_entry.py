"""REST API (token auth), web entry by a coordinator, reparse from the raw store, and the demo hook."""

from __future__ import annotations

import json

import pytest

from pollwatch.collection.models import Submission

from .conftest import count_xml, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def boris_token(world):
    from pollwatch.collection.services import do_create_api_token

    return do_create_api_token(world.boris, "tests")[1]


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_without_a_token_is_a_401(client, world):
    assert client.get("/api/missions/cis/forms").status_code == 401


def test_the_api_lists_forms_and_stations_of_the_mission(client, forms, boris_token):
    response = client.get("/api/missions/cis/forms", **_bearer(boris_token))
    assert response.status_code == 200
    assert {f["form_id"] for f in response.json()} >= {"count_form", "incident_report"}
    stations = client.get("/api/missions/cis/stations", **_bearer(boris_token)).json()
    assert [s["code"] for s in stations] == ["S111", "S112", "S121", "S211"]


def test_the_api_answers_another_missions_data_with_404(client, forms, boris_token):
    assert client.get("/api/missions/odihr/submissions", **_bearer(boris_token)).status_code == 404


def test_a_json_submission_is_validated_then_stored_as_its_json(client, world, forms, boris_token):
    values = {"station_code": "S112", "registered": 1200, "ballots_cast": 700, "invalid": 5,
              "votes_mammadov": 400, "votes_aliyeva": 295, "protocol_posted": "no",
              "ballot_box_sealed": "yes"}
    body = {"form_id": "count_form", "observer_code": "CIS-001", "instance_id": "uuid:api-1", "values": values}
    response = client.post("/api/missions/cis/submissions", body, content_type="application/json",
                           **_bearer(boris_token))
    assert response.status_code == 201, response.content
    assert response.json()["values"]["ballots_cast"] == 700 and response.json()["station"] == "S112"
    sub = Submission.objects.get(instance_id="uuid:api-1")
    assert sub.transport == "api" and sub.entered_by == world.boris and sub.payload_type == "api-json"
    assert json.loads(sub.raw)["values"] == values  # the values as submitted: no XForm instance is built
    again = client.post("/api/missions/cis/submissions", body, content_type="application/json", **_bearer(boris_token))
    assert again.status_code == 200


def test_a_json_submission_with_bad_values_is_a_400_naming_the_fields(client, forms, boris_token):
    body = {"form_id": "count_form", "values": {"station_code": "S111", "registered": "many", "bogus": 1,
                                                 "protocol_posted": "maybe"}}
    response = client.post("/api/missions/cis/submissions", body, content_type="application/json",
                           **_bearer(boris_token))
    assert response.status_code == 400
    errors = response.json()["detail"]["values"]
    assert set(errors) >= {"registered", "bogus", "protocol_posted", "ballots_cast"}


def test_the_api_lists_and_filters_submissions_with_attachments(client, forms, device, boris_token):
    device("pavel").submit("/m/cis/submission", count_xml("uuid:a", photo="p.jpg"),
                           files={"p.jpg": ("p.jpg", photo(), "image/jpeg")})
    device("pavel").submit("/m/cis/submission", count_xml("uuid:b", station="S999"))
    listed = client.get("/api/missions/cis/submissions?needs_review=false", **_bearer(boris_token)).json()
    assert [s["instance_id"] for s in listed] == ["uuid:a"] and listed[0]["attachments"] == ["p.jpg"]
    one = client.get(f"/api/missions/cis/submissions/{listed[0]['id']}", **_bearer(boris_token))
    assert one.json()["observer"] == "CIS-001"


def test_the_openapi_docs_are_served(client):
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "pollwatch API"


def test_a_coordinator_enters_a_phoned_in_report_marked_as_entered_by(world, forms, login):
    form = forms[("cis", "opening_checklist")]
    page = login(world.boris)
    assert b"Commission members present" in page.get(f"/missions/cis/forms/{form.pk}/enter").content
    response = page.post(f"/missions/cis/forms/{form.pk}/enter", {
        "observer": world.observers["CIS-001"].pk, "station_code": "S111", "opened_at": "08:05",
        "opened_on_time": "no", "ballot_box_sealed": "yes", "voter_list_present": "yes",
        "commission_members": "7", "unauthorised_persons": "no",
    })
    assert response.status_code == 302, response.content
    sub = Submission.objects.get(transport="web")
    assert sub.entered_by == world.boris and sub.observer == world.observers["CIS-001"]
    assert sub.values["commission_members"] == 7 and sub.station == world.stations["S111"]
    detail = page.get(f"/missions/cis/submissions/{sub.pk}/")
    assert b"entered by boris" in detail.content
    # Stored as typed in (JSON, no XForm instance), and shown as stored.
    assert sub.payload_type == "web-json" and json.loads(sub.raw)["values"]["opened_at"] == "08:05:00"
    assert b"web-json" in detail.content and b"&quot;commission_members&quot;:7" in detail.content


def test_web_entry_with_a_missing_required_answer_is_a_400(world, forms, login):
    form = forms[("cis", "opening_checklist")]
    response = login(world.boris).post(f"/missions/cis/forms/{form.pk}/enter", {"observer": world.observers["CIS-001"].pk})
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_the_submission_list_shows_reports_with_a_bounded_number_of_queries(world, forms, device, login,
                                                                             django_assert_max_num_queries):
    for n in range(5):
        device("pavel").submit("/m/cis/submission", count_xml(f"uuid:list-{n}"))
    page = login(world.bella)
    with django_assert_max_num_queries(12):
        response = page.get("/missions/cis/submissions/")
    assert response.content.count(b"/missions/cis/submissions/") >= 5


def test_reparse_rebuilds_values_from_the_raw_store(world, forms, device):
    from pollwatch.collection.submissions import do_reparse_submissions

    device("pavel").submit("/m/cis/submission", count_xml("uuid:re"))
    Submission.objects.filter(instance_id="uuid:re").update(values={}, station=None)
    assert do_reparse_submissions(world.cis) == 1
    sub = Submission.objects.get(instance_id="uuid:re")
    assert sub.values["ballots_cast"] == 512 and sub.station == world.stations["S111"]


def test_the_demo_hook_imports_forms_and_gives_a_deployed_observer_a_working_login(world, client):
    from pollwatch.collection import digest
    from pollwatch.collection.demo import build_demo_collection

    lines = build_demo_collection(world.cis, seed=7, base_url="http://127.0.0.1:8000")
    assert lines["openrosa_url"] == "http://127.0.0.1:8000/m/cis/" and lines["forms"] == "4"
    challenge = client.get("/m/cis/formList")["WWW-Authenticate"]
    header = digest.authorization_header(lines["openrosa_user"], lines["openrosa_password"], method="GET",
                                         uri="/m/cis/formList", www_authenticate=challenge)
    assert client.get("/m/cis/formList", HTTP_AUTHORIZATION=header).status_code == 200
