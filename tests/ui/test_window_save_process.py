"""A big project's save from the window: packed while edits wait (no copy), written by a
process of its own (socialmap.store.writer), the window clean afterwards and the file the same
project (the threshold lowered so the small test project takes that path)."""

from __future__ import annotations

from socialmap.store import load_project
from socialmap.ui import mainwindow
from tests.ui.conftest import WAIT_MS, open_and_wait
from tests.ui.test_mainwindow import state


def test_a_big_project_is_packed_and_saved_by_its_own_process(make_window, qtbot, project_file, tmp_path, monkeypatch):
    monkeypatch.setattr(mainwindow, "SAVE_IN_PROCESS_MAX_RECORDS", 0)
    taken = []
    real = mainwindow._take_for_saving
    monkeypatch.setattr(mainwindow, "_take_for_saving", lambda p: taken.append(real(p)) or taken[-1])
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.add_person("adult", "Pat", "A1", role="mentor")
    target = tmp_path / "saved.gpkg"
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS * 3):
        window.save_to(target)
    assert type(taken[0]).__name__ == "PackedProject"
    assert "*" not in window.windowTitle()
    assert state(load_project(target)) == state(window.doc.project)
