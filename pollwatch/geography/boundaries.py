"""Region outlines from a GeoJSON FeatureCollection: each feature's code property names a unit of the election.

``check_import_boundaries`` reads and checks every feature before writing anything (like the table importers):
a feature whose code is missing or unknown, or whose geometry is not a Polygon/MultiPolygon of lon/lat pairs, is
reported with its index and nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pollwatch.geography.models import AdministrativeUnit
from pollwatch.geography.services import do_set_unit_boundaries

MAX_BYTES = 50 * 1024 * 1024


@dataclass
class BoundaryReport:
    features: int = 0
    matched: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _check_geometry(geometry) -> str | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return "geometry is not a Polygon or MultiPolygon"
    polygons = geometry.get("coordinates")
    if not isinstance(polygons, list) or not polygons:
        return "geometry has no coordinates"
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for ring in polygon if isinstance(polygon, list) else [None]:
            if not isinstance(ring, list) or len(ring) < 4:
                return "a ring has fewer than 4 positions"
            for position in ring:
                if (not isinstance(position, list) or len(position) < 2
                        or not all(isinstance(v, int | float) for v in position[:2])):
                    return "a position is not [longitude, latitude]"
                if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
                    return f"position {position[:2]} is outside longitude/latitude range"
    return None


def check_import_boundaries(election, path: Path, *, code_property: str = "code",
                            dry_run: bool = False) -> BoundaryReport:
    """Read ``path`` (GeoJSON), match features to units by ``properties[code_property]``, store the geometries."""
    report = BoundaryReport()
    if path.stat().st_size > MAX_BYTES:
        report.errors.append(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return report
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.errors.append(f"not a UTF-8 JSON file: {exc}")
        return report
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list):
        report.errors.append("not a GeoJSON FeatureCollection")
        return report
    known = set(AdministrativeUnit.objects.filter(election=election).values_list("code", flat=True))
    boundaries: dict[str, dict] = {}
    report.features = len(features)
    for index, feature in enumerate(features):
        properties = (feature or {}).get("properties") or {} if isinstance(feature, dict) else {}
        code = str(properties.get(code_property, "")).strip()
        if not code:
            report.errors.append(f"feature {index}: no {code_property!r} property")
        elif code not in known:
            report.errors.append(f"feature {index}: no unit with code {code!r} in this election")
        elif code in boundaries:
            report.errors.append(f"feature {index}: a second feature for unit {code!r}")
        elif (problem := _check_geometry(feature.get("geometry"))) is not None:
            report.errors.append(f"feature {index} ({code}): {problem}")
        else:
            boundaries[code] = feature["geometry"]
    report.matched = len(boundaries)
    if report.ok and not dry_run:
        do_set_unit_boundaries(election, boundaries)
    return report
