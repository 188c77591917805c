"""Expected reports and coverage: missing, partial, complete, conflicting, late, whatever the arrival order."""

import datetime as dt

import pytest

from pollwatch.missions.services import do_create_observer, do_deploy_observer
from pollwatch.operations.models import ExpectedReport
from pollwatch.operations.queries import coverage, silent_observers
from pollwatch.operations.services import do_set_form_schedule, recompute_for_submission
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db

# Baku is UTC+4: a closing form due at 21:00 local is due at 17:00 UTC.
DUE = dt.time(21, 0)


@pytest.fixture
def closing(world):
    form = make_form(world.cis)
    make_form(world.odihr)
    do_set_form_schedule(world.cis, form_id="closing", due_time=DUE, required_fields=["valid", "invalid"])
    do_set_form_schedule(world.odihr, form_id="closing", due_time=DUE, required_fields=["valid"])
    return form


def status(world, code):
    return ExpectedReport.objects.get(observer=world.observers[code]).status


def test_every_deployment_expects_each_scheduled_form_and_starts_missing(world, closing):
    assert ExpectedReport.objects.filter(mission=world.cis).count() == 1
    assert ExpectedReport.objects.filter(mission=world.odihr).count() == 2
    assert set(ExpectedReport.objects.values_list("status", flat=True)) == {"missing"}
    assert ExpectedReport.objects.get(observer=world.observers["CIS-001"]).due_at == dt.datetime(
        2024, 2, 7, 17, 0, tzinfo=dt.UTC
    )


def test_a_full_report_before_the_deadline_is_complete(world, closing):
    report(closing, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "invalid": 2}, at="16:30")
    assert status(world, "CIS-001") == "complete"


def test_a_report_with_a_required_field_empty_is_partial(world, closing):
    report(closing, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "invalid": ""}, at="16:30")
    assert status(world, "CIS-001") == "partial"


def test_a_first_report_after_the_deadline_is_late(world, closing):
    report(closing, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "invalid": 2}, at="17:30")
    assert status(world, "CIS-001") == "late"


def test_a_report_at_another_station_does_not_count_for_a_static_observer(world, closing):
    report(closing, world.observers["CIS-001"], world.stations["S112"], {"valid": 480, "invalid": 2}, at="16:00")
    assert status(world, "CIS-001") == "missing"


def test_a_mobile_team_member_is_covered_by_a_report_from_any_station_of_its_area(world, closing):
    form = closing.__class__.objects.get(mission=world.odihr)
    report(form, world.observers["ODI-001"], world.stations["S121"], {"valid": 5}, at="16:00")
    assert status(world, "ODI-001") == "complete" and status(world, "ODI-002") == "missing"
    report(form, world.observers["ODI-002"], world.stations["S211"], {"valid": 5}, at="16:00")
    assert status(world, "ODI-002") == "missing"  # S211 lies in R2, outside the team's area


def test_disagreeing_observers_at_one_station_are_conflicting_until_resolved(world, closing):
    from pollwatch.operations.models import MasterRecord
    from pollwatch.operations.services import check_resolve_conflict

    second = do_create_observer(world.cis, code="CIS-002", name="Olga Petrova", phone="+7900000002")
    start = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
    do_deploy_observer(second, station=world.stations["S111"], team="C1", shift_start=start,
                       shift_end=start + dt.timedelta(hours=14))
    do_set_form_schedule(world.cis, form_id="closing", due_time=DUE, required_fields=["valid"])
    report(closing, world.observers["CIS-001"], world.stations["S111"], {"valid": 480}, at="16:00")
    report(closing, second, world.stations["S111"], {"valid": 470}, at="16:10")
    assert set(ExpectedReport.objects.filter(mission=world.cis).values_list("status", flat=True)) == {"conflicting"}
    check_resolve_conflict(MasterRecord.objects.get(), field="valid", value=480, reason="photo", user=world.boris)
    assert set(ExpectedReport.objects.filter(mission=world.cis).values_list("status", flat=True)) == {"complete"}


def test_status_follows_the_current_report_after_an_edit_and_ignores_repeated_recomputation(world, closing):
    first = report(closing, world.observers["CIS-001"], world.stations["S111"], {"valid": 480}, at="16:00")
    assert status(world, "CIS-001") == "partial"
    edit = report(closing, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "invalid": 1},
                  at="16:20", replaces=first)
    recompute_for_submission(first)
    recompute_for_submission(edit)
    assert status(world, "CIS-001") == "complete"


def test_a_report_received_before_the_schedule_existed_is_counted(world):
    form = make_form(world.cis)
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 1, "invalid": 0}, at="12:00")
    do_set_form_schedule(world.cis, form_id="closing", due_time=DUE, required_fields=["valid", "invalid"])
    assert status(world, "CIS-001") == "complete"


def test_coverage_counts_statuses_by_region_and_by_form(world, closing):
    form = closing.__class__.objects.get(mission=world.odihr)
    report(form, world.observers["ODI-001"], world.stations["S121"], {"valid": 5}, at="18:00")
    [absheron] = coverage(world.odihr, by="region")
    assert absheron["label"] == "Absheron" and absheron["total"] == 2
    assert absheron["counts"]["late"] == 1 and absheron["counts"]["missing"] == 1
    assert absheron["reported_pct"] == 50.0
    [closing_row] = coverage(world.odihr, by="form")
    assert closing_row["label"] == "closing" and closing_row["counts"]["late"] == 1


def test_silent_observers_show_phones_only_when_allowed(world, closing):
    [row] = silent_observers(world.cis, show_pii=True)
    assert (row["code"], row["phone"]) == ("CIS-001", "+7900000001")
    [row] = silent_observers(world.cis, show_pii=False)
    assert row["phone"] is None
