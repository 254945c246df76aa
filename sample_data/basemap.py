"""A basemap and a streets layer for the fictional sample town (Millbrook), to try File ▸ Basemap
and Layers ▸ Add reference layer without real map data.

Run from the repository root::

    .venv/bin/python sample_data/basemap.py [OUT_FOLDER]

Writes ``millbrook-streets.geojson`` (fictional main roads, streets, a river and parks, made
from a fixed seed over the sample's areas), ``millbrook-wards.geojson`` (four made-up wards,
each the union of the sample areas whose centres lie in one quarter of the town, to try as a
reference layer) and ``millbrook-basemap.mbtiles`` (raster tiles of
them at zoom 12 to 15, drawn with Pillow: PNG tiles in TMS rows, with the MBTiles metadata
table). Both are made up; a real basemap comes from open data through QGIS (see
docs/user-guide.md, "A basemap of your patch").
"""

from __future__ import annotations

import io
import json
import math
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402

from socialmap.mapview.basemap import tile_range, tile_xy  # noqa: E402

ZOOMS = range(12, 16)
#: Drawing style per kind: colour, casing colour, width in metres, least width in pixels.
STYLE = {
    "main": ("#fbe3a3", "#c9a55a", 22.0, 2.5),
    "street": ("#ffffff", "#c8c2b8", 12.0, 1.5),
    "river": ("#9cc3e6", None, 30.0, 2.5),
}
LAND, PARK, WATER_EDGE = (242, 239, 233), (205, 232, 190), (120, 160, 200)


def _streets(bounds, seed: int = 7) -> list[dict]:
    """Fictional features over ``bounds``: main roads from the centre, a ring road, a loose grid of
    streets, a river and two parks (GeoJSON features in WGS84)."""
    rng = np.random.default_rng(seed)
    west, south, east, north = bounds
    cx, cy = (west + east) / 2, (south + north) / 2
    out = []

    def line(points, kind, name):
        out.append({"type": "Feature", "properties": {"kind": kind, "name": name},
                    "geometry": {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in points]}})

    rx, ry = (east - west) * 0.75, (north - south) * 0.75
    for i, angle in enumerate(np.linspace(0, 2 * math.pi, 7)[:-1] + 0.3):
        bend = rng.normal(0, 0.15)
        pts = [(cx + t * rx * math.cos(angle + bend * t), cy + t * ry * math.sin(angle + bend * t))
               for t in np.linspace(0, 1, 24)]
        line(pts, "main", f"A6{i}{i + 1} {['Church', 'Mill', 'Station', 'Market', 'Brook', 'Moor'][i]} Road")
    ring = [(cx + 0.28 * rx * math.cos(a), cy + 0.28 * ry * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 40)]
    line(ring, "main", "Ring Road")
    step_x, step_y = (east - west) / 22, (north - south) / 16
    for k in range(1, 22):
        x = west + k * step_x + rng.normal(0, step_x * 0.15)
        pts = [(x + rng.normal(0, step_x * 0.08), south + t * (north - south)) for t in np.linspace(0, 1, 9)]
        line(pts, "street", f"Street {k}")
    for k in range(1, 16):
        y = south + k * step_y + rng.normal(0, step_y * 0.15)
        pts = [(west + t * (east - west), y + rng.normal(0, step_y * 0.08)) for t in np.linspace(0, 1, 11)]
        line(pts, "street", f"Lane {k}")
    river = [(west - 0.01 + t * (east - west + 0.02), cy - 0.3 * (north - south) + 0.12 * (north - south) * math.sin(6 * t))
             for t in np.linspace(0, 1, 60)]
    line(river, "river", "Mill Brook")
    for name, (px, py) in (("Millbrook Park", (cx + 0.12 * rx, cy + 0.2 * ry)), ("Moor Fields", (cx - 0.45 * rx, cy - 0.1 * ry))):
        ring = [(px + 0.1 * rx * math.cos(a) * (1 + 0.2 * math.sin(3 * a)), py + 0.09 * ry * math.sin(a))
                for a in np.linspace(0, 2 * math.pi, 24)]
        out.append({"type": "Feature", "properties": {"kind": "park", "name": name},
                    "geometry": {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}})
    return out


def _tile(features, z: int, x: int, y: int) -> bytes:
    from PIL import Image, ImageDraw

    scale = 2  # drawn at twice the size, then reduced: smooth edges
    size = 256 * scale
    image = Image.new("RGB", (size, size), LAND)
    draw = ImageDraw.Draw(image)
    metres_per_px = 156543.03 * math.cos(math.radians(53.5)) / 2**z / scale

    def px(lon, lat):
        fx, fy = tile_xy(lon, lat, z)
        return ((fx - x) * size, (fy - y) * size)

    for f in features:
        if f["properties"]["kind"] == "park":
            draw.polygon([px(*c) for c in f["geometry"]["coordinates"][0]], fill=PARK)
    for kind in ("river", "street", "main"):
        colour, casing, width_m, least_px = STYLE[kind]
        width = max(round(least_px * scale), round(width_m / metres_per_px))
        for f in features:
            if f["properties"]["kind"] != kind:
                continue
            pts = [px(*c) for c in f["geometry"]["coordinates"]]
            if casing:
                draw.line(pts, fill=casing, width=width + 2 * scale, joint="curve")
            draw.line(pts, fill=colour, width=width, joint="curve")
    image = image.resize((256, 256), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _wards(project) -> dict:
    """Four made-up wards: the sample areas grouped by the quarter of the town their centre is in."""
    import shapely
    from shapely.geometry import mapping

    codes = sorted(project.areas)
    centres = {c: project.areas[c].geometry.centroid for c in codes}
    mx = float(np.median([p.x for p in centres.values()]))
    my = float(np.median([p.y for p in centres.values()]))
    names = {(0, 0): "Brook South West", (1, 0): "Brook South East", (0, 1): "Moor North West", (1, 1): "Moor North East"}
    features = []
    for key, name in names.items():
        members = [project.areas[c].geometry for c in codes if (centres[c].x > mx, centres[c].y > my) == key]
        if members:
            features.append({"type": "Feature", "properties": {"ward": name},
                             "geometry": mapping(shapely.union_all(members).buffer(0))})
    return {"type": "FeatureCollection", "features": features}


def write_basemap(folder: Path) -> tuple[Path, ...]:
    from socialmap.store import load_project

    project = load_project(HERE / "sample.gpkg")
    import shapely

    bounds = tuple(shapely.total_bounds([a.geometry for a in project.areas.values()]).tolist())
    features = _streets(bounds)
    folder.mkdir(parents=True, exist_ok=True)
    streets = folder / "millbrook-streets.geojson"
    streets.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    wards = folder / "millbrook-wards.geojson"
    wards.write_text(json.dumps(_wards(project)), encoding="utf-8")
    out = folder / "millbrook-basemap.mbtiles"
    out.unlink(missing_ok=True)
    con = sqlite3.connect(out)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    west, south, east, north = bounds
    box = (west - 0.02, south - 0.01, east + 0.02, north + 0.01)
    meta = {"name": "Millbrook (fictional)", "format": "png", "minzoom": str(min(ZOOMS)), "maxzoom": str(max(ZOOMS)),
            "bounds": ",".join(f"{b:.5f}" for b in box), "type": "baselayer",
            "attribution": "Fictional streets of the SocialMap sample town"}
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    for z in ZOOMS:
        x0, y0, x1, y1 = tile_range(box, z)
        rows = [(z, tx, (1 << z) - 1 - ty, _tile(features, z, tx, ty))
                for tx in range(x0, x1 + 1) for ty in range(y0, y1 + 1)]
        con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return out, streets, wards


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for written in write_basemap(target):
        print(f"wrote {written}")
