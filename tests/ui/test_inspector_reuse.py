"""The inspector keeps each kind's form and only sets its values on a new selection (issue 13:
select on the map within 0.1 s at 100,000 young people): what it shows and what an edit does
must be exactly as with a form built afresh."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from socialmap.model import Node, Tie
from socialmap.ui import commands
from socialmap.ui.document import ProjectDocument
from socialmap.ui.inspector import Inspector


def _inspector(qtbot, project) -> tuple[ProjectDocument, Inspector]:
    doc = ProjectDocument()
    inspector = Inspector(doc)
    qtbot.addWidget(inspector)
    inspector.show()
    doc.set_project(project, None)  # as the window does: the inspector sees the project come
    return doc, inspector


def _values(inspector: Inspector) -> dict[str, str]:
    """What each shown field holds: a list's code, or a text field's text."""
    return {name: (e.currentData() if isinstance(e, QComboBox) else e.text()) for name, e in inspector.editors.items()}


def test_selecting_a_then_b_then_a_shows_a_exactly_with_the_same_widgets(qtbot, small_project):
    """yp1 (Robin, A1, 17, NEET: two ties) then yp3 (Kai, A2, 16: two ties) then yp1 again:
    the same form's editors, holding yp1's values and ties as the first time."""
    doc, insp = _inspector(qtbot, small_project)
    doc.select("young_person", "yp1")
    first = _values(insp)
    editors = dict(insp.editors)
    assert first["id"] == "yp1" and first["label"] == "Robin" and first["area_code"] == "A1"
    assert first["age"] == "17" and first["neet"] == "yes"
    assert insp.tie_model.stringList() == ["Attends — Youth club (s1)", "Friend — Sam (yp2)"]
    assert insp.ties_box.title() == "Ties: 2 (double-click one to edit it)"

    doc.select("young_person", "yp3")
    assert insp.title.text() == "Young person: Kai"
    third = _values(insp)
    assert (third["id"], third["label"], third["area_code"], third["age"], third["neet"]) == (
        "yp3", "Kai", "A2", "16", "no")
    assert insp.tie_model.stringList() == ["Friend — Sam (yp2)", "Worker — Jo (ad1)"]
    assert all(insp.editors[n] is editors[n] for n in editors)  # reused, not rebuilt

    doc.select("young_person", "yp1")
    assert _values(insp) == first
    assert insp.tie_model.stringList() == ["Attends — Youth club (s1)", "Friend — Sam (yp2)"]
    insp.tie_view.doubleClicked.emit(insp.tie_model.index(0))
    assert doc.selection == ("tie", "s1|yp1")


def test_an_error_shown_for_one_record_is_gone_for_the_next(qtbot, small_project):
    """An age "old" is refused beside the field; selecting yp2 shows yp2's age, no error."""
    doc, insp = _inspector(qtbot, small_project)
    doc.select("young_person", "yp1")
    insp.editors["age"].setText("old")
    assert not insp.apply()
    assert not insp.errors["age"].isHidden()
    assert small_project.nodes["yp1"].age == 17
    doc.select("young_person", "yp2")
    assert insp.errors["age"].isHidden() and insp.errors["age"].text() == ""
    assert insp.editors["age"].text() == "18"
    assert insp.apply()  # nothing typed: nothing to change, no error
    assert small_project.nodes["yp2"].age == 18


def test_an_edit_through_the_reused_form_lands_on_the_record_shown(qtbot, small_project):
    """After yp1 then yp2, age 19 typed into the reused form changes yp2 only (undoable)."""
    doc, insp = _inspector(qtbot, small_project)
    doc.select("young_person", "yp1")
    doc.select("young_person", "yp2")
    insp.editors["age"].setText("19")
    assert insp.apply()
    assert (small_project.nodes["yp1"].age, small_project.nodes["yp2"].age) == (17, 19)
    assert insp.editors["age"].text() == "19"
    doc.undo_stack.undo()
    assert small_project.nodes["yp2"].age == 18
    assert insp.editors["age"].text() == "18"  # the form follows the undo


def test_a_ties_opportunity_row_only_where_a_young_person_is_an_end(qtbot, small_project):
    """yp1-yp2 (two young people) has the opportunity field; o1-ad1 (employs) has not, and
    strength 3 typed into the reused form lands on o1-ad1 only."""
    doc, insp = _inspector(qtbot, small_project)
    doc.select("tie", "yp1|yp2")
    assert "opportunity" in insp.editors and insp.editors["opportunity"].isVisibleTo(insp)
    doc.select("tie", "ad1|o1")
    assert "opportunity" not in insp.editors
    assert not insp.forms["tie"].editors["opportunity"].isVisibleTo(insp)
    assert (insp.editors["a"].text(), insp.editors["b"].text(), insp.editors["context"].currentData()) == (
        "o1", "ad1", "s1")
    insp.editors["strength"].setText("3")
    assert insp.apply()
    assert small_project.get_tie("o1", "ad1").strength == 3 and small_project.get_tie("yp1", "yp2").strength != 3


def test_the_lists_of_places_and_areas_follow_edits(qtbot, small_project):
    """The tie form's places: "Northfield College (o1)", "Youth club (s1)"; a new service s2
    "Drop-in" joins the list, a relabelled o1 reads its new name, an area renamed reads so."""
    doc, insp = _inspector(qtbot, small_project)
    doc.select("tie", "yp2|yp3")
    context = insp.editors["context"]
    texts = lambda box: [box.itemText(i) for i in range(box.count())]  # noqa: E731
    assert texts(context) == ["", "Northfield College (o1)", "Youth club (s1)"]
    commands.push_edit(doc, commands.AddNode(doc, Node("s2", "service", "Drop-in", lat=53.405, lon=-2.289)))
    commands.push_edit(doc, commands.UpdateNode(doc, "o1", {"label": "Northfield"}))
    doc.select("service", "s1")
    assert texts(insp.editors["provider"]) == ["", "Northfield (o1)"]
    doc.select("tie", "yp2|yp3")
    assert texts(context) == ["", "Northfield (o1)", "Youth club (s1)", "Drop-in (s2)"]
    assert context.currentData() == "s1"
    commands.push_edit(doc, commands.UpdateArea(doc, "A2", {"name": "East End"}))
    doc.select("young_person", "yp3")
    assert insp.editors["area_code"].currentText() == "East End (A2)"


def test_forms_are_built_ahead_after_opening_in_the_order_of_form_fields(qtbot, small_project):
    """Left idle after opening, every kind's form is built and its lists filled; each form's
    rows are in :meth:`Inspector.form_fields` order, and a record then shows exactly."""
    doc, insp = _inspector(qtbot, small_project)
    qtbot.waitUntil(lambda: len(insp.forms) == 6 and not insp._ahead_timer.isActive(), timeout=5000)
    for kind, form in insp.forms.items():
        assert list(form.editors) == [name for name, _ in Inspector.form_fields(kind)]
    assert insp.forms["tie"].editors["context"].count() == 3
    doc.select("adult", "ad1")
    assert _values(insp) == {"id": "ad1", "label": "Jo", "area_code": "A2", "role": "youth worker",
                             "in_work": "", "recorded": _values(insp)["recorded"],
                             "updated": _values(insp)["updated"]}
    doc.select("tie", "ad1|yp3")
    tie = small_project.get_tie("ad1", "yp3")
    assert (insp.editors["type"].currentData(), insp.editors["opportunity"].currentData()) == (
        tie.type, "yes" if tie.opportunity else "no")


def test_adding_a_tie_refreshes_the_shown_ties(qtbot, small_project):
    """yp3 gains a friend tie with yp1: the list reads three ties, sorted by type then id."""
    doc, insp = _inspector(qtbot, small_project)
    doc.select("young_person", "yp3")
    commands.push_edit(doc, commands.AddTie(doc, Tie("yp3", "yp1", "friend")))
    assert insp.tie_model.stringList() == ["Friend — Robin (yp1)", "Friend — Sam (yp2)", "Worker — Jo (ad1)"]


def test_forms_are_built_before_any_project_and_the_young_persons_lists_while_a_job_runs(qtbot, small_project,
                                                                                        monkeypatch):
    """The forms need no project: an inspector left idle builds all six before one is opened.
    Once a project is shown, the young person's list of areas is filled at once even while a
    job runs (the scenario set-up made ahead), the other kinds' lists only once none does."""
    from socialmap.ui import workers

    doc = ProjectDocument()
    insp = Inspector(doc)
    qtbot.addWidget(insp)
    qtbot.waitUntil(lambda: len(insp.forms) == 6 and not insp._ahead_timer.isActive(), timeout=5000)
    assert list(insp.forms) == list(Inspector.AHEAD_ORDER)
    assert insp.forms["young_person"].editors["area_code"].count() == 0  # no project yet

    class Busy:
        idle = type("Idle", (), {"is_set": staticmethod(lambda: False)})()

    monkeypatch.setattr(workers, "executor", lambda: Busy)
    doc.set_project(small_project, None)
    areas = len(small_project.areas)
    qtbot.waitUntil(lambda: insp.forms["young_person"].editors["area_code"].count() == areas + 1, timeout=5000)
    qtbot.wait(50)
    assert insp.forms["tie"].editors["context"].count() == 0  # waits for the job
    monkeypatch.undo()
    qtbot.waitUntil(lambda: insp.forms["tie"].editors["context"].count() == 3, timeout=5000)


def test_nothing_is_built_ahead_within_a_moment_of_a_user_action(qtbot, monkeypatch):
    """Work made ahead on the UI thread waits for a pause in the user's actions (a form or a
    list built between a selection and an edit held the edit up): no form within
    AHEAD_AFTER_ACTION_S of an action, every form after it."""
    import time

    from socialmap.ui import workers

    monkeypatch.setattr(Inspector, "AHEAD_DELAY_MS", 50)
    doc = ProjectDocument()
    insp = Inspector(doc)
    qtbot.addWidget(insp)
    workers.ui_action()
    start = time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - start > 0.25, timeout=5000)
    assert insp.forms == {}
    qtbot.waitUntil(lambda: len(insp.forms) == 6, timeout=5000)
    assert time.monotonic() - start >= Inspector.AHEAD_AFTER_ACTION_S
