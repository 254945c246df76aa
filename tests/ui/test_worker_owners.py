"""A job's signals arriving after the window (or panel) that started it is gone touch nothing."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings

from socialmap.ui import workers
from tests.ui.conftest import WAIT_MS


def test_an_owned_function_is_called_while_its_owner_lives_and_not_after():
    owner = QObject()
    calls = []
    fn = workers.owned(owner, lambda *args: calls.append(args) or "r")
    assert fn(1, "a") == "r" and calls == [(1, "a")]
    shiboken6.delete(owner)
    assert fn(2) is None and calls == [(1, "a")]


def test_a_file_whose_reading_ends_after_its_window_was_deleted_touches_nothing(qtbot, qapp, tmp_path, project_file):
    """Opening a file, the window deleted before the job's queued signals (preview, finished,
    done) are delivered: no call on the deleted window, no error in the event loop, and the
    job lets go of itself."""
    from socialmap.ui.mainwindow import MainWindow

    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.show()
    qtbot.waitUntil(lambda: window.map.ready, timeout=WAIT_MS)
    got = []
    worker = window.open_path(project_file, then=lambda loaded: got.append(loaded))
    window.doc.undo_stack.setClean()
    window.close()
    shiboken6.delete(window)  # (the window's C++ object gone, its Python wrapper still held)
    assert workers.wait_all(WAIT_MS)
    qapp.sendPostedEvents(None, 0)  # the job's queued signals delivered
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    assert worker not in workers._LIVE
    assert got  # (a caller's own function is still called: it is not the window's)


def test_a_recovery_copy_whose_reading_ends_after_its_window_was_deleted_touches_nothing(qtbot, qapp, tmp_path,
                                                                                       project_file):
    """The restored copy's marking as unsaved work is the window's: not called once it is gone."""
    from socialmap.ui.mainwindow import MainWindow

    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.show()
    qtbot.waitUntil(lambda: window.map.ready, timeout=WAIT_MS)
    worker = window.restore_recovery({"path": str(project_file), "recovery": str(project_file)})
    window.doc.undo_stack.setClean()
    window.close()
    shiboken6.delete(window)
    assert workers.wait_all(WAIT_MS)
    qapp.sendPostedEvents(None, 0)
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    assert worker not in workers._LIVE
