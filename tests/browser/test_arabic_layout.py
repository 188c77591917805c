"""An observer switches the interface to Arabic in a real browser: the page turns right to left, the top bar is
mirrored and none of its elements overlap. A screenshot is kept as an artefact (test-results/i18n/)."""

from __future__ import annotations

import os
from itertools import combinations
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ARTEFACTS = Path(os.environ.get("POLLWATCH_ARTEFACTS") or Path(__file__).resolve().parents[2] / "test-results")


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def test_switching_to_arabic_lays_the_page_out_right_to_left_without_overlaps(live_server, page, world):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boris")
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/missions/cis/")
    assert page.locator("html").get_attribute("dir") == "ltr"

    page.click(".languages button[value=ar]")
    page.wait_for_selector("html[dir=rtl]")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("h1").inner_text() == "CIS Observer Mission"  # data stays data
    assert "مراكز الاقتراع" in page.locator("main").inner_text()

    bar = page.locator("header.topbar").bounding_box()
    parts = [".topbar .brand", ".topbar .crumb", ".languages button", ".logout .who", ".logout a",
             ".logout button"]
    boxes = []
    for selector in parts:
        for i in range(page.locator(selector).count()):
            box = page.locator(selector).nth(i).bounding_box()
            if box and box["width"]:
                boxes.append((f"{selector}[{i}]", box))
    assert len(boxes) >= 9  # brand, 5 languages, user, API tokens, log out
    for (name_a, a), (name_b, b) in combinations(boxes, 2):
        assert not _overlap(a, b), f"{name_a} overlaps {name_b}: {a} {b}"
    for name, box in boxes:
        assert bar["x"] <= box["x"] and box["x"] + box["width"] <= bar["x"] + bar["width"] + 0.5, name
    # Mirrored: the brand sits at the right end, the log-out form at the left end.
    brand = page.locator(".topbar .brand").bounding_box()
    logout = page.locator(".logout").bounding_box()
    assert brand["x"] > logout["x"] + logout["width"]
    tabs = [page.locator("nav.tabs a").nth(i).bounding_box() for i in range(page.locator("nav.tabs a").count())]
    assert all(not _overlap(a, b) for a, b in combinations(tabs, 2))
    assert tabs[0]["x"] > tabs[-1]["x"]  # the first tab is the rightmost

    ARTEFACTS.joinpath("i18n").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "i18n" / "arabic-mission-home.png"), full_page=True)

    page.click(".languages button[value=en]")
    page.wait_for_selector("html[dir=ltr]")
    assert page.locator("html").get_attribute("lang") == "en"
