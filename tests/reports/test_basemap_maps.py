"""PDF maps draw the project's basemap under the areas when one is set (issue 14 item 5)."""

from __future__ import annotations

import pytest

from socialmap.mapview import basemap as bm
from tests.tilefiles import make_mbtiles, tile_colour


def _by_gid(fig, gid):
    return [a for a in fig.findobj() if a.get_gid() == gid]


def test_the_basemap_is_drawn_under_the_areas_with_its_attribution(small_project, tmp_path):
    """The map of the small project (7 in wide at 150 dpi, 80% of it the map: 840 px over 0.02 deg
    plus margins) reads zoom floor(log2(840 / (256 * 0.0212 / 360))) = 15, clamped to the file's 14.
    The image lies under the areas (lower z-order), which are drawn at 55% opacity over it."""
    from socialmap.reports.maps import area_map_figure

    tiles = make_mbtiles(tmp_path / "t.mbtiles", bounds=(-2.31, 53.395, -2.27, 53.415), zooms=(12, 13, 14))
    small_project.settings[bm.SETTING] = bm.basemap_entry(tiles, None)
    fig = area_map_figure(small_project, {"A1": 1.0, "A2": 2.0}, title="Rate")
    (image,) = _by_gid(fig, "basemap")
    ax = image.axes
    areas = [c for c in ax.collections if c.get_zorder() >= 1]
    assert areas and all(c.get_alpha() == pytest.approx(0.55) for c in areas)
    assert image.get_zorder() < min(c.get_zorder() for c in areas)
    west, east, south, north = image.get_extent()
    assert west <= -2.30 and east >= -2.28 and south <= 53.40 and north >= 53.41
    # the pixels are the file's zoom-14 tiles: the one holding the areas' centre keeps its colour
    x, y = bm.tile_xy(-2.29, 53.405, 14)
    pixels = image.get_array()
    col = int((-2.29 - west) / (east - west) * pixels.shape[1])
    row = int((north - 53.405) / (north - south) * pixels.shape[0])
    assert tuple(pixels[row, col][:3]) == tile_colour(14, int(x), int(y))
    (credit,) = _by_gid(fig, "basemap-attribution")
    assert credit.get_text() == "Test tiles © Example"


def test_no_basemap_when_none_is_set_or_its_file_is_gone(small_project, tmp_path):
    from socialmap.reports.maps import area_map_figure

    assert _by_gid(area_map_figure(small_project, {"A1": 1.0}), "basemap") == []
    small_project.settings[bm.SETTING] = bm.basemap_entry(tmp_path / "gone.mbtiles", None)
    fig = area_map_figure(small_project, {"A1": 1.0})
    assert _by_gid(fig, "basemap") == []
    assert all(c.get_alpha() in (None, 1.0) for c in fig.axes[0].collections)


def test_an_area_report_with_a_basemap_is_written(small_project, tmp_path):
    from socialmap.reports import write_area_report

    tiles = make_mbtiles(tmp_path / "t.mbtiles", bounds=(-2.31, 53.395, -2.27, 53.415), zooms=(13,))
    small_project.settings[bm.SETTING] = bm.basemap_entry(tiles, None)
    out = write_area_report(small_project, tmp_path / "r.pdf")
    assert out.stat().st_size > 10_000
