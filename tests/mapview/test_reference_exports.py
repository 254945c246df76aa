"""Reference layers in the exports (the standalone web map, the PDF reports' maps): their lines
and polygon boundaries in their colour, never their points; what is left out is said."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from socialmap.mapview import reference
from socialmap.mapview.reference import for_export

ROAD = [(-2.30, 53.403), (-2.29, 53.406), (-2.28, 53.407)]  # 3 vertices, not in line
WARD = [(-2.30, 53.40), (-2.29, 53.40), (-2.29, 53.41), (-2.30, 53.41)]  # a closed ring: 5 vertices


def _layer_file(path, geoms):
    import geopandas as gpd

    gpd.GeoDataFrame({"n": list(range(len(geoms)))}, geometry=list(geoms), crs="EPSG:4326").to_file(
        path, driver="GeoJSON")
    return path


def _entry(path, ident, name, colour="#d95f02", visible=True):
    return {"id": ident, "path": str(path), "absolute": str(path), "layer": None, "name": name,
            "colour": colour, "visible": visible}


@pytest.fixture
def layered(small_project, tmp_path):
    """The small project with a road-and-ward layer holding a point too, a hidden layer, a layer
    whose file is gone and one with a colour that is no colour."""
    mixed = _layer_file(tmp_path / "mixed.geojson", [LineString(ROAD), Polygon(WARD), Point(-2.295, 53.404)])
    hidden = _layer_file(tmp_path / "hidden.geojson", [LineString(ROAD)])
    small_project.settings[reference.SETTING] = [
        _entry(mixed, "ref1", "Roads and wards"),
        _entry(hidden, "ref2", "Hidden", visible=False),
        _entry(tmp_path / "gone.geojson", "ref3", "Gone"),
        _entry(hidden, "ref4", "<b>odd</b>", colour="red;x"),
    ]
    return small_project


def test_lines_and_rings_are_exported_and_points_never(layered):
    layers, notes = for_export(layered)
    assert [layer.name for layer in layers] == ["Roads and wards", "<b>odd</b>"]
    roads = layers[0]
    assert roads.colour == "#d95f02"
    assert [len(line) for line in roads.lines] == [3, 5]  # the road, the ward's ring; the point left out
    assert roads.lines[0] == pytest.approx(np.array(ROAD), abs=5e-6)
    assert roads.lines[1] == pytest.approx(np.array([*WARD, WARD[0]]), abs=5e-6)
    assert roads.vertices == 8
    assert layers[1].colour == reference.COLOURS[0]  # a colour that is not #rrggbb: the first of the palette
    assert notes[0] == "Reference layer Roads and wards: its 1 points are not exported (points may be people's addresses)"
    assert notes[1] == ("Reference layer Gone left out: gone.geojson: the reference layer file is not there "
                        "(moved or deleted?); the map is drawn without it")  # the file's name, not its folders
    assert len(notes) == 2


def test_a_layer_past_the_cap_is_left_out_and_said(layered):
    layers, notes = for_export(layered, max_vertices=10)  # 8 for the first, then 3 more would pass 10
    assert [layer.name for layer in layers] == ["Roads and wards"]
    assert notes[-1] == ("Reference layer <b>odd</b> left out: 3 vertices, more than the 2 an export takes; "
                         "clip it to your patch in QGIS first")


def test_the_web_map_draws_them_as_data_and_names_them_as_text(layered):
    from socialmap.interchange.writers.webmap import build_webmap
    from tests.interchange.test_webmap import data_of

    page = build_webmap(layered)
    assert "<b>odd</b>" not in page  # in the page's data only as \u003c escapes
    data = data_of(page)
    assert [r["name"] for r in data["reference"]] == ["Roads and wards", "<b>odd</b>"]
    # Leaflet's [lat, lon], to six decimals of the float32 the layer is kept in (0.4 m at 53 N)
    assert np.array(data["reference"][0]["lines"][0]) == pytest.approx(np.array(ROAD)[:, ::-1], abs=5e-6)
    assert len(data["reference"][0]["lines"][1]) == 5
    assert data["reference_notes"][0].startswith("Reference layer Roads and wards: its 1 points")
    assert "-2.295" not in str(data["reference"])  # the point's longitude is nowhere


def test_a_report_map_draws_them_over_the_areas_with_a_key_entry(layered):
    from matplotlib.collections import LineCollection

    from socialmap.reports.maps import area_map_figure

    fig = area_map_figure(layered, {"A1": 1.0, "A2": 2.0}, title="Rate")
    drawn = [a for a in fig.findobj(LineCollection) if a.get_gid() == "reference-layer"]
    assert len(drawn) == 2
    assert [len(p.vertices) for p in drawn[0].get_paths()] == [3, 5]
    assert drawn[0].get_colors()[0][:3] == pytest.approx((0xd9 / 255, 0x5f / 255, 0x02 / 255))
    areas = [c for c in fig.axes[0].collections if c.get_gid() != "reference-layer"]
    assert all(c.get_zorder() < drawn[0].get_zorder() for c in areas)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Roads and wards" in labels and "<b>odd</b>" in labels
    (notes,) = [t for t in fig.findobj() if t.get_gid() == "reference-notes"]
    assert "its 1 points are not exported" in notes.get_text() and "Gone left out" in notes.get_text()
