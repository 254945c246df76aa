"""Background jobs hand Python's lock back to the UI thread often (SPEC 10): big JSON texts are
made a piece at a time, and loading a project runs no full garbage collection over it."""

from __future__ import annotations

import gc
import json

import pytest

from socialmap.ui import workers
from tests.ui.conftest import WAIT_MS


def test_json_in_chunks_is_exactly_json_dumps():
    """The map's payload shapes, written in pieces of 3: the same text as ``json.dumps``
    (separators ", " and ": ", non-ASCII escaped, NaN as NaN, integer keys as text, empty
    containers), for lists shorter than, equal to and longer than a piece."""
    values = [
        {},
        [],
        {"ties": [{"key": f"yp{i}|yp{i + 1}", "cls": "bonding", "ends": [[53.5, -2.2], [53.6, -2.1]]}
                  for i in range(7)]},
        {"nodes": {"young_person": list(range(3)), "service": list(range(4))}, "bounds": None},
        {1: "one", "two": [1.5, float("nan"), None, True]},
        ["Café <b>", "\u2603", [], {}],
        [[i, [i]] for i in range(10)],
    ]
    for value in values:
        assert workers.json_in_chunks(value, chunk=3) == json.dumps(value)


@pytest.fixture(autouse=True)
def _collector_running():
    """Each test starts with no job running and the collector on, as a window's session does
    (a job an earlier test's window started pauses it while it runs)."""
    workers.wait_all(WAIT_MS)
    gc.enable()
    yield
    gc.enable()


def _job(probe: dict) -> list:
    probe["collector_on"] = gc.isenabled()
    return [{"made": i} for i in range(10)]


def _failing_job(probe: dict) -> None:
    probe["collector_on"] = gc.isenabled()
    raise ValueError("no such file")


def test_a_job_keeping_its_result_runs_without_the_collector_and_freezes_what_it_made(qtbot):
    """``keeps_result`` (opening a project): the collector is off during the job and on again
    after; on success what the job made is set aside from collection (the freeze count grows
    by at least the 11 objects returned: a list of 10 dicts), on failure nothing is frozen."""
    assert gc.isenabled()
    probe: dict = {}
    worker = workers.Worker(_job, probe, with_callbacks=False)
    worker.keeps_result = True
    kept: list = []
    worker.signals.finished.connect(kept.append)  # frozen objects that are freed leave the count
    before = gc.get_freeze_count()
    with qtbot.waitSignal(worker.signals.done, timeout=WAIT_MS):
        workers.start(worker)
    workers.wait_all(WAIT_MS)
    assert probe["collector_on"] is False
    assert gc.isenabled()
    assert len(kept[0]) == 10
    assert gc.get_freeze_count() >= before + 11

    probe = {}
    worker = workers.Worker(_failing_job, probe, with_callbacks=False)
    worker.keeps_result = True
    before = gc.get_freeze_count()
    with qtbot.waitSignal(worker.signals.failed, timeout=WAIT_MS):
        workers.start(worker)
    workers.wait_all(WAIT_MS)
    assert probe["collector_on"] is False
    assert gc.isenabled()
    assert gc.get_freeze_count() <= before  # (it can fall: frozen objects are still freed)


def test_other_jobs_leave_the_collector_on(qtbot):
    probe: dict = {}
    worker = workers.Worker(_job, probe, with_callbacks=False)
    with qtbot.waitSignal(worker.signals.done, timeout=WAIT_MS):
        workers.start(worker)
    assert probe["collector_on"] is True


def test_page_calls_made_while_an_opened_project_is_handed_over_run_after_it(make_window, qtbot, project_file):
    """The first payload of an opened project reaches the page in a turn of the event loop of
    its own; a script run as soon as ``projectLoaded`` is emitted (before that turn) waits for
    it, so it already sees every drawable tie of the small project."""
    from tests.ui.conftest import drawable_counts, js

    window = make_window()
    seen: dict = {}

    def as_soon_as_loaded() -> None:  # in the emission itself: no turn of the event loop between
        seen["handing_over"] = window.map._deferred is not None
        window.map.evaluate("JSON.stringify(SM.tieCount())", lambda r: seen.setdefault("ties", r))

    window.projectLoaded.connect(as_soon_as_loaded)
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS):
        window.open_path(project_file)
    qtbot.waitUntil(lambda: "ties" in seen, timeout=WAIT_MS)
    assert seen["handing_over"]  # the script was asked for before the hand-over
    expected = drawable_counts(window.doc.project)
    assert expected["ties"] > 0
    assert json.loads(seen["ties"]) == expected["ties"]
    assert js(window, qtbot, "SM.tieCount()") == expected["ties"]


def test_modules_a_job_imports_are_set_aside_from_collection(qtbot):
    """A job whose preload imports a module (here the standard library's ``tabnanny``, which
    nothing else imports) leaves the freeze count higher by at least the module's own objects:
    collections no longer walk them (esda, libpysal and scipy's parts in a first analysis)."""
    import sys

    if "tabnanny" in sys.modules:
        pytest.skip("tabnanny is imported already")
    kept: list = []
    worker = workers.Worker(_job, {}, with_callbacks=False)
    worker.preload = ("tabnanny",)
    worker.signals.finished.connect(kept.append)
    before = gc.get_freeze_count()
    with qtbot.waitSignal(worker.signals.done, timeout=WAIT_MS):
        workers.start(worker)
    workers.wait_all(WAIT_MS)
    assert "tabnanny" in sys.modules
    assert gc.get_freeze_count() > before + len(vars(sys.modules["tabnanny"]))


def test_the_tables_rows_of_an_opened_file_are_set_aside_and_edits_keep_them_so(make_window, qtbot, project_file):
    """Each table's list of ids is its own from the moment the file is shown, and set aside
    from collection with the project: an edit changes it in place. (Copied on the first edit,
    a city's 391,000 tie keys were a new list that the young collections then walked whole, in
    the middle of the next edits.)"""
    from socialmap.ui.commands import RemoveNode
    from tests.ui.conftest import open_and_wait

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    models = {kind: window.tables[kind]["model"] for kind in ("young_person", "tie")}
    lists = {kind: model.ids for kind, model in models.items()}
    from socialmap.ui import indexes

    assert lists["young_person"] is not indexes.node_ids(window.doc.project, "young_person")  # (its own)
    assert lists["tie"] is not indexes.tie_ids(window.doc.project)
    assert lists["tie"] == indexes.tie_ids(window.doc.project)
    walked = {id(o) for o in gc.get_objects()}  # every object the collector walks (not those set aside)
    assert not {id(ids) for ids in lists.values()} & walked
    person = next(n.id for n in window.doc.project.nodes.values()
                  if n.kind == "young_person" and window.doc.project.neighbours(n.id))
    ties = len(lists["tie"])
    window.push(RemoveNode(window.doc, person))
    assert models["young_person"].ids is lists["young_person"] and models["tie"].ids is lists["tie"]
    assert len(lists["tie"]) < ties and person not in lists["young_person"]
