"""The window's tables straight after a project is shown, before their rows' index is made
(socialmap.ui.models: made in steps once the project is shown): a selection finds its row in
the ties table, an edit of a tie and its undo show in it; and the status bar's counts, taken
from the tables, follow the edits."""

from __future__ import annotations

from PySide6.QtCore import Qt

from socialmap.ui import models
from socialmap.ui.commands import RemoveNode, UpdateTie, push_edit
from socialmap.ui.models import ID_ROLE

from .conftest import open_and_wait


def _current(window, kind: str) -> str | None:
    view = window.tables[kind]["view"]
    return view.currentIndex().data(ID_ROLE) if view.currentIndex().isValid() else None


def test_ties_table_straight_after_open_then_with_its_rows_made(make_window, qtbot, three_area_file, monkeypatch):
    made = models._RecordModel._rows_step
    monkeypatch.setattr(models, "ROW_STEP", 2)  # every table of the file is made in steps
    monkeypatch.setattr(models._RecordModel, "_rows_step", lambda self, turn: None)  # held back
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    doc, ties = window.doc, window.tables["tie"]["model"]
    assert ties.row_of == {} and not ties.rows_made and len(ties.ids) == 9
    # three areas; o1; s1, s2; yp1-yp5; ad1; nine ties (small_project's six, s2's provider, two of yp4)
    assert window.counts_label.text() == ("3 areas · 1 organisations · 2 services · 5 young people · "
                                          "1 adults · 9 ties")
    doc.select("tie", "yp4|yp5")
    assert window.table_tabs.currentWidget() is window.tables["tie"]["page"]
    assert _current(window, "tie") == "yp4|yp5"
    doc.select("young_person", "yp5")
    assert _current(window, "young_person") == "yp5"
    # an edit of a tie and its undo, shown in its row
    row = ties.row_for("yp4|yp5")
    strength = ties.columns.index("strength")
    push_edit(doc, UpdateTie(doc, "yp4", "yp5", {"strength": 3}))
    assert ties.index(row, strength).data(Qt.ItemDataRole.DisplayRole) == "3"
    doc.undo_stack.undo()
    assert ties.index(row, strength).data(Qt.ItemDataRole.DisplayRole) == ""
    # a young person removed with her tie, and back: the counts follow the tables
    push_edit(doc, RemoveNode(doc, "yp5"))
    assert window.counts_label.text().endswith("· 4 young people · 1 adults · 8 ties")
    assert ties.row_for("yp4|yp5") is None and "yp5" not in window.tables["young_person"]["model"].ids
    doc.undo_stack.undo()
    assert window.counts_label.text().endswith("· 5 young people · 1 adults · 9 ties")
    assert ties.ids[-1] == ("yp4", "yp5") and ties.row_for("yp4|yp5") == 8
    # then the steps run: every table's rows are those of its order
    monkeypatch.setattr(models._RecordModel, "_rows_step", made)
    qtbot.waitUntil(lambda: all(e["model"].rows_made for e in window.tables.values()), timeout=5000)
    for entry in window.tables.values():
        model = entry["model"]
        assert model.row_of == {ident: r for r, ident in enumerate(model.ids)}
    assert ties.row_of[("yp4", "yp5")] == 8
    doc.select("tie", "s2|yp4")
    assert _current(window, "tie") == "s2|yp4"
