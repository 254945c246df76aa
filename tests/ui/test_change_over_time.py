"""Change over time in the window (issue 18): ending a tie (undoable), dates in the inspector."""

from __future__ import annotations

import datetime as dt

from tests.ui.conftest import open_and_wait, wait_drawn


def test_end_tie_keeps_it_with_todays_date_hides_it_and_undo_restores_it(make_window, qtbot, project_file):
    """yp1-yp2 is a drawn bonding tie of small_project; ending it keeps the record with
    until = today, so the page draws one tie fewer; undo gives the tie back as it was."""
    window = make_window()
    before = open_and_wait(window, qtbot, project_file)
    doc = window.doc
    doc.select("tie", "yp1|yp2")
    insp = window.inspector
    assert insp.end_button.isVisible() and insp.end_button.isEnabled()
    insp.end_button.click()
    tie = doc.project.get_tie("yp1", "yp2")
    assert tie is not None and tie.until == dt.date.today()
    assert doc.undo_stack.undoText() == "End tie yp1-yp2"
    assert not insp.end_button.isEnabled()  # already ended
    assert insp.editors["until"].text() == dt.date.today().isoformat()
    after = wait_drawn(window, qtbot)
    assert after["ties"]["bonding"] == before["ties"]["bonding"] - 1
    doc.undo_stack.undo()
    assert doc.project.get_tie("yp1", "yp2").until is None
    again = wait_drawn(window, qtbot)
    assert again["ties"]["bonding"] == before["ties"]["bonding"]


def test_the_inspector_shows_a_nodes_dates_read_only(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.doc.select("young_person", "yp1")
    recorded = window.inspector.editors["recorded"]
    assert recorded.isReadOnly() and recorded.text() == window.doc.project.nodes["yp1"].recorded.isoformat()
    window.inspector.editors["label"].setText("Robin B")
    assert window.inspector.apply()
    assert window.doc.project.nodes["yp1"].updated == dt.date.today()
