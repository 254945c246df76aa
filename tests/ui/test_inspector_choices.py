"""The inspector's lists of areas, providers and places read as names, and edit by id."""

from __future__ import annotations

import dataclasses

from tests.ui.conftest import open_and_wait


def test_area_and_provider_lists_show_names_and_edits_keep_ids(make_window, qtbot, project_file):
    """yp1 lives in A1 ("West"); moving it to "East (A2)" from the list stores A2, and undo
    puts it back. s1's provider reads "Northfield College (o1)"; the friend tie yp2-yp3
    was made at "Youth club (s1)". Undoing the move puts yp1 back exactly (undo raised an
    error: the old values held the point, which a young person refuses)."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    insp = window.inspector
    window.doc.select("young_person", "yp1")
    area = insp.editors["area_code"]
    assert area.currentText() == "West (A1)"
    assert [area.itemText(i) for i in range(area.count())] == ["", "West (A1)", "East (A2)"]
    before = dataclasses.asdict(window.doc.project.nodes["yp1"])
    area.setCurrentIndex(area.findData("A2"))
    assert insp.apply()
    moved = dataclasses.asdict(window.doc.project.nodes["yp1"])
    assert moved["area_code"] == "A2"
    window.doc.undo_stack.undo()  # raised "a young person's location ... never given"
    assert dataclasses.asdict(window.doc.project.nodes["yp1"]) == before
    window.doc.undo_stack.redo()
    assert dataclasses.asdict(window.doc.project.nodes["yp1"]) == moved
    window.doc.undo_stack.undo()
    window.doc.select("service", "s1")
    assert insp.editors["provider"].currentText() == "Northfield College (o1)"
    assert insp.apply()  # nothing changed: nothing to do, no error
    assert window.doc.project.nodes["s1"].provider == "o1"
    window.doc.select("tie", "yp2|yp3")
    assert insp.editors["context"].currentText() == "Youth club (s1)"
