"""Write the bundled sample project (Millbrook, a fictional town).

Run from the repository root::

    .venv/bin/python sample_data/generate.py

Writes ``sample_data/sample.gpkg`` (the project file) and the same data as
a canonical CSV bundle in ``sample_data/csv/``: ``nodes.csv``, ``ties.csv``
and ``areas.geojson``. Young people's latitude and longitude are left empty
in the bundle (SPEC section 8: no location of a young person leaves the
project; an importer places them inside their home area again).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from shapely.geometry import mapping  # noqa: E402

from socialmap.model import NODE_FIELDS, Project  # noqa: E402
from socialmap.sample import generate_sample_project  # noqa: E402
from socialmap.store import save_project  # noqa: E402

NODE_COLUMNS = [f for f in NODE_FIELDS if f != "attrs"]
TIE_COLUMNS = ["a", "b", "type", "context", "strength"]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _round_coords(obj, digits: int = 7):
    if isinstance(obj, (list, tuple)):
        return [_round_coords(v, digits) for v in obj]
    if isinstance(obj, float):
        return round(obj, digits)
    return obj


def write_bundle_by_hand(project: Project, folder: Path) -> None:
    """The canonical CSV bundle, written here when the interchange package has no writer."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(NODE_COLUMNS)
        for node in project.nodes.values():
            row = []
            for name in NODE_COLUMNS:
                value = getattr(node, name)
                if node.kind == "young_person" and name in ("lat", "lon"):
                    value = None  # never a young person's location
                row.append(_cell(value))
            out.writerow(row)
    with open(folder / "ties.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(TIE_COLUMNS)
        for tie in project.ties.values():
            out.writerow([_cell(getattr(tie, name)) for name in TIE_COLUMNS])
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": area.code,
                "name": area.name,
                "imd_decile": area.imd_decile,
                "population_16_24": area.population_16_24,
            },
            "geometry": {
                "type": area.geometry.geom_type,
                "coordinates": _round_coords(mapping(area.geometry)["coordinates"]),
            },
        }
        for area in project.areas.values()
    ]
    with open(folder / "areas.geojson", "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def main() -> int:
    project = generate_sample_project()
    gpkg = HERE / "sample.gpkg"
    save_project(project, gpkg)
    folder = HERE / "csv"
    try:
        from socialmap.interchange.readers.csv_bundle import write_csv_bundle
    except ImportError:
        write_bundle_by_hand(project, folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        write_csv_bundle(project, folder)
    counts = project.counts()
    print(f"wrote {gpkg} and {folder}/: {counts['areas']} areas, {counts['nodes']} nodes, {counts['ties']} ties")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
