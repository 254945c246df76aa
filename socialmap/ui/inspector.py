"""The inspector: a form to edit the selected area, node or tie.

Values are parsed field by field; a value that does not parse, or that the
model refuses, shows its reason beside the field and nothing is changed.
Accepted edits go through the undo stack like every other edit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError
from socialmap.model.kinds import (
    ACTIVITIES,
    ACTIVITY_TITLES,
    KIND_FIELDS,
    ORG_TYPES,
    PLACE_KINDS,
    SECTORS,
    TIE_TYPES,
    YOUNG_PERSON,
)
from socialmap.model.labels import KIND_LABELS, field_label, tie_type_choices, value_label
from socialmap.ui import commands
from socialmap.ui.document import ProjectDocument
from socialmap.ui.models import display

INT_FIELDS = {"age", "imd_decile", "population_16_24", "strength"}
FLOAT_FIELDS = {
    "lat", "lon", "employees_total", "employees_local", "spend_total", "spend_local",
    "years_in_area", "annual_value", "hours_per_week",
}
BOOL_FIELDS = {"neet", "is_anchor", "in_work", "opportunity"}
DATE_FIELDS = {"contract_end", "since", "until", "recorded", "updated"}
#: Coded fields, picked from their codes' labels (the code is what is kept).
CHOICES = {name: [(str(value_label(name, c)), c) for c in codes]
           for name, codes in (("org_type", ORG_TYPES), ("sector", SECTORS), ("type", TIE_TYPES))}
KIND_TITLES = KIND_LABELS
MEASURE_NAMES = {name: field_label(name) for name in (
    "degree", "bonding", "bridging", "linking", "areas_reached", "constraint", "effective_size", "isolated",
    "service_links", "opportunity_ties", "hops_to_opportunity")}
#: Measures of young people only (null for adults: not shown for them).
YOUNG_PEOPLE_MEASURES = ("opportunity_ties", "hops_to_opportunity")



def node_choice(project, ident: str) -> str:
    """A node as a choice in a list: its label and id, "Youth club (s1)"."""
    return f"{project.nodes[ident].label} ({ident})"

class FieldError(ValueError):
    pass


def parse_value(name: str, text: str) -> Any:
    """The typed value of a form field, or :class:`FieldError` with the reason."""
    text = text.strip()
    if text == "":
        return None
    if name in INT_FIELDS:
        try:
            return int(text)
        except ValueError:
            raise FieldError(f"{text!r} is not a whole number") from None
    if name in FLOAT_FIELDS:
        try:
            return float(text.replace(",", ""))
        except ValueError:
            raise FieldError(f"{text!r} is not a number") from None
    if name in BOOL_FIELDS:
        low = text.lower()
        if low in ("yes", "true", "1", "y"):
            return True
        if low in ("no", "false", "0", "n"):
            return False
        raise FieldError(f"{text!r} is not yes or no")
    if name in DATE_FIELDS:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FieldError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return text


class Inspector(QWidget):
    """Edit form of the selected record, with per-field errors."""

    applied = Signal()
    #: the "Record network" button of a young person: their id (the window opens the interview form)
    recordRequested = Signal(str)

    def __init__(self, doc: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.kind = ""
        self.ident = ""
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.original: dict[str, str] = {}
        self.measures: dict[str, dict[str, Any]] = {}
        self.measures_note = "Run the analysis (Analyse menu) to see this person's measures."

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel("Nothing selected")
        self.title.setObjectName("inspectorTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)
        self.ties_box = QGroupBox("Ties (double-click one to edit it)")
        tl = QVBoxLayout(self.ties_box)
        tl.setContentsMargins(4, 4, 4, 4)
        self.tie_model = QStringListModel(self)
        self.tie_keys: list[str] = []
        self.tie_view = QListView()
        self.tie_view.setModel(self.tie_model)
        self.tie_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.tie_view.setMaximumHeight(130)
        self.tie_view.doubleClicked.connect(lambda index: self.doc.select("tie", self.tie_keys[index.row()]))
        tl.addWidget(self.tie_view)
        outer.addWidget(self.ties_box)
        self.ties_box.hide()
        self.measure_box = QGroupBox("Measures")
        self.measure_form = QFormLayout(self.measure_box)
        outer.addWidget(self.measure_box)
        self.measure_box.hide()
        buttons = QHBoxLayout()
        self.apply_button = QPushButton("Apply")
        self.apply_button.clicked.connect(self.apply)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete)
        self.end_button = QPushButton("End tie")
        self.end_button.setObjectName("endTieButton")
        self.end_button.setToolTip("End the tie today: it is kept with its end date and no longer counted "
                                   "from that day (Delete removes it altogether)")
        self.end_button.clicked.connect(self.end_tie)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.end_button)
        buttons.addWidget(self.delete_button)
        self.record_button = QPushButton("Record network…")
        self.record_button.setObjectName("recordNetworkButton")
        self.record_button.setToolTip("Interview this young person: the people and places they name")
        self.record_button.clicked.connect(lambda: self.recordRequested.emit(self.ident))
        buttons.addWidget(self.record_button)
        self.ring_button = QPushButton("Ring view…")
        self.ring_button.setObjectName("ringViewButton")
        self.ring_button.setToolTip("This young person's network in rings, with their measures")
        self.ring_button.clicked.connect(self.show_ring_view)
        more = QHBoxLayout()  # a second row: the panel keeps its width (the map its size)
        more.addWidget(self.ring_button)
        self.add_tie_button = QPushButton("Add tie…")
        self.add_tie_button.setObjectName("addTieFromButton")
        self.add_tie_button.setToolTip("Add a tie from this record: pick the other end by name, then a type that fits")
        self.add_tie_button.clicked.connect(self.add_tie_from_here)
        more.addWidget(self.add_tie_button)
        more.addStretch(1)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        outer.addLayout(more)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setObjectName("inspectorStatus")
        outer.addWidget(self.status)

        doc.selectionChanged.connect(self.show_record)
        doc.nodesChanged.connect(self._on_nodes)
        doc.tiesChanged.connect(self._on_ties)
        doc.areasChanged.connect(lambda *_: self._refresh_if("area"))
        doc.projectReplaced.connect(lambda: self.show_record("", ""))
        self.show_record("", "")

    # ----------------------------------------------------------------- build form
    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        self.errors.clear()
        self.original.clear()

    def _add_field(self, name: str, value: Any, *, editable: bool = True, choices=None) -> None:
        if choices is not None:
            # a choice is a value, or (text shown, value): areas, providers and places read
            # "Millbrook North (X01000001)", not the bare code
            editor = QComboBox()
            editor.setEditable(False)
            # as wide as the panel, not as its longest choice (a provider's full name made the
            # form wider than the panel on a 1366 px screen, with a sideways scroll bar)
            editor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            editor.setMinimumContentsLength(10)
            editor.addItem("", "")
            for c in choices:
                text, data = (c if isinstance(c, tuple) else (str(c), str(c)))
                editor.addItem(text, data)
            editor.setCurrentIndex(max(editor.findData("" if value is None else str(value)), 0))
            editor.setEnabled(editable)
        else:
            editor = QLineEdit(display(value))
            editor.setReadOnly(not editable)
            editor.returnPressed.connect(self.apply)
        editor.setObjectName(f"field_{name}")
        self.original[name] = self._editor_text(editor)
        error = QLabel("")
        error.setObjectName(f"error_{name}")
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.setWordWrap(True)
        error.setStyleSheet("color: #b00020;")
        error.hide()
        cell = QWidget()
        lay = QVBoxLayout(cell)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(editor)
        lay.addWidget(error)
        self.form.addRow(field_label(name), cell)
        self.editors[name] = editor
        self.errors[name] = error

    def _watch_full_name(self) -> None:
        """Warn (not refuse) while a young person's label looks like a full name (SPEC 8: pseudonyms)."""
        from socialmap.privacy import FULL_NAME_WARNING, looks_like_full_name

        editor = self.editors["label"]
        warning = QLabel(FULL_NAME_WARNING)
        warning.setObjectName("name_warning")
        warning.setTextFormat(Qt.TextFormat.PlainText)
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #8a5a00;")
        editor.parentWidget().layout().addWidget(warning)

        def check(text: str) -> None:
            warning.setVisible(looks_like_full_name(text.strip()))

        editor.textChanged.connect(check)
        check(editor.text())
        self.name_warning = warning

    def show_record(self, kind: str, ident: str) -> None:
        self.kind, self.ident = kind, ident
        self._clear()
        self.status.setText("")
        project = self.doc.project
        self.measure_box.hide()
        self.ties_box.hide()
        editable = True
        if kind == "area" and ident in project.areas:
            area = project.areas[ident]
            self.title.setText(f"Area: {area.name} ({area.code})")
            self._add_field("code", area.code, editable=False)
            for name in ("name", "imd_decile", "population_16_24"):
                self._add_field(name, getattr(area, name))
        elif kind == "tie":
            a, _, b = ident.partition("|")
            tie = project.get_tie(a, b)
            if tie is None:
                return self.show_record("", "")
            la, lb = project.nodes[tie.a].label, project.nodes[tie.b].label
            self.title.setText(f"Tie: {la} – {lb}")
            self._add_field("a", tie.a, editable=False)
            self._add_field("b", tie.b, editable=False)
            self._add_field("type", tie.type, choices=tie_type_choices())
            places = sorted(n.id for n in project.nodes.values() if n.kind in PLACE_KINDS)
            self._add_field("context", tie.context, choices=[(node_choice(project, i), i) for i in places])
            self._add_field("strength", tie.strength)
            self._add_field("since", tie.since)
            self._add_field("until", tie.until)
            if YOUNG_PERSON in (project.nodes[tie.a].kind, project.nodes[tie.b].kind):
                self._add_field("opportunity", display(tie.opportunity), choices=("yes", "no"))
        elif kind and ident in project.nodes:
            node = project.nodes[ident]
            self.title.setText(f"{KIND_TITLES.get(node.kind, node.kind)}: {node.label}")
            self._add_field("id", node.id, editable=False)
            self._add_field("label", node.label)
            if node.kind == "young_person":
                self._watch_full_name()
            if node.kind in PLACE_KINDS:
                self._add_field("lat", node.lat)
                self._add_field("lon", node.lon)
            for name in KIND_FIELDS[node.kind]:
                if name == "area_code":
                    self._add_field(name, node.area_code, choices=[
                        (f"{project.areas[c].name} ({c})", c) for c in sorted(project.areas)])
                elif name == "activity":
                    self._add_field(name, node.activity, choices=[(ACTIVITY_TITLES[a], a) for a in ACTIVITIES])
                elif name == "neet" and node.kind == "young_person":  # derived from the activity
                    self._add_field(name, display(node.neet) or None, editable=False, choices=("yes", "no"))
                elif name in BOOL_FIELDS:
                    self._add_field(name, display(getattr(node, name)) or None, choices=("yes", "no"))
                elif name == "provider":
                    orgs = sorted(n.id for n in project.nodes.values() if n.kind == "organisation")
                    self._add_field(name, node.provider, choices=[(node_choice(project, i), i) for i in orgs])
                else:
                    self._add_field(name, getattr(node, name), choices=CHOICES.get(name))
            # kept by the model (set on add, on every edit and by the importers), shown, not typed
            self._add_field("recorded", node.recorded, editable=False)
            self._add_field("updated", node.updated, editable=False)
            self._show_measures(node.id)
            self._show_ties(node.id)
        else:
            self.title.setText("Nothing selected")
            self.kind, self.ident = "", ""
            editable = False
        self.apply_button.setEnabled(editable)
        self.delete_button.setEnabled(editable and self.kind != "area")
        tie = project.get_tie(*ident.split("|", 1)) if self.kind == "tie" else None
        self.end_button.setVisible(self.kind == "tie")
        self.record_button.setVisible(self.kind == "young_person" and ident in project.nodes)
        self.ring_button.setVisible(self.kind == "young_person" and ident in project.nodes)
        self.add_tie_button.setVisible(self.kind not in ("", "area", "tie") and ident in project.nodes)
        self.end_button.setEnabled(tie is not None and tie.until is None and tie.type != "provides")

    def show_ring_view(self) -> None:
        """Open the ring view of the selected young person (socialmap.ui.interview_dialog.RingDialog)."""
        from socialmap.ui.interview_dialog import RingDialog

        if self.kind != "young_person" or self.ident not in self.doc.project.nodes:
            return
        self.ring_dialog = RingDialog(self.doc, self.ident, self.window())
        self.ring_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ring_dialog.show()

    def add_tie_from_here(self) -> bool:
        """"Add tie from this person": socialmap.ui.tie_entry.AddTieDialog (one undoable edit)."""
        from socialmap.ui.tie_entry import AddTieDialog

        if self.kind in ("", "area", "tie") or self.ident not in self.doc.project.nodes:
            return False
        return AddTieDialog(self.doc, self.ident, self.window()).exec() == 1

    def set_measures(self, people: dict[str, dict[str, Any]], note: str = "") -> None:
        """Per-person measures from the last analysis, shown for a selected person."""
        self.measures = people
        if note:
            self.measures_note = note
        if self.kind in ("young_person", "adult"):
            self._show_measures(self.ident)

    def _show_measures(self, node_id: str) -> None:
        node = self.doc.project.nodes.get(node_id)
        if node is None or node.kind not in ("young_person", "adult"):
            self.measure_box.hide()
            return
        while self.measure_form.rowCount():
            self.measure_form.removeRow(0)
        row = self.measures.get(node_id)
        if row is None:
            note = QLabel(self.measures_note)
            note.setWordWrap(True)
            self.measure_form.addRow(note)
        else:
            for name, title in MEASURE_NAMES.items():
                if name in row:
                    value = row[name]
                    missing = value is None or type(value).__name__ == "NAType"
                    if name in YOUNG_PEOPLE_MEASURES and node.kind != "young_person":
                        continue
                    if name == "hops_to_opportunity" and missing:
                        text = "none within 4"
                    else:
                        text = f"{value:.3f}" if isinstance(value, float) else display(value)
                    label = QLabel(text)
                    label.setObjectName(f"measure_{name}")
                    self.measure_form.addRow(title, label)
        self.measure_box.show()

    def _show_ties(self, node_id: str) -> None:
        project = self.doc.project
        ties = sorted(project.incident_ties(node_id), key=lambda t: (t.type, t.other(node_id)))
        self.tie_keys = ["|".join(t.key) for t in ties]
        lines = []
        for t in ties:
            other = project.nodes[t.other(node_id)]
            lines.append(f"{value_label('type', t.type)} — {other.label} ({other.id})")
        self.tie_model.setStringList(lines)
        self.ties_box.setTitle(f"Ties: {len(ties)} (double-click one to edit it)")
        self.ties_box.show()

    def _refresh_if(self, kind: str) -> None:
        if self.kind == kind:
            self.show_record(self.kind, self.ident)

    def _on_ties(self, added: list, changed: list, removed: list) -> None:
        if self.kind == "tie":
            self.show_record(self.kind, self.ident)
        elif self.kind and self.ident in {n for k in [*added, *changed, *removed] for n in k}:
            self._show_ties(self.ident)

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        if self.ident in removed:
            self.show_record("", "")
        elif self.ident in changed or self.ident in added:
            self.show_record(self.kind, self.ident)

    # ----------------------------------------------------------------- edit
    @staticmethod
    def _editor_text(editor) -> str:
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            return editor.currentText() if data is None else str(data)
        return editor.text()

    def _text(self, name: str) -> str:
        return self._editor_text(self.editors[name])

    def show_error(self, name: str | None, reason: str) -> None:
        if name in self.errors:
            self.errors[name].setText(reason)
            self.errors[name].show()
        else:
            self.status.setText(reason)

    def apply(self) -> bool:
        """Parse the form and push one undoable edit; False when refused."""
        if not self.kind:
            return False
        for label in self.errors.values():
            label.hide()
        self.status.setText("")
        changes: dict[str, Any] = {}
        bad = False
        for name, editor in self.editors.items():
            if (isinstance(editor, QLineEdit) and editor.isReadOnly()) or not editor.isEnabled():
                continue
            if self._text(name) == self.original.get(name):
                continue  # untouched: keep the stored value exactly (no rounding)
            try:
                value = parse_value(name, self._text(name))
            except FieldError as exc:
                self.show_error(name, str(exc))
                bad = True
                continue
            if name == "label" and value is None:
                self.show_error(name, "a label is needed")
                bad = True
                continue
            if name == "opportunity" and value is None:
                value = False  # an opportunity tie or not: left empty is not
            if name == "name" and value is None:
                self.show_error(name, "a name is needed")
                bad = True
                continue
            changes[name] = value
        if bad:
            return False
        if not changes:
            return True
        if self.kind == "area":
            cmd = commands.UpdateArea(self.doc, self.ident, changes)
        elif self.kind == "tie":
            a, b = self.ident.split("|", 1)
            cmd = commands.UpdateTie(self.doc, a, b, changes)
        else:
            cmd = commands.UpdateNode(self.doc, self.ident, changes)
        try:
            commands.push_edit(self.doc, cmd)
        except InputError as exc:
            for problem in exc.problems:
                self.show_error(problem.field, problem.reason)
            return False
        self.applied.emit()
        return True

    def end_tie(self) -> bool:
        """End the selected tie today (undoable); False when there is none or the model refuses."""
        if self.kind != "tie":
            return False
        a, b = self.ident.split("|", 1)
        try:
            commands.push_edit(self.doc, commands.EndTie(self.doc, a, b))
        except InputError as exc:
            self.status.setText(exc.summary())
            return False
        self.applied.emit()
        return True

    def delete(self) -> None:
        if not self.kind or self.kind == "area":
            return
        if self.kind == "tie":
            a, b = self.ident.split("|", 1)
            commands.push_edit(self.doc, commands.RemoveTie(self.doc, a, b))
        else:
            commands.push_edit(self.doc, commands.RemoveNode(self.doc, self.ident))
