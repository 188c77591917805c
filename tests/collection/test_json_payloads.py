"""Web entry and the REST API store the values as submitted (a JSON payload, no XForm instance built) and take the
one receive path: the same dedupe, edits, flags and derived tables as the same answers sent over OpenRosa."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction

from pollwatch.checks.services import check_create_quality_check
from pollwatch.collection import submissions as receive_path
from pollwatch.collection.models import Submission
from pollwatch.collection.submissions import SubmissionRejected, payload_reader, receive_submission
from pollwatch.operations.services import do_set_form_schedule
from tests.operations.reports import snapshot

from .conftest import count_xml

pytestmark = pytest.mark.django_db
SUBMIT = "/m/cis/submission"
CLOSE = dt.datetime(2024, 2, 7, 16, 0, tzinfo=dt.UTC)

COUNT = {"station_code": "S111", "ballot_box_sealed": "yes", "registered": 800, "ballots_cast": 512, "invalid": 12,
         "votes_mammadov": 300, "votes_aliyeva": 200, "protocol_posted": "no"}
COUNT_XML = ('<data id="count_form" version="2024020701"><station_code>S111</station_code><observer_code/>'
             "<ballot_box_sealed>yes</ballot_box_sealed><registered>800</registered><ballots_cast>512</ballots_cast>"
             "<invalid>12</invalid><votes_mammadov>300</votes_mammadov><votes_aliyeva>200</votes_aliyeva>"
             "<protocol_posted>no</protocol_posted><protocol_photo/>"
             "<meta><instanceID>uuid:same-answers</instanceID></meta></data>")
CHECKLIST = {"station_code": "S111", "voters_present": 14, "secrecy_respected": "no", "ink_checked": "yes",
             "problems": ["carousel", "stuffing"], "overall_assessment": "bad",
             "comments": "Zeynab's team: «carousel» at 11:00 & <b>twice</b>"}
CHECKLIST_XML = ('<data id="election_day_checklist" version="2024020701"><station_code>S111</station_code>'
                 "<voters_present>14</voters_present><secrecy_respected>no</secrecy_respected>"
                 "<ink_checked>yes</ink_checked><problems>carousel stuffing</problems>"
                 "<overall_assessment>bad</overall_assessment>"
                 "<comments>Zeynab's team: «carousel» at 11:00 &amp; &lt;b&gt;twice&lt;/b&gt;</comments>"
                 "<meta><instanceID>uuid:same-answers</instanceID></meta></data>")


@pytest.fixture
def boris_token(world):
    from pollwatch.collection.services import do_create_api_token

    return do_create_api_token(world.boris, "tests")[1]


@pytest.fixture
def api(client, boris_token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {boris_token}"}

    def post(body):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return client.post("/api/missions/cis/submissions", data, content_type="application/json", **auth)
    post.client, post.auth = client, auth
    return post


@pytest.fixture
def election_day(world, forms, monkeypatch):
    """A count form with a schedule and a quality check, and the receive path's clock stopped at the close."""
    do_set_form_schedule(world.cis, form_id="count_form", due_time=dt.time(21), required_fields=["votes_aliyeva"])
    check_create_quality_check(world.cis, form_id="count_form", name="adds up",
                               expression="ballots_cast == invalid + votes_mammadov + votes_aliyeva")

    class Clock:
        @staticmethod
        def now():
            return CLOSE

    monkeypatch.setattr(receive_path, "timezone", Clock)
    return world.cis


def derived_after(send, mission) -> dict:
    """The report and the election-day tables one report makes, then the database as it was before it."""
    point = transaction.savepoint()
    try:
        send()
        sub = Submission.objects.get(mission=mission)
        tables = snapshot(mission)
        # The report's id is the only thing a second run cannot share.
        tables["expected"] = [(*row[:4], row[4] and "the report", *row[5:]) for row in tables["expected"]]
        tables["checks"] = [(row[0], row[1] and "the report", *row[2:]) for row in tables["checks"]]
        tables["report"] = (sub.form_id, sub.values, sub.station_id, sub.observer_id, sub.needs_review,
                            sub.review_reason, sub.held, sub.received_at, sub.derive_state)
        tables["stored"] = (sub.transport, sub.payload_type, sub.raw)
        return tables
    finally:
        transaction.savepoint_rollback(point)


@pytest.mark.parametrize(("form_id", "values", "xml"), [("count_form", COUNT, COUNT_XML),
                                                        ("election_day_checklist", CHECKLIST, CHECKLIST_XML)])
def test_the_same_answers_make_the_same_report_over_openrosa_the_api_and_web_entry(
        world, forms, election_day, device, api, login, form_id, values, xml):
    cis = election_day
    web = login(world.boris)
    form = forms[("cis", form_id)]
    entry = {"observer": world.observers["CIS-001"].pk,
             **{k: v if isinstance(v, list) else str(v) for k, v in values.items()}}

    def over_openrosa():
        assert device("pavel").submit(SUBMIT, xml).status_code == 201

    def over_the_api():
        body = {"form_id": form_id, "observer_code": "CIS-001", "instance_id": "uuid:same-answers", "values": values}
        assert api(body).status_code == 201

    def over_the_api_as_texts():  # "800" for a whole number, as a form post gives it: typed as the phone's is
        texts = {k: v if isinstance(v, list) else str(v) for k, v in values.items()}
        body = {"form_id": form_id, "observer_code": "CIS-001", "instance_id": "uuid:same-answers", "values": texts}
        assert api(body).status_code == 201

    def by_web_entry():
        assert web.post(f"/missions/cis/forms/{form.pk}/enter", entry).status_code == 302

    openrosa = derived_after(over_openrosa, cis)
    assert openrosa["masters"] and openrosa["report"][1] == values and not openrosa["report"][4]
    if form_id == "count_form":
        assert openrosa["checks"] and openrosa["coverage"] and openrosa["expected"][0][3] != "missing"
    else:
        assert openrosa["checklist"]
    for send, transport, payload_type in [(over_the_api, "api", "api-json"), (over_the_api_as_texts, "api", "api-json"),
                                          (by_web_entry, "web", "web-json")]:
        other = derived_after(send, cis)
        stored = other.pop("stored")
        assert stored[:2] == (transport, payload_type)
        assert "<" + form_id not in stored[2] and json.loads(stored[2])["values"]  # the values as sent, no instance
        assert other == {k: v for k, v in openrosa.items() if k != "stored"}, transport


def test_an_api_report_sent_again_is_stored_once_and_other_answers_under_its_id_are_a_409(forms, api):
    body = {"form_id": "count_form", "observer_code": "CIS-001", "instance_id": "uuid:api-1", "values": COUNT}
    assert api(body).status_code == 201
    reordered = {**body, "values": dict(reversed(list(COUNT.items())))}  # the same answers: the same payload
    again = api(reordered)
    assert again.status_code == 200 and again.json()["instance_id"] == "uuid:api-1"
    conflict = api({**body, "values": {**COUNT, "ballots_cast": 513}})
    assert conflict.status_code == 409 and "uuid:api-1" in conflict.json()["detail"]
    assert Submission.objects.get().values["ballots_cast"] == 512


def test_an_api_report_and_a_phone_report_cannot_share_an_instance_id(forms, device, api):
    body = {"form_id": "count_form", "observer_code": "CIS-001", "instance_id": "uuid:a", "values": COUNT}
    assert api(body).status_code == 201
    assert device("pavel").submit(SUBMIT, count_xml("uuid:a")).status_code == 409
    assert Submission.objects.get().payload_type == "api-json"
    assert device("pavel").submit(SUBMIT, count_xml("uuid:b")).status_code == 201
    listed = api.client.get("/api/missions/cis/submissions", **api.auth).json()
    assert {s["instance_id"]: s["payload_type"] for s in listed} == {"uuid:a": "api-json", "uuid:b": "xform-xml"}


def test_an_api_edit_replaces_the_report_it_names(world, forms, api):
    body = {"form_id": "count_form", "observer_code": "CIS-001", "instance_id": "uuid:v1", "values": COUNT}
    assert api(body).status_code == 201
    edit = api({**body, "instance_id": "uuid:v2", "deprecated_id": "uuid:v1",
                "values": {**COUNT, "ballots_cast": 520, "invalid": 20}})
    assert edit.status_code == 201 and edit.json()["is_current"]
    assert not Submission.objects.get(instance_id="uuid:v1").is_current
    assert Submission.objects.get(instance_id="uuid:v2").deprecates.instance_id == "uuid:v1"


def test_an_api_edit_of_a_phones_report_is_held_for_review(world, forms, device, api):
    assert device("pavel").submit(SUBMIT, count_xml("uuid:v1")).status_code == 201
    body = {"form_id": "count_form", "observer_code": "CIS-001", "instance_id": "uuid:typed",
            "deprecated_id": "uuid:v1", "values": COUNT}
    assert api(body).status_code == 201
    typed = Submission.objects.get(instance_id="uuid:typed")
    assert typed.held and typed.claimed_edit_of == "uuid:v1"
    assert Submission.objects.get(instance_id="uuid:v1").is_current


@pytest.mark.parametrize(("body", "named"), [
    ('{"form_id": "count_form", "values": {', None),  # not JSON
    ('["count_form"]', None),
    ({"form_id": "count_form", "values": ["S111"]}, "values"),
    ({"form_id": "count_form", "values": {**COUNT, "registered": {"value": 800}}}, "registered"),
    ({"form_id": "count_form", "values": {**COUNT, "registered": [800]}}, "registered"),
    ({"form_id": "count_form", "values": {**COUNT, "registered": True}}, "registered"),
    ({"form_id": "count_form", "values": {**COUNT, "registered": 800.5}}, "registered"),
    ({"form_id": "count_form", "values": {**COUNT, "station_code": {"code": "S111"}}}, "station_code"),
    ({"form_id": "count_form", "values": {**COUNT, "protocol_posted": ["yes"]}}, "protocol_posted"),
    ({"form_id": "count_form", "values": {**COUNT, "registered": 10**30}}, "registered"),
    ({"form_id": "count_form", "values": {**COUNT, "registered": -(2**63)}}, "registered"),
    ('{"form_id": "count_form", "values": {"registered": 1e400}}', "registered"),  # a float overflowing to inf
    ('{"form_id": "count_form", "values": {"station_code": NaN}}', "station_code"),
    ('{"form_id": "count_form", "values": {"registered": ' + "9" * 5000 + "}}", None),  # past int's digit limit
    ({"form_id": "count_form", "instance_id": 7, "values": COUNT}, "instance_id"),
    ({"form_id": "count_form", "instance_id": "x" * 129, "values": COUNT}, "instance_id"),
])
def test_bad_json_wrong_types_and_huge_numbers_are_a_400_and_nothing_is_stored(forms, api, body, named):
    response = api(body)
    assert response.status_code == 400, response.content
    if named:
        assert named in json.dumps(response.json()["detail"])
    assert not Submission.objects.exists()


def test_web_entry_refuses_a_number_too_large_to_count_with_a_400(world, forms, login):
    form = forms[("cis", "opening_checklist")]
    response = login(world.boris).post(f"/missions/cis/forms/{form.pk}/enter", {
        "observer": world.observers["CIS-001"].pk, "station_code": "S111", "opened_at": "08:05",
        "opened_on_time": "no", "ballot_box_sealed": "yes", "voter_list_present": "yes",
        "commission_members": "9" * 30, "unauthorised_persons": "no",
    })
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_a_json_payload_whose_answer_is_not_of_its_type_is_stored_and_flagged_not_dropped(world, forms):
    raw = json.dumps({"form_id": "count_form", "version": "2024020701", "instance_id": "uuid:odd",
                      "values": {**COUNT, "invalid": "twelve"}}).encode()
    receipt = receive_submission(raw, transport="api", mission=world.cis, observer=world.observers["CIS-001"])
    sub = receipt.submission
    assert sub.payload_type == "api-json" and sub.values["invalid"] == "twelve"
    assert sub.needs_review and "invalid: 'twelve' is not a valid int" in sub.review_reason


@pytest.mark.parametrize(("raw", "status"), [
    (b"{not json", 400), (b'{"form_id": "count_form", "values": {}}', 400), (b"\xff\xfe", 400),
    (b'{"form_id": "nope", "instance_id": "uuid:x", "values": {}}', 404),
])
def test_a_json_payload_the_receive_path_cannot_read_is_refused_with_a_4xx(world, forms, raw, status):
    with pytest.raises(SubmissionRejected) as refused:
        receive_submission(raw, transport="web", mission=world.cis)
    assert refused.value.status == status


def test_a_json_payload_to_a_closed_form_is_a_410(world, forms, api):
    from pollwatch.collection.services import do_set_form_active

    raw = json.dumps({"form_id": "count_form", "version": "2024020701", "instance_id": "uuid:late",
                      "values": COUNT}).encode()
    do_set_form_active(forms[("cis", "count_form")], False, user=world.boris)
    with pytest.raises(SubmissionRejected) as refused:
        receive_submission(raw, transport="api", mission=world.cis)
    assert refused.value.status == 410


def test_reparse_rebuilds_api_and_web_reports_from_their_json(world, forms, api, login):
    from pollwatch.collection.submissions import do_reparse_submissions

    assert api({"form_id": "count_form", "observer_code": "CIS-001", "instance_id": "uuid:j",
                "values": COUNT}).status_code == 201
    form = forms[("cis", "opening_checklist")]
    assert login(world.boris).post(f"/missions/cis/forms/{form.pk}/enter", {
        "observer": world.observers["CIS-001"].pk, "station_code": "S111", "opened_at": "08:05",
        "opened_on_time": "no", "ballot_box_sealed": "yes", "voter_list_present": "yes",
        "commission_members": "7", "unauthorised_persons": "no",
    }).status_code == 302
    before = dict(Submission.objects.values_list("payload_type", "values"))
    assert before["web-json"]["opened_at"] == "08:05:00" and before["api-json"]["registered"] == 800
    Submission.objects.update(values={}, station=None)
    assert do_reparse_submissions(world.cis) == 2
    assert dict(Submission.objects.values_list("payload_type", "values")) == before
    assert set(Submission.objects.values_list("station__code", flat=True)) == {"S111"}


def test_every_transport_has_a_payload_reader_and_an_unknown_payload_type_has_none():
    for payload_type in ("xform-xml", "api-json", "web-json", "sms-text"):
        assert callable(payload_reader(payload_type))
    with pytest.raises(LookupError, match="no payload reader"):
        payload_reader("fax")
