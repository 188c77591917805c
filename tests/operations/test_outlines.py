"""Region outlines on the station map: GeoJSON boundaries where imported, convex hulls of the stations otherwise."""

import datetime as dt
import html
import json

import pytest
from django.urls import reverse

from pollwatch.geography.boundaries import check_import_boundaries
from pollwatch.operations.services import do_set_form_schedule
from pollwatch.operations.stationmap import convex_hull, region_outlines
from tests.operations.reports import make_form

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[49, 40], [50, 40], [50, 41], [49, 41], [49, 40]]]}


def geojson(tmp_path, features):
    path = tmp_path / "regions.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_the_hull_of_a_square_and_its_centre_is_the_closed_square():
    hull = convex_hull([(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)])
    assert hull[0] == hull[-1] and sorted(set(hull)) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_collinear_or_too_few_stations_have_no_hull():
    assert convex_hull([(0, 0), (1, 1)]) == []
    assert convex_hull([(0, 0), (1, 1), (2, 2)]) == []
    assert convex_hull([(0, 0), (0, 0), (0, 0), (1, 1)]) == []


def test_without_boundaries_each_region_is_outlined_by_its_stations_hull_labelled_approximate(world):
    points = [("a", 40.0, 49.0, "missing", world.units["R1"].pk), ("b", 40.0, 50.0, "missing", world.units["R1"].pk),
              ("c", 41.0, 49.5, "complete", world.units["R1"].pk), ("d", 40.7, 46.3, "missing", world.units["R2"].pk)]
    [trace], approximate = region_outlines(world.cis, points)
    assert approximate and "approximate" in trace["name"] and trace["mode"] == "lines"
    assert set(trace["x"]) - {None} == {49.0, 50.0, 49.5} and set(trace["text"]) == {"Absheron", None}


def test_imported_boundaries_are_drawn_instead_of_hulls(world, tmp_path):
    path = geojson(tmp_path, [{"type": "Feature", "properties": {"code": "R1"}, "geometry": SQUARE}])
    report = check_import_boundaries(world.election, path)
    assert report.ok and report.matched == 1
    world.units["R1"].refresh_from_db()
    assert world.units["R1"].boundary == SQUARE
    [trace], approximate = region_outlines(world.cis, [])
    assert not approximate and trace["name"] == "region boundaries"
    assert trace["x"] == [49, 50, 50, 49, 49, None] and trace["y"] == [40, 40, 41, 41, 40, None]


def test_a_boundary_file_with_an_unknown_code_or_bad_geometry_imports_nothing(world, tmp_path):
    path = geojson(tmp_path, [
        {"type": "Feature", "properties": {"code": "R1"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"code": "R9"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"code": "R2"}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
    ])
    report = check_import_boundaries(world.election, path)
    assert report.errors == ["feature 1: no unit with code 'R9' in this election",
                             "feature 2 (R2): geometry is not a Polygon or MultiPolygon"]
    world.units["R1"].refresh_from_db()
    assert world.units["R1"].boundary is None


def test_a_file_that_is_not_geojson_is_refused(world, tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text("[1, 2]")
    assert check_import_boundaries(world.election, path).errors == ["not a GeoJSON FeatureCollection"]


def test_the_cli_imports_boundaries_by_a_code_property(world, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pollwatch.cli import common
    from pollwatch.cli.main import app

    monkeypatch.setattr(common, "setup", lambda db, migrate=False: None)
    path = geojson(tmp_path, [{"type": "Feature", "properties": {"ref": "R2"}, "geometry": SQUARE}])
    result = CliRunner().invoke(app, ["import", "boundaries", str(path), "--election", "az-2024",
                                      "--code-property", "ref"])
    assert result.exit_code == 0, result.output
    assert "1 unit boundaries were stored" in result.output
    world.units["R2"].refresh_from_db()
    assert world.units["R2"].boundary == SQUARE


def test_the_map_partial_draws_the_hull_under_the_stations_and_says_it_is_approximate(world, login):
    from pollwatch.geography.models import PollingStation
    from pollwatch.missions.services import do_create_observer, do_deploy_observer

    start = dt.datetime(2024, 2, 7, 3, tzinfo=dt.UTC)
    for n, code in enumerate(("S112", "S121"), start=2):
        observer = do_create_observer(world.cis, code=f"CIS-00{n}", name=f"Observer {n}")
        do_deploy_observer(observer, station=world.stations[code], shift_start=start,
                           shift_end=start + dt.timedelta(hours=14))
    make_form(world.cis)
    do_set_form_schedule(world.cis, form_id="closing", due_time=dt.time(21))
    for code, (lat, lon) in {"S111": (40.0, 49.0), "S112": (40.0, 50.0), "S121": (41.0, 49.5)}.items():
        PollingStation.objects.filter(code=code).update(latitude=lat, longitude=lon)
    body = html.unescape(login(world.bella).get(reverse("operations-map", args=["cis"])).content.decode())
    assert 'id="map-outlines"' in body and "regions (approximate: hull of stations)" in body
    assert body.index("regions (approximate") < body.index('"name":"missing"')  # drawn first: under the points
