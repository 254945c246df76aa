"""The main window: the map in the centre, docks around it, menus, toolbar,
status bar, recent files, settings, autosave and recovery."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError, SocialMapError
from socialmap.model import Node, Tie
from socialmap.model.kinds import (
    ADULT,
    NODE_KINDS,
    ORGANISATION,
    SERVICE,
    TIE_TYPES,
    YOUNG_PERSON,
    tie_fits,
)
from socialmap.model.labels import value_label
from socialmap.ui import commands, recovery, workers
from socialmap.ui.analysis_panel import MEASURE_TITLES, AnalysisPanel, area_measures
from socialmap.ui.anchor_panel import AnchorPanel
from socialmap.ui.change_panel import AddSnapshot, ChangePanel
from socialmap.ui.document import ProjectDocument
from socialmap.ui.inspector import Inspector
from socialmap.ui.mapwidget import MapWidget
from socialmap.ui.models import (
    ID_ROLE,
    AreaTableModel,
    NodeTableModel,
    SearchProxy,
    TieTableModel,
    fit_columns_to_text,
    plain_tooltip,
)
from socialmap.ui.protection import DEFAULT_LOCK_MINUTES, LOCK_SETTING, IdleLock, PassphraseDialog
from socialmap.ui.scenario_panel import ScenarioPanel

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
MAX_RECENT = 8
AUTOSAVE_MINUTES = 3
TABLE_TABS = (
    ("area", "Areas"), (YOUNG_PERSON, "Young people"), (ADULT, "Adults"),
    (ORGANISATION, "Organisations"), (SERVICE, "Services"), ("tie", "Ties"),
)
LAYERS = (
    ("area", "Areas"), (ORGANISATION, "Organisations"), (SERVICE, "Services"), (YOUNG_PERSON, "Young people"),
    ("bonding", "Bonding ties"), ("bridging", "Bridging ties"), ("linking", "Linking ties"),
    ("institutional", "Institutional ties"), ("unclassified", "Unclassified ties"), ("labels", "Labels"),
)
#: Version of the dock layout kept in the settings: a layout kept by an earlier version (with the
#: tables dock two rows high, the side panels shortened by it) gives way to the new first-start one.
LAYOUT_VERSION = 1
#: Area measures that count young people: not offered as a choropleth (small numbers).
COUNT_MEASURES = {"young_people", "neet", "not_known", "isolated", "neet_isolated"}


def _load(path: str, passphrase: str | None = None, preview=None):
    """Load a project (plain, or encrypted under ``passphrase``), the views' indexes and the
    map's payload, all off the UI thread (nothing can edit the new project before it is shown).

    The map's parts are made here rather than by a job of the map's started once the project is
    shown: that job and the UI thread's work of showing a city (tables, panels, pickers) held
    Python's lock in turns, and the window stalled for 0.5-1.4 s (100,000 young people).

    ``preview`` (the job's ``preview`` signal) is handed the JSON text of each map part of the
    file's first stage as soon as it is made, from the columns as read, before the records are
    made and checked (:class:`socialmap.mapview.binary.PartsPreview`): the page draws the map
    while the rest is read."""
    from socialmap.mapview import binary
    from socialmap.store import open_project_file
    from socialmap.ui import indexes

    texts: list[str] = []

    def send(part: dict) -> None:
        texts.append(workers.json_in_chunks(part))
        preview(texts[-1])

    first = None if preview is None else binary.PartsPreview(send)
    project, passphrase = open_project_file(path, passphrase, preview=first)
    indexes.warm(project)
    if first is not None and first.matches(project):  # the parts drawn already are the project's
        return project, texts, first.rows, passphrase
    parts, rows = binary.parts(project)
    return project, [workers.json_in_chunks(p) for p in parts], rows, passphrase


#: Records (nodes and ties) above which a project is saved by a process of its own.
SAVE_IN_PROCESS_MAX_RECORDS = 10_000


def _take_for_saving(project):
    """What a save job takes of the project while edits wait: a copy of a small project, the
    packed records of a bigger one (socialmap.store.writer.PackedProject), written by a process
    of its own."""
    if len(project.nodes) + len(project.ties) > SAVE_IN_PROCESS_MAX_RECORDS:
        from socialmap.store.writer import PackedProject

        return PackedProject(project)
    return project.copy()


def _save(project, path: str, passphrase: str | None = None) -> str:
    """Save a project: encrypted under ``passphrase``, or a plain GeoPackage when it is None.

    A project of more than :data:`SAVE_IN_PROCESS_MAX_RECORDS` nodes and ties (taken packed,
    :func:`_take_for_saving`) is written by a process of its own (socialmap.store.writer): GDAL's
    writing holds Python's lock, and from the job thread it stalled the window 0.2-0.6 s at a
    time for a city of 100,000 young people. A smaller one is written here (a few milliseconds
    of held lock; no second of starting a Python process)."""
    from socialmap.store.writer import PackedProject, save_in_subprocess

    if isinstance(project, PackedProject) or len(project.nodes) + len(project.ties) > SAVE_IN_PROCESS_MAX_RECORDS:
        save_in_subprocess(project, path, passphrase)
    else:
        from socialmap.store import save_project_file

        save_project_file(project, path, passphrase)
    return path


#: The file dialogs' filters: any project, an encrypted one, a plain GeoPackage.
PROJECT_FILTER = "SocialMap projects (*.gpkg *.smx)"
ENCRYPTED_FILTER = "Encrypted SocialMap projects (*.smx)"
PLAIN_FILTER = "SocialMap projects, unencrypted (*.gpkg)"


def error_text(exc: BaseException) -> str:
    """The message of an error for a dialog: the reason, never a traceback."""
    if isinstance(exc, InputError):
        lines = exc.lines()
        more = f"\n… and {len(lines) - 10} more." if len(lines) > 10 else ""
        return "\n".join(lines[:10]) + more
    if isinstance(exc, (SocialMapError, OSError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class AddPersonDialog(QDialog):
    """Label, home area, age and NEET of a new young person (or label, area, role of an adult)."""

    def __init__(self, kind: str, areas: list[tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle("Add a young person" if kind == YOUNG_PERSON else "Add an adult")
        form = QFormLayout(self)
        self.label = QLineEdit()
        self.label.setPlaceholderText("pseudonym" if kind == YOUNG_PERSON else "name")
        self.area = QComboBox()
        if kind == ADULT:
            self.area.addItem("(none)", None)
        for code, name in areas:
            self.area.addItem(f"{name} ({code})", code)
        form.addRow("Label", self.label)
        form.addRow("Home area", self.area)
        if kind == YOUNG_PERSON:
            self.age = QSpinBox()
            self.age.setRange(0, 30)
            self.age.setSpecialValueText("unknown")
            self.neet = QCheckBox("Not in education, employment or training")
            form.addRow("Age", self.age)
            form.addRow("NEET", self.neet)
        else:
            self.role = QLineEdit()
            self.role.setPlaceholderText("parent, youth worker, mentor…")
            form.addRow("Role", self.role)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label.text().strip(), "area_code": self.area.currentData()}
        if self.kind == YOUNG_PERSON:
            out["age"] = self.age.value() or None
            out["neet"] = self.neet.isChecked()
        else:
            out["role"] = self.role.text().strip() or None
        return out


class MainWindow(QMainWindow):
    """SocialMap's main window."""

    projectLoaded = Signal(str)
    loadFailed = Signal(str)
    projectSaved = Signal(str)
    errorShown = Signal(str)

    def __init__(self, settings: QSettings | None = None, *, autosave_minutes: float = AUTOSAVE_MINUTES) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.doc = ProjectDocument(self)
        self.io_worker: workers.Worker | None = None
        self.autosave_worker: workers.Worker | None = None
        self.last_error: QMessageBox | None = None
        #: The repair view of a file edited elsewhere that would not open (socialmap.ui.repair_view).
        self.repair_dialog = None
        self.add_mode: str | None = None
        self.tie_pick: list[str] | None = None
        self.map_mode = ""
        self._scenario_state: tuple | None = None
        #: True when this window owns the recovery session (not in tests or screenshots).
        self.session_started = False
        self.setWindowIcon(QIcon(str(RESOURCES / "icon.svg")))
        self.setObjectName("MainWindow")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        # the side panels run the full height, the tables sit under the map only (as QGIS's
        # attribute table): the scenario and analysis panels keep room for their own tables
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

        self.map = MapWidget(self.doc, self)
        self.setCentralWidget(self.map)
        self._build_docks()
        self._build_actions()
        self._build_status()
        from socialmap.ui import map_tools

        self.map_tools = map_tools.install(self, self.main_toolbar)  # search, postcodes, print/export, ranking on the map

        self.doc.titleChanged.connect(self._update_title)
        self.doc.projectReplaced.connect(self._on_replaced)
        self.doc.selectionChanged.connect(self._on_selection)
        self.doc.nodesChanged.connect(self._count_nodes)
        self.doc.tiesChanged.connect(lambda *_: self._update_counts())
        self.doc.areasChanged.connect(self._on_areas_changed)
        self.doc.lockChanged.connect(self._on_lock)
        self.map.mapClicked.connect(self._on_map_clicked)
        self.map.layersDrawn.connect(self._on_drawn)
        self._update_title()
        self._update_counts()

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(int(autosave_minutes * 60_000))
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

        try:
            lock_minutes = float(self.settings.value(LOCK_SETTING, DEFAULT_LOCK_MINUTES))
        except (TypeError, ValueError):
            lock_minutes = DEFAULT_LOCK_MINUTES
        self.idle_lock = IdleLock(self, lambda: self.doc.passphrase, int(lock_minutes * 60_000),
                                  name=lambda: self.doc.path.name if self.doc.path else "The project")
        self.doc.projectReplaced.connect(self._on_protection_changed)
        self._on_protection_changed()

        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(*first_size(self.screen().availableGeometry().size() if self.screen() else None))
        state = self.settings.value("window/state")
        #: Whether the docks still need their first sizes (no layout kept from a previous session).
        self._default_docks_pending = state is None or not self.restoreState(state, LAYOUT_VERSION)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._default_docks_pending:
            self._default_docks_pending = False
            # Dock sizes asked for before the window has its size are lost (the tables dock
            # came out two rows high): set them once the window is laid out.
            QTimer.singleShot(0, self._default_dock_sizes)

    def _default_dock_sizes(self) -> None:
        """First-start layout: layers 190 px, the right-hand panels 430 px, and the tables
        dock about 30% of the window's height (at least about eight rows)."""
        self.resizeDocks([self.layers_dock], [190], Qt.Orientation.Horizontal)
        self.resizeDocks([self.inspector_dock], [430], Qt.Orientation.Horizontal)
        self.resizeDocks([self.tables_dock], [max(260, int(self.height() * 0.3))], Qt.Orientation.Vertical)

    def _fit_table_columns(self) -> None:
        """Columns of the shown table wide enough for its first rows (labels were cut at
        100 px), none wider than 320 px; each other table when its tab is first shown.

        Measuring costs a Python call per cell: all six tables of the sample at once held the
        UI thread 250 ms, so one table at a time, from its first 100 rows."""
        self._unfitted = set(self.tables)
        self._fit_current_table()
        QTimer.singleShot(0, self._fit_next_table)  # the young people's at once, the others later

    def _fit_next_table(self) -> None:
        """The tables not yet shown fitted one at a time, 300 ms apart, after opening: the first
        selection on the map switches to its table, and fitting the young people's there held
        the UI thread 40-100 ms at 100,000 young people. The young people's first and at once
        (the likeliest first selection: the scenario set-up made ahead runs until the
        benchmark's first scenario, so a table waiting for no job was fitted inside the first
        click); the others only while no job runs: a job holding Python's lock would stretch
        the fitting into a gap of the UI thread."""
        unfitted = getattr(self, "_unfitted", ())
        kind = next((k for k in (YOUNG_PERSON, *self.tables) if k in unfitted), None)
        if kind is None:
            return
        if kind != YOUNG_PERSON and (not workers.executor().idle.is_set() or not workers.ui_idle_for(0.4)):
            QTimer.singleShot(300, self._fit_next_table)
            return
        self._unfitted.discard(kind)
        view = self.tables[kind]["view"]
        fit_columns_to_text(view, rows=100, widest=320)
        # what the first selection on the map did on its way to this table: PySide6 makes the
        # enums of a viewport's type the first time one is asked for (12-18 ms), and the page
        # is polished the first time it is shown
        view.viewport()
        self.tables[kind]["page"].ensurePolished()
        QTimer.singleShot(300, self._fit_next_table)

    def _on_searching(self, title: str, on: bool) -> None:
        """A table's search shows the matches among the rows read so far (``on``) until every
        row's text is made (socialmap.ui.models.SearchProxy), a second or two after a city opens."""
        message = f"Searching the {title.lower()}: the matches so far are shown, the rest in a moment…"
        if on:
            self.statusBar().showMessage(message)
        elif self.statusBar().currentMessage() == message:
            self.statusBar().showMessage(f"Searched every row of the {title.lower()}.", 3000)

    def _fit_current_table(self) -> None:
        kind = next((k for k, e in self.tables.items() if e["page"] is self.table_tabs.currentWidget()), None)
        if kind is None or kind not in getattr(self, "_unfitted", ()):
            return
        self._unfitted.discard(kind)
        view = self.tables[kind]["view"]
        fit_columns_to_text(view, rows=100, widest=320)

    # ================================================================ building
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        # layers
        layers = QWidget()
        ll = QVBoxLayout(layers)
        ll.setContentsMargins(6, 6, 6, 6)
        self.layer_checks: dict[str, QCheckBox] = {}
        for name, title in LAYERS:
            box = QCheckBox(title)
            box.setChecked(True)
            box.setObjectName(f"layer_{name}")
            box.toggled.connect(lambda on, n=name: self.map.set_visible(n, on))
            ll.addWidget(box)
            self.layer_checks[name] = box
        colour_box = QGroupBox("Colour areas by")
        self.colour_box = colour_box
        cl = QVBoxLayout(colour_box)
        self.colour_by = QComboBox()
        self.colour_by.setObjectName("colourBy")
        self._fill_colour_by()
        self.colour_by.currentIndexChanged.connect(lambda _i: self.apply_map_mode(self.colour_by.currentData()))
        cl.addWidget(self.colour_by)
        ll.addWidget(colour_box)
        ll.addStretch(1)
        self.layers_dock = self._dock("Layers", "layersDock", layers, Qt.DockWidgetArea.LeftDockWidgetArea)

        # tables
        self.table_tabs = QTabWidget()
        self.tables: dict[str, dict[str, Any]] = {}
        for kind, title in TABLE_TABS:
            if kind == "area":
                model = AreaTableModel(self.doc)
            elif kind == "tie":
                model = TieTableModel(self.doc)
            else:
                model = NodeTableModel(self.doc, kind)
            proxy = SearchProxy(model, self)
            page = QWidget()
            pl = QVBoxLayout(page)
            pl.setContentsMargins(2, 2, 2, 2)
            search = QLineEdit()
            search.setPlaceholderText(f"Search {title.lower()}…")
            search.setClearButtonEnabled(True)
            search.textChanged.connect(proxy.setFilterFixedString)
            proxy.searchingChanged.connect(lambda on, t=title: self._on_searching(t, on))
            view = QTableView()
            view.setObjectName(f"table_{kind}")
            view.setModel(proxy)
            view.setSortingEnabled(True)
            view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
            view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
            view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
            view.verticalHeader().setDefaultSectionSize(22)
            view.horizontalHeader().setResizeContentsPrecision(100)  # column widths from 100 rows
            view.selectionModel().currentRowChanged.connect(lambda cur, _prev, k=kind, p=proxy: self._on_table_row(k, p, cur))
            # a click on the row already current changes no row: select it all the same
            # (after the selection moved to a tie, the inspector kept showing the tie)
            view.clicked.connect(lambda cur, k=kind, p=proxy: self._on_table_row(k, p, cur))
            pl.addWidget(search)
            pl.addWidget(view)
            self.table_tabs.addTab(page, title)
            self.tables[kind] = {"model": model, "proxy": proxy, "view": view, "search": search, "page": page}
        self.tables_dock = self._dock("Tables", "tablesDock", self.table_tabs, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.table_tabs.currentChanged.connect(lambda _i: self._fit_current_table())

        self.inspector = Inspector(self.doc)
        self.inspector.recordRequested.connect(self.record_network_dialog)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.analysis_panel = AnalysisPanel(self.doc)
        self.analysis_panel.map_rows = lambda: self.map.node_rows
        self.analysis_dock = self._dock("Analysis", "analysisDock", self.analysis_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.scenario_panel = ScenarioPanel(self.doc)
        self.scenario_dock = self._dock("Scenarios", "scenarioDock", self.scenario_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.anchor_panel = AnchorPanel(self.doc)
        self.anchor_dock = self._dock("Anchor evidence", "anchorDock", self.anchor_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.inspector_dock, self.analysis_dock)
        self.tabifyDockWidget(self.analysis_dock, self.scenario_dock)
        self.change_panel = ChangePanel(self.doc)
        self.change_dock = self._dock("Change", "changeDock", self.change_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.scenario_dock, self.anchor_dock)
        self.tabifyDockWidget(self.anchor_dock, self.change_dock)
        self.inspector_dock.raise_()
        self.change_panel.mapStyleRequested.connect(self._on_change_style)
        self.change_panel.reportRequested.connect(self.change_report)

        self.analysis_panel.analysisDone.connect(self._on_analysis)
        self.analysis_panel.mapModeRequested.connect(self._request_map_mode)
        self.scenario_panel.mapStateRequested.connect(self._on_scenario_state)
        self.scenario_panel.relocatePointRequested.connect(self.begin_relocate)
        self.anchor_panel.reachRequested.connect(self.map.set_reach)
        self.anchor_panel.evidenceRequested.connect(self.evidence_pack)

    def _fill_colour_by(self) -> None:
        current = self.colour_by.currentData()
        self.colour_by.blockSignals(True)
        self.colour_by.clear()
        self.colour_by.addItem("Nothing (outline only)", "")
        self.colour_by.addItem("IMD decile", "field:imd_decile")
        self.colour_by.addItem("Population 16-24", "field:population_16_24")
        from socialmap.interchange.area_table import numeric_area_attributes

        for name in numeric_area_attributes(self.doc.project):  # joined from area tables (issue 15)
            self.colour_by.addItem(name.replace("_", " "), f"attr:{name}")
        for m in area_measures():
            if m not in COUNT_MEASURES:
                self.colour_by.addItem(MEASURE_TITLES.get(m, m.replace("_", " ")), f"measure:{m}")
        self.colour_by.addItem("Hotspots (Getis-Ord Gi*)", "hotspots")
        idx = self.colour_by.findData(current)
        self.colour_by.setCurrentIndex(max(idx, 0))
        self.colour_by.blockSignals(False)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        std = QKeySequence.StandardKey
        self.act_open = self._action("&Open…", self.open_dialog, std.Open, "Open a project file")
        self.act_save = self._action("&Save", self.save, std.Save, "Save the project")
        self.act_save_as = self._action("Save &As…", self.save_as_dialog, std.SaveAs)
        self.act_sample = self._action("Open the &sample project", self.open_sample)
        self.act_quit = self._action("&Quit", self.close, std.Quit)
        self.act_protect = self._action("&Protect with passphrase…", self.protect_dialog,
                                        tip="Encrypt the project file: it opens only with the passphrase")
        self.act_change_passphrase = self._action("C&hange passphrase…", self.change_passphrase_dialog)
        self.act_unprotect = self._action("Remove passphrase protection…", self.unprotect_dialog)
        self.act_export_plain = self._action("Export &unencrypted copy…", self.export_plain_dialog,
                                             tip="A plain GeoPackage copy for QGIS: not protected")
        self.act_lock = self._action("&Lock now", self.idle_lock_now, "Ctrl+L", "Hide the data until the passphrase is given")
        self.act_lock_time = self._action("Lock when idle after…", self.lock_time_dialog)
        self.act_snapshot = self._action("Save s&napshot…", self.save_snapshot_dialog, None,
                                         "Keep a named, dated copy of the network inside the project")
        # short texts that do not move the toolbar; what would be undone is in the tooltip
        self.act_undo = self._action("&Undo", self.doc.undo_stack.undo, std.Undo)
        self.act_redo = self._action("&Redo", self.doc.undo_stack.redo, std.Redo)
        stack = self.doc.undo_stack
        for signal in (stack.canUndoChanged, stack.canRedoChanged, stack.undoTextChanged, stack.redoTextChanged):
            signal.connect(self._sync_undo_actions)  # a bound slot: disconnected with the window
        self._sync_undo_actions()
        self.act_find = self._action("&Find…", self.focus_search, std.Find, "Search the current table")
        self.act_delete = self._action("&Delete", self.delete_selected, std.Delete, "Delete the selected record and its ties")
        self.act_erase = self._action("&Erase person completely…", self.erase_selected, None,
                                      "Delete the selected person, their ties and every mention of them (right to erasure)")
        self.act_retention = self._action("&Retention review…", self.retention_review, None,
                                          "Young people whose record has not been updated for a long time")
        self.act_add_org = self._action("Add &organisation (click the map)", lambda: self.begin_add_place(ORGANISATION))
        self.act_add_service = self._action("Add ser&vice (click the map)", lambda: self.begin_add_place(SERVICE))
        self.act_add_yp = self._action("Add &young person…", lambda: self.add_person_dialog(YOUNG_PERSON))
        self.act_add_adult = self._action("Add a&dult…", lambda: self.add_person_dialog(ADULT))
        self.act_add_tie = self._action("Add &tie (pick two nodes)", self.begin_add_tie)
        self.act_record = self._action("Record a &network…", self.record_network_dialog, None,
                                       "Interview a young person: the people and places they name, as one edit")
        self.act_enter_ties = self._action("&Enter ties…", self.tie_entry_dialog, None,
                                           "Type or paste ties (source, target, type), each row checked as entered")
        self.act_prompts = self._action("Interview &prompts…", self.prompts_dialog, None,
                                        "Edit, reorder, add or remove the interview's prompts (saved with the project)")
        self.act_cancel_mode = self._action("Cancel adding", self.cancel_modes, Qt.Key.Key_Escape)
        self.act_analyse = self._action("&Run analysis", self._run_analysis, "Ctrl+R")
        self.act_hotspots = self._action("Show &hotspots", lambda: self._request_map_mode("hotspots"))
        self.act_anchor = self._action("&Anchor evidence…", lambda: (self.anchor_dock.show(), self.anchor_dock.raise_()))
        self.act_scenario_run = self._action("&Run scenario", self.scenario_panel.run, "Ctrl+Shift+R")
        self.act_scenario_show = self._action("Scenario &panel", lambda: (self.scenario_dock.show(), self.scenario_dock.raise_()))
        self.act_rank = self._action("Rank &criticality", self.scenario_panel.run_rank)
        self.act_guide = self._action("&User guide", self.show_guide, std.HelpContents)
        self.act_about = self._action("&About SocialMap", self.show_about)

        bar = self.menuBar()
        m = bar.addMenu("&File")
        self.file_menu = m
        m.addActions([self.act_open, self.act_sample])
        self.recent_menu = m.addMenu("Open &Recent")
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as, self.act_snapshot])
        m.addSeparator()
        m.addActions([self.act_protect, self.act_change_passphrase, self.act_unprotect, self.act_export_plain,
                      self.act_lock, self.act_lock_time])
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        m.addActions([self.act_add_org, self.act_add_service, self.act_add_yp, self.act_add_adult, self.act_add_tie,
                      self.act_enter_ties, self.act_record, self.act_prompts, self.act_cancel_mode])
        m.addSeparator()
        m.addActions([self.act_delete, self.act_erase, self.act_retention, self.act_find])
        m = bar.addMenu("&View")
        self.act_fit = self._action("&Zoom to the project", lambda: self.map.call("fit"), "Ctrl+0")
        m.addAction(self.act_fit)
        m.addSeparator()
        for dock in (self.layers_dock, self.tables_dock, self.inspector_dock, self.analysis_dock,
                     self.scenario_dock, self.anchor_dock, self.change_dock):
            m.addAction(dock.toggleViewAction())
        m = bar.addMenu("&Analyse")
        m.addActions([self.act_analyse, self.act_hotspots, self.act_anchor])
        m = bar.addMenu("&Scenario")
        m.addActions([self.act_scenario_show, self.act_scenario_run, self.act_rank])
        m = bar.addMenu("&Help")
        m.addActions([self.act_guide, self.act_about])
        self._refresh_recent()
        try:
            from socialmap.ui.interchange_dialogs import install_interchange_menus
        except ImportError:  # the import/export dialogs are optional
            self.interchange_actions = {}
        else:
            self.interchange_actions = install_interchange_menus(self, self.file_menu, self.doc)
            from socialmap.ui.area_data_dialogs import install_area_data_menus

            self.interchange_actions.update(install_area_data_menus(self, self.file_menu, self.doc))
        from socialmap.ui.maplayers import MapLayers  # basemap and reference layers (issue 14)

        self.map_layers = MapLayers(self)

        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.addActions([self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addSeparator()
        tb.addActions([self.act_add_org, self.act_add_service, self.act_add_yp, self.act_add_tie, self.act_delete])
        tb.addSeparator()
        tb.addActions([self.act_analyse, self.act_scenario_run])
        tb.addSeparator()
        tb.addWidget(QLabel(" As of "))
        self.as_of_edit = QDateEdit()
        self.as_of_edit.setObjectName("asOfDate")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        today = dt.date.today()
        self.as_of_edit.setDate(QDate(today.year, today.month, today.day))
        self.as_of_edit.setToolTip("The day the map and the measures show: the ties in force then "
                                   "(a tie ending on the day no longer counts)")
        self.as_of_edit.dateChanged.connect(lambda d: self.doc.set_as_of(d.toPython()))
        tb.addWidget(self.as_of_edit)
        self.main_toolbar = tb
        # short toolbar texts
        for action, short in ((self.act_add_org, "+ Organisation"), (self.act_add_service, "+ Service"),
                              (self.act_add_yp, "+ Young person"), (self.act_add_tie, "+ Tie"),
                              (self.act_analyse, "Analyse"), (self.act_scenario_run, "Run scenario")):
            action.setIconText(short)

    def _build_status(self) -> None:
        self.counts_label = QLabel("")
        self.mode_label = QLabel("")
        self.mode_label.setTextFormat(Qt.TextFormat.PlainText)  # it can name a service
        self.io_progress = QProgressBar()
        self.io_progress.setRange(0, 0)
        self.io_progress.setMaximumWidth(140)
        self.io_progress.hide()
        self.cancel_mode_button = QPushButton("Cancel adding")
        self.cancel_mode_button.clicked.connect(self.cancel_modes)
        self.cancel_mode_button.hide()
        sb = self.statusBar()
        sb.addWidget(self.mode_label)
        sb.addWidget(self.cancel_mode_button)
        sb.addPermanentWidget(self.io_progress)
        sb.addPermanentWidget(self.counts_label)

    # ================================================================ state
    def _update_title(self) -> None:
        # the title carries its own '*' (setWindowModified wants a '[*]' placeholder and printed a
        # warning at the first edit)
        self.setWindowTitle(self.doc.title())

    def _sync_undo_actions(self, *_args) -> None:
        stack = self.doc.undo_stack
        try:
            stack.count()
        except RuntimeError:  # the window is being torn down
            return
        locked = bool(self.doc.locked_for)  # a job is copying the project (_on_lock)
        for action, can, text, word in ((self.act_undo, stack.canUndo(), stack.undoText(), "Undo"),
                                        (self.act_redo, stack.canRedo(), stack.redoText(), "Redo")):
            action.setEnabled(can and not locked)
            tip = f"{word} {text}" if can and text else f"Nothing to {word.lower()}"
            action.setToolTip(tip)
            action.setStatusTip(tip)

    def _update_counts(self) -> None:
        """The status bar's counts: the nodes of each kind as their tables have them (kept up
        to date by the edits before this is called: two passes over a city's 125,000 nodes and
        391,000 ties per edit held the UI thread 250-330 ms, and a copy of the kind of each node
        30 ms while a city was shown)."""
        project = self.doc.project
        k = {kind: self.tables[kind]["model"].rowCount() for kind in NODE_KINDS}
        self.counts_label.setText(
            f"{len(project.areas)} areas · {k['organisation']} organisations · {k['service']} services · "
            f"{k['young_person']} young people · {k['adult']} adults · {len(project.ties)} ties"
        )

    def _count_nodes(self, added: list, changed: list, removed: list) -> None:
        if added or removed:
            self._update_counts()

    def _on_replaced(self) -> None:
        self._update_counts()
        # in a later turn of the event loop: with the rest of opening a city of 20,000 young
        # people it held the UI thread for more than 100 ms
        source = self.doc.project
        QTimer.singleShot(1, lambda: self.doc.project is source and self._fit_table_columns())
        self.map.tie_classes = None
        self.cancel_modes()
        self._fill_colour_by()
        # Areas coloured by deprivation when the project has it, else plain.
        has_imd = any(a.imd_decile is not None for a in self.doc.project.areas.values())
        mode = "field:imd_decile" if has_imd else ""
        self.colour_by.blockSignals(True)
        self.colour_by.setCurrentIndex(max(self.colour_by.findData(mode), 0))
        self.colour_by.blockSignals(False)
        self.apply_map_mode(mode)

    def _on_lock(self, locked: bool) -> None:
        """While a job copies the project, undo and redo wait (edits are refused by push_edit)."""
        self.act_undo.setEnabled(not locked and self.doc.undo_stack.canUndo())
        self.act_redo.setEnabled(not locked and self.doc.undo_stack.canRedo())
        if locked:  # say so only if it takes a noticeable time
            QTimer.singleShot(300, lambda: self.doc.locked_for and not self.map.previewing and self.statusBar().showMessage(
                f"Reading the project for {self.doc.locked_for}…"))
        elif self.statusBar().currentMessage().startswith("Reading the project for"):
            self.statusBar().clearMessage()

    def _on_areas_changed(self, _codes: list) -> None:
        if self.map_mode.startswith("field:"):
            self.apply_map_mode(self.map_mode)  # the colours follow an edited IMD decile

    def _on_drawn(self, counts: dict) -> None:
        if self.map.previewing:  # a file's first stage: the rest is still being read
            return
        self.statusBar().showMessage("Map drawn.", 2000)

    def show_error(self, title: str, text: str) -> QMessageBox:
        """A clear, non-blocking error dialog (no traceback)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()
        self.last_error = box
        self.errorShown.emit(text)
        return box

    # ================================================================ files
    def _busy(self, on: bool, message: str = "") -> None:
        self.io_progress.setVisible(on)
        if message:
            self.statusBar().showMessage(message, 0 if on else 4000)

    def open_path(self, path: str | Path, *, remember: bool = True, passphrase: str | None = None,
                  then=None) -> workers.Worker | None:
        """Open a project file in the background; errors become a dialog. An encrypted file
        asks for its passphrase (:meth:`ask_passphrase`), again while it is wrong; ``then`` is
        called with what was loaded once the project is open."""
        path = str(path)
        if self.io_worker is not None:
            self.statusBar().showMessage("Still opening the previous file…", 3000)
            return None
        worker = workers.Worker(_load, path, passphrase, with_callbacks=False)
        worker.kwargs["preview"] = worker.signals.preview.emit
        worker.signals.preview.connect(workers.owned(self, lambda text: self._on_preview(path, text)))
        worker.keeps_result = True
        worker.signals.finished.connect(workers.owned(self, lambda loaded: self._opened(*loaded, path, remember)))
        if then is not None:
            worker.signals.finished.connect(then)
        worker.signals.failed.connect(workers.owned(self, lambda exc: self._open_failed(path, exc, remember, then)))
        worker.signals.done.connect(self._io_done)
        self.io_worker = worker
        self._busy(True, f"Opening {path}…")
        return workers.start(worker)

    def _on_preview(self, path: str, text: str) -> None:
        """A map part of the file being opened, from its first stage: drawn now; until the
        project is shown (:meth:`_end_preview`) nothing can be edited, the docked views wait
        and the status bar says what is still being read."""
        if self.io_worker is None or not self.map.ready:  # the open ended meanwhile; no page yet
            return
        self.map.show_preview_part(text)
        if getattr(self, "_preview_hold", None) is None:
            self._preview_hold = self.doc.hold("opening another file")
            self._preview_waiting = self._waiting_while_previewed()  # the same ones come back
            for widget in self._preview_waiting:
                widget.setEnabled(False)
        words = "map drawn; reading its records (nothing can be edited yet)…" if self.map.preview_texts[2:] \
            else "drawing the map…"
        self.statusBar().showMessage(f"Opening {Path(path).name}: {words}", 0)

    def _waiting_while_previewed(self) -> list[QWidget]:
        """What waits while the map of a file being opened is drawn from its first stage: the
        menus, the toolbars and the docked views (the map itself can be moved)."""
        return [self.menuBar(), *self.findChildren(QToolBar), *self.findChildren(QDockWidget)]

    def _end_preview(self, *, withdraw: bool = False) -> None:
        """The file being opened is shown (or was not opened: ``withdraw`` draws the open
        project again); the docked views and editing come back."""
        hold = getattr(self, "_preview_hold", None)
        if hold is None:
            return
        self._preview_hold = None
        for widget in self._preview_waiting:  # (finding them again: 5-10 ms)
            widget.setEnabled(True)
        if withdraw:
            self.map.withdraw_preview()
        self.doc.release(hold)

    def _io_done(self) -> None:
        self.io_worker = None
        self.io_progress.hide()

    def _opened(self, project, payload_parts: list[str], rows: dict | None, passphrase: str | None, path: str,
                remember: bool) -> None:
        self.io_worker = None  # now, not at "done": a slot of projectLoaded may open another file
        self.map.preloaded = (project, payload_parts, rows)
        self.doc.set_project(project, path if remember else None, passphrase, name=opened_name(path, remember))
        self._end_preview()
        # Python's full garbage collection walks every object, and a job's worker thread holds
        # the interpreter while it does: 90-100 ms stalls of the UI thread in the middle of an
        # analysis of the sample. The project, the modules and the window live on, so they are
        # set aside from collection (an O(1) call); a project holds no reference cycles, so one
        # opened later and dropped is still freed by reference counting.
        from socialmap.collection import set_aside_from_collection

        set_aside_from_collection()
        if remember:
            self._add_recent(path)
            self.settings.setValue("files/last", str(Path(path).resolve()))
        self._busy(False, f"Opened {path}")
        if project.notes:  # a file of an earlier schema, upgraded as it was read: said once, here
            box = QMessageBox(QMessageBox.Icon.Information, "Project upgraded", "\n\n".join(project.notes),
                              QMessageBox.StandardButton.Ok, self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.open()
            self.upgrade_message = box
        self.projectLoaded.emit(path)

    def _open_failed(self, path: str, exc: BaseException, remember: bool = True, then=None) -> None:
        self.io_worker = None
        self._end_preview(withdraw=True)
        self._busy(False, "")
        from socialmap.store import PassphraseNeeded, WrongPassphrase  # imported by the job already

        if isinstance(exc, (PassphraseNeeded, WrongPassphrase)):
            # in a later turn: this job's "done" must clear it before the next one starts
            QTimer.singleShot(0, lambda: self._ask_and_reopen(path, isinstance(exc, WrongPassphrase), remember, then))
            return
        from socialmap.errors import ProjectNeedsRepair

        if isinstance(exc, ProjectNeedsRepair) and not str(path).lower().endswith(".smx"):
            from socialmap.ui.repair_view import (
                open_repair_view,  # edited in QGIS: every problem, its fix
            )

            open_repair_view(self, path, remember)
            return
        text = error_text(exc)
        self.show_error("Cannot open the project", f"{path} could not be opened.\n\n{text}")
        self.loadFailed.emit(text)

    def _ask_and_reopen(self, path: str, wrong: bool, remember: bool, then) -> None:
        passphrase = self.ask_passphrase(path, wrong)
        if passphrase is None:
            text = (f"{path}: wrong passphrase, or the file is damaged" if wrong
                    else f"{path} is encrypted; it was not opened without its passphrase")
            self.statusBar().showMessage(text, 6000)
            self.loadFailed.emit(text)
            return
        self.open_path(path, remember=remember, passphrase=passphrase, then=then)

    def ask_passphrase(self, path: str, wrong: bool = False) -> str | None:
        """The passphrase of the encrypted file ``path``, asked in a dialog (None if cancelled);
        ``wrong`` when the last one did not open it."""
        text = f"{Path(path).name} is encrypted. Type its passphrase to open it."
        dialog = PassphraseDialog("Passphrase", text, parent=self)
        if wrong:
            dialog.problem.setText("Wrong passphrase, or the file is damaged. Try again.")
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        value = dialog.values()[1]
        dialog.deleteLater()
        return value if ok else None

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = self.settings.value("files/dir", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Open project", start, PROJECT_FILTER)
        if path:
            self.settings.setValue("files/dir", str(Path(path).parent))
            self.open_path(path)

    def open_sample(self) -> None:
        if self.maybe_save():
            path = sample_project_path()
            self.open_path(path, remember=False)

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as_dialog()
        self.save_to(self.doc.path)
        return True

    def save_as_dialog(self) -> bool:
        encrypted = self.doc.passphrase is not None
        suffix = ".smx" if encrypted else ".gpkg"
        path = self.ask_save_path("Save project as", None, ENCRYPTED_FILTER if encrypted else PLAIN_FILTER, suffix)
        if not path:
            return False
        self.save_to(path)
        return True

    def ask_save_path(self, title: str, what: str | None, filter_text: str, suffix: str) -> str | None:
        """A file to write, asked in a dialog, with ``suffix`` added. The dialog starts beside the
        open project (in the documents folder before it has a file) with a suggested name: the
        project's, with ``what`` the file is and the date when it is not the project itself
        (socialmap.ui.save_paths)."""
        from socialmap.ui.save_paths import suggested_path

        start = suggested_path(self.doc, what, suffix)
        path, _ = QFileDialog.getSaveFileName(self, title, start, filter_text)
        if not path:
            return None
        return path if path.lower().endswith(suffix) else path + suffix

    def save_to(self, path: str | Path, *, passphrase: Any = ...) -> workers.Worker | None:
        """Save a snapshot of the project to ``path`` in the background: encrypted under the
        project's passphrase, or under ``passphrase`` when one is given (None: a plain file),
        which becomes the project's once the save is done."""
        from socialmap.mapview.basemap import moved_settings

        path = str(path)
        index = self.doc.undo_stack.index()
        passphrase = self.doc.passphrase if passphrase is ... else passphrase
        # a basemap or reference layer named relative to the old folder is named from the new one
        # (the same files; nothing drawn changes), and named as before again if the save fails
        settings = self.doc.project.settings
        moved = moved_settings(settings, self.doc.path, path)
        before = {key: settings.get(key) for key in moved}
        settings.update(moved)

        def failed(exc: BaseException) -> None:
            for key, value in before.items():
                if settings.get(key) is moved[key]:  # (unless changed since)
                    settings[key] = value
            self._busy(False)
            self.show_error("Cannot save the project", f"{path} could not be written.\n\n{error_text(exc)}")

        worker = workers.Worker(_save, path, passphrase, with_callbacks=False)
        worker.snapshot_with = _take_for_saving
        worker.signals.finished.connect(workers.owned(self, lambda p: self._saved(p, index, passphrase)))
        worker.signals.failed.connect(workers.owned(self, failed))
        worker.signals.done.connect(self.io_progress.hide)  # (let go of with the window)
        self._busy(True, f"Saving {path}…")
        return self.doc.run_on_snapshot(worker, "saving")

    def _saved(self, path: str, index: int, passphrase: str | None = None) -> None:
        self.doc.path = Path(path)
        if passphrase != self.doc.passphrase:  # protected, its passphrase changed, or the protection removed
            self.doc.passphrase = passphrase
            self._on_protection_changed()
        if self.doc.undo_stack.index() == index:
            if commands.holds_erased_data(self.doc.undo_stack):
                self.doc.undo_stack.clear()  # erased for good: the undo history held the erased records
            else:
                self.doc.undo_stack.setClean()
        self.doc.titleChanged.emit()
        self._add_recent(path)
        self.settings.setValue("files/last", str(Path(path).resolve()))
        recovery.discard()
        self._busy(False, f"Saved {path}")
        self.projectSaved.emit(path)

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False when the user cancels."""
        if not self.doc.dirty:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes",
            # a file name that looks like markup is shown as written, never rendered
            plain_tooltip(f"Save the changes to {self.doc.path.name if self.doc.path else 'this project'}?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            if self.doc.path is None:
                return self.save_as_dialog()
            from socialmap.store import save_project_file

            try:  # synchronous: the window is closing
                save_project_file(self.doc.project, self.doc.path, self.doc.passphrase)
            except (SocialMapError, OSError) as exc:
                QMessageBox.warning(self, "Cannot save the project", plain_tooltip(error_text(exc)))
                return False
            self.doc.undo_stack.setClean()
        return True

    def _recent(self) -> list[str]:
        value = self.settings.value("files/recent") or []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    def _add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self._recent() if p != path]
        recent.insert(0, path)
        self.settings.setValue("files/recent", recent[:MAX_RECENT])
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for p in recent:
            action = self.recent_menu.addAction(p)
            action.triggered.connect(lambda _c=False, path=p: self.maybe_save() and self.open_path(path))
        self.recent_menu.setEnabled(bool(recent))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        self.autosave_timer.stop()
        if getattr(self, "guide_dialog", None) is not None:
            self.guide_dialog.close()
        for w in (self.analysis_panel.worker, self.scenario_panel.worker, self.scenario_panel.rank_worker,
                  self.scenario_panel.stability_worker, self.anchor_panel.worker):
            if w is not None:
                w.cancel()
        workers.wait_all(10000)
        if self.session_started:
            recovery.end_session()
        event.accept()

    # ================================================================ autosave
    def autosave(self) -> workers.Worker | None:
        """Write a recovery copy when there are unsaved changes."""
        if not self.doc.dirty or self.autosave_worker is not None:
            return None
        if self.doc.locked_for:
            return None  # another job is copying the project: try at the next tick
        encrypted = self.doc.passphrase is not None
        target = str(recovery.recovery_file(encrypted))  # an encrypted project's copy is encrypted too
        original = self.doc.path
        worker = workers.Worker(_save, target, self.doc.passphrase, with_callbacks=False)
        worker.snapshot_with = _take_for_saving

        def done_ok(_p):  # (the copy's files kept right even when the window is gone)
            recovery.recovery_file(not encrypted).unlink(missing_ok=True)  # an older copy in the other form
            recovery.write_info(original, dt.datetime.now().isoformat(timespec="seconds"))

        worker.signals.finished.connect(done_ok)
        worker.signals.finished.connect(workers.owned(self, lambda _p: self.statusBar().showMessage(
            "Recovery copy saved.", 3000)))
        worker.signals.done.connect(workers.owned(self, lambda: setattr(self, "autosave_worker", None)))
        self.autosave_worker = worker
        return self.doc.run_on_snapshot(worker, "the recovery copy")

    def offer_recovery(self, info: dict) -> bool:
        """Ask whether to restore the recovery copy the last session left."""
        original = info.get("path") or "an unsaved project"
        answer = QMessageBox.question(
            self, "Restore unsaved work?",
            plain_tooltip(
                f"SocialMap did not close properly last time. A recovery copy of {original} "
                f"from {info.get('saved', 'the last session')} was found.\n\nRestore it?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            recovery.discard()
            return False
        self.restore_recovery(info)
        return True

    def restore_recovery(self, info: dict) -> workers.Worker | None:
        original = info.get("path")

        def mark(_project):
            # The restored work is unsaved: keep it dirty and pointed at its file.
            self.doc.path = Path(original) if original else None
            self.doc.undo_stack.resetClean()
            self.doc.titleChanged.emit()

        # an encrypted copy asks for its passphrase (again while it is wrong), then is marked
        return self.open_path(info["recovery"], remember=False, then=workers.owned(self, mark))

    # ================================================================ protection (encrypted projects)
    def _on_protection_changed(self) -> None:
        """The File menu and the idle lock follow whether the open project is encrypted."""
        encrypted = self.doc.passphrase is not None
        self.act_protect.setEnabled(not encrypted)
        for action in (self.act_change_passphrase, self.act_unprotect, self.act_export_plain, self.act_lock):
            action.setEnabled(encrypted)
        self.idle_lock.refresh()

    def _new_passphrase_dialog(self, title: str, text: str, *, current: bool = False) -> tuple[str | None, str] | None:
        from socialmap.store.encrypted import check_new_passphrase

        dialog = PassphraseDialog(title, text, new=True, current=current, check=check_new_passphrase, parent=self)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        values = dialog.values()
        dialog.deleteLater()
        return values if ok else None

    def protect_dialog(self) -> workers.Worker | None:
        """File ▸ Protect with passphrase: ask a new passphrase and where the encrypted file goes."""
        if self.doc.passphrase is not None:
            return self.change_passphrase_dialog()
        answer = self._new_passphrase_dialog(
            "Protect with a passphrase",
            "The project will be saved encrypted (AES-256-GCM) as a .smx file, and the window will lock "
            "itself when left idle. Without the passphrase nobody can open the file: not you, not "
            "SocialMap's makers. A lost passphrase means lost data. Three or four random words make a "
            "strong passphrase; keep it where your service keeps its other secrets.")
        if answer is None:
            return None
        path = self.ask_save_path("Save the encrypted project as", None, ENCRYPTED_FILTER, ".smx")
        if not path:
            return None
        plain = self.doc.path if self.doc.path is not None and self.doc.path.suffix.lower() != ".smx" else None
        worker = self.protect(answer[1], path)
        if worker is not None and plain is not None and plain.resolve() != Path(path).resolve():
            worker.signals.finished.connect(workers.owned(self, lambda _p: self.offer_delete_plain(plain)))
        return worker

    def protect(self, passphrase: str, path: str | Path) -> workers.Worker | None:
        """Save the project encrypted under ``passphrase`` to ``path``; it stays encrypted from then on."""
        return self.save_to(path, passphrase=passphrase)

    def offer_delete_plain(self, plain: Path) -> bool:
        """After protecting a project, offer to delete the unencrypted file it came from."""
        if not plain.exists():
            return False
        answer = QMessageBox.question(
            self, "Delete the unencrypted file?",
            plain_tooltip(f"The project is now saved encrypted. The unencrypted file {plain} is still on disk, "
                          "readable by anyone who has the laptop. Delete it now?\n\n(Deleting does not wipe the "
                          "disk: on a laptop without disk encryption, traces can remain.)"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            plain.unlink()
        except OSError as exc:
            self.show_error("Cannot delete the file", f"{plain}: {exc.strerror or exc}")
            return False
        self.statusBar().showMessage(f"Deleted {plain}", 4000)
        return True

    def change_passphrase_dialog(self) -> workers.Worker | None:
        """File ▸ Change passphrase: the current one, then the new one twice; the file is saved."""
        import hmac

        if self.doc.passphrase is None:
            return None
        answer = self._new_passphrase_dialog("Change passphrase", "Type the current passphrase, then the new one.",
                                             current=True)
        if answer is None:
            return None
        current, new = answer
        if not hmac.compare_digest((current or "").encode("utf-8"), self.doc.passphrase.encode("utf-8")):
            self.show_error("Passphrase not changed", "The current passphrase is not the one the project is "
                            "encrypted with; nothing was changed.")
            return None
        if self.doc.path is None:
            path = self.ask_save_path("Save the encrypted project as", None, ENCRYPTED_FILTER, ".smx")
            if not path:
                return None
            return self.save_to(path, passphrase=new)
        return self.save_to(self.doc.path, passphrase=new)

    def unprotect_dialog(self) -> workers.Worker | None:
        """File ▸ Remove passphrase protection: after a warning, the project is saved unencrypted."""
        if self.doc.passphrase is None:
            return None
        answer = QMessageBox.warning(
            self, "Remove the protection?",
            "The project will be saved as an ordinary, unencrypted GeoPackage. It holds young people's "
            "records (pseudonyms, ages, home areas, NEET status and ties): anyone who has the file can read "
            "them. The encrypted file is left as it is.",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Ok:
            return None
        path = self.ask_save_path("Save the unencrypted project as", None, PLAIN_FILTER, ".gpkg")
        if not path:
            return None
        return self.save_to(path, passphrase=None)

    def export_plain_dialog(self) -> workers.Worker | None:
        """File ▸ Export unencrypted copy: a plain GeoPackage for QGIS, after a confirmation saying
        what it holds; the open project stays encrypted and keeps its file."""
        if self.doc.passphrase is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, "Export an unencrypted copy",
                          "The copy is an ordinary GeoPackage that QGIS and any GIS open. It is NOT encrypted: it "
                          "holds young people's records (pseudonyms, ages, home areas, NEET status and ties) that "
                          "anyone with the file can read.\n\nKeep it on an encrypted drive, share it only as your "
                          "data protection rules allow, and delete it when you are done.",
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("exportPlainConfirm")
        export = box.addButton("Export unencrypted copy", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        confirmed = box.clickedButton() is export
        box.deleteLater()
        if not confirmed:
            return None
        path = self.ask_save_path("Export an unencrypted copy", "unencrypted copy", PLAIN_FILTER, ".gpkg")
        if not path:
            return None
        return self.export_plain(path)

    def export_plain(self, path: str | Path) -> workers.Worker | None:
        """Write an unencrypted GeoPackage copy of the (encrypted) project to ``path``."""
        path = str(path)
        worker = workers.Worker(_save, path, None, with_callbacks=False)
        worker.snapshot_with = _take_for_saving
        worker.signals.finished.connect(workers.owned(self, lambda p: self._busy(False, f"Wrote the unencrypted copy {p}")))
        worker.signals.failed.connect(workers.owned(self, lambda exc: (self._busy(False), self.show_error(
            "Cannot export the copy", f"{path} could not be written.\n\n{error_text(exc)}"))))
        worker.signals.done.connect(self.io_progress.hide)  # (let go of with the window)
        self._busy(True, f"Writing the unencrypted copy {path}…")
        return self.doc.run_on_snapshot(worker, "the unencrypted copy")

    def idle_lock_now(self) -> None:
        self.idle_lock.lock()

    def lock_time_dialog(self) -> None:
        """File ▸ Lock when idle after…: the idle minutes before an encrypted project locks (kept in
        the settings, ``security/lock_minutes``)."""
        current = max(1, round(self.idle_lock.idle_ms / 60_000))
        minutes, ok = QInputDialog.getInt(self, "Lock when idle",
                                          "Lock the window of an encrypted project after this many minutes "
                                          "without use:", current, 1, 240)
        if ok:
            self.set_lock_minutes(minutes)

    def set_lock_minutes(self, minutes: float) -> None:
        self.settings.setValue(LOCK_SETTING, float(minutes))
        self.idle_lock.set_idle_ms(int(minutes * 60_000))

    # ================================================================ selection
    def _on_table_row(self, kind: str, proxy: SearchProxy, current) -> None:
        if not current.isValid():
            return
        self.doc.select(kind, proxy.index(current.row(), 0).data(ID_ROLE))

    def _on_selection(self, kind: str, ident: str) -> None:
        if self.tie_pick is not None and kind in NODE_KINDS and ident:
            self._tie_picked(ident)
            if self.doc.selection != (kind, ident):
                return  # (the tie made selected meanwhile, and its own call showed it)
        # the other tables' rows no longer highlighted (a cleared selection: every table's), so
        # a table never shows as selected what the inspector and the map do not
        self._clear_table_selections(keep=kind if ident else None)
        if not ident or kind not in self.tables:
            return
        entry = self.tables[kind]
        row = entry["model"].row_for(ident)
        if row is None:
            return
        src = entry["model"].index(row, 0)
        idx = entry["proxy"].mapFromSource(src)
        if not idx.isValid():  # filtered out by the search: clear the search
            entry["search"].clear()
            idx = entry["proxy"].mapFromSource(src)
        self.table_tabs.setCurrentWidget(entry["page"])
        view: QTableView = entry["view"]
        if view.currentIndex().row() != idx.row():
            view.selectionModel().blockSignals(True)
            view.setCurrentIndex(idx)
            view.selectRow(idx.row())
            view.selectionModel().blockSignals(False)
            view.viewport().update()
        view.scrollTo(idx)

    def _clear_table_selections(self, keep: str | None = None) -> None:
        for kind, entry in self.tables.items():
            if kind == keep:
                continue
            model = entry["view"].selectionModel()
            if model.hasSelection() or model.currentIndex().isValid():
                # (its signals told: the view and its headers follow, an open editor closes;
                # the window's own slot takes no row from an invalid current index)
                model.clear()

    # ================================================================ editing
    def focus_search(self) -> None:
        page = self.table_tabs.currentWidget()
        for entry in self.tables.values():
            if entry["page"] is page:
                self.tables_dock.show()
                entry["search"].setFocus()
                entry["search"].selectAll()

    def delete_selected(self) -> None:
        kind, ident = self.doc.selection
        if not ident or kind == "area":
            return
        try:
            if kind == "tie":
                a, b = ident.split("|", 1)
                commands.push_edit(self.doc, commands.RemoveTie(self.doc, a, b))
            else:
                commands.push_edit(self.doc, commands.RemoveNode(self.doc, ident))
        except InputError as exc:
            self.show_error("Cannot delete", error_text(exc))

    def erase_selected(self) -> bool:
        """Erase the selected person completely, after asking (one undoable edit until saved)."""
        kind, ident = self.doc.selection
        node = self.doc.project.nodes.get(ident)
        if node is None or node.kind not in (YOUNG_PERSON, ADULT):
            self.statusBar().showMessage("Select a young person or an adult to erase.", 5000)
            return False
        answer = QMessageBox.question(
            self, "Erase completely",
            f"Erase {node.label or node.id} completely: the record, their {len(self.doc.project.neighbours(ident))} "
            "tie(s) and every mention in saved scenarios and snapshots?\n\nYou can undo this until you save. "
            "Saving removes it from the project file for good, and the recovery copy is rewritten now.")
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self.erase_people([ident])

    def erase_people(self, ids: list[str]) -> bool:
        """Erase ``ids`` as one undoable edit; the recovery copy is rewritten without them at once."""
        stack = self.doc.undo_stack
        try:
            if len(ids) > 1:
                stack.beginMacro(f"Erase {len(ids)} people")
            try:
                for ident in ids:
                    commands.push_edit(self.doc, commands.EraseNode(self.doc, ident))
            finally:
                if len(ids) > 1:
                    stack.endMacro()
        except InputError as exc:
            self.show_error("Cannot erase", error_text(exc))
            return False
        recovery.discard()  # the old copy still holds them
        self.autosave()
        self.statusBar().showMessage(
            f"Erased {len(ids)} {'person' if len(ids) == 1 else 'people'}. Undo is possible until you save.", 8000)
        return True

    def retention_review(self) -> None:
        """List young people not updated for longer than the retention setting, to erase or keep."""
        from socialmap.ui.privacy_dialogs import RetentionDialog

        dialog = RetentionDialog(self.doc.project, self)
        if dialog.exec() and dialog.chosen:
            self.erase_people(dialog.chosen)

    def push(self, command) -> bool:
        """Apply an edit through the undo stack; a refused edit shows why."""
        try:
            commands.push_edit(self.doc, command)
        except InputError as exc:
            self.show_error("The change was refused", error_text(exc))
            return False
        return True

    def begin_add_place(self, kind: str) -> None:
        self.cancel_modes()
        self.add_mode = kind
        self.map.set_mode("add")
        self.mode_label.setText(f"Click on the map where the new {value_label('kind', kind).lower()} is,")
        self.map_tools.place_postcode.start(kind)  # or give its postcode
        self.cancel_mode_button.show()

    def begin_relocate(self, service_id: str) -> None:
        """Next map click gives the new site of ``service_id`` (a scenario change)."""
        self.cancel_modes()
        self.add_mode = f"relocate:{service_id}"
        self.map.set_mode("add")
        label = self.doc.project.nodes[service_id].label if service_id in self.doc.project.nodes else service_id
        self.mode_label.setText(f"Click on the map where {label} would move to.")
        self.cancel_mode_button.show()

    def cancel_modes(self) -> None:
        self.add_mode = None
        self.tie_pick = None
        self.map.set_mode("none")
        self.mode_label.setText("")
        self.cancel_mode_button.hide()
        if hasattr(self, "map_tools"):
            self.map_tools.place_postcode.stop()

    def _on_map_clicked(self, lat: float, lon: float) -> None:
        if self.add_mode is None:
            return
        kind = self.add_mode
        if kind.startswith("relocate:"):
            self.cancel_modes()
            self.scenario_panel.add_relocate(kind.split(":", 1)[1], lat, lon)  # the panel's travel model
            return
        label, ok = self.ask_label(kind)
        self.cancel_modes()
        if ok and label:
            self.add_place_at(kind, lat, lon, label)

    def ask_label(self, kind: str) -> tuple[str, bool]:
        title = "New organisation" if kind == ORGANISATION else "New service"
        label, ok = QInputDialog.getText(self, title, "Name:")
        return label.strip(), ok

    def add_place_at(self, kind: str, lat: float, lon: float, label: str, **fields: Any) -> str | None:
        """Add an organisation or service at a point; returns its id."""
        node_id = self.doc.new_node_id(kind)
        area = self._area_at(lat, lon)
        node = Node(node_id, kind, label, lat=lat, lon=lon, area_code=area, **fields)
        if self.push(commands.AddNode(self.doc, node)):
            self.doc.select(kind, node_id)
            return node_id
        return None

    def _area_at(self, lat: float, lon: float) -> str | None:
        from shapely.geometry import Point

        pt = Point(lon, lat)
        for code, area in self.doc.project.areas.items():
            if area.geometry.contains(pt):
                return code
        return None

    def record_network_dialog(self, ego_id: str | None = None) -> None:
        """Edit > Record a network: the interview form (socialmap.ui.interview_dialog) for the selected
        young person, or a new one; finishing is one undoable edit."""
        from socialmap.ui.interview_dialog import InterviewDialog

        if not self.doc.project.areas:
            self.show_error("Cannot record a network", "The project has no areas: a young person needs a home area.")
            return
        if not isinstance(ego_id, str):
            node = self.doc.selected_node()
            ego_id = node.id if node is not None and node.kind == YOUNG_PERSON else None
        try:
            dialog = InterviewDialog(self.doc, ego_id, self)
        except InputError as exc:
            self.show_error("Cannot record a network", str(exc))
            return
        dialog.exec()

    def tie_entry_dialog(self) -> None:
        """Edit > Enter ties: socialmap.ui.tie_entry.TieEntryDialog (the good rows as one undoable edit)."""
        from socialmap.ui.tie_entry import TieEntryDialog

        TieEntryDialog(self.doc, self).exec()

    def prompts_dialog(self) -> None:
        """Edit > Interview prompts: socialmap.ui.prompts_dialog (one undoable edit of the setting)."""
        from socialmap.ui.prompts_dialog import PromptsDialog

        PromptsDialog(self.doc, self).exec()

    def add_person_dialog(self, kind: str) -> None:
        areas = [(c, a.name) for c, a in sorted(self.doc.project.areas.items())]
        if kind == YOUNG_PERSON and not areas:
            self.show_error("Cannot add a young person", "The project has no areas: a young person needs a home area.")
            return
        dialog = AddPersonDialog(kind, areas, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_person(kind, **dialog.values())

    def add_person(self, kind: str, label: str, area_code: str | None, **fields: Any) -> str | None:
        """Add a young person (placed inside their home area by the model) or an adult."""
        node_id = self.doc.new_node_id(kind)
        node = Node(node_id, kind, label or node_id, area_code=area_code, **fields)
        if self.push(commands.AddNode(self.doc, node)):
            self.doc.select(kind, node_id)
            return node_id
        return None

    def begin_add_tie(self) -> None:
        self.cancel_modes()
        self.tie_pick = []
        self.mode_label.setText("Pick the first node of the tie (on the map or in a table).")
        self.cancel_mode_button.show()
        kind, ident = self.doc.selection
        if kind in NODE_KINDS and ident:
            self._tie_picked(ident)

    def _tie_picked(self, node_id: str) -> None:
        self.tie_pick.append(node_id)
        if len(self.tie_pick) == 1:
            self.mode_label.setText("Pick the second node of the tie.")
            return
        a, b = self.tie_pick[:2]
        self.cancel_modes()
        if a == b:
            return
        ka, kb = self.doc.project.nodes[a].kind, self.doc.project.nodes[b].kind
        types = [t for t in TIE_TYPES if tie_fits(t, ka, kb) and t != "provides"]
        if not types:
            self.show_error("Cannot tie these nodes", f"No tie type joins a {value_label('kind', ka).lower()} and a "
                                                      f"{value_label('kind', kb).lower()}.")
            return
        tie_type = self.ask_tie_type(a, b, types)
        if tie_type:
            self.add_tie(a, b, tie_type)

    def tie_type_dialog(self, a: str, b: str, types: list[str]) -> QInputDialog:
        """The question of :meth:`ask_tie_type`; the two labels shown as written (QInputDialog's
        label would render a label that looks like markup as HTML)."""
        la, lb = self.doc.project.nodes[a].label, self.doc.project.nodes[b].label
        dialog = QInputDialog(self)
        dialog.setWindowTitle("New tie")
        dialog.setLabelText(f"Type of the tie between {la} and {lb}:")
        dialog.setComboBoxItems([value_label("type", t) for t in types])  # the labels shown, the code kept
        dialog.setComboBoxEditable(False)
        for label in dialog.findChildren(QLabel):
            label.setTextFormat(Qt.TextFormat.PlainText)
        return dialog

    def ask_tie_type(self, a: str, b: str, types: list[str]) -> str | None:
        dialog = self.tie_type_dialog(a, b, types)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        shown = dialog.textValue()
        dialog.deleteLater()
        tie_type = next((t for t in types if value_label("type", t) == shown), None)
        return tie_type if ok else None

    def add_tie(self, a: str, b: str, tie_type: str, **fields: Any) -> bool:
        if self.push(commands.AddTie(self.doc, Tie(a, b, tie_type, **fields))):
            self.doc.select("tie", "|".join(sorted((a, b))))
            return True
        return False

    # ================================================================ analysis / map modes
    def _run_analysis(self) -> None:
        self.analysis_dock.show()
        self.analysis_dock.raise_()
        self.analysis_panel.run()

    def _request_map_mode(self, mode: str) -> None:
        idx = self.colour_by.findData(mode)
        if idx >= 0:
            self.colour_by.setCurrentIndex(idx)  # triggers apply_map_mode
            if self.colour_by.currentData() == mode and self.map_mode != mode:
                self.apply_map_mode(mode)

    def apply_map_mode(self, mode: str | None) -> None:
        """Colour the areas by a field, an analysis measure or the hotspot flag."""
        from socialmap.mapview import choropleth, gi_bin_style

        mode = mode or ""
        self.map_mode = mode
        project = self.doc.project
        if not mode:
            self.map.set_area_style(None)
            return
        if mode.startswith("field:"):
            name = mode.split(":", 1)[1]
            values = {c: getattr(a, name) for c, a in project.areas.items()}
            self.map.set_area_style(choropleth(values, MEASURE_TITLES.get(name, name)))
            return
        if mode.startswith("attr:"):
            name = mode.split(":", 1)[1]
            values = {c: a.attrs.get(name) for c, a in project.areas.items()}
            self.map.set_area_style(choropleth(values, name.replace("_", " ")))
            return
        if mode.startswith("measure:"):
            name = mode.split(":", 1)[1]
            values = self.analysis_panel.area_values(name)
            if values is None:
                self.statusBar().showMessage("Running the analysis first…", 3000)
                self.analysis_panel.run()
                return
            from socialmap.disclosure import DERIVED_FROM, RATE_PARTS, YOUNG_PEOPLE_COUNTS

            withholdable = {*RATE_PARTS, *DERIVED_FROM, *YOUNG_PEOPLE_COUNTS}
            missing = "no data, or withheld" if name in withholdable else "no data"
            self.map.set_area_style(choropleth(values, MEASURE_TITLES.get(name, name), missing_label=missing))
            return
        if mode == "hotspots":
            self.map.set_reach(None, [], [])  # the anchor's reach is not part of the hotspot view
            flags = self.analysis_panel.hotspot_bins()
            if flags is None:
                if self.analysis_panel.result is None and self.analysis_panel.available():
                    self.statusBar().showMessage("Running the analysis first…", 3000)
                    self.analysis_panel.run()
                else:
                    self.statusBar().showMessage("Hotspots are not available yet.", 5000)
                return
            self.map.set_area_style(gi_bin_style(flags))

    def _on_analysis(self, result: dict) -> None:
        self.inspector.set_measures(self.analysis_panel.people_measures())
        self._fill_colour_by()
        if result.get("tie_block_json") is not None and result["version"] == self.doc.project.version:
            self.map.tie_classes = result["classes"]
            self.map.show_ties(result["tie_block_json"])
        if self.map_mode and self.map_mode != "":
            self.apply_map_mode(self.map_mode)

    def _on_scenario_state(self, state: str, flagged: list, removed: list, values: dict) -> None:
        from socialmap.mapview import choropleth

        self.map.set_outlines(flagged)
        self.map.call("hideTiesOf", list(removed))
        self.map.set_reach(None, [], [])  # nor is it part of the scenario's before or after view
        showing_after = state == "after" and bool(values)
        # the scenario's colours replace the chosen measure while its after view is shown:
        # say so in the Layers panel instead of naming a measure the map no longer shows
        self.colour_by.setEnabled(not showing_after)
        self.colour_box.setTitle(
            "Colour areas by (scenario shown)" if showing_after else "Colour areas by"
        )
        if showing_after:
            self.map.set_area_style(choropleth(values, "Bridging ties lost (%)"))
        else:
            self.apply_map_mode(self.map_mode)

    def _on_change_style(self, style) -> None:
        """The Change panel colours the areas by a change, or gives the map back its colours."""
        if style is None:
            self.apply_map_mode(self.map_mode)
        else:
            self.map.set_area_style(style)

    def save_snapshot_dialog(self) -> workers.Worker | None:
        day = self.doc.measure_date()
        name, ok = QInputDialog.getText(self, "Save snapshot", f"Name of the snapshot (the network as of "
                                        f"{day.isoformat()}):", text=f"snapshot {day.isoformat()}")
        if not ok or not name.strip():
            return None
        return self.save_snapshot(name.strip())

    def save_snapshot(self, name: str) -> workers.Worker | None:
        """Make a snapshot of the network (of the As of date) in the background and keep it in the
        project (undoable; saved with the file)."""
        from socialmap.model.snapshots import snapshot_name_problem
        from socialmap.store.snapshots import make_snapshot

        problem = snapshot_name_problem(name)
        if problem is None and name in self.doc.project.snapshots:
            problem = f"a snapshot {name!r} is already saved; choose another name or delete it first"
        if problem:
            self.show_error("Snapshot not saved", problem)
            return None
        worker = workers.Worker(make_snapshot, name, as_of=self.doc.measure_date(), with_callbacks=False)

        def keep(snapshot) -> None:
            self.push(AddSnapshot(self.doc, snapshot))
            self.statusBar().showMessage(f"Snapshot {snapshot.name!r} kept in the project: save to keep it in the "
                                         "file.", 5000)

        worker.signals.finished.connect(workers.owned(self, keep))
        worker.signals.failed.connect(workers.owned(self, lambda exc: self.show_error("Snapshot not saved", error_text(exc))))
        return self.doc.run_on_snapshot(worker, "the snapshot")

    def change_report(self) -> None:
        """Reports > Change report of the comparison chosen in the Change panel."""
        from socialmap.ui.interchange_dialogs import report_with_dialog

        report_with_dialog(self, self.doc, "change-report")

    def evidence_pack(self, org_id: str) -> None:
        """Write the anchor evidence pack of ``org_id`` (asks where)."""
        try:
            from socialmap.ui.interchange_dialogs import report_with_dialog
        except ImportError:
            self.show_error("Evidence pack", "The evidence pack is not available yet in this build.")
            return
        self.doc.select(ORGANISATION, org_id)  # the report takes the selected organisation
        report_with_dialog(self, self.doc, "evidence")

    # ================================================================ help
    def show_guide(self) -> QDialog:
        """The user guide in a window of its own, read from docs/ with its pictures (it was
        handed to the desktop as a .md file: raw text in an editor, or nothing at all)."""
        import re

        from PySide6.QtGui import QTextDocument
        from PySide6.QtWidgets import QTextBrowser

        if getattr(self, "guide_dialog", None) is not None:
            self.guide_dialog.show()
            self.guide_dialog.raise_()
            return self.guide_dialog
        docs = RESOURCES.parent / "docs"
        document = QTextDocument()
        try:
            document.setMarkdown((docs / "user-guide.md").read_text(encoding="utf-8"))
        except OSError as exc:
            document.setPlainText(f"The user guide could not be read: {docs / 'user-guide.md'}: {exc.strerror or exc}")
        # screenshots are 1,600 px wide: shown at the width of the text
        html = re.sub(r"<img ", '<img width="760" ', document.toHtml())
        browser = QTextBrowser()
        browser.setObjectName("guideBrowser")
        browser.setSearchPaths([str(docs)])
        browser.setOpenLinks(False)  # other documents are not in this window: nothing is fetched
        browser.setHtml(html)
        dialog = QDialog(self)
        dialog.setWindowTitle("SocialMap user guide")
        lay = QVBoxLayout(dialog)
        lay.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.close)
        lay.addWidget(buttons)
        dialog.resize(840, 760)
        dialog.show()
        self.guide_dialog = dialog
        return dialog

    def show_about(self) -> None:
        from socialmap import __version__

        QMessageBox.about(self, "About SocialMap",
                          f"SocialMap {__version__}\n\nOffline mapping of anchor institutions, young people's "
                          "networks and services, with bridging-tie measures and commissioning scenarios.")


def first_size(available) -> tuple[int, int]:
    """The first window's size: 1500 x 920, or 95% of the screen's available area where that is
    smaller (a fixed 1500 x 920 ran off a 1366 x 768 laptop screen)."""
    if available is None or available.width() <= 0:
        return 1500, 920
    return min(1500, int(available.width() * 0.95)), min(920, int(available.height() * 0.92))


#: What the bundled sample is called in the title bar, the reports and suggested file names.
SAMPLE_NAME = "Millbrook sample project"


def opened_name(path: str | Path, remember: bool) -> str | None:
    """The name of a project opened without its file becoming the project's (``remember`` False):
    the bundled sample's :data:`SAMPLE_NAME`, another file's name (a screenshot of it)."""
    if remember:
        return None
    try:
        if Path(path).resolve() == sample_project_path().resolve():
            return SAMPLE_NAME
    except OSError:
        pass
    return Path(path).name


def sample_project_path() -> Path:
    """The bundled sample project, generated into the user data folder when missing."""
    bundled = Path(__file__).resolve().parents[2] / "sample_data" / "sample.gpkg"
    if bundled.exists():
        return bundled
    from PySide6.QtCore import QStandardPaths

    target = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "sample.gpkg"
    if not target.exists():
        from socialmap.sample import generate_sample_project
        from socialmap.store import save_project

        target.parent.mkdir(parents=True, exist_ok=True)
        save_project(generate_sample_project(), target)
    return target
