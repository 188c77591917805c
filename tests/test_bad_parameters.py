"""The bad parameters that once gave a 500 (issue 14) each get a clear 4xx, or a note, that names them."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past 64 bits
FIXTURES = Path(__file__).resolve().parent / "media" / "fixtures"


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)  # admin of odihr
    return client


@pytest.mark.parametrize(("url", "name"), [
    (f"/missions/odihr/checks/results/?check={HUGE}", "check"),
    ("/missions/odihr/checks/results/?check=abc", "check"),
    (f"/missions/odihr/media/report?outlet={HUGE}", "outlet"),
    ("/missions/odihr/media/report?start=0001-01-01", "start"),
    ("/missions/odihr/media/?end=2024-13-40", "end"),
    (f"/missions/odihr/media/export/items.csv?outlet={HUGE}", "outlet"),
    ("/missions/odihr/forensics/?contest=abc", "contest"),
    ("/missions/odihr/forensics/stations/?contest=-1", "contest"),
    (f"/missions/odihr/incidents/?severity={HUGE}", "severity"),
    ("/missions/odihr/incidents/?category=a%00b", "category"),
])
def test_a_page_answers_a_malformed_parameter_with_a_400_naming_it(alice, url, name):
    response = alice.get(url)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"Bad parameter {name}")


@pytest.mark.parametrize("url", [
    "/missions/odihr/operations/dashboard?from=0001-01-01T00:00",
    "/missions/odihr/operations/export/submissions.xlsx?from=0001-01-01T00:00",
    "/missions/odihr/operations/export/masters.csv?to=9999-12-31T23:59",
])
def test_a_dashboard_filter_with_an_impossible_date_is_dropped_with_a_note(alice, url):
    response = alice.get(url)
    assert response.status_code == 200
    if "dashboard" in url:
        assert "Cannot read from time" in response.content.decode()


def test_an_id_past_64_bits_in_a_url_is_a_404(alice):
    assert alice.get(f"/missions/odihr/incidents/{HUGE}/").status_code == 404
    assert alice.get("/missions/odihr/media/items/9223372036854775808/").status_code == 404


def test_coding_an_item_with_a_tone_key_past_64_bits_is_a_400(alice, world):
    from pollwatch.media.importers import check_import_corpus

    item = check_import_corpus(world.odihr, [(p.name, p.read_bytes()) for p in sorted(FIXTURES.glob("*.txt"))[:1]],
                               user=world.alice, outlet="AzerNews").imported[0]
    response = alice.post(f"/missions/odihr/media/items/{item.pk}/", {f"tone-{HUGE}": "positive"})
    assert response.status_code == 400 and f"tone-{HUGE}" in response.content.decode()


def test_a_device_login_for_observer_abc_is_a_400(login, world):
    response = login(world.boris).post("/missions/cis/forms/device-login", {"observer": "abc"})
    assert response.status_code == 400 and b"observer" in response.content


@pytest.mark.parametrize(("field", "value"), [("seed", HUGE), ("seed", "-1"), ("reserves", "-3"),
                                              ("reserves", "100000"), ("size", HUGE)])
def test_a_pvt_draw_with_an_out_of_range_number_is_refused_with_a_message_naming_it(alice, world, field, value):
    from django.contrib.messages import get_messages

    from pollwatch.pvt.models import PvtSample

    data = {"name": "Q", "size": "2", "seed": "1", "reserves": "0", field: value}
    response = alice.post("/missions/odihr/pvt/draw", data)
    assert response.status_code == 302 and not PvtSample.objects.exists()
    label = {"seed": "Seed", "reserves": "Reserves per stratum", "size": "Stations"}[field]  # as the form names it
    assert any(str(m).startswith(f"{label}: ") for m in get_messages(response.wsgi_request))


def test_the_api_answers_an_offset_past_64_bits_with_a_400_naming_it(client, world):
    from pollwatch.collection.services import do_create_api_token

    _, token = do_create_api_token(world.alice)
    response = client.get(f"/api/missions/odihr/submissions?offset={HUGE}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert "offset" in str(response.json()["detail"])


def test_the_api_refuses_text_with_a_nul_character(client, world):
    from pollwatch.collection.services import do_create_api_token

    _, token = do_create_api_token(world.alice)
    response = client.post("/api/missions/odihr/submissions", {"form_id": "a\x00b", "values": {"x": "\x00"}},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(("option", "value"), [("--seed", "-1"), ("--reserve", "-3"), ("--size", "0")])
def test_the_cli_names_an_out_of_range_option_of_a_pvt_draw(tmp_path, option, value):
    frame = tmp_path / "frame.csv"
    frame.write_text("station_id,registered,region\na,100,N\nb,200,N\nc,300,S\nd,100,S\n")
    args = {"--size": "2", "--seed": "1", "--reserve": "0", option: value}
    run = subprocess.run([sys.executable, "-m", "pollwatch.cli.main", "pvt", "draw", str(frame), "--out",
                          str(tmp_path / "s.csv"), *[x for kv in args.items() for x in kv]],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and option in run.stderr and "Traceback" not in run.stderr


def test_year_one_is_not_a_date_the_product_takes():
    from pollwatch.web.params import BadParameter, parse_date, parse_int

    with pytest.raises(BadParameter, match="start: 0001-01-01 is outside"):
        parse_date("start", "0001-01-01")
    assert parse_date("start", "2024-02-07") == dt.date(2024, 2, 7)
    with pytest.raises(BadParameter, match="seed: .* is not a whole number"):
        parse_int("seed", "1" * 100)
