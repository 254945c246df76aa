"""Privacy dialogs: the retention review (issue 10; UK GDPR storage limitation)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
)

from socialmap.model.erasure import retention_review
from socialmap.model.project import Project
from socialmap.ui.frame_model import FrameModel


class RetentionDialog(QDialog):
    """Young people whose record has not been updated for longer than the retention period; the
    user picks those to erase (``chosen``), or closes the dialog to keep them all."""

    def __init__(self, project: Project, parent=None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Retention review")
        self.project = project
        self.today = today or dt.date.today()
        self.chosen: list[str] = []
        lay = QVBoxLayout(self)
        self.months = QSpinBox()
        self.months.setRange(1, 240)
        self.months.setSuffix(" months")
        self.months.setValue(int(project.setting("retention_months")))
        self.months.setToolTip("The project's retention period (setting retention_months); change it to review "
                               "with another period.")
        self.months.valueChanged.connect(self.refresh)
        lay.addWidget(QLabel("Young people whose record has not been updated for longer than:"))
        lay.addWidget(self.months)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.summary)
        self.model = FrameModel(self, suppressed=frozenset(),
                                headers={"id": "Id", "label": "Pseudonym", "area": "Home area",
                                         "updated": "Last updated", "months": "Months since"})
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.erase_button = QPushButton("Erase selected…")
        self.erase_button.setObjectName("erase_selected")
        buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.erase_button.clicked.connect(self.erase_selected)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 420)
        self.refresh()

    def entries(self):
        return retention_review(self.project, self.today, months=self.months.value())

    def refresh(self) -> None:
        rows = self.entries()
        names = {c: a.name for c, a in self.project.areas.items()}
        frame = pd.DataFrame(
            {"label": [e.label for e in rows],
             "area": [f"{names.get(e.area_code, '')} ({e.area_code})" if e.area_code else "" for e in rows],
             "updated": [e.updated.isoformat() if e.updated else "never recorded" for e in rows],
             "months": [e.months if e.months is not None else "" for e in rows]},
            index=pd.Index([e.id for e in rows], name="id"))
        self.model.set_frame(frame, index_name="id")
        self.table.resizeColumnsToContents()
        n = len(rows)
        self.summary.setText(
            f"{n} young {'person' if n == 1 else 'people'} to review. Erase those whose record is no longer "
            "needed (one undoable edit until you save), or update a record to keep it." if n else
            "No young person's record is older than that.")
        self.erase_button.setEnabled(bool(n))

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [str(self.model.rows[r][0]) for r in rows]

    def erase_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            QMessageBox.information(self, "Retention review", "Select the young people to erase first.")
            return
        answer = QMessageBox.question(
            self, "Erase completely",
            f"Erase {len(ids)} young {'person' if len(ids) == 1 else 'people'} completely, with their ties and every "
            "mention in saved scenarios and snapshots? You can undo this until you save.")
        if answer == QMessageBox.StandardButton.Yes:
            self.chosen = ids
            self.accept()
