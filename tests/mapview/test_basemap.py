"""Basemap tile files (socialmap.mapview.basemap): MBTiles and PMTiles read back, refusals in one
line, tile arithmetic, the project setting, and the tiles an export takes."""

from __future__ import annotations

import math
import sqlite3

import pytest

from socialmap.mapview import basemap
from socialmap.mapview.basemap import BasemapError, open_archive, plain_text, tile_range, tile_xy
from tests.tilefiles import SAMPLE_BOUNDS, make_mbtiles, make_pmtiles, tile_colour, tile_png


def _pixel(data: bytes):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB").getpixel((128, 128))


def test_tile_arithmetic_matches_the_slippy_map_formulas():
    """At z=1 the point (0, 0) is the corner of the four tiles: (1.0, 1.0). Manchester
    (lon -2.24, lat 53.48) at z=12: x = (177.76 / 360) * 4096 = 2022.52; y = (1 - asinh(tan(53.48°))
    / pi) / 2 * 4096 = (1 - 1.1090 / pi) / 2 * 4096 = 1325.0, so tile (2022, 1325)."""
    assert tile_xy(0.0, 0.0, 1) == pytest.approx((1.0, 1.0))
    x, y = tile_xy(-2.24, 53.48, 12)
    assert x == pytest.approx(177.76 / 360 * 4096)
    assert y == pytest.approx((1 - math.asinh(math.tan(math.radians(53.48))) / math.pi) / 2 * 4096)
    assert (int(x), int(y)) == (2022, 1325)
    # the top edge of a row is the latitude the row starts at
    assert basemap.tile_lat(y, 12) == pytest.approx(53.48)
    # the sample town (west -2.2609 .. east -2.1434) at z=12: x from 2022.28 to 2023.61; rows
    # from 1324.30 (north 53.5245) to 1325.22 (south 53.4764): four tiles
    assert tile_range(SAMPLE_BOUNDS, 12) == (2022, 1324, 2023, 1325)


def test_mbtiles_tiles_are_read_in_xyz_order_with_their_metadata(tmp_path):
    """The file stores TMS rows (2^z - 1 - y); the archive is asked XYZ rows and gives the tile
    whose colour encodes the same z/x/y."""
    path = make_mbtiles(tmp_path / "t.mbtiles")
    with open_archive(path) as archive:
        info = archive.info
        assert (info.kind, info.name, info.tile_format, info.min_zoom, info.max_zoom) == (
            "mbtiles", "Test basemap", "png", 12, 14)
        assert info.attribution == "Test tiles © Example"  # markup dropped, entity read
        assert info.bounds == pytest.approx(SAMPLE_BOUNDS)
        x0, y0, _x1, _y1 = tile_range(SAMPLE_BOUNDS, 13)
        assert _pixel(archive.tile(13, x0, y0)) == tile_colour(13, x0, y0)
        assert archive.tile(13, x0 - 5, y0) is None  # outside the file
        assert archive.tile(3, 99, 0) is None  # not a tile at all


def test_pmtiles_are_read_with_the_pmtiles_package(tmp_path):
    path = make_pmtiles(tmp_path / "t.pmtiles")
    with open_archive(path) as archive:
        assert (archive.info.kind, archive.info.tile_format, archive.info.min_zoom, archive.info.max_zoom) == (
            "pmtiles", "png", 12, 13)
        assert archive.info.attribution == "PMTiles test"
        x0, y0, x1, y1 = tile_range(SAMPLE_BOUNDS, 12)
        assert _pixel(archive.tile(12, x1, y1)) == tile_colour(12, x1, y1)
        assert archive.tile(12, x1 + 3, y1) is None


@pytest.mark.parametrize("maker, why", [
    ("missing", "is not there"),
    ("text", "neither an MBTiles nor a PMTiles file"),
    ("sqlite", "not an MBTiles file (no tiles or metadata table)"),
    ("vector_mbtiles", "holds vector tiles"),
    ("vector_pmtiles", "holds vector tiles"),
    ("empty", "holds no tiles"),
])
def test_bad_basemap_files_are_refused_in_one_line(tmp_path, maker, why):
    path = tmp_path / "bad.mbtiles"
    if maker == "text":
        path.write_text("not tiles")
    elif maker == "sqlite":
        sqlite3.connect(path).execute("CREATE TABLE other (a)").connection.close()
    elif maker == "vector_mbtiles":
        make_mbtiles(path, zooms=(12,), fmt="pbf")
    elif maker == "vector_pmtiles":
        path = make_pmtiles(tmp_path / "v.pmtiles", zooms=(12,), tile_type="MVT")
    elif maker == "empty":
        make_mbtiles(path, zooms=(12,))
        con = sqlite3.connect(path)
        con.execute("DELETE FROM tiles")
        con.commit()
        con.close()
    with pytest.raises(BasemapError) as err:
        open_archive(path)
    text = str(err.value)
    assert why in text and str(path) in text and "\n" not in text
    if maker.startswith("vector"):
        assert "Generate XYZ tiles (MBTiles)" in text  # how to make raster tiles


def test_plain_text_of_an_attribution_never_keeps_markup():
    assert plain_text('&copy; <a href="https://osm.org/copyright">OpenStreetMap</a> contributors') == (
        "© OpenStreetMap contributors")
    assert plain_text("<img src=x onerror=alert(1)>Tiles") == "Tiles"
    assert plain_text(None) == ""


def test_the_setting_keeps_a_path_relative_to_the_project_when_the_file_is_beside_it(tmp_path):
    (tmp_path / "maps").mkdir()
    tiles = make_mbtiles(tmp_path / "maps" / "town.mbtiles", zooms=(12,))
    entry = basemap.basemap_entry(tiles, tmp_path / "project.gpkg", opacity=0.7)
    assert entry["path"] == "maps/town.mbtiles" and entry["absolute"] == str(tiles.resolve())
    assert entry["opacity"] == 0.7 and entry["visible"] is True
    assert basemap.entry_problems(entry) == []
    # the project folder moved with its tiles: the relative path finds them
    moved = tmp_path / "moved"
    (tmp_path / "maps").rename(tmp_path / "moved_maps")
    moved.mkdir()
    (tmp_path / "moved_maps").rename(moved / "maps")
    assert basemap.resolve_path(entry, moved / "project.gpkg") == moved / "maps" / "town.mbtiles"
    far = basemap.basemap_entry(moved / "maps" / "town.mbtiles", tmp_path / "elsewhere" / "p.gpkg")
    assert far["path"] == str((moved / "maps" / "town.mbtiles").resolve())
    assert basemap.entry_problems({"path": "", "opacity": 2}) == ["has no path", "opacity is not a number from 0 to 1"]


def test_saved_elsewhere_the_settings_name_the_same_files_from_the_new_folder(tmp_path):
    """Save As into another folder: the basemap and a reference layer kept relative to the old
    folder are named from the new one (absolute when they lie outside it), so a file of the same
    name beside the new project is not taken for them; keys another program wrote are kept."""
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old / "maps", new / "maps"):
        folder.mkdir(parents=True)
    tiles = make_mbtiles(old / "maps" / "town.mbtiles", zooms=(12,))
    decoy = make_mbtiles(new / "maps" / "town.mbtiles", zooms=(13,))  # another file, the same name
    roads = old / "maps" / "roads.geojson"
    roads.write_text('{"type": "FeatureCollection", "features": []}')
    entry = basemap.basemap_entry(tiles, old / "p.gpkg", opacity=0.4)
    layer = {"id": "r1", "path": "maps/roads.geojson", "absolute": str(roads.resolve()), "layer": None,
             "name": "Roads", "colour": "#7570b3", "visible": False, "qgis_style": "kept"}
    gone = {"id": "r2", "path": "maps/gone.shp", "absolute": str(old / "maps" / "gone.shp"), "name": "Gone"}
    settings = {"basemap": entry, "reference_layers": [layer, gone], "group_by": "ward"}
    # kept as they were, the relative path would find the decoy beside the new file
    assert basemap.resolve_path(entry, new / "p.gpkg") == new / "maps" / "town.mbtiles" != tiles

    moved = basemap.moved_settings(settings, old / "p.gpkg", new / "p.gpkg")
    assert set(moved) == {"basemap", "reference_layers"}  # the group key is no file's: not touched
    assert moved["basemap"] == {"path": str(tiles.resolve()), "absolute": str(tiles.resolve()),
                                "opacity": 0.4, "visible": True}
    assert basemap.resolve_path(moved["basemap"], new / "p.gpkg") == tiles.resolve() != decoy.resolve()
    assert moved["reference_layers"][0] == {**layer, "path": str(roads.resolve())}
    assert moved["reference_layers"][1] == gone  # no such file: nothing to name it from, kept as written
    assert settings["basemap"] == entry  # the settings given are not changed

    # saved into a folder below which the files lie: relative to it
    inner = basemap.moved_settings(settings, old / "p.gpkg", tmp_path / "p.gpkg")
    assert inner["basemap"]["path"] == "old/maps/town.mbtiles"
    assert inner["reference_layers"][0]["path"] == "old/maps/roads.geojson"
    # saved beside the old file: nothing changes
    assert basemap.moved_settings(settings, old / "p.gpkg", old / "copy.gpkg") == {}
    # a project that had no file yet (absolute paths) saved beside its tiles: relative from then on
    first = basemap.moved_settings({"basemap": basemap.basemap_entry(tiles, None)}, None, old / "p.gpkg")
    assert first["basemap"]["path"] == "maps/town.mbtiles"


def test_an_export_takes_the_tiles_of_the_extent_within_its_size_cap(tmp_path):
    """Levels 12-14 over the sample: 4 + 12 + 24 tiles plus a 10% margin; with a cap of a little
    more than the first two levels, level 14 is left out and the note says so."""
    archive = open_archive(make_mbtiles(tmp_path / "t.mbtiles"))
    every = basemap.tiles_for_extent(archive, SAMPLE_BOUNDS)
    counts = {z: sum(1 for k in every.tiles if k[0] == z) for z in (12, 13, 14)}
    pad = (SAMPLE_BOUNDS[2] - SAMPLE_BOUNDS[0]) * 0.1, (SAMPLE_BOUNDS[3] - SAMPLE_BOUNDS[1]) * 0.1
    box = (SAMPLE_BOUNDS[0] - pad[0], SAMPLE_BOUNDS[1] - pad[1], SAMPLE_BOUNDS[2] + pad[0], SAMPLE_BOUNDS[3] + pad[1])
    for z in (12, 13, 14):
        x0, y0, x1, y1 = tile_range(box, z)
        # the file holds the tiles over the unpadded extent: those are all taken
        assert counts[z] == len([1 for (zz, x, y) in every.tiles if zz == z and x0 <= x <= x1 and y0 <= y <= y1])
        assert counts[z] == basemap.tile_count(SAMPLE_BOUNDS, z)
    assert (every.min_zoom, every.max_zoom, every.note) == (12, 14, "")
    two_levels = sum(len(b) for k, b in every.tiles.items() if k[0] < 14)
    capped = basemap.tiles_for_extent(archive, SAMPLE_BOUNDS, cap_bytes=two_levels + 10)
    assert {k[0] for k in capped.tiles} == {12, 13}
    assert "from zoom 12 to 13" in capped.note and "left out" in capped.note
    archive.close()


def test_the_mosaic_for_a_printed_map_puts_each_tile_at_its_latitude(tmp_path):
    """A 300-pixel-wide map of the sample reads zoom floor(log2(300 / (256 * 0.1175 / 360))) = 11,
    clamped to the file's 12; the pixel at the centre of tile (12, x0, y0) keeps its colour."""
    archive = open_archive(make_mbtiles(tmp_path / "t.mbtiles"))
    assert basemap.choose_zoom(archive.info, SAMPLE_BOUNDS, 300) == 12
    assert basemap.choose_zoom(archive.info, SAMPLE_BOUNDS, 4000) == 14  # floor(log2(47.9)) + 9 = 14, the file's deepest
    pixels, (west, east, south, north) = basemap.mosaic(archive, SAMPLE_BOUNDS, 300)
    x0, y0, _x1, _y1 = tile_range(SAMPLE_BOUNDS, 12)
    assert west == pytest.approx(x0 / 4096 * 360 - 180) and north == pytest.approx(basemap.tile_lat(y0, 12))
    # the centre of tile (x0, y0): longitude half a tile in, latitude of its middle Mercator row
    lat = basemap.tile_lat(y0 + 0.5, 12)
    row = int((north - lat) / (north - south) * pixels.shape[0])
    assert tuple(pixels[row, 128]) == tile_colour(12, x0, y0)
    archive.close()


def test_png_tiles_of_the_helper_are_256_pixels():
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(tile_png(12, 1, 2))).size == (256, 256)
