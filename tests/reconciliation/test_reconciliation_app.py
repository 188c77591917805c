"""Protocol reconciliation in the app: observers' counts against the official results, who sees it, the secrecy
of the quick count's count reports, the CSV and the statement placeholder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 2, 7, 3, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2024, 2, 7, 20, 0, tzinfo=dt.UTC)
HEADER = ["station_id", "region", "district", "registered", "issued", "ballots", "invalid", "Ilgar Mammadov",
          "Leyla Aliyeva"]
# What the observers counted: (registered, ballots, invalid, Mammadov, Aliyeva).
OBSERVED = {"S111": (800, 500, 10, 300, 190), "S112": (1200, 700, 20, 400, 280), "S121": (600, 400, 0, 150, 250),
            "S211": (1500, 900, 30, 500, 370)}
# What the commission published: S111 as counted, S112 one vote moved (small), S121 100 votes moved (large), S211
# 800 ballots added for Mammadov, beyond the 1,500 voters of the register (impossible).
OFFICIAL = {"S111": (800, 500, 10, 300, 190), "S112": (1200, 700, 20, 401, 279), "S121": (600, 400, 0, 250, 150),
            "S211": (1500, 1700, 30, 1300, 370)}


def count_xml(code: str, numbers, *, n: int, photo: str = "") -> bytes:
    registered, ballots, invalid, a, b = numbers
    return (
        f'<data xmlns:jr="http://openrosa.org/javarosa" id="count_form" version="2024020701">'
        f"<station_code>{code}</station_code><observer_code/><ballot_box_sealed>yes</ballot_box_sealed>"
        f"<registered>{registered}</registered><ballots_cast>{ballots}</ballots_cast><invalid>{invalid}</invalid>"
        f"<votes_1>{a}</votes_1><votes_2>{b}</votes_2><protocol_posted>yes</protocol_posted>"
        f"<protocol_photo>{photo}</protocol_photo><meta><instanceID>uuid:rec-{code}-{n}</instanceID></meta></data>"
    ).encode()


def jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def counted(world, settings, tmp_path):
    """Count reports from an observer at each station of ``cis`` (S111's with a photo), and official results."""
    from pollwatch.collection.demo import import_demo_forms
    from pollwatch.collection.submissions import IncomingFile, forget_forms, receive_submission
    from pollwatch.missions.services import do_create_observer, do_deploy_observer
    from pollwatch.results.official import do_import_results
    from pollwatch.stats.results import results_from_rows

    settings.MEDIA_ROOT = tmp_path / "media"
    forget_forms()
    import_demo_forms(world.cis)
    observers = {"S111": world.observers["CIS-001"]}
    for k, code in enumerate(("S112", "S121", "S211"), start=2):
        observers[code] = do_create_observer(world.cis, code=f"CIS-00{k}", name=f"Observer {k}", phone=f"+790000000{k}")
        do_deploy_observer(observers[code], station=world.stations[code], team=f"C{k}", shift_start=T0,
                           shift_end=T1 + dt.timedelta(hours=3))
    for code, numbers in OBSERVED.items():
        photo = "protocol.jpg" if code == "S111" else ""
        receive_submission(count_xml(code, numbers, n=1, photo=photo), transport="openrosa", mission=world.cis,
                           observer=observers[code],
                           attachments=[IncomingFile("protocol.jpg", jpeg(), "image/jpeg")] if photo else [])
    rows = [[code, "", "", str(r), str(b), str(b), str(i), str(a), str(c)] for code, (r, b, i, a, c) in OFFICIAL.items()]
    do_import_results(world.contest, results_from_rows(HEADER, rows))
    return world


def test_each_station_is_classed_and_the_changed_votes_are_counted(counted):
    from pollwatch.reconciliation.queries import reconciliation_report

    report = reconciliation_report(counted.cis, counted.bella)
    assert {r.code: r.status for r in report.stations} == {
        "S111": "exact", "S112": "small", "S121": "large", "S211": "impossible"}
    assert report.counts == {"exact": 1, "small": 1, "large": 1, "impossible": 1} and report.differing == 3
    changed = {c.candidate: c for c in report.changed}
    # Mammadov: +1 (S112) +100 (S121) +800 (S211); Aliyeva: −1 −100.
    assert changed["Ilgar Mammadov"].votes == 901 and changed["Leyla Aliyeva"].votes == -101
    assert changed["Ilgar Mammadov"].low <= 901 <= changed["Ilgar Mammadov"].high
    assert dict(report.by_region) == {"Absheron": {"exact": 1, "small": 1, "large": 1, "impossible": 0},
                                      "Ganja-Dashkasan": {"exact": 0, "small": 0, "large": 0, "impossible": 1}}
    s121 = next(r for r in report.stations if r.code == "S121")
    assert s121.observed == [600, 400, 0, 150, 250] and s121.official == [600, 400, 0, 250, 150]
    assert s121.differs == [False, False, False, True, True]
    assert next(r for r in report.stations if r.code == "S111").photos  # the protocol photo, beside the row
    # The page says which protocol is impossible: here the official one (1,700 ballots, 1,500 voters).
    assert {r.code: r.impossible_side for r in report.stations} == {"S111": "", "S112": "", "S121": "",
                                                                    "S211": "official"}


def test_a_count_without_an_official_row_or_with_a_missing_number_is_listed_not_compared(counted):
    from pollwatch.elections.models import StationResult
    from pollwatch.operations.models import MasterRecord
    from pollwatch.reconciliation.queries import reconciliation_report

    StationResult.objects.filter(station=counted.stations["S211"]).delete()
    master = MasterRecord.objects.get(mission=counted.cis, station=counted.stations["S121"])
    master.values.pop("votes_2")
    master.save()
    disputed = MasterRecord.objects.get(mission=counted.cis, station=counted.stations["S112"])
    disputed.values.pop("votes_1")  # two observers reported different numbers: the merge leaves the field out
    disputed.conflicts = {"votes_1": {"values": [400, 430]}}
    disputed.save()
    report = reconciliation_report(counted.cis, counted.bella)
    assert dict(report.not_compared) == {"S112": "observers disagree on votes_1 (an open conflict)",
                                         "S121": "incomplete count: no 'votes_2'",
                                         "S211": "no official result for this station"}
    assert report.compared == 1


def test_the_page_lists_stations_by_region_with_both_rows_and_the_photo(login, counted):
    client = login(counted.bella)
    page = client.get(reverse("reconciliation", args=["cis"])).content.decode()
    assert 'id="count-large">1<' in page and 'id="count-impossible">1<' in page
    assert 'data-station="S121" data-class="large"' in page and "differs" in page
    attachment = counted.cis.submissions.get(station__code="S111").attachments.get()
    assert reverse("collection-attachment", args=["cis", attachment.pk]) + "?inline=1" in page
    only = client.get(reverse("reconciliation", args=["cis"]), {"region": "Ganja-Dashkasan"}).content.decode()
    assert 'data-station="S211"' in only and 'data-station="S111"' not in only
    large = client.get(reverse("reconciliation", args=["cis"]), {"class": "large"}).content.decode()
    assert 'data-station="S121"' in large and 'data-station="S112"' not in large


def test_unknown_filters_are_a_400_naming_the_parameter(login, counted):
    client = login(counted.bella)
    response = client.get(reverse("reconciliation", args=["cis"]), {"class": "medium"})
    assert response.status_code == 400 and "class" in response.content.decode()
    assert client.get(reverse("reconciliation", args=["cis"]), {"region": "Atlantis"}).status_code == 400


def test_the_page_is_for_roles_that_see_every_report_of_their_own_mission(login, client, counted):
    from pollwatch.missions.models import Role
    from pollwatch.missions.services import do_add_member, do_create_user

    url = reverse("reconciliation", args=["cis"])
    assert login(counted.boris).get(url).status_code == 200  # coordinator
    observer = do_create_user("olga", "pw-olga-123456")
    do_add_member(counted.cis, observer, Role.OBSERVER)
    assert login(observer).get(url).status_code == 403
    assert login(counted.alice).get(url).status_code == 404  # admin of the other mission
    assert login(counted.outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    # Mission isolation: ODIHR's reconciliation shows none of CIS's counts.
    page = login(counted.alice).get(reverse("reconciliation", args=["odihr"])).content.decode()
    assert 'id="compared">0<' in page and "S121" not in page


def test_before_the_quick_count_is_published_its_count_reports_are_sealed_for_the_coordinator(login, counted):
    from pollwatch.pvt.services import do_draw_pvt_sample, do_publish_pvt_sample

    sample = do_draw_pvt_sample(counted.cis, name="PVT", size=2, strata=[], seed=1)
    url = reverse("reconciliation", args=["cis"])
    coordinator = login(counted.boris).get(url).content.decode()
    assert 'id="sealed"' in coordinator and 'id="compared">0<' in coordinator
    assert all(f'data-station="{code}"' not in coordinator for code in OBSERVED)
    csv_text = b"".join(login(counted.boris).get(reverse("reconciliation-csv", args=["cis"])).streaming_content)
    assert csv_text.decode().strip().count("\n") == 0  # the header only
    analyst = login(counted.bella).get(url).content.decode()
    assert 'id="sealed"' not in analyst and 'id="compared">4<' in analyst
    do_publish_pvt_sample(sample, user=counted.boris)
    assert 'id="compared">4<' in login(counted.boris).get(url).content.decode()


def test_the_csv_has_every_station_with_both_numbers_and_escapes_formulas(login, counted):
    station = counted.stations["S121"]
    station.name = "=HYPERLINK(\"http://evil\")"
    station.save()
    response = login(counted.bella).get(reverse("reconciliation-csv", args=["cis"]), {"class": "large"})
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("station_id,station,region,class,impossible_side,largest_difference,observed_registered,"
                               "official_registered")
    assert len(lines) == 2 and lines[1].startswith("S121,\"'=HYPERLINK") and ",large,,100," in lines[1]


def test_the_page_reads_a_bounded_number_of_queries(login, counted, django_assert_max_num_queries):
    client = login(counted.bella)
    client.get(reverse("reconciliation", args=["cis"]))
    with django_assert_max_num_queries(25):
        client.get(reverse("reconciliation", args=["cis"]))


def test_a_statement_cites_the_stations_where_the_official_tally_differs(counted):
    from pollwatch.pvt.services import do_draw_pvt_sample, do_publish_pvt_sample
    from pollwatch.statements.placeholders import PlaceholderError
    from pollwatch.statements.sources import resolve

    value = resolve(counted.cis, "reconciliation.differs.count")
    assert value.text == "3" and value.columns[0] == "region"
    assert [r[0] for r in value.rows] == ["Absheron", "Ganja-Dashkasan"] and value.rows[0][-1] == 2
    assert resolve(counted.cis, "reconciliation.large.count").text == "1"
    assert resolve(counted.cis, "reconciliation.1.changed").text.startswith("+901 (95 % interval")
    with pytest.raises(PlaceholderError, match="write reconciliation"):
        resolve(counted.cis, "reconciliation.medium.count")
    with pytest.raises(PlaceholderError, match="no candidate number"):
        resolve(counted.cis, "reconciliation.7.changed")
    sample = do_draw_pvt_sample(counted.cis, name="PVT", size=2, strata=[], seed=1)
    with pytest.raises(PlaceholderError, match="sealed until the quick count is published"):
        resolve(counted.cis, "reconciliation.differs.count")
    do_publish_pvt_sample(sample, user=counted.boris)
    assert resolve(counted.cis, "reconciliation.differs.count").text == "3"
