"""Long work off the UI thread: a cancellable QRunnable that reports by signals.

The function runs in the global ``QThreadPool``; it receives ``progress`` and
``cancelled`` callables (the analysis and scenario APIs accept both). Results,
errors and progress come back as queued signals on the UI thread, so the
worker never touches a widget.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class WorkerSignals(QObject):
    """Signals of a :class:`Worker` (a QRunnable cannot have its own)."""

    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    done = Signal()  # after any of finished, failed or cancelled


class Cancelled(Exception):
    """Raised inside a worker function when the user cancelled it."""


class Worker(QRunnable):
    """Run ``fn(*args, progress=..., cancelled=..., **kwargs)`` on the thread pool.

    ``with_callbacks=False`` calls ``fn`` without the two callables (for
    functions that do not take them, such as loading a file).
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, with_callbacks: bool = True, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.with_callbacks = with_callbacks
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.running = False
        #: Modules to import on the UI thread before this worker starts.
        self.preload: tuple[str, ...] = ANALYSIS_MODULES

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, fraction: float) -> None:
        self.signals.progress.emit(float(fraction))

    def run(self) -> None:
        self.running = True
        try:
            if self.with_callbacks:
                result = self.fn(*self.args, progress=self._progress, cancelled=self.is_cancelled, **self.kwargs)
            else:
                result = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # reported to the UI, which shows a dialog
            if self.is_cancelled() or type(exc).__name__ == "Cancelled":
                self.signals.cancelled.emit()
            else:
                exc.__traceback_text__ = traceback.format_exc()  # for the log, never a dialog
                self.signals.failed.emit(exc)
        else:
            if self.is_cancelled():
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self.running = False
            self.signals.done.emit()


_LIVE: set[Worker] = set()
_PRELOADED: set[str] = set()

#: Modules workers use, imported on the UI thread before any worker starts.
#: PySide6 installs an import hook (shibokensupport's feature_imported) that
#: crashes the process when a module is first imported from a pool thread,
#: so nothing may be imported for the first time inside a worker.
STORE_MODULES = ("pandas", "numpy", "shapely", "pyproj", "geopandas", "pyogrio", "socialmap.store",
                 "socialmap.store.gpkg", "socialmap.model.placement")
ANALYSIS_MODULES = ("networkx", "scipy.sparse", "scipy.sparse.csgraph", "scipy.spatial", "scipy.stats",
                    "libpysal", "libpysal.weights", "esda", "esda.getisord", "socialmap.analysis",
                    "socialmap.scenarios")


def preload(names: tuple[str, ...]) -> None:
    """Import ``names`` (and every submodule of the socialmap packages among
    them) on the calling thread, once."""
    import importlib
    import pkgutil

    for name in names:
        if name in _PRELOADED:
            continue
        _PRELOADED.add(name)
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if name.startswith("socialmap.") and hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=name + "."):
                try:
                    importlib.import_module(info.name)
                except Exception:  # a module another engineer is still writing
                    continue


def start(worker: Worker) -> Worker:
    """Start ``worker`` on the global pool, keeping it alive until it is done."""
    preload(STORE_MODULES)
    preload(worker.preload)
    _LIVE.add(worker)
    worker.signals.done.connect(lambda: _LIVE.discard(worker))
    QThreadPool.globalInstance().start(worker)
    return worker


def wait_all(msecs: int = 30000) -> bool:
    """Wait for every running worker (used when the application quits)."""
    return QThreadPool.globalInstance().waitForDone(msecs)
