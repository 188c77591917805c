"""The statement in a real browser (headless Chromium) and its PDF as page images (pdftoppm): screenshots of the
builder, the public page and an evidence page, and every PDF page, each checked to be drawn (not blank).

Set POLLWATCH_SCREENSHOTS=DIR to keep the images and look at them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from pollwatch.operations.models import ChecklistCount
from pollwatch.statements import services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def shots(tmp_path) -> Path:
    out = Path(os.environ.get("POLLWATCH_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def published(world):
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C11"], region=world.units["R1"],
                                  form_id="closing", field="counted_in_view", yes=400, total=441)
    ChecklistCount.objects.create(mission=world.odihr, unit=world.units["C21"], region=world.units["R2"],
                                  form_id="closing", field="counted_in_view", yes=82, total=82)
    st = services.do_create_statement(
        world.odihr, slug="preliminary", title="Statement of preliminary findings and conclusions",
        summary="The election took place in a restrictive environment; ballots were not counted in view in "
                "{{ checklist.counted_in_view.no_of }} observed counts.")
    services.check_add_finding(st, section="counting", assessment="negative",
                               text="In {{ checklist.counted_in_view.no_of }} observed counts "
                                    "({{ checklist.counted_in_view.no_pct }}) ballots were not counted in view.")
    services.check_add_finding(st, section="observers", assessment="mixed",
                               text="The mission deployed {{ observers.deployed }} observers.")
    services.do_publish_version(services.check_freeze_statement(st))
    return st


def _drawn(path: Path) -> bool:
    """An image with something on it: not one flat colour."""
    with Image.open(path) as image:
        return max(ImageStat.Stat(image.convert("L")).stddev) > 5


def test_the_statement_builder_public_page_and_evidence_render_in_a_browser(live_server, page, published, shots):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/missions/odihr/")
    page.goto(f"{live_server.url}/missions/odihr/statements/preliminary/")
    assert page.locator(".preview sup a").count() == 4  # summary, two in counting, observers
    page.screenshot(path=shots / "statement-builder.png", full_page=True)

    page.context.clear_cookies()  # the public page needs no login
    page.goto(f"{live_server.url}/p/odihr/preliminary/")
    assert page.locator("h1").inner_text() == "Statement of preliminary findings and conclusions"
    assert "41 of 523" in page.locator(".finding").first.inner_text()
    page.screenshot(path=shots / "statement-public.png", full_page=True)
    page.locator(".notes a").first.click()
    page.wait_for_url("**/evidence/checklist.counted_in_view.no_of/")
    assert page.locator("svg.evidence-chart rect").count() == 2
    page.screenshot(path=shots / "statement-evidence.png", full_page=True)
    for name in ("statement-builder.png", "statement-public.png", "statement-evidence.png"):
        assert _drawn(shots / name), name


def test_the_pdf_pages_are_drawn(live_server, page, published, shots):
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        message = "pdftoppm not found (apt-get install poppler-utils)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    response = page.request.get(f"{live_server.url}/p/odihr/preliminary/statement.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = shots / "statement.pdf"
    pdf.write_bytes(response.body())
    subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf), str(shots / "statement-pdf")], check=True,  # noqa: S603
                   timeout=60)
    pages = sorted(shots.glob("statement-pdf-*.png"))
    assert pages and all(_drawn(p) for p in pages)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True,  # noqa: S603, S607
                          timeout=60).stdout
    assert "41 of 523" in text and "Election day: counting" in text and "/p/odihr/preliminary/evidence/" in text
