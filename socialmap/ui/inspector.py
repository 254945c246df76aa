"""The inspector: a form to edit the selected area, node or tie.

Values are parsed field by field; a value that does not parse, or that the
model refuses, shows its reason beside the field and nothing is changed.
Accepted edits go through the undo stack like every other edit.

Selecting is cheap at city scale (issue 13: select on the map within 0.1 s at 100,000 young
people): each kind's form is built once and then only given the selected record's values; the
lists of areas, places and organisations it offers are made once and again only after one of
them changes (they were one pass over the project's 125,000 nodes per selected tie or service);
the ties list is a model that makes a tie's line only when the view shows it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QTimer, Signal
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
    ORGANISATION,
    PLACE_KINDS,
    SECTORS,
    SERVICE,
    TIE_TYPES,
    YOUNG_PERSON,
)
from socialmap.model.labels import KIND_LABELS, field_label, tie_type_choices, value_label
from socialmap.ui import commands, indexes, workers
from socialmap.ui.document import ProjectDocument
from socialmap.ui.models import display
from socialmap.ui.pickers import choice_combo

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


class TieListModel(QAbstractListModel):
    """The ties of one node, sorted by type and the other end's id; a tie's line ("Friend —
    Robin (yp1)") is made when the view asks for it (the rows it shows), not for every tie."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.project = None
        self.node_id = ""
        self.ties: list = []

    def show_node(self, project, node_id: str) -> None:
        self.beginResetModel()
        self.project, self.node_id = project, node_id
        self.ties = sorted(project.incident_ties(node_id), key=lambda t: (t.type, t.other(node_id)))
        self.endResetModel()

    def key(self, row: int) -> str:
        """The tie of ``row`` as the selection names it, "a|b"."""
        return "|".join(self.ties[row].key)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.ties)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid() or index.row() >= len(self.ties):
            return None
        tie = self.ties[index.row()]
        other_id = tie.other(self.node_id)
        other = self.project.nodes.get(other_id)
        return f"{value_label('type', tie.type)} — {other.label if other else other_id} ({other_id})"

    def stringList(self) -> list[str]:
        """Every line, in order (as a QStringListModel would give them)."""
        return [self.data(self.index(row)) for row in range(len(self.ties))]


class _Form:
    """One kind's form, built once: a row per field (an editor and its error line below it)."""

    def __init__(self) -> None:
        self.widget = QWidget()
        self.layout = QFormLayout(self.widget)
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.cells: dict[str, QWidget] = {}
        self.visible: dict[str, bool] = {}
        #: per choice field whose list comes from the project: the list it holds now
        self.filled: dict[str, object] = {}


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
        self._measure_note: QLabel | None = None  # the note row, while it is the only one

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
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.addStretch(1)
        self.forms: dict[str, _Form] = {}
        self.current_form: _Form | None = None
        self.form: QFormLayout | None = None  # the layout of the form shown
        self._ahead_timer = QTimer(self)
        self._ahead_timer.setSingleShot(True)
        self._ahead_timer.timeout.connect(self._build_ahead)
        #: lists of the project offered by choice fields ("areas", "places", "orgs"), made when
        #: first asked for and dropped when one of their records changes
        self._choice_lists: dict[str, list[tuple[str, str]]] = {}
        self._place_ids: set[str] = set()
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)
        self.ties_box = QGroupBox("Ties (double-click one to edit it)")
        tl = QVBoxLayout(self.ties_box)
        tl.setContentsMargins(4, 4, 4, 4)
        self.tie_model = TieListModel(self)
        self.tie_view = QListView()
        self.tie_view.setUniformItemSizes(True)
        self.tie_view.setModel(self.tie_model)
        self.tie_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.tie_view.setMaximumHeight(130)
        self.tie_view.doubleClicked.connect(lambda index: self.doc.select("tie", self.tie_model.key(index.row())))
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
        doc.areasChanged.connect(self._on_areas)
        doc.projectReplaced.connect(self._on_replaced)
        self.show_record("", "")
        self._ahead_timer.start(self.AHEAD_DELAY_MS)  # the forms, while the window waits for a file

    # ----------------------------------------------------------------- build form
    def _choice_list(self, key: str) -> list[tuple[str, str]]:
        """The project's list offered by a choice field: "areas" (every area), "places"
        (organisations and services: a tie's context) or "orgs" (a service's provider), as
        (text shown, id), sorted by code or id. Kept until one of its records changes."""
        got = self._choice_lists.get(key)
        if got is None:
            project = self.doc.project
            if key == "areas":
                got = [(f"{project.areas[c].name} ({c})", c) for c in sorted(project.areas)]
            else:
                orgs = indexes.node_ids(project, ORGANISATION)
                ids = sorted(orgs) if key == "orgs" else sorted([*orgs, *indexes.node_ids(project, SERVICE)])
                self._place_ids.update(ids)
                got = [(node_choice(project, i), i) for i in ids]
            self._choice_lists[key] = got
        return got

    def _forget_places(self) -> None:
        self._choice_lists.pop("places", None)
        self._choice_lists.pop("orgs", None)
        self._place_ids.clear()

    @staticmethod
    def form_fields(kind: str) -> list[tuple[str, Any]]:
        """The rows of ``kind``'s form, in order, as (field, choices): None for typed text, a
        list of choices, or the name of the project's list it offers (:meth:`_choice_list`)."""
        yes_no = ("yes", "no")
        if kind == "area":
            return [(name, None) for name in ("code", "name", "imd_decile", "population_16_24")]
        if kind == "tie":
            return [("a", None), ("b", None), ("type", tie_type_choices()), ("context", "places"),
                    ("strength", None), ("since", None), ("until", None), ("opportunity", yes_no)]
        out: list[tuple[str, Any]] = [("id", None), ("label", None)]
        if kind in PLACE_KINDS:
            out += [("lat", None), ("lon", None)]
        for name in KIND_FIELDS[kind]:
            if name == "area_code":
                out.append((name, "areas"))
            elif name == "activity":
                out.append((name, [(ACTIVITY_TITLES[a], a) for a in ACTIVITIES]))
            elif name in BOOL_FIELDS:
                out.append((name, yes_no))
            elif name == "provider":
                out.append((name, "orgs"))
            else:
                out.append((name, CHOICES.get(name)))
        # kept by the model (set on add, on every edit and by the importers), shown, not typed
        return [*out, ("recorded", None), ("updated", None)]

    def _form(self, kind: str) -> _Form:
        """``kind``'s form, built with every row of :meth:`form_fields` on first use."""
        form = self.forms.get(kind)
        if form is None:
            form = self.forms[kind] = _Form()
            form.widget.hide()
            self.body_layout.insertWidget(self.body_layout.count() - 1, form.widget)
            for name, choices in self.form_fields(kind):
                self._new_row(form, kind, name, choices)
        return form

    def _fill_choices(self, form: _Form, name: str, key: str) -> None:
        """Give a choice field the project's list ``key`` unless it holds it already."""
        items = self._choice_list(key)
        if form.filled.get(name) is not items:
            form.editors[name].model().set_choices(["", *(t for t, _ in items)], ["", *(d for _, d in items)])
            form.filled[name] = items

    def _build_ahead(self) -> None:
        """Build the next form not built yet, or fill the next list of the project a form
        offers, one per call while the window is idle (at 100,000 young people a form took
        20-40 ms to build and a tie's 5,000 places as long to list, inside the first click of
        a kind). The forms need no project: they are built from the window's start, while it
        waits for a file; the young person's lists (the likeliest first click) are filled as
        soon as a project is shown, the others once no job runs (after the scenario set-up, so
        a click meanwhile is not kept waiting by them)."""
        if not workers.ui_idle_for(self.AHEAD_AFTER_ACTION_S):  # the window is answering the user
            self._ahead_timer.start(self.AHEAD_DELAY_MS)
            return
        for kind in self.AHEAD_ORDER:
            if kind not in self.forms:
                self._form(kind)
                self._ahead_timer.start(0)
                return
        if not self.doc.project.nodes:
            return
        for kind in self.AHEAD_ORDER:
            form = self.forms[kind]
            todo = [(name, key) for name, key in self.form_fields(kind)
                    if isinstance(key, str) and (key not in self._choice_lists
                                                 or form.filled.get(name) is not self._choice_lists[key])]
            if todo:
                if kind != YOUNG_PERSON and not workers.executor().idle.is_set():
                    self._ahead_timer.start(self.AHEAD_DELAY_MS)  # after the jobs of opening
                    return
                self._fill_choices(form, *todo[0])
                self._ahead_timer.start(0)
                return

    def _clear(self) -> None:
        """Show no form (the editors of the forms are kept, for the next record of their kind)."""
        if self.current_form is not None:
            self.current_form.widget.hide()
            self.current_form = None
        self.editors = {}
        self.errors = {}
        self.original = {}

    def _new_row(self, form: _Form, kind: str, name: str, choices) -> None:
        if isinstance(choices, str):
            # the project's list (areas, places, providers): over a list model set at once
            # (5,000 places item by item held the UI thread 25-40 ms at 100,000 young people)
            editor = choice_combo(10)
            editor.setEditable(False)
        elif choices is not None:
            # a choice is a value, or (text shown, value): areas, providers and places read
            # "Millbrook North (X01000001)", not the bare code
            editor = QComboBox()
            editor.setEditable(False)
            # as wide as the panel, not as its longest choice (a provider's full name made the
            # form wider than the panel on a 1366 px screen, with a sideways scroll bar)
            editor.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            editor.setMinimumContentsLength(10)
            if not isinstance(choices, str):  # a fixed list: filled once
                editor.addItem("", "")
                for c in choices:
                    text, data = (c if isinstance(c, tuple) else (str(c), str(c)))
                    editor.addItem(text, data)
        else:
            editor = QLineEdit()
            editor.returnPressed.connect(self.apply)
        editor.setObjectName(f"field_{name}")
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
        form.layout.addRow(field_label(name), cell)
        form.editors[name] = editor
        form.errors[name] = error
        form.cells[name] = cell
        if name == "label" and kind == YOUNG_PERSON:
            self._watch_full_name(editor)

    def _show_form(self, kind: str, fields: list[tuple[str, Any, bool, Any]]) -> None:
        """Show ``kind``'s form with ``fields`` (name, value, editable, choices), in that order;
        the form is built on its first use and its rows reused after (rows of the kind that
        this record has not, a tie's "opportunity" between two adults, are hidden)."""
        form = self._form(kind)
        shown = {name for name, *_ in fields}
        for name, cell in form.cells.items():
            visible = name in shown
            if visible != form.visible.get(name, True):
                form.layout.setRowVisible(cell, visible)
                form.visible[name] = visible
        self.editors = {name: form.editors[name] for name, *_ in fields}
        self.errors = {name: form.errors[name] for name, *_ in fields}
        self.original = {}
        for name, value, editable, choices in fields:
            editor = form.editors[name]
            if isinstance(editor, QComboBox):
                if isinstance(choices, str):  # the project's list: refilled when it changed
                    self._fill_choices(form, name, choices)
                editor.setCurrentIndex(max(editor.findData("" if value is None else str(value)), 0))
                editor.setEnabled(editable)
            else:
                editor.setText(display(value))
                editor.setReadOnly(not editable)
            self.original[name] = self._editor_text(editor)
            error = form.errors[name]
            if not error.isHidden():
                error.hide()
            error.setText("")
        if kind == YOUNG_PERSON:
            self._check_full_name(form.editors["label"].text())
        if self.current_form is not form:
            if self.current_form is not None:
                self.current_form.widget.hide()
            form.widget.show()
            self.current_form = form
        self.form = form.layout

    def _watch_full_name(self, editor: QLineEdit) -> None:
        """Warn (not refuse) while a young person's label looks like a full name (SPEC 8: pseudonyms)."""
        from socialmap.privacy import FULL_NAME_WARNING

        warning = QLabel(FULL_NAME_WARNING)
        warning.setObjectName("name_warning")
        warning.setTextFormat(Qt.TextFormat.PlainText)
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #8a5a00;")
        editor.parentWidget().layout().addWidget(warning)
        self.name_warning = warning
        editor.textChanged.connect(self._check_full_name)

    def _check_full_name(self, text: str) -> None:
        from socialmap.privacy import looks_like_full_name

        self.name_warning.setVisible(looks_like_full_name(text.strip()))

    def show_record(self, kind: str, ident: str) -> None:
        self.kind, self.ident = kind, ident
        self.status.setText("")
        project = self.doc.project
        fields: list[tuple[str, Any, bool, Any]] = []

        def field(name: str, value: Any, *, editable: bool = True, choices=None) -> None:
            fields.append((name, value, editable, choices))

        editable = True
        is_node = False
        if kind == "area" and ident in project.areas:
            area = project.areas[ident]
            self.title.setText(f"Area: {area.name} ({area.code})")
            field("code", area.code, editable=False)
            for name in ("name", "imd_decile", "population_16_24"):
                field(name, getattr(area, name))
        elif kind == "tie":
            a, _, b = ident.partition("|")
            tie = project.get_tie(a, b)
            if tie is None:
                return self.show_record("", "")
            la, lb = project.nodes[tie.a].label, project.nodes[tie.b].label
            self.title.setText(f"Tie: {la} – {lb}")
            field("a", tie.a, editable=False)
            field("b", tie.b, editable=False)
            field("type", tie.type, choices=tie_type_choices())
            field("context", tie.context, choices="places")
            field("strength", tie.strength)
            field("since", tie.since)
            field("until", tie.until)
            if YOUNG_PERSON in (project.nodes[tie.a].kind, project.nodes[tie.b].kind):
                field("opportunity", display(tie.opportunity), choices=("yes", "no"))
        elif kind and ident in project.nodes:
            is_node = True
            node = project.nodes[ident]
            self.title.setText(f"{KIND_TITLES.get(node.kind, node.kind)}: {node.label}")
            field("id", node.id, editable=False)
            field("label", node.label)
            if node.kind in PLACE_KINDS:
                field("lat", node.lat)
                field("lon", node.lon)
            for name in KIND_FIELDS[node.kind]:
                if name == "area_code":
                    field(name, node.area_code, choices="areas")
                elif name == "activity":
                    field(name, node.activity, choices=[(ACTIVITY_TITLES[a], a) for a in ACTIVITIES])
                elif name == "neet" and node.kind == "young_person":  # derived from the activity
                    field(name, display(node.neet) or None, editable=False, choices=("yes", "no"))
                elif name in BOOL_FIELDS:
                    field(name, display(getattr(node, name)) or None, choices=("yes", "no"))
                elif name == "provider":
                    field(name, node.provider, choices="orgs")
                else:
                    field(name, getattr(node, name), choices=CHOICES.get(name))
            # kept by the model (set on add, on every edit and by the importers), shown, not typed
            field("recorded", node.recorded, editable=False)
            field("updated", node.updated, editable=False)
        if fields:
            self._show_form(kind, fields)
        else:
            self._clear()
            self.title.setText("Nothing selected")
            self.kind, self.ident = "", ""
            editable = False
        if is_node:
            self._show_measures(ident)
            self._show_ties(ident)
        else:
            self.measure_box.hide()
            self.ties_box.hide()
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
        row = self.measures.get(node_id)
        note = self._measure_note
        if row is None and note is not None:  # the note shown already: its text only
            note.setText(self.measures_note)
            self.measure_box.show()
            return
        while self.measure_form.rowCount():
            self.measure_form.removeRow(0)
        self._measure_note = None
        if row is None:
            note = QLabel(self.measures_note)
            note.setWordWrap(True)
            self.measure_form.addRow(note)
            self._measure_note = note
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
        self.tie_model.show_node(self.doc.project, node_id)
        self.ties_box.setTitle(f"Ties: {self.tie_model.rowCount()} (double-click one to edit it)")
        self.ties_box.show()

    def _refresh_if(self, kind: str) -> None:
        if self.kind == kind:
            self.show_record(self.kind, self.ident)

    #: the forms are built from this long after the window is made, and the lists of a project
    #: other than the young person's from this long after it is shown, once no job runs
    AHEAD_DELAY_MS = 500
    #: nothing is built ahead within this long of a user action (a selection, an edit, a sort:
    #: a form or list made then lands between two of the user's actions)
    AHEAD_AFTER_ACTION_S = 0.4
    #: the order the forms are built and their lists filled in (the likeliest first selections first)
    AHEAD_ORDER = (YOUNG_PERSON, "tie", SERVICE, ORGANISATION, "adult", "area")

    def _on_replaced(self) -> None:
        self._choice_lists.clear()
        self._place_ids.clear()
        self.show_record("", "")
        self._ahead_timer.start(0)  # the young person's lists at once (while the page draws)

    def _on_areas(self, *_args) -> None:
        self._choice_lists.pop("areas", None)
        self._refresh_if("area")

    def _on_ties(self, added: list, changed: list, removed: list) -> None:
        if self.kind == "tie":
            self.show_record(self.kind, self.ident)
        elif self.kind and self.ident in {n for k in [*added, *changed, *removed] for n in k}:
            self._show_ties(self.ident)

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        if self._choice_lists.keys() & {"places", "orgs"}:  # a place's label or presence changed
            nodes = self.doc.project.nodes
            if (any(i in self._place_ids for i in (*changed, *removed))
                    or any(i in nodes and nodes[i].kind in PLACE_KINDS for i in added)):
                self._forget_places()
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
