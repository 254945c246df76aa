"""Reference layers: the user's roads, buildings or ward boundaries, drawn read-only under the network.

A layer of any GeoPackage, GeoJSON or shapefile is read with pyogrio into geopandas,
reprojected to WGS84 (EPSG:4326, the map's coordinates), simplified for display (vertices that
lie within :data:`SIMPLIFY_DEG` of the line through their neighbours are dropped, Douglas-Peucker
as in shapely's ``simplify``; at 0.00001 degrees, about a metre, no change is visible at the
closest zoom) and flattened into columns: one part per point, line or polygon ring, with its
kind, the offset of its first vertex, and the vertices as float32 longitude/latitude pairs. The
page draws the columns on one canvas (``resources/map_bridge.js``, ``SM.setReference``).

The project keeps each layer in its ``reference_layers`` setting by path (relative to the
project file when it lies beside it, as the basemap), never the geometry itself.
"""

from __future__ import annotations

import base64
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from socialmap.errors import SocialMapError

SETTING = "reference_layers"
#: Douglas-Peucker tolerance of the displayed geometry, degrees (about 1 m at British latitudes).
SIMPLIFY_DEG = 1e-5
#: Most vertices a reference layer may have after simplification (about 40 MB in the page).
MAX_VERTICES = 5_000_000
#: Colours offered to new layers in turn (ColorBrewer Dark2, Harrower & Brewer 2003).
COLOURS = ("#7570b3", "#d95f02", "#1b9e77", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
#: File patterns the layer dialog offers.
PATTERNS = ("*.gpkg", "*.geojson", "*.json", "*.shp")

POINT, LINE, RING = 0, 1, 2


class ReferenceLayerError(SocialMapError):
    """A reference layer file that is missing, unreadable or has nothing to draw (one line)."""


@dataclass
class ReferenceGeometry:
    """A layer flattened for drawing: ``kinds[i]`` of part i (point, line, ring), its vertices
    ``xy[starts[i]:starts[i + 1]]`` as (lon, lat) in WGS84."""

    kinds: np.ndarray  # uint8
    starts: np.ndarray  # int32, one more than the parts
    xy: np.ndarray  # float32, (vertices, 2)
    features: int
    bounds: tuple[float, float, float, float] | None

    @property
    def parts(self) -> int:
        return len(self.kinds)


def layer_names(path: str | os.PathLike) -> list[str]:
    """The layers of a vector file that have geometry (a GeoPackage may hold several; a GeoJSON or
    a shapefile has one)."""
    import pyogrio

    path = _existing(path)
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:  # noqa: BLE001 - GDAL's errors vary by driver; one line says it
        raise ReferenceLayerError(f"{path}: cannot be read as a GeoPackage, GeoJSON or shapefile ({_why(exc)})") from None
    return [str(name) for name, geometry in listed if geometry]


def _existing(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise ReferenceLayerError(f"{path}: the reference layer file is not there (moved or deleted?); "
                                  f"the map is drawn without it")
    return path


def _why(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def read_reference(path: str | os.PathLike, layer: str | None = None) -> ReferenceGeometry:
    """Read ``layer`` of ``path`` (the first layer with geometry when None) for drawing."""
    import pyogrio
    import shapely

    path = _existing(path)
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, columns=[])
    except Exception as exc:  # noqa: BLE001
        raise ReferenceLayerError(f"{path}: cannot be read{f' (layer {layer})' if layer else ''} ({_why(exc)})") from None
    if "geometry" not in frame or frame.geometry is None:
        raise ReferenceLayerError(f"{path}: the layer has no geometry to draw")
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise ReferenceLayerError(f"{path}: the layer has no features to draw")
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ReferenceLayerError(f"{path}: the layer says no coordinate system and its coordinates are "
                                      f"not longitudes and latitudes; save it with its CRS (e.g. from QGIS)")
    elif frame.crs.to_epsg() != 4326:
        try:
            frame = frame.to_crs(4326)
        except Exception as exc:  # noqa: BLE001
            raise ReferenceLayerError(f"{path}: cannot be reprojected to WGS84 ({_why(exc)})") from None
    geoms = shapely.simplify(np.asarray(frame.geometry.array), SIMPLIFY_DEG, preserve_topology=False)
    return flatten(geoms, features=len(frame))


def flatten(geoms, *, features: int | None = None) -> ReferenceGeometry:
    """Points, lines and polygon rings of shapely geometries as :class:`ReferenceGeometry`."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    parts = shapely.get_parts(geoms[~shapely.is_empty(geoms)])
    types = shapely.get_type_id(parts)
    polygons = parts[types == 3]
    rings = shapely.get_rings(polygons) if len(polygons) else np.empty(0, dtype=object)
    lines = parts[(types == 1) | (types == 2)]
    points = parts[types == 0]
    pieces = [(POINT, points), (LINE, lines), (RING, rings)]
    kinds, counts, coords = [], [], []
    for kind, arr in pieces:
        if not len(arr):
            continue
        xy, index = shapely.get_coordinates(arr, return_index=True)
        kinds.append(np.full(len(arr), kind, dtype=np.uint8))
        counts.append(np.bincount(index, minlength=len(arr)))
        coords.append(xy)
    if not kinds:
        raise ReferenceLayerError("the layer has nothing to draw")
    xy = np.concatenate(coords).astype(np.float32)
    if len(xy) > MAX_VERTICES:
        raise ReferenceLayerError(f"the layer has {len(xy):,} vertices after simplification, more than "
                                  f"{MAX_VERTICES:,}: clip it to your patch in QGIS first")
    starts = np.zeros(sum(len(k) for k in kinds) + 1, dtype=np.int32)
    np.cumsum(np.concatenate(counts), out=starts[1:])
    bounds = (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max()))
    return ReferenceGeometry(np.concatenate(kinds), starts, xy, features if features is not None else len(geoms), bounds)


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def layer_payload(ident: str, name: str, colour: str, visible: bool, geometry: ReferenceGeometry) -> dict[str, Any]:
    """What ``SM.setReference`` draws: the columns as base64 typed arrays (little-endian, as the page reads them)."""
    return {"id": ident, "name": name, "colour": colour, "visible": bool(visible), "n": geometry.parts,
            "kinds": _b64(geometry.kinds), "starts": _b64(geometry.starts.astype("<i4")),
            "xy": _b64(geometry.xy.astype("<f4").reshape(-1))}


def layer_entry(path: str | os.PathLike, project_path: str | os.PathLike | None, *, layer: str | None,
                name: str, colour: str, ident: str, visible: bool = True) -> dict[str, Any]:
    """One record of the ``reference_layers`` setting (the path as :func:`socialmap.mapview.basemap.basemap_entry` keeps it)."""
    from socialmap.mapview.basemap import basemap_entry

    kept = basemap_entry(path, project_path)
    return {"id": ident, "path": kept["path"], "absolute": kept["absolute"], "layer": layer, "name": name,
            "colour": colour, "visible": bool(visible)}


def entries(project) -> list[dict[str, Any]]:
    """The usable records of a project's ``reference_layers`` setting (others are left out)."""
    value = project.settings.get(SETTING)
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, dict) and isinstance(e.get("path"), str) and e["path"]
            and isinstance(e.get("id"), str)]


# ---------------------------------------------------------------- exports

#: Most vertices of reference layers one export (the web map, a report's map) takes in all: a
#: layer that would pass it is left out, and the export's note says so (300,000 vertices are
#: about 6 MB in a web map's page).
EXPORT_MAX_VERTICES = 300_000
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass
class ExportedLayer:
    """A reference layer as an export draws it: its lines and polygon rings, each an ``(n, 2)``
    array of longitude/latitude (WGS84), in the layer's colour."""

    name: str
    colour: str
    lines: list[np.ndarray]

    @property
    def vertices(self) -> int:
        return sum(len(line) for line in self.lines)


def for_export(project, project_path: str | os.PathLike | None = None, *,
               max_vertices: int = EXPORT_MAX_VERTICES) -> tuple[list[ExportedLayer], list[str]]:
    """The project's shown reference layers for an export (the web map, the reports' maps), in
    the setting's order, and the notes of what was left out, one line each: a file that is not
    there or cannot be read, a layer that would take the export past ``max_vertices``, and a
    layer's points. Points are never exported: a layer of points may be addresses (a youth
    club's members' homes), and an export is made to be shared (SPEC 8); lines and polygon
    boundaries are drawn, as roads and ward boundaries are."""
    from socialmap.mapview.basemap import resolve_path

    layers: list[ExportedLayer] = []
    notes: list[str] = []
    room = max_vertices
    for entry in entries(project):
        if entry.get("visible", True) is False:
            continue
        name = str(entry.get("name") or Path(entry["path"]).stem)
        layer = entry.get("layer") if isinstance(entry.get("layer"), str) else None
        file = resolve_path(entry, project_path)
        try:
            geometry = _read_for_export(file, layer)
        except ReferenceLayerError as exc:  # (the file by its name: an export is shared, the folders are the user's)
            notes.append(f"Reference layer {name} left out: {str(exc).replace(str(file), file.name)}")
            continue
        drawn = geometry.kinds != POINT
        if not drawn.all():
            notes.append(f"Reference layer {name}: its {int((~drawn).sum()):,} points are not exported "
                         "(points may be people's addresses)")
        starts = geometry.starts
        lines = [geometry.xy[starts[i]:starts[i + 1]].astype(float) for i in np.flatnonzero(drawn).tolist()]
        out = ExportedLayer(name, entry["colour"] if _COLOUR.fullmatch(str(entry.get("colour", ""))) else COLOURS[0],
                            [line for line in lines if len(line) > 1])
        if out.vertices > room:
            notes.append(f"Reference layer {name} left out: {out.vertices:,} vertices, more than the "
                         f"{room:,} an export takes; clip it to your patch in QGIS first")
            continue
        if out.lines:
            room -= out.vertices
            layers.append(out)
    return layers, notes


def _read_for_export(path: Path, layer: str | None) -> ReferenceGeometry:
    """:func:`read_reference`, kept for the file as it is now (its size and time of change): a
    report draws several maps, each with the layers."""
    if not path.is_file():
        return read_reference(path, layer)
    stat = path.stat()
    return _read_kept(str(path.resolve()), stat.st_mtime_ns, stat.st_size, layer)


@functools.lru_cache(maxsize=4)
def _read_kept(path: str, _mtime_ns: int, _size: int, layer: str | None) -> ReferenceGeometry:
    return read_reference(path, layer)
