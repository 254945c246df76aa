"""Encrypted projects in the window (issue 10, items 2 and 3): the passphrase is asked in a
dialog (again while wrong), saves and recovery copies stay encrypted, protecting and exporting an
unencrypted copy are explicit steps, and an idle window hides its data until the passphrase is
given again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressBar

from socialmap.store import is_encrypted, load_project, open_project_file, save_project_file
from socialmap.ui import protection, recovery, workers
from tests.ui.conftest import WAIT_MS, open_and_wait, wait_drawn

SECRET = "correct horse battery staple"


@pytest.fixture
def encrypted_file(tmp_path, small_project) -> Path:
    path = tmp_path / "small.smx"
    save_project_file(small_project, path, SECRET)
    return path


def _answers(window, monkeypatch, *answers):
    """Make the passphrase dialog answer ``answers`` in turn; returns the list of (path, wrong) asked."""
    asked, queue = [], list(answers)

    def ask(path, wrong=False):
        asked.append((Path(path).name, wrong))
        return queue.pop(0) if queue else None

    monkeypatch.setattr(window, "ask_passphrase", ask)
    return asked


def _labels_absent(path: Path, project) -> bool:
    """No label of 5 characters or more is in the file (shorter ones turn up by chance in random
    bytes: see tests/store/test_encrypted.py)."""
    data = path.read_bytes()
    labels = [n.label for n in project.nodes.values() if len(n.label) >= 5]
    assert labels
    return not any(label.encode() in data for label in labels)


def test_an_encrypted_project_opens_after_its_passphrase_is_asked(make_window, qtbot, encrypted_file, monkeypatch):
    window = make_window()
    asked = _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    assert asked == [("small.smx", False)]
    assert window.doc.passphrase == SECRET and window.doc.path == encrypted_file
    assert len(window.doc.project.nodes) == 6
    assert window.act_lock.isEnabled() and window.act_export_plain.isEnabled() and not window.act_protect.isEnabled()


def test_a_wrong_passphrase_is_asked_again_and_cancel_opens_nothing(make_window, qtbot, encrypted_file, project_file,
                                                                     monkeypatch):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    before = window.doc.project
    asked = _answers(window, monkeypatch, "not it", None)
    with qtbot.waitSignal(window.loadFailed, timeout=WAIT_MS) as failed:
        window.open_path(encrypted_file)
    assert asked == [("small.smx", False), ("small.smx", True)]
    assert failed.args == [f"{encrypted_file}: wrong passphrase, or the file is damaged"]
    assert window.doc.project is before and window.doc.passphrase is None
    assert window.last_error is None  # cancelling is the user's choice: no error box on top
    # then the right one opens it, from the recent-files path too
    asked = _answers(window, monkeypatch, "still wrong", SECRET)
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS):
        window.open_path(encrypted_file)
    assert asked == [("small.smx", False), ("small.smx", True)] and window.doc.passphrase == SECRET


def test_saving_an_encrypted_project_keeps_it_encrypted(make_window, qtbot, encrypted_file, monkeypatch):
    window = make_window()
    _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    window.add_person("young_person", "Zephyrine", "A2")
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.save()
    assert is_encrypted(encrypted_file) and _labels_absent(encrypted_file, window.doc.project)
    assert b"Zephyrine" not in encrypted_file.read_bytes()
    assert "Zephyrine" in {n.label for n in open_project_file(encrypted_file, SECRET).project.nodes.values()}


def test_protect_with_a_passphrase_then_delete_the_plain_file(make_window, qtbot, project_file, tmp_path, monkeypatch):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    assert window.act_protect.isEnabled() and not window.act_lock.isEnabled()
    target = tmp_path / "small.smx"
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.protect(SECRET, target)
    assert window.doc.passphrase == SECRET and window.doc.path == target
    assert is_encrypted(target) and _labels_absent(target, window.doc.project)
    assert window.act_lock.isEnabled() and not window.act_protect.isEnabled()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    assert window.offer_delete_plain(project_file)
    assert not project_file.exists() and "still on disk" in asked[0]


def test_changing_and_removing_the_passphrase(make_window, qtbot, encrypted_file, tmp_path, monkeypatch):
    window = make_window()
    _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    monkeypatch.setattr(window, "_new_passphrase_dialog", lambda *a, **k: ("wrong current", "a new passphrase"))
    assert window.change_passphrase_dialog() is None  # the current one must be known
    window.last_error.close()
    monkeypatch.setattr(window, "_new_passphrase_dialog", lambda *a, **k: (SECRET, "a new passphrase"))
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.change_passphrase_dialog()
    assert window.doc.passphrase == "a new passphrase"
    assert open_project_file(encrypted_file, "a new passphrase").project.nodes == window.doc.project.nodes

    plain = tmp_path / "plain.gpkg"
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(window, "ask_save_path", lambda *a, **k: str(plain))
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        window.unprotect_dialog()
    assert window.doc.passphrase is None and window.doc.path == plain and not is_encrypted(plain)
    assert not window.act_lock.isEnabled() and window.act_protect.isEnabled()


def test_export_unencrypted_copy_is_confirmed_and_leaves_the_project_encrypted(make_window, qtbot, encrypted_file,
                                                                               tmp_path, monkeypatch):
    window = make_window()
    _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    shown = []

    def answer(box, choice):
        shown.append(box.text())
        next(b for b in box.buttons() if b.text() == choice).click()

    out = tmp_path / "for-qgis.gpkg"
    monkeypatch.setattr(window, "ask_save_path", lambda *a, **k: str(out))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Cancel"))
    assert window.export_plain_dialog() is None and not out.exists()
    assert "NOT encrypted" in shown[0] and "young people's records" in shown[0]
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Export unencrypted copy"))
    worker = window.export_plain_dialog()
    with qtbot.waitSignal(worker.signals.done, timeout=WAIT_MS):
        pass
    assert not is_encrypted(out) and load_project(out).nodes == window.doc.project.nodes
    assert window.doc.path == encrypted_file and window.doc.passphrase == SECRET


def test_the_recovery_copy_of_an_encrypted_project_is_encrypted(make_window, qtbot, encrypted_file, tmp_path,
                                                                monkeypatch):
    folder = tmp_path / "recovery"
    folder.mkdir()
    monkeypatch.setattr(recovery, "recovery_dir", lambda: folder)
    window = make_window()
    _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    window.add_person("young_person", "Quillon", "A1")
    assert window.autosave() is not None
    qtbot.waitUntil(lambda: window.autosave_worker is None and recovery.info_file().exists(), timeout=WAIT_MS)
    copy = folder / "recovery.smx"
    assert sorted(p.name for p in folder.iterdir()) == ["recovery.json", "recovery.smx"]
    assert is_encrypted(copy) and b"Quillon" not in copy.read_bytes()
    recovery.start_session()
    info = recovery.pending_recovery()
    assert info["encrypted"] and info["recovery"] == str(copy)

    other = make_window()
    asked = _answers(other, monkeypatch, SECRET)
    with qtbot.waitSignal(other.projectLoaded, timeout=WAIT_MS):
        other.restore_recovery(info)
    wait_drawn(other, qtbot)
    assert asked == [("recovery.smx", False)]
    assert "Quillon" in {n.label for n in other.doc.project.nodes.values()}
    assert other.doc.dirty and other.doc.path == encrypted_file and other.doc.passphrase == SECRET
    recovery.end_session()
    assert list(folder.iterdir()) == []


# ------------------------------------------------------------------ the idle lock
def _data_widgets(window):
    return [window.map, window.tables_dock, window.inspector_dock, window.analysis_dock, window.scenario_dock,
            window.anchor_dock, window.layers_dock, window.menuBar()]


def test_an_idle_encrypted_window_hides_its_data_until_the_passphrase(make_window, qtbot, encrypted_file,
                                                                      monkeypatch):
    monkeypatch.setattr(protection, "WRONG_PASSPHRASE_PAUSE_MS", 100)
    window = make_window()
    _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    visible_before = [w for w in _data_widgets(window) if w.isVisible()]
    assert window.map in visible_before and window.tables_dock in visible_before
    window.doc.select("young_person", "yp1")
    with qtbot.waitSignal(window.idle_lock.locked, timeout=WAIT_MS):
        window.idle_lock.set_idle_ms(150)
    lock = window.idle_lock.screen
    assert window.idle_lock.is_locked and lock.isVisible()
    assert [w for w in visible_before if w.isVisible()] == []
    assert "small.smx is encrypted" in lock.message.text()

    # no action works while locked: Delete (its shortcut or the menu) leaves the selected young person
    assert not window.act_delete.isEnabled() and not window.act_save.isEnabled()
    window.act_delete.trigger()
    assert "yp1" in window.doc.project.nodes
    # and key presses for anything but the lock screen are stopped at the window
    handle = window.windowHandle()
    window.tables["young_person"]["view"].setFocus()
    press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
    assert window.idle_lock.eventFilter(handle, press) is (QApplication.focusWidget() is not lock.field)
    lock.field.setFocus()
    assert window.idle_lock.eventFilter(handle, press) is False

    # a wrong passphrase keeps it locked (and the field rests a moment)
    with qtbot.waitSignal(window.idle_lock.wrongPassphrase, timeout=WAIT_MS):
        qtbot.keyClicks(lock.field, "guess")
        qtbot.keyClick(lock.field, Qt.Key.Key_Return)
    assert window.idle_lock.is_locked and not lock.field.isEnabled()
    assert "Wrong passphrase" in lock.problem.text() and lock.field.text() == ""
    qtbot.waitUntil(lock.field.isEnabled, timeout=WAIT_MS)

    # the right one brings every hidden part back, as it was
    window.idle_lock.set_idle_ms(60_000)
    with qtbot.waitSignal(window.idle_lock.unlocked, timeout=WAIT_MS):
        qtbot.keyClicks(lock.field, SECRET)
        qtbot.keyClick(lock.field, Qt.Key.Key_Return)
    assert not lock.isVisible()
    assert [w for w in visible_before if not w.isVisible()] == []
    assert window.act_delete.isEnabled()
    window.act_delete.trigger()  # the same action now does delete: the check above was not vacuous
    assert "yp1" not in window.doc.project.nodes


def test_a_plain_project_never_locks_and_the_idle_time_is_a_setting(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.idle_lock.set_idle_ms(50)
    qtbot.wait(250)
    assert not window.idle_lock.is_locked and not window.idle_lock.timer.isActive()
    window.set_lock_minutes(3)
    assert float(window.settings.value(protection.LOCK_SETTING)) == 3.0
    assert window.idle_lock.idle_ms == 180_000
    assert protection.DEFAULT_LOCK_MINUTES == 10.0


def test_lock_now_and_opening_a_plain_project_ends_the_lock(make_window, qtbot, encrypted_file, project_file,
                                                            monkeypatch):
    window = make_window()
    _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    window.idle_lock_now()
    assert window.idle_lock.is_locked and not window.map.isVisible()
    assert window.idle_lock.try_unlock(SECRET) and window.map.isVisible()


def test_input_to_the_window_or_a_dialog_restarts_the_idle_time(make_window, qtbot, encrypted_file, monkeypatch):
    """A key pressed in the window, or in a dialog of the application that took the focus,
    counts as use: the lock waits its whole idle time again."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QDialog

    window = make_window()
    _answers(window, monkeypatch, SECRET)
    open_and_wait(window, qtbot, encrypted_file)
    lock = window.idle_lock
    lock.set_idle_ms(60_000)
    press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)

    qtbot.wait(300)
    assert lock.timer.remainingTime() < 59_800
    QApplication.sendEvent(window.windowHandle(), press)
    assert lock.timer.remainingTime() > 59_800

    dialog = QDialog(window)
    dialog.show()
    qtbot.waitExposed(dialog)
    QGuiApplication.instance().focusWindowChanged.emit(dialog.windowHandle())
    qtbot.wait(300)
    assert lock.timer.remainingTime() < 59_800
    QApplication.sendEvent(dialog.windowHandle(), QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_B,
                                                             Qt.KeyboardModifier.NoModifier))
    assert lock.timer.remainingTime() > 59_800 and not lock.is_locked
    # locking closes the dialog: its fields could show a record
    lock.lock()
    assert not dialog.isVisible()
    assert lock.try_unlock(SECRET)
    dialog.deleteLater()


def test_a_save_whose_end_arrives_after_the_progress_bar_is_gone_touches_nothing(make_window, qtbot, project_file,
                                                                                 tmp_path):
    """The window's widgets deleted (the window closed) between the save's result and its
    last signal: nothing is called on them (a deleted progress bar raised in the event loop)."""
    import shiboken6

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    with qtbot.waitSignal(window.projectSaved, timeout=WAIT_MS):
        worker = window.save_to(tmp_path / "copy.gpkg")
    workers.wait_all(WAIT_MS)
    shiboken6.delete(window.io_progress)
    worker.signals.done.emit()  # (as when it arrives last, after the window has gone)
    qtbot.wait(50)
    window.io_progress = QProgressBar()  # (for the window's own closing)
