"""Change over time in the window (issue 18): ending a tie (undoable), dates in the inspector."""

from __future__ import annotations

import datetime as dt

from tests.ui.conftest import WAIT_MS, open_and_wait, wait_drawn


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


def test_the_as_of_date_redraws_the_ties_in_force_that_day(make_window, qtbot, project_file, tmp_path):
    """yp1-yp2 (bonding) ended on 1 Sept 2025: drawn on 31 Aug, not today; the analysis of
    31 Aug counts it (yp1's bonding tie), as the CLI's --as-of does."""
    from PySide6.QtCore import QDate

    from socialmap.store import load_project, save_project

    p = load_project(project_file)
    p.update_tie("yp1", "yp2", until=dt.date(2025, 9, 1))
    path = tmp_path / "dated.gpkg"
    save_project(p, path)
    window = make_window()
    today = open_and_wait(window, qtbot, path)
    assert today["ties"]["bonding"] == 0
    window.as_of_edit.setDate(QDate(2025, 8, 31))
    assert window.doc.as_of == dt.date(2025, 8, 31)
    qtbot.waitUntil(lambda: (window.map.last_counts or {}).get("ties", {}).get("bonding") == 1, timeout=WAIT_MS)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    assert panel.result["analysis"].people.loc["yp1", "bonding"] == 1


def test_save_a_snapshot_compare_and_colour_the_map(make_window, qtbot, project_file):
    """A snapshot of today, then ending yp2-yp3 (bridging A1-A2) and comparing the snapshot with
    the project tomorrow: A1 and A2 each lose 1 bridging tie (100%: flagged); the map is
    coloured by the chosen change; undo takes the snapshot back out."""
    from PySide6.QtCore import QDate

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    doc = window.doc
    with qtbot.waitSignal(doc.snapshotsChanged, timeout=WAIT_MS):
        window.save_snapshot("before")
    assert "before" in doc.project.snapshots and doc.dirty
    panel = window.change_panel
    assert panel.snapshot_names == ["before"]
    assert panel.before_choice.currentData() == "#before"
    doc.select("tie", "yp2|yp3")
    assert window.inspector.end_tie()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    panel.after_date.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    styles = []
    panel.mapStyleRequested.connect(styles.append)
    assert panel.run() is not None
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    change = panel.result["change"]
    assert (change.areas.loc["A1", "lost_bridging"], change.areas.loc["A2", "lost_bridging"]) == (1, 1)
    assert change.areas["flagged"].all()
    assert panel.model.rowCount() == 2
    assert panel.colour_choice.currentData() == "mean_linking_change"
    panel.colour_choice.setCurrentIndex(panel.colour_choice.findData("lost_bridging"))
    assert styles and styles[-1]["legend"]["title"] == "Lost bridging"
    assert set(styles[-1]["colours"]) == {"A1", "A2"}
    assert panel.report_sides() == {"before": "#before", "after": f"@{tomorrow.isoformat()}", "scenario": None}
    doc.undo_stack.undo()  # the ended tie
    doc.undo_stack.undo()  # the snapshot
    assert doc.project.snapshots == {} and panel.snapshot_names == []


def test_predicted_against_observed_in_the_panel_and_its_estimates_as_defaults(make_window, qtbot, project_file,
                                                                                tmp_path):
    """small_project with a saved transfer of s1 (retention 0.8) and a snapshot; ad1, s1's only staff,
    leaves (its worker tie ends): retention estimated 0 from 1 case; using it sets the project's
    retention to 0 (undoable)."""
    from PySide6.QtCore import QDate

    from socialmap.model import Node
    from socialmap.scenarios import Scenario, Transfer
    from socialmap.store import load_project, save_project
    from socialmap.store.snapshots import make_snapshot

    p = load_project(project_file)
    p.add_node(Node("o2", "organisation", "New provider", lat=53.404, lon=-2.284))
    Scenario("re-tender", [Transfer("s1", "o2", 0.8)], 0.5).save(p)
    p.snapshots["before"] = make_snapshot(p, "before", as_of=dt.date(2025, 8, 31))
    p.update_tie("ad1", "yp3", until=dt.date(2025, 9, 1))
    path = tmp_path / "history.gpkg"
    save_project(p, path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    panel = window.change_panel
    panel.after_date.setDate(QDate(2025, 9, 1))
    panel.scenario_choice.setCurrentIndex(panel.scenario_choice.findData("re-tender"))
    assert panel.run() is not None
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    check = panel.result["check"]
    assert check.calibration["retention"]["cases"] == 1 and check.calibration["retention"]["estimate"] == 0.0
    assert "Estimated retention: 0.00 from 1 cases" in panel.calibration.text()
    assert panel.use_estimates_button.isEnabled()
    assert panel.use_estimates()
    assert window.doc.project.settings["retention"] == 0.0
    window.doc.undo_stack.undo()
    assert window.doc.project.setting("retention") == 0.5


def test_compare_with_another_project_file(make_window, qtbot, project_file, tmp_path):
    """BEFORE another file (small_project as saved), AFTER the open project with yp2-yp3 ended
    yesterday: one bridging tie lost, counted for A1 and A2."""
    from socialmap.store import load_project, save_project

    p = load_project(project_file)
    p.update_tie("yp2", "yp3", until=dt.date.today() - dt.timedelta(days=1))
    later = tmp_path / "later.gpkg"
    save_project(p, later)
    window = make_window()
    open_and_wait(window, qtbot, later)
    panel = window.change_panel
    assert panel.choose_other_file(str(project_file))
    before, after, _ = panel.sides()
    assert before.startswith(str(project_file) + "@")
    assert panel.run() is not None
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    assert panel.result["change"].summary["ties_lost_by_class"]["bridging"] == 1
