"""Quality checks as an analyst defines them: validated at save time, evaluated on reports and masters."""

import pytest

from pollwatch.accounts.models import AuditEntry
from pollwatch.checks.models import CheckResult
from pollwatch.checks.services import check_create_quality_check
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db


def test_a_check_naming_an_unknown_field_is_refused_at_save_time(world):
    make_form(world.cis)
    with pytest.raises(ValueError, match="unknown field 'votes' at position 0"):
        check_create_quality_check(world.cis, form_id="closing", name="turnout", expression="votes <= registered")


def test_a_check_that_does_not_parse_is_refused_at_save_time(world):
    make_form(world.cis)
    with pytest.raises(ValueError, match="end of expression at position 18"):
        check_create_quality_check(world.cis, form_id="closing", name="x", expression="valid + invalid ==")


def test_a_check_on_a_form_the_mission_does_not_have_is_refused(world):
    make_form(world.odihr)
    with pytest.raises(ValueError, match="no known fields"):
        check_create_quality_check(world.cis, form_id="closing", name="x", expression="valid > 0")


def test_a_new_check_is_evaluated_on_existing_reports_and_audited(world):
    form = make_form(world.cis)
    good = report(form, world.observers["CIS-001"], world.stations["S111"], {"ballots_cast": 10, "valid": 8, "invalid": 2})
    bad = report(form, world.observers["CIS-001"], world.stations["S112"], {"ballots_cast": 10, "valid": 9, "invalid": 2})
    blank = report(form, world.observers["CIS-001"], world.stations["S121"], {"ballots_cast": 10})
    check = check_create_quality_check(
        world.cis, form_id="closing", name="ballots add up", expression="ballots_cast == valid + invalid", user=world.boris
    )
    outcomes = dict(CheckResult.objects.filter(quality_check=check, submission__isnull=False).values_list("submission", "outcome"))
    assert outcomes == {good.pk: "pass", bad.pk: "fail", blank.pk: "na"}
    assert AuditEntry.objects.filter(action="check.create", mission=world.cis).count() == 1


def test_reports_arriving_after_the_check_are_evaluated_and_an_edit_replaces_the_result(world):
    form = make_form(world.cis)
    check = check_create_quality_check(world.cis, form_id="closing", name="sum", expression="sum(candidate_*) == valid")
    first = report(form, world.observers["CIS-001"], world.stations["S111"], {"candidate_a": 3, "candidate_b": 4, "valid": 8})
    assert CheckResult.objects.get(quality_check=check, submission=first).outcome == "fail"
    edit = report(form, world.observers["CIS-001"], world.stations["S111"],
                  {"candidate_a": 4, "candidate_b": 4, "valid": 8}, replaces=first)
    assert CheckResult.objects.get(quality_check=check, submission=edit).outcome == "pass"
    assert not CheckResult.objects.filter(submission=first).exists()
    assert CheckResult.objects.get(quality_check=check, master__isnull=False).outcome == "pass"
