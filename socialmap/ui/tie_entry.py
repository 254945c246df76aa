"""Fast tie entry (issue 16), away from the interview form.

- :class:`AddTieDialog` - "Add tie from this person" in the inspector: the other end picked with
  type-ahead (label, kind and area shown, so two "Sam"s are told apart), then only the tie types
  that may join the two kinds (:func:`socialmap.model.tie_entry.valid_types`). Keyboard only:
  type, Down, Enter picks; Enter again adds.
- :class:`TieEntryDialog` - Edit > Enter ties: a table that takes typed or pasted rows
  ``source, target, type[, strength, context]`` (tab-separated from a spreadsheet, Ctrl+V),
  each row checked as it is entered (:func:`socialmap.model.tie_entry.check_rows`) with its
  reason beside it; **Add** adds the good rows as ONE undoable edit and leaves the bad ones, with
  their row and reason, to be put right.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QKeySequence,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError
from socialmap.model import Tie
from socialmap.model.kinds import PLACE_KINDS, YOUNG_PERSON
from socialmap.model.labels import value_label
from socialmap.model.tie_entry import COLUMNS, NodeFinder, check_rows, split_rows, valid_types
from socialmap.ui.commands import AddTie, push_edit
from socialmap.ui.document import ProjectDocument
from socialmap.ui.interview_dialog import choice_completer, choice_text
from socialmap.ui.models import plain_tooltip

OK_COLOUR, BAD_COLOUR = "#1b5e20", "#b00020"


class AddTieDialog(QDialog):
    """A tie from the node ``source_id`` to one picked by type-ahead, of a type that fits."""

    def __init__(self, doc: ProjectDocument, source_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.source_id = doc, source_id
        project = doc.project
        source = project.nodes[source_id]
        self.setWindowTitle(f"Add a tie from {source.label}")
        area_names = {c: a.name for c, a in project.areas.items()}
        tied = project.adjacency.get(source_id, set())
        self.choices = {choice_text(n, area_names): n.id for n in project.nodes.values()
                        if n.id != source_id and n.id not in tied}
        self.target_id: str | None = None

        form = QFormLayout(self)
        who = QLabel(choice_text(source, area_names))
        who.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("From:", who)
        self.target_edit = QLineEdit()
        self.target_edit.setObjectName("tieTarget")
        self.target_edit.setPlaceholderText("type a name, label or id; Down and Enter pick")
        self.completer = choice_completer(self.choices, self, project)
        self.completer.attach(self.target_edit)
        self.completer.activated[str].connect(self._picked)
        self.target_edit.textChanged.connect(self._resolve)
        form.addRow("To:", self.target_edit)
        self.type_box = QComboBox()
        self.type_box.setObjectName("tieType")
        form.addRow("Type:", self.type_box)
        self.strength_box = QComboBox()
        for text in ("", "1", "2", "3"):
            self.strength_box.addItem(text)
        form.addRow("Strength:", self.strength_box)
        self.context_box = QComboBox()
        self.context_box.addItem("", None)
        for n in sorted((n for n in project.nodes.values() if n.kind in PLACE_KINDS), key=lambda n: n.label.lower()):
            self.context_box.addItem(f"{n.label} ({n.id})", n.id)
        form.addRow("Context:", self.context_box)
        self.opportunity_box = QCheckBox("could help find work, training or a course (opportunity tie)")
        form.addRow("", self.opportunity_box)
        self.status = QLabel("")
        self.status.setObjectName("addTieStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        form.addRow(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add tie")
        self.buttons.accepted.connect(self.add)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._resolve("")
        self.target_edit.setFocus()

    def _picked(self, text: str) -> None:
        self.target_edit.setText(text)
        self._resolve(text)
        QTimer.singleShot(0, self.type_box, self.type_box.setFocus)

    def _resolve(self, text: str) -> None:
        """The other end from the text (a choice, an id or a unique label) and the types that fit."""
        project = self.doc.project
        text = text.strip()
        target = self.choices.get(text)
        if target is None and text:
            found, why = NodeFinder(project).find(text) if text not in project.nodes else (text, None)
            target = found if found in self.choices.values() or (found and found in project.nodes) else None
            self.status.setText("" if target else (why or ""))
        if target == self.source_id:
            target = None
        self.target_id = target
        self.type_box.clear()
        if target is not None:
            kinds = project.nodes[self.source_id].kind, project.nodes[target].kind
            for t in valid_types(*kinds):
                self.type_box.addItem(value_label("type", t), t)
            self.opportunity_box.setEnabled(YOUNG_PERSON in kinds)
            self.status.setText("" if self.type_box.count() else
                                f"no tie type joins a {value_label('kind', kinds[0]).lower()} "
                                f"and a {value_label('kind', kinds[1]).lower()}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            target is not None and self.type_box.count() > 0)

    def add(self) -> bool:
        """Push the tie (one undoable edit) and close; stay open with the reason on a refusal."""
        if self.target_id is None or not self.type_box.currentData():
            self.status.setText("Pick the other end first.")
            return False
        strength = self.strength_box.currentText()
        tie = Tie(self.source_id, self.target_id, self.type_box.currentData(), context=self.context_box.currentData(),
                  strength=int(strength) if strength else None,
                  opportunity=self.opportunity_box.isEnabled() and self.opportunity_box.isChecked())
        try:
            push_edit(self.doc, AddTie(self.doc, tie))
        except InputError as exc:
            self.status.setText("; ".join(p.reason for p in exc.problems))
            return False
        self.accept()
        return True


class TieEntryDialog(QDialog):
    """A table of ties to add, typed or pasted, each row checked as entered."""

    def __init__(self, doc: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.setWindowTitle("Enter ties")
        self._finder: NodeFinder | None = None
        self._finder_version = -1
        self._checking = False
        lay = QVBoxLayout(self)
        hint = QLabel("Type ties or paste them from a spreadsheet (Ctrl+V): source, target, type, and "
                      "optionally strength (1-3) and context. An end is an id, or a label only one node has.")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.model = QStandardItemModel(0, len(COLUMNS) + 1, self)
        self.model.setHorizontalHeaderLabels([*COLUMNS, "check"])
        self.table = QTableView()
        self.table.setObjectName("tieEntryTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS), QHeaderView.ResizeMode.Stretch)
        self.table.installEventFilter(self)
        lay.addWidget(self.table, 1)
        self.status = QLabel("")
        self.status.setObjectName("tieEntryStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add ties")
        self.add_button.setObjectName("addTiesButton")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_good_rows)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        row.addStretch(1)
        row.addWidget(self.add_button)
        row.addWidget(close)
        lay.addLayout(row)
        self.model.itemChanged.connect(self._on_item)
        self._ensure_blank_row()
        self.resize(860, 420)
        self.check()

    # ----------------------------------------------------------------- rows
    def _ensure_blank_row(self) -> None:
        """A last empty row to type into."""
        n = self.model.rowCount()
        if n == 0 or any(self._cell(n - 1, c) for c in range(len(COLUMNS))):
            self._checking = True
            check = QStandardItem("")
            check.setEditable(False)
            self.model.appendRow([QStandardItem("") for _ in COLUMNS] + [check])
            self._checking = False

    def _cell(self, r: int, c: int) -> str:
        item = self.model.item(r, c)
        return item.text().strip() if item is not None else ""

    def rows(self) -> list[list[str]]:
        """The table's rows (empty ones left out of the numbering are kept: row numbers are the table's)."""
        return [[self._cell(r, c) for c in range(len(COLUMNS))] for r in range(self.model.rowCount())]

    def set_rows(self, rows: list[list[str]], at: int | None = None) -> None:
        """Put ``rows`` into the table from row ``at`` (default: the first empty row at the end)."""
        self._checking = True
        if at is None:
            at = self.model.rowCount()
            while at > 0 and not any(self._cell(at - 1, c) for c in range(len(COLUMNS))):
                at -= 1
        for i, cells in enumerate(rows):
            r = at + i
            while r >= self.model.rowCount():
                check = QStandardItem("")
                check.setEditable(False)
                self.model.appendRow([QStandardItem("") for _ in COLUMNS] + [check])
            for c in range(len(COLUMNS)):
                self.model.item(r, c).setText(cells[c] if c < len(cells) else "")
            if len(cells) > len(COLUMNS):  # kept for the check to refuse, in the last column
                extra = [x for x in cells[len(COLUMNS):] if x.strip()]
                if extra:
                    self.model.item(r, len(COLUMNS) - 1).setText("\t".join([cells[len(COLUMNS) - 1], *extra]))
        self._checking = False
        self._ensure_blank_row()
        self.check()

    def paste(self) -> None:
        """Rows from the clipboard (tab-separated), from the selected row on."""
        rows = split_rows(QGuiApplication.clipboard().text())
        if not rows:
            return
        current = self.table.currentIndex()
        at = current.row() if current.isValid() and any(
            self._cell(current.row(), c) for c in range(len(COLUMNS))) else None
        self.set_rows(rows, at)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.table and event.type() == QEvent.Type.KeyPress and event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            return True
        return super().eventFilter(watched, event)

    def _on_item(self, item: QStandardItem) -> None:
        if self._checking or item.column() >= len(COLUMNS):
            return
        self._ensure_blank_row()
        self.check()

    # ----------------------------------------------------------------- checks
    def _finder_now(self) -> NodeFinder:
        version = self.doc.project.version
        if self._finder is None or self._finder_version != version:
            self._finder, self._finder_version = NodeFinder(self.doc.project), version
        return self._finder

    def check(self) -> list:
        """Check every non-empty row; write "ok" or the reason beside it. Returns the checks."""
        rows = self.rows()
        filled = [i for i, cells in enumerate(rows) if any(cells)]
        checked = check_rows(self.doc.project, [rows[i] for i in filled], self._finder_now())
        self._checking = True
        for r in range(self.model.rowCount()):
            self.model.item(r, len(COLUMNS)).setText("")
        results = []
        for i, c in zip(filled, checked, strict=True):
            c.row = i + 1  # the table's own row number
            item = self.model.item(i, len(COLUMNS))
            if c.ok:
                item.setText(f"ok: {value_label('type', c.tie.type).lower()} tie")
                item.setForeground(QBrush(QColor(OK_COLOUR)))
            else:
                item.setText(f"{c.field}: {c.reason}" if c.field else c.reason)
                item.setForeground(QBrush(QColor(BAD_COLOUR)))
            item.setToolTip(plain_tooltip(item.text()))  # a reason quotes data text: never markup
            results.append(c)
        self._checking = False
        for col in range(len(COLUMNS)):
            self.table.resizeColumnToContents(col)
        good = sum(1 for c in results if c.ok)
        self.add_button.setText(f"Add {good} {'tie' if good == 1 else 'ties'}")
        self.add_button.setEnabled(good > 0)
        return results

    def add_good_rows(self) -> int:
        """Add the rows that pass as one undoable edit; the others stay, reported with row and reason.
        Returns how many ties were added."""
        results = self.check()
        good = [c for c in results if c.ok]
        bad = [c for c in results if not c.ok]
        if not good:
            self.status.setText("Nothing to add." + ("" if not bad else " " + "; ".join(c.message() for c in bad)))
            return 0
        stack = self.doc.undo_stack
        stack.beginMacro(f"Enter {len(good)} {'tie' if len(good) == 1 else 'ties'}")
        try:
            for c in good:
                push_edit(self.doc, AddTie(self.doc, c.tie))
        except InputError as exc:
            stack.endMacro()
            stack.undo()
            self.status.setText(f"Nothing added: {exc}")
            return 0
        stack.endMacro()
        message = f"Added {len(good)} {'tie' if len(good) == 1 else 'ties'} (one edit: Undo takes them back)."
        remaining = [[self._cell(c.row - 1, k) for k in range(len(COLUMNS))] for c in bad]
        self._checking = True
        self.model.removeRows(0, self.model.rowCount())
        self._checking = False
        self.set_rows(remaining, 0)  # the rows not added, first in the table, checked again
        if bad:
            still = [c for c in self.check() if not c.ok]
            message += f" {len(still)} {'row was' if len(still) == 1 else 'rows were'} not added and " \
                       f"{'is' if len(still) == 1 else 'are'} left in the table: " + "; ".join(c.message() for c in still)
        self.status.setText(message)
        return len(good)
