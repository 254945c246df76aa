"""The map's search box, postcode lookup, labels, ranking on the map and image export (issue 14),
driven in the real window and read back from the page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from tests.interchange.test_postcode_index import nspl
from tests.ui.conftest import WAIT_MS, js, open_and_wait


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALMAP_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def window(make_window, qtbot, project_file):
    w = make_window()
    open_and_wait(w, qtbot, project_file)
    return w


def indexed(window, qtbot):
    """The search box once its index of the open project is made (a job)."""
    box = window.map_tools.search
    box.ensure_index()
    qtbot.waitUntil(lambda: box.index is not None and box.index.current(window.doc.project), timeout=WAIT_MS)
    return box


def near(a, b, tol=1e-6):
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol


def test_search_by_name_selects_and_centres_the_person(window, qtbot):
    box = indexed(window, qtbot)
    hits = box.search_now("Sam")
    assert [h.text() for h in hits] == ["Sam \u2013 Young person, West (yp2)"]
    box.choose(hits[0])
    assert window.doc.selection == ("young_person", "yp2")
    where = js(window, qtbot, "SM.nodeLatLng('yp2')")
    qtbot.waitUntil(lambda: near(js(window, qtbot, "SM.marked().centre"), where), timeout=WAIT_MS)
    assert js(window, qtbot, "SM.selected()") == {"kind": "young_person", "id": "yp2"}
    assert js(window, qtbot, "SM.marked().zoom") >= 16


def test_search_by_id_and_enter_selects_the_first_result(window, qtbot):
    box = window.map_tools.search
    assert box.index is None  # made when the box is first used, in a job
    box.setFocus()
    qtbot.keyClicks(box, "s1")
    # what was typed before the index was made is searched when it is
    qtbot.waitUntil(lambda: bool(box.hits), timeout=WAIT_MS)
    assert box.hits[0].ident == "s1"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.doc.selection == ("service", "s1")
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.selected()") == {"kind": "service", "id": "s1"}, timeout=WAIT_MS)
    # an area by its name: fitted in view
    box.choose(box.search_now("East")[0])
    assert window.doc.selection == ("area", "A2")


def test_search_by_postcode_pans_and_marks_it_and_stores_nothing(window, qtbot, tmp_path):
    lookup = nspl(tmp_path / "nspl.csv", [("M1 1AE", "A1", 53.4055, -2.2955), ("M1 1AF", "A1", 53.4060, -2.2950)])
    box = indexed(window, qtbot)
    with qtbot.waitSignal(box.postcodesReady, timeout=WAIT_MS) as ready:
        assert box.set_lookup(str(lookup))
    assert ready.args == [2]
    assert window.doc.project.setting("postcode_lookup") == str(lookup.resolve())
    nodes_before = {n.id: (n.lat, n.lon, dict(n.attrs)) for n in window.doc.project.nodes.values()}
    hits = box.search_now("m1 1a")
    assert [h.text() for h in hits[:2]] == ["M1 1AE \u2013 Postcode", "M1 1AF \u2013 Postcode"]
    box.choose(hits[0])
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.marked().mark") is not None, timeout=WAIT_MS)
    state = js(window, qtbot, "SM.marked()")
    assert state["mark"] == {"lat": 53.4055, "lon": -2.2955, "text": "M1 1AE"}
    assert near(state["centre"], (53.4055, -2.2955))
    assert {n.id: (n.lat, n.lon, dict(n.attrs)) for n in window.doc.project.nodes.values()} == nodes_before
    # choosing a person clears the mark
    box.choose(box.search_now("Robin")[0])
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.marked().mark") is None, timeout=WAIT_MS)


def test_mark_text_is_shown_as_text(window, qtbot):
    js(window, qtbot, "SM.markPoint(53.405, -2.29, '<img src=x onerror=alert(1)>')")
    html = js(window, qtbot, "SM.mark.layer.getTooltip().getElement().innerHTML")
    assert "&lt;img" in html and "<img" not in html


def test_an_organisation_is_placed_by_its_postcode(window, qtbot, tmp_path):
    lookup = nspl(tmp_path / "nspl.csv", [("M1 1AE", "A1", 53.4055, -2.2955)])
    tools = window.map_tools
    with qtbot.waitSignal(tools.search.postcodesReady, timeout=WAIT_MS):
        tools.search.set_lookup(str(lookup))
    window.begin_add_place("organisation")
    assert tools.place_postcode.isVisible()
    tools.place_postcode.edit.setText("M2 9XX")
    assert tools.place_postcode.place(label="Church Street Hall") is None  # not in the lookup
    assert "not in the postcode lookup" in window.statusBar().currentMessage()
    tools.place_postcode.edit.setText("m11ae")
    node_id = tools.place_postcode.place(label="Church Street Hall")
    node = window.doc.project.nodes[node_id]
    assert (node.kind, node.label, node.lat, node.lon, node.area_code) == (
        "organisation", "Church Street Hall", 53.4055, -2.2955, "A1")
    assert node.attrs["postcode"] == "M1 1AE"
    assert not tools.place_postcode.isVisible() and window.add_mode is None
    qtbot.waitUntil(lambda: js(window, qtbot, f"SM.nodeLatLng({node_id!r})") == [53.4055, -2.2955], timeout=WAIT_MS)


def test_labels_name_areas_and_places_never_young_people_and_toggle(window, qtbot):
    window.map.call("fit")
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.labelsDrawn()")["areas"] == ["A1", "A2"], timeout=WAIT_MS)
    # two places in view: few enough to name (when the view has settled)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.labelsDrawn()")["places"] == ["o1", "s1"], timeout=WAIT_MS)
    window.layer_checks["labels"].setChecked(False)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.labelsDrawn()") == {"areas": [], "places": []}, timeout=WAIT_MS)
    window.layer_checks["labels"].setChecked(True)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.labelsDrawn()")["areas"] == ["A1", "A2"], timeout=WAIT_MS)


def test_export_writes_a_png_of_the_chosen_size_and_a_pdf(window, qtbot, tmp_path):
    exporter = window.map_tools.exporter
    out = tmp_path / "map.png"
    with qtbot.waitSignal(exporter.written, timeout=WAIT_MS):
        exporter.export(out, 1200, 800, title="Northfield", dpi=300)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    assert image.dotsPerMeterX() == round(300 / 0.0254)
    # white title band, the map's background under it, the areas' colours in the middle
    assert image.pixelColor(600, 5).name() == "#ffffff"
    colours = {image.pixelColor(x, y).name() for x in range(0, 1200, 40) for y in range(200, 800, 40)}
    assert len(colours) > 4
    pdf = tmp_path / "map.pdf"
    with qtbot.waitSignal(exporter.written, timeout=WAIT_MS):
        exporter.export(pdf, 3508, 2480, title="Northfield", dpi=300, page=("A4", True))
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_failed_export_says_why_and_leaves_the_old_file(window, qtbot, tmp_path):
    exporter = window.map_tools.exporter
    out = tmp_path / "map.png"
    out.write_bytes(b"old")
    with qtbot.waitSignal(exporter.failed, timeout=WAIT_MS) as failed:
        exporter.export(out, 0, 0)
    assert failed.args[0].startswith("The map image could not be made:")
    assert out.read_bytes() == b"old"
    with qtbot.waitSignal(exporter.failed, timeout=WAIT_MS) as failed:
        exporter.export(tmp_path / "no such folder" / "map.png", 300, 200)
    assert "Cannot write" in failed.args[0]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_ranking_is_shown_on_the_map_and_cleared_by_another_view(window, qtbot):
    panel = window.scenario_panel
    with qtbot.waitSignal(panel.rankDone, timeout=WAIT_MS) as done:
        panel.run_rank()
    result = done.args[0]
    from socialmap.ui.map_tools import ranking_items

    items = ranking_items(result)
    assert [(i["id"], i["kind"], i["rank"]) for i in items] == [("s1", "service", 1), ("o1", "organisation", 1)]
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.rankDrawn()")["items"] == 2, timeout=WAIT_MS)
    state = js(window, qtbot, "SM.rankDrawn()")
    assert state["key"] and state["numbered"] == 2
    rings = state["rings"]
    assert rings >= 1
    # at most so many rings in a view (a city's thousands covered the map): the largest; the
    # first ten of each list are numbered still
    js(window, qtbot, "SM.setRankRingsMax(0)")
    assert js(window, qtbot, "SM.rankDrawn()") == {"rings": 0, "numbered": 2, "items": 2, "key": True}
    js(window, qtbot, "SM.setRankRingsMax(150)")
    assert js(window, qtbot, "SM.rankDrawn()")["rings"] == rings
    window.colour_by.setCurrentIndex(window.colour_by.findData("field:imd_decile"))
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.rankDrawn()") == {"rings": 0, "numbered": 0, "items": 0,
                                                                   "key": False}, timeout=WAIT_MS)


def test_print_map_fills_the_printer_page(window, qtbot, tmp_path, monkeypatch):
    """A printer writing a PDF stands in for a real one. Qt's A4 is 842 x 595 pt: landscape at
    150 dpi its page is 842 / 72 x 150 = 1754.2 by 595 / 72 x 150 = 1239.6 device pixels, whole
    pixels 1754 x 1239; the map image is made at that size."""
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrinter

    from socialmap.ui.map_tools import MapExporter, print_map

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(150)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    printer.setFullPage(True)
    sizes = []
    render = MapExporter.render

    def spy(self, width, height, **kwargs):
        sizes.append((width, height))
        return render(self, width, height, **kwargs)

    monkeypatch.setattr(MapExporter, "render", spy)
    done = {}
    print_map(window, printer, title="Northfield", then=lambda ok, why: done.setdefault("r", (ok, why)))
    qtbot.waitUntil(lambda: "r" in done, timeout=WAIT_MS)
    assert done["r"] == (True, "")
    assert sizes == [(1754, 1239)]
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")


def test_export_dialog_sizes(window, qtbot):
    """A4 landscape at 300 dpi: 297 / 25.4 x 300 = 3507.9 by 210 / 25.4 x 300 = 2480.3 px;
    A3 landscape 420 x 297 mm: 4960.6 by 3507.9 px; A4 portrait at 300 dpi 2480 x 3508."""
    from socialmap.ui.map_tools import ExportDialog, paper_pixels

    assert paper_pixels("A4", True, 300) == (3508, 2480)
    assert paper_pixels("A3", True, 300) == (4961, 3508)
    assert paper_pixels("A4", False, 300) == (2480, 3508)
    assert paper_pixels("A4", True, 150) == (1754, 1240)
    dialog = ExportDialog(window, "/tmp/x.png", "Northfield")
    qtbot.addWidget(dialog)
    c = dialog.choice()
    assert (c["width"], c["height"], c["dpi"], c["page"], c["title"]) == (3508, 2480, 300, ("A4", True), "Northfield")
    dialog.size.setCurrentIndex(dialog.size.findData("pixels"))
    assert dialog.width_px.isEnabled()
    dialog.width_px.setValue(640)
    dialog.height_px.setValue(480)
    c = dialog.choice()
    assert (c["width"], c["height"], c["page"]) == (640, 480, None)
    dialog.size.setCurrentIndex(dialog.size.findData("screen"))
    ratio = window.map.devicePixelRatioF()
    assert dialog.choice()["width"] == round(window.map.width() * ratio)


def test_png_with_dpi_records_the_resolution_once_and_keeps_the_pixels(qapp):
    """300 dpi = 300 / 0.0254 = 11811 pixels per metre; Qt's own PNG carries a pHYs chunk (96
    dpi) already, which is replaced, not doubled."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor

    from socialmap.ui.map_tools import png_with_dpi

    image = QImage(5, 3, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    image.setPixelColor(4, 2, QColor("#ff0000"))
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    out = png_with_dpi(bytes(buf.data().data()), 300)
    assert out.count(b"pHYs") == 1
    back = QImage.fromData(out, "PNG")
    assert (back.width(), back.height(), back.dotsPerMeterX(), back.dotsPerMeterY()) == (5, 3, 11811, 11811)
    assert back.pixelColor(4, 2).name() == "#ff0000" and back.pixelColor(0, 0).name() == "#336699"


def test_export_draws_reference_layers_and_the_basemap(window, qtbot, tmp_path):
    """A road drawn as a reference layer from the north-west to the south-east corner of the
    project changes the exported image; with a basemap shown its tiles are in the image too."""
    import geopandas as gpd
    from shapely.geometry import LineString

    from tests.tilefiles import make_mbtiles

    exporter = window.map_tools.exporter

    def export(name):
        with qtbot.waitSignal(exporter.written, timeout=WAIT_MS):
            exporter.export(tmp_path / name, 600, 400, dpi=96)
        return QImage(str(tmp_path / name))

    plain = export("plain.png")
    roads = tmp_path / "roads.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[LineString([(-2.30, 53.41), (-2.28, 53.40)])],
                     crs="EPSG:4326").to_file(roads, layer="roads", driver="GPKG")
    ident = window.map_layers.add_reference(roads, "roads", colour="#ff00ff")
    qtbot.waitUntil(lambda: (js(window, qtbot, "SM.referenceState()").get(ident) or {}).get("drawn") == 1,
                    timeout=WAIT_MS)
    with_road = export("road.png")
    changed = sum(plain.pixelColor(x, y) != with_road.pixelColor(x, y) for x in range(0, 600, 3) for y in range(0, 400, 3))
    assert changed > 50
    assert not exporter.basemap_left_out
    window.map_layers.set_basemap(make_mbtiles(tmp_path / "town.mbtiles", bounds=(-2.31, 53.395, -2.27, 53.415),
                                               zooms=(12, 13, 14, 15)))
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.basemapState()")["loaded"] >= 1, timeout=WAIT_MS)
    with_basemap = export("basemap.png")
    assert not exporter.basemap_left_out  # its tiles are in the picture (the scheme answers with CORS)
    changed = sum(with_road.pixelColor(x, y) != with_basemap.pixelColor(x, y)
                  for x in range(0, 600, 3) for y in range(0, 400, 3))
    assert changed > 50
