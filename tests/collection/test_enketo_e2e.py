"""End to end with a real OpenRosa client: Enketo (enketo-core + enketo-transformer from the npm registry, bundled
by ``tests/enketo/build.sh``) in headless Chromium, driven by Playwright, against a live pollwatch server.

A coordinator first uploads the XLSForm on the mission's forms page. The observer's browser authenticates with
HTTP Digest itself (Playwright's ``http_credentials``), reads the mission's formList,
downloads the XForm announced there, transforms it with enketo-transformer, renders and fills it with enketo-core
(typing into the real form controls), and POSTs the instance Enketo produced, with a photo, to the submission URL.
The coordinator then finds the report in the submission list, with its values and the photo.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pollwatch.collection.models import Submission
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

ENKETO = Path(__file__).resolve().parents[1] / "enketo" / "dist" / "enketo.js"

LISTED = """
async () => {
  const ns = 'http://openrosa.org/xforms/xformsList';
  const list = new DOMParser().parseFromString(await (await fetch('/m/cis/formList')).text(), 'text/xml');
  return [...list.getElementsByTagNameNS(ns, 'xform')].map(x => [
      x.getElementsByTagNameNS(ns, 'formID')[0].textContent, x.getElementsByTagNameNS(ns, 'downloadUrl')[0].textContent]);
}
"""

RENDER = """
async (url) => {
  const xform = await (await fetch(url)).text();
  const result = await window.pollwatchEnketo.transform({ xform });
  document.body.innerHTML = '<div id="host">' + result.form + '</div>';
  window.enketoForm = new window.pollwatchEnketo.Form(document.querySelector('form.or'), { modelStr: result.model }, {});
  return window.enketoForm.init();
}
"""

SUBMIT = """
async () => {
  const valid = await window.enketoForm.validate();
  const xml = window.enketoForm.getDataStr();
  const data = new FormData();
  data.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'xml_submission_file.xml');
  data.append('protocol.jpg', new Blob([new Uint8Array([255, 216, 255, 224])], { type: 'image/jpeg' }), 'protocol.jpg');
  const response = await fetch('/m/cis/submission', { method: 'POST', body: data,
                                                     headers: { 'X-OpenRosa-Version': '1.0' } });
  return { valid, status: response.status, body: await response.text(), xml };
}
"""


@pytest.fixture
def chromium(browser):
    """The session's Chromium (tests/conftest.py), once Enketo's bundle is built."""
    if not ENKETO.exists():
        message = "needs tests/enketo/dist/enketo.js (run tests/enketo/build.sh; `make test` does)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    return browser


def test_every_form_the_demo_lists_renders_in_enketo_and_its_count_form_is_filled_and_shown_in_the_ui(
        world, live_server, chromium):
    from pollwatch.collection.demo import build_demo_collection

    url = live_server.url
    lines = build_demo_collection(world.cis, seed=1, base_url=url)
    coordinator = chromium.new_context()
    office = coordinator.new_page()
    office.set_default_timeout(20_000)
    # 1. The CIS coordinator sees the demo's forms on the forms page.
    office.goto(f"{url}/login/")
    office.fill("#id_username", "boris")
    office.fill("#id_password", PASSWORD)
    office.click("button[type=submit]")
    office.wait_for_url(f"{url}/missions/cis/")
    office.goto(f"{url}/missions/cis/forms/")
    assert "count_form" in office.inner_text("table.data")

    # 2. The observer's Enketo, with the printed login, renders every listed form, then fills the count form.
    # Enketo is its own web app; the test injects its bundle into one of pollwatch's pages (same origin, so the
    # browser answers Digest itself), which pollwatch's CSP (no script it did not serve) rightly forbids: this
    # context alone bypasses it.
    context = chromium.new_context(http_credentials={"username": lines["openrosa_user"],
                                                     "password": lines["openrosa_password"]}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{url}/login/")  # any same-origin HTML page; the browser answers Digest itself
        page.add_script_tag(path=str(ENKETO))
        listed = dict(page.evaluate(LISTED))
        assert set(listed) == {"opening_checklist", "election_day_checklist", "count_form", "incident_report"}
        for form_id, download in listed.items():
            assert page.evaluate(RENDER, download) == [], form_id
        assert page.evaluate(RENDER, listed["count_form"]) == []
        page.fill('input[name="/data/station_code"]', "S111")
        page.check('input[name="/data/ballot_box_sealed"][value="yes"]')
        for name, value in [("registered", "800"), ("ballots_cast", "512"), ("invalid", "12"),
                            ("votes_1", "300"), ("votes_2", "200")]:
            page.fill(f'input[name="/data/{name}"]', value)
        page.check('input[name="/data/protocol_posted"][value="yes"]')
        result = page.evaluate(SUBMIT)
    finally:
        context.close()
    assert result["valid"], result["xml"]
    assert result["status"] == 201, result["body"]
    sub = Submission.objects.get(mission=world.cis)
    assert sub.transport == "openrosa" and sub.observer == world.observers["CIS-001"]
    assert sub.values["ballots_cast"] == 512 and sub.values["protocol_posted"] == "yes"
    assert sub.values["votes_1"] == 300 and sub.values["ballot_box_sealed"] == "yes"
    assert sub.station == world.stations["S111"] and not sub.needs_review
    assert sub.instance_id.startswith("uuid:")
    assert [a.name for a in sub.attachments.all()] == ["protocol.jpg"]

    # 3. The coordinator sees it in the mission's submission list, with its values and the photo.
    try:
        office.goto(f"{url}/missions/cis/submissions/")
        row = office.locator("table.data tbody tr").first
        assert "CIS-001" in row.inner_text() and "S111" in row.inner_text()
        row.locator("a").first.click()
        office.wait_for_selector("text=Attachments")
        values = office.inner_text("table.data")
        assert "512" in values and "300" in values
        photo = office.request.get(url + office.get_attribute("a:text('protocol.jpg')", "href"))
        assert photo.status == 200 and photo.body() == bytes([255, 216, 255, 224])
    finally:
        coordinator.close()
