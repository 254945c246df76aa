"""Editing the interview's prompts (issue 16): edit, reorder, add and remove, saved with the
project as the ``interview_prompts`` setting in one undoable edit; Cancel changes nothing; a
prompt the rules refuse keeps the dialog open with the reason."""

from __future__ import annotations

from PySide6.QtCore import Qt

from socialmap.interview import DEFAULT_PROMPTS, SETTING, project_prompts
from socialmap.store import load_project, save_project
from socialmap.ui.document import ProjectDocument
from socialmap.ui.interview_dialog import InterviewDialog
from socialmap.ui.prompts_dialog import PromptsDialog, parse_types


def _doc(project) -> ProjectDocument:
    doc = ProjectDocument()
    doc.set_project(project, None)
    return doc


def test_parse_types_keeps_the_order_once_each():
    assert parse_types("Friend, peer  family,friend") == ["friend", "peer", "family"]


def test_edit_reorder_add_remove_saved_as_one_undoable_edit(qtbot, small_project, tmp_path):
    doc = _doc(small_project)
    dialog = PromptsDialog(doc)
    qtbot.addWidget(dialog)
    dialog.show()
    assert [p["key"] for p in dialog.prompts] == ["time", "trust", "opportunity", "places"]
    # edit the first: new text, adults no longer, types reordered
    dialog.select(0)
    dialog.text_edit.clear()
    qtbot.keyClicks(dialog.text_edit, "Who are your closest friends?")
    dialog.kind_boxes["adult"].setChecked(False)
    dialog.types_edit.clear()
    qtbot.keyClicks(dialog.types_edit, "peer, friend")
    # move 'places' to the top, remove 'trust', add one about school marked as opportunity
    dialog.list.setCurrentIndex(dialog.list_model.index(3))
    dialog.up_button.click()
    dialog.up_button.click()
    dialog.up_button.click()
    assert [p["key"] for p in dialog.prompts] == ["places", "time", "trust", "opportunity"]
    dialog.list.setCurrentIndex(dialog.list_model.index(2))
    dialog.remove_button.click()
    dialog.add_button.click()  # after the selected one (now 'opportunity' at 2): at 3
    assert dialog.current == 3
    qtbot.keyClicks(dialog.text_edit, "Who at school or college could help?")
    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, "school")
    dialog.kind_boxes["organisation"].setChecked(True)
    dialog.types_edit.clear()
    qtbot.keyClicks(dialog.types_edit, "mentor member")
    dialog.opportunity_box.setChecked(True)
    assert dialog.save()
    value = doc.project.settings[SETTING]
    assert [p["key"] for p in value] == ["places", "time", "opportunity", "school"]
    assert value[1] == {"key": "time", "text": "Who are your closest friends?", "kinds": ["young_person"],
                        "tie_types": ["peer", "friend"], "opportunity": False}
    assert value[3] == {"key": "school", "text": "Who at school or college could help?",
                        "kinds": ["young_person", "adult", "organisation"], "tie_types": ["mentor", "member"],
                        "opportunity": True}
    # stored with the project
    path = tmp_path / "p.gpkg"
    save_project(doc.project, path)
    assert [p.key for p in project_prompts(load_project(path))] == ["places", "time", "opportunity", "school"]
    # one edit: undo gives the defaults back, redo the new prompts
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert SETTING not in doc.project.settings and project_prompts(doc.project) == list(DEFAULT_PROMPTS)
    doc.undo_stack.redo()
    assert doc.project.settings[SETTING] == value
    doc.undo_stack.setClean()


def test_a_refused_prompt_keeps_the_dialog_open_and_cancel_changes_nothing(qtbot, small_project):
    doc = _doc(small_project)
    dialog = PromptsDialog(doc)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select(1)  # trust: adults only
    dialog.types_edit.clear()
    qtbot.keyClicks(dialog.types_edit, "attends")  # joins a person to a service, not to an adult
    dialog.key_edit.clear()
    qtbot.keyClicks(dialog.key_edit, "time")  # the key of the first prompt
    assert not dialog.save()
    text = dialog.status.text()
    assert "prompt 2: the key 'time' is used twice" in text
    assert "prompt 2: none of its tie types joins a young person to a adult" in text
    assert dialog.isVisible() and SETTING not in doc.project.settings
    dialog.reject()
    assert SETTING not in doc.project.settings and doc.undo_stack.count() == 0


def test_the_interview_form_asks_the_edited_prompts(qtbot, small_project, monkeypatch):
    doc = _doc(small_project)
    form = InterviewDialog(doc, "yp1")
    qtbot.addWidget(form)

    def edit(self):  # what the user does in the editor, then OK
        self.select(0)
        self.text_edit.setText("Who do you see every day?")
        self._store()
        self.move(1)
        return self.save() and 1

    monkeypatch.setattr(PromptsDialog, "exec", edit)
    form.prompts_button.click()
    assert [p.key for p in form.prompts] == ["trust", "time", "opportunity", "places"]
    assert form.prompt_label.text() == "1 of 4: Which adults do you trust or go to for advice?"
    qtbot.keyClick(form.name_edit, Qt.Key.Key_Tab)
    assert form.prompt_label.text() == "2 of 4: Who do you see every day?"
    doc.undo_stack.setClean()
    form.reject()


def test_the_edit_menu_opens_the_editor(make_window, qtbot, project_file, monkeypatch):
    from tests.ui.conftest import open_and_wait

    opened = []
    monkeypatch.setattr(PromptsDialog, "exec", lambda self: opened.append(len(self.prompts)) or 0)
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    assert window.act_prompts in window.menuBar().actions()[1].menu().actions()
    window.act_prompts.trigger()
    assert opened == [4]
