"""The bulk rebuild gives exactly what the per-report path gives: master records (with coordinators'
resolutions), expected-report statuses, quality-check results and the dashboard's counters."""

import datetime as dt

import pytest

from pollwatch.checks.services import check_create_quality_check
from pollwatch.missions.services import do_create_observer, do_deploy_observer
from pollwatch.operations.bulk import do_rebuild_election_day
from pollwatch.operations.models import ExpectedReport, MasterRecord
from pollwatch.operations.services import check_resolve_conflict, do_set_form_schedule
from tests.operations.reports import make_form, report, scramble, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_day(world):
    """CIS: three static observers and a second observer who disagrees at S111, an edit, a late and a partial
    report, a resolved conflict field and an open one, and quality checks; ODIHR: a mobile team in R1."""
    cis, o, s = world.cis, world.observers, world.stations
    form = make_form(cis)
    start = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
    for code, station in (("CIS-002", "S112"), ("CIS-003", "S211")):
        o[code] = do_create_observer(cis, code=code, name=code, phone="")
        do_deploy_observer(o[code], station=s[station], shift_start=start, shift_end=start + dt.timedelta(hours=14))
    second = do_create_observer(cis, code="CIS-009", name="Second", phone="")
    do_set_form_schedule(cis, form_id="closing", due_time=dt.time(21), required_fields=["valid", "invalid"])
    check_create_quality_check(cis, form_id="closing", name="adds up", expression="ballots_cast == valid + invalid")
    report(form, o["CIS-001"], s["S111"], {"valid": 480, "invalid": 20, "ballots_cast": 500, "sealed": 1}, at="16:00")
    report(form, second, s["S111"], {"valid": 470, "invalid": 20, "ballots_cast": 500, "sealed": 0}, at="16:10")
    check_resolve_conflict(MasterRecord.objects.get(station=s["S111"]), field="sealed", value=1, reason="photo",
                           user=world.boris)
    first = report(form, o["CIS-002"], s["S112"], {"valid": 300, "invalid": 5, "ballots_cast": 300}, at="16:20")
    report(form, o["CIS-002"], s["S112"], {"valid": 295, "invalid": 5, "ballots_cast": 300}, at="16:40",
           replaces=first)
    report(form, o["CIS-003"], s["S211"], {"valid": 700, "ballots_cast": 700}, at="18:30")  # late and partial
    mobile = make_form(world.odihr)
    do_set_form_schedule(world.odihr, form_id="closing", due_time=dt.time(21), required_fields=["valid"])
    report(mobile, o["ODI-001"], s["S121"], {"valid": 10, "sealed": 1}, at="12:00")
    return [cis, world.odihr]


def test_the_bulk_rebuild_equals_the_per_report_path(world, busy_day):
    for mission in busy_day:
        before = snapshot(mission)
        assert before["masters"] and before["coverage"] and (before["checks"] or mission == world.odihr)
        scramble(mission)
        assert snapshot(mission) != before
        do_rebuild_election_day(mission)
        assert snapshot(mission) == before


def test_the_bulk_rebuild_keeps_a_coordinators_resolution_and_the_open_conflict(world, busy_day):
    scramble(world.cis)
    do_rebuild_election_day(world.cis)
    master = MasterRecord.objects.get(station=world.stations["S111"])
    assert master.values["sealed"] == 1 and master.conflicts["sealed"]["resolved"] == 1
    assert master.open_conflicts == 1 and "valid" not in master.values
    assert ExpectedReport.objects.get(observer=world.observers["CIS-001"]).status == "conflicting"
    assert ExpectedReport.objects.get(observer=world.observers["CIS-003"]).status == "partial"


def test_the_bulk_rebuild_is_idempotent_and_drops_a_master_record_without_reports(world, busy_day):
    from pollwatch.collection.models import Submission

    do_rebuild_election_day(world.cis)
    once = snapshot(world.cis)
    do_rebuild_election_day(world.cis)
    assert snapshot(world.cis) == once
    Submission.objects.filter(station=world.stations["S211"]).update(is_current=False)
    do_rebuild_election_day(world.cis)
    assert not MasterRecord.objects.filter(station=world.stations["S211"]).exists()
    assert ExpectedReport.objects.get(observer=world.observers["CIS-003"]).status == "missing"
