"""Every page with charts draws them under the Content-Security-Policy, which allows no inline script (finding
12), and the browser reports no violation: the demo's dashboard, map, quick count, forensics and media pages."""

import pytest

from pollwatch.demo.generator import ADMIN_PASSWORD, ADMIN_USER, build_demo
from pollwatch.forensics.queries import forensics_report

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    ("/missions/citizens/operations/dashboard", 3),  # coverage, incidents, checklist charts (+ the HTMX map)
    ("/missions/citizens/pvt/", 1),
    ("/missions/ieom/forensics/", 3),
    ("/missions/ieom/media/report", 2),
]


def test_charts_are_drawn_and_nothing_violates_the_policy(live_server, page):
    summary = build_demo(seed=1)
    # The forensic report is computed once per results (the Klimek fit: ~5 s on the demo's 6,505 stations, far
    # more on a loaded CI box) and then cached; `pollwatch demo` computes it while building its statement. Here
    # it is computed before the browser asks, so the page's load time measures the page, not the fit.
    forensics_report(summary.election.contests.get())
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", ADMIN_USER)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path, charts in PAGES:
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(f".plotly-figure >> nth={charts - 1}")
        for i in range(charts):
            page.locator(".plotly-figure").nth(i).locator(".main-svg").first.wait_for()
    page.goto(live_server.url + "/missions/citizens/operations/dashboard")
    page.locator("#station-map .plotly-figure .main-svg").first.wait_for()  # swapped in by HTMX, then drawn
    page.goto(live_server.url + "/missions/ieom/media/next")
    page.keyboard.press("j")  # the coding screen's keyboard (static/pollwatch/coding.js) runs
    assert violations == []
