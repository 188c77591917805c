"""A coordinator logs in with a real browser, lands on the mission home and searches a station."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_logs_in_and_searches_stations_live(live_server, page, world):
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url  # anonymous visitors are sent to the login page
    page.fill("#id_username", "boris")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".error").is_visible()
    page.fill("#id_username", "boris")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/missions/cis/")
    assert page.locator("h1").inner_text() == "CIS Observer Mission"
    assert page.locator("#stat-stations").inner_text() == "4"
    # HTMX (vendored, no CDN) replaces the results table as the user types.
    page.fill("input[type=search]", "Ganja")
    # A locator assertion, not wait_for_function: the page's CSP allows no evaluated strings.
    expect(page.locator("#station-table tbody tr")).to_have_count(1)
    rows = page.locator("#station-table tbody tr")
    assert rows.count() == 1 and "Youth centre" in rows.first.inner_text()


def test_another_missions_page_is_not_found_in_the_browser(live_server, page, world):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boris")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/missions/cis/")
    response = page.goto(f"{live_server.url}/missions/odihr/")
    assert response.status == 404
