"""The synthetic demo election: its size and shape, and that the product works on it (reproducibility:
test_demo_seed.py)."""

import pytest
from django.urls import reverse

from pollwatch.demo.generator import ADMIN_PASSWORD, ADMIN_USER, build_demo
from pollwatch.geography.models import PollingStation
from pollwatch.missions.models import Mission

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_shape_of_azerbaijans_2024_election():
    counts = build_demo(seed=1).counts
    assert counts["candidates"] == 7
    assert counts["regions"] == 14 and counts["constituencies"] == 125
    assert 6000 <= counts["stations"] <= 7000
    assert 6.0e6 <= counts["registered_voters"] <= 6.8e6
    assert counts["missions"] == 2
    assert counts["observers"] == 400 + 1500 and counts["deployments"] == counts["observers"]
    assert counts["submissions"] > 2000
    # Station sizes are capped at 1,500 voters and are not all alike.
    sizes = PollingStation.objects.values_list("registered_voters", flat=True)
    assert max(sizes) <= 1500 and min(sizes) >= 40 and len(set(sizes)) > 500


def test_international_teams_are_pairs_and_citizen_observers_are_static():
    build_demo(seed=1)
    ieom = Mission.objects.get(slug="ieom")
    citizens = Mission.objects.get(slug="citizens")
    teams = {}
    for d in ieom.deployments.all():
        assert d.area is not None and d.station is None
        teams.setdefault(d.team, []).append(d.observer_id)
    assert len(teams) == 200 and all(len(members) == 2 for members in teams.values())
    assert not citizens.deployments.filter(station=None).exists()
    assert citizens.deployments.values("station").distinct().count() == 1500


def test_the_demo_admin_can_log_in_and_open_both_missions(client):
    build_demo(seed=1)
    assert client.post("/login/", {"username": ADMIN_USER, "password": ADMIN_PASSWORD}).status_code == 302
    listing = client.get(reverse("home"))
    assert listing.status_code == 200
    assert "International Election Observation Mission" in listing.content.decode()
    for slug in ("ieom", "citizens"):
        page = client.get(reverse("mission-home", args=[slug]))
        assert page.status_code == 200
        assert "Baku" in page.content.decode()


def test_each_role_has_a_demo_login_and_the_observer_sees_only_their_own_assignment(client):
    from pollwatch.demo.generator import demo_logins
    from pollwatch.missions.models import Deployment, Observer

    build_demo(seed=1)
    logins = demo_logins()
    for slug in ("ieom", "citizens"):
        assert {r for _, _, r, s in logins if s == slug} == {"admin", "coordinator", "analyst", "data_clerk",
                                                             "observer"}
    assert client.post("/login/", {"username": "citizens-observer", "password": ADMIN_PASSWORD}).status_code == 302
    own = Observer.objects.get(user__username="citizens-observer")
    html = client.get("/missions/citizens/").content.decode()
    assert own.code in html
    other = Deployment.objects.filter(mission=own.mission).exclude(observer=own).select_related("observer").first()
    assert other.observer.code not in html
