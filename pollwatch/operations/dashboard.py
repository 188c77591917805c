"""The election-day dashboard: queries behind each chart and the Plotly figures (offline JS, no tiles).

Every chart reads the counter tables of ``operations.aggregates`` (tens to hundreds of rows, whatever the
election's size) or the incidents (hundreds); the station map is its own partial (``map_figure``) and draws at
most about ``MAP_POINTS`` (3,000) stations: beyond that, an index-read sample of whole ``map_bucket`` s, labelled as one.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections import defaultdict

from django.db.models import Count, Sum

from pollwatch.incidents.models import Incident
from pollwatch.operations.models import MAP_BUCKETS, ArrivalCount, ChecklistCount, ExpectedReport

# Drawing order: the worst status last, so it sits on top; a station shows its worst status over the forms.
STATUS_COLOURS = {"complete": "#2e8b57", "late": "#8e6bbf", "partial": "#e8a33d", "conflicting": "#d45087",
                  "missing": "#b3261e"}
WORST = list(STATUS_COLOURS)
# The map draws about this many stations at most (a sample of whole map buckets beyond), and never more than
# MAP_LIMIT expected reports.
MAP_POINTS = 3000
MAP_LIMIT = 20000


@functools.cache
def _template() -> dict:
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def _html(data: list[dict], layout: dict) -> str:
    """A Plotly figure as an HTML fragment, from plain dicts: building ``go.Figure`` objects validates every
    property and every point (tens of ms per chart, most of the page's time); the JSON drawn is the same."""
    import plotly.io as pio

    layout = {"margin": {"l": 40, "r": 10, "t": 40, "b": 40}, "height": 340, "template": _template(), **layout}
    return pio.to_html({"data": data, "layout": layout}, include_plotlyjs=False, full_html=False,
                       config={"displaylogo": False}, validate=False)


def arrivals_by_hour(mission, *, region_id=None, form_id=""):
    """First reports per local hour and form (cumulative = coverage over time), from ``ArrivalCount``."""
    rows = ArrivalCount.objects.filter(mission=mission)
    if region_id:
        rows = rows.filter(region_id=region_id)
    if form_id:
        rows = rows.filter(form_id=form_id)
    series: dict[str, list] = defaultdict(list)
    tz = zoneinfo.ZoneInfo(mission.election.timezone or "UTC")
    for row in rows.values("form_id", "hour").annotate(total=Sum("n")).order_by("hour", "form_id"):
        series[row["form_id"]].append((row["hour"].astimezone(tz), row["total"]))
    return dict(series)


def incidents_by_category(mission, *, region_id=None):
    rows = Incident.objects.for_mission(mission).filter(duplicate_of__isnull=True)
    if region_id:
        rows = rows.filter(region_id=region_id)
    return list(rows.values("category", "severity").annotate(n=Count("pk")).order_by("category", "severity"))


def checklist_by_region(mission, field: str, *, form_id: str):
    """% of master records per region where ``field`` is yes (e.g. the ballot box was sealed), over the
    records that answer it, from ``ChecklistCount`` (one row per unit, summed per region)."""
    from pollwatch.geography.models import AdministrativeUnit

    rows = list(ChecklistCount.objects.filter(mission=mission, form_id=form_id, field=field).values("region_id")
                .annotate(yes_n=Sum("yes"), total_n=Sum("total")).order_by())
    names = dict(AdministrativeUnit.objects.filter(pk__in=[r["region_id"] for r in rows if r["region_id"]])
                 .values_list("pk", "name"))
    table = {names.get(r["region_id"], "—"): (r["yes_n"], r["total_n"]) for r in rows}
    return {r: round(100 * yes / n, 1) for r, (yes, n) in sorted(table.items()) if n}


def station_statuses(mission, *, region_id=None, form_id=""):
    """(code, latitude, longitude, status) of the expected reports the map draws, and the share of the
    selection's stations they cover (1.0, or a sample: every station with ``map_bucket`` below a cut-off)."""
    # No ORDER BY: the model's default ordering (due_at, observer) would join and sort every row read.
    rows = ExpectedReport.objects.for_mission(mission).filter(station__isnull=False,
                                                              station__latitude__isnull=False).order_by()
    if region_id:
        rows = rows.filter(region_id=region_id)
    if form_id:
        rows = rows.filter(schedule__form_id=form_id)
    # Stations in bucket 0 are ~1/MAP_BUCKETS of the selection: enough to know how many buckets fit MAP_POINTS.
    per_bucket = rows.filter(map_bucket=0).values("station_id").distinct().count()
    buckets = MAP_BUCKETS if per_bucket == 0 else max(1, min(MAP_BUCKETS, MAP_POINTS // per_bucket))
    if buckets < MAP_BUCKETS:
        rows = rows.filter(map_bucket__lt=buckets)
    points = list(rows.values_list("station__code", "station__latitude", "station__longitude", "status")
                  [:MAP_LIMIT])
    return points, buckets / MAP_BUCKETS, per_bucket * MAP_BUCKETS


def map_figure(mission, *, region_id=None, form_id="") -> dict:
    """The station map on its own (the dashboard loads it as an HTMX partial) and an honest label."""
    points, share, estimate = station_statuses(mission, region_id=region_id, form_id=form_id)
    rank = {status: i for i, status in enumerate(WORST)}
    worst: dict[str, tuple] = {}
    for point in points:
        seen = worst.get(point[0])
        if seen is None or rank[point[3]] > rank[seen[3]]:
            worst[point[0]] = point
    stations = list(worst.values())
    data = []
    for status, colour in STATUS_COLOURS.items():
        sub = [p for p in stations if p[3] == status]
        data.append({"type": "scattergl", "x": [p[2] for p in sub], "y": [p[1] for p in sub], "mode": "markers",
                     "name": status, "text": [p[0] for p in sub], "marker": {"color": colour, "size": 5}})
    title = "Stations by report status"
    if share < 1:
        title += f" (sample: {len(stations):,} stations, ~{share:.0%})"
    html = _html(data, {"title": {"text": title}, "xaxis": {"title": {"text": "longitude"}},
                        "yaxis": {"title": {"text": "latitude"}, "scaleanchor": "x"}, "height": 480})
    label = ""
    if share < 1:
        label = (f"A sample: {len(stations):,} stations drawn, those whose id mod {MAP_BUCKETS} is below "
                 f"{round(share * MAP_BUCKETS)} (~{share:.0%} of about {estimate:,} in this selection). "
                 "The coverage tables count every station.")
    return {"html": html, "shown": len(stations), "sampled": share < 1, "label": label}


def figures(mission, *, region_id=None, form_id="") -> dict[str, str]:
    out = {}
    data = []
    for form, points in arrivals_by_hour(mission, region_id=region_id, form_id=form_id).items():
        total, xs, ys = 0, [], []
        for hour, n in points:
            total += n
            xs.append(hour)
            ys.append(total)
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers", "name": form,
                     "line": {"shape": "hv"}})
    out["coverage"] = _html(data, {"title": {"text": "Reports received over time (cumulative, local time)"}})

    rows = incidents_by_category(mission, region_id=region_id)
    data = []
    for severity, label in Incident.Severity.choices:
        sub = [r for r in rows if r["severity"] == severity]
        data.append({"type": "bar", "x": [r["category"] for r in sub], "y": [r["n"] for r in sub], "name": label})
    out["incidents"] = _html(data, {"title": {"text": "Incidents by category and severity"}, "barmode": "stack"})

    sealed = checklist_by_region(mission, "ballot_box_sealed", form_id="closing")
    out["checklist"] = _html(
        [{"type": "bar", "x": list(sealed.values()), "y": list(sealed.keys()), "orientation": "h"}],
        {"title": {"text": "% stations where the ballot box was sealed (closing, master records)"},
         "xaxis": {"range": [0, 100]}})
    return out
