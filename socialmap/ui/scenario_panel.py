"""The scenario panel: build a list of commissioning changes, run it off the UI
thread with progress and cancel, see the flagged areas (table and map
outlines), switch before/after, save and reload scenarios, rank every
service and organisation by criticality."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QPushButton,
    QRadioButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError
from socialmap.model.kinds import ORGANISATION, SERVICE
from socialmap.scenarios.assumptions import ASSUMPTIONS
from socialmap.ui import indexes, workers
from socialmap.ui.document import ProjectDocument
from socialmap.ui.frame_model import FrameModel
from socialmap.ui.models import SearchProxy, fit_columns_to_text, steps_pending
from socialmap.ui.pickers import choice_combo, set_choices

NOT_AVAILABLE = "not available yet"
AREA_COLUMNS = [
    "flagged", "reasons", "robustness", "newly_isolated", "newly_isolated_range", "newly_isolated_neet",
    "newly_isolated_neet_range", "lost_bonding", "lost_bridging", "lost_linking", "bridging_loss_pct",
    "bridging_loss_pct_range", "nearest_service_km_before", "nearest_service_km_after",
]
#: Figures shown with their range over the plausible range of every assumption (issue 17).
RANGED = ("newly_isolated", "newly_isolated_neet", "bridging_loss_pct")
HEADERS = {
    # two-line headers: one-line ones made the figures' columns wider than the panel
    "newly_isolated": "Newly isolated\n(expected)", "newly_isolated_neet": "Newly isolated\nNEET (expected)",
    "lost_bonding": "Lost\nbonding", "lost_bridging": "Lost\nbridging", "lost_linking": "Lost\nlinking",
    "bridging_loss_pct": "Bridging\nloss %", "nearest_service_km_before": "Nearest service\nkm (before)",
    "nearest_service_km_after": "Nearest service\nkm (after)", "flagged_areas": "Flagged\nareas",
    "code": "Code", "name": "Name", "id": "Id", "label": "Label", "flagged": "Flagged", "reasons": "Reasons",
    "robustness": "How sure", "newly_isolated_range": "Newly isolated\n(range)",
    "newly_isolated_neet_range": "NEET\n(range)", "bridging_loss_pct_range": "Bridging loss %\n(range)",
}
#: Expected values (probabilities summed) and distances: one decimal, halves up, as in
#: ``socialmap scenario``/``rank`` and the scenario report.
EXPECTED_VALUES = frozenset({
    "newly_isolated", "newly_isolated_neet", "lost_bonding", "lost_bridging", "lost_linking",
    "bridging_loss_pct", "nearest_service_km_before", "nearest_service_km_after",
})


def fit_columns(table, widest: int = 170) -> None:
    """Columns fitted to their contents, none wider than ``widest`` px: a long label or reason
    pushed the figures out of the side panel (the whole text is in the cell's tooltip).
    Measured from the text of the first 100 rows (Qt's size hints of every cell of a city's
    1,000-row ranking held the UI thread for a second)."""
    fit_columns_to_text(table, rows=100, widest=widest)


def scenarios_api(name: str):
    """``socialmap.scenarios.<name>``, or None while it is not implemented."""
    try:
        module = importlib.import_module("socialmap.scenarios")
    except ImportError:
        return None
    return getattr(module, name, None)


def totals_text(summary: dict) -> str:
    """The scenario's totals in the words of ``socialmap scenario``'s Total line: expected
    values with one decimal; the count of young people with a tie at risk suppressed (SPEC 8)."""
    from socialmap.disclosure import suppress
    from socialmap.scenarios.impact import one_decimal

    def one(key: str) -> str:
        return one_decimal(float(summary[key]))

    return (f"Total: {one('newly_isolated')} young people expected to become isolated "
            f"({one('newly_isolated_neet')} NEET); expected ties lost: {one('lost_bridging')} bridging, "
            f"{one('lost_linking')} linking, {one('lost_bonding')} bonding; "
            f"young people with a tie at risk: {suppress(summary['young_people_affected']) or '0'}.")


def range_texts(low, high) -> list[str]:
    """Each area's range of an expected figure as the table shows it: one decimal, halves up
    (:func:`socialmap.scenarios.impact.one_decimal`), one figure when both ends read the same
    ("1.3"), else both ("1.2–1.5"); made for the arrays at once (500 areas' ranges one by one
    held the UI thread 40 ms)."""
    import numpy as np

    lo = np.floor(np.asarray(low, float) * 10 + 0.5 + 1e-9) / 10
    hi = np.floor(np.asarray(high, float) * 10 + 0.5 + 1e-9) / 10
    return [f"{a:.1f}" if a == b else f"{a:.1f}–{b:.1f}" for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]


def describe_change(change: Any, project) -> str:
    """A change in plain words, with labels from the project."""
    def label(ident: str | None) -> str:
        node = project.nodes.get(ident) if ident else None
        return f"{node.label} ({ident})" if node else str(ident)

    kind = type(change).__name__
    if kind == "Decommission":
        return f"Decommission {label(change.service)}"
    if kind == "Transfer":
        return f"Transfer {label(change.service)} to {label(change.org)}, retention {change.retention:g}"
    if kind == "Relocate":
        if getattr(change, "travel_model", "cliff") == "decay":
            return (f"Relocate {label(change.service)} to {change.lat:.5f}, {change.lon:.5f} "
                    f"(distance decay, half-distance {change.half_km:g} km)")
        return f"Relocate {label(change.service)} to {change.lat:.5f}, {change.lon:.5f} (max travel {change.max_travel_km:g} km)"
    if kind == "Close":
        return f"Close {label(change.org)}"
    return str(change)


def removed_nodes(changes: list, project) -> set[str]:
    """Nodes a change list removes for certain (decommissioned services, closed
    organisations and the services they provide)."""
    out: set[str] = set()
    for change in changes:
        kind = type(change).__name__
        if kind == "Decommission":
            out.add(change.service)
        elif kind == "Close":
            out.add(change.org)
            out.update(n.id for n in project.nodes.values() if n.kind == SERVICE and n.provider == change.org)
    return out


class SaveScenario(QUndoCommand):
    """Save (or overwrite) a named scenario in the project; undo restores the old one."""

    def __init__(self, doc: ProjectDocument, name: str, data: dict) -> None:
        super().__init__(f"Save scenario {name}")
        self.doc, self.name, self.data = doc, name, data
        self.old = doc.project.scenarios.get(name)

    def redo(self) -> None:
        self.doc.project.scenarios[self.name] = self.data
        self.doc.project.touch()
        self.doc.settingsChanged.emit()

    def undo(self) -> None:
        if self.old is None:
            self.doc.project.scenarios.pop(self.name, None)
        else:
            self.doc.project.scenarios[self.name] = self.old
        self.doc.project.touch()
        self.doc.settingsChanged.emit()


class ScenarioPanel(QWidget, workers.PanelJob):
    """Change list, run/cancel, flagged areas, before/after, saved scenarios, ranking."""

    job_cancelled_text = "Scenario run cancelled."
    job_failed_text = "The scenario could not run"

    scenarioDone = Signal(object)
    #: The user wants to pick the new site of this service on the map.
    relocatePointRequested = Signal(str)
    rankDone = Signal(object)
    #: Whether the ranking's top ten keep their order across context survival (a TopTenStability),
    #: made after the ranking is shown.
    rankStabilityDone = Signal(object)
    #: Show the scenario state on the map: ("before"|"after", flagged codes, removed node ids, area values).
    mapStateRequested = Signal(str, object, object, object)  # lists and a dict, not converted

    def __init__(self, doc: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.changes: list[Any] = []
        self.result = None
        self.rank_result = None
        #: The job checking the ranking's top ten across context survival, while it runs.
        self.stability_worker = None
        self.worker: workers.Worker | None = None
        self.rank_worker: workers.Worker | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self._make_job_controls()  # Cancel, progress, status line (laid out below)

        build = QGroupBox("Change list")
        bl = QFormLayout(build)
        # over list models filled at once (pickers.py): 7,000 addItem calls for a city's services
        # and organisations held the UI thread when a project was opened
        self.service_pick = choice_combo()
        self.org_pick = choice_combo()
        self.target_org = choice_combo()
        self.retention = QDoubleSpinBox()
        self.retention.setRange(0.0, 1.0)
        self.retention.setSingleStep(0.1)
        self.retention.setValue(0.5)
        bl.addRow("Service", self.service_pick)
        # the service's provider now: a transfer to it was accepted, saved, and failed only when run
        self.current_provider = QLabel("")
        self.current_provider.setObjectName("currentProvider")
        self.current_provider.setTextFormat(Qt.TextFormat.PlainText)
        bl.addRow("Provided by", self.current_provider)
        self.service_pick.currentIndexChanged.connect(lambda _i: self._fill_target_orgs())
        srow = QHBoxLayout()
        self.add_decommission = QPushButton("Decommission")
        self.add_decommission.clicked.connect(self._add_decommission)
        self.add_transfer = QPushButton("Transfer to →")
        self.add_transfer.clicked.connect(self._add_transfer)
        self.add_relocate_button = QPushButton("Relocate (click the map)")
        self.add_relocate_button.clicked.connect(self._ask_relocate)
        srow.addWidget(self.add_decommission)
        srow.addWidget(self.add_transfer)
        srow.addWidget(self.add_relocate_button)
        bl.addRow(srow)
        trow = QHBoxLayout()
        trow.addWidget(self.target_org, 1)
        retention_label = QLabel("retention")
        trow.addWidget(retention_label)
        trow.addWidget(self.retention)
        bl.addRow("New provider", trow)
        # relocation: the travel model and its parameter (issue 17)
        self.travel_model = QComboBox()
        self.travel_model.addItem("travel limit (cliff)", "cliff")
        self.travel_model.addItem("distance decay", "decay")
        self.max_travel_km = QDoubleSpinBox()
        self.max_travel_km.setRange(0.0, 100.0)
        self.max_travel_km.setSingleStep(0.5)
        self.max_travel_km.setSuffix(" km")
        self.half_km = QDoubleSpinBox()
        self.half_km.setRange(0.1, 100.0)
        self.half_km.setSingleStep(0.5)
        self.half_km.setSuffix(" km")
        self.travel_model.currentIndexChanged.connect(self._show_travel_model)
        mrow = QHBoxLayout()
        mrow.addWidget(self.travel_model, 1)
        self.max_travel_label = QLabel("limit")
        self.half_km_label = QLabel("half at")
        mrow.addWidget(self.max_travel_label)
        mrow.addWidget(self.max_travel_km)
        mrow.addWidget(self.half_km_label)
        mrow.addWidget(self.half_km)
        bl.addRow("Relocation", mrow)
        orow = QHBoxLayout()
        orow.addWidget(self.org_pick, 1)
        self.add_close = QPushButton("Close organisation")
        self.add_close.clicked.connect(self._add_close)
        orow.addWidget(self.add_close)
        bl.addRow("Organisation", orow)
        self.change_model = QStringListModel(self)
        self.change_view = QListView()
        self.change_view.setModel(self.change_model)
        self.change_view.setMaximumHeight(90)
        bl.addRow(self.change_view)
        crow = QHBoxLayout()
        self.remove_change = QPushButton("Remove")
        self.remove_change.clicked.connect(self._remove_change)
        self.clear_changes = QPushButton("Clear")
        self.clear_changes.clicked.connect(self.clear)
        self.context_survival = QDoubleSpinBox()
        self.context_survival.setRange(0.0, 1.0)
        self.context_survival.setSingleStep(0.1)
        self.context_survival.setValue(0.5)
        crow.addWidget(self.remove_change)
        crow.addWidget(self.clear_changes)
        crow.addStretch(1)
        survival_label = QLabel("context survival")
        crow.addWidget(survival_label)
        crow.addWidget(self.context_survival)
        bl.addRow(crow)
        lay.addWidget(build)
        # every assumption's default, plausible range and source on hover (assumptions.py)
        for widgets, name in (((self.retention, retention_label), "retention"),
                              ((self.context_survival, survival_label), "context_survival"),
                              ((self.max_travel_km, self.max_travel_label), "max_travel_km"),
                              ((self.half_km, self.half_km_label), "half_km")):
            for w in widgets:
                w.setToolTip(ASSUMPTIONS[name].tooltip())
        self.travel_model.setToolTip(ASSUMPTIONS["max_travel_km"].tooltip() + "\n\n"
                                     + ASSUMPTIONS["half_km"].tooltip())
        self._show_travel_model()

        run_row = QHBoxLayout()
        self.run_button = QPushButton("Run scenario")
        self.run_button.clicked.connect(self.run)
        self.before = QRadioButton("Before")
        self.after = QRadioButton("After")
        self.after.setChecked(True)
        self.before_after = QButtonGroup(self)
        self.before_after.addButton(self.before)
        self.before_after.addButton(self.after)
        self.before.toggled.connect(lambda _on: self.show_on_map())
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addStretch(1)
        run_row.addWidget(self.before)
        run_row.addWidget(self.after)
        lay.addLayout(run_row)
        save_row = QHBoxLayout()
        self.saved_pick = QComboBox()
        self.load_button = QPushButton("Load")
        self.load_button.clicked.connect(self._load_saved)
        self.save_button = QPushButton("Save as…")
        self.save_button.clicked.connect(self._save_dialog)
        save_row.addWidget(QLabel("Saved"))
        save_row.addWidget(self.saved_pick, 1)
        save_row.addWidget(self.load_button)
        save_row.addWidget(self.save_button)
        lay.addLayout(save_row)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        # the scenario's totals, as `socialmap scenario` prints them
        self.totals = QLabel("")
        self.totals.setObjectName("scenarioTotals")
        self.totals.setWordWrap(True)
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.totals)

        self.thresholds_note = QLabel("")
        self.thresholds_note.setWordWrap(True)
        self.thresholds_note.setTextFormat(Qt.TextFormat.PlainText)
        self.thresholds_note.setToolTip("\n\n".join(
            ASSUMPTIONS[n].tooltip() for n in ("flag_newly_isolated_neet", "flag_bridging_loss_pct",
                                               "flag_nearest_service_km")))
        lay.addWidget(self.thresholds_note)

        self.tabs = QTabWidget()
        self.area_model = FrameModel(self, headers=HEADERS, one_decimal_columns=EXPECTED_VALUES)
        self.area_model.index_name = "code"
        self.area_proxy = SearchProxy(self.area_model, self)
        self.area_table = self._table(self.area_proxy)
        self.area_table.clicked.connect(self._on_area_row)
        self.tabs.addTab(self.area_table, "Areas")
        rank_box = QWidget()
        rl = QVBoxLayout(rank_box)
        rl.setContentsMargins(0, 0, 0, 0)
        rrow = QHBoxLayout()
        self.rank_button = QPushButton("Rank every service and organisation")
        self.rank_button.clicked.connect(self.run_rank)
        self.rank_cancel = QPushButton("Cancel")
        self.rank_cancel.setEnabled(False)
        self.rank_cancel.clicked.connect(lambda: self.rank_worker and self.rank_worker.cancel())
        rrow.addWidget(self.rank_button)
        rrow.addWidget(self.rank_cancel)
        rrow.addStretch(1)
        rl.addLayout(rrow)
        self.rank_tabs = QTabWidget()
        self.rank_service_model = FrameModel(self, headers=HEADERS, one_decimal_columns=EXPECTED_VALUES)
        self.rank_org_model = FrameModel(self, headers=HEADERS, one_decimal_columns=EXPECTED_VALUES)
        self.rank_service_table = self._table(SearchProxy(self.rank_service_model, self))
        self.rank_org_table = self._table(SearchProxy(self.rank_org_model, self))
        self.rank_tabs.addTab(self.rank_service_table, "Services")
        self.rank_tabs.addTab(self.rank_org_table, "Organisations")
        rl.addWidget(self.rank_tabs, 1)
        self.tabs.addTab(rank_box, "Criticality ranking")
        lay.addWidget(self.tabs, 1)

        #: The job making the scenario set-up ahead (_prepare), while it runs.
        self.prepare_worker: workers.Worker | None = None
        #: The edits signalled while it runs, replayed over what it made (None: it will not do).
        self._edits_meanwhile: list[tuple] | None = None
        self._prepare_timer = QTimer(self)
        self._prepare_timer.setSingleShot(True)
        self._prepare_timer.timeout.connect(self._prepare)
        # the UI thread's tick while the set-up is made: the job waits while it is late
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(20)
        self._heartbeat.timeout.connect(self._tick)
        if self.available():  # the set-up's modules imported while the window waits for a file
            QTimer.singleShot(0, self._warm_up)
        # the analysis's modules imported ahead, one a job, while the window is idle after the
        # set-up is made (_import_next)
        self._imports_timer = QTimer(self)
        self._imports_timer.setInterval(self.IMPORT_CHECK_MS)
        self._imports_timer.timeout.connect(self._import_next)
        doc.projectReplaced.connect(self._on_replaced)
        doc.nodesChanged.connect(self._on_nodes)
        doc.tiesChanged.connect(self._on_ties)
        doc.areasChanged.connect(lambda _codes: self._after_edit())
        doc.settingsChanged.connect(self._refresh_saved)
        doc.selectionChanged.connect(self._follow_selection)
        doc.asOfChanged.connect(lambda: self._after_edit())
        self._on_replaced()

    @staticmethod
    def _table(proxy) -> QTableView:
        table = QTableView()
        table.setModel(proxy)
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        # column widths from 100 rows, not 1,000: a ranking of 5,000 services and organisations
        # measured every cell through Python on the UI thread
        table.horizontalHeader().setResizeContentsPrecision(100)
        return table

    def available(self) -> bool:
        return scenarios_api("evaluate") is not None

    # ----------------------------------------------------------------- pickers
    def _fill_pickers(self, touched: list | None = None) -> None:
        """Fill the service and organisation pickers; after an edit, from what they held and the
        ``touched`` ids (:func:`indexes.by_label_after_edit`, not a pass over every node)."""
        project = self.doc.project
        nodes = project.nodes
        for combo, kind in ((self.service_pick, SERVICE), (self.org_pick, ORGANISATION)):
            ids = indexes.by_label_after_edit(project, kind, combo.model().ids(), touched)
            set_choices(combo, [f"{n.label} ({n.id})" for n in map(nodes.__getitem__, ids)], ids,
                        keep=combo.currentData())
        self._fill_target_orgs()

    def _fill_target_orgs(self) -> None:
        """The new-provider list: every organisation but the chosen service's current provider."""
        project = self.doc.project
        service = project.nodes.get(self.service_pick.currentData() or "")
        provider = project.nodes.get(service.provider) if service is not None and service.provider else None
        self.current_provider.setText(f"{provider.label} ({provider.id})" if provider is not None
                                      else "no provider recorded" if service is not None else "")
        # the organisations' texts from the organisation picker, less the provider's
        orgs = self.org_pick.model()
        ids, texts = orgs.ids(), orgs.texts()
        skip = orgs.row_of(provider.id) if provider is not None else -1
        if skip >= 0:
            ids, texts = ids[:skip] + ids[skip + 1:], texts[:skip] + texts[skip + 1:]
        set_choices(self.target_org, texts, ids, keep=self.target_org.currentData())

    # ----------------------------------------------------------------- set-up made ahead
    #: How long after opening a project its scenario set-up is made in the background (ms): while
    #: the map page draws it (another process), so that it is ready by the first click. (200 ms
    #: had it begin 0.28 s after the loading job ended, after the window's first actions at
    #: 100,000 young people; with 50 ms, 0.07 s after, as the window reports itself ready.)
    PREPARE_DELAY_MS = 50
    #: The same after an edit: long enough not to start between the edits of one sitting.
    PREPARE_AFTER_EDIT_MS = 3000

    def _schedule_prepare(self, delay_ms: int | None = None) -> None:
        self._prepare_timer.start(self.PREPARE_DELAY_MS if delay_ms is None else delay_ms)

    def _prepare(self, wanted: bool = False) -> workers.Worker | None:
        """Make the scenario set-up of the project as it is now in a job of its own
        (:func:`socialmap.ui.workers.prepare_scenarios`: on a view of the project, not a copy,
        and edits go on meanwhile), so the session's first scenario and ranking start from it.
        Waits while another job runs; a project edited meanwhile is prepared again later.
        ``wanted``: a scenario or ranking waits for it now (:meth:`_launch`): queued at once,
        after any job running, and at full speed (not polite)."""
        project = self.doc.project
        if self.prepare_worker is not None or not self.available():
            return None
        if not project.nodes or workers.prepared_for(project, self.doc.measure_date()) is not None:
            return None
        if not wanted and (not workers.executor().idle.is_set() or self.doc.locked_for):
            self._schedule_prepare(300)
            return None
        self._prepare_timer.stop()
        worker = workers.Worker(workers.prepare_scenarios, project, self.doc.measure_date())
        worker.preload = workers.SCENARIO_MODULES
        # the collector paused while the view's dicts and lists (a city's 391,000 ties) are made
        # and read, and what the job made set aside when it ends (Worker.keeps_result): else each
        # collection that found them young walked them, one C call holding Python's lock 30 ms,
        # on the job's thread or the UI thread's, whichever allocated then
        worker.keeps_result = True
        worker.signals.finished.connect(self._prepared)
        worker.signals.failed.connect(self._prepare_failed)
        worker.signals.cancelled.connect(self._prepare_failed)
        self.prepare_worker = worker
        self._edits_meanwhile: list[tuple] | None = []
        if not wanted:
            self._polite_started(worker)  # its imports and pieces give way to the UI thread
        return workers.start(worker)

    #: How often the panel looks for a pause in which to import the next of the analysis's
    #: modules (ms), and how long no user action must have begun for one (s).
    IMPORT_CHECK_MS = 500
    IMPORT_IDLE_S = 1.0

    def _import_next(self) -> workers.Worker | None:
        """Import the next of the analysis's modules (workers.ANALYSIS_MODULES) not yet imported,
        as a polite job of its own, when no job is queued or running and no user action began in
        the last IMPORT_IDLE_S; none left: the timer stops. They took 1.6-2.3 s of the city's
        first analysis (3.9-5.4 s of CPU in the window against 2.5 s in the bench); one module a
        job (0.86 s at most, libpysal), so a job the user starts meanwhile waits for one module's
        import at most; after the scenario set-up (the ranking's) and the tables' rows and search
        texts made in steps (which wait while a job runs: the ties' texts were a second later)."""
        left = [name for name in workers.ANALYSIS_MODULES if name not in workers.imported_ahead()]
        if not left:
            self._imports_timer.stop()
            return None
        if not workers.executor().idle.is_set() or not workers.ui_idle_for(self.IMPORT_IDLE_S) or steps_pending():
            return None  # (the tables' steps wait while a job runs: theirs first)
        worker = workers.Worker(workers.imports_done, with_callbacks=False)
        worker.preload = (left[0],)
        self._polite_started(worker)
        return workers.start(worker)

    def _warm_up(self) -> workers.Worker:
        """Queue :func:`socialmap.ui.workers.warm_up` (a polite job importing the scenario
        set-up's modules), the UI thread's tick running while it does."""
        worker = workers.Worker(workers.warm_up)
        worker.preload = workers.SCENARIO_MODULES
        self._polite_started(worker)
        return workers.start(worker)

    def _polite_started(self, worker: workers.Worker) -> None:
        """The UI thread ticks (workers.ui_heartbeat) while a polite job of the panel's is queued
        or runs."""
        worker.polite = True
        self._polite_jobs = getattr(self, "_polite_jobs", 0) + 1
        worker.signals.done.connect(self._polite_done)
        self._tick()
        self._heartbeat.start()

    def _polite_done(self) -> None:
        self._polite_jobs -= 1
        if self._polite_jobs <= 0:
            self._heartbeat.stop()

    @staticmethod
    def _tick() -> None:
        import time

        workers.ui_heartbeat[0] = time.monotonic()

    def _prepared(self, prepared) -> None:
        self.prepare_worker = None
        edits, self._edits_meanwhile = self._edits_meanwhile, None
        if edits is None or not workers.install_prepared(self.doc.project, prepared, edits):
            self._schedule_prepare(self.PREPARE_AFTER_EDIT_MS)  # edited meanwhile
        elif self.doc.project.nodes and not self._imports_timer.isActive():
            # then the analysis's modules, in the pauses (not for the empty project a window
            # starts with: a file opened then would wait for the module being imported)
            self._imports_timer.start()
        self._launch_waiting()

    def _launch_waiting(self) -> None:
        """Start the jobs asked for while the set-up was being made (on it, if it holds)."""
        waiting, self._waiting = getattr(self, "_waiting", []), []
        for worker, what in waiting:
            self._launch(worker, what, make_setup=False)  # a set-up that failed is not made again

    def _prepare_failed(self, exc=None) -> None:
        self.prepare_worker = None
        self._edits_meanwhile = None
        # an edit in the middle of taking the view: again later; a project the scenarios refuse
        # (a group key it lacks): not until it changes, the scenario's own job says why if run
        if isinstance(exc, workers.Stale):
            self._schedule_prepare(self.PREPARE_AFTER_EDIT_MS)
        self._launch_waiting()

    def _after_edit(self) -> None:
        workers.forget_prepared()
        self._edits_meanwhile = None  # what is being made now will not do
        self._schedule_prepare(self.PREPARE_AFTER_EDIT_MS)

    def _carry_over(self, nodes=None, ties=None) -> bool:
        """Whether the set-up made ahead (or being made) still holds after this edit."""
        if self.prepare_worker is not None:  # replayed when it is done (install_prepared)
            if self._edits_meanwhile is None:
                return False
            self._edits_meanwhile.append(workers.record_edit(self.doc.project, nodes, ties))
            return True
        return workers.advance_prepared(self.doc.project, nodes, ties)

    def _launch(self, worker, what: str, make_setup: bool = True):
        """Start a scenario or ranking job on the set-up made ahead when it is current (no copy
        of the project, edits go on); when it is not, on the set-up being made (made now if
        ``make_setup`` and none is); else on the shared copy of the project, as other jobs."""
        target = workers.prepared_for(self.doc.project, self.doc.measure_date())
        if target is None and self.prepare_worker is None and make_setup:
            # none made nor being made (asked for right after opening or an edit): made now, on a
            # view (about 0.4 s of CPU at 100,000 young people), rather than a copy of the project
            # (1.3 s) with the set-up built on it
            self._prepare(wanted=True)
        if target is None and self.prepare_worker is not None and self._edits_meanwhile is not None:
            # the set-up is being made: the job starts when it is (on it), not on a copy of its own;
            # meanwhile the set-up is made at full speed (the user waits for it now)
            self._waiting = [*getattr(self, "_waiting", []), (worker, what)]
            workers.hurry()
            return worker
        if target is None:
            self._prepare_timer.stop()  # the job builds the set-up on its copy
            return super()._launch(worker, what)
        worker.args = (target, *worker.args)
        worker.preload = workers.SCENARIO_MODULES
        return workers.start(worker)

    def _on_ties(self, added, changed, removed) -> None:
        if added or removed or not self._carry_over(ties=changed):
            self._after_edit()

    def _on_nodes(self, added, changed, removed) -> None:
        if added or removed or not self._carry_over(nodes=changed):
            self._after_edit()
        # refilled only when a service or organisation changed (a removed young person refilled
        # a city's 5,000 services and organisations twice)
        kinds = {self.doc.project.nodes[i].kind for i in [*added, *changed] if i in self.doc.project.nodes}
        if kinds & {SERVICE, ORGANISATION} or any(
                self.service_pick.findData(i) >= 0 or self.org_pick.findData(i) >= 0 for i in removed):
            self._fill_pickers([*added, *changed, *removed])

    def _follow_selection(self, kind: str, ident: str) -> None:
        """Choosing a service or organisation on the map or in a table picks it here."""
        if kind == SERVICE:
            idx = self.service_pick.findData(ident)
            if idx >= 0:
                self.service_pick.setCurrentIndex(idx)
        elif kind == ORGANISATION:
            idx = self.org_pick.findData(ident)
            if idx >= 0:
                self.org_pick.setCurrentIndex(idx)

    def _on_replaced(self) -> None:
        workers.forget_prepared()
        for worker, _what in getattr(self, "_waiting", []):  # asked of the project that went
            worker.cancel()
            workers.start(worker)  # says so (cancelled), and the panel takes runs again
        self._waiting = []
        self._schedule_prepare()
        self.clear()
        self.totals.setText("")
        self.result = None
        self.rank_result = None
        self.area_model.set_frame(None, index_name="code")
        self.rank_service_model.set_frame(None)
        self.rank_org_model.set_frame(None)
        self._fill_pickers()
        self._refresh_saved()
        project = self.doc.project
        self.context_survival.setValue(float(project.setting("context_survival")))
        self.retention.setValue(float(project.setting("retention")))
        self.max_travel_km.setValue(float(project.setting("max_travel_km")))
        self.half_km.setValue(float(project.setting("half_km")))
        idx = self.travel_model.findData(str(project.setting("travel_model")))
        self.travel_model.setCurrentIndex(max(idx, 0))
        self.thresholds_note.setText(
            "Flags: NEET newly isolated ≥ {:g}, bridging ties fall ≥ {:g}%, nearest service beyond {:g} km "
            "(project settings; hover for their sources). Every result is also worked out across each "
            "assumption's plausible range.".format(
                float(project.setting("flag_newly_isolated_neet")), float(project.setting("flag_bridging_loss_pct")),
                float(project.setting("flag_nearest_service_km"))))
        self.status.setText("" if self.available() else "Scenarios: " + NOT_AVAILABLE + ".")

    def _refresh_saved(self) -> None:
        current = self.saved_pick.currentText()
        self.saved_pick.clear()
        self.saved_pick.addItems(sorted(self.doc.project.scenarios))
        if current:
            self.saved_pick.setCurrentText(current)

    # ----------------------------------------------------------------- change list
    def _make(self, name: str, *args, **kwargs):
        cls = scenarios_api(name)
        if cls is None:
            self.status.setText(f"Scenario changes: {NOT_AVAILABLE}.")
            return None
        return cls(*args, **kwargs)

    def add_change(self, change) -> None:
        if change is None:
            return
        # checked as it is added, not first when the scenario runs, from the project's records
        # (validate_changes builds no scenario set-up: on the UI thread that was about a second
        # at 100,000 young people)
        validate = scenarios_api("validate_changes")
        if validate is not None:
            try:
                validate(self.doc.project, [*self.changes, change])
            except InputError as exc:
                self.status.setText(f"Not added: {exc}")
                return
        if self.status.text().startswith("Not added:"):
            self.status.setText("")
        self.changes.append(change)
        self._show_changes()

    def _show_changes(self) -> None:
        self.change_model.setStringList([describe_change(c, self.doc.project) for c in self.changes])

    def _add_decommission(self) -> None:
        if self.service_pick.currentData():
            self.add_change(self._make("Decommission", self.service_pick.currentData()))

    def _add_transfer(self) -> None:
        if self.service_pick.currentData() and self.target_org.currentData():
            self.add_change(self._make("Transfer", self.service_pick.currentData(), self.target_org.currentData(),
                                       retention=self.retention.value()))

    def _add_close(self) -> None:
        if self.org_pick.currentData():
            self.add_change(self._make("Close", self.org_pick.currentData()))

    def _show_travel_model(self) -> None:
        decay = self.travel_model.currentData() == "decay"
        for w in (self.max_travel_label, self.max_travel_km):
            w.setVisible(not decay)
        for w in (self.half_km_label, self.half_km):
            w.setVisible(decay)

    def add_relocate(self, service: str, lat: float, lon: float, max_travel_km: float | None = None) -> None:
        """Relocate ``service`` with the panel's travel model (travel limit: ``max_travel_km``, else the panel's)."""
        kwargs = {"max_travel_km": self.max_travel_km.value() if max_travel_km is None else max_travel_km,
                  "travel_model": self.travel_model.currentData() or "cliff", "half_km": self.half_km.value()}
        self.add_change(self._make("Relocate", service, lat, lon, **kwargs))

    def _ask_relocate(self) -> None:
        if self.service_pick.currentData():
            self.relocatePointRequested.emit(self.service_pick.currentData())

    def _remove_change(self) -> None:
        rows = sorted({i.row() for i in self.change_view.selectedIndexes()}, reverse=True)
        for r in rows:
            del self.changes[r]
        self._show_changes()

    def clear(self) -> None:
        self.changes = []
        self._show_changes()

    # ----------------------------------------------------------------- save / load
    def save_as(self, name: str) -> bool:
        scenario_cls = scenarios_api("Scenario")
        if scenario_cls is None:
            self.status.setText(f"Saving scenarios: {NOT_AVAILABLE}.")
            return False
        data = scenario_cls(name, list(self.changes), context_survival=self.context_survival.value()).to_dict()
        self.doc.undo_stack.push(SaveScenario(self.doc, name, data))
        self.saved_pick.setCurrentText(name)
        self.status.setText(f"Saved scenario {name!r} in the project (save the project to keep it).")
        return True

    def _save_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save scenario", "Name of the scenario:")
        if ok and name.strip():
            self.save_as(name.strip())

    def load(self, name: str) -> bool:
        scenario_cls = scenarios_api("Scenario")
        data = self.doc.project.scenarios.get(name)
        if scenario_cls is None or data is None:
            return False
        scenario = scenario_cls.from_dict(data)
        self.changes = list(scenario.changes)
        self.context_survival.setValue(float(scenario.context_survival))
        self._show_changes()
        self.status.setText(f"Loaded scenario {name!r}.")
        return True

    def _load_saved(self) -> None:
        if self.saved_pick.currentText():
            self.load(self.saved_pick.currentText())

    # ----------------------------------------------------------------- run
    def run(self) -> workers.Worker | None:
        evaluate = scenarios_api("evaluate")
        if evaluate is None:
            self.status.setText("Scenarios: " + NOT_AVAILABLE + ".")
            return None
        if not self.changes:
            self.status.setText("Add at least one change first.")
            return None
        if self.worker is not None:
            return self.worker
        changes = list(self.changes)
        self._source = self.doc.project
        worker = workers.Worker(evaluate, changes, context_survival=self.context_survival.value(), sensitivity=True)
        return self._start_job(
            worker, lambda r: self._finished(r, changes), "Running the scenario…", "the scenario"
        )

    def _finished(self, result, changes) -> None:
        self._end()
        if self.doc.project is not getattr(self, "_source", None):
            return  # another project was opened meanwhile
        self.result = result
        self.result_changes = changes
        areas = result.areas.copy()
        names = {c: a.name for c, a in self.doc.project.areas.items()}
        areas.insert(0, "name", [names.get(c, "") for c in areas.index])
        sens = getattr(result, "sensitivity", None)
        if sens is not None:  # the range of each figure over every assumption's plausible range
            areas["robustness"] = sens.robustness.reindex(areas.index).tolist()
            for col in RANGED:
                lo, hi = sens.ranges[f"{col}_low"], sens.ranges[f"{col}_high"]
                areas[f"{col}_range"] = range_texts(lo.reindex(areas.index).to_numpy(float),
                                                    hi.reindex(areas.index).to_numpy(float))
        areas = areas.sort_values(["flagged", "newly_isolated"], ascending=[False, False]) if "flagged" in areas else areas
        columns = ["name", *[c for c in AREA_COLUMNS if c in areas]]
        self.area_model.set_frame(areas, index_name="code", columns=columns)
        self.area_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep flagged first
        self.area_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        flagged = self.flagged_codes()
        # each flagged area with its reasons in full (in the table they are cut at the side of
        # the panel)
        reasons = result.areas["reasons"] if "reasons" in result.areas else {}
        how = sens.robustness if sens is not None else {}
        lines = [f"{names.get(c, c)} ({c}): " + "; ".join(str(r) for r in (reasons.get(c) or []))
                 + (f" ({how[c]})" if c in how else "") for c in flagged[:6]]
        if len(flagged) > 6:
            lines.append(f"and {len(flagged) - 6} more (see the table)")
        self.status.setText(f"{len(flagged)} area(s) flagged" + (":\n" + "\n".join(lines) if lines else ": none"))
        self.totals.setText(totals_text(result.summary))
        self.after.setChecked(True)
        self.show_on_map()
        # the columns fitted to their text once for a set of columns, not at every run (it reads
        # 1,600 cells, 40-70 ms of the UI thread for a city's 500 areas), after the map's calls are
        # sent: the page draws the result meanwhile (the table is painted once, after this slot)
        if getattr(self, "_fitted_area_columns", None) != columns:
            fit_columns(self.area_table)
            self._fitted_area_columns = columns
        self.scenarioDone.emit(result)

    def flagged_codes(self) -> list[str]:
        if self.result is None:
            return []
        areas = self.result.areas
        return sorted(str(c) for c, f in areas["flagged"].items() if bool(f))

    def show_on_map(self) -> None:
        if self.result is None:
            return
        state = "before" if self.before.isChecked() else "after"
        flagged = self.flagged_codes() if state == "after" else []
        removed = sorted(removed_nodes(self.result_changes, self.doc.project)) if state == "after" else []
        values = {}
        if state == "after" and "bridging_loss_pct" in self.result.areas:
            values = {str(c): (None if v != v else float(v)) for c, v in self.result.areas["bridging_loss_pct"].items()}
        self.mapStateRequested.emit(state, flagged, removed, values)

    def _on_area_row(self, index) -> None:
        code = self.area_proxy.index(index.row(), 0).data()
        if code in self.doc.project.areas:
            self.doc.select("area", code)

    # ----------------------------------------------------------------- ranking
    def run_rank(self) -> workers.Worker | None:
        rank = scenarios_api("rank")
        if rank is None:
            self.status.setText("Criticality ranking: " + NOT_AVAILABLE + ".")
            return None
        if self.rank_worker is not None:
            return self.rank_worker
        self._rank_source = self.doc.project
        # the ranking first (its tables within 2 s for a city of 100,000 young people); whether its
        # top ten keep their order across context survival follows (_rank_stability)
        self.rank_worker = workers.Worker(rank)
        self.rank_worker.preload = workers.SCENARIO_MODULES  # imported before the job, then frozen
        self.rank_worker.signals.progress.connect(workers.owned(self, lambda f: self.progress.setValue(int(f * 100))))
        self.rank_worker.signals.finished.connect(self._rank_finished)
        self.rank_worker.signals.failed.connect(workers.owned(self, lambda e: self._rank_end(f"The ranking could not run: {e}")))
        self.rank_worker.signals.cancelled.connect(workers.owned(self, lambda: self._rank_end("Ranking cancelled.")))
        self.progress.setValue(0)
        self.progress.show()
        self.rank_button.setEnabled(False)
        self.rank_cancel.setEnabled(True)
        self.status.setText("Ranking every service and organisation…")
        return self._launch(self.rank_worker, "the ranking")

    def _ranked_text(self, result) -> str:
        top = getattr(result, "top_ten", None)
        return (f"Ranked {len(result.services)} services and {len(result.organisations)} organisations."
                + ("" if top is None else " " + top.describe("services", brief=True) + " "
                   + top.describe("organisations", brief=True)))

    def _rank_stability(self, result) -> workers.Worker | None:
        """Whether the ranking's top ten keep their order at the ends of context survival's
        plausible range, in a job after the ranking is shown (the status says so when done)."""
        stability = scenarios_api("top_ten_stability")
        if stability is None:
            return None
        worker = workers.Worker(stability, result)
        self._stability_of = (result, self.doc.project)
        # slots of the panel (not closures): a panel closed meanwhile is not called
        worker.signals.finished.connect(self._stability_done)
        worker.signals.failed.connect(self._stability_failed)
        worker.signals.cancelled.connect(self._stability_cancelled)
        self.stability_worker = worker
        return self._launch(worker, "the ranking's top ten")  # the ranking's view or copy, with its caches

    def _stability_done(self, top) -> None:
        self.stability_worker = None
        result, source = self._stability_of
        if self.rank_result is result and self.doc.project is source:
            result.top_ten = top
            self.status.setText(self._ranked_text(result))
            self.rankStabilityDone.emit(top)

    def _stability_cancelled(self) -> None:
        self.stability_worker = None

    def _stability_failed(self, exc) -> None:
        self.stability_worker = None
        result, _source = self._stability_of
        if self.rank_result is result:
            self.status.setText(f"{self._ranked_text(result)} (The top ten's order could not be checked: {exc})")

    def _rank_end(self, message: str) -> None:
        self.rank_worker = None
        self.progress.hide()
        self.rank_button.setEnabled(True)
        self.rank_cancel.setEnabled(False)
        self.status.setText(message)

    def _rank_finished(self, result) -> None:
        if self.doc.project is not getattr(self, "_rank_source", None):
            self._rank_end("")
            return  # another project was opened meanwhile
        self.rank_result = result
        # unsorted before the rows arrive: a table still sorted by a column (as it is at first)
        # sorted a city's 1,000 new rows in Python (8,000 comparisons, 90 ms) only to unsort them
        for table in (self.rank_service_table, self.rank_org_table):
            table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # most damaging first
            table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        for model, frame in ((self.rank_service_model, result.services), (self.rank_org_model, result.organisations)):
            df = frame.copy()
            if "id" in df.columns:
                df = df.set_index("id")
            model.set_frame(df, index_name="id")
        self._rank_end(self._ranked_text(result)
                       + " Checking whether the top ten keep their order across context survival…")
        self.tabs.setCurrentIndex(1)
        # each table's columns in a turn of the event loop of its own, then rankDone: all in one
        # go held the UI thread for 70 to 150 ms on a city of 20,000 young people
        # (each step starts the next, on a 1 ms timer: 0 ms ones are posted calls, all run in one pass)
        steps = [lambda: fit_columns(self.rank_service_table), lambda: fit_columns(self.rank_org_table),
                 lambda: (self.rankDone.emit(result), self._rank_stability(result))]
        source = self.doc.project

        def step() -> None:
            if self.doc.project is source and steps:
                steps.pop(0)()
                if steps:
                    QTimer.singleShot(1, step)

        QTimer.singleShot(1, step)
