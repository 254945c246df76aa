"""Long work off the UI thread: cancellable jobs that report by signals.

A job's function runs on one long-lived background thread; it receives
``progress`` and ``cancelled`` callables (the analysis and scenario APIs
accept both). Results, errors and progress come back as queued signals on the
UI thread, so a job never touches a widget.

Why a Python thread and not ``QThreadPool``: every call from a Qt pool thread
into Python gets a fresh Python thread state, which drops thread-local
objects between calls. pyproj keeps its PROJ context alive through such a
thread-local but caches the raw pointer per OS thread, so the second job on a
pool thread used a freed PROJ context and crashed the process (seen as a
segfault in ``proj_create``). A ``threading.Thread`` keeps one thread state
for its whole life.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import queue
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from socialmap.model.project import TIE_ROWS
from socialmap.turns import let_others_run

#: Modules workers use, imported by the background thread before a job runs
#: (so a job's own first import is cheap). They are never imported on the UI
#: thread: geopandas, libpysal and esda take seconds to import.
STORE_MODULES = ("pandas", "numpy", "shapely", "pyproj", "geopandas", "pyogrio", "socialmap.store",
                 "socialmap.model.placement")
ANALYSIS_MODULES = ("networkx", "scipy.sparse", "scipy.sparse.csgraph", "scipy.spatial", "scipy.stats",
                    "libpysal", "libpysal.weights", "esda", "socialmap.analysis", "socialmap.scenarios")
#: What a scenario or the ranking imports (not esda, libpysal or networkx: importing them
#: before the city's first ranking added seconds to it; the panel imports those later, one a
#: job in the window's pauses, ScenarioPanel._import_next).
SCENARIO_MODULES = ("scipy.sparse", "scipy.spatial", "pyproj", "socialmap.scenarios")
_PRELOADED: set[str] = set()


def preload(names: tuple[str, ...]) -> None:
    """Import ``names`` (and every submodule of the socialmap packages among
    them) on the calling thread, once."""
    # (Earlier, jobs ran on QThreadPool threads, where a first import crashed
    # inside PySide's import hook: the same fresh-thread-state problem as
    # pyproj's, gone with the Python thread below.)
    for name in names:
        if name in _PRELOADED:
            continue
        _PRELOADED.add(name)
        _give_way_to_ui()  # a polite job's (the window's warm-up): between the modules named
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if name.startswith("socialmap.") and hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=name + "."):
                _give_way_to_ui()
                try:
                    importlib.import_module(info.name)
                except Exception:  # noqa: BLE001 - a module another engineer is still writing
                    continue


def json_in_chunks(value: Any, chunk: int = 2000) -> str:
    """``json.dumps(value)``, character for character, made a piece at a time.

    ``json.dumps`` is one C call that holds Python's lock until the whole text is made: 140 to
    200 ms for the map payload of a city of 20,000 young people, all that time a stall of the UI
    thread. Here dicts are written key by key and long lists ``chunk`` items at a time, so the
    interpreter can hand the lock to the UI thread between pieces.
    """
    import json

    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        return "{" + ", ".join(json.dumps(k) + ": " + json_in_chunks(v, chunk) for k, v in value.items()) + "}"
    if isinstance(value, list) and len(value) > chunk:
        parts = [json_in_chunks(value[i:i + chunk], chunk)[1:-1] for i in range(0, len(value), chunk)]
        return "[" + ", ".join(parts) + "]"
    return json.dumps(value)


def owned(owner: QObject, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` for a worker's signal, called only while ``owner`` (the widget or object whose
    job it is) has not been deleted. A job outlives the window that started it when the window
    closes meanwhile; its queued signals still arrive, and a function (a lambda, a closure) is
    not cut off by Qt with the object it uses, as a method of a QObject is: it would touch a
    deleted widget (RuntimeError in the event loop)."""
    import shiboken6

    def call(*args: Any) -> Any:
        if shiboken6.isValid(owner):
            return fn(*args)
        return None

    return call


class WorkerSignals(QObject):
    """Signals of a :class:`Worker`."""

    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    done = Signal()  # after any of finished, failed or cancelled
    snapshotTaken = Signal()  # the copy of the project is made (see ProjectDocument.run_on_snapshot)
    #: a piece of the result made before the rest: the JSON text of a map part of the file being
    #: opened, from its first stage (socialmap.mapview.binary.PartsPreview)
    preview = Signal(object)


#: (weak reference to a project, its version, a copy of it): the copy the analysis, scenario,
#: ranking and anchor jobs share while the project does not change (see shared_snapshot).
_shared: list[tuple[Any, int, Any]] = []


def shared_snapshot(source):
    """A view of ``source`` (:func:`snapshot_view`) for jobs that only read it, the same view
    while ``source.version`` is unchanged: a scenario, the ranking or the analysis run again reuse its version-keyed
    caches (graph arrays, the scenario set-up, projected geography) instead of copying the
    project and rebuilding them every run (1-2 s for a city of 20,000 young people, before any
    work). Runs on the job thread only. Jobs that write the project out (save, recovery copy)
    take a fresh copy: settings and saved scenarios change without a new version."""

    if _shared:
        ref, version, snapshot = _shared[0]
        if ref() is source and version == source.version:
            return snapshot
        del snapshot
        _let_go(_shared.pop()[2])
    snapshot = snapshot_view(source)
    _shared[:] = [(weakref.ref(source), source.version, snapshot)]
    return snapshot


def snapshot_view(source):
    """A view of ``source`` for jobs that only read it, which later edits of the project leave
    as it was: dicts of its own holding the same records and the same sets of neighbours (an
    edit replaces a record or a set, never changes one: socialmap.model.project), the settings
    and saved scenarios copied, and the version-keyed caches made at its version
    (:data:`CAPTURED_CACHE`). A city's took 1.2 s as a copy of every record
    (:func:`frozen_copy`), edits refused meanwhile; this takes a few C calls (``dict.copy``),
    with a turn for the UI thread between them, and no second copy of the records in memory.
    Taken while edits wait (run_on_snapshot). (A copy of each of a city's 125,000 sets, as it
    was made before edits replaced them, took 0.1-0.46 s and held Python's lock 15-60 ms at a
    time.)"""

    return _view_of(source, let_others_run)


def _view_of(source, turn):
    """A project with dicts of its own holding the records and the sets of neighbours of
    ``source`` (one ``dict.copy`` each, ``turn`` after each), and the rest of it
    (:func:`_take_the_rest`) at the version it had when begun."""
    from socialmap.model import Project

    view = Project()
    view.areas = dict(source.areas)
    version = source.version
    for name in ("nodes", "ties", "adjacency"):  # (the sets shared: an edit replaces a set)
        setattr(view, name, _ties_copy(source) if name == "ties" else getattr(source, name).copy())
        turn()
    _take_the_rest(view, source, version)
    return view


#: The copy of a project's ties dict the views share (:func:`_ties_copy`): ``(a weak reference
#: to the project, the id of its ties dict, its tie_changes then, the copy)``; at most one.
_ties_copied: list[tuple[Any, int, int, dict]] = []


def _ties_copy(source) -> dict:
    """A copy of ``source.ties`` for a view, the same copy for every view made while the
    project has that dict and has had no tie put in or taken out (``Project.tie_changes``): a
    relabel or a moved young person does not copy a city's 391,000 ties again (one C call that
    held Python's lock 60-70 ms in the window, the UI thread's longest wait in the analysis).
    Views only read it. A copy no view holds any more is let go of in pieces
    (:func:`_let_go_dict`) when the next copy is made. (Until then it keeps its records: those
    of a project since closed stay until a view of the next one is taken, as with
    :func:`shared_snapshot`'s view.)"""
    if _ties_copied:
        ref, ties_id, changes, copy = _ties_copied[0]
        if ref() is source and ties_id == id(source.ties) and changes == source.tie_changes:
            return copy
        del copy
        _let_go_dict(_ties_copied.pop()[3])
    # the count read before the copy: an edit between the two (the set-up made ahead takes its
    # view while edits go on) leaves the copy recorded as older than it is, so copied again
    # next time; read after, a copy without that edit would be recorded as having it
    changes, ties = source.tie_changes, source.ties
    copy = ties.copy()
    _ties_copied.append((weakref.ref(source), id(ties), changes, copy))
    return copy


def _take_the_rest(view, source, version: int) -> None:
    """A view's settings, saved scenarios and snapshots (copied), its date, its ``version``, and
    the caches of ``source`` made at that version (:data:`CAPTURED_CACHE`)."""
    import copy

    view.settings = dict(source.settings)
    view.scenarios = copy.deepcopy(source.scenarios)
    view.snapshots = dict(source.snapshots)
    view.as_of = source.as_of
    view.version = version
    for key in CAPTURED_CACHE:
        hit = source._cache.get(key)
        if hit is not None and hit[0] == version:
            view._cache[key] = hit


def frozen_copy(source):
    """``source.copy()`` (with its version) whose records Python's cyclic garbage collector
    never walks: the copy makes a million objects with the collector paused, and the first
    collection after it walked them all in one C call holding Python's lock (0.5-0.9 s at
    100,000 young people: a stall of the UI thread). Records form no cycles; reference
    counting still frees them."""
    from socialmap.collection import kept_apart

    with kept_apart():
        snapshot = source.copy()
        snapshot.version = source.version
    return snapshot


#: Records dropped per turn by :func:`_let_go`.
LET_GO_PIECE = 2000


def _let_go(project) -> None:
    """Drop a copy of a project a few thousand records at a time, when nothing else holds it.

    Freeing a city's copy is one cascade of deallocations in C, 170 ms at 100,000 young
    people with Python's lock held all along (the UI thread waits); popped a piece at a time,
    the lock can go to the UI thread between pieces."""
    if sys.getrefcount(project) > 2:  # this call's and the argument's: someone else holds it
        return
    for name in ("_cache", "ties", "adjacency", "nodes", "areas"):
        records = getattr(project, name, None)
        if isinstance(records, dict):
            _let_go_dict(records, holders=2)  # (the project's attribute, and this loop's name)


def _let_go_dict(records: dict, holders: int = 0) -> None:
    """Empty ``records`` a few thousand entries at a time, unless someone holds it besides the
    ``holders`` references the caller knows of (shared: left alone)."""
    if sys.getrefcount(records) > 2 + holders:  # (2: this call's parameter and getrefcount's)
        return
    while records:
        for _ in range(min(LET_GO_PIECE, len(records))):
            records.popitem()


# ---------------------------------------------------------------------- scenario set-up made ahead
class Prepared:
    """A view of a project made by :func:`prepare_scenarios` with the scenario set-up built on
    it, kept while the project is at ``version`` (:func:`prepared_for`)."""

    def __init__(self, source, version: int, view, target, on) -> None:

        self.ref = weakref.ref(source)
        self.version = version
        self.view = view
        self.target = target  # the view as of ``on`` (the same object without dated ties)
        self.on = on


_prepared: list[Prepared] = []


#: Entries of a project's cache a :func:`capture` of it takes when they are of the project's
#: version: they are made from its records alone (not its settings), which the view shares in
#: the same order, so they hold for the view as they are (the loader's rows of the ties'
#: ends, the window's scan for dated ties, arrays and geography a job made on the project).
CAPTURED_CACHE = (TIE_ROWS, "has_dated_ties", "graph_arrays", "geography")


def capture(source):
    """A view of ``source`` with dicts of its own sharing the records (no copy of a record),
    each copied in one C call (``dict.copy``: the stored hashes, no Python per entry; 20-40 ms
    for a city's 391,000 ties, against 0.2-0.37 s of CPU when taken 20,000 entries at a time
    through Python), giving way to the UI thread before each (the polite job): the caller
    checks the project's version after (an edit between two of them). Only for jobs that read
    the scenario set-up, the labels and the settings (:func:`prepare_scenarios`): an edit
    replaces a record or a set of neighbours, never changes one, but the set-up made on the
    view reads the project's ties, so the view is used only while the project is at its
    version (or an edit :func:`advance_prepared` carries it over)."""

    version = source.version
    _take_turn()
    view = _view_of(source, _take_turn)
    rows = source._cache.get(TIE_ROWS)
    if rows is not None and rows[0] != version:
        # the loader's rows of the ties' ends hold while the ties are its records in that order
        # and the nodes its ids in that order, whatever the version: graph_arrays checks both,
        # record by record (an edit replaces a tie record, never changes one in place). Kept at the view's version, so a relabel
        # and its undo before the set-up (the benchmark's) do not cost it the look-up of every
        # tie end: its graph arrays 0.26 s of CPU, not 0.68 s, at 100,000 young people
        view._cache[TIE_ROWS] = (version, rows[1])
    return view


class Stale(Exception):
    """The project changed while its scenario set-up was being made ahead."""


#: When the UI thread last ticked (time.monotonic), kept by the scenario panel while it makes
#: the set-up ahead; and the thread of that job, which waits while the UI thread is busy.
ui_heartbeat = [0.0]
_polite_thread = [None]
#: When the UI thread last began answering a user action (a selection, an edit, an undo, a
#: sort or a search: :func:`ui_action`), time.monotonic.
_ui_action_at = [-1e9]
#: The UI thread counts as busy when it has not ticked for this long (s), or for ACTION_S after
#: a user action began (its slots, the paint and the page's round trip after them); a pause of
#: the job lasts at most GIVE_WAY_MAX_S at a time, so it always gets on.
UI_BUSY_S = 0.04
ACTION_S = 0.12
GIVE_WAY_MAX_S = 0.25
#: All the pauses of one such job together: past this it gets on (the window may be closing,
#: its tick stopped).
GIVE_WAY_TOTAL_S = 3.0
_given = [0.0]
#: Python's switch interval (s) while a polite job runs. Each time the UI thread wants the lock
#: back from a job running Python it waits up to the switch interval (5 ms by default) before
#: asking for it; a paint calls into Python once per cell (a model's ``data``), so a table's
#: repaint during the scenario set-up took 263 ms at 5 ms a time.
POLITE_SWITCH_INTERVAL_S = 0.0005


def ui_action() -> None:
    """Called on the UI thread when it begins answering a user action: the job making the
    scenario set-up ahead pauses at its next piece, for :data:`ACTION_S`, rather than sharing
    Python's lock with the answer (it noticed the UI thread was busy only once its tick was
    40 ms late)."""
    _ui_action_at[0] = time.monotonic()


def ui_idle_for(seconds: float) -> bool:
    """Whether no user action began in the last ``seconds`` (work made ahead on the UI thread,
    the inspector's forms and the tables' column fitting, waits for a pause in them)."""
    return time.monotonic() - _ui_action_at[0] >= seconds


def hurry() -> None:
    """A job is waiting for the set-up being made ahead (the session's first scenario): it gives
    way no more."""
    _given[0] = GIVE_WAY_TOTAL_S


def _ui_busy(now: float) -> bool:
    return now - ui_heartbeat[0] > UI_BUSY_S or now - _ui_action_at[0] < ACTION_S


def _take_turn() -> None:
    """Between two pieces of the job making the set-up ahead: a UI thread waiting for Python's
    lock has it now (:func:`socialmap.turns.let_others_run`; without it, the three copies of
    :func:`capture` ran back to back in one hold of the lock), then the job waits while the UI
    thread is busy (:func:`_give_way_to_ui`)."""
    let_others_run()
    _give_way_to_ui()


def _give_way_to_ui() -> None:
    """Between two pieces of the job making the scenario set-up ahead (and between the modules
    it imports first): wait while the UI thread is busy (a selection, a table reset), so that
    work is not shared out with it by Python's lock (each getting half the time, the selection
    twice as slow)."""
    if threading.get_ident() != _polite_thread[0]:
        return
    if _EXECUTOR is not None and _EXECUTOR.pending > 1:
        return  # another job is queued behind this one (a file being opened): on at full speed
    start = time.monotonic()
    deadline = start + min(GIVE_WAY_MAX_S, max(0.0, GIVE_WAY_TOTAL_S - _given[0]))
    while _ui_busy(time.monotonic()) and time.monotonic() < deadline and _given[0] < GIVE_WAY_TOTAL_S:
        time.sleep(0.005)  # (hurry() ends a pause begun before it)
    _given[0] += time.monotonic() - start


class _Polite:
    """While a polite job runs (imports included): it gives way to the UI thread between pieces
    and Python's switch interval is short."""

    def __enter__(self):
        self.interval = sys.getswitchinterval()
        _polite_thread[0], _given[0] = threading.get_ident(), 0.0
        sys.setswitchinterval(POLITE_SWITCH_INTERVAL_S)
        return self

    def __exit__(self, *exc):
        _polite_thread[0] = None
        sys.setswitchinterval(self.interval)
        return False


def prepare_scenarios(source, on=None, progress=None, cancelled=None):
    """Make the scenario set-up of ``source`` (:func:`socialmap.scenarios.scenario_base`, with
    the graph arrays, tie classes, projected sites and nearest services it is built from) on a
    :func:`capture` of it, as of ``on``, without a copy of the project and without holding up
    edits: a job started after a project opens (ScenarioPanel), so the session's first
    scenario or ranking costs what the later ones do. It gives way to the UI thread between
    its pieces when run as a polite Worker (:class:`_Polite`), and runs at full speed otherwise
    (a scenario waiting for it: ScenarioPanel._prepare(wanted=True)). Returns what
    :func:`install_prepared` keeps; :class:`Stale` when an edit came while the view was taken."""
    from socialmap.analysis import arrays
    from socialmap.scenarios import scenario_base

    for _attempt in range(3):  # an edit while the view is taken: taken again
        version = source.version
        view = capture(source)
        if source.version == version == view.version:
            break
    else:
        raise Stale()
    arrays.between_pieces = _give_way_to_ui
    try:
        _take_turn()
        target = view.in_force(on) if on is not None else view
        scenario_base(target)
    finally:
        arrays.between_pieces = None
    return Prepared(source, version, view, target, on)


def imported_ahead() -> frozenset[str]:
    """The names :func:`preload` has imported (or tried) so far."""
    return frozenset(_PRELOADED)


def imports_done() -> None:
    """The work of a job that only imports its ``preload`` modules (ScenarioPanel._import_next)."""


def warm_up(progress=None, cancelled=None) -> None:
    """A polite job queued when the window starts, with :data:`SCENARIO_MODULES` to import
    first (0.5 s of CPU): after opening a city, its scenario set-up (made ahead, before the
    session's first scenario) then has only its own work left. It also opens PROJ's database
    on the background thread, which the first pyproj Transformer of a thread does (100 ms
    quiet, 250 ms on a busy machine, in the set-up)."""
    from socialmap.analysis.geography import metric_transformer

    metric_transformer("EPSG:27700")


#: Set-ups forgotten by an edit, freed this long after it (ms): freeing a city's set-up (its
#: view's dicts and arrays) held the UI thread 4-5 ms inside every edit that dropped it.
FREE_AFTER_MS = 300
_forgotten: list[Prepared] = []


def forget_prepared() -> None:
    if not _prepared:
        return
    if not _forgotten:
        QTimer.singleShot(FREE_AFTER_MS, _forgotten.clear)
    _forgotten.extend(_prepared)
    _prepared.clear()


def prepared_for(source, on=None):
    """The project view with the scenario set-up of ``source`` as it is now, as of ``on``, for a
    job that reads only the set-up, labels and settings (a scenario, the ranking); else None.
    The view gets the project's settings as they are now (they change without a new version)."""
    if not _prepared:
        return None
    p = _prepared[0]
    if p.ref() is not source or p.version != source.version or p.on != on:
        return None
    settings = dict(source.settings)
    p.view.settings = p.target.settings = settings
    return p.target


#: Node fields the scenario set-up never reads: an edit of these alone leaves it as it was.
UNREAD_NODE_FIELDS = frozenset({
    "label", "updated", "recorded", "age", "role", "in_work", "sector", "employees_total", "employees_local",
    "spend_total", "spend_local", "years_in_area", "service_type", "commissioner", "contract_end",
    "annual_value", "hours_per_week",
})


def advance_prepared(source, nodes: list | None = None, ties: list | None = None, *,
                     edit: tuple | None = None, prepared: Prepared | None = None) -> bool:
    """Carry the set-up made ahead over an edit that changed nothing it reads (on the UI
    thread, from the document's change signals): ``nodes`` the ids of changed nodes, each
    still the same in every field but :data:`UNREAD_NODE_FIELDS` (a relabelled young person,
    or the undo of it); ``ties`` changed tie keys whose records were not replaced. The view
    takes the new records (the ranking shows labels) and stays valid at the new version.
    Anything else (an edit of one touch more than the one signalled, a new or removed record, a
    field it reads) and it is dropped: False.

    ``edit`` (from :func:`record_edit`) and ``prepared`` replay an edit made while ``prepared``
    was being made, before it is installed."""
    if prepared is None:
        if not _prepared:
            return False
        prepared = _prepared[0]
    if edit is None:
        edit = record_edit(source, nodes, ties)
    version, node_records, tie_records = edit
    p = prepared
    # one touch of the project for the edit of the nodes; none for the ties the same edit names
    ok = p.ref() is source and version - p.version == (1 if node_records else 0)
    if ok and node_records:
        from dataclasses import fields

        names = [f.name for f in fields(type(next(iter(node_records.values()))))]
        for nid, new in node_records.items():
            old = p.view.nodes.get(nid)
            if new is None or old is None or any(
                    getattr(new, n) != getattr(old, n) for n in names if n not in UNREAD_NODE_FIELDS):
                ok = False
                break
    if ok:
        ok = all(tie is p.view.ties.get(key) for key, tie in tie_records.items())
    if not ok:
        if _prepared and _prepared[0] is p:
            forget_prepared()
        return False
    p.view.nodes.update(node_records)  # the target shares the view's nodes
    p.version = version
    return True


def record_edit(source, nodes: list | None = None, ties: list | None = None) -> tuple:
    """What :func:`advance_prepared` needs of an edit, taken when it is signalled: the project's
    version then and the records of the nodes and ties it names."""
    return (source.version, {nid: source.nodes.get(nid) for nid in nodes or ()},
            {tuple(k): source.ties.get(tuple(k)) for k in ties or ()})


def install_prepared(source, prepared: Prepared, edits: list[tuple] = ()) -> bool:
    """Keep ``prepared`` (on the UI thread) when ``source`` has not changed since it was begun
    but for ``edits`` (:func:`record_edit`, in order) that :func:`advance_prepared` carries
    it over."""
    if prepared.ref() is not source:
        return False
    for edit in edits:
        if edit[0] <= prepared.version:
            # made before the job took its view (while it imported its modules): in the view
            continue
        if not advance_prepared(source, edit=edit, prepared=prepared):
            return False
    if source.version != prepared.version:
        return False
    _prepared[:] = [prepared]
    return True


class Cancelled(Exception):
    """Raised inside a worker function when the user cancelled it."""


class Worker:
    """Run ``fn(*args, progress=..., cancelled=..., **kwargs)`` on the background thread.

    ``with_callbacks=False`` calls ``fn`` without the two callables (for
    functions that do not take them, such as loading a file).
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, with_callbacks: bool = True, **kwargs: Any) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.with_callbacks = with_callbacks
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.running = False
        #: Modules the background thread imports before running this job.
        self.preload: tuple[str, ...] = ()
        #: A project to copy on the worker thread and pass to ``fn`` first.
        self.snapshot_of = None
        #: With ``snapshot_of``: pass only the ties of the copy in force on this date (the measures).
        self.snapshot_on = None
        #: Whether the job may share its copy of the project with other read-only jobs.
        self.reuse_snapshot = False
        #: With ``snapshot_of``: what to take of the project in place of a copy (a function of
        #: it; the save job's packed records, socialmap.store.writer.PackedProject).
        self.snapshot_with: Callable[[Any], Any] | None = None
        #: Made ahead of need (the scenario set-up): the job, and the modules it imports first,
        #: give way to the UI thread (:func:`_give_way_to_ui`).
        self.polite = False
        #: The result lives as long as the session (an opened project): Python's cyclic garbage
        #: collector is paused during the job and the objects it made are set aside from
        #: collection when it succeeds (``gc.freeze``). Loading a city of 20,000 young people
        #: otherwise ran full collections over the growing project, each holding the
        #: interpreter's lock, so stalling the UI thread, for about 100 ms (and finding nothing
        #: to free: a project holds no reference cycles).
        self.keeps_result = False

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, fraction: float) -> None:
        self.signals.progress.emit(float(fraction))

    def run(self) -> None:
        self.running = True
        paused = self.keeps_result and gc.isenabled()
        if paused:
            gc.disable()
        try:
            if self.is_cancelled():
                raise Cancelled()
            if self.snapshot_of is not None:
                source, self.snapshot_of = self.snapshot_of, None
                if self.snapshot_with is not None:
                    snapshot = self.snapshot_with(source)
                else:
                    snapshot = shared_snapshot(source) if self.reuse_snapshot else frozen_copy(source)
                self.signals.snapshotTaken.emit()
                if self.snapshot_on is not None:
                    snapshot = snapshot.in_force(self.snapshot_on)
                self.args = (snapshot, *self.args)
            if self.with_callbacks:
                result = self.fn(*self.args, progress=self._progress, cancelled=self.is_cancelled, **self.kwargs)
            else:
                result = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # noqa: BLE001 - reported to the UI, which shows the reason
            if self.is_cancelled() or type(exc).__name__ == "Cancelled":
                self.signals.cancelled.emit()
            else:
                exc.traceback_text = traceback.format_exc()  # for a log, never a dialog
                self.signals.failed.emit(exc)
        else:
            if self.is_cancelled():
                self.signals.cancelled.emit()
            else:
                if paused:
                    gc.freeze()  # what the job made (the project) is never walked by a collection
                self.signals.finished.emit(result)
        finally:
            if paused:
                gc.enable()
            self.running = False
            self.fn, self.args, self.kwargs = None, (), {}
            self.signals.done.emit()


class _Executor:
    """One daemon thread running queued workers in order."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[Worker] = queue.Queue()
        self.idle = threading.Event()
        self.idle.set()
        self.pending = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name="socialmap-worker", daemon=True)
        self.thread.start()

    def submit(self, worker: Worker) -> None:
        with self.lock:
            self.pending += 1
            self.idle.clear()
        self.jobs.put(worker)

    def _loop(self) -> None:
        while True:
            worker = self.jobs.get()
            try:
                # Modules stay for the session: set aside from garbage collection once imported
                # (an O(1) call). The first analysis imports esda, libpysal and scipy's parts, and
                # full collections walking those objects held the interpreter's lock, so stalled
                # the UI thread, for 70 to 100 ms in a city's first analysis and ranking.
                modules = len(sys.modules)
                with _Polite() if worker.polite else nullcontext():
                    preload(worker.preload)
                    if len(sys.modules) != modules:
                        gc.freeze()
                        modules = len(sys.modules)
                    worker.run()
                if len(sys.modules) != modules:
                    gc.freeze()
            finally:
                with self.lock:
                    self.pending -= 1
                    if self.pending == 0:
                        self.idle.set()


_EXECUTOR: _Executor | None = None
_LIVE: set[Worker] = set()


def executor() -> _Executor:
    global _EXECUTOR
    if _EXECUTOR is None:
        _EXECUTOR = _Executor()
    return _EXECUTOR


def start(worker: Worker) -> Worker:
    """Queue ``worker`` on the background thread, keeping it alive until it is done."""
    _LIVE.add(worker)
    worker.signals.done.connect(lambda: _LIVE.discard(worker))
    executor().submit(worker)
    return worker


def wait_all(msecs: int = 30000) -> bool:
    """Wait for every queued worker (used when the application quits)."""
    return executor().idle.wait(msecs / 1000)


class PanelJob:
    """Mixin for a panel that runs one background job at a time, with a progress bar,
    Run and Cancel buttons and a status line (the analysis and scenario panels).

    The panel provides ``doc``, ``progress``, ``run_button``, ``cancel_button``, ``status``
    and ``worker``, and sets ``job_cancelled_text`` and ``job_failed_text``.
    """

    job_cancelled_text = "Cancelled."
    job_failed_text = "The job could not run"

    def _make_job_controls(self, status_text: str = "") -> None:
        """The Cancel button (off until a job runs), the progress bar (hidden) and the plain-text
        status line every job panel has; the panel lays them out."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel(status_text)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

    def _start_job(self, worker: Worker, on_finished: Callable[..., Any], running_text: str, what: str):
        self.worker = worker
        worker.signals.progress.connect(owned(self, lambda f: self.progress.setValue(int(f * 100))))
        worker.signals.finished.connect(owned(self, on_finished))
        worker.signals.failed.connect(self._failed)
        worker.signals.cancelled.connect(self._cancelled)
        self.progress.setValue(0)
        self.progress.show()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(running_text)
        return self._launch(worker, what)

    def _launch(self, worker: Worker, what: str):
        """Start ``worker`` on a copy of the project as of the measures' date (shared with the
        other jobs that only read it: :func:`shared_snapshot`)."""
        worker.reuse_snapshot = True  # the panels' jobs only read the project
        return self.doc.run_on_snapshot(worker, what, as_of=True)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText("Cancelling…")

    def _end(self) -> None:
        self.worker = None
        self.progress.hide()
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _cancelled(self) -> None:
        self._end()
        self.status.setText(self.job_cancelled_text)

    def _failed(self, exc: Exception) -> None:
        self._end()
        lines = getattr(exc, "lines", None)  # an InputError lists every problem
        detail = "; ".join(lines()) if callable(lines) else str(exc)
        self.status.setText(f"{self.job_failed_text}: {detail}")


class DialogJob:
    """Mixin for a dialog that runs one job at a time behind one button (Check, Import), with a
    busy bar (the import and area data dialogs).

    The dialog provides ``worker`` (None when idle), ``progress`` and ``job_button``."""

    def _start_dialog_job(self, fn: Callable[..., Any], *args: Any, modules: tuple[str, ...],
                          on_finished: Callable[[Any], Any], on_failed: Callable[[BaseException], Any],
                          **kwargs: Any) -> Worker:
        worker = Worker(fn, *args, with_callbacks=False, **kwargs)
        worker.preload = modules
        worker.signals.finished.connect(owned(self, on_finished))
        worker.signals.failed.connect(owned(self, on_failed))
        worker.signals.done.connect(self._dialog_job_done)
        self.worker = worker
        self.progress.show()
        self.job_button.setEnabled(False)
        return start(worker)

    def _dialog_job_done(self) -> None:
        self.worker = None
        self.progress.hide()
        self.job_button.setEnabled(True)
