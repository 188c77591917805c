"""The station map partial: stations coloured by their worst report status over region outlines.

At most about ``MAP_POINTS`` (3,000) stations are drawn: beyond that, an index-read sample of whole
``map_bucket`` s, labelled as one. Region outlines come from the regions' GeoJSON boundaries
(``AdministrativeUnit.boundary``, loaded by ``pollwatch import boundaries``) where the election has them;
otherwise each region is outlined by the convex hull of its stations drawn, labelled as approximate.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from pollwatch.operations.dashboard import figure_html
from pollwatch.operations.filters import Filters
from pollwatch.operations.models import MAP_BUCKETS

# Drawing order: the worst status last, so it sits on top; a station shows its worst status over the forms.
STATUS_COLOURS = {"complete": "#2e8b57", "late": "#8e6bbf", "partial": "#e8a33d", "conflicting": "#d45087",
                  "missing": "#b3261e"}
WORST = list(STATUS_COLOURS)
# The map draws about this many stations at most (a sample of whole map buckets beyond), and never more than
# MAP_LIMIT expected reports.
MAP_POINTS = 3000
MAP_LIMIT = 20000


def station_statuses(mission, filters: Filters | None = None):
    """(code, latitude, longitude, status, region id) of the expected reports the map draws, the share of the
    selection's stations they cover (1.0, or a sample: every station with ``map_bucket`` below a cut-off), and
    an estimate of the selection's stations."""
    filters = filters or Filters(mission)
    # No ORDER BY: the model's default ordering (due_at, observer) would join and sort every row read.
    rows = filters.expected().filter(station__isnull=False, station__latitude__isnull=False).order_by()
    # Stations in bucket 0 are ~1/MAP_BUCKETS of the selection: enough to know how many buckets fit MAP_POINTS.
    per_bucket = rows.filter(map_bucket=0).values("station_id").distinct().count()
    buckets = MAP_BUCKETS if per_bucket == 0 else max(1, min(MAP_BUCKETS, MAP_POINTS // per_bucket))
    if buckets < MAP_BUCKETS:
        rows = rows.filter(map_bucket__lt=buckets)
    points = list(rows.values_list("station__code", "station__latitude", "station__longitude", "shown_status",
                                   "region_id")[:MAP_LIMIT])
    return points, buckets / MAP_BUCKETS, per_bucket * MAP_BUCKETS


def _rings(geometry: dict | None) -> list[list]:
    """The rings ([[lon, lat], ...]) of a GeoJSON Polygon or MultiPolygon (or a Feature holding one)."""
    if not geometry:
        return []
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    if geometry.get("type") == "Polygon":
        return list(geometry.get("coordinates") or [])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry.get("coordinates") or [] for ring in polygon]
    return []


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The closed convex hull of (lon, lat) points, or [] when they span no area (fewer than 3, collinear)."""
    import numpy as np
    from scipy.spatial import ConvexHull, QhullError

    unique = np.unique(np.asarray(points, dtype=float).reshape(-1, 2), axis=0)
    if len(unique) < 3:
        return []
    try:
        hull = ConvexHull(unique)
    except QhullError:  # all on one line
        return []
    ring = [tuple(unique[i]) for i in hull.vertices]
    return [*ring, ring[0]]


def region_outlines(mission, points: list[tuple], *, region_id: int | None = None) -> tuple[list[dict], bool]:
    """Line traces of the regions' outlines (drawn under the stations) and whether any is approximate."""
    from pollwatch.geography.regions import regions as regions_of_election

    regions = regions_of_election(mission.election)
    if region_id:
        regions = regions.filter(pk=region_id)
    by_region: dict[int, list] = defaultdict(list)
    for point in points:
        by_region[point[4]].append((point[2], point[1]))
    exact: list[tuple[str, list]] = []
    hulls: list[tuple[str, list]] = []
    for pk, name, boundary in regions.values_list("pk", "name", "boundary"):
        rings = _rings(boundary)
        if rings:
            exact.append((name, rings))
        elif len(by_region.get(pk, ())) >= 3:
            hull = convex_hull(by_region[pk])
            if hull:
                hulls.append((name, [hull]))
    traces = []
    for outlines, label, dash in ((exact, "region boundaries", "solid"),
                                  (hulls, "regions (approximate: hull of stations)", "dot")):
        if not outlines:
            continue
        xs, ys, text = [], [], []
        for name, rings in outlines:
            for ring in rings:
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
                text += [name] * len(ring) + [None]
        traces.append({"type": "scattergl", "x": xs, "y": ys, "mode": "lines", "name": label, "text": text,
                       "hoverinfo": "text", "line": {"color": "#8a8f98", "width": 1, "dash": dash}})
    return traces, bool(hulls)


def map_figure(mission, filters: Filters | None = None) -> dict:
    """The station map on its own (the dashboard loads it as an HTMX partial) and an honest label."""
    filters = filters or Filters(mission)
    points, share, estimate = station_statuses(mission, filters)
    rank = {status: i for i, status in enumerate(WORST)}
    worst: dict[str, tuple] = {}
    for point in points:
        seen = worst.get(point[0])
        if seen is None or rank[point[3]] > rank[seen[3]]:
            worst[point[0]] = point
    stations = list(worst.values())
    data, approximate = region_outlines(mission, stations, region_id=filters.region_id)
    for status, colour in STATUS_COLOURS.items():
        sub = [p for p in stations if p[3] == status]
        data.append({"type": "scattergl", "x": [p[2] for p in sub], "y": [p[1] for p in sub], "mode": "markers",
                     "name": status, "text": [p[0] for p in sub], "marker": {"color": colour, "size": 5}})
    title = _("Stations by report status")
    if share < 1:
        title += " " + _("(sample: {n} stations, ~{share})").format(n=f"{len(stations):,}", share=f"{share:.0%}")
    html = figure_html(data, {"title": {"text": title}, "xaxis": {"title": {"text": _("longitude")}},
                        "yaxis": {"title": {"text": _("latitude")}, "scaleanchor": "x"}, "height": 480})
    label = ""
    if share < 1:
        label = (f"A sample: {len(stations):,} stations drawn, those whose id mod {MAP_BUCKETS} is below "
                 f"{round(share * MAP_BUCKETS)} (~{share:.0%} of about {estimate:,} in this selection). "
                 "The coverage tables count every station.")
    outlines = ("Dotted outlines are approximate: the convex hull of each region's stations on the map."
                if approximate else "")
    return {"html": html, "shown": len(stations), "sampled": share < 1, "label": label, "outlines": outlines}
