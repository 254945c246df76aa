"""The repair view (issue 12): a project broken the way QGIS breaks it opens into a list of every
problem with its fix; fixes applied one by one or all the safe ones, each undoable; Open gives a
valid project in the window, unsaved; Cancel leaves the file untouched."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt

from socialmap.store import load_project
from socialmap.store.foreign import gpkg_functions
from tests.ui.conftest import WAIT_MS, wait_drawn


def _break_in_qgis(path) -> None:
    """What a QGIS session does to the small project: the service s1 deleted (4 ties still name
    it: yp1-s1 attends and o1-s1 provides as an end, yp2-yp3 and o1-ad1 as their context), a
    point digitised with no attributes at all beside o1 (53.405 N, 2.293 W: inside A1), a style
    saved in the file."""
    import struct

    blob = b"GP\x00\x01" + struct.pack("<i", 4326) + b"\x01\x01\x00\x00\x00" + struct.pack("<dd", -2.293, 53.405)
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        con.execute("DELETE FROM nodes WHERE id = 's1'")
        con.execute("INSERT INTO nodes (geom) VALUES (?)", (blob,))
        con.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, f_table_name TEXT, styleQML TEXT)")
        con.execute("INSERT INTO layer_styles VALUES (1, 'nodes', '<qgis/>')")
    con.close()


def _open_into_repair(window, qtbot, path):
    window.open_path(path)
    qtbot.waitUntil(lambda: window.repair_dialog is not None and window.repair_dialog.isVisible(), timeout=WAIT_MS)
    return window.repair_dialog


def _rows(dialog) -> list[tuple[str, str]]:
    model = dialog.model
    return [(model.index(r, 0).data(), model.index(r, 3).data()) for r in range(model.rowCount())]


def _select(dialog, record: str) -> None:
    row = next(r for r, (rec, _) in enumerate(_rows(dialog)) if rec == record)
    dialog.table.selectRow(row)


def test_a_file_broken_in_qgis_opens_into_the_repair_view_and_is_repaired_fix_by_fix(make_window, qtbot,
                                                                                     project_file):
    path = project_file
    _break_in_qgis(path)
    before = path.read_bytes()
    window = make_window()
    dialog = _open_into_repair(window, qtbot, path)
    # every problem, not only the first: 4 ties naming s1 and the point, each with its fix; and
    # the note that o1 (no area code) stands in A1
    assert sorted(_rows(dialog)) == [
        ("node 'o1'", "note (opens anyway)"),
        ("nodes feature 6", "needs a decision"),
        ("tie 'o1'-'ad1'", "safe fix"),
        ("tie 'o1'-'s1'", "safe fix"),
        ("tie 'yp1'-'s1'", "safe fix"),
        ("tie 'yp2'-'yp3'", "safe fix"),
    ]
    assert not dialog.open_button.isEnabled()

    # one fix, then undo: the problem is back in the list
    _select(dialog, "tie 'yp1'-'s1'")
    assert dialog.fix_choice.currentText() == "drop the tie"
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert "tie 'yp1'-'s1'" not in [r for r, _ in _rows(dialog)] and len(_rows(dialog)) == 5
    assert dialog.fixes_applied() == ["tie 'yp1'-'s1' (attends): dropped, 's1' is gone"]
    dialog.undo_button.click()
    assert ("tie 'yp1'-'s1'", "safe fix") in _rows(dialog) and dialog.fixes_applied() == []
    dialog.redo_button.click()
    assert len(_rows(dialog)) == 5

    # the safe ones at once (one undoable step): the point with no kind is left, which needs a decision
    assert dialog.apply_all_safe() == 4  # the three other ties, and o1's area
    assert _rows(dialog) == [("nodes feature 6", "needs a decision")]
    assert not dialog.open_button.isEnabled()
    _select(dialog, "nodes feature 6")
    assert dialog.fix_choice.currentText().startswith("give it a kind (and the id 'new-1')")
    assert [dialog.option_choice.itemText(i) for i in range(dialog.option_choice.count())] == [
        "young person", "adult", "organisation", "service"]
    dialog.option_choice.setCurrentIndex(dialog.option_choice.findData("service"))
    dialog.apply_button.click()
    assert _rows(dialog) == [] and dialog.open_button.isEnabled()
    dialog.undo_stack.undo()  # Ctrl+Z in the view
    assert _rows(dialog) == [("nodes feature 6", "needs a decision")] and not dialog.open_button.isEnabled()
    dialog.undo_stack.redo()
    assert dialog.undo_stack.count() == 3

    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS):
        dialog.open_button.click()
    wait_drawn(window, qtbot)
    project = window.doc.project
    assert "s1" not in project.nodes and project.nodes["new-1"].kind == "service"
    assert project.nodes["new-1"].area_code == "A1" and project.nodes["o1"].area_code == "A1"
    assert len(project.ties) == 4  # yp1-yp2, yp2-yp3 (context cleared), o1-ad1 (context cleared), ad1-yp3
    assert window.doc.dirty and window.doc.path == path
    assert path.read_bytes() == before  # nothing written until a save
    assert len(window.repair_report) == 6

    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.save()
    saved = load_project(path)  # opens cleanly now
    assert set(saved.nodes) == {"yp1", "yp2", "yp3", "ad1", "o1", "new-1"}
    con = sqlite3.connect(path)
    assert con.execute("SELECT styleQML FROM layer_styles").fetchall() == [("<qgis/>",)]
    con.close()


def test_cancelling_the_repair_view_leaves_the_file_untouched(make_window, qtbot, project_file):
    path = project_file
    _break_in_qgis(path)
    before = path.read_bytes()
    window = make_window()
    dialog = _open_into_repair(window, qtbot, path)
    dialog.apply_all_safe()
    with qtbot.waitSignal(window.loadFailed, timeout=WAIT_MS):
        dialog.cancel_button.click()
    assert window.repair_dialog is None and window.doc.path is None and not window.doc.project.nodes
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name != path.name and p.name.startswith(path.name)]


def test_the_repair_view_puts_a_point_outside_every_area_in_the_nearest_in_metres(make_window, qtbot, tmp_path):
    """A young person typed in QGIS (id yp9, kind only) 120 m east of area A and 400 m west of B
    (tests.qgis_edits.grid_project, on the British National Grid): the view offers A as the
    safe fix with both distances; another digitised 1,480 m east of B (past the 1,000 m of a
    safe fix) is a decision: the nearest (B) or an area chosen from the list."""
    import shapely

    from socialmap.store import save_project
    from tests.qgis_edits import add_point, grid_project

    p, to_wgs84, _ = grid_project()
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    add_point(path, to_wgs84, 381120, 390500, id="yp9", kind="young_person", label="Sam")
    add_point(path, to_wgs84, 384000, 390500, id="yp10", kind="young_person", label="Alex")
    window = make_window()
    dialog = _open_into_repair(window, qtbot, path)
    near = next(f for f in dialog.model.findings if f.problem.record == "node 'yp9'")
    assert near.safe_fix.action == ("put it in area 'A', the nearest area: its point lies 120 m outside it "
                                    "('B' is 400 m away), measured in EPSG:27700")
    _select(dialog, "node 'yp10'")
    offered = [dialog.fix_choice.itemText(i) for i in range(dialog.fix_choice.count())]
    assert offered[0].startswith("put it in area 'B', the nearest area: its point lies 1,480 m outside it")
    assert offered[0].endswith("(your decision)") and offered[1] == "choose the area (your decision)"
    dialog.fix_choice.setCurrentIndex(1)
    assert [dialog.option_choice.itemText(i) for i in range(dialog.option_choice.count())] == ["A Area A", "B Area B"]
    dialog.option_choice.setCurrentIndex(0)
    dialog.apply_button.click()
    dialog.apply_all_safe()
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS):
        dialog.open_button.click()
    people = window.doc.project.nodes
    assert people["yp9"].area_code == "A" and people["yp10"].area_code == "A"
    for person in (people["yp9"], people["yp10"]):  # the digitised points are gone: placed inside A
        assert shapely.Point(person.lon, person.lat).within(p.areas["A"].geometry)
