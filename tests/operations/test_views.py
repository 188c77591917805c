"""Election-day pages: each number links to the reports behind it, phones only for PII roles, 404 across
missions, bounded queries, conflict resolution through the page, streamed CSV."""

import datetime as dt

import pytest
from django.urls import reverse

from pollwatch.missions.services import do_create_observer
from pollwatch.operations.models import MasterRecord
from pollwatch.operations.services import do_set_form_schedule
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world):
    form = make_form(world.cis)
    do_set_form_schedule(world.cis, form_id="closing", due_time=dt.time(21), required_fields=["valid"])
    second = do_create_observer(world.cis, code="CIS-002", name="Olga Petrova", phone="+7900000002")
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480}, at="16:00")
    report(form, second, world.stations["S111"], {"valid": 470}, at="16:05")
    return form


def test_the_election_day_page_shows_coverage_with_links_to_the_reports_behind_each_number(world, login, day,
                                                                                          django_assert_max_num_queries):
    client = login(world.boris)
    with django_assert_max_num_queries(12 + 2):  # + the freshness line: pending reports, failed ones
        page = client.get(reverse("operations", args=["cis"]))
    assert page.status_code == 200
    expected_link = reverse("operations-expected", args=["cis"]) + "?status=conflicting&region="
    assert expected_link in page.content.decode().replace("&amp;", "&")


def test_the_coverage_partial_renders_alone_for_htmx(world, login, day):
    page = login(world.bella).get(reverse("operations-coverage", args=["cis"]), {"form": "closing"})
    assert page.status_code == 200 and b"<html" not in page.content and b"coverage-by-region" in page.content


def test_the_silent_observers_list_shows_phones_to_a_coordinator_only(world, login, day):
    from pollwatch.operations.models import ExpectedReport

    ExpectedReport.objects.update(status="missing")
    url = reverse("operations-expected", args=["cis"])
    assert b"+7900000001" in login(world.boris).get(url, {"status": "missing"}).content
    page = login(world.bella).get(url, {"status": "missing"})
    assert b"CIS-001" in page.content and b"+7900000001" not in page.content


def test_a_list_with_an_unknown_status_is_a_404(world, login, day):
    assert login(world.boris).get(reverse("operations-expected", args=["cis"]), {"status": "x"}).status_code == 404


def test_the_dashboard_draws_coverage_incidents_and_checklist_in_bounded_queries_and_defers_the_map(
        world, login, day, django_assert_max_num_queries):
    client = login(world.bella)
    with django_assert_max_num_queries(16 + 2):  # + the freshness line: pending reports, failed ones
        page = client.get(reverse("operations-dashboard", args=["cis"]), {"region": world.units["R1"].pk})
    body = page.content.decode()
    for chart in ("chart-coverage", "chart-incidents", "chart-checklist", "station-map"):
        assert f'id="{chart}"' in body
    assert "plotly/plotly.min.js" in body and "Reports received over time" in body
    map_url = reverse("operations-map", args=["cis"]) + f"?region={world.units['R1'].pk}"
    assert f'hx-get="{map_url}"' in body and "Stations by report status" not in body


def test_the_dashboard_shows_the_counts_of_the_reports_each_linked_to_them(world, login, day):
    from pollwatch.operations.dashboard import arrivals_by_hour, checklist_by_region

    body = login(world.bella).get(reverse("operations-dashboard", args=["cis"])).content.decode()
    conflicting = reverse("operations-expected", args=["cis"]) + f"?status=conflicting&region={world.units['R1'].pk}"
    assert f'<a href="{conflicting}">1</a>' in body.replace("&amp;", "&")
    [(hour, n)] = arrivals_by_hour(world.cis)["closing"]
    assert (hour.isoformat(), n) == ("2024-02-07T20:00:00+04:00", 1)  # 16:00 UTC, local Baku time
    report(day, world.observers["CIS-001"], world.stations["S112"], {"ballot_box_sealed": "yes"}, at="16:30")
    assert checklist_by_region(world.cis, "ballot_box_sealed", form_id="closing") == {"Absheron": 100.0}


def test_the_station_map_is_its_own_partial_in_bounded_queries(world, login, day, django_assert_max_num_queries):
    from pollwatch.geography.models import PollingStation

    PollingStation.objects.update(latitude=40.4, longitude=49.9)
    client = login(world.bella)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("operations-map", args=["cis"]), {"form": "closing"})
    body = page.content.decode()
    assert page.status_code == 200 and "<html" not in body
    assert "Stations by report status" in body and "S111" in body and 'id="map-sample"' not in body


def test_a_large_selection_draws_a_labelled_sample_of_the_stations(world, login, day, monkeypatch):
    from pollwatch.geography.models import PollingStation
    from pollwatch.missions.services import do_deploy_observer
    from pollwatch.operations import stationmap as dashboard
    from pollwatch.operations.models import ExpectedReport
    from pollwatch.operations.services import do_set_form_schedule

    PollingStation.objects.update(latitude=40.4, longitude=49.9)
    start = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
    observer = do_create_observer(world.cis, code="CIS-003", name="Third", phone="")
    do_deploy_observer(observer, station=world.stations["S211"], shift_start=start,
                       shift_end=start + dt.timedelta(hours=14))
    do_set_form_schedule(world.cis, form_id="closing", due_time=dt.time(21), required_fields=["valid"])
    ExpectedReport.objects.filter(station=world.stations["S111"]).update(map_bucket=0)
    ExpectedReport.objects.filter(station=world.stations["S211"]).update(map_bucket=60)
    monkeypatch.setattr(dashboard, "MAP_POINTS", 1)
    body = login(world.bella).get(reverse("operations-map", args=["cis"])).content.decode()
    assert "S111" in body and "S211" not in body
    assert 'id="map-sample"' in body and "A sample: 1 stations drawn" in body


@pytest.mark.parametrize("name", ["operations", "operations-dashboard", "operations-coverage", "operations-map",
                                  "operations-expected", "operations-masters", "operations-coverage-csv"])
def test_a_member_of_the_other_mission_gets_a_404(world, login, day, name):
    assert login(world.alice).get(reverse(name, args=["cis"])).status_code == 404


def test_a_master_record_of_the_other_mission_is_a_404(world, login, day):
    pk = MasterRecord.objects.get().pk
    assert login(world.alice).get(reverse("operations-master", args=["cis", pk])).status_code == 404
    assert login(world.alice).post(reverse("operations-resolve", args=["cis", pk])).status_code == 404


def test_a_coordinator_resolves_a_conflict_by_choosing_a_reported_value(world, login, day):
    master = MasterRecord.objects.get()
    client = login(world.boris)
    assert b"conflict-valid" in client.get(reverse("operations-master", args=["cis", master.pk])).content
    client.post(reverse("operations-resolve", args=["cis", master.pk]),
                {"field": "valid", "choice": "1", "reason": "protocol photo"})
    master.refresh_from_db()
    assert master.values["valid"] == 470 and master.open_conflicts == 0


def test_a_coordinator_may_enter_a_verified_value(world, login, day):
    master = MasterRecord.objects.get()
    login(world.boris).post(reverse("operations-resolve", args=["cis", master.pk]),
                            {"field": "valid", "choice": "__verified__", "verified": "475", "reason": "recount"})
    master.refresh_from_db()
    assert master.values["valid"] == 475


def test_a_resolution_without_a_reason_changes_nothing(world, login, day):
    master = MasterRecord.objects.get()
    login(world.boris).post(reverse("operations-resolve", args=["cis", master.pk]),
                            {"field": "valid", "choice": "0", "reason": ""})
    master.refresh_from_db()
    assert master.open_conflicts == 1


def test_an_analyst_cannot_resolve_a_conflict(world, login, day):
    master = MasterRecord.objects.get()
    response = login(world.bella).post(reverse("operations-resolve", args=["cis", master.pk]),
                                       {"field": "valid", "choice": "0", "reason": "x"})
    assert response.status_code == 403


def test_the_coverage_csv_streams_without_phones_for_an_analyst(world, login, day):
    response = login(world.bella).get(reverse("operations-coverage-csv", args=["cis"]))
    body = b"".join(response.streaming_content).decode()
    assert response.streaming and "phone" not in body and "+79" not in body and "CIS-001" in body
    coordinator = login(world.boris).get(reverse("operations-coverage-csv", args=["cis"]))
    assert "+7900000001" in b"".join(coordinator.streaming_content).decode()


@pytest.mark.parametrize("what", ["coverage", "submissions", "masters", "incidents"])
def test_every_csv_export_streams_and_hides_phones_from_an_analyst(world, login, day, what):
    from pollwatch.incidents.services import check_report_incident

    check_report_incident(world.cis, source="staff", category="intimidation", description="x",
                          station=world.stations["S111"], observer=world.observers["CIS-001"])
    response = login(world.bella).get(reverse("operations-export", args=["cis", what, "csv"]))
    body = b"".join(response.streaming_content).decode()
    assert response.streaming and len(body.splitlines()) >= 2
    assert "phone" not in body.splitlines()[0] and "+790" not in body


def test_the_xlsx_export_of_reports_has_a_row_per_report_and_phones_for_a_coordinator(world, login, day):
    import io

    from openpyxl import load_workbook

    response = login(world.boris).get(reverse("operations-export", args=["cis", "submissions", "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert "phone" in rows[0] and len(rows) == 3 and "valid" in rows[0]


def test_an_unknown_export_is_a_404(world, login, day):
    assert login(world.boris).get(reverse("operations-export", args=["cis", "users", "csv"])).status_code == 404
    assert login(world.alice).get(reverse("operations-export", args=["cis", "incidents", "csv"])).status_code == 404
