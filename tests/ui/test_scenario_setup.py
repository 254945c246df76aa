"""The scenario set-up made ahead after opening (ScenarioPanel._prepare, workers.prepare_scenarios),
carried over edits that change nothing it reads, and the pickers over list models."""

from __future__ import annotations

import weakref

import pytest
from PySide6.QtCore import Qt

from socialmap.model import Area, Node, Project, Tie
from socialmap.ui import workers
from socialmap.ui.commands import UpdateNode
from tests.ui.conftest import WAIT_MS, open_and_wait


def _prepared(window):
    return workers.prepared_for(window.doc.project, window.doc.measure_date())


def _no_copies(monkeypatch) -> list:
    """Record every copy of the project a job takes (the shared one and a fresh one)."""
    copies: list = []
    real = workers.frozen_copy
    monkeypatch.setattr(workers, "frozen_copy", lambda source: copies.append(source) or real(source))
    return copies


def test_first_scenario_runs_on_the_setup_made_ahead(make_window, qtbot, three_area_file, monkeypatch):
    """After opening, the set-up is made in the background; the first scenario then takes no
    copy of the project and refuses no edit meanwhile, and its figures are those of
    test_panels' hand computation: decommissioning s1 isolates yp1 (NEET, A1: 1.0) and
    loses the bridging tie yp2-yp3 made at s1 with expectation 0.5 (A1 and A2: 50%)."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    qtbot.waitUntil(lambda: _prepared(window) is not None, timeout=WAIT_MS)
    copies = _no_copies(monkeypatch)
    locks: list = []
    window.doc.lockChanged.connect(locks.append)
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS) as blocker:
        panel.run()
    areas = blocker.args[0].areas
    assert areas.loc["A1", "newly_isolated_neet"] == pytest.approx(1.0)
    assert areas.loc["A1", "bridging_loss_pct"] == pytest.approx(50.0)
    assert areas.loc["A2", "bridging_loss_pct"] == pytest.approx(50.0)
    assert not areas.loc["A3", "flagged"]
    assert copies == [] and locks == []


def test_a_relabel_keeps_the_setup_and_the_ranking_shows_the_new_label(make_window, qtbot, three_area_file,
                                                                        monkeypatch):
    """Relabelling s1 (and undoing it) changes nothing the set-up reads: it is kept, no copy
    is taken, and the ranking shows the label the project has now."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    qtbot.waitUntil(lambda: _prepared(window) is not None, timeout=WAIT_MS)
    copies = _no_copies(monkeypatch)
    window.push(UpdateNode(window.doc, "s1", {"label": "Renamed club"}))
    assert _prepared(window) is not None
    panel = window.scenario_panel
    with qtbot.waitSignal(panel.rankDone, timeout=WAIT_MS) as blocker:
        panel.run_rank()
    services = blocker.args[0].services.set_index("id")
    assert services.loc["s1", "label"] == "Renamed club"
    assert services.loc["s1", "newly_isolated"] == pytest.approx(blocker.args[0].services["newly_isolated"].max())
    window.doc.undo_stack.undo()
    assert _prepared(window) is not None
    assert copies == []
    qtbot.waitUntil(lambda: panel.stability_worker is None, timeout=WAIT_MS)


def test_an_edit_the_setup_reads_drops_it_and_the_scenario_follows_the_edit(make_window, qtbot, three_area_file):
    """yp1 no longer NEET: the set-up is dropped (it counts NEET young people), and the next
    scenario has A1's newly isolated NEET at 0; newly isolated stay 1.5 (yp1 for certain, yp2
    with 0.5: its one bridging tie, yp2-yp3, was made at s1)."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    qtbot.waitUntil(lambda: _prepared(window) is not None, timeout=WAIT_MS)
    dropped = weakref.ref(workers._prepared[0])
    window.push(UpdateNode(window.doc, "yp1", {"neet": False}))
    assert _prepared(window) is None
    # freed once the edit is on screen, not inside it
    assert dropped() is not None
    qtbot.waitUntil(lambda: dropped() is None, timeout=5 * workers.FREE_AFTER_MS)
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS) as blocker:
        panel.run()
    areas = blocker.args[0].areas
    assert areas.loc["A1", "newly_isolated"] == pytest.approx(1.5)
    assert areas.loc["A1", "newly_isolated_neet"] == pytest.approx(0.0)
    # and it is made ahead again once the edits stop
    panel.PREPARE_AFTER_EDIT_MS = 10
    panel._after_edit()
    qtbot.waitUntil(lambda: _prepared(window) is not None, timeout=WAIT_MS)


def _town() -> Project:
    from shapely.geometry import box

    p = Project()
    p.add_area(Area("A1", "North", box(-2.30, 53.40, -2.29, 53.41)))
    p.add_node(Node("o1", "organisation", "College", lat=53.405, lon=-2.295))
    p.add_node(Node("s1", "service", "Youth club", lat=53.405, lon=-2.295, provider="o1"))
    p.add_node(Node("yp1", "young_person", "Robin", area_code="A1", neet=True))
    p.add_tie(Tie("yp1", "s1", "attends"))
    return p


def _two_areas() -> Project:
    """_town and a second area: yp3 in A2, a friend of yp1 met at s1 (a bridging tie whose
    context is s1)."""
    from shapely.geometry import box

    p = _town()
    p.add_area(Area("A2", "South", box(-2.30, 53.39, -2.29, 53.40)))
    p.add_node(Node("yp3", "young_person", "Sam", area_code="A2", neet=False))
    p.add_tie(Tie("yp1", "yp3", "friend", context="s1"))
    return p


def test_the_setup_made_ahead_gives_the_figures_of_a_scenario_without_it():
    """Decommissioning s1, by hand: yp1 loses the attends tie for certain and the bridging tie
    to yp3 with 1 - S = 0.5 (its context goes), so yp1 (NEET, A1) is newly isolated with 0.5
    and yp3 (A2) with 0.5; bridging lost 0.5 of 1 in each area (50%), linking 1.0 in A1. The
    same figures, frame for frame, from the set-up made ahead (on a view that took the
    project's own cached arrays) and from a project that never had one."""
    import pandas as pd

    from socialmap.analysis import graph_arrays
    from socialmap.scenarios import Decommission, evaluate

    p = _two_areas()
    graph_arrays(p)
    p.has_dated_ties()
    assert workers.install_prepared(p, workers.prepare_scenarios(p))
    ahead = evaluate(workers.prepared_for(p), [Decommission("s1")], sensitivity=True)
    alone = evaluate(_two_areas(), [Decommission("s1")], sensitivity=True)
    areas = ahead.areas
    assert areas.loc["A1", "newly_isolated"] == pytest.approx(0.5)
    assert areas.loc["A1", "newly_isolated_neet"] == pytest.approx(0.5)
    assert areas.loc["A2", "newly_isolated"] == pytest.approx(0.5)
    assert areas.loc["A2", "newly_isolated_neet"] == pytest.approx(0.0)
    assert areas.loc["A1", "lost_linking"] == pytest.approx(1.0)
    assert list(areas["bridging_loss_pct"]) == pytest.approx([50.0, 50.0])
    pd.testing.assert_frame_equal(ahead.areas, alone.areas)
    assert ahead.summary == alone.summary
    pd.testing.assert_frame_equal(ahead.sensitivity.ranges, alone.sensitivity.ranges)


def test_advance_takes_label_edits_only_and_one_touch_per_edit():
    """The set-up made ahead follows a relabel (the view gets the new record), but not an edit
    of a field it reads, nor an edit it was not told of."""
    p = _town()
    prepared = workers.prepare_scenarios(p)
    assert workers.install_prepared(p, prepared)
    p.update_node("s1", label="Club")
    assert workers.advance_prepared(p, nodes=["s1"])
    assert workers.prepared_for(p).nodes["s1"].label == "Club"
    p.update_node("s1", label="Club again")
    p.update_node("s1", label="Club thrice")  # two touches, one signalled
    assert not workers.advance_prepared(p, nodes=["s1"])
    assert workers.prepared_for(p) is None
    assert workers.install_prepared(p, workers.prepare_scenarios(p))
    p.update_node("yp1", neet=False)
    assert not workers.advance_prepared(p, nodes=["yp1"])
    assert workers.prepared_for(p) is None


def test_edits_made_while_the_setup_is_made_are_replayed_over_it():
    """An edit signalled while the set-up was being made is replayed when it is installed:
    a relabel carries it over, a new tie refuses it."""
    p = _town()
    prepared = workers.prepare_scenarios(p)
    p.update_node("yp1", label="Robin B")
    edits = [workers.record_edit(p, nodes=["yp1"]), workers.record_edit(p, ties=[("s1", "yp1")])]
    assert workers.install_prepared(p, prepared, edits)
    assert workers.prepared_for(p).nodes["yp1"].label == "Robin B"
    prepared = workers.prepare_scenarios(p)
    p.update_node("yp1", age=17)
    p.add_node(Node("yp2", "young_person", "Sam", area_code="A1"))
    assert not workers.install_prepared(p, prepared, [workers.record_edit(p, nodes=["yp1"])])


def test_edits_made_before_the_view_was_taken_are_in_it_and_not_replayed():
    """The set-up's job imports its modules (giving way to the UI thread, for a second or more)
    before it takes its view: edits signalled meanwhile are in the view already, so the set-up
    is installed; an edit of a field it reads after the view was taken still refuses it."""
    p = _town()
    p.update_node("yp1", label="Robin B")
    before = [workers.record_edit(p, nodes=["yp1"])]
    p.update_node("yp1", neet=False)  # a field the set-up reads, also before the view
    before.append(workers.record_edit(p, nodes=["yp1"]))
    prepared = workers.prepare_scenarios(p)
    assert workers.install_prepared(p, prepared, before)
    target = workers.prepared_for(p)
    assert target.nodes["yp1"].label == "Robin B" and target.nodes["yp1"].neet is False
    prepared = workers.prepare_scenarios(p)
    p.update_node("yp1", label="Robin C")
    after = [*before, workers.record_edit(p, nodes=["yp1"])]
    assert workers.install_prepared(p, prepared, after)
    assert workers.prepared_for(p).nodes["yp1"].label == "Robin C"
    prepared = workers.prepare_scenarios(p)
    p.update_node("yp1", neet=True)
    assert not workers.install_prepared(p, prepared, [*after, workers.record_edit(p, nodes=["yp1"])])


def test_a_copy_is_let_go_of_in_pieces_only_when_no_one_else_holds_it():
    """A dropped shared copy gives back its records a piece at a time (each popped), unless
    someone else still holds the copy or one of its dicts."""
    popped: list = []

    class Counting(dict):
        def popitem(self):
            popped.append(1)
            return super().popitem()

    p = _town()
    box = [workers.frozen_copy(p)]
    assert box[0].version == p.version and sorted(box[0].nodes) == sorted(p.nodes)
    box[0].nodes = Counting(box[0].nodes)
    workers._let_go(box.pop())
    assert len(popped) == len(p.nodes)
    popped.clear()
    keep = workers.frozen_copy(p)
    keep.nodes = Counting(keep.nodes)
    workers._let_go(keep)  # held here as well: left as it is
    assert popped == [] and len(keep.nodes) == len(p.nodes)
    box = [keep]
    shared = keep.nodes
    del keep
    workers._let_go(box.pop())  # its nodes dict is held here: left, the rest given back
    assert popped == [] and len(shared) == len(p.nodes)


# ---------------------------------------------------------------------- pickers
def test_pickers_hold_every_service_and_organisation_sorted_and_find_them(make_window, qtbot, three_area_file):
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    pick = panel.service_pick
    assert [pick.itemText(i) for i in range(pick.count())] == ["Drop-in (s2)", "Youth club (s1)"]
    assert pick.findData("s1") == 1 and pick.findData("nope") == -1
    assert pick.findText("Youth club (s1)") == 1
    assert window.anchor_panel.org_pick.itemText(0) == "Northfield College (o1) — anchor"
    # the new provider of a service: every organisation but its own provider (o1 provides both)
    pick.setCurrentIndex(1)
    assert panel.target_org.count() == 0
    assert panel.current_provider.text() == "Northfield College (o1)"


def test_pickers_follow_edits_of_services_and_organisations(make_window, qtbot, three_area_file):
    """A service relabelled moves in the picker, one removed leaves it and comes back on undo, a
    new organisation joins both organisation pickers in its place; each picker keeps its choice."""
    from socialmap.ui.commands import AddNode, RemoveNode, UpdateNode

    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel, anchors = window.scenario_panel, window.anchor_panel
    pick = panel.service_pick

    def texts(combo):
        return [combo.itemText(i) for i in range(combo.count())]

    pick.setCurrentIndex(pick.findData("s1"))
    window.push(UpdateNode(window.doc, "s2", {"label": "Zebra drop-in"}))
    assert texts(pick) == ["Youth club (s1)", "Zebra drop-in (s2)"] and pick.currentData() == "s1"
    window.push(RemoveNode(window.doc, "s2"))
    assert texts(pick) == ["Youth club (s1)"]
    window.doc.undo_stack.undo()
    assert texts(pick) == ["Youth club (s1)", "Zebra drop-in (s2)"] and pick.currentData() == "s1"
    window.push(AddNode(window.doc, Node("o9", "organisation", "Ashdown Trust", lat=53.405, lon=-2.295)))
    assert texts(panel.org_pick)[0] == "Ashdown Trust (o9)"
    assert texts(anchors.org_pick)[:2] == ["Northfield College (o1) — anchor", "Ashdown Trust (o9)"]


def test_typing_in_a_closed_picker_chooses_the_first_item_it_starts(make_window, qtbot, three_area_file):
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    pick = window.scenario_panel.service_pick
    pick.setCurrentIndex(0)
    pick.setFocus()
    qtbot.keyClicks(pick, "you")
    assert pick.currentData() == "s1"
    qtbot.wait(1100)  # Qt's type-ahead starts again after a pause
    qtbot.keyClicks(pick, "d")
    assert pick.currentData() == "s2"


def test_choice_model_matches_like_qt():
    from socialmap.ui.pickers import ChoiceModel

    model = ChoiceModel()
    model.set_choices(["Alpha (a)", "beta (b)", "Alphabet (c)"], ["a", "b", "c"])
    start = model.index(0, 0)
    rows = lambda hits: [i.row() for i in hits]  # noqa: E731
    assert rows(model.match(start, Qt.ItemDataRole.UserRole, "c")) == [2]
    assert rows(model.match(start, Qt.ItemDataRole.DisplayRole, "alpha", -1, Qt.MatchFlag.MatchStartsWith)) == [0, 2]
    assert rows(model.match(model.index(1, 0), Qt.ItemDataRole.DisplayRole, "alp", 1,
                            Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchWrap)) == [2]
    assert rows(model.match(start, Qt.ItemDataRole.DisplayRole, "Beta (b)", 1, Qt.MatchFlag.MatchExactly)) == []
    assert rows(model.match(start, Qt.ItemDataRole.DisplayRole, "Beta (b)", 1, Qt.MatchFlag.MatchFixedString)) == [1]
    assert rows(model.match(start, Qt.ItemDataRole.DisplayRole, "(b)", -1, Qt.MatchFlag.MatchContains)) == [1]
    assert rows(model.match(start, Qt.ItemDataRole.DisplayRole, "Al*", -1, Qt.MatchFlag.MatchWildcard)) == [0, 2]


# ---------------------------------------------------------------------- tables at opening
def test_tables_take_a_copy_of_the_loading_jobs_indexes_which_edits_change(make_window, qtbot, three_area_file):
    """The tables show the project's row indexes as the loading job made them, in a copy of
    their own taken when the project is shown (set aside from collection with it: see
    tests/ui/test_worker_lock_holding.py), which edits change: the project's indexes of the
    version they came from stay as they were."""
    from socialmap.ui import indexes
    from socialmap.ui.commands import AddNode, AddTie

    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    project = window.doc.project
    young, ties = window.tables["young_person"]["model"], window.tables["tie"]["model"]
    made_ids, made_ties = indexes.node_ids(project, "young_person"), indexes.tie_ids(project)
    assert young.ids == made_ids and ties.ids == made_ties
    assert young.ids is not made_ids and ties.ids is not made_ties
    proxy = window.tables["young_person"]["proxy"]
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["yp1", "yp2", "yp3", "yp4", "yp5"]
    window.push(AddNode(window.doc, Node("yp6", "young_person", "Ash", area_code="A1")))
    window.push(AddTie(window.doc, Tie("yp6", "yp1", "friend")))
    assert made_ids == ["yp1", "yp2", "yp3", "yp4", "yp5"] and len(made_ties) == 9
    assert young.ids[-1] == "yp6" and young.row_of["yp6"] == 5 and ("yp1", "yp6") in ties.row_of
    assert proxy.index(5, 0).data() == "yp6"
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert young.ids == ["yp1", "yp2", "yp3", "yp4", "yp5"] and len(ties.ids) == 9


def _opened_with_setup_held(make_window, qtbot, path, monkeypatch):
    """A window with ``path`` open whose set-up made ahead is running and held until the
    returned event is set: ``(window, its scenario panel, the event)``."""
    import threading

    go = threading.Event()
    real = workers.prepare_scenarios

    def held(source, on=None, progress=None, cancelled=None):
        go.wait(WAIT_MS / 1000)
        return real(source, on)

    monkeypatch.setattr(workers, "prepare_scenarios", held)
    window = make_window()
    panel = window.scenario_panel
    open_and_wait(window, qtbot, path)
    qtbot.waitUntil(lambda: panel.prepare_worker is not None and panel.prepare_worker.running, timeout=WAIT_MS)
    return window, panel, go


def test_a_scenario_asked_for_while_the_setup_is_made_waits_for_it(make_window, qtbot, three_area_file,
                                                                    monkeypatch):
    """Run before the set-up made ahead is ready (held here until the scenario is asked for):
    the scenario waits for it and runs on it, with no copy of its own and the same figures."""
    window, panel, go = _opened_with_setup_held(make_window, qtbot, three_area_file, monkeypatch)
    copies = _no_copies(monkeypatch)
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS) as blocker:
        panel.run()
        assert panel._waiting and not panel.run_button.isEnabled()
        go.set()
    assert blocker.args[0].areas.loc["A1", "newly_isolated_neet"] == pytest.approx(1.0)
    assert copies == [] and _prepared(window) is not None


def test_a_scenario_asked_for_before_the_setup_is_begun_makes_it_at_once_and_runs_on_it(make_window, qtbot,
                                                                                     three_area_file, monkeypatch):
    """Run right after opening, before the set-up made ahead has begun (its delay made long here):
    the set-up is made now, at full speed, and the scenario runs on it: no copy of the project,
    no edit refused, the hand-computed figures (A1: yp1 NEET isolated 1.0, bridging 50%)."""
    window = make_window()
    panel = window.scenario_panel
    panel.PREPARE_DELAY_MS = 600_000
    open_and_wait(window, qtbot, three_area_file)
    assert panel.prepare_worker is None and _prepared(window) is None
    copies = _no_copies(monkeypatch)
    locks: list = []
    window.doc.lockChanged.connect(locks.append)
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS) as blocker:
        panel.run()
        assert panel.prepare_worker is not None and not panel.prepare_worker.polite
    areas = blocker.args[0].areas
    assert areas.loc["A1", "newly_isolated_neet"] == pytest.approx(1.0)
    assert areas.loc["A1", "bridging_loss_pct"] == pytest.approx(50.0)
    assert copies == [] and locks == [] and _prepared(window) is not None
    # and it did not give way to the UI thread (whose tick the panel runs only for a polite job):
    # after a change the set-up does not see (a touch, as the responsiveness test makes), the
    # scenario takes what it takes on a fresh set-up, not GIVE_WAY_TOTAL_S of pauses
    import time

    window.doc.project.touch()
    t0 = time.monotonic()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS):
        panel.run()
    assert time.monotonic() - t0 < workers.GIVE_WAY_TOTAL_S / 2


def test_the_job_making_the_setup_gives_way_while_the_ui_thread_is_late(monkeypatch):
    """On the job's own thread, a pause between pieces waits while the UI thread's tick is
    late (at most GIVE_WAY_MAX_S, and GIVE_WAY_TOTAL_S for the job), not when it is fresh;
    any other thread never waits."""
    import threading
    import time

    monkeypatch.setattr(workers, "_EXECUTOR", None)  # no other job queued
    monkeypatch.setattr(workers, "GIVE_WAY_MAX_S", 0.1)
    monkeypatch.setattr(workers, "GIVE_WAY_TOTAL_S", 0.15)
    monkeypatch.setattr(workers, "_given", [0.0])
    monkeypatch.setattr(workers, "_polite_thread", [threading.get_ident()])
    monkeypatch.setattr(workers, "ui_heartbeat", [time.monotonic() - 10])
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert 0.1 <= time.monotonic() - t0 < 0.5
    t0 = time.monotonic()
    workers._give_way_to_ui()  # what is left of GIVE_WAY_TOTAL_S: 0.05 s, then no more
    assert 0.04 <= time.monotonic() - t0 < 0.1
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert time.monotonic() - t0 < 0.03
    workers._given[0] = 0.0
    workers.ui_heartbeat[0] = time.monotonic()
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert time.monotonic() - t0 < 0.03
    workers.ui_heartbeat[0] = time.monotonic() - 10
    workers._polite_thread[0] = None
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert time.monotonic() - t0 < 0.03


def test_the_job_gives_way_at_once_after_a_user_action_and_not_once_hurried(monkeypatch):
    """A user action (a selection, an edit, a sort or search: workers.ui_action, called by the
    document's signals before any view's slot) pauses the polite job for ACTION_S even while
    the UI thread's tick is fresh; once a scenario waits for the set-up (workers.hurry) it
    gives way no more, however busy the UI thread."""
    import threading
    import time

    from socialmap.ui.document import ProjectDocument

    monkeypatch.setattr(workers, "_EXECUTOR", None)  # no other job queued
    monkeypatch.setattr(workers, "ACTION_S", 0.1)
    monkeypatch.setattr(workers, "_given", [0.0])
    monkeypatch.setattr(workers, "_polite_thread", [threading.get_ident()])
    monkeypatch.setattr(workers, "ui_heartbeat", [time.monotonic() + 60])  # a fresh tick throughout
    monkeypatch.setattr(workers, "_ui_action_at", [-1e9])
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert time.monotonic() - t0 < 0.03  # no action: on at once
    doc = ProjectDocument()
    doc.select("young_person", "yp1")  # the document's selection signal marks an action
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert 0.07 <= time.monotonic() - t0 < 0.3
    t0 = time.monotonic()
    workers._give_way_to_ui()  # the action's pause is over
    assert time.monotonic() - t0 < 0.03
    doc.nodesChanged.emit([], ["yp1"], [])  # an edit marks one too
    workers.hurry()
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert time.monotonic() - t0 < 0.03


def test_a_polite_job_gives_way_before_each_module_it_preloads_with_a_short_switch_interval(qtbot, monkeypatch):
    """A polite Worker (the window's warm-up) gives way to the UI thread before each module of
    its preload, and Python's switch interval is POLITE_SWITCH_INTERVAL_S while it runs (as it
    was after); a job that is not polite neither gives way nor changes the interval."""
    import sys
    import threading

    calls: list[str] = []
    monkeypatch.setattr(workers, "_give_way_to_ui", lambda: (
        calls.append("gave way") if threading.get_ident() == workers._polite_thread[0] else None))
    monkeypatch.setattr(workers, "_PRELOADED", set())
    seen: dict[str, float] = {}

    def job(progress=None, cancelled=None):
        seen["interval"] = sys.getswitchinterval()

    for polite in (True, False):
        calls.clear()
        interval = sys.getswitchinterval()
        worker = workers.Worker(job)
        worker.polite = polite
        worker.preload = (f"socialmap_test_not_a_module_{polite}", f"socialmap_test_nor_this_{polite}")
        with qtbot.waitSignal(worker.signals.done, timeout=WAIT_MS):
            workers.start(worker)
        workers.wait_all(WAIT_MS)
        assert sys.getswitchinterval() == interval
        if polite:
            assert seen["interval"] == pytest.approx(workers.POLITE_SWITCH_INTERVAL_S)
            assert calls == ["gave way", "gave way"]
        else:
            assert seen["interval"] == pytest.approx(interval)
            assert calls == []


def test_a_change_added_before_the_setup_is_ready_is_checked_from_the_records(make_window, qtbot, three_area_file,
                                                                             monkeypatch):
    """While the set-up made ahead is not ready (held here), adding a change builds no set-up of
    the project on the UI thread (it took about a second at 100,000 young people) and still
    refuses a bad one with validate_changes' reason; once it is ready, the same."""
    window, panel, go = _opened_with_setup_held(make_window, qtbot, three_area_file, monkeypatch)
    project = window.doc.project
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    panel._add_decommission()  # the same service twice
    assert [c.service for c in panel.changes] == ["s1"]
    assert panel.status.text() == "Not added: change 2 (decommission s1), field 'service': service 's1' is already gone: change 1 (decommission s1) removed it"
    assert "scenario_base" not in project._cache and "graph_arrays" not in project._cache
    go.set()
    qtbot.waitUntil(lambda: _prepared(window) is not None, timeout=WAIT_MS)
    checked: list = []
    import socialmap.scenarios as api

    monkeypatch.setattr(api, "validate_changes", lambda p, changes: checked.append(p) or real_validate(p, changes))
    real_validate = api.impact.validate_changes
    panel.clear()
    panel._add_decommission()
    # once it is ready, the same check of the records (no set-up of the project's own either)
    assert checked == [project] and [c.service for c in panel.changes] == ["s1"]
    assert "scenario_base" not in project._cache and "graph_arrays" not in project._cache


def test_a_polite_job_gives_way_no_more_once_another_job_is_queued(monkeypatch):
    """The window's warm-up at its start (or the set-up made ahead) is polite, but a file opened
    meanwhile is queued behind it: from then on it gets on at full speed."""
    import threading
    import time

    class Queue:
        pending = 1

    monkeypatch.setattr(workers, "_EXECUTOR", Queue)
    monkeypatch.setattr(workers, "GIVE_WAY_MAX_S", 0.1)
    monkeypatch.setattr(workers, "_given", [0.0])
    monkeypatch.setattr(workers, "_polite_thread", [threading.get_ident()])
    monkeypatch.setattr(workers, "ui_heartbeat", [time.monotonic() - 10])  # a late tick: busy
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert time.monotonic() - t0 >= 0.09  # alone: it waits
    Queue.pending = 2
    t0 = time.monotonic()
    workers._give_way_to_ui()
    assert time.monotonic() - t0 < 0.03


def test_the_window_warms_up_the_scenario_modules_at_its_start_with_its_tick(make_window, qtbot):
    """A window queues workers.warm_up at its start, a polite job importing SCENARIO_MODULES first;
    the UI thread's tick runs while it does and stops after."""
    started: list = []
    real = workers.start
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workers, "start", lambda worker: started.append((worker, worker.fn)) or real(worker))
        window = make_window()
        qtbot.waitUntil(lambda: bool(started), timeout=WAIT_MS)
    warm, fn = started[0]
    assert fn is workers.warm_up and warm.polite and warm.preload == workers.SCENARIO_MODULES
    panel = window.scenario_panel
    qtbot.waitUntil(lambda: warm.fn is None and not warm.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel._heartbeat.isActive(), timeout=WAIT_MS)


def test_the_view_is_taken_a_dict_at_a_time_and_taken_again_after_an_edit_between_them(monkeypatch):
    """The set-up's view copies the project's dicts one C call each (their records shared),
    giving way to the UI thread before each; an edit made in such a pause after a dict was
    copied (a node added, a node relabelled: the version moved) makes the job take the view
    again, so what it installs is the project as it is now."""
    p = _town()
    edits = [lambda: p.add_node(Node("yp9", "young_person", "Ash", area_code="A1")),
             lambda: p.update_node("yp1", label="Robin B")]
    pauses: list[int] = []

    def pause() -> None:
        pauses.append(1)
        if edits and len(pauses) in (2, 6):  # after the nodes were copied, in the first two takes
            edits.pop(0)()

    monkeypatch.setattr(workers, "_give_way_to_ui", pause)
    prepared = workers.prepare_scenarios(p)
    assert not edits and len(pauses) > 9  # three takes of three dicts, then the set-up's pauses
    assert workers.install_prepared(p, prepared)
    view = workers.prepared_for(p)
    assert "yp9" in view.nodes and view.nodes["yp1"].label == "Robin B"
    assert view.nodes == p.nodes and view.ties == p.ties and view.adjacency == p.adjacency
    assert view.nodes is not p.nodes and view.nodes["yp1"] is p.nodes["yp1"]


def test_views_share_one_copy_of_the_ties_until_a_tie_is_put_in_or_taken_out():
    """Views of the project taken while no tie was put in or taken out share one copy of its
    ties dict (a relabel or a move of a young person, the common edits, copy a city's ties no
    more); each edit of a tie (added, changed, removed, a context cleared by a place's removal,
    put back by its undo) makes the next view copy them again, and every view keeps the ties
    as they were when it was taken."""
    p = _two_areas()
    first = workers.snapshot_view(p)
    assert first.ties == p.ties and first.ties is not p.ties
    assert workers.snapshot_view(p).ties is first.ties
    p.update_node("yp1", label="Robin B")
    p.update_node("yp3", area_code="A1")
    relabelled = workers.snapshot_view(p)
    assert relabelled.ties is first.ties and relabelled.nodes["yp1"].label == "Robin B"
    taken = [(first, dict(first.ties))]
    edits = [lambda: p.add_tie(Tie("yp3", "s1", "attends")),
             lambda: p.update_tie("yp1", "yp3", strength=3),
             lambda: p.remove_tie("yp3", "s1"),
             lambda: removed.append(p.remove_node("s1")),  # yp1-yp3 loses its context s1
             lambda: p.restore_node(*removed.pop())]
    removed: list = []
    for edit in edits:
        edit()
        view = workers.snapshot_view(p)
        assert view.ties == p.ties and all(view.ties is not t.ties for t, _ in taken)
        taken.append((view, dict(view.ties)))
    assert taken[4][0].get_tie("yp1", "yp3").context is None and p.get_tie("yp1", "yp3").context == "s1"
    assert all(t.ties == as_taken for t, as_taken in taken)  # none changed by a later edit
    # another project's views copy its own
    other = _town()
    assert workers.snapshot_view(other).ties == other.ties and workers.snapshot_view(other).ties is not view.ties


def test_the_copy_of_the_ties_no_view_holds_is_let_go_of_when_the_next_is_made(monkeypatch):
    """Views dropped, a tie added: the next view's copy replaces the old one, which is emptied
    in pieces on the job thread (no view holds it); one still held by a view is left whole."""
    emptied = []
    real = workers._let_go_dict

    def watched(records, holders=0):
        before = len(records)
        real(records, holders=holders + 1)  # (this wrapper's name for it)
        emptied.append((before, len(records)))

    monkeypatch.setattr(workers, "_let_go_dict", watched)
    monkeypatch.setattr(workers, "_ties_copied", [])  # (none left by another test)
    p = _two_areas()
    workers.snapshot_view(p)  # (dropped at once)
    p.add_tie(Tie("yp3", "s1", "attends"))
    held = workers.snapshot_view(p)
    assert emptied == [(3, 0)]  # the first copy (its three ties: the provides tie too), let go of
    p.remove_tie("yp3", "s1")
    workers.snapshot_view(p)
    assert emptied[-1] == (4, 4) and held.ties == {**p.ties, ("s1", "yp3"): held.ties[("s1", "yp3")]}


def test_a_dict_is_let_go_of_only_when_no_one_else_holds_it():
    alone = {i: str(i) for i in range(10)}
    workers._let_go_dict(alone, holders=1)  # (this test's name for it)
    assert alone == {}
    shared = {i: str(i) for i in range(10)}
    held = [shared]
    workers._let_go_dict(shared, holders=1)
    assert len(held[0]) == 10


def test_the_view_takes_the_projects_cached_arrays_of_its_version_only():
    """What a capture takes of the project's cache: the entries made from its records at its
    version (the view has the same records in the same order), none of an older version."""
    from socialmap.analysis import graph_arrays

    p = _town()
    arrays = graph_arrays(p)
    p.has_dated_ties()
    view = workers.capture(p)
    assert graph_arrays(view) is arrays and view.has_dated_ties() is False
    p.update_node("yp1", label="Robin B")
    view = workers.capture(p)
    assert "graph_arrays" not in view._cache and "has_dated_ties" not in view._cache
    assert list(graph_arrays(view).ids) == list(arrays.ids)


def test_a_jobs_view_of_the_project_stays_as_it_was_taken(small_project, monkeypatch):
    """A view taken for the analysis (shared by the jobs that only read the project), with a
    turn for the UI thread after each of its three copies, then edits of every kind on the
    project: s1 removed (its ties go; yp2-yp3 and o1-ad1 lose their context s1), a new tie, a
    relabel, o1's provides tie to s2 removed (s2's provider cleared), a young person moved, s1
    put back with its ties and removed again. The view holds the project as it was, record
    for record and set for set (the same set objects, none changed), and the project holds the
    edits: no record or set the view holds was changed."""
    from tests.model.test_validation import _snapshot

    turns = []
    monkeypatch.setattr(workers, "let_others_run", lambda: turns.append(1))

    p = small_project
    p.add_node(Node("s2", "service", "Drop-in", lat=53.405, lon=-2.285, provider="o1"))
    view = workers.snapshot_view(p)
    before = _snapshot(view)
    sets = {nid: set(s) for nid, s in view.adjacency.items()}
    assert before == _snapshot(p) and view.version == p.version
    assert all(view.adjacency[n] is p.adjacency[n] for n in p.adjacency)  # shared, not copied
    assert len(turns) == 3  # after each copy
    removed = p.remove_node("s1")
    p.add_tie(Tie("yp1", "yp3", "friend"))
    p.update_node("yp1", label="Robin B")
    p.remove_tie("o1", "s2")
    p.update_node("yp3", area_code="A1")
    p.restore_node(*removed)
    assert p.adjacency["s1"] == sets["s1"] and p.adjacency["s1"] is not view.adjacency["s1"]
    p.remove_node("s1")
    assert {nid: set(s) for nid, s in view.adjacency.items()} == sets
    assert _snapshot(view) == before
    assert view.get_tie("yp2", "yp3").context == "s1" and p.get_tie("yp2", "yp3").context is None
    assert view.nodes["s2"].provider == "o1" and p.nodes["s2"].provider is None
    assert "s1" in view.adjacency["yp1"] and "yp3" not in view.adjacency["yp1"]
    assert workers.shared_snapshot(p) is not view


def test_the_analysis_modules_are_imported_ahead_one_a_job_in_the_pauses_after_the_setup(make_window, qtbot,
                                                                                        three_area_file, monkeypatch):
    """Once a file's set-up is made, each of the analysis's modules not yet imported is imported
    by a polite job of its own, only while no job runs and no user action began in the last
    IMPORT_IDLE_S; then the panel stops looking. The window's empty project starts none."""
    fake = ("socialmap_ahead_one", "socialmap_ahead_two")
    monkeypatch.setattr(workers, "ANALYSIS_MODULES", fake)
    imported: list = []
    real_start = workers.start
    jobs: list = []
    monkeypatch.setattr(workers, "start", lambda worker: jobs.append(worker) or real_start(worker))
    monkeypatch.setattr(workers, "preload", lambda names: (imported.extend(names), workers._PRELOADED.update(names)))
    for name in fake:
        workers._PRELOADED.discard(name)
    window = make_window()
    panel = window.scenario_panel
    qtbot.wait(300)
    assert not panel._imports_timer.isActive() and not set(imported) & set(fake)  # (the empty project)
    monkeypatch.setattr(panel, "IMPORT_IDLE_S", 0.05)
    panel._imports_timer.setInterval(20)
    open_and_wait(window, qtbot, three_area_file)
    qtbot.waitUntil(lambda: _prepared(window) is not None, timeout=WAIT_MS)
    assert panel._imports_timer.isActive() or set(fake) <= workers._PRELOADED  # (begun at the set-up's end)
    panel._imports_timer.stop()  # from the start again, to see it wait
    qtbot.waitUntil(lambda: workers.executor().idle.is_set(), timeout=WAIT_MS)
    imported.clear()
    jobs.clear()
    for name in fake:
        workers._PRELOADED.discard(name)
    workers.ui_action()  # a user action just begun: nothing imported now
    assert panel._import_next() is None and jobs == []
    qtbot.wait(100)
    from socialmap.ui import models
    steps = window.tables["tie"]["proxy"]._text_steps
    steps.start()  # a table's texts being made in steps: theirs first
    assert models.steps_pending() and panel._import_next() is None and jobs == []
    steps.stop()
    assert not models.steps_pending()
    panel._imports_timer.start()
    qtbot.waitUntil(lambda: not panel._imports_timer.isActive(), timeout=WAIT_MS)
    assert [name for name in imported if name in fake] == list(fake)
    ahead = [job for job in jobs if job.preload and set(job.preload) <= set(fake)]
    assert [job.preload for job in ahead] == [(fake[0],), (fake[1],)] and all(job.polite for job in ahead)
    for name in fake:
        workers._PRELOADED.discard(name)
