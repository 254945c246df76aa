"""Basemap and reference layers in the real window (issue 14 items 1 and 2): tiles from a small
MBTiles file reach the page through the smtiles: scheme and no request leaves the machine; a
missing file is said and the map still works; both are kept in the project across save and open;
a reference layer is drawn, toggled, recoloured and removed, undoably."""

from __future__ import annotations

import pytest
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInterceptor

from socialmap.mapview import basemap as bm
from socialmap.store import load_project, save_project
from tests.tilefiles import make_mbtiles, make_pmtiles
from tests.ui.conftest import WAIT_MS, js, open_and_wait

#: Around the small project's two areas (lon -2.30..-2.28, lat 53.40..53.41).
SMALL_BOUNDS = (-2.31, 53.395, -2.27, 53.415)


class Recorder(QWebEngineUrlRequestInterceptor):
    """Every URL the page asks for (scripts, styles, images, tiles)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info) -> None:  # noqa: N802
        self.urls.append(info.requestUrl().toString())


@pytest.fixture
def recorder(qapp):
    from PySide6.QtWebEngineCore import QWebEngineProfile

    rec = Recorder()
    profile = QWebEngineProfile.defaultProfile()
    profile.setUrlRequestInterceptor(rec)
    yield rec
    profile.setUrlRequestInterceptor(None)


def _tiles(tmp_path, name="town.mbtiles"):
    return make_mbtiles(tmp_path / name, bounds=SMALL_BOUNDS, zooms=(12, 13, 14, 15))


def _wait_tiles(window, qtbot, least: int = 1) -> dict:
    state = {}

    def loaded() -> bool:
        state.update(js(window, qtbot, "SM.basemapState()"))
        return state["loaded"] >= least

    qtbot.waitUntil(loaded, timeout=WAIT_MS)
    return state


def test_tiles_reach_the_page_through_the_scheme_and_nothing_leaves_the_machine(
        make_window, qtbot, project_file, tmp_path, recorder):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    assert window.map_layers.set_basemap(_tiles(tmp_path))
    state = _wait_tiles(window, qtbot, least=2)
    assert state["on"] and state["errors"] == 0
    assert all(u.startswith("smtiles:") for u in state["urls"])
    # the tiles drawn are the file's: z/x/y of a loaded tile is one the file holds
    z, x, y = (int(v) for v in state["urls"][0].rsplit("/", 3)[1:])
    assert window.map_layers.handler.archives[window.map_layers.basemap_key].tile(z, x, y) is not None
    assert window.map_layers.handler.served >= 2
    assert "Test tiles © Example" in state["attribution"]  # from the file's metadata, as text
    # a zoom level none of whose tiles the page has loaded yet (which ones it loaded first depends
    # on the window's size and on the zooms it passed through): its tiles come, still none from a
    # network
    seen = {int(u.rsplit("/", 3)[1]) for u in state["urls"]}
    other = next(z for z in (13, 14, 15, 12) if z not in seen)
    go = f"SM.map.setView([53.405, -2.29], {other}, {{animate: false}}) && 1"
    js(window, qtbot, go)

    def other_zoom_drawn() -> bool:
        # asked again while the map is at another zoom: a fit to the data after a late resize of
        # the window can take the map back to the first view (whose tiles are already there)
        if js(window, qtbot, "SM.map.getZoom()") != other:
            js(window, qtbot, go)
        urls = js(window, qtbot, "SM.basemapState()")["urls"]
        return any(int(u.rsplit("/", 3)[1]) == other for u in urls)

    qtbot.waitUntil(other_zoom_drawn, timeout=WAIT_MS)
    assert recorder.urls, "the interceptor saw the page's requests"
    remote = [u for u in recorder.urls if u.split(":", 1)[0].lower() in ("http", "https", "ws", "wss", "ftp")]
    assert remote == []
    assert window.doc.dirty  # the basemap is part of the project


def test_opacity_and_visibility_follow_the_layers_panel_and_undo(make_window, qtbot, project_file, tmp_path):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    layers = window.map_layers
    layers.set_basemap(_tiles(tmp_path))
    _wait_tiles(window, qtbot)
    layers.opacity.setValue(40)
    assert js(window, qtbot, "SM.basemapState().opacity") == pytest.approx(0.4)  # at once on the map
    qtbot.waitUntil(lambda: window.doc.project.settings[bm.SETTING]["opacity"] == pytest.approx(0.4), timeout=WAIT_MS)
    layers.basemap_check.setChecked(False)
    assert window.doc.project.settings[bm.SETTING]["visible"] is False
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.basemapState().on") is False, timeout=WAIT_MS)
    # areas are filled more lightly over a basemap, as before without one
    window.doc.undo_stack.undo()  # shown again
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.basemapState().on") is True, timeout=WAIT_MS)
    assert layers.basemap_check.isChecked()
    window.doc.undo_stack.undo()  # opacity back to 100%
    assert js(window, qtbot, "SM.basemapState().opacity") == pytest.approx(1.0)
    assert layers.opacity.value() == 100


def test_a_pmtiles_basemap_is_drawn_too(make_window, qtbot, project_file, tmp_path):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    assert window.map_layers.set_basemap(make_pmtiles(tmp_path / "t.pmtiles", bounds=SMALL_BOUNDS, zooms=(12, 13, 14)))
    state = _wait_tiles(window, qtbot)
    assert state["on"] and "PMTiles test" in state["attribution"]


def test_vector_tiles_are_refused_with_how_to_make_raster_ones(make_window, qtbot, project_file, tmp_path):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    vector = make_mbtiles(tmp_path / "v.mbtiles", bounds=SMALL_BOUNDS, zooms=(12,), fmt="pbf")
    assert not window.map_layers.set_basemap(vector)
    assert "holds vector tiles" in window.map_layers.last_problem
    assert "Generate XYZ tiles (MBTiles)" in window.last_error.text()
    assert bm.SETTING not in window.doc.project.settings or window.doc.project.settings[bm.SETTING] is None


def test_a_missing_basemap_is_said_and_the_map_still_works(make_window, qtbot, small_project, tmp_path):
    small_project.settings[bm.SETTING] = bm.basemap_entry(tmp_path / "gone.mbtiles", tmp_path / "p.gpkg")
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    window = make_window()
    counts = open_and_wait(window, qtbot, path)
    assert counts["area"] == 2 and counts["young_person"] == 3  # the map is drawn all the same
    qtbot.waitUntil(lambda: "not there" in window.map_layers.last_problem, timeout=WAIT_MS)
    assert "gone.mbtiles" in window.last_error.text()
    assert js(window, qtbot, "SM.basemapState().on") is False
    assert "Not found" in window.map_layers.basemap_label.text()
    assert not window.doc.dirty  # nothing was changed


def test_basemap_and_reference_layers_are_kept_across_save_and_open(make_window, qtbot, project_file, tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString

    roads = tmp_path / "roads.geojson"
    gpd.GeoDataFrame({"name": ["A1 road"]}, geometry=[LineString([(-2.30, 53.403), (-2.28, 53.407)])],
                     crs="EPSG:4326").to_file(roads, driver="GeoJSON")
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    layers = window.map_layers
    layers.set_basemap(_tiles(tmp_path))
    layers.opacity.setValue(55)
    layers._keep_opacity()
    ident = layers.add_reference(roads, colour="#d95f02")
    assert ident == "ref1"
    saved = tmp_path / "saved.gpkg"
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.save_to(saved)
    kept = load_project(saved).settings
    assert kept[bm.SETTING]["path"] == "town.mbtiles"  # beside the project: relative
    assert kept[bm.SETTING]["opacity"] == pytest.approx(0.55)
    assert kept["reference_layers"][0]["path"] == "roads.geojson"
    assert kept["reference_layers"][0]["colour"] == "#d95f02"

    other = make_window()
    open_and_wait(other, qtbot, saved)
    state = _wait_tiles(other, qtbot)
    assert state["opacity"] == pytest.approx(0.55)
    qtbot.waitUntil(lambda: (js(other, qtbot, "SM.referenceState()").get("ref1") or {}).get("parts") == 1,
                    timeout=WAIT_MS)
    assert other.map_layers.opacity.value() == 55


def test_saved_into_another_folder_the_project_still_names_its_own_tiles(make_window, qtbot, project_file, tmp_path):
    """Save As into another folder that holds a tile file of the same name: the file written
    names the project's own tiles (absolute, as they lie outside the new folder), and opened there
    it draws them, not the other folder's; a save that fails leaves the names as they were."""
    roads = tmp_path / "roads.geojson"
    roads.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                     '"geometry": {"type": "LineString", "coordinates": [[-2.30, 53.403], [-2.28, 53.407]]}}]}')
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    tiles = _tiles(tmp_path)
    assert window.map_layers.set_basemap(tiles)
    window.map_layers.add_reference(roads)
    settings = window.doc.project.settings
    assert settings[bm.SETTING]["path"] == "town.mbtiles"

    failing = tmp_path / "no such folder" / "copy.gpkg"
    window.save_to(failing)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=WAIT_MS)
    assert "copy.gpkg" in window.last_error.text()
    assert not failing.exists()
    assert settings[bm.SETTING]["path"] == "town.mbtiles"  # named as before
    assert settings["reference_layers"][0]["path"] == "roads.geojson"
    window.last_error.close()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    decoy = make_mbtiles(elsewhere / "town.mbtiles", bounds=SMALL_BOUNDS, zooms=(12,))
    (elsewhere / "roads.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    copy = elsewhere / "copy.gpkg"
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.save_to(copy)
    kept = load_project(copy).settings
    assert kept[bm.SETTING]["path"] == str(tiles.resolve())
    assert kept["reference_layers"][0]["path"] == str(roads.resolve())
    assert window.doc.project.settings[bm.SETTING] == kept[bm.SETTING]  # the window names them so too

    other = make_window()
    open_and_wait(other, qtbot, copy)
    _wait_tiles(other, qtbot)
    archive = other.map_layers.handler.archives[other.map_layers.basemap_key]
    assert archive.info.max_zoom == 15 != bm.open_archive(decoy).info.max_zoom  # the project's own tiles
    qtbot.waitUntil(lambda: (js(other, qtbot, "SM.referenceState()").get("ref1") or {}).get("parts") == 1,
                    timeout=WAIT_MS)  # the project's own roads (the other folder's have none)


def test_a_reference_layer_is_drawn_toggled_recoloured_and_removed(make_window, qtbot, project_file, tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString, box

    path = tmp_path / "wards.gpkg"
    gpd.GeoDataFrame({"n": [1, 2]}, geometry=[box(-2.30, 53.40, -2.29, 53.41), box(-2.29, 53.40, -2.28, 53.41)],
                     crs="EPSG:4326").to_file(path, layer="wards", driver="GPKG")
    gpd.GeoDataFrame({"n": [1]}, geometry=[LineString([(-2.3, 53.4), (-2.28, 53.41)])],
                     crs="EPSG:4326").to_file(path, layer="roads", driver="GPKG")
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    layers = window.map_layers
    ident = layers.add_reference(path, "wards")
    state = {}

    def drawn() -> bool:
        state.update(js(window, qtbot, "SM.referenceState()"))
        return (state.get(ident) or {}).get("drawn") == 2

    qtbot.waitUntil(drawn, timeout=WAIT_MS)
    assert state[ident]["name"] == "wards" and state[ident]["parts"] == 2  # two rings
    # the layer's canvas sits over the areas and under the ties
    assert js(window, qtbot, "+SM.map.getPane('sm-reference').style.zIndex") == 405
    box_ = layers.row_widgets[ident].findChild(type(layers.basemap_check), f"referenceShown_{ident}")
    box_.setChecked(False)
    qtbot.waitUntil(lambda: js(window, qtbot, f"SM.referenceState().{ident}.visible") is False, timeout=WAIT_MS)
    assert js(window, qtbot, f"SM.referenceState().{ident}.drawn") == 0
    layers.update_reference(ident, colour="#1b9e77")
    assert js(window, qtbot, f"SM.referenceState().{ident}.colour") == "#1b9e77"
    assert layers.remove_reference(ident)
    assert js(window, qtbot, f"SM.referenceState().{ident} || null") is None
    window.doc.undo_stack.undo()  # back, with its colour
    qtbot.waitUntil(lambda: (js(window, qtbot, "SM.referenceState()").get(ident) or {}).get("colour") == "#1b9e77",
                    timeout=WAIT_MS)
    assert layers.add_reference(path, "nope") is None
    assert "has no layer 'nope'" in layers.last_problem


def test_a_missing_reference_layer_is_said_and_the_rest_is_drawn(make_window, qtbot, small_project, tmp_path):
    from socialmap.mapview import reference as ref

    small_project.settings[ref.SETTING] = [ref.layer_entry(tmp_path / "gone.geojson", tmp_path / "p.gpkg",
                                                           layer=None, name="Gone", colour="#666666", ident="ref1")]
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    window = make_window()
    counts = open_and_wait(window, qtbot, path)
    assert counts["area"] == 2
    qtbot.waitUntil(lambda: "Gone could not be drawn" in window.map_layers.last_problem, timeout=WAIT_MS)
    assert "not there" in window.map_layers.last_problem


def test_fifty_thousand_roads_stay_responsive(make_window, qtbot, project_file):
    """50,000 roads of 8 vertices (400,000 vertices) in view: after each zoom the page answers
    again within 1.5 s (its paint, rasterised, included), and the paint itself, with what is
    outside the view and under a pixel left out, is a fraction of that (SM.referenceState()._paintMs).
    Measured on the 2-core machine at a load average of 9 (others' jobs): 27-104 ms a paint,
    0.28-0.46 s from a zoom to the page's next answer (1.1 s at a load average of 13); the
    strokes with an alpha that this replaced took 2-13 s. Like the other timing tests, it can
    fail only on an overloaded machine: re-run it alone."""
    import json
    import time

    import numpy as np
    import shapely

    from socialmap.mapview import reference as ref
    from socialmap.ui.mapwidget import RawJSON

    rng = np.random.default_rng(1)
    starts = np.c_[rng.uniform(-2.32, -2.26, 50_000), rng.uniform(53.39, 53.42, 50_000)]
    coords = starts[:, None, :] + np.cumsum(rng.normal(0, 0.0004, (50_000, 8, 2)), axis=1)
    geometry = ref.flatten(shapely.linestrings(coords))
    assert geometry.parts == 50_000 and len(geometry.xy) == 400_000
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.map.call("setReference", RawJSON(json.dumps(ref.layer_payload("big", "Roads", "#666666", True, geometry))))
    qtbot.waitUntil(lambda: (js(window, qtbot, "SM.referenceState()").get("big") or {}).get("parts") == 50_000,
                    timeout=WAIT_MS)
    window.resize(1400, 900)
    sizes = []  # the map laid out at its size first (a window still being laid out had a map
    # so small that zoom 12 showed 18,458 of the roads, zoom 14 all of them; three equal
    # readings of a small map came once in a full run, hence the width asked for too: 587 px
    # beside the panels of a 1400 px window)
    qtbot.waitUntil(lambda: sizes.append(js(window, qtbot, "[SM.map.getSize().x, SM.map.getSize().y]"))
                    or (len(sizes) > 2 and sizes[-1] == sizes[-2] == sizes[-3] and sizes[-1][0] >= 500),
                    timeout=WAIT_MS)
    figures = {}
    for zoom in (12, 14, 16):
        for _ in range(5):  # (in a full run the map was once put back to zoom 15 after the first
            # setView, by a fit of the window's still to come: the view set again then)
            start = time.perf_counter()
            js(window, qtbot, f"SM.map.setView([53.405, -2.29], {zoom}, {{animate: false}}) && 1")
            state = js(window, qtbot, "SM.referenceState()")
            seconds = round(time.perf_counter() - start, 3)
            qtbot.wait(300)
            if js(window, qtbot, "SM.map.getZoom()") == zoom:
                break
        drawn = state["big"]["drawn"]
        for _ in range(40):  # the roads in view once the paint is whole (in a loaded full run the
            qtbot.wait(50)   # first read at zoom 12 came with 18,458 of the 50,000)
            again = js(window, qtbot, "SM.referenceState()")["big"]["drawn"]
            if again == drawn:
                break
            drawn = again
        figures[zoom] = (seconds, state["_paintMs"], drawn)
    print("reference layer, by zoom: (s to answer, paint ms, roads in view):", figures)
    assert figures[16][2] < figures[12][2] == 50_000  # closer in, only the roads in view are painted
    assert max(f[0] for f in figures.values()) < 1.5
    assert max(f[1] for f in figures.values()) < 400


def test_an_exported_map_image_has_the_basemap_and_the_reference_layers(make_window, qtbot, project_file, tmp_path):
    """File > Export map image copies the tiles shown (the scheme answers with CORS, so the canvas
    stays readable) under the areas, and the reference layers over them: with the areas and
    everything else switched off, the picture's middle is the colour of the z/x/y tile there."""
    import geopandas as gpd
    from PySide6.QtGui import QImage
    from shapely.geometry import LineString

    from tests.tilefiles import tile_colour

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    for box_ in window.layer_checks.values():
        box_.setChecked(False)  # areas, dots, ties and labels off: the basemap alone
    layers = window.map_layers
    layers.set_basemap(_tiles(tmp_path))
    js(window, qtbot, "SM.map.setView([53.405, -2.29], 14, {animate: false}) && 1")
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.basemapState().shown") >= 4, timeout=WAIT_MS)
    road = tmp_path / "road.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[LineString([(-2.30, 53.4049), (-2.28, 53.4049)])],
                     crs="EPSG:4326").to_file(road, driver="GeoJSON")
    ident = layers.add_reference(road, colour="#ff00ff")
    qtbot.waitUntil(lambda: (js(window, qtbot, "SM.referenceState()").get(ident) or {}).get("drawn") == 1,
                    timeout=WAIT_MS)
    out = tmp_path / "map.png"
    with qtbot.waitSignal(window.map_tools.exporter.written, timeout=WAIT_MS):
        window.map_tools.exporter.export(out, 800, 600, key=False, scale=False)
    image = QImage(str(out))
    # the picture is drawn again at its own size, so Leaflet may pick the next zoom for the same
    # view: the tile under the centre at any zoom the file has (each z/x/y its own colour)
    expected = set()
    for z in (12, 13, 14, 15):
        x, y = bm.tile_xy(-2.29, 53.405, z)
        expected.add("#{:02x}{:02x}{:02x}".format(*tile_colour(z, int(x), int(y))))
    colours = {image.pixelColor(400 + dx, 300 + dy).name() for dx in (-30, 0, 30) for dy in (-30, 30)}
    assert expected & colours, (colours, expected)
    # the road (magenta, at the centre's latitude less ~11 m) crosses the picture's middle
    column = [image.pixelColor(400, yy) for yy in range(260, 340)]
    assert any(c.red() > 200 and c.blue() > 200 and c.green() < 120 for c in column)
