"""File ▸ Import ▸ CCIS client extract and File ▸ Join area data (issue 15).

- :class:`CcisDialog`: choose the extract and the postcode lookup, map the extract's columns to
  the NCCIS fields (guessed from their names), set the reference date and the expected total,
  press *Check*: the import runs in the background and its summary (per area and in total, under
  the disclosure rules) is shown *before* anything changes; *Import* then makes it one undoable
  step. Refused rows go to :class:`~socialmap.ui.interchange_dialogs.RefusedRowsDialog`.
- :class:`JoinAreaDataDialog`: choose a table keyed by area code, its code column, the columns
  for the IMD decile and the 16-24 population (several added up), and any other columns to keep
  as area attributes (a column picker); *Check* shows the report, *Join* applies it (undoable).

All data text is shown as plain text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError, Problem, problems_of
from socialmap.ui import workers
from socialmap.ui.interchange_dialogs import RefusedRowsDialog, ReplaceProjectCommand

#: What the jobs here use, imported by the background thread before the first one runs.
AREA_DATA_MODULES = ("csv", "pandas", "shapely", "socialmap.interchange.readers.ccis",
                     "socialmap.interchange.area_table", "socialmap.interchange.postcodes")

NOT_IN_FILE = "— not in the file —"


def _browse_row(edit: QLineEdit, slot) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit)
    b = QPushButton("Browse…")
    b.clicked.connect(slot)
    h.addWidget(b)
    return w


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class _CheckThenApply(QDialog, workers.DialogJob):
    """A dialog that runs a job to *check*, shows its summary, and applies the result on *OK*."""

    apply_text = "Import"

    def __init__(self, window, doc, title: str) -> None:
        super().__init__(window)
        self.window_ = window
        self.doc = doc
        self.worker: workers.Worker | None = None
        self.result: Any = None
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setPlaceholderText("Press Check: the summary shows here before anything is changed.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.check_button = self.buttons.addButton("Check", QDialogButtonBox.ButtonRole.ActionRole)
        self.job_button = self.check_button
        self.apply_button = self.buttons.addButton(self.apply_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.check_button.clicked.connect(self.check)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        box = QGroupBox("Summary")
        QVBoxLayout(box).addWidget(self.summary)
        self.layout_.addWidget(box, 1)
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.buttons)
        self.resize(760, 640)

    def invalidate(self) -> None:
        self.result = None
        self.apply_button.setEnabled(False)

    def job(self):  # (function, args, kwargs)
        raise NotImplementedError

    def summary_text(self, result) -> str:
        raise NotImplementedError

    def undo_text(self) -> str:
        raise NotImplementedError

    def check(self) -> workers.Worker | None:
        if self.worker is not None:
            return None
        self.invalidate()
        try:
            fn, args, kwargs = self.job()
        except InputError as exc:
            self.summary.setPlainText("\n".join(exc.lines()))
            return None
        self.summary.setPlainText("Checking…")
        return self._start_dialog_job(fn, *args, modules=AREA_DATA_MODULES, on_finished=self._checked,
                                      on_failed=self._failed, **kwargs)

    def _checked(self, result) -> None:
        self.result = result
        self.summary.setPlainText(self.summary_text(result))
        self.apply_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        problems = problems_of(exc)
        self.summary.setPlainText(f"Nothing was changed: {len(problems)} problem(s).\n\n" +
                                  "\n".join(str(p) for p in problems[:200]))
        self.refused = RefusedRowsDialog(problems, parent=self)
        self.refused.open()

    def project_of(self, result):
        return result.project

    def apply(self) -> None:
        if self.result is None:
            return
        self.doc.undo_stack.push(ReplaceProjectCommand(self.doc, self.project_of(self.result), self.undo_text()))
        if hasattr(self.window_, "statusBar"):
            self.window_.statusBar().showMessage(self.undo_text() + ": done.", 8000)
        self.accept()


# ===================================================================== CCIS
class CcisDialog(_CheckThenApply):
    """Import a CCIS client extract: files, the column-mapping step, the summary, then the import."""

    def __init__(self, window, doc, source: str | None = None, postcodes: str | None = None) -> None:
        super().__init__(window, doc, "Import a CCIS client extract")
        from socialmap.interchange.readers.ccis import CHARACTERISTICS, FIELD_NAMES

        self.field_names = [*FIELD_NAMES, *CHARACTERISTICS]
        self.headers: list[str] = []
        form = QFormLayout()
        self.source = QLineEdit(source or "")
        self.source.setPlaceholderText("the CCIS client extract (.csv)")
        form.addRow("Extract:", _browse_row(self.source, self._browse_source))
        self.postcodes = QLineEdit(postcodes or "")
        self.postcodes.setPlaceholderText("ONS Postcode Directory / NSPL extract (.csv)")
        form.addRow("Postcode lookup:", _browse_row(self.postcodes, self._browse_postcodes))
        self.lsoa_field = QLineEdit()
        self.lsoa_field.setPlaceholderText("LSOA column of the lookup (default lsoa21, then lsoa11)")
        form.addRow("LSOA column:", self.lsoa_field)
        self.as_of = QDateEdit(QDate.currentDate())
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        form.addRow("Reference date:", self.as_of)
        self.expect = QSpinBox()
        self.expect.setRange(0, 10_000_000)
        self.expect.setSpecialValueText("no check")
        form.addRow("Expected total:", self.expect)
        self.layout_.addLayout(form)
        self.note = _plain_label("Names, addresses, dates of birth, postcodes and CCIS ids are never stored: the "
                                 "postcode only chooses the young person's LSOA, the date of birth gives the age.")
        self.layout_.addWidget(self.note)
        self.mapping_box = QGroupBox("Columns → fields")
        self.mapping = QFormLayout(self.mapping_box)
        self.boxes: dict[str, QComboBox] = {}
        self.layout_.addWidget(self.mapping_box)
        self.finish_layout()
        self.source.editingFinished.connect(self.load_columns)
        for w in (self.postcodes, self.lsoa_field):
            w.textChanged.connect(self.invalidate)
        self.as_of.dateChanged.connect(self.invalidate)
        self.expect.valueChanged.connect(self.invalidate)
        if source:
            self.load_columns()

    def _browse_source(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CCIS client extract", "", "CSV (*.csv)")
        if path:
            self.source.setText(path)
            self.load_columns()

    def _browse_postcodes(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Postcode lookup", "", "CSV (*.csv)")
        if path:
            self.postcodes.setText(path)

    def load_columns(self) -> bool:
        """Read the extract's header and fill the mapping with the guessed columns."""
        from socialmap.interchange.readers.ccis import match_columns
        from socialmap.interchange.tabular import read_csv_table

        self.invalidate()
        while self.mapping.rowCount():
            self.mapping.removeRow(0)
        self.boxes = {}
        path = self.source.text().strip()
        if not path:
            return False
        try:
            table = read_csv_table(path)
        except InputError as exc:
            self.summary.setPlainText("\n".join(exc.lines()))
            return False
        self.headers = list(table.headers)
        try:
            guessed = match_columns(self.headers)
            found = {**guessed.fields, **guessed.characteristics}
        except InputError:
            from socialmap.interchange.readers.ccis import CHARACTERISTICS, FIELD_NAMES
            from socialmap.interchange.tabular import norm_key

            keys = {norm_key(h): h for h in self.headers}
            found = {n: next((keys[k] for k in names if k in keys), None)
                     for n, names in {**FIELD_NAMES, **CHARACTERISTICS}.items()}
        for name in self.field_names:
            box = QComboBox()
            box.addItems([NOT_IN_FILE, *self.headers])
            if found.get(name):
                box.setCurrentText(found[name])
            box.currentIndexChanged.connect(self.invalidate)
            self.boxes[name] = box
            self.mapping.addRow(_plain_label(name.replace("_", " ")), box)
        self.summary.setPlainText(f"{len(table.rows)} rows. Check the columns, then press Check.")
        return True

    def columns(self) -> dict[str, str]:
        """The mapping chosen: field -> column (fields not in the file left out)."""
        return {n: b.currentText() for n, b in self.boxes.items() if b.currentText() != NOT_IN_FILE}

    def job(self):
        from socialmap.interchange.readers.ccis import import_ccis

        if not self.source.text().strip():
            raise InputError(Problem("choose the CCIS client extract"))
        if not self.postcodes.text().strip():
            raise InputError(Problem("choose the postcode lookup: it places each young person in their LSOA"))
        day = self.as_of.date()
        kwargs = {"base": self.doc.project, "postcodes": self.postcodes.text().strip(),
                  "postcode_fields": {"lsoa_field": self.lsoa_field.text().strip() or None},
                  "as_of": dt.date(day.year(), day.month(), day.day()), "fields": self.columns(),
                  "expect_total": self.expect.value() or None}
        return import_ccis, (self.source.text().strip(),), kwargs

    def summary_text(self, result) -> str:
        from socialmap.commands.ccis import summary_lines

        return "\n".join([*summary_lines(result), "", *result.notes, "",
                          "Nothing has changed yet: press Import to add this to the project (undoable)."])

    def undo_text(self) -> str:
        return "Import a CCIS client extract"


# ===================================================================== area data
class JoinAreaDataDialog(_CheckThenApply):
    """Join columns of a table keyed by area code: the code column, the two area fields, a column picker."""

    apply_text = "Join"

    def __init__(self, window, doc, source: str | None = None) -> None:
        super().__init__(window, doc, "Join area data")
        form = QFormLayout()
        self.source = QLineEdit(source or "")
        self.source.setPlaceholderText("a table keyed by area code (.csv or .xlsx): IoD2025, ONS population...")
        form.addRow("Table:", _browse_row(self.source, self._browse_source))
        self.code = QComboBox()
        form.addRow("Area code column:", self.code)
        self.imd = QComboBox()
        form.addRow("IMD decile:", self.imd)
        self.population = QLineEdit()
        self.population.setPlaceholderText("a column, or columns added up: F16..F24+M16..M24")
        form.addRow("Population 16-24:", self.population)
        self.layout_.addLayout(form)
        self.layout_.addWidget(_plain_label("Other columns to keep as area attributes (numbers can colour the map):"))
        self.picker = QListWidget()
        self.layout_.addWidget(self.picker, 1)
        self.finish_layout()
        self.source.editingFinished.connect(self.load_columns)
        self.code.currentIndexChanged.connect(self.invalidate)
        self.imd.currentIndexChanged.connect(self.invalidate)
        self.population.textChanged.connect(self.invalidate)
        self.picker.itemChanged.connect(self.invalidate)
        if source:
            self.load_columns()

    def _browse_source(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Area table", "", "Tables (*.csv *.xlsx)")
        if path:
            self.source.setText(path)
            self.load_columns()

    def load_columns(self) -> bool:
        from socialmap.interchange.area_table import find_code_column, read_table
        from socialmap.interchange.tabular import norm_key

        self.invalidate()
        path = self.source.text().strip()
        if not path:
            return False
        try:
            table = read_table(path)
        except InputError as exc:
            self.summary.setPlainText("\n".join(exc.lines()))
            return False
        headers = list(table.headers)
        self.code.clear()
        self.code.addItems(headers)
        try:
            self.code.setCurrentText(find_code_column(headers, None, path))
        except InputError:
            pass
        self.imd.clear()
        self.imd.addItems([NOT_IN_FILE, *headers])
        decile = next((h for h in headers if "decile" in norm_key(h) and ("imd" in norm_key(h)
                       or "index_of_multiple_deprivation" in norm_key(h))), None)
        if decile:
            self.imd.setCurrentText(decile)
        self.picker.clear()
        for h in headers:
            item = QListWidgetItem(h)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.picker.addItem(item)
        self.summary.setPlainText(f"{len(table.rows)} rows. Choose the columns, then press Check.")
        return True

    def fields(self) -> dict[str, str]:
        """The fields to join: name -> source column(s)."""
        from socialmap.interchange.tabular import norm_key

        out: dict[str, str] = {}
        if self.imd.currentText() and self.imd.currentText() != NOT_IN_FILE:
            out["imd_decile"] = self.imd.currentText()
        if self.population.text().strip():
            out["population_16_24"] = self.population.text().strip()
        for i in range(self.picker.count()):
            item = self.picker.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                name = norm_key(item.text()) or f"column_{i + 1}"
                if name[0].isdigit():
                    name = f"c_{name}"
                out.setdefault(name, item.text())
        return out

    def job(self):
        from socialmap.interchange.area_table import join_area_table, parse_fields

        if not self.source.text().strip():
            raise InputError(Problem("choose the table to join"))
        fields = parse_fields(self.fields())
        return join_area_table, (self.doc.project, self.source.text().strip()), {
            "fields": fields, "code_field": self.code.currentText() or None}

    def summary_text(self, result) -> str:
        _project, report = result
        return "\n".join([*report.lines(), "", "Nothing has changed yet: press Join to apply it (undoable)."])

    def project_of(self, result):
        return result[0]

    def undo_text(self) -> str:
        return "Join area data"


def install_area_data_menus(window, file_menu, doc) -> dict[str, Any]:
    """File ▸ Import ▸ CCIS client extract… and File ▸ Join area data…; returns the actions."""
    from PySide6.QtGui import QAction

    actions: dict[str, Any] = {}
    menus = getattr(window, "_interchange_menus", None)
    act = QAction("CCIS client extract…", window)
    act.triggered.connect(lambda _=False: open_dialog(window, CcisDialog(window, doc)))
    if menus:
        menus[0].addAction(act)
    else:
        file_menu.addAction(act)
    actions["import_ccis"] = act
    join = QAction("Join area &data…", window)
    join.setStatusTip("Join a table keyed by area code (deprivation, population...) to the areas")
    join.triggered.connect(lambda _=False: open_dialog(window, JoinAreaDataDialog(window, doc)))
    before = next((a for a in file_menu.actions() if a.text().replace("&", "").startswith("Quit")), None)
    if before is not None:
        file_menu.insertAction(before, join)
    else:
        file_menu.addAction(join)
    actions["join_area_data"] = join
    return actions


def open_dialog(window, dialog: QDialog) -> QDialog:
    window._area_data_dialog = dialog  # kept alive while open
    dialog.open()
    return dialog


__all__ = ["CcisDialog", "JoinAreaDataDialog", "install_area_data_menus"]
