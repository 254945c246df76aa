"""``socialmap record`` from a CSV and the interview form given the same answers make the same
project (issue 16, "Done when"): the same nodes (ids, kinds, labels, areas, places' points),
ties (ends, types, strengths, contexts, opportunity marks) and nothing else changed. The answers
are those of tests/ui/test_interview_dialog.py: 15 alters over the four default prompts."""

from __future__ import annotations

import dataclasses
import shutil

from PySide6.QtCore import Qt

from socialmap.cli import main
from socialmap.store import load_project, save_project
from socialmap.ui.document import ProjectDocument
from socialmap.ui.interview_dialog import InterviewDialog

#: (prompt, what is typed in the form) - the CSV gives the same name, strength and context.
ANSWERS = [
    ("time", "Ali, 3, s1"), ("time", "Bea, 2, Youth club"), ("time", "Cal, 2, s1"), ("time", "Dev, 1, s1"),
    ("time", "Eli, 2, s1"), ("time", "yp3, 2, s1"),
    ("trust", "ad1"), ("trust", "Ms K, 3, s1"), ("trust", "Mr T, 2, s1"),
    ("opportunity", "Coach P, 2, s1"), ("opportunity", "o1, 2, s1"), ("opportunity", "Fin, 1, s1"),
    ("places", "Gym, 2, o1"), ("places", "Library, 1, o1"), ("places", "Boxing club, 3, o1"),
]


def _state(project):
    nodes = {i: {k: v for k, v in dataclasses.asdict(n).items() if k not in ("recorded", "updated")}
             for i, n in project.nodes.items()}
    ties = {k: dataclasses.astuple(t) for k, t in project.ties.items()}
    return nodes, ties, project.settings


def test_the_cli_and_the_form_record_the_same_network(qtbot, small_project, tmp_path):
    by_form, by_cli = tmp_path / "form.gpkg", tmp_path / "cli.gpkg"
    save_project(small_project, by_form)
    shutil.copy(by_form, by_cli)

    doc = ProjectDocument()
    doc.set_project(load_project(by_form), by_form)
    dialog = InterviewDialog(doc, "yp1")
    qtbot.addWidget(dialog)
    dialog.show()
    order = [p.key for p in dialog.prompts]
    for prompt, text in ANSWERS:
        while order[dialog.prompt_index] != prompt:
            qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.name_edit, text)
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
        dialog.completer.popup().hide()
    assert dialog.model.rowCount() == 15, dialog.status.text()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == dialog.DialogCode.Accepted
    save_project(doc.project, by_form)
    doc.undo_stack.setClean()

    answers = tmp_path / "answers.csv"
    lines = ["prompt,name,strength,context"]
    for prompt, text in ANSWERS:
        name, strength, context = ([p.strip() for p in text.split(",")] + ["", ""])[:3]
        lines.append(f"{prompt},{name},{strength},{context}")
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["record", str(by_cli), "--person", "yp1", "--answers", str(answers)]) == 0

    form, cli = load_project(by_form), load_project(by_cli)
    assert (len(form.nodes), len(form.ties)) == (len(small_project.nodes) + 12, len(small_project.ties) + 15)
    assert _state(form) == _state(cli)
    # spot checks of what both recorded: the opportunity prompt's ties are marked, a strength and context
    assert form.get_tie("yp1", "o1").opportunity and not form.get_tie("yp1", "ad1").opportunity
    assert (cli.get_tie("yp1", "yp3").strength, cli.get_tie("yp1", "yp3").context) == (2, "s1")
