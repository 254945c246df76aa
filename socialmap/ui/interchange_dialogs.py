"""File ▸ Import, File ▸ Export and the Reports menu.

- :class:`ImportDialog`: choose a Kumu map, an Open Referral UK directory or a
  CSV bundle, see its first rows, map its element and connection types to
  node kinds and tie types and its unrecognised columns to our fields, and
  import it into the open project in the background (with progress). The
  import is one undoable step; if any row is refused nothing changes and
  :class:`RefusedRowsDialog` lists every refused row.
- :func:`export_with_dialog` and the report actions ask where to write and
  run :func:`socialmap.interchange.exporting.export_project` off the UI thread;
  a report PDF is opened when written.
- :func:`install_interchange_menus` adds the Import and Export submenus to the
  File menu and a Reports menu to the window.

All data text shown here goes into models and plain-text labels, never HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QUndoCommand
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError, Problem, SocialMapError, problems_of
from socialmap.interchange.registry import export_formats, import_format, import_formats
from socialmap.model.kinds import NODE_KINDS
from socialmap.model.labels import field_label, tie_type_choices, value_label
from socialmap.ui import workers
from socialmap.ui.models import plain_tooltip

# The menus are built from the format registry (socialmap.interchange.registry): a format added
# there appears here with its title and file patterns.
IMPORT_TITLES = {f.name: f.title for f in import_formats()}
EXPORT_TITLES = {f.name: (f.title, f.file_filter()) for f in export_formats() if f.menu == "export"}
REPORT_TITLES = {f.name: f.title for f in export_formats() if f.menu == "report"}
#: Modules the interchange workers use, imported on the UI thread first (see workers.preload).
INTERCHANGE_MODULES = (*workers.ANALYSIS_MODULES, "openpyxl", "csv", "xml.sax.saxutils", "socialmap.interchange",
                       "socialmap.reports", "reportlab", "reportlab.platypus", "reportlab.pdfbase.ttfonts",
                       "matplotlib", "matplotlib.backends.backend_agg", "matplotlib.figure", "xstatic.pkg.leaflet")
CHOOSE = "— choose —"
ATTRIBUTE = "keep as an attribute"
NODE_FIELD_CHOICES = ("area_code", "lat", "lon", "postcode", "age", "neet", "activity", "role", "in_work", "org_type", "sector", "is_anchor",
                      "employees_total", "employees_local", "spend_total", "spend_local", "years_in_area",
                      "provider", "service_type", "commissioner", "contract_end", "annual_value", "hours_per_week")
#: What each export or report is, in the file names the save dialogs suggest
#: ("Millbrook sample project - network 2026-12-01.graphml").
FILE_WHAT = {"graphml": "network", "gexf": "network", "geojson": "GeoJSON layers", "csv": "CSV tables",
             "html": "web map", "kumu": "Kumu workbook", "report": "area and hotspot report",
             "evidence": "evidence pack", "scenario-report": "scenario impact report", "change-report": "change report"}

#: Where a field's table header would be unclear in the column mapping.
IMPORT_FIELD_LABELS = {"lat": "Latitude", "lon": "Longitude", "org_type": "Organisation type",
                       "area_code": "Home area (area code)", "is_anchor": "Anchor institution (yes/no)"}


def _fill_box(box: QComboBox, none_text: str, items: list[tuple[str, str]], default: str | None) -> None:
    """A picker of codes shown by their labels (``currentData()`` is the code, None for ``none_text``),
    set to ``default`` when it is one of them."""
    box.addItem(none_text, None)
    for text, code in items:
        box.addItem(str(text), code)
    if default:
        box.setCurrentIndex(max(box.findData(default), 0))


#: Set to False (e.g. in tests) to write reports without opening them.
OPEN_REPORTS = True


# ===================================================================== models
_ROOT = QModelIndex()


class RowsModel(QAbstractTableModel):
    """A read-only table of text rows (the preview, the refused rows)."""

    def __init__(self, headers: list[str], rows: list[list[Any]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows = [["" if v is None else str(v) for v in r] for r in rows]

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            row = self.rows[index.row()]
            text = row[index.column()] if index.column() < len(row) else ""
            return plain_tooltip(text) if role == Qt.ItemDataRole.ToolTipRole else text
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return str(section + 1)


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


# ===================================================================== refused rows
class RefusedRowsDialog(QDialog):
    """Every refused row of a failed import: file, sheet, row, field, record and reason."""

    HEADERS = ["File", "Sheet", "Row", "Field", "Record", "Reason"]

    def __init__(self, problems: list[Problem], title: str = "Nothing was imported", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problems = list(problems)
        lay = QVBoxLayout(self)
        intro = QLabel(f"{len(self.problems)} problem(s) were found, so nothing was imported and the project is as "
                       "it was. Correct the file and import it again.")
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        rows = [[Path(p.file).name if p.file else "", p.sheet or "", "" if p.row is None else p.row, p.field or "",
                 p.record or "", p.reason] for p in self.problems]
        self.model = RowsModel(self.HEADERS, rows, self)
        self.view = _table(self.model)
        self.view.resizeColumnsToContents()
        lay.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy all", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_all)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        self.resize(900, 420)

    def text(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def copy_all(self) -> None:
        QGuiApplication.clipboard().setText(self.text())


# ===================================================================== undo
class ReplaceProjectCommand(QUndoCommand):
    """An import as one undoable step: the project before and after."""

    def __init__(self, doc, new_project, text: str) -> None:
        super().__init__(text)
        self.doc = doc
        self.old = doc.project
        self.new = new_project

    def _show(self, project) -> None:
        self.doc.project = project
        self.doc.selection = ("", "")
        self.doc.projectReplaced.emit()
        self.doc.selectionChanged.emit("", "")

    def redo(self) -> None:
        self._show(self.new)

    def undo(self) -> None:
        self._show(self.old)


# ===================================================================== import
class ImportDialog(QDialog, workers.DialogJob):
    """Choose, preview, map and import a file into the open project."""

    #: Emitted with (merged project, notes, nodes added, ties added) when an import succeeded.
    imported = Signal(object, list, int, int)
    #: Emitted with the problems when an import was refused.
    refused = Signal(list)

    def __init__(self, doc, fmt: str, parent=None, source: str | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.fmt = fmt
        self.worker: workers.Worker | None = None
        self.preview: dict[str, Any] | None = None
        self.kind_boxes: dict[str, QComboBox] = {}
        self.tie_boxes: dict[str, QComboBox] = {}
        self.column_boxes: dict[str, QComboBox] = {}
        self.setWindowTitle(f"Import a {IMPORT_TITLES[fmt]}")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.source = QLineEdit()
        self.spec = import_format(fmt)
        self.source.setPlaceholderText(self.spec.placeholder or self.spec.file_filter())
        form.addRow("File:", self._with_browse(self.source, self._browse_source))
        self.second = QLineEdit()
        if self.spec.second is not None:
            form.addRow(self.spec.second[1], self._with_browse(self.second, self._browse_second))
        self.postcodes = QLineEdit()
        self.postcodes.setPlaceholderText("optional: ONS Postcode Directory / NSPL extract (.csv)")
        form.addRow("Postcode lookup:", self._with_browse(self.postcodes, self._browse_postcodes))
        lay.addLayout(form)
        self.message = QLabel("")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.preview_model = RowsModel([], [], self)
        self.preview_view = _table(self.preview_model)
        box = QGroupBox("Preview (first rows)")
        QVBoxLayout(box).addWidget(self.preview_view)
        lay.addWidget(box, 2)
        self.mapping = QWidget()
        self.mapping_layout = QVBoxLayout(self.mapping)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.mapping)
        mbox = QGroupBox("Mapping")
        QVBoxLayout(mbox).addWidget(scroll)
        lay.addWidget(mbox, 2)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        lay.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.job_button = self.import_button
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.source.editingFinished.connect(self.load_preview)
        self.second.editingFinished.connect(self.load_preview)
        self.resize(900, 700)
        if source:
            self.source.setText(str(source))
            self.load_preview()

    # ------------------------------------------------------------ choosing files
    def _with_browse(self, edit: QLineEdit, slot) -> QWidget:
        w = QWidget()
        h = QHBoxLayout(w)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(edit)
        b = QPushButton("Browse…")
        b.clicked.connect(slot)
        h.addWidget(b)
        return w

    def _browse_source(self) -> None:
        path = ""
        if self.spec.folder:
            path = QFileDialog.getExistingDirectory(self, f"{self.spec.title}: a folder")
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Choose the file", "", self.spec.file_filter())
        if path:
            self.source.setText(path)
            self.load_preview()

    def _browse_second(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the file", "", "CSV (*.csv)")
        if path:
            self.second.setText(path)
            self.load_preview()

    def _browse_postcodes(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Postcode lookup", "", "CSV (*.csv)")
        if path:
            self.postcodes.setText(path)

    # ------------------------------------------------------------ preview and mapping
    def load_preview(self) -> bool:
        """Read the first rows and fill the mapping; False (with the reason shown) when unreadable."""
        from socialmap.interchange.importing import preview_table

        path = self.source.text().strip()
        self.import_button.setEnabled(False)
        if not path:
            return False
        try:
            self.preview = preview_table(self.fmt, path, connections=self.second.text().strip() or None)
        except InputError as exc:
            self.message.setText("\n".join(exc.lines()))
            self.preview_model = RowsModel([], [], self)
            self.preview_view.setModel(self.preview_model)
            return False
        self.preview_model = RowsModel(self.preview["headers"], self.preview["rows"], self)
        self.preview_view.setModel(self.preview_model)
        self.preview_view.resizeColumnsToContents()
        shown = len(self.preview["rows"])
        self.message.setText(f"{self.preview['row_count']} record(s); the first {shown} are shown." if shown
                             else "Ready to import.")
        self._fill_mapping()
        self.import_button.setEnabled(True)
        return True

    def _clear_mapping(self) -> None:
        while self.mapping_layout.count():
            item = self.mapping_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.kind_boxes, self.tie_boxes, self.column_boxes = {}, {}, {}

    def _group(self, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        self.mapping_layout.addWidget(box)
        return form

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def _fill_mapping(self) -> None:
        from socialmap.interchange.readers.kumu import DEFAULT_KIND_MAP, DEFAULT_TIE_MAP
        from socialmap.interchange.tabular import field_for_column, norm_key

        self._clear_mapping()
        assert self.preview is not None
        if self.fmt == "kumu":
            form = self._group("Element types → node kinds")
            for name in self.preview["element_types"]:
                box = QComboBox()
                _fill_box(box, CHOOSE, [(value_label("kind", k), k) for k in NODE_KINDS],
                          DEFAULT_KIND_MAP.get(norm_key(name)))
                self.kind_boxes[name] = box
                form.addRow(self._label(name), box)
            form = self._group("Connection types → tie types")
            for name in self.preview["connection_types"]:
                box = QComboBox()
                _fill_box(box, CHOOSE, tie_type_choices(), DEFAULT_TIE_MAP.get(norm_key(name)))
                self.tie_boxes[name] = box
                form.addRow(self._label(name), box)
        if self.fmt in ("kumu", "csv"):
            skip = {"label", "id", "type"} if self.fmt == "kumu" else {"id", "kind", "label"}
            from socialmap.interchange.readers.csv_bundle import NODE_COLUMNS

            ours = set(NODE_COLUMNS)
            form = self._group("Columns → fields")
            for header in self.preview["headers"]:
                if norm_key(header) in skip or (self.fmt == "csv" and header in ours):
                    continue
                box = QComboBox()
                _fill_box(box, ATTRIBUTE, [(IMPORT_FIELD_LABELS.get(f) or field_label(f), f) for f in NODE_FIELD_CHOICES],
                          field_for_column(header))
                self.column_boxes[header] = box
                form.addRow(self._label(header), box)
        self.mapping_layout.addStretch(1)

    def choices(self) -> dict[str, Any]:
        """The mapping chosen: ``kind_map``, ``tie_map`` (unchosen types left out, so they are reported)
        and ``columns`` (header -> field, ``None`` for an attribute)."""
        kinds = {k: b.currentData() for k, b in self.kind_boxes.items() if b.currentData() is not None}
        ties = {k: b.currentData() for k, b in self.tie_boxes.items() if b.currentData() is not None}
        columns = {h: b.currentData() for h, b in self.column_boxes.items()}
        return {"kind_map": kinds, "tie_map": ties, "columns": columns}

    # ------------------------------------------------------------ importing
    def start_import(self) -> workers.Worker | None:
        """Run the import in the background; the result arrives by :attr:`imported` or :attr:`refused`."""
        from socialmap.interchange.importing import import_into

        if self.worker is not None or not self.source.text().strip():
            return None
        c = self.choices()
        kwargs: dict[str, Any] = {"postcodes": self.postcodes.text().strip() or None}
        second = self.second.text().strip() or None
        if self.fmt == "kumu":
            kwargs.update(connections=second, kind_map=c["kind_map"], tie_map=c["tie_map"], columns=c["columns"])
        elif self.fmt == "csv":
            kwargs.update(ties=second, columns={h: f for h, f in c["columns"].items() if f})
        self.message.setText("Importing…")
        return self._start_dialog_job(import_into, self.doc.project, self.fmt, self.source.text().strip(),
                                      modules=INTERCHANGE_MODULES, on_finished=self._finished,
                                      on_failed=self._failed, **kwargs)

    def _finished(self, result) -> None:
        project, notes, nodes, ties = result
        self.imported.emit(project, list(notes), nodes, ties)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        problems = problems_of(exc)
        self.message.setText(f"Nothing was imported: {len(problems)} problem(s).")
        self.refused.emit(list(problems))


def import_with_dialog(window, doc, fmt: str, source: str | None = None) -> ImportDialog:
    """Open the import dialog; on success push the import as one undoable step."""
    dialog = ImportDialog(doc, fmt, window, source=source)
    window._interchange_dialog = dialog  # keep it alive while open

    def done(project, notes, nodes, ties) -> None:
        doc.undo_stack.push(ReplaceProjectCommand(doc, project, f"Import {IMPORT_TITLES[fmt]}"))
        text = f"Imported {nodes} record(s) and {ties} tie(s)."
        if notes:
            text += " " + " ".join(notes)
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, 8000)

    def refused(problems) -> None:
        window._refused_dialog = RefusedRowsDialog(problems, parent=window)
        window._refused_dialog.open()

    dialog.imported.connect(done)
    dialog.refused.connect(refused)
    dialog.open()
    return dialog


# ===================================================================== export and reports
class _ExportRun(QObject):
    """Runs one export off the UI thread and reports back."""

    finished = Signal(list)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.worker: workers.Worker | None = None

    def start(self, project, fmt: str, out: str, **kwargs) -> workers.Worker:
        from socialmap.interchange.exporting import export_project

        worker = workers.Worker(export_project, project, fmt, out, with_callbacks=False, overwrite=True, **kwargs)
        worker.preload = INTERCHANGE_MODULES
        worker.signals.finished.connect(workers.owned(self, lambda paths: self.finished.emit([str(p) for p in paths])))
        worker.signals.failed.connect(workers.owned(self, lambda exc: self.failed.emit(
            "\n".join(exc.lines()) if isinstance(exc, InputError)
            else str(exc) if isinstance(exc, SocialMapError) else f"{type(exc).__name__}: {exc}")))
        self.worker = worker
        return workers.start(worker)


def _message(window, title: str, text: str, icon=QMessageBox.Icon.Information) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.open()
    window._interchange_message = box
    return box


def run_export(window, doc, fmt: str, out: str, *, open_when_done: bool = False, **kwargs) -> _ExportRun:
    """Export in the background; a message (or the opened PDF) when done, a dialog on failure."""
    run = _ExportRun(window)
    window._export_run = run
    # the file's name, or what the project is called without one (the sample), for the reports
    source = doc.source_name() if hasattr(doc, "source_name") else (doc.path.name if getattr(doc, "path", None) else None)

    def finished(paths: list[str]) -> None:
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage("Wrote " + ", ".join(paths), 8000)
        if open_when_done and OPEN_REPORTS:
            QDesktopServices.openUrl(QUrl.fromLocalFile(paths[0]))

    run.finished.connect(finished)
    run.failed.connect(lambda text: _message(window, "Export failed", text, QMessageBox.Icon.Warning))
    run.start(doc.project, fmt, out, source=source, **kwargs)
    return run


def export_with_dialog(window, doc, fmt: str) -> _ExportRun | None:
    """Ask where to export (and whether to include young people), then export."""
    from socialmap.ui.save_paths import start_folder, suffix_of, suggested_name, suggested_path

    title, filters = EXPORT_TITLES[fmt]
    what = FILE_WHAT.get(fmt, fmt)
    if filters is None:
        out = QFileDialog.getExistingDirectory(window, title.rstrip("…") + ": choose an empty folder or name a new one",
                                               str(start_folder(doc)))
        if out and any(Path(out).iterdir()):
            out = str(Path(out) / suggested_name(doc, what, ""))
    else:
        out, _ = QFileDialog.getSaveFileName(window, title.rstrip("…"), suggested_path(doc, what, suffix_of(filters)),
                                             filters)
    if not out:
        return None
    ask = QMessageBox(QMessageBox.Icon.Question, "Young people in the export",
                      "Include young people's pseudonyms and placed points? Without them, young people appear "
                      "only as numbered records or counts per area (counts of 1-4 as <5).",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, window)
    ask.setDefaultButton(QMessageBox.StandardButton.No)
    include = ask.exec() == QMessageBox.StandardButton.Yes
    return run_export(window, doc, fmt, out, include_people=include)


def report_with_dialog(window, doc, fmt: str, scenario_changes: list | None = None) -> _ExportRun | None:
    """Ask for what a report needs (an organisation, a scenario) and where to save it; write and open it."""
    kwargs: dict[str, Any] = {}
    project = doc.project
    if fmt == "evidence":
        selected = doc.selected_node() if hasattr(doc, "selected_node") else None
        if selected is not None and selected.kind == "organisation":
            kwargs["org"] = selected.id
        else:
            orgs = sorted((n.label, n.id) for n in project.nodes.values() if n.kind == "organisation")
            if not orgs:
                _message(window, "No organisation", "The project has no organisation to make an evidence pack for.")
                return None
            names = [f"{label} ({oid})" for label, oid in orgs]
            name, ok = QInputDialog.getItem(window, "Anchor evidence pack", "Organisation:", names, 0, False)
            if not ok:
                return None
            kwargs["org"] = orgs[names.index(name)][1]
    if fmt == "scenario-report":
        changes = list(scenario_changes or [])
        if not changes:
            from socialmap.scenarios import Scenario

            saved = sorted(project.scenarios)
            if not saved:
                _message(window, "No scenario", "Build a change list in the scenario panel (or save a scenario) "
                                                "first.")
                return None
            name, ok = QInputDialog.getItem(window, "Scenario impact report", "Saved scenario:", saved, 0, False)
            if not ok:
                return None
            scenario = Scenario.from_dict(project.scenarios[name])
            changes = list(scenario.changes)
            kwargs["context_survival"] = scenario.context_survival
        kwargs["changes"] = changes
    if fmt == "change-report":
        panel = getattr(window, "change_panel", None)
        if panel is not None:  # the comparison chosen in the Change panel
            kwargs.update(panel.report_sides())
        elif not project.snapshots:
            _message(window, "No snapshot", "Save a snapshot first (File > Save snapshot…): the change report "
                                            "compares it with the project today.")
            return None
    from socialmap.ui.save_paths import suggested_path

    what = FILE_WHAT.get(fmt, fmt)
    if fmt == "evidence" and kwargs.get("org") in project.nodes:
        what = f"{what} {project.nodes[kwargs['org']].label}"
    out, _ = QFileDialog.getSaveFileName(window, REPORT_TITLES[fmt].rstrip("…"), suggested_path(doc, what, ".pdf"),
                                         "PDF (*.pdf)")
    if not out:
        return None
    if not out.lower().endswith(".pdf"):
        out += ".pdf"
    return run_export(window, doc, fmt, out, open_when_done=True, **kwargs)


# ===================================================================== menus
def install_interchange_menus(main_window, file_menu: QMenu, controller) -> dict[str, QAction]:
    """Add File ▸ Import, File ▸ Export and a Reports menu to ``main_window``.

    ``controller`` is the :class:`~socialmap.ui.document.ProjectDocument`. Returns the actions
    by name (``import_kumu``, ``export_graphml``, ``report_evidence``...) for tests and shortcuts.
    """
    doc = controller
    actions: dict[str, QAction] = {}
    before = None
    for action in file_menu.actions():
        if action.text().replace("&", "").startswith("Quit"):
            before = action
            break
    imp = QMenu("&Import", file_menu)
    for fmt, title in IMPORT_TITLES.items():
        act = QAction(f"{title[0].upper()}{title[1:]}…", main_window)
        act.triggered.connect(lambda _=False, f=fmt: import_with_dialog(main_window, doc, f))
        imp.addAction(act)
        actions[f"import_{fmt}"] = act
    exp = QMenu("&Export", file_menu)
    for fmt, (title, _) in EXPORT_TITLES.items():
        act = QAction(title, main_window)
        act.triggered.connect(lambda _=False, f=fmt: export_with_dialog(main_window, doc, f))
        exp.addAction(act)
        actions[f"export_{fmt}"] = act
    if before is not None:
        file_menu.insertMenu(before, imp)
        file_menu.insertMenu(before, exp)
        file_menu.insertSeparator(before)
    else:
        file_menu.addMenu(imp)
        file_menu.addMenu(exp)
    reports = QMenu("&Reports", main_window)
    panel = getattr(main_window, "scenario_panel", None)
    for fmt, title in REPORT_TITLES.items():
        act = QAction(title, main_window)
        if fmt == "scenario-report":
            act.triggered.connect(lambda _=False: report_with_dialog(main_window, doc, "scenario-report",
                                                                     list(getattr(panel, "changes", []) or [])))
        else:
            act.triggered.connect(lambda _=False, f=fmt: report_with_dialog(main_window, doc, f))
        reports.addAction(act)
        actions[f"report_{fmt.replace('-report', '') if fmt != 'report' else 'area'}"] = act
    bar = main_window.menuBar()
    help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_menu is not None:
        bar.insertMenu(help_menu, reports)
    else:
        bar.addMenu(reports)
    main_window._interchange_menus = (imp, exp, reports)
    return actions


__all__ = [
    "ImportDialog",
    "RefusedRowsDialog",
    "ReplaceProjectCommand",
    "export_with_dialog",
    "import_with_dialog",
    "install_interchange_menus",
    "report_with_dialog",
    "run_export",
]
