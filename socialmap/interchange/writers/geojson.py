"""GeoJSON layers for GIS (QGIS, ArcGIS, geojson.io): one file per layer in a folder.

- ``areas.geojson``: polygons with name, IMD decile, the area measures and the
  Gi* hotspot result (counts of young people as text, ``<5`` for 1..4);
- ``organisations.geojson`` and ``services.geojson``: points with their
  fields (and the anchor figures for organisations);
- ``young_people.geojson`` only with ``include_people``: each young person's
  pseudonym, home area and NEET status at their placed point (a
  deterministic point inside the home area, never a home address).

Coordinates are longitude/latitude (EPSG:4326, RFC 7946).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from socialmap.interchange.registry import ExportFormat
from socialmap.interchange.writers.graph import plain_value
from socialmap.model.project import Project


def rfc7946_geometry(geometry) -> dict[str, Any]:
    """A polygon or multipolygon as a GeoJSON geometry whose rings follow the right-hand rule of
    RFC 7946 section 3.1.6: exterior rings counterclockwise, holes clockwise (shapely ``orient``
    with sign 1). Other geometries as they are."""
    from shapely.geometry import MultiPolygon, Polygon, mapping
    from shapely.geometry.polygon import orient

    if isinstance(geometry, Polygon):
        geometry = orient(geometry, sign=1.0)
    elif isinstance(geometry, MultiPolygon):
        geometry = MultiPolygon([orient(part, sign=1.0) for part in geometry.geoms])
    return mapping(geometry)


def frame_features(frame, geometry_of, key_name: str = "id") -> list[dict[str, Any]]:
    """GeoJSON features from a frame indexed by id; ``geometry_of(id)`` gives the geometry dict."""
    cols = [c for c in frame.columns if c not in ("lat", "lon")]
    values = {c: frame[c].tolist() for c in cols}
    out = []
    for i, key in enumerate(frame.index.tolist()):
        props = {key_name: str(key)}
        props.update({c: plain_value(values[c][i]) for c in cols})
        out.append({"type": "Feature", "id": str(key), "properties": props, "geometry": geometry_of(key)})
    return out


def _write(path: Path, features: list[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False, allow_nan=False)
    return path


def write_geojson_layers(project: Project, folder: str | os.PathLike, *, include_people: bool = False) -> list[Path]:
    """Write the layers into ``folder`` (created if needed). Returns the files written."""
    from socialmap.interchange.layers import (
        ANCHOR_COUNTS,
        public_areas,
        public_organisations,
        public_services,
    )
    from socialmap.interchange.machine import machine_readable
    from socialmap.privacy import YOUNG_PEOPLE_COUNTS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    counts = (*YOUNG_PEOPLE_COUNTS, *ANCHOR_COUNTS)
    areas = machine_readable(public_areas(project), counts)
    written.append(_write(folder / "areas.geojson",
                          frame_features(areas, lambda code: rfc7946_geometry(project.areas[code].geometry), "code")))

    def point(node_id):
        n = project.nodes[node_id]
        return {"type": "Point", "coordinates": [n.lon, n.lat]}

    written.append(_write(folder / "organisations.geojson",
                          frame_features(machine_readable(public_organisations(project), counts), point)))
    written.append(_write(folder / "services.geojson", frame_features(public_services(project), point)))
    if include_people:
        features = []
        for n in project.nodes.values():
            if n.kind == "young_person" and n.lat is not None:
                features.append({"type": "Feature", "id": n.id,
                                 "properties": {"id": n.id, "label": n.label, "area_code": n.area_code,
                                                "neet": n.neet, "activity": n.activity, "age": n.age},
                                 "geometry": point(n.id)})
        written.append(_write(folder / "young_people.geojson", features))
    return written


def export_geojson(project: Project, out: Path, *, include_people: bool = False, **_: Any) -> list[Path]:
    """``socialmap export geojson``: a folder of layers, swapped in whole."""
    from socialmap.interchange.exporting import atomic_folder

    atomic_folder(out, lambda p: write_geojson_layers(project, p, include_people=include_people))
    return [out]


FORMATS = (
    ExportFormat("geojson", "GeoJSON layers (folder)…", "GeoJSON layers for QGIS (a folder)",
                 "socialmap.interchange.writers.geojson:export_geojson", folder=True, order=30),
)
