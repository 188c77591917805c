"""The live quick count in the app: samples, count reports feeding the estimate, who sees it, the demo."""

import datetime as dt

import pytest
from django.urls import reverse

from pollwatch.collection.models import ObservationForm, Submission
from pollwatch.pvt.models import PvtSample
from pollwatch.pvt.queries import live_estimate
from pollwatch.pvt.services import do_draw_pvt_sample

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 2, 7, 17, 0, tzinfo=dt.UTC)


def count(world, mission, code, minutes, **values):
    form, _ = ObservationForm.objects.get_or_create(mission=mission, form_id="count_form", version="1",
                                                    defaults={"title": "Count", "kind": "closing"})
    return Submission.objects.create(mission=mission, form=form, station=world.stations[code], transport="sms",
                                     received_at=T0 + dt.timedelta(minutes=minutes), raw=repr(values), values=values)


@pytest.fixture
def sample(world):
    return do_draw_pvt_sample(world.cis, name="PVT", size=4, strata=[], seed=1)


def test_a_drawn_sample_is_stored_and_reproducible_from_its_seed(world):
    a = do_draw_pvt_sample(world.cis, name="A", size=3, strata=["region"], seed=9, reserves=0)
    b = do_draw_pvt_sample(world.cis, name="B", size=3, strata=["region"], seed=9, reserves=0)
    codes = lambda s: list(s.stations.order_by("position").values_list("station__code", flat=True))  # noqa: E731
    assert codes(a) == codes(b) and len(codes(a)) == 3
    assert set(a.stations.values_list("stratum", flat=True)) <= {"Absheron", "Ganja-Dashkasan"}
    with pytest.raises(ValueError, match="already has a sample named 'A'"):
        do_draw_pvt_sample(world.cis, name="A", size=3, strata=[], seed=1)


def test_count_reports_feed_the_estimate_and_a_correction_replaces_the_first_report(world, sample):
    count(world, world.cis, "S111", 0, ballots=500, invalid=0, votes_1=300, votes_2=200)
    count(world, world.cis, "S112", 5, ballots=600, invalid=0, votes_1=300, votes_2=300)
    count(world, world.cis, "S121", 9, ballots=300, invalid=0, votes_1=100, votes_2=200)
    count(world, world.cis, "S111", 20, ballots=500, invalid=0, votes_1=250, votes_2=250)  # corrected report
    live = live_estimate(sample)
    assert live.reported == 3 and live.expected == 4
    # Σ votes for candidate 1 over Σ valid: (250 + 300 + 100) / (500 + 600 + 300)
    assert live.estimate.candidates["Ilgar Mammadov"].estimate == pytest.approx(650 / 1400)
    assert live.convergence[-1].reported == 3


def test_incomplete_and_impossible_counts_are_excluded_and_listed(world, sample):
    count(world, world.cis, "S111", 0, ballots=500, invalid=0, votes_1=300, votes_2=200)
    count(world, world.cis, "S112", 1, ballots=600, invalid=0, votes_1=300)  # no votes_2
    count(world, world.cis, "S121", 2, ballots=900, invalid=0, votes_1=450, votes_2=450)  # 600 registered
    count(world, world.cis, "S211", 3, ballots=700, invalid=10, votes_1=400, votes_2=290)
    live = live_estimate(sample)
    flagged = {f.station_id: f.reason for f in live.flagged}
    assert "no 'votes_2'" in flagged["S112"]
    assert "S121" in flagged and "registered" in flagged["S121"]
    assert live.estimate is not None and live.estimate.stations_reported == 2


def test_other_missions_reports_never_count(world, sample):
    for code in ("S111", "S112"):
        count(world, world.odihr, code, 0, ballots=500, invalid=0, votes_1=500, votes_2=0)
    assert live_estimate(sample).reported == 0


def test_unpublished_estimates_are_for_analysts_and_admins_then_everyone(login, client, world, sample):
    count(world, world.cis, "S111", 0, ballots=500, invalid=0, votes_1=300, votes_2=200)
    count(world, world.cis, "S112", 1, ballots=600, invalid=0, votes_1=300, votes_2=300)
    url = reverse("pvt", args=["cis"])
    assert 'id="estimates"' in login(world.bella).get(url).content.decode()  # analyst
    client.logout()
    coordinator = login(world.boris)
    page = coordinator.get(url).content.decode()
    assert 'id="estimates"' not in page and "until a coordinator publishes it" in page
    assert coordinator.post(reverse("pvt-publish", args=["cis", sample.pk])).status_code == 302
    assert 'id="estimates"' in coordinator.get(url).content.decode()


def test_coordinators_cannot_draw_and_analysts_can(login, client, world):
    data = {"name": "Evening", "size": "3", "seed": "4", "strata": ["region"], "reserves": "0"}
    assert login(world.boris).post(reverse("pvt-draw", args=["cis"]), data).status_code == 403
    client.logout()
    response = login(world.bella).post(reverse("pvt-draw", args=["cis"]), data)
    assert response.status_code == 302 and PvtSample.objects.filter(name="Evening").exists()
    bad = login(world.bella).post(reverse("pvt-draw", args=["cis"]), {**data, "name": "X", "size": "lots"})
    assert bad.status_code == 302 and not PvtSample.objects.filter(name="X").exists()


def test_pvt_pages_are_404_for_another_mission(login, world, sample):
    client = login(world.alice)  # ODIHR admin
    assert client.get(reverse("pvt", args=["cis"])).status_code == 404
    assert client.get(reverse("pvt-export", args=["cis", sample.pk])).status_code == 404
    assert client.post(reverse("pvt-publish", args=["cis", sample.pk])).status_code == 404
    # And a sample id of another mission under one's own mission is not found either.
    assert client.get(reverse("pvt-export", args=["odihr", sample.pk])).status_code == 404


def test_sample_export_lists_every_station_in_draw_order(login, world, sample):
    csv_text = login(world.bella).get(reverse("pvt-export", args=["cis", sample.pk])).content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == "station_id,stratum,registered,reserve,order" and len(lines) == 5


def test_the_demo_quick_count_catches_the_falsified_official_result():
    from pollwatch.demo.generator import build_demo

    summary = build_demo(seed=4)
    sample = PvtSample.objects.get(mission__slug="citizens")
    live = live_estimate(sample)
    assert live.reported > 0.85 * live.expected and live.flagged  # some typos were flagged, not used
    leader = live.candidates[0]
    estimate = live.estimate.candidates[leader]
    # Observers saw the honest counts; stuffing and drawn protocols lifted the official share above the interval.
    assert live.official[leader] > estimate.ci_high
    assert summary.counts["stations"] > 6000
    # The count form the demo serves to ODK Collect asks for this ballot's votes, under the names the PVT reads.
    from pollwatch.collection.demo import build_demo_collection

    build_demo_collection(sample.mission, seed=4, base_url="http://127.0.0.1:8000")
    served = ObservationForm.objects.filter(mission=sample.mission, form_id="count_form").exclude(version="demo")
    fields = {f["name"] for f in served.get().fields}
    assert {f"votes_{p}" for p in range(1, 8)} <= fields and "ballots_cast" in fields


def test_the_pvt_page_query_count_does_not_grow_with_reports(login, world, sample, django_assert_max_num_queries):
    for k, code in enumerate(("S111", "S112", "S121", "S211")):
        count(world, world.cis, code, k, ballots=500, invalid=0, votes_1=300, votes_2=200)
    client = login(world.bella)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("pvt", args=["cis"])).status_code == 200


def test_the_margin_of_error_of_turnout_and_each_candidate_is_shown_with_its_stations(login, world, sample):
    count(world, world.cis, "S111", 0, ballots=500, invalid=0, votes_1=300, votes_2=200)
    count(world, world.cis, "S112", 1, ballots=600, invalid=0, votes_1=300, votes_2=300)
    count(world, world.cis, "S121", 2, ballots=300, invalid=0, votes_1=100, votes_2=200)
    page = login(world.bella).get(reverse("pvt", args=["cis"])).content.decode()
    table = page[page.index('id="estimates"'):page.index("</table>", page.index('id="estimates"'))]
    rows = table.split("<tr")[2:]  # after the header: each candidate, then turnout
    assert len(rows) == 3 and 'id="turnout"' in rows[-1]
    # Every row carries its margin and the 3 reporting stations behind it; turnout's interval is the logit one.
    assert all('<td class="num">3</td>' in r for r in rows)
    turnout = live_estimate(sample).estimate.turnout
    low, high = turnout.logit_interval
    assert f"{low:.4f} – {high:.4f}" in rows[-1]
