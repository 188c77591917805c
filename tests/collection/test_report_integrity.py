"""Report integrity (finding 2): one phone login cannot rewrite another observer's results. An edit naming another
login's report is kept next to it, held for review; a report for a station outside the sender's deployment is held;
master records and the quick count take neither until a coordinator accepts it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pollwatch.collection.models import Submission
from pollwatch.operations.models import MasterRecord

from .conftest import PIN, DigestClient, count_xml

pytestmark = pytest.mark.django_db

SUBMIT = "/m/cis/submission"


@pytest.fixture
def sergei(world, client, forms, devices):
    """CIS-002, a second observer of the CIS mission at station S112, with his own device login."""
    from pollwatch.collection.services import do_set_device_credential
    from pollwatch.missions.services import do_create_observer, do_deploy_observer

    observer = do_create_observer(world.cis, code="CIS-002", name="Sergei Volkov")
    start = dt.datetime(2024, 2, 7, 3, 0, tzinfo=dt.UTC)
    do_deploy_observer(observer, station=world.stations["S112"], shift_start=start,
                       shift_end=start + dt.timedelta(hours=14))
    do_set_device_credential(observer, username="sergei", password=PIN)
    return DigestClient(client, "sergei", PIN)


def _master(world, code):
    return MasterRecord.objects.filter(mission=world.cis, station=world.stations[code], form_id="count_form").first()


def test_an_edit_from_another_observers_login_does_not_replace_the_report(world, device, sergei):
    assert device("pavel").submit(SUBMIT, count_xml("uuid:v1", ballots=512)).status_code == 201
    assert sergei.submit(SUBMIT, count_xml("uuid:forged", ballots=999, deprecated="uuid:v1")).status_code == 201
    original = Submission.objects.get(instance_id="uuid:v1")
    forged = Submission.objects.get(instance_id="uuid:forged")
    assert original.is_current and not original.superseded_by.exists()
    assert forged.deprecates is None and forged.claimed_edit_of == "uuid:v1"
    assert forged.held and forged.needs_review and "another login" in forged.review_reason
    assert _master(world, "S111").values["ballots_cast"] == 512  # the master record ignores the held report


def test_the_same_observers_edit_still_replaces_their_report(world, device, sergei):
    pavel = device("pavel")
    assert pavel.submit(SUBMIT, count_xml("uuid:v1", ballots=512)).status_code == 201
    assert pavel.submit(SUBMIT, count_xml("uuid:v2", ballots=505, deprecated="uuid:v1")).status_code == 201
    edit = Submission.objects.get(instance_id="uuid:v2")
    assert edit.deprecates.instance_id == "uuid:v1" and not edit.held
    assert _master(world, "S111").values["ballots_cast"] == 505


def test_a_report_for_a_station_the_observer_is_not_deployed_to_is_held(world, device, sergei):
    assert sergei.submit(SUBMIT, count_xml("uuid:far", station="S211")).status_code == 201
    far = Submission.objects.get(instance_id="uuid:far")
    assert far.held and "not in the observer's deployment" in far.review_reason
    assert _master(world, "S211") is None
    # A mobile team member's area covers its stations: ODI-001 (region R1) reporting from S121 is not held.
    assert device("ingrid").submit("/m/odihr/submission", count_xml("uuid:odi", station="S121")).status_code == 201
    assert not Submission.objects.get(instance_id="uuid:odi").held


def test_the_quick_count_never_takes_a_held_report(world, device, sergei):
    from pollwatch.pvt.queries import live_estimate
    from pollwatch.pvt.services import do_draw_pvt_sample

    sample = do_draw_pvt_sample(world.cis, name="PVT", size=4, strata=[], seed=1)
    assert device("pavel").submit(SUBMIT, count_xml("uuid:v1", ballots=512)).status_code == 201
    for i, code in enumerate(("S111", "S121", "S211")):  # forged counts: another's station, undeployed ones
        deprecated = "uuid:v1" if code == "S111" else ""
        assert sergei.submit(SUBMIT, count_xml(f"uuid:f{i}", station=code, ballots=700,
                                               deprecated=deprecated)).status_code == 201
    live = live_estimate(sample)
    # Only pavel's report reaches the estimate (rows it used or flagged as unusable): none of the forged ones.
    assert live.reported + len(live.flagged) == 1


def test_a_coordinator_accepts_a_held_report_and_it_counts_next_to_the_original(world, login, device, sergei):
    assert device("pavel").submit(SUBMIT, count_xml("uuid:v1", ballots=512)).status_code == 201
    assert sergei.submit(SUBMIT, count_xml("uuid:forged", ballots=999, deprecated="uuid:v1")).status_code == 201
    forged = Submission.objects.get(instance_id="uuid:forged")
    url = reverse("collection-submission-accept", args=["cis", forged.pk])
    assert login(world.bella).post(url).status_code == 403  # an analyst does not resolve conflicts
    assert login(world.boris).post(url).status_code == 302
    forged.refresh_from_db()
    assert not forged.held and forged.accepted_by == world.boris
    assert Submission.objects.get(instance_id="uuid:v1").is_current
    master = _master(world, "S111")
    assert master.open_conflicts >= 1 and set(master.conflicts["ballots_cast"]["values"]) == {512, 999}


def test_a_coordinator_typing_an_edit_of_an_observers_report_is_held_too(world, login, forms, device):
    assert device("pavel").submit(SUBMIT, count_xml("uuid:v1", ballots=512)).status_code == 201
    from pollwatch.collection.payloads import json_payload
    from pollwatch.collection.submissions import receive_submission

    values = {"station_code": "S111", "ballot_box_sealed": "yes", "registered": 800, "ballots_cast": 600,
              "invalid": 12, "votes_mammadov": 300, "votes_aliyeva": 288, "protocol_posted": "yes"}
    raw = json_payload(forms[("cis", "count_form")], values, instance_id="uuid:typed", deprecated_id="uuid:v1")
    receipt = receive_submission(raw, transport="web", mission=world.cis, observer=world.observers["CIS-001"],
                                 entered_by=world.boris)
    assert receipt.submission.held and Submission.objects.get(instance_id="uuid:v1").is_current
