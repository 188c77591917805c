"""Dashboard filters (observer group, time window, flag): every reader gives what a from-scratch count of the
filtered rows gives; invalid values are dropped with a note, never a 500."""

import datetime as dt
import html
from collections import Counter

import pytest
from django.http import QueryDict
from django.urls import reverse

from pollwatch.checks.models import CheckResult
from pollwatch.incidents.models import Incident
from pollwatch.missions.models import Observer
from pollwatch.missions.services import do_create_observer, do_deploy_observer
from pollwatch.operations import dashboard, queries
from pollwatch.operations.filters import parse_filters
from pollwatch.operations.models import ExpectedReport, MasterRecord
from tests.operations.reports import make_form, report

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def day(world):
    """CIS: a short-term and a long-term observer disagree at S111, a long-term one reports late (and for review)
    from S211, a team leader at S121 is silent; one rule fails on the first report; two incidents."""
    from pollwatch.checks.services import check_create_quality_check
    from pollwatch.incidents.services import check_report_incident
    from pollwatch.operations.services import do_set_form_schedule

    form = make_form(world.cis, fields=("valid", "ballot_box_sealed"))
    Observer.objects.filter(pk=world.observers["CIS-001"].pk).update(category="short-term")
    start = dt.datetime(2024, 2, 7, 3, tzinfo=UTC)
    people = {}
    for code, category, station in (("CIS-002", "long-term", "S111"), ("CIS-003", "long-term", "S211"),
                                    ("CIS-004", "team leader", "S121")):
        people[code] = do_create_observer(world.cis, code=code, name=code, category=category)
        do_deploy_observer(people[code], station=world.stations[station], shift_start=start,
                           shift_end=start + dt.timedelta(hours=14))
    do_set_form_schedule(world.cis, form_id="closing", due_time=dt.time(21), required_fields=["valid"])
    check_create_quality_check(world.cis, form_id="closing", name="at most 475", expression="valid <= 475")
    report(form, world.observers["CIS-001"], world.stations["S111"], {"valid": 480, "ballot_box_sealed": True},
           at="16:00")
    report(form, people["CIS-002"], world.stations["S111"], {"valid": 470, "ballot_box_sealed": True}, at="16:05")
    late = report(form, people["CIS-003"], world.stations["S211"], {"valid": 300, "ballot_box_sealed": "no"},
                  at="17:30")
    type(late).objects.filter(pk=late.pk).update(needs_review=True)
    check_report_incident(world.cis, source="staff", category="intimidation", severity=3, description="x",
                          station=world.stations["S111"], observer=world.observers["CIS-001"],
                          occurred_at=dt.datetime(2024, 2, 7, 10, tzinfo=UTC))
    check_report_incident(world.cis, source="staff", category="ballot stuffing", severity=4, description="y",
                          station=world.stations["S211"], observer=people["CIS-003"],
                          occurred_at=dt.datetime(2024, 2, 7, 15, tzinfo=UTC))
    return form


def filters(world, **params):
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    return parse_filters(world.cis, query)


def window(params):
    """The window of ``from``/``to`` (local Baku time, UTC+4) in UTC, as a predicate on a datetime."""
    def utc(text):
        return dt.datetime(2024, 2, 7, *map(int, text.split(":")), tzinfo=UTC) - dt.timedelta(hours=4)
    since = utc(params["from"]) if "from" in params else None
    until = utc(params["to"]) if "to" in params else None
    return lambda at: at is not None and (since is None or at >= since) and (until is None or at < until)


def expected_from_scratch(world, params):
    failing = set(CheckResult.objects.filter(outcome="fail", submission__isnull=False)
                  .values_list("submission_id", flat=True))
    conflicted = set(MasterRecord.objects.filter(open_conflicts__gt=0).values_list("station_id", flat=True))
    in_window = window(params)
    counts = Counter()
    for e in ExpectedReport.objects.filter(mission=world.cis).select_related("observer", "submission"):
        keep = {
            "group": e.observer.category == params.get("group"),
            "region": e.region_id == params.get("region"),
            "flag": {"review": bool(e.submission and e.submission.needs_review),
                     "failing": e.submission_id in failing, "conflicts": e.station_id in conflicted,
                     "late": bool(e.first_received_at and e.first_received_at > e.due_at)}.get(params.get("flag")),
        }
        if all(keep[k] for k in keep if k in params):
            shown = e.status if ("from" not in params and "to" not in params) or in_window(e.first_received_at) \
                else "missing"
            counts[(e.region_id, shown)] += 1
    return counts


CASES = [{"group": "long-term"}, {"group": "team leader"}, {"flag": "review"}, {"flag": "failing"},
         {"flag": "conflicts"}, {"flag": "late"}, {"from": "20:03", "to": "21:10"}, {"from": "21:00"},
         {"to": "20:03"}, {"group": "long-term", "flag": "late"}]


@pytest.mark.parametrize("params", CASES)
def test_coverage_with_a_filter_equals_a_from_scratch_count_of_the_filtered_expected_reports(world, day, params):
    f = filters(world, **params)
    assert not f.notes and not f.on_counters
    got = Counter({(row["id"], s): n for row in queries.coverage(world.cis, by="region", filters=f)
                   for s, n in row["counts"].items() if n})
    assert got == expected_from_scratch(world, params)
    for (region, status), n in got.items():  # the list behind each number has that many rows
        assert queries.expected_reports(world.cis, filters=filters(world, region=region, **params),
                                        status=status).count() == n


@pytest.mark.parametrize("params", CASES)
def test_arrivals_with_a_filter_count_the_filtered_reports_received_in_the_window(world, day, params):
    f = filters(world, **params)
    total = sum(n for points in dashboard.arrivals_by_hour(world.cis, f).values() for _, n in points)
    counts = expected_from_scratch(world, params)
    assert total == sum(n for (_, status), n in counts.items() if status != "missing")
    assert total == queries.expected_reports(world.cis, filters=f, received=True).count()


def test_a_region_filter_alone_stays_on_the_counters_and_matches_the_direct_count(world, day):
    f = filters(world, region=world.units["R1"].pk)
    assert f.on_counters
    assert queries.coverage(world.cis, by="region", filters=f)[0]["counts"] == {
        "missing": 1, "partial": 0, "complete": 0, "conflicting": 2, "late": 0}


@pytest.mark.parametrize("params,expected", [
    ({}, {("intimidation", 3), ("ballot stuffing", 4)}),
    ({"group": "long-term"}, {("ballot stuffing", 4)}),
    ({"from": "17:00"}, {("ballot stuffing", 4)}),  # occurred 15:00 UTC = 19:00 Baku
    ({"flag": "conflicts"}, {("intimidation", 3)}),
    ({"flag": "review"}, set()),  # staff incidents come from no report
])
def test_incidents_by_category_respect_group_window_and_flag(world, day, params, expected):
    rows = dashboard.incidents_by_category(world.cis, filters(world, **params))
    assert {(r["category"], r["severity"]) for r in rows} == expected


@pytest.mark.parametrize("params,expected", [
    ({}, {"Absheron": 100.0, "Ganja-Dashkasan": 0.0}),
    ({"group": "long-term"}, {"Absheron": 100.0, "Ganja-Dashkasan": 0.0}),
    ({"group": "short-term"}, {"Absheron": 100.0}),
    ({"flag": "late"}, {"Ganja-Dashkasan": 0.0}),
    ({"flag": "conflicts"}, {"Absheron": 100.0}),
    ({"flag": "failing"}, {}),  # the rule passes on the master records (S111's valid is in conflict)
    ({"to": "20:03"}, {"Absheron": 100.0}),
])
def test_checklist_by_region_with_a_filter_tallies_the_filtered_master_records(world, day, params, expected):
    assert dashboard.checklist_by_region(world.cis, "ballot_box_sealed", form_id="closing",
                                         filters=filters(world, **params)) == expected


@pytest.mark.parametrize("params", [{"region": "abc"}, {"region": "999999"}, {"group": "no such group"},
                                    {"from": "25:99"}, {"to": "yesterday"}, {"from": "21:00", "to": "20:00"},
                                    {"flag": "bogus"}])
def test_an_invalid_filter_is_ignored_with_a_visible_note(world, day, login, params):
    f = filters(world, **params)
    assert f.notes and f.on_counters and f.params == {}
    client = login(world.bella)
    for name in ("operations-dashboard", "operations-coverage", "operations-expected", "operations-masters",
                 "operations-map"):
        response = client.get(reverse(name, args=["cis"]), params)
        assert response.status_code == 200, name
    page = client.get(reverse("operations-dashboard", args=["cis"]), params).content.decode()
    assert 'id="filter-notes"' in page and "ignored" in page
    assert client.get(reverse("incidents", args=["cis"]), params).status_code == 200


def test_the_dashboard_with_filters_keeps_them_in_the_refresh_the_map_and_every_link(world, day, login,
                                                                                    django_assert_max_num_queries):
    client = login(world.bella)
    params = {"group": "long-term", "flag": "late", "from": "2024-02-07T20:00"}
    with django_assert_max_num_queries(24):
        body = client.get(reverse("operations-dashboard", args=["cis"]), params).content.decode()
    body = body.replace("&amp;", "&")
    query = "group=long-term&from=2024-02-07T20%3A00&flag=late"
    assert f'{reverse("operations-coverage", args=["cis"])}?{query}' in body
    assert f'{reverse("operations-map", args=["cis"])}?{query}' in body
    assert f'{reverse("operations-expected", args=["cis"])}?{query}&status=late&region={world.units["R2"].pk}' in body


def test_the_charts_carry_the_url_of_the_list_behind_each_bar_and_point(world, day, login):
    body = login(world.bella).get(reverse("operations-dashboard", args=["cis"]), {"group": "long-term"}).content
    # The figure's JSON sits HTML-escaped in a data attribute (pollwatch.figures), with Plotly's own JSON escapes.
    body = html.unescape(body.decode()).replace("\\u0026", "&").replace("\\u002f", "/")
    assert '"customdata":["/missions/cis/incidents/?group=long-term&category=ballot+stuffing&severity=4"]' in body
    assert f"/missions/cis/operations/masters/?group=long-term&region={world.units['R1'].pk}&form=closing" in body
    assert "/missions/cis/operations/expected/?group=long-term&form=closing&to=2024-02-07T21%3A00&received=1" in body
    assert "pollwatch/charts.js" in body and 'data-links="1"' in body  # figures.js calls pollwatchLinks on them


def test_the_lists_behind_the_charts_hold_what_the_charts_count(world, day, login):
    client = login(world.bella)
    incidents = client.get(reverse("incidents", args=["cis"]), {"group": "long-term", "category": "ballot stuffing",
                                                                "severity": 4}).content.decode()
    assert incidents.count("ballot stuffing") >= 1 and "intimidation" not in incidents
    masters = client.get(reverse("operations-masters", args=["cis"]), {"region": world.units["R2"].pk,
                                                                       "form": "closing"}).content.decode()
    assert "S211" in masters and "S111" not in masters
    received = client.get(reverse("operations-expected", args=["cis"]),
                          {"form": "closing", "to": "2024-02-07T21:00", "received": 1}).content.decode()
    assert "CIS-001" in received and "CIS-002" in received and "CIS-003" not in received


@pytest.mark.parametrize("what,params,rows", [
    ("coverage", {"group": "long-term"}, 2), ("submissions", {"flag": "review"}, 1),
    ("submissions", {"flag": "failing"}, 1), ("masters", {"flag": "conflicts"}, 1),
    ("incidents", {"from": "17:00"}, 1), ("submissions", {"region": "R2"}, 1),
])
def test_the_exports_respect_the_filters(world, day, login, what, params, rows):
    params = {k: world.units[v].pk if k == "region" else v for k, v in params.items()}
    response = login(world.bella).get(reverse("operations-export", args=["cis", what, "csv"]), params)
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 1 + rows


def test_incidents_by_category_ignore_the_late_flag_and_say_so(world, day):
    assert len(dashboard.incidents_by_category(world.cis, filters(world, flag="late"))) == 2
    assert "late flag does not apply" in dashboard.figures(world.cis, filters(world, flag="late"))["incidents"]
    assert Incident.objects.count() == 2
