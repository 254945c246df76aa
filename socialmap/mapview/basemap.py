"""Offline basemaps the user supplies: raster tiles read from an MBTiles or a PMTiles file.

No Qt and no network here: the desktop UI serves the tiles of :class:`TileArchive` to its map
page through a URL scheme handler of its own (:mod:`socialmap.ui.tilescheme`), the standalone
HTML export embeds those it needs (:func:`tiles_for_extent`), and the PDF maps draw a mosaic of
them under the areas (:func:`mosaic`).

Formats
-------
MBTiles 1.3 (Mapbox's specification, ``github.com/mapbox/mbtiles-spec``): an SQLite database
with a ``tiles`` table (``zoom_level, tile_column, tile_row, tile_data``; rows numbered from the
south, TMS order, so XYZ row ``y`` is stored as ``2**z - 1 - y``) and a ``metadata`` table of
``name, value`` rows (``name``, ``attribution``, ``format`` png/jpg/webp or pbf for vector
tiles, ``minzoom``, ``maxzoom``, ``bounds`` as ``west,south,east,north``). QGIS writes it with
Processing ▸ Raster tools ▸ Generate XYZ tiles (MBTiles).

PMTiles version 3 (Protomaps' specification, ``github.com/protomaps/PMTiles/spec/v3``): one
file with a 127-byte header, directories of tile ids on a Hilbert curve and the tiles; read
with the ``pmtiles`` package (Protomaps' own Python reader). Tile ids are XYZ, as Leaflet's.

Only raster tiles are drawn: a file of vector tiles (MBTiles ``format=pbf``, PMTiles tile type
MVT or MLT) is refused with a message saying how to make raster tiles, since drawing vector
tiles needs a style, fonts and a renderer that no registry package installs for Leaflet.
"""

from __future__ import annotations

import gzip
import html
import html.parser
import math
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialmap.errors import SocialMapError

#: MIME type of each raster tile format.
MIME_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
#: How to make raster tiles: said when a file holds vector tiles or is not a tile file.
HOW_TO_MAKE = ("make raster tiles in QGIS with Processing > Raster tools > Generate XYZ tiles (MBTiles), "
               "from a map drawn there (OS Open Zoomstack, an OpenStreetMap extract)")
#: Deepest zoom level Web Mercator tiles are read at (OpenStreetMap's own tiles stop at 19).
MAX_ZOOM = 22
#: The project setting that names the basemap.
SETTING = "basemap"
#: Default opacity of the basemap on the map (the areas' fill is drawn over it).
DEFAULT_OPACITY = 1.0


class BasemapError(SocialMapError):
    """A basemap file that is missing, unreadable, or not raster tiles (one line naming it)."""


@dataclass(frozen=True)
class TileInfo:
    """What a tile file says about itself (MBTiles ``metadata`` table, PMTiles header and metadata)."""

    path: str
    kind: str  # "mbtiles" or "pmtiles"
    name: str
    attribution: str  # plain text (markup removed)
    tile_format: str  # "png", "jpg" or "webp"
    min_zoom: int
    max_zoom: int
    #: (west, south, east, north) in degrees, or None when the file does not say
    bounds: tuple[float, float, float, float] | None = None

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.tile_format]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "attribution": self.attribution, "format": self.tile_format,
                "minzoom": self.min_zoom, "maxzoom": self.max_zoom,
                "bounds": list(self.bounds) if self.bounds else None, "kind": self.kind}


class _TextOnly(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: Any) -> str:
    """``markup`` (an attribution, often HTML such as ``&copy; <a href=...>OpenStreetMap</a>``) as
    plain text on one line: tags dropped, entities read. The page shows it as text, never HTML."""
    if markup is None:
        return ""
    parser = _TextOnly()
    parser.feed(str(markup))
    parser.close()
    text = html.unescape("".join(parser.parts))
    return " ".join(text.split())[:300]


def _sniff_format(data: bytes | None) -> str | None:
    """The raster format of a tile from its first bytes (PNG, JPEG or WebP signatures), else None."""
    if not data:
        return None
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _format_name(value: Any) -> str | None:
    text = str(value or "").strip().lower()
    return {"jpeg": "jpg", "png": "png", "jpg": "jpg", "webp": "webp"}.get(text, text or None)


def _bounds(value: Any) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in str(value).split(","))
    except (TypeError, ValueError):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


def _whole(value: Any, default: int) -> int:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return default
    return max(0, min(MAX_ZOOM, number))


class TileArchive:
    """An open tile file: :meth:`tile` gives the bytes of tile ``z/x/y`` (XYZ numbering, rows from
    the north as in Leaflet), or None where the file has none. Safe to share between threads."""

    info: TileInfo

    def tile(self, z: int, x: int, y: int) -> bytes | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __enter__(self) -> TileArchive:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class MBTilesArchive(TileArchive):
    """An MBTiles file, read only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            tables = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        except sqlite3.Error as exc:
            raise BasemapError(f"{path}: cannot be read as an MBTiles file ({exc})") from None
        missing = [t for t in ("tiles", "metadata") if t not in tables]
        if missing:
            self._con.close()
            raise BasemapError(f"{path}: not an MBTiles file (no {' or '.join(missing)} table); {HOW_TO_MAKE}")
        try:
            meta = {str(k): v for k, v in self._con.execute("SELECT name, value FROM metadata")}
            levels = self._con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
            first = self._con.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
        except sqlite3.Error as exc:
            self._con.close()
            raise BasemapError(f"{path}: the MBTiles file is damaged ({exc})") from None
        fmt = _format_name(meta.get("format"))
        sniffed = _sniff_format(first[0] if first else None)
        if fmt in ("pbf", "mvt") or (fmt is None and first and first[0][:2] == b"\x1f\x8b"):
            self._con.close()
            raise BasemapError(f"{path}: holds vector tiles (format {fmt or 'pbf'}); SocialMap draws raster tiles "
                               f"(PNG, JPEG or WebP): {HOW_TO_MAKE}")
        fmt = fmt if fmt in MIME_TYPES else sniffed
        if fmt not in MIME_TYPES:
            self._con.close()
            raise BasemapError(f"{path}: tile format {meta.get('format')!r} is not PNG, JPEG or WebP; {HOW_TO_MAKE}")
        if levels is None or levels[0] is None:
            self._con.close()
            raise BasemapError(f"{path}: the MBTiles file holds no tiles")
        self.info = TileInfo(
            path=str(path), kind="mbtiles", name=str(meta.get("name") or path.stem),
            attribution=plain_text(meta.get("attribution")), tile_format=fmt,
            min_zoom=_whole(meta.get("minzoom"), int(levels[0])), max_zoom=_whole(meta.get("maxzoom"), int(levels[1])),
            bounds=_bounds(meta.get("bounds")))

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
            return None
        with self._lock:
            try:
                row = self._con.execute(
                    "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                    (z, x, (1 << z) - 1 - y)).fetchone()
            except sqlite3.Error:
                return None
        return bytes(row[0]) if row and row[0] else None

    def close(self) -> None:
        with self._lock:
            self._con.close()


class PMTilesArchive(TileArchive):
    """A PMTiles version 3 file, read with Protomaps' ``pmtiles`` package (memory-mapped)."""

    def __init__(self, path: Path) -> None:
        from pmtiles.reader import MmapSource, Reader
        from pmtiles.tile import Compression, TileType

        self.path = path
        self._lock = threading.Lock()
        try:
            self._file = open(path, "rb")  # noqa: SIM115 - kept open for the memory map
        except OSError as exc:
            raise BasemapError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        try:
            self._reader = Reader(MmapSource(self._file))
            header = self._reader.header()
            meta = self._reader.metadata() if header["metadata_length"] else {}
        except Exception as exc:  # noqa: BLE001 - any failure to decode is a bad file, said in one line
            self._file.close()
            why = "not a PMTiles version 3 file" if type(exc).__name__ in (
                "MagicNumberNotFound", "SpecVersionUnsupported") else f"damaged ({type(exc).__name__})"
            raise BasemapError(f"{path}: {why}; {HOW_TO_MAKE}") from None
        kind = header["tile_type"]
        if kind in (TileType.MVT, getattr(TileType, "MLT", None)):
            self._file.close()
            raise BasemapError(f"{path}: holds vector tiles; SocialMap draws raster tiles (PNG, JPEG or WebP): "
                               f"{HOW_TO_MAKE}")
        fmt = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}.get(kind)
        if fmt is None:
            self._file.close()
            raise BasemapError(f"{path}: tile type {kind.name} is not PNG, JPEG or WebP; {HOW_TO_MAKE}")
        self._gzip = header["tile_compression"] == Compression.GZIP
        bounds = (header["min_lon_e7"] / 1e7, header["min_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7,
                  header["max_lat_e7"] / 1e7)
        meta = meta if isinstance(meta, dict) else {}
        self.info = TileInfo(
            path=str(path), kind="pmtiles", name=str(meta.get("name") or path.stem),
            attribution=plain_text(meta.get("attribution")), tile_format=fmt,
            min_zoom=int(header["min_zoom"]), max_zoom=int(header["max_zoom"]),
            bounds=_bounds(",".join(str(b) for b in bounds)))

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
            return None
        with self._lock:
            try:
                data = self._reader.get(z, x, y)
            except Exception:  # noqa: BLE001 - a damaged directory: no tile, the map goes on
                return None
        if not data:
            return None
        data = bytes(data)
        if self._gzip:
            try:
                data = gzip.decompress(data)
            except OSError:
                return None
        return data

    def close(self) -> None:
        with self._lock:
            self._file.close()


def open_archive(path: str | os.PathLike) -> TileArchive:
    """Open an MBTiles or PMTiles file (told apart by its first bytes, not its name).

    Raises :class:`BasemapError` (one line naming the file) when it is missing, unreadable,
    not a tile file, or holds vector tiles."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise BasemapError(f"{path}: the basemap file is not there (moved or deleted?); the map is drawn "
                           f"without it: choose it again with File > Basemap") from None
    except OSError as exc:
        raise BasemapError(f"{path}: the basemap file cannot be read ({exc.strerror or exc})") from None
    if head.startswith(b"PMTiles"):
        return PMTilesArchive(path)
    if head.startswith(b"SQLite format 3\x00"):
        return MBTilesArchive(path)
    raise BasemapError(f"{path}: neither an MBTiles nor a PMTiles file; {HOW_TO_MAKE}")


# ---------------------------------------------------------------- tile arithmetic (Web Mercator)

def tile_xy(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates of a point at ``zoom`` (OpenStreetMap's slippy-map
    formulas: x = (lon + 180) / 360 * 2^z, y = (1 - asinh(tan(lat)) / pi) / 2 * 2^z)."""
    n = 2.0**zoom
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    return (lon + 180.0) / 360.0 * n, (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n


def tile_lat(y: float, zoom: int) -> float:
    """Latitude of the top edge of tile row ``y`` (fractional) at ``zoom``."""
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / 2.0**zoom))))


def tile_range(bounds: tuple[float, float, float, float], zoom: int) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)``, inclusive, of the tiles at ``zoom`` covering ``bounds`` (west, south, east, north)."""
    west, south, east, north = bounds
    x0, y0 = tile_xy(west, north, zoom)
    x1, y1 = tile_xy(east, south, zoom)
    top = 2**zoom - 1
    return (max(0, int(x0)), max(0, int(y0)), min(top, int(x1)), min(top, int(y1)))


def tile_count(bounds: tuple[float, float, float, float], zoom: int) -> int:
    x0, y0, x1, y1 = tile_range(bounds, zoom)
    return (x1 - x0 + 1) * (y1 - y0 + 1)


# ---------------------------------------------------------------- the project setting

def basemap_entry(path: str | os.PathLike, project_path: str | os.PathLike | None, *,
                  opacity: float = DEFAULT_OPACITY, visible: bool = True) -> dict[str, Any]:
    """The ``basemap`` project setting for the tile file ``path``: its path relative to the project
    file's folder when it lies in it or below it (the two move together), else absolute; the
    absolute path is kept too, for when only one of them moves."""
    path = Path(path).resolve()
    shown = str(path)
    if project_path:
        folder = Path(project_path).resolve().parent
        try:
            shown = path.relative_to(folder).as_posix()
        except ValueError:
            shown = str(path)
    return {"path": shown, "absolute": str(path), "opacity": float(opacity), "visible": bool(visible)}


def entry_problems(entry: Any) -> list[str]:
    """What is wrong with a ``basemap`` setting's value (an empty list when it can be used)."""
    if entry is None:
        return []
    if not isinstance(entry, dict):
        return ["is not a basemap record (path, opacity, visible)"]
    out = []
    if not isinstance(entry.get("path"), str) or not entry["path"].strip():
        out.append("has no path")
    opacity = entry.get("opacity", DEFAULT_OPACITY)
    if isinstance(opacity, bool) or not isinstance(opacity, (int, float)) or not 0 <= opacity <= 1:
        out.append("opacity is not a number from 0 to 1")
    if not isinstance(entry.get("visible", True), bool):
        out.append("visible is not true or false")
    return out


def resolve_path(entry: dict[str, Any], project_path: str | os.PathLike | None) -> Path:
    """Where the file of a ``basemap`` (or reference layer) setting is: its relative path from the
    project file's folder when that exists, else its absolute path, else the path as written."""
    shown = Path(str(entry.get("path", "")))
    candidates = []
    if not shown.is_absolute() and project_path:
        candidates.append(Path(project_path).resolve().parent / shown)
    if entry.get("absolute"):
        candidates.append(Path(str(entry["absolute"])))
    candidates.append(shown)
    return next((c for c in candidates if c.exists()), candidates[0])


def moved_entry(entry: Any, old_project_path: str | os.PathLike | None,
                new_project_path: str | os.PathLike) -> Any:
    """A ``basemap`` or reference layer record for the project saved at ``new_project_path``
    instead of ``old_project_path``: its ``path`` made again from the file it names now
    (:func:`resolve_path` from the old place), relative to the new file's folder when the file lies
    in it or below it, else absolute; ``absolute`` made again with it; every other key kept as
    written (another program's too). A record naming no file that exists is kept as it is: there
    is nothing to make its path from."""
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"].strip():
        return entry
    file = resolve_path(entry, old_project_path)
    if not file.exists():
        return entry
    kept = basemap_entry(file, new_project_path)
    return {**entry, "path": kept["path"], "absolute": kept["absolute"]}


def moved_settings(settings: dict[str, Any], old_project_path: str | os.PathLike | None,
                   new_project_path: str | os.PathLike) -> dict[str, Any]:
    """The project settings that name files (the basemap, the reference layers) as they must be
    written when the project is saved at ``new_project_path`` (Save As, an encrypted or decrypted
    copy): only those whose value changes. Kept as they were, a path relative to the old folder
    would be looked for beside the new file first, and found there when another file of that
    name happens to lie beside it."""
    from socialmap.mapview.reference import SETTING as REFERENCE_SETTING

    out: dict[str, Any] = {}
    entry = settings.get(SETTING)
    moved = moved_entry(entry, old_project_path, new_project_path)
    if moved != entry:
        out[SETTING] = moved
    layers = settings.get(REFERENCE_SETTING)
    if isinstance(layers, list):
        moved_layers = [moved_entry(e, old_project_path, new_project_path) for e in layers]
        if moved_layers != layers:
            out[REFERENCE_SETTING] = moved_layers
    return out


def project_basemap(project, project_path: str | os.PathLike | None = None) -> TileArchive | None:
    """The open tile file a project's ``basemap`` setting names, or None when it has none, it is
    switched off, or it cannot be read (reports and exports are made without it then)."""
    entry = project.settings.get(SETTING)
    if not isinstance(entry, dict) or entry_problems(entry) or not entry.get("visible", True):
        return None
    try:
        return open_archive(resolve_path(entry, project_path))
    except BasemapError:
        return None


# ---------------------------------------------------------------- exports: tiles for an extent

@dataclass
class ExtentTiles:
    """The tiles of an archive covering an extent, for an export: ``tiles[(z, x, y)] = bytes``."""

    info: TileInfo
    tiles: dict[tuple[int, int, int], bytes] = field(default_factory=dict)
    min_zoom: int = 0
    max_zoom: int = 0
    #: why fewer zoom levels were taken than the file has (the size cap), or ""
    note: str = ""

    @property
    def size_bytes(self) -> int:
        return sum(len(b) for b in self.tiles.values())


#: Largest total of tile bytes an HTML export embeds (base64 adds a third).
EXPORT_CAP_BYTES = 12 * 1024 * 1024


def tiles_for_extent(archive: TileArchive, bounds: tuple[float, float, float, float], *,
                     cap_bytes: int = EXPORT_CAP_BYTES, max_levels: int = 8) -> ExtentTiles:
    """The archive's tiles covering ``bounds`` (west, south, east, north, degrees), from the
    coarsest zoom at which the extent spans at least one tile, down zoom level by zoom level
    while the total stays under ``cap_bytes``; the levels left out are said in ``note``."""
    info = archive.info
    west, south, east, north = bounds
    pad_x, pad_y = (east - west) * 0.1, (north - south) * 0.1
    box = (max(-180.0, west - pad_x), max(-85.0, south - pad_y), min(180.0, east + pad_x), min(85.0, north + pad_y))
    out = ExtentTiles(info=info)
    first = info.min_zoom
    # start where the extent is about one tile wide: the levels above it are a blur of one tile
    while first < info.max_zoom and tile_count(box, first + 1) <= 1:
        first += 1
    taken = None
    for zoom in range(first, min(info.max_zoom, first + max_levels - 1) + 1):
        x0, y0, x1, y1 = tile_range(box, zoom)
        level = {}
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                data = archive.tile(zoom, x, y)
                if data:
                    level[(zoom, x, y)] = data
        if out.tiles and out.size_bytes + sum(len(b) for b in level.values()) > cap_bytes:
            out.note = (f"Basemap tiles from zoom {first} to {taken} are included; closer zoom levels "
                        f"(to {info.max_zoom}) were left out to keep the file under {cap_bytes // (1024 * 1024)} MB.")
            break
        out.tiles.update(level)
        taken = zoom
    if taken is None:
        return out
    if not out.note and taken < info.max_zoom:
        out.note = (f"Basemap tiles from zoom {first} to {taken} are included "
                    f"(the file goes to zoom {info.max_zoom}).")
    out.min_zoom, out.max_zoom = first, taken
    return out


def choose_zoom(info: TileInfo, bounds: tuple[float, float, float, float], width_px: int) -> int:
    """The zoom level at which ``bounds`` is about ``width_px`` pixels wide (256-pixel tiles),
    within the file's zoom levels: the level a printed map of that width reads its tiles at."""
    west, _south, east, _north = bounds
    span = max(east - west, 1e-9) / 360.0
    zoom = int(math.floor(math.log2(max(width_px, 1) / (256.0 * span))))
    return max(info.min_zoom, min(info.max_zoom, zoom))


def mosaic(archive: TileArchive, bounds: tuple[float, float, float, float], width_px: int):
    """The basemap under ``bounds`` as one RGB image in plate carrée (longitude across, latitude up
    at equal steps) for a matplotlib map whose axes are degrees: ``(pixels, (west, east, south,
    north))`` or None when no tile covers it. Tiles are read at :func:`choose_zoom`; each output
    row takes the Web Mercator row of its latitude (so north-south distances are right at any
    latitude, not only at the centre). Decoded with Pillow (PNG, JPEG and WebP)."""
    import io

    import numpy as np
    from PIL import Image

    zoom = choose_zoom(archive.info, bounds, width_px)
    x0, y0, x1, y1 = tile_range(bounds, zoom)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > 400:  # a wide extent in a file of close zooms only
        return None
    sheet = np.full(((y1 - y0 + 1) * 256, (x1 - x0 + 1) * 256, 3), 255, dtype=np.uint8)
    found = False
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            data = archive.tile(zoom, x, y)
            if not data:
                continue
            try:
                image = Image.open(io.BytesIO(data)).convert("RGB")
            except Exception:  # noqa: BLE001 - a damaged tile is left blank
                continue
            if image.size != (256, 256):
                image = image.resize((256, 256))
            sheet[(y - y0) * 256:(y - y0 + 1) * 256, (x - x0) * 256:(x - x0 + 1) * 256] = np.asarray(image)
            found = True
    if not found:
        return None
    west, east = x0 / 2**zoom * 360.0 - 180.0, (x1 + 1) / 2**zoom * 360.0 - 180.0
    north, south = tile_lat(y0, zoom), tile_lat(y1 + 1, zoom)
    rows = sheet.shape[0]
    lats = north - (np.arange(rows) + 0.5) * (north - south) / rows  # equal steps of latitude
    merc_rows = np.array([tile_xy(0.0, lat, zoom)[1] for lat in lats]) - y0
    index = np.clip((merc_rows * 256).astype(int), 0, rows - 1)
    return sheet[index], (west, east, south, north)
