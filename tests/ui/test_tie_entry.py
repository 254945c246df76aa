"""Fast tie entry (issue 16): "Add tie from this person" with a type-ahead picker and only the
tie types that fit, and a ties table that takes typed or pasted rows, checks each, and adds the
good ones as one undoable edit. The small project of tests/conftest.py: yp1 Robin (A1) is tied
to yp2 Sam and s1 Youth club; yp3 Kai (A2); ad1 Jo (A2); o1 Northfield College."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from socialmap.model import Node
from socialmap.ui.document import ProjectDocument
from socialmap.ui.tie_entry import AddTieDialog, TieEntryDialog


def _doc(project) -> ProjectDocument:
    doc = ProjectDocument()
    doc.set_project(project, None)
    return doc


def test_add_tie_from_a_person_by_keyboard_with_the_fitting_types_only(qtbot, small_project):
    small_project.add_node(Node("ad2", "adult", "Kai", area_code="A1", role="coach"))  # a second "Kai"
    doc = _doc(small_project)
    dialog = AddTieDialog(doc, "yp1")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not any(v in ("yp1", "yp2", "s1") for v in dialog.choices.values())  # itself, and already tied
    qtbot.keyClicks(dialog.target_edit, "Kai")
    popup = dialog.completer.popup()
    assert popup.isVisible()
    shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert shown == ["Kai · adult, West · ad2", "Kai · young person, East · yp3"]  # told apart by kind and area
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.target_id == "yp3"
    assert [dialog.type_box.itemData(i) for i in range(dialog.type_box.count())] == [
        "family", "friend", "peer", "neighbour", "mentor", "worker"]
    assert dialog.type_box.itemText(2) == "Peer"  # the plain label shown, the code kept as its data
    dialog.type_box.setCurrentText("Peer")
    dialog.strength_box.setCurrentText("2")
    dialog.opportunity_box.setChecked(True)
    qtbot.keyClick(dialog.type_box, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.status.text()
    tie = doc.project.get_tie("yp1", "yp3")
    assert (tie.type, tie.strength, tie.opportunity) == ("peer", 2, True)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.project.get_tie("yp1", "yp3") is None
    doc.undo_stack.setClean()


def test_a_service_offers_attends_only_and_an_organisation_to_an_adult_member_or_employs(qtbot, small_project):
    doc = _doc(small_project)
    dialog = AddTieDialog(doc, "yp3")
    qtbot.addWidget(dialog)
    dialog.target_edit.setText("s1")  # an id typed
    assert [dialog.type_box.itemData(i) for i in range(dialog.type_box.count())] == ["attends"]
    org = AddTieDialog(doc, "o1")
    qtbot.addWidget(org)
    org.target_edit.setText("Sam")  # a label only one node has
    assert org.target_id == "yp2" and [org.type_box.itemData(i) for i in range(org.type_box.count())] == ["member"]
    assert org.opportunity_box.isEnabled()  # a tie of a young person: the mark may be set
    org.target_edit.setText("nobody")
    assert org.target_id is None and "no node 'nobody'" in org.status.text()
    assert org.type_box.count() == 0 and not org.buttons.button(org.buttons.StandardButton.Ok).isEnabled()


def test_pasted_rows_are_checked_and_the_good_ones_added_as_one_edit(qtbot, small_project):
    doc = _doc(small_project)
    before = len(small_project.ties)
    dialog = TieEntryDialog(doc)
    qtbot.addWidget(dialog)
    dialog.show()
    QGuiApplication.clipboard().setText(
        "Source\tTarget\tType\tStrength\tContext\n"
        "yp3\ts1\tattends\t2\t\n"            # 1 good
        "Robin\tKai\tfriend\t3\tYouth club\n"  # 2 good, by labels, context by name
        "yp1\typ2\tpeer\n"                   # 3 already tied (friend)
        "yp2\to1\tattends\n"                 # 4 attends joins a person to a service, not an organisation
        "yp2\tnobody\tfriend\n"              # 5 no such node
        "ad1\typ2\tmentor\t5\n")             # 6 strength out of range
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    checks = [dialog.model.item(r, 5).text() for r in range(6)]
    assert checks[0] == "ok: attends tie" and checks[1] == "ok: friend tie"
    assert checks[2] == "target: 'yp1' and 'yp2' are already tied (friend); one tie per pair"
    assert checks[3] == "type: an attends tie cannot join a young person and an organisation (for these two: member)"
    assert checks[4] == "target: no node 'nobody' (give an id or a label)"
    assert checks[5] == "strength: 5 is not 1, 2 or 3"
    assert dialog.model.rowCount() == 7 and dialog.add_button.text() == "Add 2 ties"
    # a row typed in is checked as it is entered
    dialog.model.item(6, 0).setText("ad1")
    dialog.model.item(6, 1).setText("yp1")
    assert dialog.model.item(6, 5).text() == ("type: empty (for an adult and a young person: family, friend, peer, "
                                              "neighbour, mentor, worker)")
    dialog.model.item(6, 2).setText("mentor")
    assert dialog.model.item(6, 5).text() == "ok: mentor tie" and dialog.add_button.text() == "Add 3 ties"
    assert dialog.add_good_rows() == 3
    p = doc.project
    assert len(p.ties) == before + 3
    assert (p.get_tie("yp1", "yp3").strength, p.get_tie("yp1", "yp3").context) == (3, "s1")
    # the four bad rows stay, first in the table, with their row and reason
    assert [dialog.model.item(r, 0).text() for r in range(4)] == ["yp1", "yp2", "yp2", "ad1"]
    status = dialog.status.text()
    assert status.startswith("Added 3 ties (one edit")
    assert "4 rows were not added" in status and "row 3, target: no node 'nobody'" in status
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert len(p.ties) == before
    doc.undo_stack.setClean()


def test_the_inspector_and_the_edit_menu_open_them(make_window, qtbot, project_file, monkeypatch):
    from socialmap.ui import tie_entry
    from tests.ui.conftest import open_and_wait

    opened = []
    monkeypatch.setattr(tie_entry.AddTieDialog, "exec", lambda self: opened.append(self.source_id) or 0)
    monkeypatch.setattr(tie_entry.TieEntryDialog, "exec", lambda self: opened.append("table") or 0)
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.doc.select("service", "s1")
    assert window.inspector.add_tie_button.isVisibleTo(window.inspector)
    window.inspector.add_tie_button.click()
    window.doc.select("tie", "yp1|yp2")
    assert not window.inspector.add_tie_button.isVisibleTo(window.inspector)
    assert window.act_enter_ties in window.menuBar().actions()[1].menu().actions()
    window.act_enter_ties.trigger()
    assert opened == ["s1", "table"]


def test_the_inspector_of_a_tie_of_a_young_person_sets_the_opportunity_mark(qtbot, small_project):
    from socialmap.ui.inspector import Inspector

    doc = _doc(small_project)
    inspector = Inspector(doc)
    qtbot.addWidget(inspector)
    doc.select("tie", "o1|ad1")  # an organisation's staff: no young person, no mark
    assert "opportunity" not in inspector.editors
    doc.select("tie", "yp1|yp2")
    editor = inspector.editors["opportunity"]
    assert editor.currentText() == "no"
    editor.setCurrentText("yes")
    assert inspector.apply()
    assert doc.project.get_tie("yp1", "yp2").opportunity is True
    doc.undo_stack.undo()
    assert doc.project.get_tie("yp1", "yp2").opportunity is False
    doc.undo_stack.setClean()
