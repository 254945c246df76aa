"""The main window driven through qtbot: open, map, selection, editing with
undo/redo, save/reopen, damaged files, escaping of data text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from shapely.geometry import Point, box

from socialmap.model import Area, Node, Project, Tie
from socialmap.store import load_project, save_project
from tests.ui.conftest import WAIT_MS, drawable_counts, js, open_and_wait, wait_drawn

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample.gpkg"


def state(project: Project) -> dict:
    """Everything an edit can change, as plain data (to compare before/after)."""
    return {
        "areas": {c: (a.name, a.imd_decile, a.population_16_24, a.geometry.wkt) for c, a in project.areas.items()},
        "nodes": {i: dataclasses.asdict(n) for i, n in project.nodes.items()},
        "ties": {k: dataclasses.asdict(t) for k, t in project.ties.items()},
        "scenarios": dict(project.scenarios),
    }


def test_open_draws_every_layer_of_the_small_project(make_window, qtbot, project_file):
    """small_project draws 2 areas, 1 organisation, 1 service, 3 young people.

    The adult ad1 has no location, so its two ties (employs, worker) are not
    drawn; the four drawn ties are yp1-yp2 (friend, both in A1: bonding),
    yp2-yp3 (friend, A1-A2: bridging), yp1-s1 (attends: linking) and o1-s1
    (provides, derived from s1.provider: institutional).
    """
    window = make_window()
    counts = open_and_wait(window, qtbot, project_file)
    assert counts["area"] == 2
    assert counts["organisation"] == 1
    assert counts["service"] == 1
    assert counts["young_person"] == 3
    assert counts["ties"] == {"bonding": 1, "bridging": 1, "linking": 1, "institutional": 1, "unclassified": 0}
    assert window.windowTitle().startswith("small.gpkg")


@pytest.mark.skipif(not SAMPLE.exists(), reason="the bundled sample project is not generated")
def test_open_the_sample_and_wait_for_the_map(make_window, qtbot):
    window = make_window()
    counts = open_and_wait(window, qtbot, SAMPLE)
    expected = drawable_counts(window.doc.project)
    assert counts["area"] == expected["area"] > 0
    assert counts["young_person"] == expected["young_person"] > 0
    assert sum(counts["ties"].values()) == expected["ties"] > 0


def test_table_selection_is_read_back_from_the_page(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    entry = window.tables["young_person"]
    row = entry["proxy"].mapFromSource(entry["model"].index(entry["model"].row_for("yp2"), 0))
    entry["view"].setCurrentIndex(row)
    assert window.doc.selection == ("young_person", "yp2")
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.selected()") == {"kind": "young_person", "id": "yp2"}, timeout=WAIT_MS)
    assert window.inspector.title.text() == "Young person: Sam"


def test_a_table_highlights_only_what_is_selected(make_window, qtbot, project_file):
    """A young person chosen in their table, then a service chosen on the map: the young
    people's table no longer highlights the person; the selection cleared: no table does."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    people, services = window.tables["young_person"]["view"], window.tables["service"]["view"]
    entry = window.tables["young_person"]
    people.setCurrentIndex(entry["proxy"].mapFromSource(entry["model"].index(entry["model"].row_for("yp2"), 0)))
    assert window.doc.selection == ("young_person", "yp2") and people.selectionModel().hasSelection()
    assert js(window, qtbot, "SM.clickNode('s1')") is True
    qtbot.waitUntil(lambda: window.doc.selection == ("service", "s1"), timeout=WAIT_MS)
    assert not people.selectionModel().hasSelection() and not people.currentIndex().isValid()
    assert services.currentIndex().siblingAtColumn(0).data() == "s1"
    window.doc.select("", "")
    assert not services.selectionModel().hasSelection() and not services.currentIndex().isValid()
    assert window.doc.selection == ("", "") and window.inspector.title.text() == "Nothing selected"
    # chosen again in its table after the clearing: selected again
    people.setCurrentIndex(entry["proxy"].mapFromSource(entry["model"].index(entry["model"].row_for("yp2"), 0)))
    assert window.doc.selection == ("young_person", "yp2")


def test_clicking_a_feature_on_the_page_selects_it_in_table_and_inspector(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    with qtbot.waitSignal(window.doc.selectionChanged, timeout=WAIT_MS) as blocker:
        assert js(window, qtbot, "SM.clickNode('s1')") is True  # a click at its point on the map
    assert blocker.args == ["service", "s1"]
    view = window.tables["service"]["view"]
    assert view.currentIndex().siblingAtColumn(0).data() == "s1"
    assert window.inspector.title.text() == "Service: Youth club"


def test_add_edit_delete_then_undo_and_redo_restore_each_state(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    doc = window.doc
    original = state(doc.project)
    js(window, qtbot, "(window.pageMarker = 42)")  # survives only if the page is never reloaded
    reloads = []
    window.map.loadStarted.connect(lambda: reloads.append(1))

    org = window.add_place_at("organisation", 53.4052, -2.2855, "Eastside Hub", org_type="charity")
    assert org == "org2" and doc.project.nodes[org].area_code == "A2"
    yp = window.add_person("young_person", "Ali", "A2", age=17, neet=True)
    placed = doc.project.nodes[yp]
    assert doc.project.areas["A2"].geometry.contains(Point(placed.lon, placed.lat))
    assert window.add_tie(yp, org, "member")
    doc.select("young_person", "yp1")
    window.inspector.editors["label"].setText("Robin B")
    assert window.inspector.apply()
    assert doc.project.nodes["yp1"].label == "Robin B"
    doc.select("service", "s1")
    window.delete_selected()
    assert "s1" not in doc.project.nodes
    assert doc.project.get_tie("yp1", "s1") is None
    edited = state(doc.project)
    counts = wait_drawn(window, qtbot)
    assert counts["organisation"] == 2 and counts["service"] == 0 and counts["young_person"] == 4
    assert "*" in window.windowTitle()

    steps = doc.undo_stack.count()
    assert steps == 5
    for _ in range(steps):
        doc.undo_stack.undo()
    assert state(doc.project) == original
    counts = wait_drawn(window, qtbot)
    assert counts["organisation"] == 1 and counts["service"] == 1 and counts["young_person"] == 3
    assert "*" not in window.windowTitle()

    for _ in range(steps):
        doc.undo_stack.redo()
    assert state(doc.project) == edited
    wait_drawn(window, qtbot)
    assert js(window, qtbot, "window.pageMarker") == 42 and reloads == []


def test_inspector_shows_errors_beside_fields_and_changes_nothing(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.doc.select("young_person", "yp1")
    insp = window.inspector
    insp.editors["age"].setText("seventeen")
    assert not insp.apply()
    assert not insp.errors["age"].isHidden()
    assert insp.errors["age"].text() == "'seventeen' is not a whole number"
    insp.editors["age"].setText("130")  # parses, but the model refuses it
    assert not insp.apply()
    assert "out of range" in insp.errors["age"].text()
    assert window.doc.project.nodes["yp1"].age == 17
    assert window.doc.undo_stack.count() == 0


def test_save_then_reopen_gives_the_same_project(make_window, qtbot, project_file, tmp_path):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.add_person("adult", "Pat", "A1", role="mentor")
    assert "*" in window.windowTitle()
    target = tmp_path / "saved.gpkg"
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.save_to(target)
    assert "*" not in window.windowTitle() and window.windowTitle().startswith("saved.gpkg")
    saved = state(window.doc.project)
    open_and_wait(window, qtbot, target)
    assert state(window.doc.project) == saved
    assert state(load_project(target)) == saved


def test_a_damaged_file_shows_an_error_dialog_and_the_app_keeps_running(make_window, qtbot, tmp_path, project_file):
    bad = tmp_path / "damaged.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x13" * 2000)
    window = make_window()
    with qtbot.waitSignal(window.loadFailed, timeout=WAIT_MS):
        window.open_path(bad)
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert str(bad) in box.text()
    assert "Traceback" not in box.text()
    box.close()
    counts = open_and_wait(window, qtbot, project_file)  # still working
    assert counts["young_person"] == 3


def test_markup_in_labels_shows_as_text_and_creates_no_element(make_window, qtbot, tmp_path, two_areas):
    evil = "<img src=x onerror=alert(1)>"
    areas = [Area("A1", evil, two_areas[0].geometry), two_areas[1]]
    nodes = [
        Node("yp1", "young_person", evil, area_code="A1"),
        Node("o1", "organisation", evil, lat=53.405, lon=-2.295, org_type="charity"),
    ]
    project = Project.build(areas, nodes, [Tie("yp1", "o1", "member")])
    path = tmp_path / "evil.gpkg"
    save_project(project, path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    shown = js(window, qtbot, "SM.openPopup('young_person', 'yp1')")
    assert evil in shown
    assert evil in js(window, qtbot, "SM.openPopup('organisation', 'o1')")
    assert evil in js(window, qtbot, "SM.openPopup('area', 'A1')")
    assert evil in js(window, qtbot, "SM.hoverNode('yp1')")  # the tooltip, as text
    assert js(window, qtbot, "document.querySelectorAll('img').length") == 0
    assert js(window, qtbot, "document.body.innerHTML.indexOf('<img')") == -1
    window.doc.select("young_person", "yp1")
    assert window.inspector.title.text() == f"Young person: {evil}"


def test_closing_with_unsaved_changes_asks(make_window, qtbot, project_file, monkeypatch):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.add_person("adult", "Pat", None)
    asked = []

    def cancel(*args, **kwargs):
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", cancel)
    assert not window.close()
    assert window.isVisible() and asked == ["Unsaved changes"]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.close()


def test_area_table_suppresses_counts_of_one_to_four(make_window, qtbot, tmp_path, two_areas):
    """A1 holds 2 young people and A2 holds 5; A3 none: shown as <5, 5 and 0."""
    areas = [*two_areas, Area("A3", "South", box(-2.30, 53.39, -2.29, 53.40))]
    nodes = [Node(f"a{i}", "young_person", f"P{i}", area_code="A1") for i in range(2)]
    nodes += [Node(f"b{i}", "young_person", f"Q{i}", area_code="A2") for i in range(5)]
    path = tmp_path / "counts.gpkg"
    save_project(Project.build(areas, nodes, []), path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    model = window.tables["area"]["model"]
    col = model.columns.index("young_people")
    shown = {model.index(r, 0).data(): model.index(r, col).data() for r in range(model.rowCount())}
    assert shown == {"A1": "<5", "A2": "5", "A3": "0"}
    # the search matches what is shown: A1's 2 is not found by "2" (only A2, by its code)
    proxy = window.tables["area"]["proxy"]
    proxy.setFilterFixedString("2")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["A2"]
    proxy.setFilterFixedString("<5")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["A1"]


def test_table_search_filters_and_sorting_uses_values(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    entry = window.tables["young_person"]
    entry["search"].setText("ka")
    assert entry["proxy"].rowCount() == 1
    assert entry["proxy"].index(0, 1).data() == "Kai"
    entry["search"].clear()
    age_col = entry["model"].columns.index("age")
    entry["view"].sortByColumn(age_col, Qt.SortOrder.AscendingOrder)
    ages = [entry["proxy"].index(r, age_col).data() for r in range(entry["proxy"].rowCount())]
    assert ages == ["16", "17", "18"]


def test_opened_files_are_kept_in_recent_files(make_window, qtbot, project_file, tmp_path):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    other = tmp_path / "other.gpkg"
    save_project(load_project(project_file), other)
    open_and_wait(window, qtbot, other)
    assert window._recent() == [str(other.resolve()), str(project_file.resolve())]
    assert [a.text() for a in window.recent_menu.actions()] == window._recent()
    assert window.settings.value("files/last") == str(other.resolve())


def test_add_a_service_by_clicking_on_the_map(make_window, qtbot, project_file, monkeypatch):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    monkeypatch.setattr(window, "ask_label", lambda kind: ("Night shelter", True))
    window.begin_add_place("service")
    with qtbot.waitSignal(window.doc.nodesChanged, timeout=WAIT_MS):
        js(window, qtbot, "(SM.map.fire('click', {latlng: L.latLng(53.4071, -2.2962)}), 1)")
    node = window.doc.project.nodes["svc2"]
    assert (node.kind, node.label, node.area_code) == ("service", "Night shelter", "A1")
    assert (round(node.lat, 4), round(node.lon, 4)) == (53.4071, -2.2962)
    assert window.add_mode is None  # one click adds one service
    qtbot.waitUntil(lambda: window.map.last_counts.get("service") == 2, timeout=WAIT_MS)


def test_add_a_tie_by_picking_two_nodes(make_window, qtbot, project_file, monkeypatch):
    """yp1 and yp3 are both young people: the offered types are the
    person-person ones (family, friend, peer, neighbour, mentor, worker)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    offered = []
    monkeypatch.setattr(window, "ask_tie_type", lambda a, b, types: (offered.extend(types), "peer")[1])
    window.doc.select("young_person", "yp1")
    window.begin_add_tie()
    window.doc.select("young_person", "yp3")
    assert offered == ["family", "friend", "peer", "neighbour", "mentor", "worker"]
    assert window.doc.project.get_tie("yp1", "yp3").type == "peer"
    # the new tie selected, and highlighted in the ties table alone (not the second person)
    assert window.doc.selection == ("tie", "yp1|yp3")
    highlighted = {k for k, e in window.tables.items() if e["view"].selectionModel().hasSelection()}
    assert highlighted == {"tie"}
    qtbot.waitUntil(lambda: window.map.last_counts["ties"]["bridging"] == 2, timeout=WAIT_MS)
    window.doc.undo_stack.undo()
    assert window.doc.project.get_tie("yp1", "yp3") is None


def test_editing_an_area_updates_its_popup_and_colour(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.colour_by.setCurrentIndex(window.colour_by.findData("field:imd_decile"))
    window.doc.select("area", "A1")
    window.inspector.editors["name"].setText("West End")
    window.inspector.editors["imd_decile"].setText("2")
    assert window.inspector.apply()
    qtbot.waitUntil(lambda: "West End" in (js(window, qtbot, "SM.openPopup('area', 'A1')") or ""), timeout=WAIT_MS)
    # the only known decile: one class, the last colour of the palette
    assert js(window, qtbot, "SM.areaStyle['A1']") == "#2c7fb8"
    window.doc.undo_stack.undo()
    assert window.doc.project.areas["A1"].name == "West"


def test_inspector_lists_a_nodes_ties_and_opens_one_to_edit(make_window, qtbot, project_file):
    """yp2 has two ties: friend with yp1 and friend with yp3 (made at s1)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.doc.select("young_person", "yp2")
    insp = window.inspector
    assert insp.tie_model.stringList() == ["Friend — Robin (yp1)", "Friend — Kai (yp3)"]
    insp.tie_view.doubleClicked.emit(insp.tie_model.index(1))
    assert window.doc.selection == ("tie", "yp2|yp3")
    insp.editors["type"].setCurrentText("Peer")  # shown by its label, kept as its code
    insp.editors["strength"].setText("3")
    assert insp.apply()
    tie = window.doc.project.get_tie("yp2", "yp3")
    assert (tie.type, tie.strength, tie.context) == ("peer", 3, "s1")
    window.doc.undo_stack.undo()
    assert window.doc.project.get_tie("yp2", "yp3").type == "friend"


def test_standard_keys_delete_undo_and_find(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    window.tables["young_person"]["view"].setFocus()
    window.doc.select("young_person", "yp3")
    qtbot.keyClick(window.tables["young_person"]["view"], Qt.Key.Key_Delete)
    assert "yp3" not in window.doc.project.nodes
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "yp3" in window.doc.project.nodes
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tables["young_person"]["search"].hasFocus()


def test_a_file_name_that_looks_like_markup_is_asked_about_as_written(
    make_window, qtbot, tmp_path, small_project, monkeypatch
):
    """Closing with unsaved changes names the file; a name like '<u>plan<u>.gpkg' must be
    shown as those characters (escaped rich text), not rendered bold (SPEC 8)."""
    from socialmap.store import save_project

    path = tmp_path / "<u>plan<u>.gpkg"
    save_project(small_project, path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    window.add_person("adult", "Pat", None)
    texts = []

    def discard(parent, title, text, *args, **kwargs):
        texts.append(text)
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", discard)
    assert window.close()
    assert texts and "<u>plan" not in texts[0] and "&lt;u&gt;plan&lt;u&gt;.gpkg" in texts[0]


def test_layers_panel_says_when_the_scenario_colours_the_map(make_window, qtbot, project_file):
    """While a scenario's after view colours the areas by bridging ties lost, the Layers
    panel's colour choice is switched off and says what the map shows; back to before, the
    user's choice returns."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window._on_scenario_state("after", ["A1"], [], {"A1": 50.0, "A2": 0.0})
    assert not window.colour_by.isEnabled()
    assert "scenario" in window.colour_box.title()
    window._on_scenario_state("before", ["A1"], [], {})
    assert window.colour_by.isEnabled()
    assert window.colour_box.title() == "Colour areas by"


def test_a_search_before_the_texts_are_made_says_so_in_the_status_bar(make_window, qtbot, project_file, monkeypatch):
    """With the ties' search texts made ahead in steps of one row and held back, a search
    shows the matches among the rows made so far (none yet) and says the rest are coming;
    once the steps have run, every match is shown and the status bar says so."""
    from socialmap.ui import models

    monkeypatch.setattr(models, "TEXT_AHEAD_FROM", 2)
    monkeypatch.setattr(models, "TEXT_STEP", 1)
    step = models.SearchProxy._text_step
    monkeypatch.setattr(models.SearchProxy, "_text_step", lambda self: None)  # held back
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    entry = window.tables["tie"]
    entry["proxy"]._texts = None
    entry["proxy"]._start_texts()
    entry["search"].setText("friend")
    assert entry["proxy"].searching and entry["proxy"].rowCount() == 0
    assert window.statusBar().currentMessage().startswith("Searching the ties: the matches so far")
    monkeypatch.setattr(models.SearchProxy, "_text_step", step)
    models._arm_rows_step()
    qtbot.waitUntil(lambda: not entry["proxy"].searching, timeout=WAIT_MS)
    assert entry["proxy"].rowCount() == 2  # yp1-yp2 and yp2-yp3
    assert window.statusBar().currentMessage() == "Searched every row of the ties."
