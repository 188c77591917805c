"""The quick count in a statement: citable, frozen and public only once the mission has published it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pollwatch.pvt import queries as pvt_queries
from pollwatch.pvt.services import do_draw_pvt_sample, do_publish_pvt_sample
from pollwatch.statements import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick_count(world, monkeypatch):
    """A drawn sample of the ODIHR mission; its estimate is fixed (the estimator has its own tests)."""
    sample = do_draw_pvt_sample(world.odihr, name="main", size=2, strata=[], seed=7)
    estimate = SimpleNamespace(
        candidates={"Aliyev": SimpleNamespace(estimate=0.7312, moe=0.0211),
                    "Rival": SimpleNamespace(estimate=0.2688, moe=0.0211)},
        turnout=SimpleNamespace(estimate=0.6734, moe=0.015), stations_reported=2, method="ratio estimator",
        confidence=0.95)
    live = SimpleNamespace(estimate=estimate, candidates=["Aliyev", "Rival"], reported=2, expected=2,
                           by_stratum=[("all", 2, 2)], message="")
    monkeypatch.setattr(pvt_queries, "live_estimate", lambda s: live)
    return sample


def _statement(world):
    st = services.do_create_statement(world.odihr, slug="pvt", title="Preliminary statement",
                                      summary="The mission's quick count gives the incumbent "
                                              "{{ pvt.1.share }} ({{ pvt.1.margin }}).")
    services.do_add_finding(st, section="tabulation", assessment="mixed",
                            text="Turnout was {{ pvt.turnout.share }} by the quick count.")
    return st


def test_an_unpublished_quick_count_cannot_be_cited_frozen_or_shown_on_the_public_page(client, world, quick_count):
    st = _statement(world)
    problems = [p.message for p in services.statement_problems(st)]
    assert problems and all("not published yet" in m for m in problems)
    with pytest.raises(ValueError, match="not published yet"):
        services.check_freeze_statement(st)
    assert not st.versions.exists()
    assert client.get("/p/odihr/pvt/").status_code == 404
    # a statement that does not cite it, published meanwhile, does not mention the quick count either
    other = services.do_create_statement(world.odihr, slug="other", title="Other", summary="Calm.")
    services.do_add_finding(other, section="observers", assessment="positive",
                            text="The mission deployed {{ observers.deployed }} observers.")
    services.do_publish_version(services.check_freeze_statement(other))
    html = client.get("/p/odihr/other/").content.decode()
    assert "73.1" not in html and "Quick-count sample" not in html and "pvt." not in html


def test_a_published_quick_count_shows_on_the_public_page_with_its_margin_and_evidence(client, world, quick_count):
    st = _statement(world)
    do_publish_pvt_sample(quick_count)
    version = services.check_freeze_statement(st)
    services.do_publish_version(version)
    html = client.get("/p/odihr/pvt/").content.decode()  # no login
    assert "73.1 %" in html and "± 2.1 points" in html and "67.3 %" in html
    assert "Quick-count sample: 2 polling stations" in html
    evidence = client.get("/p/odihr/pvt/evidence/pvt.1.share/")
    assert evidence.status_code == 200 and "Aliyev" in evidence.content.decode()
    csv = client.get("/p/odihr/pvt/evidence/pvt.1.share.csv").content.decode().splitlines()
    assert csv[0] == "candidate,estimate %,margin ± points" and csv[1].startswith("Aliyev,73.12")
