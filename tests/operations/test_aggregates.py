"""The dashboard's counter tables equal a from-scratch count of the rows they summarise, after reports that
arrive out of order, are edited, duplicated or recomputed twice, conflicts and their resolution, and a rebuild."""

import datetime as dt
import zoneinfo
from collections import defaultdict

import pytest
from django.db.models import Count
from django.db.models.functions import TruncHour

from pollwatch.missions.services import do_create_observer, do_deploy_observer
from pollwatch.operations.aggregates import checklist_answer, do_rebuild_dashboard_aggregates
from pollwatch.operations.models import (
    ArrivalCount,
    ChecklistCount,
    CoverageCount,
    ExpectedReport,
    MasterRecord,
)
from pollwatch.operations.services import (
    check_resolve_conflict,
    do_set_form_schedule,
    recompute_for_submission,
)
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db

STATUSES = [s.value for s in ExpectedReport.Status]


def recount(mission) -> dict:
    """What the counters must say, counted from scratch the slow way (the dashboard's queries before #5)."""
    coverage: dict = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for row in (ExpectedReport.objects.filter(mission=mission).values("region_id", "schedule__form_id", "status")
                .annotate(n=Count("pk"))):
        coverage[(row["region_id"], row["schedule__form_id"])][row["status"]] = row["n"]
    tz = zoneinfo.ZoneInfo(mission.election.timezone)
    arrivals = {
        (row["region_id"], row["schedule__form_id"], row["hour"]): row["n"]
        for row in ExpectedReport.objects.filter(mission=mission, first_received_at__isnull=False)
        .values("region_id", "schedule__form_id", hour=TruncHour("first_received_at", tzinfo=tz))
        .annotate(n=Count("pk"))
    }
    checklist: dict = defaultdict(lambda: [0, 0])
    for region, form, values in MasterRecord.objects.filter(mission=mission).values_list(
            "station__unit__parent_id", "form_id", "values"):
        for field, value in values.items():
            if checklist_answer(value) is not None:
                checklist[(region, form, field)][0] += checklist_answer(value)
                checklist[(region, form, field)][1] += 1
    return {"coverage": dict(coverage), "arrivals": arrivals, "checklist": {k: tuple(v) for k, v in checklist.items()}}


def stored(mission) -> dict:
    coverage = {(c.region_id, c.form_id): {s: getattr(c, s) for s in STATUSES}
                for c in CoverageCount.objects.filter(mission=mission) if any(getattr(c, s) for s in STATUSES)}
    arrivals = {(a.region_id, a.form_id, a.hour): a.n for a in ArrivalCount.objects.filter(mission=mission)}
    checklist: dict = defaultdict(lambda: [0, 0])
    for c in ChecklistCount.objects.filter(mission=mission):
        checklist[(c.region_id, c.form_id, c.field)][0] += c.yes
        checklist[(c.region_id, c.form_id, c.field)][1] += c.total
    return {"coverage": coverage, "arrivals": arrivals, "checklist": {k: tuple(v) for k, v in checklist.items()}}


def assert_counters_match_a_recount(mission):
    expected = recount(mission)
    assert stored(mission) == expected
    do_rebuild_dashboard_aggregates(mission)
    assert stored(mission) == expected


@pytest.fixture
def day(world):
    """CIS: observers at S111, S112 (region R1) and S211 (R2); a closing form due 21:00 local (17:00 UTC)."""
    form = make_form(world.cis, fields=("valid", "invalid", "sealed"))
    start = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
    for code, station in (("CIS-002", "S112"), ("CIS-003", "S211")):
        observer = do_create_observer(world.cis, code=code, name=code, phone="")
        do_deploy_observer(observer, station=world.stations[station], shift_start=start,
                           shift_end=start + dt.timedelta(hours=14))
        world.observers[code] = observer
    do_set_form_schedule(world.cis, form_id="closing", due_time=dt.time(21), required_fields=["valid"])
    return form


def test_counters_start_as_every_expected_report_missing(world, day):
    assert_counters_match_a_recount(world.cis)
    assert sum(c.missing for c in CoverageCount.objects.filter(mission=world.cis)) == 3


def test_counters_match_a_recount_when_reports_arrive_out_of_order(world, day):
    o, s = world.observers, world.stations
    report(day, o["CIS-001"], s["S111"], {"valid": 5, "sealed": True}, at="18:10")
    report(day, o["CIS-003"], s["S211"], {"valid": 5, "sealed": "no"}, at="16:40")
    report(day, o["CIS-001"], s["S111"], {"valid": 5, "sealed": True}, at="15:20")  # earlier, received later
    assert_counters_match_a_recount(world.cis)
    hours = sorted(a.hour.astimezone(zoneinfo.ZoneInfo("Asia/Baku")).hour for a in ArrivalCount.objects.all())
    assert hours == [19, 20]  # 15:20 and 16:40 UTC; the 18:10 report is no longer a first arrival


def test_counters_match_a_recount_after_an_edit_moves_a_report_to_another_region(world, day):
    o, s = world.observers, world.stations
    first = report(day, o["CIS-002"], s["S112"], {"valid": 5, "sealed": True}, at="16:00")
    report(day, o["CIS-002"], s["S211"], {"valid": 6, "sealed": False}, at="16:30", replaces=first)
    assert_counters_match_a_recount(world.cis)
    assert not MasterRecord.objects.filter(station=s["S112"]).exists()
    assert ChecklistCount.objects.get(unit=world.units["C21"], field="sealed").total == 1


def test_counters_match_a_recount_after_duplicates_and_repeated_recomputation(world, day):
    o, s = world.observers, world.stations
    one = report(day, o["CIS-001"], s["S111"], {"valid": 5, "sealed": True}, at="16:00")
    two = report(day, o["CIS-001"], s["S111"], {"valid": 5, "sealed": True}, at="16:05")  # the same report again
    for submission in (two, one, two):
        recompute_for_submission(submission)
    assert_counters_match_a_recount(world.cis)
    assert CoverageCount.objects.get(region=world.units["R1"]).complete == 1


def test_counters_follow_a_conflict_and_its_resolution(world, day):
    o, s = world.observers, world.stations
    second = do_create_observer(world.cis, code="CIS-009", name="Second", phone="")
    report(day, o["CIS-001"], s["S111"], {"valid": 480, "sealed": True}, at="16:00")
    report(day, second, s["S111"], {"valid": 470, "sealed": False}, at="16:10")
    assert_counters_match_a_recount(world.cis)
    assert CoverageCount.objects.get(region=world.units["R1"]).conflicting == 1
    check_resolve_conflict(MasterRecord.objects.get(), field="sealed", value=True, reason="photo", user=world.boris)
    check_resolve_conflict(MasterRecord.objects.get(), field="valid", value=480, reason="photo", user=world.boris)
    assert_counters_match_a_recount(world.cis)
    assert CoverageCount.objects.get(region=world.units["R1"]).conflicting == 0


def test_a_mobile_team_and_a_schedule_set_after_the_reports_are_counted(world):
    form = make_form(world.odihr, fields=("valid", "sealed"))
    report(form, world.observers["ODI-001"], world.stations["S121"], {"valid": 1, "sealed": "yes"}, at="12:00")
    do_set_form_schedule(world.odihr, form_id="closing", due_time=dt.time(21))
    report(form, world.observers["ODI-002"], world.stations["S111"], {"valid": 1, "sealed": "no"}, at="18:00")
    assert_counters_match_a_recount(world.odihr)
    row = CoverageCount.objects.get(mission=world.odihr)
    assert (row.complete, row.late) == (1, 1)


def test_the_counters_of_one_mission_are_not_touched_by_the_other(world, day):
    report(day, world.observers["CIS-001"], world.stations["S111"], {"valid": 5}, at="16:00")
    assert not CoverageCount.objects.filter(mission=world.odihr).exists()
    assert not ArrivalCount.objects.filter(mission=world.odihr).exists()


@pytest.mark.parametrize(("value", "answer"), [(True, True), (False, False), ("yes", True), ("No", False),
                                               ("true", True), (1, None), ("", None), (None, None), ("maybe", None)])
def test_a_checklist_answer_is_a_boolean_or_yes_no_text(value, answer):
    assert checklist_answer(value) is answer
