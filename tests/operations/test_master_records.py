"""Master records: one per station and form, agreed fields set, disagreements marked until resolved."""

import pytest

from pollwatch.accounts.models import AuditEntry
from pollwatch.missions.services import do_create_observer
from pollwatch.operations.models import MasterRecord
from pollwatch.operations.services import check_resolve_conflict, recompute_for_submission
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(world):
    return do_create_observer(world.cis, code="CIS-002", name="Olga Petrova", phone="+7900000002")


def master(world):
    return MasterRecord.objects.get(mission=world.cis, station=world.stations["S111"], form_id="closing")


def test_two_observers_who_agree_give_a_master_record_without_conflicts(world, second):
    form = make_form(world.cis)
    s111 = world.stations["S111"]
    report(form, world.observers["CIS-001"], s111, {"valid": 480, "sealed": True})
    report(form, second, s111, {"valid": 480, "invalid": 20})
    record = master(world)
    assert record.values == {"valid": 480, "invalid": 20, "sealed": True}
    assert record.conflicts == {} and record.open_conflicts == 0 and record.report_count == 2


def test_a_disagreement_is_marked_as_a_conflict_with_both_values(world, second):
    form = make_form(world.cis)
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "invalid": 20})
    report(form, second, world.stations["S111"], {"valid": 470, "invalid": 20})
    record = master(world)
    assert record.conflicts == {"valid": {"values": [480, 470]}}
    assert "valid" not in record.values and record.values["invalid"] == 20
    assert record.open_conflicts == 1


def test_the_master_record_does_not_depend_on_arrival_order_duplicates_or_repeated_recomputation(world, second):
    form = make_form(world.cis)
    late = report(form, second, world.stations["S111"], {"valid": 470}, at="20:00")
    early = report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480}, at="19:00")
    recompute_for_submission(late)
    recompute_for_submission(early)
    recompute_for_submission(late)
    assert master(world).conflicts == {"valid": {"values": [480, 470]}}
    assert MasterRecord.objects.count() == 1


def test_an_edit_that_removes_the_disagreement_removes_the_conflict(world, second):
    form = make_form(world.cis)
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480})
    wrong = report(form, second, world.stations["S111"], {"valid": 470})
    report(form, second, world.stations["S111"], {"valid": 480}, replaces=wrong)
    assert master(world).conflicts == {} and master(world).values == {"valid": 480}


def test_a_coordinator_resolves_a_conflict_with_a_reason_kept_in_history(world, second):
    form = make_form(world.cis)
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480})
    report(form, second, world.stations["S111"], {"valid": 470})
    check_resolve_conflict(master(world), field="valid", value=475, reason="phoned the chair", user=world.boris)
    check_resolve_conflict(master(world), field="valid", value=480, reason="protocol photo", user=world.boris)
    record = master(world)
    assert record.values["valid"] == 480 and record.open_conflicts == 0
    assert record.conflicts["valid"] == {"values": [480, 470], "resolved": 480}
    assert [(r.value, r.reason) for r in record.resolutions.all()] == [(480, "protocol photo"), (475, "phoned the chair")]
    assert AuditEntry.objects.filter(action="master.resolve").count() == 2


def test_a_resolution_survives_a_new_report(world, second):
    form = make_form(world.cis)
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480})
    report(form, second, world.stations["S111"], {"valid": 470})
    check_resolve_conflict(master(world), field="valid", value=480, reason="protocol photo", user=world.boris)
    report(form, second, world.stations["S111"], {"valid": 470, "invalid": 3}, at="21:00")
    assert master(world).values == {"valid": 480, "invalid": 3}


@pytest.mark.parametrize(
    ("field", "value", "reason", "message"),
    [("invalid", 1, "x", "not in conflict"), ("valid", 480, "  ", "needs a reason"), ("valid", "", "x", "choose")],
)
def test_a_bad_resolution_is_refused(world, second, field, value, reason, message):
    form = make_form(world.cis)
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "invalid": 1})
    report(form, second, world.stations["S111"], {"valid": 470, "invalid": 1})
    with pytest.raises(ValueError, match=message):
        check_resolve_conflict(master(world), field=field, value=value, reason=reason, user=world.boris)
