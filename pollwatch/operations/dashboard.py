"""The election-day dashboard: queries behind each chart and the Plotly figures (offline JS, no tiles).

With no filter or region and form only, every chart reads the counter tables of ``operations.aggregates`` (tens
to hundreds of rows, whatever the election's size) or the incidents (hundreds); an observer group, time window
or flag (``operations.filters``) makes each chart one GROUP BY over the filtered rows instead. Every bar and
point carries the URL of the list behind it in ``customdata`` (``static/pollwatch/charts.js`` follows it on
click). The station map is its own partial (``operations.stationmap``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import zoneinfo
from collections import defaultdict

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from pollwatch.incidents.models import Incident
from pollwatch.operations.aggregates import tally_answers
from pollwatch.operations.filters import Filters
from pollwatch.operations.models import ArrivalCount, ChecklistCount


@functools.cache
def _template() -> dict:
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def figure_html(data: list[dict], layout: dict) -> str:
    """A Plotly figure as an HTML fragment, from plain dicts: building ``go.Figure`` objects validates every
    property and every point (tens of ms per chart, most of the page's time); the JSON drawn is the same."""
    from pollwatch.figures import figure_div

    layout = {"margin": {"l": 40, "r": 10, "t": 40, "b": 40}, "height": 340, "template": _template(), **layout}
    if get_language_bidi():
        # Right to left (Arabic): the value axis on the right and the category/time axis read from the right.
        layout["margin"] = {"l": 10, "r": 40, "t": 40, "b": 40}
        layout["yaxis"] = {"side": "right", **layout.get("yaxis", {})}
        if not layout.get("xaxis", {}).get("range"):
            layout["xaxis"] = {"autorange": "reversed", **layout.get("xaxis", {})}
        layout["legend"] = {"x": 0, "xanchor": "left", **layout.get("legend", {})}
    return figure_div({"data": data, "layout": layout}, validate=False, links=True)


def arrivals_by_hour(mission, filters: Filters | None = None) -> dict[str, list]:
    """First reports per local hour and form (cumulative = coverage over time): from ``ArrivalCount``, or with
    filters the counters cannot answer, a GROUP BY over the filtered expected reports received in the window."""
    filters = filters or Filters(mission)
    tz = zoneinfo.ZoneInfo(mission.election.timezone or "UTC")
    if filters.on_counters:
        rows = ArrivalCount.objects.filter(mission=mission).exclude(form_id__in=filters.sealed)
        if filters.region_id:
            rows = rows.filter(region_id=filters.region_id)
        if filters.form_id:
            rows = rows.filter(form_id=filters.form_id)
        rows = rows.values("form_id", "hour").annotate(total=Sum("n")).order_by("hour", "form_id")
    else:
        rows = (filters.expected().filter(filters.received_q(), first_received_at__isnull=False)
                .values(form_id=F("schedule__form_id"), hour=TruncHour("first_received_at", tzinfo=tz))
                .annotate(total=Count("pk")).order_by("hour", "form_id"))
    series: dict[str, list] = defaultdict(list)
    for row in rows:
        series[row["form_id"]].append((row["hour"].astimezone(tz), row["total"]))
    return dict(series)


def incidents_by_category(mission, filters: Filters | None = None) -> list[dict]:
    filters = filters or Filters(mission)
    rows = Incident.objects.filter(filters.incident_q(), duplicate_of__isnull=True)
    return list(rows.values("category", "severity").annotate(n=Count("pk")).order_by("category", "severity"))


def checklist_rows(mission, field: str, *, form_id: str, filters: Filters | None = None) -> list[tuple]:
    """(region id, region name, yes, answers) of ``field`` over the master records of ``form_id``: from
    ``ChecklistCount`` (one row per unit, summed per region), or, with filters the counters cannot answer, a
    tally of the filtered master records' answers."""
    from pollwatch.geography.models import AdministrativeUnit
    from pollwatch.operations.aggregates import regions_of_units
    from pollwatch.operations.models import MasterRecord

    filters = filters or Filters(mission)
    if filters.on_counters:
        rows = ChecklistCount.objects.filter(mission=mission, form_id=form_id, field=field).exclude(
            form_id__in=filters.sealed)
        if filters.region_id:
            rows = rows.filter(region_id=filters.region_id)
        table = {r["region_id"]: (r["yes_n"], r["total_n"])
                 for r in rows.values("region_id").annotate(yes_n=Sum("yes"), total_n=Sum("total")).order_by()}
    else:
        masters = MasterRecord.objects.filter(dataclasses.replace(filters, form_id=form_id).master_q())
        by_unit: dict[int, list] = defaultdict(list)
        for unit, values in masters.values_list("station__unit_id", "values"):
            by_unit[unit].append({field: (values or {}).get(field)})
        regions = regions_of_units(mission.election_id, by_unit)
        counts: dict = defaultdict(lambda: [0, 0])
        for unit, values in by_unit.items():
            yes, n = tally_answers(values).get(field, (0, 0))
            counts[regions[unit]][0] += yes
            counts[regions[unit]][1] += n
        table = {region: tuple(c) for region, c in counts.items()}
    names = dict(AdministrativeUnit.objects.filter(pk__in=[r for r in table if r]).values_list("pk", "name"))
    return sorted(((r, names.get(r, "—"), yes, n) for r, (yes, n) in table.items() if n), key=lambda r: r[1])


def checklist_by_region(mission, field: str, *, form_id: str, filters: Filters | None = None) -> dict[str, float]:
    """% of master records per region where ``field`` is yes (e.g. the ballot box was sealed), over the
    records that answer it."""
    return {name: round(100 * yes / n, 1) for _, name, yes, n in checklist_rows(mission, field, form_id=form_id,
                                                                                  filters=filters)}


def closing_form_id(mission) -> str:
    """The form_id of the mission's newest closing-and-count form (the demo's ``count_form``); "closing" if none."""
    from pollwatch.collection.models import ObservationForm

    newest = (ObservationForm.objects.for_mission(mission).filter(kind=ObservationForm.Kind.CLOSING)
              .order_by("-created_at").values_list("form_id", flat=True).first())
    return newest or "closing"


def figures(mission, filters: Filters | None = None) -> dict[str, str]:
    """The three charts; each bar or point links (``customdata``) to the list of what it counts."""
    filters = filters or Filters(mission)
    slug = mission.slug
    out = {}
    expected_url = reverse("operations-expected", args=[slug])
    data = []
    for form, points in arrivals_by_hour(mission, filters).items():
        total, xs, ys, links = 0, [], [], []
        for hour, n in points:
            total += n
            xs.append(hour)
            ys.append(total)
            # The point's number is everything received up to the end of its hour (from the window's start).
            end = hour + dt.timedelta(hours=1)
            if filters.until is not None:
                end = min(end, filters.until)
            links.append(f"{expected_url}?" + filters.query(form=form, to=end.strftime("%Y-%m-%dT%H:%M"),
                                                            received=1))
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers", "name": form,
                     "line": {"shape": "hv"}, "customdata": links})
    out["coverage"] = figure_html(data, {"title": {"text": _("Reports received over time (cumulative, local time)")}})

    rows = incidents_by_category(mission, filters)
    incidents_url = reverse("incidents", args=[slug])
    data = []
    for severity, label in Incident.Severity.choices:
        sub = [r for r in rows if r["severity"] == severity]
        data.append({"type": "bar", "x": [r["category"] for r in sub], "y": [r["n"] for r in sub], "name": str(label),
                     "customdata": [f"{incidents_url}?" + filters.query(form=None, category=r["category"],
                                                                        severity=severity) for r in sub]})
    title = _("Incidents by category and severity")
    if filters.flag == "late":
        title = _("Incidents by category and severity (the late flag does not apply to incidents)")
    out["incidents"] = figure_html(data, {"title": {"text": title}, "barmode": "stack"})

    closing = closing_form_id(mission)
    sealed = checklist_rows(mission, "ballot_box_sealed", form_id=closing, filters=filters)
    masters_url = reverse("operations-masters", args=[slug])
    out["checklist"] = figure_html(
        [{"type": "bar", "x": [round(100 * yes / n, 1) for _, _, yes, n in sealed], "y": [r[1] for r in sealed],
          "orientation": "h",
          "customdata": [f"{masters_url}?" + filters.query(region=r[0] or None, form=closing) for r in sealed]}],
        {"title": {"text": _("Stations where the ballot box was sealed, percentage (closing, master records)")},
         "xaxis": {"range": [0, 100]}})
    return out
