"""A coordinator runs election day in a real browser: dashboard, region filter, the reports behind a number,
resolving a conflict, triaging an incident; a flag filter and a click on a chart bar to the incidents behind it."""

import datetime as dt

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def election_day(world):
    from pollwatch.incidents.services import check_report_incident
    from pollwatch.missions.services import do_create_observer
    from pollwatch.operations.services import do_set_form_schedule
    from tests.operations.reports import make_form, report

    form = make_form(world.cis)
    do_set_form_schedule(world.cis, form_id="closing", due_time=dt.time(21), required_fields=["valid"])
    second = do_create_observer(world.cis, code="CIS-002", name="Olga Petrova", phone="+7900000002",
                                category="long-term")
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "ballot_box_sealed": True})
    report(form, second, world.stations["S111"], {"valid": 470, "ballot_box_sealed": True})
    return check_report_incident(world.cis, source="staff", category="intimidation", severity=3,
                                 description="Police inside the station", station=world.stations["S111"])


def login(page, url):
    page.goto(f"{url}/login/")
    page.fill("#id_username", "boris")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/missions/cis/")


def test_coordinator_filters_the_dashboard_follows_a_number_resolves_a_conflict_and_triages(
        live_server, page, world, election_day):
    url = live_server.url
    login(page, url)
    page.click("text=Election day")
    page.click("text=Charts and map")
    page.wait_for_url("**/operations/dashboard**")
    page.wait_for_selector("#station-map .plotly-graph-div .main-svg")  # drawn by the offline Plotly JS
    page.select_option("#dashboard-filters select[name=region]", label="Absheron")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url(f"**region={world.units['R1'].pk}**")
    row = page.locator("#coverage-by-region tbody tr").first
    assert "Absheron" in row.inner_text()
    row.locator("a").nth(3).click()  # statuses in order: missing, partial, complete, conflicting
    page.wait_for_url("**status=conflicting**")
    assert "CIS-001" in page.locator("#expected").inner_text()
    assert "+7900000001" in page.locator("#expected").inner_text()  # a coordinator sees phones

    page.goto(f"{url}/missions/cis/operations/masters/?conflicts=1")
    page.locator("#masters a").first.click()
    conflict = page.locator("#conflict-valid")
    conflict.locator("input[name=choice][value='0']").check()
    conflict.locator("input[name=reason]").fill("protocol photo")
    conflict.locator("button[type=submit]").click()
    assert "protocol photo" in page.locator("#history").inner_text()
    assert page.locator("#conflict-valid").inner_text().count("resolved to 480") == 1

    page.goto(f"{url}/missions/cis/incidents/{election_day.pk}/")
    page.locator("#triage button[value=verifying]").click()
    assert page.locator("#incident-status").inner_text() == "Verifying"
    page.locator("#triage button[value=verified]").click()
    assert page.locator("#incident-status").inner_text() == "Verified"
    assert "status changed → Verified" in page.locator("#history").inner_text()  # the status's label


def test_coordinator_filters_by_flag_and_clicks_a_chart_bar_to_reach_the_incidents_behind_it(
        live_server, page, world, election_day):
    url = live_server.url
    login(page, url)
    page.goto(f"{url}/missions/cis/operations/dashboard")
    page.select_option("#dashboard-filters select[name=flag]", value="conflicts")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url("**flag=conflicts**")
    assert "Absheron" in page.locator("#coverage-by-region").inner_text()
    page.wait_for_selector("#station-map .plotly-graph-div .main-svg")
    # The HTMX refresh keeps the filters.
    assert "flag=conflicts" in page.locator("#coverage").get_attribute("hx-get")
    bar = page.locator("#chart-incidents g.point path").first
    bar.wait_for()
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # Plotly's plotly_click
    page.wait_for_url(lambda address: "/incidents/" in address and "category=intimidation" in address)
    assert "flag=conflicts" in page.url
    assert "Police inside the station" not in page.content()  # the list shows no descriptions
    assert "intimidation" in page.locator("#incidents").inner_text()
