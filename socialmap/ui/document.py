"""The open project as one QObject: the single source of truth the widgets observe.

:class:`ProjectDocument` wraps a :class:`~socialmap.model.Project`, its file
path and a :class:`QUndoStack`. Every edit from any widget is an undo command
(:mod:`socialmap.ui.commands`) that calls the model's API and then tells the
document what changed; the document emits signals that the tables, the
inspector and the map listen to.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from socialmap.model import Project
from socialmap.ui import workers


class ProjectDocument(QObject):
    """The open project, its path, undo stack and selection."""

    #: The whole project was replaced (opened, new, restored).
    projectReplaced = Signal()
    #: Nodes added, changed or removed: (added, changed, removed) id lists.
    nodesChanged = Signal(list, list, list)
    #: Ties added, changed or removed: lists of (a, b) keys.
    tiesChanged = Signal(list, list, list)
    #: Areas changed (codes).
    areasChanged = Signal(list)
    #: The selection: kind ("area", "tie", a node kind, or "") and id ("a|b" for a tie).
    selectionChanged = Signal(str, str)
    #: The dirty flag (unsaved changes) or the path changed.
    titleChanged = Signal()
    #: Project settings changed (e.g. group key).
    settingsChanged = Signal()
    #: Edits are refused while a background job copies the project (True) or allowed again (False).
    lockChanged = Signal(bool)
    #: The date the measures and the map show (the toolbar's As of date) changed.
    asOfChanged = Signal()
    #: Snapshots were saved or deleted.
    snapshotsChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = Project()
        self.path: Path | None = None
        #: What the project is called while it has no file of its own: the bundled sample opens as
        #: "Millbrook sample project" (not "Untitled"), and its reports say so.
        self.name: str | None = None
        #: The passphrase the project is encrypted with (an ``.smx`` file), or None when it is a plain
        #: GeoPackage: saves, recovery copies and the idle lock use it (socialmap.store.encrypted).
        self.passphrase: str | None = None
        self.undo_stack = QUndoStack(self)
        # signal to signal (the flag dropped): a Python slot here raised 'Signal source has been
        # deleted' when the stack, a child, signalled while the document was being destroyed
        self.undo_stack.cleanChanged.connect(self.titleChanged)
        # connected first, so called before any view's slot: a job made ahead of need (the
        # scenario set-up) pauses while the window answers a selection or an edit
        for signal in (self.selectionChanged, self.nodesChanged, self.tiesChanged, self.areasChanged):
            signal.connect(workers.ui_action)
        self.selection: tuple[str, str] = ("", "")
        self._locks: dict[int, str] = {}
        #: the day the measures and the map are of (None: today; socialmap.model.dates)
        self.as_of: dt.date | None = None

    # ---------------------------------------------------------------- state
    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        """What the project is called: its file's name, else its :attr:`name`, else "Untitled"."""
        if self.path:
            return self.path.name
        return self.name or "Untitled"

    def source_name(self) -> str | None:
        """The project as the reports name their source: its file's name or its :attr:`name`
        (None for a new project not saved yet)."""
        return self.path.name if self.path else self.name

    def title(self) -> str:
        return f"{self.display_name()}{' *' if self.dirty else ''} - SocialMap"

    def set_project(self, project: Project, path: Path | str | None, passphrase: str | None = None, *,
                    name: str | None = None) -> None:
        """Replace the open project (after open, new or restore); ``passphrase`` when it is encrypted;
        ``name`` what it is called while it has no file (the sample)."""
        self.project = project
        self.path = Path(path) if path else None
        self.name = name
        self.passphrase = passphrase
        self.undo_stack.clear()
        self.selection = ("", "")
        self.projectReplaced.emit()
        self.selectionChanged.emit("", "")
        self.titleChanged.emit()

    def measure_date(self) -> dt.date:
        """The day the window measures: the As of date, or today."""
        from socialmap.model.dates import today

        return self.as_of or today()

    def set_as_of(self, day: dt.date | None) -> None:
        """Measure the network of ``day`` (None or today: today); the map and panels follow."""
        from socialmap.model.dates import today

        if day == today():
            day = None
        if day != self.as_of:
            self.as_of = day
            self.asOfChanged.emit()

    def mark_saved(self, path: Path | str) -> None:
        self.path = Path(path)
        self.undo_stack.setClean()
        self.titleChanged.emit()

    def select(self, kind: str, ident: str) -> None:
        """Select a record; every view follows."""
        if (kind, ident) == self.selection:
            return
        self.selection = (kind, ident)
        self.selectionChanged.emit(kind, ident)

    def selected_node(self):
        kind, ident = self.selection
        if kind and kind not in ("area", "tie"):
            return self.project.nodes.get(ident)
        return None

    # ---------------------------------------------------------------- snapshots for workers
    @property
    def locked_for(self) -> str | None:
        """Why edits are refused right now (a job is copying the project), or None."""
        return next(iter(self._locks.values()), None)

    def hold(self, reason: str) -> object:
        """Refuse edits and undo (as while a job copies the project) until :meth:`release` of
        the token returned; ``reason`` says why (``locked_for``)."""
        token = object()
        was_locked = bool(self._locks)
        self._locks[id(token)] = reason
        if not was_locked:
            self.lockChanged.emit(True)
        return token

    def release(self, token: object) -> None:
        """End a :meth:`hold`."""
        if self._locks.pop(id(token), None) is not None and not self._locks:
            _unlocked(self)

    def run_on_snapshot(self, worker, reason: str, *, as_of: bool = False):
        """Start ``worker`` on a copy of the project taken in the background.

        The copy is made on the worker thread (a large project takes a second
        or more to copy); until it is taken, edits and undo are refused, so
        the copy is consistent. ``worker.fn`` receives the copy first; with
        ``as_of`` (the measures) only its ties in force on :meth:`measure_date`.
        """
        from socialmap.ui import workers

        token = id(worker)
        worker.snapshot_of = self.project
        if as_of:
            worker.snapshot_on = self.measure_date()
        was_locked = bool(self._locks)
        self._locks[token] = reason

        def release() -> None:
            if self._locks.pop(token, None) is not None and not self._locks:
                _unlocked(self)

        worker.signals.snapshotTaken.connect(release)
        worker.signals.done.connect(release)
        if not was_locked:
            self.lockChanged.emit(True)
        return workers.start(worker)

    def run_locked(self, worker, reason: str):
        """Start ``worker`` on the project itself, refusing edits until it is done (a short
        job that reads the project, such as making the map's payload after opening it)."""
        from socialmap.ui import workers

        token = id(worker)
        was_locked = bool(self._locks)
        self._locks[token] = reason

        def release() -> None:
            if self._locks.pop(token, None) is not None and not self._locks:
                _unlocked(self)

        worker.signals.done.connect(release)
        if not was_locked:
            self.lockChanged.emit(True)
        return workers.start(worker)

    # ---------------------------------------------------------------- helpers for commands
    def new_node_id(self, kind: str) -> str:
        prefix = {"young_person": "yp", "adult": "ad", "organisation": "org", "service": "svc"}[kind]
        i = sum(1 for n in self.project.nodes.values() if n.kind == kind) + 1
        while f"{prefix}{i}" in self.project.nodes:
            i += 1
        return f"{prefix}{i}"


def _unlocked(doc) -> None:
    """Say the document takes edits again, unless it is gone: a job that ends after its window
    was closed (the ranking's top-ten check, started after the ranking) finds it deleted."""
    import shiboken6

    if shiboken6.isValid(doc):
        doc.lockChanged.emit(False)
