"""Quality-check pages: counts link to results, bad rules are refused on the page, other missions get 404."""

import pytest
from django.urls import reverse

from pollwatch.checks.models import QualityCheck
from pollwatch.checks.services import check_create_quality_check
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(world):
    form = make_form(world.cis)
    report(form, world.observers["CIS-001"], world.stations["S111"], {"ballots_cast": 10, "valid": 9, "invalid": 2})
    return check_create_quality_check(world.cis, form_id="closing", name="adds up",
                                      expression="ballots_cast == valid + invalid")


def test_the_check_list_counts_outcomes_and_links_to_the_failing_results(world, login, checked,
                                                                        django_assert_max_num_queries):
    client = login(world.bella)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("checks", args=["cis"]))
    link = f'{reverse("check-results", args=["cis"])}?check={checked.pk}&outcome=fail">2</a>'
    assert link in page.content.decode()  # the report and the station's master record
    results = client.get(reverse("check-results", args=["cis"]), {"check": checked.pk, "outcome": "fail", "on": "master"})
    assert results.content.decode().count("master record</a>") == 1


def test_a_rule_naming_an_unknown_field_is_refused_on_the_page_with_its_position(world, login, checked):
    page = login(world.bella).post(reverse("checks", args=["cis"]),
                                   {"form_id": "closing", "name": "turnout", "expression": "votes <= registered"})
    assert "unknown field &#x27;votes&#x27; at position 0" in page.content.decode()
    assert QualityCheck.objects.count() == 1


def test_an_analyst_adds_a_rule_on_the_page(world, login, checked):
    login(world.bella).post(reverse("checks", args=["cis"]),
                            {"form_id": "closing", "name": "turnout", "expression": "ballots_cast <= registered"})
    assert QualityCheck.objects.filter(name="turnout").exists()


@pytest.mark.parametrize("name", ["checks", "check-results"])
def test_a_member_of_the_other_mission_gets_a_404(world, login, checked, name):
    assert login(world.alice).get(reverse(name, args=["cis"])).status_code == 404
