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

FETCH_AND_RENDER = """
async () => {
  const ns = 'http://openrosa.org/xforms/xformsList';
  const list = new DOMParser().parseFromString(await (await fetch('/m/cis/formList')).text(), 'text/xml');
  const entry = [...list.getElementsByTagNameNS(ns, 'xform')]
      .find(x => x.getElementsByTagNameNS(ns, 'formID')[0].textContent === 'count_form');
  const url = entry.getElementsByTagNameNS(ns, 'downloadUrl')[0].textContent;
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


def test_an_xlsform_uploaded_in_the_ui_is_filled_in_enketo_and_the_report_shows_in_the_ui(
        world, live_server, chromium):
    from pollwatch.collection.services import do_set_device_credential

    from .conftest import DEMO_FORMS

    url = live_server.url
    do_set_device_credential(world.observers["CIS-001"], username="pavel", password="24681357")
    coordinator = chromium.new_context()
    office = coordinator.new_page()
    office.set_default_timeout(20_000)
    # 1. The CIS coordinator uploads the count form's XLSForm on the forms page.
    office.goto(f"{url}/login/")
    office.fill("#id_username", "boris")
    office.fill("#id_password", PASSWORD)
    office.click("button[type=submit]")
    office.wait_for_url(f"{url}/missions/cis/")
    office.goto(f"{url}/missions/cis/forms/")
    office.set_input_files("input[type=file]", str(DEMO_FORMS / "count_form.xlsx"))
    office.click("form[enctype] button[type=submit]")
    office.wait_for_selector("text=Imported")
    assert "count_form" in office.inner_text("table.data")

    # 2. An observer's Enketo finds it in the formList, fills it and submits it with a photo.
    context = chromium.new_context(http_credentials={"username": "pavel", "password": "24681357"})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{url}/login/")  # any same-origin HTML page; the browser answers Digest itself
        page.add_script_tag(path=str(ENKETO))
        load_errors = page.evaluate(FETCH_AND_RENDER)
        assert load_errors == []
        page.fill('input[name="/data/station_code"]', "S111")
        for name, value in [("registered", "800"), ("ballots_cast", "512"), ("invalid", "12"),
                            ("votes_mammadov", "300"), ("votes_aliyeva", "200")]:
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
