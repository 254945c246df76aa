"""The interview form (issue 16): 15 alters across the four default prompts by keystrokes only,
one undoable edit, inputs counted. The small project of tests/conftest.py: yp1 Robin (A1) is
tied to yp2 and s1 already; ad1 is Jo (A2), o1 Northfield College, s1 Youth club."""

from __future__ import annotations

from PySide6.QtCore import Qt

from socialmap.ui.document import ProjectDocument
from socialmap.ui.interview_dialog import InterviewDialog


def _doc(project) -> ProjectDocument:
    doc = ProjectDocument()
    doc.set_project(project, None)
    return doc


def test_fifteen_alters_by_keyboard_in_one_undoable_edit(qtbot, small_project):
    doc = _doc(small_project)
    before = (len(small_project.nodes), len(small_project.ties))
    dialog = InterviewDialog(doc, "yp1")
    qtbot.addWidget(dialog)
    dialog.show()
    edit = dialog.name_edit
    inputs = 0

    def enter(text: str) -> None:
        nonlocal inputs
        qtbot.keyClicks(edit, text)  # typing a name (with its details) counts as one input
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        inputs += 2

    def key(k, widget=None, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        nonlocal inputs
        qtbot.keyClick(widget or edit, k, modifier)
        inputs += 1

    # 1 Who do you spend most time with?  6 alters: five new young people and yp3 by id
    for text in ("Ali, 3, s1", "Bea, 2, Youth club", "Cal, 2, s1", "Dev, 1, s1", "Eli, 2, s1", "yp3, 2, s1"):
        enter(text)
    key(Qt.Key.Key_Tab)
    # 2 Which adults do you trust?  Jo picked from the type-ahead, and two new adults
    qtbot.keyClicks(edit, "Jo")
    inputs += 1
    popup = dialog.completer.popup()
    assert popup.isVisible() and popup.model().rowCount() == 1
    key(Qt.Key.Key_Down, popup)
    key(Qt.Key.Key_Return, popup)
    qtbot.waitUntil(lambda: edit.text() == "")
    for text in ("Ms K, 3, s1", "Mr T, 2, s1"):
        enter(text)
    key(Qt.Key.Key_Tab)
    # 3 Who could help you find work, training or a course? (opportunity)  an adult, o1 by id, an adult
    for text in ("Coach P, 2, s1", "o1, 2, s1", "Fin, 1, s1"):
        enter(text)
    key(Qt.Key.Key_Tab)
    # 4 Which places, groups or services do you go to?  three new services in Robin's area
    for text in ("Gym, 2, o1", "Library, 1, o1", "Boxing club, 3, o1"):
        enter(text)
    rows = [[dialog.model.item(r, j).text() for j in range(7)] for r in range(dialog.model.rowCount())]
    assert dialog.model.rowCount() == 15, (dialog.status.text(), rows, edit.text())
    # plain words in the table (codes only in files): the headers and a new answer's kind
    headers = [dialog.model.headerData(j, Qt.Orientation.Horizontal) for j in range(7)]
    assert headers == ["Name", "Prompt", "Kind", "Area", "Type", "Strength", "Context"]
    assert rows[0][2] == "Young person" and rows[6][2] == "" and rows[7][2] == "Adult"  # Jo picked: known
    # live measures: Robin's own ties (bonding yp2, linking s1) and the 15 planned
    assert dialog.measures.text().startswith("17 ties:")
    assert dialog.table.model().rowCount() == 15 and dialog.table.isRowHidden(14) is False
    assert len(dialog.ring.drawn) == 17
    key(Qt.Key.Key_Return, modifier=Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.status.text()
    # 15 alters in 35 inputs: 14 typed entries x 2, Jo by type-ahead 3, 3 Tabs, Ctrl+Enter
    assert inputs == 35 and inputs / 15 <= 4
    p = doc.project
    # new: 5 young people, 4 adults (Ms K, Mr T, Coach P, Fin), 3 services; 15 ties
    assert (len(p.nodes), len(p.ties)) == (before[0] + 12, before[1] + 15)
    doc.undo_stack.setClean()  # no signal from a stack being destroyed with unsaved edits
    tie = p.get_tie("yp1", "ad1")
    assert tie.type == "mentor" and tie.strength is None
    assert p.get_tie("yp1", "o1").type == "member" and p.get_tie("yp1", "yp3").context == "s1"
    # one edit: one undo gives back the project, one redo records it again
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert (len(p.nodes), len(p.ties)) == before
    doc.undo_stack.redo()
    assert (len(p.nodes), len(p.ties)) == (before[0] + 12, before[1] + 15)
    doc.undo_stack.setClean()  # no signal from a stack being destroyed with unsaved edits


def test_a_refused_answer_is_not_added_and_cancel_changes_nothing(qtbot, small_project):
    doc = _doc(small_project)
    before = (len(small_project.nodes), len(small_project.ties))
    dialog = InterviewDialog(doc, "yp1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "yp2")  # already Robin's friend
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.model.rowCount() == 0
    assert "already tied to 'yp1' (friend)" in dialog.status.text()
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "Amy Walker")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.model.rowCount() == 1 and "looks like a full name" in dialog.status.text()
    dialog.reject()
    assert (len(doc.project.nodes), len(doc.project.ties)) == before and doc.undo_stack.count() == 0


def test_the_window_opens_the_form_from_the_edit_menu_and_the_inspector(make_window, qtbot, project_file,
                                                                         monkeypatch):
    from socialmap.ui import interview_dialog
    from tests.ui.conftest import open_and_wait

    opened = []
    monkeypatch.setattr(interview_dialog.InterviewDialog, "exec", lambda self: opened.append(self.ego_id) or 0)
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    assert window.act_record in window.menuBar().actions()[1].menu().actions()
    window.doc.select("young_person", "yp1")
    assert window.inspector.record_button.isVisibleTo(window.inspector)
    window.inspector.record_button.click()
    window.doc.select("service", "s1")
    assert not window.inspector.record_button.isVisibleTo(window.inspector)
    window.act_record.trigger()  # no young person selected: the form for a new one
    assert opened == ["yp1", None]


def test_the_type_ahead_finds_labels_whatever_their_case(qtbot, small_project):
    """The completer searches its list by halving (it is told the list is sorted case-insensitively),
    so the list must be sorted that way: with a plain sort "ash" came after "Zed" and was not found."""
    from socialmap.model import Node

    for ident, label in (("ad7", "Zed"), ("ad8", "ash"), ("ad9", "Ámbar")):
        small_project.add_node(Node(ident, "adult", label, area_code="A1"))
    dialog = InterviewDialog(_doc(small_project), "yp1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "as")
    model = dialog.completer.completionModel()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["ash · adult, West · ad8"]
    dialog.reject()


def test_the_type_ahead_finds_a_word_inside_a_label_and_an_id(qtbot, small_project):
    """"club" finds the service "Youth club" (not the start of its label), "ad1" the adult Jo
    by id; Down and Enter pick the first."""
    dialog = InterviewDialog(_doc(small_project), "yp1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "club")
    popup = dialog.completer.popup()
    shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert popup.isVisible() and len(shown) == 1 and shown[0].startswith("Youth club · service")
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, "ad1")
    assert popup.model().index(0, 0).data().startswith("Jo · adult")
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.name_edit.text() == "")
    assert dialog.model.rowCount() == 1 and dialog.model.item(0, 0).text() == "ad1", dialog.status.text()
    dialog.reject()
