"""The OpenRosa server: formList, download, submission with Digest auth, idempotency, conflicts, edits, bad input."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from pollwatch.collection.models import Submission

from .conftest import count_xml, photo

pytestmark = pytest.mark.django_db

SUBMIT = "/m/cis/submission"


def test_form_list_offers_the_current_version_of_each_mission_form(forms, device):
    response = device("pavel").get("/m/cis/formList")
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    root = fromstring(response.content)
    ns = "{http://openrosa.org/xforms/xformsList}"
    items = {x.findtext(f"{ns}formID"): x for x in root.findall(f"{ns}xform")}
    assert set(items) == {"count_form", "election_day_checklist", "incident_report", "opening_checklist"}
    count = items["count_form"]
    assert count.findtext(f"{ns}hash") == f"md5:{forms[('cis', 'count_form')].md5}"
    assert count.findtext(f"{ns}version") == "2024020701"
    assert count.findtext(f"{ns}downloadUrl").endswith("/m/cis/forms/count_form/2024020701/form.xml")


def test_form_download_serves_the_xform_whose_md5_the_list_announces(forms, device):
    import hashlib

    response = device("pavel").get("/m/cis/forms/count_form/2024020701/form.xml")
    assert response.status_code == 200
    assert hashlib.md5(response.content).hexdigest() == forms[("cis", "count_form")].md5  # noqa: S324
    manifest = device("pavel").get("/m/cis/forms/count_form/2024020701/manifest")
    assert manifest.status_code == 200 and b"xformsManifest" in manifest.content


def test_head_submission_answers_204_with_the_accepted_length(forms, device):
    response = device("pavel").head(SUBMIT)
    assert response.status_code == 204
    assert int(response["X-OpenRosa-Accept-Content-Length"]) > 1_000_000
    assert response["X-OpenRosa-Version"] == "1.0"


def test_a_submission_is_stored_with_parsed_values_station_observer_and_attachment(world, forms, device):
    response = device("pavel").submit(
        SUBMIT, count_xml("uuid:one", photo="protocol.jpg"),
        files={"protocol.jpg": ("protocol.jpg", photo(), "image/jpeg")},
    )
    assert response.status_code == 201, response.content
    assert b"OpenRosaResponse" in response.content
    sub = Submission.objects.get(instance_id="uuid:one")
    assert sub.values["ballots_cast"] == 512 and sub.values["protocol_posted"] == "yes"
    assert sub.station == world.stations["S111"]
    assert sub.observer == world.observers["CIS-001"]
    assert sub.form == forms[("cis", "count_form")]
    assert not sub.needs_review
    assert sub.raw == count_xml("uuid:one", photo="protocol.jpg")
    attachment = sub.attachments.get()
    assert attachment.size == len(photo()) and attachment.file.read() == photo()


def test_resubmitting_identical_xml_stores_one_report(forms, device):
    pavel = device("pavel")
    assert pavel.submit(SUBMIT, count_xml("uuid:twice")).status_code == 201
    again = pavel.submit(SUBMIT, count_xml("uuid:twice"))
    assert again.status_code == 201
    assert b"already received" in again.content
    assert Submission.objects.filter(instance_id="uuid:twice").count() == 1


def test_a_resubmission_split_over_two_posts_adds_the_missing_attachment(forms, device):
    pavel = device("pavel")
    pavel.submit(SUBMIT, count_xml("uuid:split", photo="p.jpg"))
    pavel.submit(SUBMIT, count_xml("uuid:split", photo="p.jpg"), files={"p.jpg": ("p.jpg", photo(), "image/jpeg")})
    assert [a.name for a in Submission.objects.get(instance_id="uuid:split").attachments.all()] == ["p.jpg"]


def test_the_same_instance_id_with_other_content_is_a_409_and_keeps_the_first_report(forms, device):
    pavel = device("pavel")
    pavel.submit(SUBMIT, count_xml("uuid:clash", ballots=500))
    response = pavel.submit(SUBMIT, count_xml("uuid:clash", ballots=999))
    assert response.status_code == 409
    assert Submission.objects.get(instance_id="uuid:clash").values["ballots_cast"] == 500


def test_an_edit_with_deprecated_id_is_a_new_version_linked_to_the_old(forms, device):
    pavel = device("pavel")
    pavel.submit(SUBMIT, count_xml("uuid:v1", ballots=500))
    assert pavel.submit(SUBMIT, count_xml("uuid:v2", ballots=505, deprecated="uuid:v1")).status_code == 201
    old, new = Submission.objects.get(instance_id="uuid:v1"), Submission.objects.get(instance_id="uuid:v2")
    assert new.deprecates == old
    assert not old.is_current and new.is_current
    assert new.values["ballots_cast"] == 505


def test_an_unknown_station_code_is_stored_and_flagged_for_review(forms, device):
    assert device("pavel").submit(SUBMIT, count_xml("uuid:where", station="S999")).status_code == 201
    sub = Submission.objects.get(instance_id="uuid:where")
    assert sub.station is None and sub.needs_review
    assert "S999" in sub.review_reason


def test_a_submission_made_with_an_old_form_version_keeps_pointing_to_it(world, forms, device):
    from pollwatch.collection.services import check_import_form

    from .test_forms import bumped_xlsform

    new, created = check_import_form(world.cis, bumped_xlsform("count_form", "2024020702"), filename="c.xlsx")
    assert created
    device("pavel").submit(SUBMIT, count_xml("uuid:old-version"))
    assert Submission.objects.get(instance_id="uuid:old-version").form == forms[("cis", "count_form")]
    listing = fromstring(device("pavel").get("/m/cis/formList").content)
    ns = "{http://openrosa.org/xforms/xformsList}"
    versions = [x.findtext(f"{ns}version") for x in listing.findall(f"{ns}xform") if x.findtext(f"{ns}formID") == "count_form"]
    assert versions == ["2024020702"]


# ---------------------------------------------------------------- bad input

def test_missing_auth_is_a_401_with_a_digest_challenge(forms, client):
    response = client.post(SUBMIT, {})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Digest realm="pollwatch"')
    assert 'qop="auth"' in response["WWW-Authenticate"]


def test_a_head_without_auth_gets_the_challenge_without_a_body(forms, rf):
    # Called directly: Django's test client strips HEAD bodies itself, a WSGI server does not.
    from pollwatch.collection.openrosa import submission

    response = submission(rf.head(SUBMIT), slug="cis")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Digest ")
    assert response.content == b""


def test_a_wrong_pin_is_a_401(forms, client, devices):
    from .conftest import DigestClient

    assert DigestClient(client, "pavel", "0000").get("/m/cis/formList").status_code == 401


def test_an_expired_nonce_is_a_401_marked_stale(forms, client, devices):
    from pollwatch.collection import digest

    old = digest.make_nonce(now=0)
    challenge = f'Digest realm="pollwatch", qop="auth", nonce="{old}", algorithm=MD5'
    header = digest.authorization_header("pavel", devices["pavel"], method="GET", uri="/m/cis/formList",
                                         www_authenticate=challenge)
    response = client.get("/m/cis/formList", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and "stale=true" in response["WWW-Authenticate"]


def test_an_observer_submitting_to_another_mission_gets_the_answer_of_a_mission_that_does_not_exist(forms, device):
    # Finding 11: 403 for a real slug and 404 for an unknown one told a device login the other missions' slugs.
    response = device("ingrid").submit(SUBMIT, count_xml("uuid:trespass"))
    nowhere = device("ingrid").submit("/m/no-such-mission/submission", count_xml("uuid:trespass"))
    assert (response.status_code, response.content) == (nowhere.status_code, nowhere.content)
    assert response.status_code == 404
    for path in ("/m/cis/formList", "/m/no-such-mission/formList"):
        assert device("ingrid").get(path).content == device("ingrid").get("/m/no-such-mission/formList").content
    assert not Submission.objects.filter(instance_id="uuid:trespass").exists()


def test_malformed_xml_is_a_400_with_a_clear_message(forms, device):
    response = device("pavel").submit(SUBMIT, "<data id='count_form'><unclosed></data>")
    assert response.status_code == 400
    assert b"malformed XML" in response.content


@pytest.mark.parametrize("payload", [
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<data id="count_form" version="2024020701"><station_code>&x;</station_code>'
    "<meta><instanceID>uuid:xxe</instanceID></meta></data>",
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
    '<data id="count_form" version="2024020701"><station_code>&lol2;</station_code>'
    "<meta><instanceID>uuid:lol</instanceID></meta></data>",
], ids=["xxe", "billion-laughs"])
def test_xml_with_a_doctype_or_entities_is_a_400_and_nothing_is_stored(forms, device, payload):
    response = device("pavel").submit(SUBMIT, payload)
    assert response.status_code == 400
    assert b"DOCTYPE" in response.content
    assert Submission.objects.count() == 0


def test_a_submission_to_an_unknown_form_is_a_404(forms, device):
    response = device("pavel").submit(SUBMIT, count_xml("uuid:nowhere", form_id="no_such_form"))
    assert response.status_code == 404 and b"no_such_form" in response.content


def test_a_submission_to_a_closed_form_is_a_410(forms, device):
    from pollwatch.collection.services import do_set_form_active

    do_set_form_active(forms[("cis", "count_form")], False)
    response = device("pavel").submit(SUBMIT, count_xml("uuid:late"))
    assert response.status_code == 410 and b"closed" in response.content


def test_an_oversized_submission_is_a_413_and_earlier_reports_survive(forms, device, client):
    from pollwatch.collection.openrosa import MAX_SUBMISSION_BYTES

    device("pavel").submit(SUBMIT, count_xml("uuid:kept"))
    response = client.post(SUBMIT, b"x", content_type="multipart/form-data; boundary=b",
                           CONTENT_LENGTH=str(MAX_SUBMISSION_BYTES + 1))
    assert response.status_code == 413
    assert Submission.objects.filter(instance_id="uuid:kept").exists()


def test_a_post_without_the_xml_part_is_a_400(forms, device):
    pavel = device("pavel")
    response = pavel.client.post(SUBMIT, {"other": "x"}, **pavel._auth("POST", SUBMIT))
    assert response.status_code == 400 and b"xml_submission_file" in response.content


def test_an_instance_without_instance_id_is_a_400(forms, device):
    xml = '<data id="count_form" version="2024020701"><station_code>S111</station_code></data>'
    response = device("pavel").submit(SUBMIT, xml)
    assert response.status_code == 400 and b"instanceID" in response.content


def test_the_manifest_lists_a_forms_media_files_and_serves_them(forms, device):
    import hashlib

    from pollwatch.collection.services import do_attach_form_media

    do_attach_form_media(forms[("cis", "incident_report")], "logo.png", b"\x89PNG-logo")
    pavel = device("pavel")
    manifest = fromstring(pavel.get("/m/cis/forms/incident_report/2024020701/manifest").content)
    ns = "{http://openrosa.org/xforms/xformsManifest}"
    entry = manifest.find(f"{ns}mediaFile")
    assert entry.findtext(f"{ns}filename") == "logo.png"
    assert entry.findtext(f"{ns}hash") == "md5:" + hashlib.md5(b"\x89PNG-logo").hexdigest()  # noqa: S324
    path = entry.findtext(f"{ns}downloadUrl").removeprefix("http://testserver")
    response = pavel.get(path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\x89PNG-logo"


def test_a_digest_made_for_another_url_is_refused(forms, client, devices):
    from pollwatch.collection import digest

    challenge = client.get("/m/cis/formList")["WWW-Authenticate"]
    header = digest.authorization_header("pavel", devices["pavel"], method="GET", uri="/m/cis/forms/x/1/form.xml",
                                         www_authenticate=challenge)
    assert client.get("/m/cis/formList", HTTP_AUTHORIZATION=header).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_duplicates_and_conflicts_outside_a_test_transaction_keep_one_row_as_in_production(forms, device):
    # Production has no enclosing transaction: the failed INSERT rolls back the whole transaction, then the
    # duplicate is looked at in a fresh one (no savepoint). This test runs without the test-case transaction.
    pavel = device("pavel")
    assert pavel.submit(SUBMIT, count_xml("uuid:prod", ballots=1)).status_code == 201
    assert pavel.submit(SUBMIT, count_xml("uuid:prod", ballots=1)).status_code == 201
    assert pavel.submit(SUBMIT, count_xml("uuid:prod", ballots=2)).status_code == 409
    assert pavel.submit(SUBMIT, count_xml("uuid:next")).status_code == 201
    assert sorted(Submission.objects.values_list("instance_id", flat=True)) == ["uuid:next", "uuid:prod"]



@pytest.mark.django_db(transaction=True)
def test_a_report_naming_a_station_deleted_since_it_was_cached_is_stored_and_flagged(world, forms, device):
    # Each process caches the election's station codes; a station deleted meanwhile must not turn the report
    # into a failed insert (the foreign key is checked at commit, so only outside a test transaction).
    from pollwatch.geography.models import PollingStation
    from pollwatch.geography.services import do_create_station

    do_create_station(world.stations["S111"].unit, code="S777", name="Temporary", registered_voters=500)
    pavel = device("pavel")
    assert pavel.submit(SUBMIT, count_xml("uuid:before", station="S777")).status_code == 201
    PollingStation.objects.filter(code="S777").delete()
    assert pavel.submit(SUBMIT, count_xml("uuid:after", station="S777")).status_code == 201
    after = Submission.objects.get(instance_id="uuid:after")
    assert after.station is None and after.needs_review and "S777" in after.review_reason
    assert Submission.objects.filter(instance_id="uuid:before").exists()

def test_a_received_report_updates_the_election_day_tables_at_once(world):
    # Every transport ends in receive_submission, which brings master records and checks up to date.
    from pollwatch.collection.services import check_import_form
    from pollwatch.collection.submissions import receive_submission
    from pollwatch.operations.models import MasterRecord

    from .conftest import DEMO_FORMS

    check_import_form(world.cis, (DEMO_FORMS / "count_form.xlsx").read_bytes(), filename="count_form.xlsx")
    xml = (
        '<data id="count_form" version="2024020701"><station_code>S111</station_code><registered>800</registered>'
        "<ballots_cast>500</ballots_cast><invalid>0</invalid><votes_mammadov>300</votes_mammadov>"
        "<votes_aliyeva>200</votes_aliyeva><protocol_posted>yes</protocol_posted>"
        "<meta><instanceID>uuid:derive-1</instanceID></meta></data>"
    )
    receipt = receive_submission(xml.encode(), transport="openrosa", mission=world.cis,
                                 observer=world.observers["CIS-001"])
    assert receipt.created
    master = MasterRecord.objects.get(mission=world.cis, station=world.stations["S111"])
    assert master.values["ballots_cast"] == 500
