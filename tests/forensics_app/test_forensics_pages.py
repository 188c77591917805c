"""The forensics pages of a mission: the figures of the election's official results, with drill-down."""

import numpy as np
import pytest
from django.urls import reverse

from pollwatch.collection.models import Submission
from pollwatch.forensics.queries import forensics_report, results_table
from pollwatch.results.official import do_import_results
from pollwatch.stats.results import results_from_rows
from tests.conftest import RESULTS_HEADER, RESULTS_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(world):
    do_import_results(world.contest, results_from_rows(RESULTS_HEADER, RESULTS_ROWS))


def test_the_page_says_when_there_are_no_results_yet(login, world):
    page = login(world.alice).get(reverse("forensics", args=["odihr"]))
    assert page.status_code == 200 and "No official results have been imported" in page.content.decode()


def test_the_page_shows_the_figures_and_links_to_the_stations_behind_them(login, world, results):
    html = login(world.alice).get(reverse("forensics", args=["odihr"])).content.decode()
    assert "Integer percentages" in html and "stations in excess" in html
    assert "/static/plotly/plotly.min.js" in html  # bundled Plotly, no CDN
    assert reverse("forensics-stations", args=["odihr"]) + "?on_integer=1" in html
    assert "Absheron" in html and "Ganja-Dashkasan" in html  # the regional table
    # every figure with its interval, and the flags' multiple-testing rule
    assert 'id="klimek-intervals"' in html and "excess 95 % interval" in html and "Holm" in html
    # Kobak et al.'s comet and the stations' posterior fraud probabilities (Mebane-style mixture)
    assert "<h2>Comet</h2>" in html
    assert 'id="fraud-probabilities"' in html and "S211" in html.split('id="fraud-probabilities"')[1]


def test_drill_down_lists_the_stations_of_a_flag_and_our_reports_there(login, world, results):
    Submission.objects.create(mission=world.odihr, station=world.stations["S211"], transport="web",
                              received_at="2024-02-07T10:00:00Z", raw="{}", values={"ok": True})
    client = login(world.alice)
    full = client.get(reverse("forensics-stations", args=["odihr"]), {"near_full": 1}).content.decode()
    assert "S211" in full and "S111" not in full and "turnout ≥ 99 %" in full
    assert reverse("station-detail", args=["odihr", "S211"]) + "#reports" in full  # our one report there
    region = client.get(reverse("forensics-stations", args=["odihr"]), {"region": "Absheron"}).content.decode()
    assert "S111" in region and "S121" in region and "S211" not in region
    station = client.get(reverse("station-detail", args=["odihr", "S211"])).content.decode()
    assert "1,499" in station and "ok: True" in station


def test_other_missions_reports_are_not_counted_or_shown(login, world, results):
    Submission.objects.create(mission=world.cis, station=world.stations["S211"], transport="web",
                              received_at="2024-02-07T10:00:00Z", raw="{}", values={"cis": "secret"})
    client = login(world.alice)
    full = client.get(reverse("forensics-stations", args=["odihr"]), {"near_full": 1}).content.decode()
    assert "#reports" not in full
    assert "secret" not in client.get(reverse("station-detail", args=["odihr", "S211"])).content.decode()


def test_forensics_pages_are_404_for_another_missions_member(login, world, results):
    client = login(world.outsider)
    for url in (reverse("forensics", args=["odihr"]), reverse("forensics-stations", args=["odihr"]),
                reverse("station-detail", args=["odihr", "S111"])):
        assert client.get(url).status_code == 404


def test_the_demo_elections_falsified_districts_are_found_by_the_forensics():
    from pollwatch.demo.generator import build_demo

    summary = build_demo(seed=2)
    contest = summary.election.contests.get()
    report = forensics_report(contest, breakdown="district")
    data = report.to_json()
    # Drawn protocols: a significant integer-percentage excess, concentrated in the drawn constituencies.
    assert data["integer_percentages"]["p_value"] < 0.01
    drawn = {u.name for u in summary.election.units.filter(code__in=summary.results_truth.drawn)}
    top = [r["region"] for r in data["regions"][: len(drawn) + 2]]
    assert drawn <= set(top)
    # Ballot stuffing: the fitted model sees incremental fraud, and the turnout–share correlation is positive.
    assert data["klimek"]["f_incremental"] > 0.02 and data["turnout_share_correlation"] > 0.1
    # The statistics run on exactly what `pollwatch results export` writes.
    assert len(results_table(contest)) == summary.counts["stations"]
    assert np.isfinite(data["excess_votes"])


def test_station_drill_down_uses_a_bounded_number_of_queries(login, world, results, django_assert_max_num_queries):
    client = login(world.alice)
    client.get(reverse("forensics", args=["odihr"]))  # computes and caches the report
    with django_assert_max_num_queries(15):
        assert client.get(reverse("forensics-stations", args=["odihr"])).status_code == 200
