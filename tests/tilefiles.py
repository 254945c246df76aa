"""Small tile files made by the tests: MBTiles (SQLite, TMS rows) and PMTiles v3, of 256-pixel
PNG tiles drawn with Pillow, each a flat colour that encodes its own z, x and y (so a test can
tell from a pixel which tile was drawn where)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from socialmap.mapview.basemap import tile_range

#: Around the sample town (Manchester-like coordinates of sample_data/sample.gpkg).
SAMPLE_BOUNDS = (-2.2609, 53.4764, -2.1434, 53.5245)


def tile_colour(z: int, x: int, y: int) -> tuple[int, int, int]:
    """The flat colour of tile z/x/y: red from z, green from x, blue from y (light, so the
    areas drawn over it stay readable)."""
    return (150 + 7 * z, 120 + (x * 37) % 120, 120 + (y * 53) % 120)


def tile_png(z: int, x: int, y: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), tile_colour(z, x, y))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 255, 255], outline=(90, 90, 90))  # the tile's edge, to see the grid
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def tiles_over(bounds, zooms) -> list[tuple[int, int, int]]:
    out = []
    for z in zooms:
        x0, y0, x1, y1 = tile_range(bounds, z)
        out += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return out


def make_mbtiles(path: Path, bounds=SAMPLE_BOUNDS, zooms=(12, 13, 14), *, fmt: str = "png",
                 attribution: str = "Test tiles &copy; <a href=\"https://example.org\">Example</a>",
                 name: str = "Test basemap") -> Path:
    """An MBTiles file of flat-colour tiles over ``bounds`` at ``zooms`` (rows in TMS order)."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    meta = {"name": name, "format": fmt, "minzoom": str(min(zooms)), "maxzoom": str(max(zooms)),
            "bounds": ",".join(str(b) for b in bounds), "attribution": attribution, "type": "baselayer"}
    con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(z, x, (1 << z) - 1 - y, tile_png(z, x, y)) for z, x, y in tiles_over(bounds, zooms)])
    con.commit()
    con.close()
    return path


def make_pmtiles(path: Path, bounds=SAMPLE_BOUNDS, zooms=(12, 13), *, tile_type: str = "PNG",
                 attribution: str = "PMTiles test") -> Path:
    """A PMTiles v3 file of the same tiles, written with Protomaps' ``pmtiles`` writer."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    tiles = sorted(tiles_over(bounds, zooms), key=lambda t: zxy_to_tileid(*t))
    with write(str(path)) as writer:
        for z, x, y in tiles:
            writer.write_tile(zxy_to_tileid(z, x, y), tile_png(z, x, y))
        writer.finalize({
            "tile_type": getattr(TileType, tile_type), "tile_compression": Compression.NONE,
            "min_zoom": min(zooms), "max_zoom": max(zooms),
            "min_lon_e7": int(bounds[0] * 1e7), "min_lat_e7": int(bounds[1] * 1e7),
            "max_lon_e7": int(bounds[2] * 1e7), "max_lat_e7": int(bounds[3] * 1e7),
            "center_zoom": min(zooms), "center_lon_e7": int((bounds[0] + bounds[2]) / 2 * 1e7),
            "center_lat_e7": int((bounds[1] + bounds[3]) / 2 * 1e7),
        }, {"name": "PMTiles test", "attribution": attribution})
    return path
