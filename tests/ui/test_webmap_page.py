"""The standalone web map, opened in a browser (QtWebEngine, offscreen): its script runs to the
end with the project's reference layers, lists each by its name as text, and loads nothing."""

from __future__ import annotations

import json

from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from shapely.geometry import LineString, Polygon

from socialmap.interchange.writers.webmap import write_webmap
from socialmap.mapview import reference
from tests.ui.conftest import WAIT_MS

NAME = "<img src=x onerror=document.title='pwned'>"


class _Page(QWebEnginePage):
    def __init__(self):
        super().__init__()
        self.errors: list[str] = []

    def javaScriptConsoleMessage(self, level, message, line, source):  # noqa: N802 - Qt's name
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.errors.append(f"{message} (line {line})")


def test_the_page_draws_the_reference_layers_and_lists_them_by_name(qtbot, small_project, tmp_path):
    import geopandas as gpd

    roads = tmp_path / "roads.geojson"
    gpd.GeoDataFrame({"n": [1, 2]}, geometry=[LineString([(-2.30, 53.403), (-2.29, 53.406), (-2.28, 53.407)]),
                                              Polygon([(-2.30, 53.40), (-2.29, 53.40), (-2.29, 53.41)])],
                     crs="EPSG:4326").to_file(roads, driver="GeoJSON")
    small_project.settings[reference.SETTING] = [
        {"id": "ref1", "path": str(roads), "absolute": str(roads), "layer": None, "name": NAME,
         "colour": "#1b9e77", "visible": True}]
    out = write_webmap(small_project, tmp_path / "map.html")

    view = QWebEngineView()
    page = _Page()
    view.setPage(page)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.loadFinished, timeout=WAIT_MS) as loaded:
        view.load(QUrl.fromLocalFile(str(out)))
    assert loaded.args == [True]
    box: dict = {}
    script = ("JSON.stringify({labels: Array.from(document.querySelectorAll("
              "'.leaflet-control-layers-overlays label')).map(function (l) { return l.textContent.trim(); }),"
              " images: document.querySelectorAll('.leaflet-control-layers img').length,"
              " canvas: document.querySelectorAll('.leaflet-overlay-pane canvas').length, title: document.title})")
    page.runJavaScript(script, 0, lambda r: box.setdefault("r", r))
    qtbot.waitUntil(lambda: "r" in box, timeout=WAIT_MS)
    state = json.loads(box["r"])
    assert page.errors == []
    assert state["labels"] == ["Organisations", "Services", NAME]  # the name as text, not an image
    assert state["images"] == 0 and state["title"] != "pwned"
    assert state["canvas"] == 1  # the areas, the reference lines and the points on the one canvas
    view.close()
    view.deleteLater()
