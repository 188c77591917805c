"""The election-day dashboard: queries behind each chart and the Plotly figures (offline JS, no tiles).

Every figure reads stored aggregates (expected-report statuses, master records, incidents) with one GROUP BY
or one bounded read each, so the page's query count does not grow with the election.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncHour

from pollwatch.incidents.models import Incident
from pollwatch.operations.models import ExpectedReport, MasterRecord

# Drawing order: the worst status last, so it sits on top; a station shows its worst status over the forms.
STATUS_COLOURS = {"complete": "#2e8b57", "late": "#8e6bbf", "partial": "#e8a33d", "conflicting": "#d45087",
                  "missing": "#b3261e"}
WORST = list(STATUS_COLOURS)
MAP_LIMIT = 20000


def _html(fig) -> str:
    import plotly.io as pio

    fig.update_layout(margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=340, template="plotly_white")
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, config={"displaylogo": False})


def arrivals_by_hour(mission, *, region_id=None, form_id=""):
    """First reports per hour and form (cumulative = coverage over time)."""
    rows = ExpectedReport.objects.for_mission(mission).filter(first_received_at__isnull=False)
    if region_id:
        rows = rows.filter(region_id=region_id)
    if form_id:
        rows = rows.filter(schedule__form_id=form_id)
    series: dict[str, list] = defaultdict(list)
    tz = zoneinfo.ZoneInfo(mission.election.timezone or "UTC")
    for row in (rows.annotate(hour=TruncHour("first_received_at", tzinfo=tz)).values("schedule__form_id", "hour")
                .annotate(n=Count("pk")).order_by("hour")):
        series[row["schedule__form_id"]].append((row["hour"], row["n"]))
    return dict(series)


def incidents_by_category(mission, *, region_id=None):
    rows = Incident.objects.for_mission(mission).filter(duplicate_of__isnull=True)
    if region_id:
        rows = rows.filter(region_id=region_id)
    return list(rows.values("category", "severity").annotate(n=Count("pk")).order_by("category", "severity"))


def checklist_by_region(mission, field: str, *, form_id: str):
    """% of master records per region where ``field`` is true (e.g. the ballot box was sealed)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for region, values in (MasterRecord.objects.for_mission(mission).filter(form_id=form_id)
                           .values_list("station__unit__parent__name", "values").iterator(chunk_size=5000)):
        value = (values or {}).get(field)
        if value is None:
            continue
        table[region or "—"][1] += 1
        table[region or "—"][0] += value is True or value == "true"
    return {r: round(100 * yes / n, 1) for r, (yes, n) in sorted(table.items()) if n}


def station_statuses(mission, *, region_id=None, form_id=""):
    rows = ExpectedReport.objects.for_mission(mission).filter(station__latitude__isnull=False)
    if region_id:
        rows = rows.filter(region_id=region_id)
    if form_id:
        rows = rows.filter(schedule__form_id=form_id)
    return list(rows.values_list("station__code", "station__latitude", "station__longitude", "status")[:MAP_LIMIT])


def figures(mission, *, region_id=None, form_id="") -> dict[str, str]:
    import plotly.graph_objects as go

    out = {}
    fig = go.Figure()
    for form, points in arrivals_by_hour(mission, region_id=region_id, form_id=form_id).items():
        total, xs, ys = 0, [], []
        for hour, n in points:
            total += n
            xs.append(hour)
            ys.append(total)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=form, line_shape="hv"))
    fig.update_layout(title="Reports received over time (cumulative, local time)")
    out["coverage"] = _html(fig)

    fig = go.Figure()
    rows = incidents_by_category(mission, region_id=region_id)
    for severity, label in Incident.Severity.choices:
        sub = [r for r in rows if r["severity"] == severity]
        fig.add_trace(go.Bar(x=[r["category"] for r in sub], y=[r["n"] for r in sub], name=label))
    fig.update_layout(title="Incidents by category and severity", barmode="stack")
    out["incidents"] = _html(fig)

    sealed = checklist_by_region(mission, "ballot_box_sealed", form_id="closing")
    fig = go.Figure(go.Bar(x=list(sealed.values()), y=list(sealed.keys()), orientation="h"))
    fig.update_layout(title="% stations where the ballot box was sealed (closing, master records)",
                      xaxis={"range": [0, 100]})
    out["checklist"] = _html(fig)

    fig = go.Figure()
    worst: dict[str, tuple] = {}
    for point in station_statuses(mission, region_id=region_id, form_id=form_id):
        if point[0] not in worst or WORST.index(point[3]) > WORST.index(worst[point[0]][3]):
            worst[point[0]] = point
    points = list(worst.values())
    for status, colour in STATUS_COLOURS.items():
        sub = [p for p in points if p[3] == status]
        fig.add_trace(go.Scattergl(x=[p[2] for p in sub], y=[p[1] for p in sub], mode="markers", name=status,
                                   text=[p[0] for p in sub], marker={"color": colour, "size": 5}))
    fig.update_layout(title="Stations by report status", xaxis_title="longitude", yaxis_title="latitude",
                      yaxis={"scaleanchor": "x"}, height=480)
    out["map"] = _html(fig)
    return out
