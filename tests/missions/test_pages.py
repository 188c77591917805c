"""The mission pages: login required, and a user of one mission never sees another mission's data."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_redirects_an_anonymous_visitor_to_login(client, world):
    for url in (
        reverse("home"),
        reverse("mission-home", args=["odihr"]),
        reverse("station-search", args=["odihr"]) + "?q=S1",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_home_sends_a_member_of_one_mission_to_that_mission(login, world):
    response = login(world.alice).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mission-home", args=["odihr"])


def test_mission_home_shows_the_election_geography_and_deployments(login, world):
    response = login(world.alice).get(reverse("mission-home", args=["odihr"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Snap presidential election 2024" in html
    assert "Ganja-Dashkasan" in html  # a region of the geography table
    assert "Ilgar Mammadov" in html  # the ballot
    assert "ODI-001" in html and "Mobile: Absheron" in html  # the mobile team's deployment
    assert "CIS-001" not in html  # the other mission's observer


def test_a_member_of_another_mission_gets_404_on_every_mission_page(login, world):
    client = login(world.boris)  # CIS coordinator
    for url in (reverse("mission-home", args=["odihr"]), reverse("station-search", args=["odihr"])):
        assert client.get(url).status_code == 404, url


def test_unknown_and_foreign_missions_get_the_same_404(login, world):
    client = login(world.outsider)
    assert client.get(reverse("mission-home", args=["odihr"])).status_code == 404
    assert client.get(reverse("mission-home", args=["no-such-mission"])).status_code == 404


def test_phone_numbers_are_shown_to_coordinators_but_not_to_analysts(login, client, world):
    url = reverse("mission-home", args=["odihr"])
    assert "+4790000001" in login(world.alice).get(url).content.decode()
    client.logout()
    assert "+4790000001" not in login(world.anna).get(url).content.decode()


def test_station_search_finds_by_code_and_by_constituency_name(login, world):
    client = login(world.boris)
    by_code = client.get(reverse("station-search", args=["cis"]), {"q": "S21"}).content.decode()
    assert "S211" in by_code and "S111" not in by_code
    by_unit = client.get(reverse("station-search", args=["cis"]), {"q": "sumgait"}).content.decode()
    assert "S111" in by_unit and "S112" in by_unit and "S211" not in by_unit


def test_mission_home_query_count_does_not_grow_with_deployments(login, world, django_assert_max_num_queries):
    client = login(world.alice)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("mission-home", args=["odihr"])).status_code == 200
