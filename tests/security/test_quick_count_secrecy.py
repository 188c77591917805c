"""Before a quick count is published, no page, list, chart, export or statement shows its count form's reports
to a role without "see the unpublished quick count" — not per station (which stations sent one is the sample),
not per region (the per-region counts are the sample's strata), not in the mission's totals. The whole form is
left out, at every station, so what is missing does not name the sample either (finding 3).

In mission A (odihr) the coordinator ``carla`` lacks the capability, the analyst ``anna`` has it; the crew
(tests/security/conftest.py) has a checklist report and a count report (``odi-count-value``) at station S121, both
forms scheduled here so that the dashboard counts them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pollwatch.missions.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(crew):
    from pollwatch.operations.services import do_set_form_schedule

    mission = crew.objects["odihr"]["form"].mission
    for form_id in ("checklist", "count_form"):
        do_set_form_schedule(mission, form_id=form_id, due_time=dt.time(21, 0))
    return crew


@pytest.fixture
def login():
    """``login(user)``: a client of its own per user (the shared ``login`` fixture reuses one client)."""
    from django.test import Client

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _forms_counted(response) -> set[str]:
    return {row["id"] for row in response.context["by_form"]}


def _reported(response) -> int:
    """Expected reports that came in, over every region of the coverage table."""
    return sum(row["total"] - row["counts"]["missing"] for row in response.context["by_region"])


def test_the_station_page_lists_no_count_report_before_publication(login, scheduled):
    url = reverse("station-detail", args=["odihr", "S121"])
    html = login(scheduled.a[Role.COORDINATOR]).get(url).content.decode()
    assert "odi-secret-value" in html  # the checklist report is listed
    assert "Count_Form" not in html and "odi-count-value" not in html
    analyst = login(scheduled.a[Role.ANALYST]).get(url).content.decode()
    assert "Count_Form" in analyst and "odi-count-value" in analyst


def test_the_dashboard_counts_no_count_report_per_form_region_or_hour_before_publication(login, scheduled):
    coordinator = login(scheduled.a[Role.COORDINATOR])
    analyst = login(scheduled.a[Role.ANALYST])
    for name in ("operations-dashboard", "operations-coverage", "operations"):
        url = reverse(name, args=["odihr"])
        seen = coordinator.get(url)
        assert _forms_counted(seen) == {"checklist"}, name
        # The same numbers with a filter the counter tables cannot answer (one GROUP BY over the rows instead).
        assert _forms_counted(coordinator.get(url, {"flag": "late"})) <= {"checklist"}, name
        assert _forms_counted(analyst.get(url)) == {"checklist", "count_form"}, name
    page = coordinator.get(reverse("operations-dashboard", args=["odihr"]))
    assert _reported(page) == _reported(analyst.get(reverse("operations-dashboard", args=["odihr"]))) - 1
    assert '"name": "count_form"' not in page.context["figures"]["coverage"].replace("&quot;", '"')
    # Asking for the count form by name does not get round it.
    assert _reported(coordinator.get(reverse("operations-dashboard", args=["odihr"]), {"form": "count_form"})) == 0


@pytest.fixture
def sealed_answer(scheduled, world):
    """A second count report, at S111, with a yes/no answer: the checklist counters have a count-form row."""
    from tests.operations.reports import report

    objects = scheduled.objects["odihr"]
    report(objects["count_form"], world.observers["ODI-002"], world.stations["S111"],
           {"registered": 500, "ballot_box_sealed": "yes"}, at="20:30")
    return scheduled


def test_the_closing_checklist_chart_leaves_out_a_sealed_count_form(sealed_answer):
    from pollwatch.missions.access import sealed_form_ids
    from pollwatch.operations.dashboard import checklist_rows
    from pollwatch.operations.filters import Filters

    mission = sealed_answer.objects["odihr"]["form"].mission
    coordinator, analyst = sealed_answer.a[Role.COORDINATOR], sealed_answer.a[Role.ANALYST]
    for flag in ("", "late"):  # the counters, and the tally of master records
        sealed = Filters(mission, flag=flag, sealed=frozenset(sealed_form_ids(coordinator, mission)))
        seen = Filters(mission, flag=flag, sealed=frozenset(sealed_form_ids(analyst, mission)))
        assert checklist_rows(mission, "ballot_box_sealed", form_id="count_form", filters=sealed) == [], flag
    seen = Filters(mission, sealed=frozenset(sealed_form_ids(analyst, mission)))
    assert [row[2:] for row in checklist_rows(mission, "ballot_box_sealed", form_id="count_form", filters=seen)] == [
        (1, 1)]


def test_the_expected_reports_map_and_coverage_export_leave_out_the_count_form(login, scheduled, world):
    from pollwatch.geography.models import PollingStation
    from pollwatch.missions.services import do_deploy_observer
    from pollwatch.operations.services import do_build_expected_reports

    PollingStation.objects.update(latitude=40.4, longitude=49.9)  # on the map
    start = dt.datetime(2024, 2, 7, 3, 0, tzinfo=dt.UTC)
    do_deploy_observer(world.observers["ODI-001"], station=world.stations["S121"], team="T02", shift_start=start,
                       shift_end=start + dt.timedelta(hours=14))
    do_build_expected_reports(world.odihr)
    coordinator = login(scheduled.a[Role.COORDINATOR])
    expected = coordinator.get(reverse("operations-expected", args=["odihr"]), {"form": "count_form"})
    assert list(expected.context["page"]) == []
    rows = coordinator.get(reverse("operations-expected", args=["odihr"])).context["page"]
    assert {e.schedule.form_id for e in rows} == {"checklist"}
    for url in (reverse("operations-coverage-csv", args=["odihr"]),
                reverse("operations-export", args=["odihr", "coverage", "csv"])):
        body = _body(coordinator.get(url))
        assert "checklist" in body and "count_form" not in body, url
    assert coordinator.get(reverse("operations-map", args=["odihr"]), {"form": "count_form"}).context["map"][
        "shown"] == 0
    analyst = login(scheduled.a[Role.ANALYST])
    assert "count_form" in _body(analyst.get(reverse("operations-coverage-csv", args=["odihr"])))
    assert analyst.get(reverse("operations-map", args=["odihr"]), {"form": "count_form"}).context["map"]["shown"] > 0


def test_the_mission_overview_does_not_count_the_count_reports(login, scheduled):
    url = reverse("mission-home", args=["odihr"])
    coordinator = login(scheduled.a[Role.COORDINATOR]).get(url).context["overview"].submissions
    analyst = login(scheduled.a[Role.ANALYST]).get(url).context["overview"].submissions
    assert analyst == coordinator + 1


def test_the_sms_log_shows_no_count_message_before_publication(login, scheduled):
    from pollwatch.collection.models import ObservationForm
    from pollwatch.sms.models import InboundMessage

    mission = scheduled.objects["odihr"]["form"].mission
    ObservationForm.objects.filter(mission=mission, form_id="count_form").update(sms_prefix="PVT")
    InboundMessage.objects.create(mission=mission, gateway="twilio", message_id="count-1", sender="+4790000001",
                                  text="pvt 800 301 199", received_at=dt.datetime(2024, 2, 7, 20, tzinfo=dt.UTC),
                                  status="rejected")
    url = reverse("sms-log", args=["odihr"])
    coordinator = login(scheduled.a[Role.COORDINATOR]).get(url).content.decode()
    assert "odi-sms-text" in coordinator and "800 301 199" not in coordinator
    assert "800 301 199" in login(scheduled.a[Role.ADMIN]).get(url).content.decode()


def test_statements_cite_no_count_report_before_publication(sealed_answer):
    from pollwatch.pvt.services import do_publish_pvt_sample
    from pollwatch.statements.builtin_sources import checklist, regions, reports, stations
    from pollwatch.statements.placeholders import PlaceholderError

    mission = sealed_answer.objects["odihr"]["form"].mission
    assert reports(mission, ["count"]).rows == [["checklist", 2]]
    assert stations(mission, ["observed"]).number == 1.0  # S121; S111 sent only a count report
    covered = regions(mission, ["covered"]).rows
    with pytest.raises(PlaceholderError, match="no yes/no answers"):
        checklist(mission, ["count_form", "ballot_box_sealed", "yes"])
    do_publish_pvt_sample(sealed_answer.objects["odihr"]["sample"], user=sealed_answer.a[Role.COORDINATOR])
    assert reports(mission, ["count"]).rows == [["checklist", 2], ["count_form", 2]]
    assert stations(mission, ["observed"]).number == 2.0
    assert checklist(mission, ["count_form", "ballot_box_sealed", "yes"]).number == 1.0
    assert sum(n for _, n in regions(mission, ["covered"]).rows) > sum(n for _, n in covered)


def test_after_publication_the_coordinator_sees_the_count_reports_everywhere(login, scheduled):
    from pollwatch.pvt.services import do_publish_pvt_sample

    do_publish_pvt_sample(scheduled.objects["odihr"]["sample"], user=scheduled.a[Role.COORDINATOR])
    coordinator = login(scheduled.a[Role.COORDINATOR])
    assert _forms_counted(coordinator.get(reverse("operations-dashboard", args=["odihr"]))) == {
        "checklist", "count_form"}
    assert "odi-count-value" in coordinator.get(reverse("station-detail", args=["odihr", "S121"])).content.decode()


def test_the_forensics_station_list_does_not_count_the_count_reports(login, scheduled, world):
    from pollwatch.results.official import do_import_results
    from pollwatch.stats.results import results_from_rows
    from tests.conftest import RESULTS_HEADER

    do_import_results(world.contest, results_from_rows(RESULTS_HEADER, [
        ["S111", "", "", "800", "500", "498", "8", "400", "90"], ["S121", "", "", "600", "300", "300", "0", "200", "100"],
        ["S211", "", "", "1500", "1500", "1500", "0", "1499", "1"]]))
    url = reverse("forensics-stations", args=["odihr"])

    def reports_at_s121(user) -> int:
        return {row["code"]: row["reports"] for row in login(user).get(url).context["rows"]}["S121"]

    assert reports_at_s121(scheduled.a[Role.COORDINATOR]) == 2  # the two checklist reports
    assert reports_at_s121(scheduled.a[Role.ANALYST]) == 3
    assert reports_at_s121(scheduled.a[Role.OBSERVER]) == 1  # her own checklist report, not her colleague's
