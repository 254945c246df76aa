"""The scenario set-up made ahead takes turns with the UI thread: the view's copies with a
handover of Python's lock between them, a pause cut short once a scenario waits for the set-up,
and the panel's job run with the collector paused (what it made set aside when it ends)."""

from __future__ import annotations

import gc
import threading
import time

from shapely.geometry import box

from socialmap.model import Area, Node, Project, Tie
from socialmap.ui import workers
from tests.ui.conftest import WAIT_MS, open_and_wait


class _Logged(dict):
    """A dict whose copy is written down in ``log``, in order with the turns."""

    def __init__(self, name: str, log: list, items) -> None:
        super().__init__(items)
        self.name, self.log = name, log

    def copy(self) -> dict:
        self.log.append(f"copy {self.name}")
        return dict(self)


def test_the_view_hands_the_lock_over_before_each_copy_and_after_the_last(monkeypatch):
    """capture: a handover (turns.let_others_run) and then a pause while the UI thread is busy
    before each of the three copies and once after them: they are one C call each (10-20 ms
    for a city's 391,000 ties), and run back to back they kept a waiting UI thread out."""
    p = Project()
    p.add_area(Area("A1", "North", box(0, 0, 1, 1)))
    p.add_node(Node("yp1", "young_person", "Robin", area_code="A1"))
    p.add_node(Node("yp2", "young_person", "Sam", area_code="A1"))
    p.add_tie(Tie("yp1", "yp2", "friend"))
    log: list[str] = []
    for name in ("nodes", "ties", "adjacency"):
        setattr(p, name, _Logged(name, log, getattr(p, name)))
    monkeypatch.setattr(workers, "let_others_run", lambda: log.append("handover"))
    monkeypatch.setattr(workers, "_give_way_to_ui", lambda: log.append("pause"))
    view = workers.capture(p)
    turn = ["handover", "pause"]
    assert log == [*turn, "copy nodes", *turn, "copy ties", *turn, "copy adjacency", *turn]
    assert view.nodes == {"yp1": p.nodes["yp1"], "yp2": p.nodes["yp2"]}
    assert view.ties == {("yp1", "yp2"): p.ties[("yp1", "yp2")]}
    assert view.adjacency == {"yp1": {"yp2"}, "yp2": {"yp1"}} and type(view.ties) is dict


def test_a_scenario_waiting_for_the_setup_ends_a_pause_begun_before_it(monkeypatch):
    """A pause of the polite job (the UI thread's tick late) in progress when a scenario asks
    for the set-up (workers.hurry) ends at its next look: one 5 ms sleep, not GIVE_WAY_MAX_S."""
    monkeypatch.setattr(workers, "_EXECUTOR", None)
    monkeypatch.setattr(workers, "_given", [0.0])
    monkeypatch.setattr(workers, "_polite_thread", [threading.get_ident()])
    monkeypatch.setattr(workers, "ui_heartbeat", [time.monotonic() - 10])  # late throughout
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            workers.hurry()  # (on the UI thread, while the job sleeps)

    monkeypatch.setattr(workers.time, "sleep", sleep)
    workers._give_way_to_ui()
    assert sleeps == [0.005, 0.005, 0.005]
    workers._give_way_to_ui()  # hurried: no pause at all
    assert len(sleeps) == 3


def test_the_panels_setup_job_runs_without_the_collector_and_sets_aside_what_it_made(
        make_window, qtbot, three_area_file, monkeypatch):
    """The job making the set-up ahead keeps its result (Worker.keeps_result): the collector is
    off while it runs (its view's dicts and lists are not walked by collections meanwhile),
    on again after, and the view it made is set aside from collection."""
    seen: list = []
    real = workers.prepare_scenarios

    def probe(*args, **kwargs):
        seen.append(gc.isenabled())
        prepared = real(*args, **kwargs)
        seen.append(gc.is_tracked(prepared.view.ties))
        return prepared

    monkeypatch.setattr(workers, "prepare_scenarios", probe)
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    qtbot.waitUntil(lambda: workers.prepared_for(window.doc.project, window.doc.measure_date()) is not None,
                    timeout=WAIT_MS)
    workers.wait_all(WAIT_MS)
    assert seen[:2] == [False, True] and gc.isenabled()
    view = workers._prepared[0].view
    # set aside: tracked, yet in none of the collector's generations (gc.get_objects leaves out
    # the objects gc.freeze moved to its permanent generation)
    assert gc.is_tracked(view.ties) and all(o is not view.ties for o in gc.get_objects())
