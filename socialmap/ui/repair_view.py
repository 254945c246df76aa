"""The repair view: a project file edited elsewhere (QGIS) into a state the project's rules
refuse opens here instead of failing (issue 12).

Every problem of the file is listed with the fixes offered for it, from the same core as
``socialmap check`` and ``socialmap repair`` (:class:`socialmap.store.repair.RepairSession`).
The user applies fixes one by one (choosing where a fix needs a decision: the kind of a point
digitised without attributes, a tie's type, an area) or all the safe ones at once; each applied
fix is a command on the view's undo stack, so Undo gives the problem back in the list. Open
builds the project from the fixed records and hands it to the window, unsaved; Cancel leaves
the file as it was (nothing is written here, ever: the fixes reach the file only when the
project is saved).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError
from socialmap.model.kinds import NODE_KINDS
from socialmap.store.repair import Finding, Fix, RepairSession

COLUMNS = ("Record", "Problem", "Fix offered", "Status")
_ROOT = QModelIndex()


def _record(finding: Finding) -> str:
    return finding.problem.record or ("project settings" if finding.problem.field else "")


def _problem(finding: Finding) -> str:
    return finding.problem.reason


def _offered(finding: Finding) -> str:
    if finding.safe_fix is not None:
        return finding.safe_fix.action
    return " or ".join(f.action for f in finding.fixes) or "edit it in QGIS"


def _status(finding: Finding) -> str:
    if not finding.blocking:
        return "note (opens anyway)"
    return finding.decision


class FindingsModel(QAbstractTableModel):
    """The findings of a :class:`RepairSession`, one row each (model/view, STYLE 3)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.findings: list[Finding] = []

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self.findings = list(findings)
        self.endResetModel()

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.findings)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        finding = self.findings[index.row()]
        text = (_record, _problem, _offered, _status)[index.column()](finding)
        if role == Qt.ItemDataRole.DisplayRole:
            return text  # plain text in a view: data text cannot run (items never render HTML)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(finding.problem) if index.column() < 2 else text
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 3:
            from PySide6.QtGui import QColor

            return QColor("#1b7837") if finding.safe_fix is not None else QColor("#b35806")
        return None


class ApplyFix(QUndoCommand):
    """Fixes applied to the session's records (one, or all the safe ones); undo puts the
    records back as they were, and the list shows the problems again."""

    def __init__(self, view: RepairDialog, text: str, changes, lines: list[str], before: list | None = None) -> None:
        super().__init__(text)
        self.view = view
        self.changes = list(changes)
        self.lines = list(lines)
        self.before = before or []
        self._applied = before is not None  # already applied while the safe fixes were found

    def redo(self) -> None:
        if self._applied:
            self._applied = False
        else:
            self.before = self.view.session.apply(self.changes)
        self.view.refresh()

    def undo(self) -> None:
        self.view.session.restore(self.before)
        self.view.refresh()


class RepairDialog(QDialog):
    """Every problem of a file with its fixes; apply, undo, then open or cancel."""

    #: The project built from the fixed records, and the report lines of the fixes applied.
    repaired = Signal(object, list)

    def __init__(self, session: RepairSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(f"Repair {session.path.name}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(1100, 620)
        self.undo_stack = QUndoStack(self)

        self.intro = QLabel()
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        self.model = FindingsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_fixes())
        # rows as high as their wrapped text once the columns have their widths (not before)
        header.sectionResized.connect(lambda *_: self._fit_rows_later())

        self.fix_choice = QComboBox()
        self.fix_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.fix_choice.currentIndexChanged.connect(lambda *_: self._show_choices())
        self.option_choice = QComboBox()
        self.option_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.apply_button = QPushButton("Apply fix")
        self.apply_button.clicked.connect(self.apply_selected)
        self.apply_safe_button = QPushButton("Apply all safe fixes")
        self.apply_safe_button.clicked.connect(self.apply_all_safe)
        fix_row = QHBoxLayout()
        fix_row.addWidget(QLabel("Fix for the selected problem:"))
        fix_row.addWidget(self.fix_choice, 1)
        fix_row.addWidget(self.option_choice)
        fix_row.addWidget(self.apply_button)
        fix_row.addSpacing(24)
        fix_row.addWidget(self.apply_safe_button)

        self.undo_action = self.undo_stack.createUndoAction(self, "Undo fix")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo fix")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.addActions([self.undo_action, self.redo_action])
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button = QPushButton("Redo")
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.history = QUndoView(self.undo_stack)
        self.history.setEmptyLabel("The file as it is")
        self.history.setWordWrap(True)
        history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addWidget(QLabel("Fixes applied (click one to go back to it):"))
        history_layout.addWidget(self.history)
        undo_row = QHBoxLayout()
        undo_row.addWidget(self.undo_button)
        undo_row.addWidget(self.redo_button)
        history_layout.addLayout(undo_row)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(history_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([760, 340])

        self.buttons = QDialogButtonBox()
        self.open_button = self.buttons.addButton("Open repaired project", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self.open_repaired)
        self.cancel_button.clicked.connect(self.reject)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(split, 1)
        layout.addLayout(fix_row)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.undo_stack.indexChanged.connect(lambda *_: self._update_status())
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._fit_rows_later()

    def _fit_rows_later(self) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: shiboken6.isValid(self.table) and self.table.resizeRowsToContents())

    # ------------------------------------------------------------------ state
    def refresh(self) -> None:
        """The list and the buttons from the session's records as they now are."""
        row = max(self.table.currentIndex().row(), 0)
        findings = self.session.findings()
        self.model.set_findings(findings)
        blocking = [f for f in findings if f.blocking]
        safe = [f for f in findings if f.safe_fix is not None]
        name = self.session.path.name
        if blocking:
            self.intro.setText(
                f"{name} was changed in another program (QGIS?) and cannot be opened as it is: "
                f"{len(blocking)} problem{'s' if len(blocking) != 1 else ''}, listed below with the fix offered for "
                "each. Apply the fixes one by one, or all the safe ones; Undo takes a fix back. The file itself is not "
                "changed: the fixes reach it when you save the project.")
        else:
            self.intro.setText(f"Every problem of {name} is fixed. Open the project, check it, and save it to keep "
                               "the fixes; Cancel leaves the file as it was.")
        self._update_status()
        self.apply_safe_button.setEnabled(bool(safe))
        self.open_button.setEnabled(not blocking)
        if findings:
            self.table.selectRow(min(row, len(findings) - 1))
        self.table.resizeRowsToContents()
        self._show_fixes()

    def _update_status(self) -> None:
        if not shiboken6.isValid(self.undo_stack) or not shiboken6.isValid(self.status):
            return  # the view is being destroyed
        findings = self.model.findings
        blocking = sum(1 for f in findings if f.blocking)
        safe = sum(1 for f in findings if f.safe_fix is not None)
        self.status.setText(f"{blocking} problem(s) left, {safe} with a safe fix; "
                            f"{len(self.fixes_applied())} fix(es) applied.")

    def current_finding(self) -> Finding | None:
        row = self.table.currentIndex().row()
        return self.model.findings[row] if 0 <= row < len(self.model.findings) else None

    def _show_fixes(self) -> None:
        finding = self.current_finding()
        self.fix_choice.blockSignals(True)
        self.fix_choice.clear()
        for fix in finding.fixes if finding else ():
            self.fix_choice.addItem(fix.action + ("" if fix.safe else " (your decision)"))
        self.fix_choice.blockSignals(False)
        self.fix_choice.setEnabled(bool(finding and finding.fixes))
        self._show_choices()

    def _show_choices(self) -> None:
        fix = self.current_fix()
        self.option_choice.clear()
        areas = self.session.valid_areas
        for choice in fix.choices if fix else ():
            if choice in NODE_KINDS:
                text = choice.replace("_", " ")
            elif choice in areas:
                text = f"{choice} {areas[choice].name}".strip()
            else:
                text = choice
            self.option_choice.addItem(text, choice)
        self.option_choice.setVisible(bool(fix and fix.choices))
        self.apply_button.setEnabled(fix is not None)

    def current_fix(self) -> Fix | None:
        finding = self.current_finding()
        i = self.fix_choice.currentIndex()
        if finding is None or not 0 <= i < len(finding.fixes):
            return None
        return finding.fixes[i]

    # ------------------------------------------------------------------ fixes
    def apply_fix(self, fix: Fix, choice: str | None = None) -> None:
        """Apply ``fix`` (with ``choice`` where it needs one) as one undoable command."""
        changes, line = fix.changes_for(choice)
        self.undo_stack.push(ApplyFix(self, line, changes, [line]))

    def apply_selected(self) -> None:
        fix = self.current_fix()
        if fix is None:
            return
        choice = self.option_choice.currentData() if fix.choices else None
        try:
            self.apply_fix(fix, choice)
        except InputError as exc:
            self.status.setText(str(exc))

    def apply_all_safe(self) -> int:
        """Every safe fix (again while fixes make new ones possible), as one undoable step."""
        changes, lines, before = [], [], []
        for _ in range(10):  # a fix may reveal another (an id given shows the point's own problems)
            fixes = [f.safe_fix for f in self.session.findings() if f.safe_fix is not None]
            if not fixes:
                break
            for fix in fixes:
                fix_changes, line = fix.changes_for()
                before += self.session.apply(fix_changes)
                changes += fix_changes
                lines.append(line)
        if lines:
            text = f"Apply {len(lines)} safe fix{'es' if len(lines) != 1 else ''}"
            self.undo_stack.push(ApplyFix(self, text, changes, lines, before))
        return len(lines)

    def fixes_applied(self) -> list[str]:
        """The report lines of the fixes now applied, in order."""
        return [line for i in range(self.undo_stack.index()) for line in self.undo_stack.command(i).lines]

    def open_repaired(self) -> None:
        try:
            project = self.session.project()
        except InputError as exc:
            self.status.setText(f"Cannot open yet: {exc}")
            return
        self.accept()
        self.repaired.emit(project, self.fixes_applied())


def _read_session(path: str) -> RepairSession:
    session = RepairSession(path)
    session.findings()  # found here, off the UI thread
    return session


def open_repair_view(window, path: str, remember: bool = True):
    """Read the file ``path`` that would not open into a :class:`RepairSession` in the
    background, then show the repair view over ``window`` (kept as ``window.repair_dialog``).
    Open hands the repaired project to the window, unsaved and pointed at ``path``."""
    from socialmap.ui import workers

    worker = workers.Worker(_read_session, path, with_callbacks=False)

    def show(session: RepairSession) -> None:
        dialog = RepairDialog(session, window)
        window.repair_dialog = dialog
        dialog.repaired.connect(lambda project, lines: opened(project, lines))
        dialog.rejected.connect(lambda: cancelled())
        dialog.open()

    def opened(project, lines: list[str]) -> None:
        from socialmap.mapview import binary

        window.repair_dialog = None
        window._opened(project, [workers.json_in_chunks(binary.areas_part(project))], None, None, path, remember)
        window.doc.undo_stack.resetClean()  # the fixes are unsaved work: the file is unchanged until a save
        window.doc.titleChanged.emit()
        window.repair_report = lines
        window.statusBar().showMessage(f"Repaired {len(lines)} problem(s) of {path}; save to keep the fixes "
                                       "(the file is unchanged until then).", 0)

    def cancelled() -> None:
        window.repair_dialog = None
        text = f"{path} was not opened; the file is unchanged"
        window.statusBar().showMessage(text, 6000)
        window.loadFailed.emit(text)

    def failed(exc: BaseException) -> None:
        from socialmap.ui.mainwindow import error_text

        text = error_text(exc)
        window.show_error("Cannot open the project", f"{path} could not be opened.\n\n{text}")
        window.loadFailed.emit(text)

    worker.signals.finished.connect(workers.owned(window, show))
    worker.signals.failed.connect(workers.owned(window, failed))
    window.statusBar().showMessage(f"{path} needs repair: reading every problem…", 0)
    return workers.start(worker)
