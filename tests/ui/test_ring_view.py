"""The ring view (issue 16): rings by tie class or by prompt, filled by kind, NEET outlined, the
live measures with areas reached and Burt's constraint, and the view opened from the inspector
of a young person. The small project of tests/conftest.py: yp1 Robin (A1, NEET) is a friend of
yp2 Sam (A1) and attends s1 (provided by o1: the provides tie o1-s1); yp2 is a friend of yp3
(A2), whom ad1 Jo (A2) works with."""

from __future__ import annotations

from PySide6.QtCore import Qt

from socialmap.ui.document import ProjectDocument
from socialmap.ui.inspector import Inspector
from socialmap.ui.interview_dialog import KIND_COLOURS, NEET_OUTLINE, InterviewDialog, RingDialog


def _doc(project) -> ProjectDocument:
    doc = ProjectDocument()
    doc.set_project(project, None)
    return doc


def _enter(qtbot, dialog, text: str) -> None:
    qtbot.keyClicks(dialog.name_edit, text)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)


def test_rings_by_prompt_and_by_class_with_live_constraint_and_areas(qtbot, small_project):
    """Robin's ties before: yp2 (bonding), s1 (linking). Named: yp3 under 'time' (A2: bridging),
    'Gym' under 'places' (a new service: linking).
    Constraint after: N = {yp2, s1, yp3, Gym}, d = 4; yp2 and yp3 are tied (d_yp2 = 2,
    d_yp3 = 3 with Robin's new tie); s1 and the Gym share no alter.
    c = (1/16) [(1 + 1/3)^2 + (1 + 1/2)^2 + 1 + 1] = (1/16)(16/9 + 9/4 + 2) = 217/576 = 0.38.
    Areas reached: A2 (yp3, ad1): 1."""
    dialog = InterviewDialog(_doc(small_project), "yp1")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.measures.text() == ("2 ties: bonding 1, bridging 0, linking 1; not isolated; "
                                      "areas reached 1; constraint 0.50")  # 2/2^2
    _enter(qtbot, dialog, "yp3")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    _enter(qtbot, dialog, "Gym")
    assert dialog.model.rowCount() == 2, dialog.status.text()
    assert dialog.measures.text() == ("4 ties: bonding 1, bridging 1, linking 2; not isolated; "
                                      "areas reached 1; constraint 0.38")
    assert round(217 / 576, 2) == 0.38
    gym = dialog.plan.nodes[0].id
    assert sorted(dialog.ring.drawn) == sorted([("yp2", "bonding"), ("s1", "linking"), ("yp3", "bridging"),
                                                (gym, "linking")])
    dialog.ring_panel.arrangement.setCurrentIndex(1)  # by prompt
    assert sorted(dialog.ring.drawn) == sorted([("yp2", "recorded before"), ("s1", "recorded before"),
                                                ("yp3", "time"), (gym, "places")])
    # filled by kind; Robin (NEET) outlined red, Sam (EET) not
    assert dialog.ring.fills["yp3"] == KIND_COLOURS["young_person"] and dialog.ring.fills[gym] == KIND_COLOURS["service"]
    assert dialog.ring.outlines[""] == NEET_OUTLINE and dialog.ring.outlines["yp2"] != NEET_OUTLINE
    dialog.reject()


def test_a_neet_alter_is_outlined(qtbot, small_project):
    small_project.update_node("yp3", activity="neet_available")
    dialog = InterviewDialog(_doc(small_project), "yp2")
    qtbot.addWidget(dialog)
    assert dialog.ring.outlines["yp3"] == NEET_OUTLINE and dialog.ring.outlines["yp1"] == NEET_OUTLINE
    assert dialog.ring.outlines[""] != NEET_OUTLINE  # Sam is not NEET
    dialog.reject()


def test_the_inspector_of_a_young_person_opens_the_ring_view_which_follows_edits(qtbot, small_project):
    from socialmap.model import Tie
    from socialmap.ui.commands import AddTie, push_edit

    doc = _doc(small_project)
    inspector = Inspector(doc)
    qtbot.addWidget(inspector)
    inspector.show()
    doc.select("service", "s1")
    assert not inspector.ring_button.isVisibleTo(inspector)
    doc.select("young_person", "yp1")
    assert inspector.ring_button.isVisibleTo(inspector)
    inspector.ring_button.click()
    ring = inspector.ring_dialog
    assert isinstance(ring, RingDialog) and ring.isVisible()
    assert sorted(ring.panel.ring.drawn) == [("s1", "linking"), ("yp2", "bonding")]
    assert ring.panel.measures.text().endswith("areas reached 1; constraint 0.50")
    push_edit(doc, AddTie(doc, Tie("yp1", "ad1", "mentor")))  # an edit anywhere redraws it
    assert ("ad1", "linking") in ring.panel.ring.drawn and ring.panel.measures.text().startswith("3 ties")
    doc.undo_stack.undo()
    assert len(ring.panel.ring.drawn) == 2
    doc.undo_stack.setClean()
    ring.close()
