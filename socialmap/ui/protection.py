"""Passphrase dialogs and the idle lock of an encrypted project (issue 10, items 2 and 3).

:class:`PassphraseDialog` asks for a passphrase (to open a file, or a new one
twice, with the current one when it is changed). :class:`IdleLock` watches
the application's input; when an encrypted project has been left idle for
the configured time (setting ``security/lock_minutes``, default 10) it hides
the window's data (map, tables, inspector and panels, with the docks,
toolbars and menus themselves hidden, not merely covered, so no screen reader
or screenshot can reach them) behind a :class:`LockScreen` until the
passphrase is given again. While locked, every action of the window is
disabled (no shortcut works) and no key or click reaches anything but the lock
screen.

Input is watched with an event filter on the window's own platform window
(``QWidget.windowHandle``), which every key, click and wheel event of the
window passes through before Qt hands it to a widget, and on each other
window of the application (a dialog) as it takes the focus, so filling in a
long dialog counts as use. Nothing is watched for a plain project, and nothing
application-wide (a Python filter on the ``QApplication`` sees every event of
every object, paint and timer events included).
"""

from __future__ import annotations

import hmac

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QSinglePointEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

#: Default idle time before the window locks, in minutes (setting ``security/lock_minutes``).
DEFAULT_LOCK_MINUTES = 10.0
LOCK_SETTING = "security/lock_minutes"
#: After a wrong passphrase at the lock screen, it takes no other for this long (ms): guessing at an
#: unattended laptop is slowed to a crawl.
WRONG_PASSPHRASE_PAUSE_MS = 1500
_INPUT_EVENTS = {
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.Shortcut,
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.ContextMenu, QEvent.Type.DragEnter, QEvent.Type.Drop,
}


def _plain_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # file names are shown as written, never as markup
    label.setWordWrap(True)
    return label


class PassphraseDialog(QDialog):
    """Ask for a passphrase: to open a file (one field), or a new one (typed twice, with the
    current one first when ``current`` is True); ``check`` says why a new one is refused."""

    def __init__(self, title: str, text: str, *, new: bool = False, current: bool = False,
                 check=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("passphraseDialog")
        self._new, self._check = new, check
        lay = QVBoxLayout(self)
        lay.addWidget(_plain_label(text))
        form = QFormLayout()
        self.current = self._field("currentPassphrase") if current else None
        if self.current is not None:
            form.addRow("Current passphrase", self.current)
        self.passphrase = self._field("passphrase")
        form.addRow("New passphrase" if new else "Passphrase", self.passphrase)
        self.again = self._field("passphraseAgain") if new else None
        if self.again is not None:
            form.addRow("The same again", self.again)
        lay.addLayout(form)
        self.problem = _plain_label("")
        self.problem.setObjectName("passphraseProblem")
        self.problem.setStyleSheet("color: #b00020;")
        lay.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    @staticmethod
    def _field(name: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def refusal(self) -> str | None:
        """Why the dialog cannot be accepted as filled in, or None."""
        value = self.passphrase.text()
        if not value:
            return "Type the passphrase."
        if self._new:
            why = self._check(value) if self._check else None
            if why:
                return why[0].upper() + why[1:] + "."
            if self.again is not None and self.again.text() != value:
                return "The two passphrases differ."
        return None

    def accept(self) -> None:
        why = self.refusal()
        if why:
            self.problem.setText(why)
            return
        super().accept()

    def values(self) -> tuple[str | None, str]:
        """(the current passphrase typed, or None; the passphrase)."""
        return (self.current.text() if self.current is not None else None), self.passphrase.text()


class LockScreen(QWidget):
    """What a locked window shows instead of its data: the file's name and a passphrase field."""

    unlockRequested = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#lockScreen { background: #eef1f4; }")
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        box = QWidget()
        box.setFixedWidth(480)
        lay = QVBoxLayout(box)
        title = QLabel("SocialMap is locked")
        title.setStyleSheet("font-size: 20px; font-weight: 600;")
        lay.addWidget(title)
        self.message = _plain_label("")
        self.message.setObjectName("lockMessage")
        lay.addWidget(self.message)
        self.field = QLineEdit()
        self.field.setObjectName("lockPassphrase")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("passphrase")
        self.field.returnPressed.connect(self._submit)
        lay.addWidget(self.field)
        self.button = QPushButton("Unlock")
        self.button.setObjectName("unlockButton")
        self.button.clicked.connect(self._submit)
        lay.addWidget(self.button)
        self.problem = QLabel("")
        self.problem.setObjectName("lockProblem")
        self.problem.setStyleSheet("color: #b00020;")
        lay.addWidget(self.problem)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(3)

    def set_message(self, text: str) -> None:
        """The lock screen's explanation (wrapped to the box's width, never cut)."""
        self.message.setText(text)
        width = self.message.parentWidget().width() - 24
        self.message.setMinimumHeight(self.message.heightForWidth(max(width, 200)))

    def _submit(self) -> None:
        if self.field.isEnabled():
            self.unlockRequested.emit(self.field.text())


class IdleLock(QObject):
    """Locks ``window`` (hiding its data) after ``idle_ms`` without input while an encrypted
    project is open; ``passphrase()`` gives the open project's passphrase (None when plain)."""

    locked = Signal()
    unlocked = Signal()
    wrongPassphrase = Signal()

    def __init__(self, window: QMainWindow, passphrase, idle_ms: int, name=lambda: "the project") -> None:
        super().__init__(window)
        self.window = window
        self._passphrase = passphrase
        self._name = name
        self.is_locked = False
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one may run 5% (30 s of 10 min) short
        self.timer.timeout.connect(self._on_idle)
        self.set_idle_ms(idle_ms)
        self.screen = LockScreen(window)
        self.screen.hide()
        self.screen.unlockRequested.connect(self.try_unlock)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.timeout.connect(self._end_pause)
        self._watched = None  # the QWindow whose input is watched
        self._disabled: list[QAction] = []
        self.refresh()

    def set_idle_ms(self, idle_ms: int) -> None:
        self.idle_ms = max(int(idle_ms), 1)
        self.timer.setInterval(self.idle_ms)
        self.activity()

    def refresh(self) -> None:
        """Follow the open project: watch the input while it is encrypted, not otherwise (a
        plain project costs no event filter at all)."""
        encrypted = self._passphrase() is not None
        handle = self.window.windowHandle()
        if encrypted and self._watched is None and handle is not None:
            handle.installEventFilter(self)
            self._watched = handle
            QGuiApplication.instance().focusWindowChanged.connect(self._watch_window)
        elif not encrypted and self._watched is not None:
            self._watched.removeEventFilter(self)
            self._watched = None
            QGuiApplication.instance().focusWindowChanged.disconnect(self._watch_window)
        if not encrypted and self.is_locked:
            self.unlock()
        self.activity()

    def _watch_window(self, window) -> None:
        """Another window of the application (a dialog) took the focus: its input counts as use
        too (installing a filter twice keeps one)."""
        if window is not None and self._watched is not None and window is not self._watched:
            window.installEventFilter(self)

    def activity(self) -> None:
        """Input was seen (or a project opened): the idle time starts again."""
        if self.is_locked:
            return
        if self._passphrase() is None:
            self.timer.stop()
        else:
            self.timer.start()

    def _on_idle(self) -> None:
        if self._passphrase() is not None and not self.is_locked:
            self.lock(idle=True)

    # ---------------------------------------------------------------- lock and unlock
    def lock(self, idle: bool = False) -> None:
        """Hide every widget that shows data and show the lock screen (``idle`` when the idle
        time ran out, rather than File ▸ Lock now)."""
        if self.is_locked or self._passphrase() is None:
            return
        self.is_locked = True
        self.timer.stop()
        w = self.window
        app = QApplication.instance()
        # dialogs and message boxes of the window go (their fields could show records)
        for top in app.topLevelWidgets():
            if top is not w and top.isVisible() and isinstance(top, QDialog) and _is_inside(top, w):
                top.reject()
        self._hidden = [child for child in w.findChildren(QWidget)
                        if child.parent() is w and child.isVisible() and child is not self.screen]
        for child in self._hidden:
            child.hide()
        self._disabled = [a for a in w.findChildren(QAction) if a.isEnabled()]
        for action in self._disabled:
            action.setEnabled(False)
        why = (f"the window locked itself after {self._minutes_text()} without use" if idle
               else "the window was locked")
        self.screen.set_message(f"{self._name()} is encrypted, and {why}. Type its passphrase to go on.")
        self.screen.problem.setText("")
        self.screen.field.clear()
        self.screen.setGeometry(w.rect())
        self.screen.show()
        self.screen.raise_()
        self.screen.field.setFocus()
        self.locked.emit()

    def try_unlock(self, passphrase: str) -> bool:
        """Unlock when ``passphrase`` is the project's; a wrong one keeps the lock (and the
        field takes nothing for a moment)."""
        if not self.is_locked:
            return True
        current = self._passphrase()
        if current is not None and not hmac.compare_digest(passphrase.encode("utf-8"), current.encode("utf-8")):
            self.screen.field.clear()
            self.screen.problem.setText("Wrong passphrase; the window stays locked.")
            self.screen.field.setEnabled(False)
            self.screen.button.setEnabled(False)
            self._pause.start(WRONG_PASSPHRASE_PAUSE_MS)
            self.wrongPassphrase.emit()
            return False
        self.unlock()
        return True

    def unlock(self) -> None:
        self.is_locked = False
        self.screen.hide()
        self.screen.field.clear()
        for action in self._disabled:
            action.setEnabled(True)
        self._disabled = []
        for child in self._hidden:
            child.show()
        self._hidden = []
        self.unlocked.emit()
        self.activity()

    def _end_pause(self) -> None:
        self.screen.field.setEnabled(True)
        self.screen.button.setEnabled(True)
        self.screen.field.setFocus()

    def _minutes_text(self) -> str:
        minutes = self.idle_ms / 60_000
        if minutes >= 1:
            return f"{minutes:g} minute{'s' if minutes != 1 else ''}"
        return f"{self.idle_ms / 1000:g} seconds"

    # ---------------------------------------------------------------- input
    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        """Input to the watched window: while unlocked, it restarts the idle time; while locked,
        only what goes to the lock screen passes."""
        kind = event.type()
        if self._watched is None:  # a dialog watched while the project was encrypted; it is not now
            return False
        if obj is not self._watched and kind in _INPUT_EVENTS:  # a dialog: use, never blocked here
            self.activity()
            return False
        if kind == QEvent.Type.Resize and self.is_locked:
            QTimer.singleShot(0, lambda: self.screen.setGeometry(self.window.rect()))
        if kind not in _INPUT_EVENTS:
            return False
        if not self.is_locked:
            self.activity()
            return False
        return not self._for_lock_screen(event)

    def _for_lock_screen(self, event) -> bool:
        if isinstance(event, QSinglePointEvent):  # a mouse or wheel event: where it lands
            target = self.window.childAt(event.position().toPoint())
        elif not isinstance(event, QKeyEvent):  # touch, context menus, drops: never while locked
            return False
        else:  # a key event goes to the focus widget
            target = QApplication.focusWidget()
        return target is not None and (target is self.screen or self.screen.isAncestorOf(target))


def _is_inside(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False
