"""The window's privacy tools: erasure (one undoable edit until saved), the retention review and
the full-name warning."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QMessageBox

from socialmap.store import load_project, save_project
from tests.ui.conftest import WAIT_MS, open_and_wait


def _first_young(project):
    return next(n for n in project.nodes.values() if n.kind == "young_person")


def test_erase_undo_redo_and_save(make_window, qtbot, tmp_path, monkeypatch):
    project = load_project("sample_data/sample.gpkg")
    person = _first_young(project)
    project.update_node(person.id, label="Qwertyerase")
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    n_nodes, n_ties = len(window.doc.project.nodes), len(window.doc.project.ties)
    window.doc.select("young_person", person.id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert window.erase_selected()
    assert person.id not in window.doc.project.nodes
    assert window.doc.undo_stack.undoText() == "Erase young person"  # the menu never shows the label
    window.doc.undo_stack.undo()
    assert person.id in window.doc.project.nodes and len(window.doc.project.ties) == n_ties
    window.doc.undo_stack.redo()
    assert len(window.doc.project.nodes) == n_nodes - 1
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.save_to(path)
    data = path.read_bytes()
    assert person.id.encode() not in data and b"Qwertyerase" not in data
    assert window.doc.undo_stack.count() == 0  # the undo history held the erased record: gone with the save
    qtbot.waitUntil(lambda: window.autosave_worker is None, timeout=WAIT_MS)


def test_retention_review_dialog_erases_the_chosen(make_window, qtbot, tmp_path, monkeypatch):
    from socialmap.ui.privacy_dialogs import RetentionDialog

    project = load_project("sample_data/sample.gpkg")
    people = [n for n in project.nodes.values() if n.kind == "young_person"]
    for node in people:
        node.updated = dt.date(2026, 11, 1)
    people[0].updated = dt.date(2023, 1, 1)
    people[1].updated = dt.date(2022, 5, 1)
    dialog = RetentionDialog(project, today=dt.date(2026, 12, 1))
    qtbot.addWidget(dialog)
    assert [r[0] for r in dialog.model.rows] == [people[1].id, people[0].id]
    dialog.months.setValue(45)  # 2023-01-01 is 47 months back, 2022-05-01 is 55
    assert len(dialog.model.rows) == 2
    dialog.months.setValue(50)
    assert [r[0] for r in dialog.model.rows] == [people[1].id]
    dialog.table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.erase_selected()
    assert dialog.chosen == [people[1].id]


def test_inspector_warns_on_a_full_name(make_window, qtbot, tmp_path):
    window = make_window()
    project = load_project("sample_data/sample.gpkg")
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    open_and_wait(window, qtbot, path)
    person = _first_young(window.doc.project)
    window.doc.select("young_person", person.id)
    inspector = window.inspector
    editor = inspector.editors["label"]
    editor.setText("Sam W")
    assert inspector.name_warning.isHidden()
    editor.setText("Samantha Walker")
    assert not inspector.name_warning.isHidden()
    assert "pseudonym" in inspector.name_warning.text()
