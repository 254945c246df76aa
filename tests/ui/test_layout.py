"""The window as it first opens: docks and table columns a user can read."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import WAIT_MS, open_and_wait


def test_first_start_tables_dock_shows_several_rows(make_window, qtbot):
    """With no layout kept from a previous session the tables dock takes about 30% of the
    window (it came out two rows high: its size was asked for before the window had one)."""
    window = make_window()
    qtbot.waitUntil(lambda: window.tables_dock.height() >= 0.25 * window.height(), timeout=WAIT_MS)
    view = window.tables["area"]["view"]
    assert view.viewport().height() >= 6 * view.verticalHeader().defaultSectionSize()


def test_table_columns_fit_their_labels_after_opening(make_window, qtbot, project_file):
    """"Northfield College" is wider than Qt's default 100 px column: the label column fits it
    once the organisations tab is shown (each table is measured when first shown)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.table_tabs.setCurrentWidget(window.tables["organisation"]["page"])
    view = window.tables["organisation"]["view"]
    model = window.tables["organisation"]["model"]
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "Label")
    needed = view.fontMetrics().horizontalAdvance("Northfield College")
    assert view.horizontalHeader().sectionSize(col) > needed


def test_selecting_a_person_draws_their_ties_strong_and_fades_the_rest(make_window, qtbot, project_file):
    """small_project: yp2 has two ties (friend yp1, friend yp3); o1 has one on the map (it
    provides s1; its employs tie goes to ad1, an adult, who is not drawn). Selecting yp2 draws 2 ties
    strong and fades the others to 40% of their opacity; with bridging ties switched off only
    the bonding one (yp1-yp2, both in A1) stays strong; selecting an area or nothing draws none."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    from tests.ui.conftest import js

    def focused():
        return js(window, qtbot, "SM.focusCount()")

    window.doc.select("young_person", "yp2")
    qtbot.waitUntil(lambda: focused() == 2, timeout=WAIT_MS)
    assert js(window, qtbot, "SM.tieOpacity('bonding')") == 0.25 * 0.4
    # a new tie of yp2 is drawn strong at once, a removed one goes (the index of ties follows)
    js(window, qtbot, '(SM.upsertTies([{key: "s1|yp2", cls: "linking"}]), 0)')
    assert focused() == 3
    js(window, qtbot, '(SM.removeTies(["s1|yp2"]), 0)')
    assert focused() == 2
    window.layer_checks["bridging"].setChecked(False)
    qtbot.waitUntil(lambda: focused() == 1, timeout=WAIT_MS)
    window.layer_checks["bridging"].setChecked(True)
    window.doc.select("organisation", "o1")
    qtbot.waitUntil(lambda: focused() == 1, timeout=WAIT_MS)
    window.doc.select("area", "A1")
    qtbot.waitUntil(lambda: focused() == 0, timeout=WAIT_MS)
    assert js(window, qtbot, "SM.tieOpacity('bonding')") == 0.25
    # an organisation's reach is drawn over faded ties, which come back when it is cleared
    window.map.set_reach([53.405, -2.295], [[53.405, -2.285]], ["A1"])
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.tieOpacity('bonding')") == 0.25 * 0.4, timeout=WAIT_MS)
    window.map.set_reach(None, [], [])
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.tieOpacity('bonding')") == 0.25, timeout=WAIT_MS)


def test_anchor_panel_shows_the_whole_organisation_name(make_window, qtbot, project_file):
    """The organisation list has its own row: "Northfield College (o1) — anchor" is not cut."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.anchor_dock.raise_()
    pick = window.anchor_panel.org_pick
    pick.setCurrentIndex(pick.findData("o1"))
    qtbot.waitUntil(lambda: pick.isVisible(), timeout=WAIT_MS)
    assert pick.width() > pick.fontMetrics().horizontalAdvance(pick.currentText()) + 20


def test_help_opens_the_user_guide_with_its_pictures_in_a_window(make_window, qtbot):
    """F1 shows docs/user-guide.md rendered in the application, its screenshots found in docs/."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QTextBrowser

    window = make_window()
    window.act_guide.trigger()
    dialog = window.guide_dialog
    qtbot.waitExposed(dialog)
    browser = dialog.findChild(QTextBrowser, "guideBrowser")
    text = browser.toPlainText()
    assert "Job 1: plot your network offline" in text and "##" not in text
    image = browser.loadResource(QTextDocument.ResourceType.ImageResource.value, "screenshot-main.png")
    assert image is not None and not image.isNull()
    window.act_guide.trigger()  # a second F1 raises the same window
    assert window.guide_dialog is dialog
    dialog.close()


def test_a_missing_user_guide_is_said_in_its_window(make_window, qtbot, tmp_path, monkeypatch):
    """An installation without docs/: the guide window says which file it could not read."""
    from PySide6.QtWidgets import QTextBrowser

    from socialmap.ui import mainwindow

    monkeypatch.setattr(mainwindow, "RESOURCES", tmp_path / "resources")
    window = make_window()
    dialog = window.show_guide()
    text = dialog.findChild(QTextBrowser, "guideBrowser").toPlainText()
    assert "could not be read" in text and "user-guide.md" in text
    dialog.close()


def test_side_panels_run_the_full_height_beside_the_tables(make_window, qtbot):
    """The tables dock sits under the map only: the panels on the right and the layers on the
    left reach below its top edge (the scenario panel's ranking had three rows of room)."""
    window = make_window()
    qtbot.waitUntil(lambda: window.tables_dock.height() >= 0.25 * window.height(), timeout=WAIT_MS)
    tables = window.tables_dock.geometry()
    for dock in (window.inspector_dock, window.layers_dock):
        assert dock.geometry().bottom() > tables.top() + 100
        assert not dock.geometry().intersects(tables)


def test_ranking_columns_leave_room_for_the_figures(make_window, qtbot, project_file):
    """No column of the ranking is wider than 170 px, so the figures beside a long label show
    ("Newly isolated (expected)" on one line made its column 190 px)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.scenario_panel
    with qtbot.waitSignal(panel.rankDone, timeout=WAIT_MS):
        panel.run_rank()
    header = panel.rank_service_table.horizontalHeader()
    assert max(header.sectionSize(c) for c in range(header.count())) <= 170


def test_scenario_status_gives_each_flagged_areas_reasons_in_full(make_window, qtbot, project_file):
    """Decommissioning s1 in small_project flags A1 and A2 (test_panels works out why); the
    panel's status names each with its reasons, which the table cuts at the panel's side."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS) as blocker:
        panel.run()
    areas = blocker.args[0].areas
    lines = panel.status.text().splitlines()
    assert lines[0] == "2 area(s) flagged:"
    for line, code, name in zip(lines[1:], ("A1", "A2"), ("West", "East"), strict=True):
        robustness = blocker.args[0].sensitivity.robustness[code]
        assert line == f"{name} ({code}): " + "; ".join(areas.loc[code, "reasons"]) + f" ({robustness})"


def test_the_key_to_the_symbols_folds_and_stays_folded(make_window, qtbot, project_file):
    """The legend's key folds with a click on "Key" and stays as the user left it when the
    legend is rebuilt (another colouring of the areas); the colour classes stay shown."""
    from tests.ui.conftest import js

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    shown = js(window, qtbot, "SM.keyShown()")
    js(window, qtbot, '(document.querySelector(".sm-key-toggle").click(), 0)')
    assert js(window, qtbot, "SM.keyShown()") is (not shown)
    display = "grid" if not shown else "none"
    assert js(window, qtbot, 'document.querySelector(".sm-key").style.display') == display
    window.colour_by.setCurrentIndex(window.colour_by.findData("field:population_16_24"))
    qtbot.waitUntil(lambda: "Population" in js(window, qtbot, "SM.legend.getContainer().textContent"), timeout=WAIT_MS)
    assert js(window, qtbot, 'document.querySelector(".sm-key").style.display') == display
    assert js(window, qtbot, "SM.mode") != "add" and not window.add_mode  # the click did not reach the map


def test_inspector_fits_its_panel_without_a_sideways_scroll_bar(make_window, qtbot, project_file):
    """A service's provider list holds long names: the form stays as wide as the panel."""
    from PySide6.QtWidgets import QScrollArea

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.doc.project.update_node("o1", label="Northfield College of Further and Higher Education, Main Site")
    window.doc.select("service", "s1")
    scroll = window.inspector.findChild(QScrollArea)
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.widget().width() <= scroll.viewport().width()


def test_empty_area_tables_are_headed_code(make_window, qtbot, project_file):
    """Before any run the analysis and scenario area tables show one column headed Code (it
    read "id" with a sort arrow)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    for model in (window.analysis_panel.model, window.scenario_panel.area_model):
        assert model.columnCount() == 1
        assert model.headerData(0, Qt.Orientation.Horizontal) == "Code"


def test_a_layout_kept_by_an_earlier_version_gives_way_to_the_new_one(make_window, qtbot):
    """A window state saved without a layout version (as earlier versions saved the two-row
    tables dock) is not restored: the first-start layout is used. A state saved by this
    version is restored as the user left it. (The windows of one test share one settings file.)"""
    from socialmap.ui import mainwindow

    first = make_window()
    qtbot.waitUntil(lambda: first.tables_dock.height() >= 0.25 * first.height(), timeout=WAIT_MS)
    first.resizeDocks([first.tables_dock], [90], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: first.tables_dock.height() < 0.2 * first.height(), timeout=WAIT_MS)
    first.settings.setValue("window/state", first.saveState())  # version 0
    first.settings.sync()
    second = make_window()
    qtbot.waitUntil(lambda: second.tables_dock.height() >= 0.25 * second.height(), timeout=WAIT_MS)
    first.settings.setValue("window/state", first.saveState(mainwindow.LAYOUT_VERSION))
    first.settings.sync()
    third = make_window()
    qtbot.wait(50)  # the first-start sizes would be set in the next turn of the event loop
    assert third.tables_dock.height() < 0.2 * third.height()
