"""Record a young person's network in conversation (issue 16): the interview form and its ring view.

The form asks the project's prompts (:func:`socialmap.interview.project_prompts`) one at a time.
Keyboard only: type a pseudonym (or pick an existing node from the type-ahead, which shows the
label, kind and area so two "Sam"s are told apart) and press Enter to add it; ``name, strength,
context`` in one go adds the tie's details too (``Sam B, 3, Youth club``); Tab moves to the next
prompt (Shift+Tab back); Ctrl+Enter finishes. Every answer is checked by
:func:`socialmap.interview.plan_interview` as it is added; the ring view and the person's
measures follow. Finishing pushes ONE undoable edit (a macro of AddNode and AddTie); cancelling
leaves the project as it was.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QModelIndex, QObject, QStringListModel, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeySequence,
    QPainter,
    QPen,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError
from socialmap.interview import (
    Answer,
    EgoAlter,
    InterviewPlan,
    ego_alters,
    ego_measures,
    plan_interview,
    project_prompts,
)
from socialmap.model import Node
from socialmap.model.kinds import YOUNG_PERSON
from socialmap.model.labels import code_of, field_label, value_label
from socialmap.ui.commands import AddNode, AddTie, push_edit
from socialmap.ui.document import ProjectDocument

COLUMNS = ("name", "prompt", "kind", "area", "type", "strength", "context")
#: Ring radius (px) of each tie class in the ring view, inner to outer.
RING_RADIUS_PX = {"bonding": 60, "bridging": 105, "linking": 150, "unclassified": 190}
#: Radius (px) of the first ring in the by-prompt arrangement, and the step between rings.
PROMPT_RING_PX, PROMPT_RING_STEP_PX = 55, 42
KIND_COLOURS = {"young_person": "#3b7dd8", "adult": "#e08a1e", "organisation": "#6a4fb3", "service": "#2f9e62"}
#: The outline of a NEET young person (and of the person interviewed when NEET).
NEET_OUTLINE = "#c62828"
#: Ring arrangements: by tie class (bonding inside, then bridging, linking) or by the prompt
#: the alter was first named under (ties recorded before the interview on the outer ring).
ARRANGEMENTS = ("class", "prompt")
EARLIER = "recorded before"
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))  # radians


#: Most rows the type-ahead lists at a time (the best first: see socialmap.mapview.search.ChoiceIndex).
CHOICES_SHOWN = 50


class ChoiceCompleter(QCompleter):
    """The type-ahead over ``choices`` (texts of :func:`choice_text` -> node id) for a line edit
    (:meth:`attach`): what is typed is matched against each node's label and id in the map
    search's tiers (:class:`socialmap.mapview.search.ChoiceIndex`: the id exactly, the label's
    start, a word's start, any part), any case, and the best :data:`CHOICES_SHOWN` are listed.
    ``activated[str]`` gives the text picked."""

    def __init__(self, choices: dict[str, str], labels: dict[str, str], parent) -> None:
        from socialmap.mapview.search import ChoiceIndex

        super().__init__(parent)
        self.index = ChoiceIndex({text: (labels.get(ident) or ident, ident) for text, ident in choices.items()})
        self.setModel(QStringListModel(self))
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setMaxVisibleItems(12)
        # rows of one height: the popup lays out its rows without measuring each
        self.popup().setUniformItemSizes(True)

    def attach(self, edit) -> None:
        """List the matches of what is typed into ``edit`` as it is typed; a text picked is put
        into ``edit`` (before the Enter that picked it reaches ``edit``, as a line edit's own
        completer does)."""
        self.setWidget(edit)
        edit.textEdited.connect(self.show_matches)
        self.activated[str].connect(edit.setText)

    def picks_on_enter(self) -> bool:
        """Whether an Enter now picks a row of the list (shown, a row chosen). The line edit sees
        that Enter first (its ``returnPressed``), then the list gives ``activated``."""
        popup = self.popup()
        return popup.isVisible() and popup.currentIndex().isValid()

    def show_matches(self, text: str) -> list[str]:
        """List the best matches of ``text`` (hidden when there are none); returns them."""
        matches = self.index.match(text, CHOICES_SHOWN)
        self.model().setStringList(matches)
        if matches:
            self.complete()
            # no row chosen until Down (as the line edit's own type-ahead): the first Down
            # goes to the best match
            self.popup().setCurrentIndex(QModelIndex())
        else:
            self.popup().hide()
        return matches


def choice_completer(choices: dict[str, str], parent, project) -> ChoiceCompleter:
    """The :class:`ChoiceCompleter` over ``choices``, the nodes' labels taken from ``project``."""
    nodes = project.nodes
    return ChoiceCompleter(choices, {ident: nodes[ident].label for ident in choices.values() if ident in nodes}, parent)


def choice_text(node: Node, area_names: dict[str, str]) -> str:
    """What the type-ahead shows for an existing node: label, kind and area, then the id."""
    area = area_names.get(node.area_code or "", node.area_code or "no area")
    return f"{node.label or node.id} · {node.kind.replace('_', ' ')}, {area} · {node.id}"


def measures_text(m: dict) -> str:
    """The live measures under the ring view, in words."""
    state = "isolated (no bridging or linking tie)" if m["isolated"] else "not isolated"
    constraint = "none (no ties)" if m.get("constraint") is None else f"{m['constraint']:.2f}"
    return (f"{m['degree']} ties: bonding {m['bonding']}, bridging {m['bridging']}, linking {m['linking']}; "
            f"{state}; areas reached {m.get('areas_reached', 0)}; constraint {constraint}")


def _gap(a: float, b: float) -> float:
    """The angle between two directions, in radians (0..pi)."""
    d = (a - b) % (2 * math.pi)
    return min(d, 2 * math.pi - d)


def ring_start(count: int, preferred: float, taken: list[float] | None = None) -> float:
    """The angle of a ring's first alter, its alters then evenly spaced: of eight turns from
    ``preferred``, the one keeping the alters furthest from the rings' titles (at the top) and
    from the directions ``taken`` by the inner rings' alters (so labels do not line up)."""
    if count == 0:
        return preferred
    avoid = [-math.pi / 2, *(taken or [])]
    step = 2 * math.pi / count
    candidates = [preferred + k * step / 8 for k in range(8)]
    return max(candidates, key=lambda s: min(_gap(s + i * step, b) for i in range(count) for b in avoid))


def ring_layout(alters: list[EgoAlter], arrangement: str, prompt_keys: list[str]) -> dict[str, list[EgoAlter]]:
    """The alters on each ring, inner to outer: by tie class, or by the prompt first named under
    (in the order of ``prompt_keys``, then :data:`EARLIER` for ties recorded before)."""
    if arrangement == "class":
        rings: dict[str, list[EgoAlter]] = {c: [] for c in RING_RADIUS_PX}
        for a in alters:
            rings.setdefault(a.tie_class, []).append(a)
    else:
        rings = {k: [] for k in prompt_keys}
        rings[EARLIER] = []
        for a in alters:
            rings.setdefault(a.prompt or EARLIER, []).append(a)
    return rings


class RingView(QGraphicsView):
    """One person's network: the person in the centre, alters in rings by tie class (bonding
    inside, then bridging, linking) or by prompt, filled by kind; a NEET young person has a red
    outline, an opportunity tie is drawn dashed green."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setMinimumSize(300, 300)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.arrangement = "class"
        self.drawn: list[tuple[str, str]] = []  # (alter id, ring) as drawn, for tests
        self.fills: dict[str, str] = {}  # alter id (and "" for the ego) -> fill colour, for tests
        self.outlines: dict[str, str] = {}  # alter id (and "" for the ego) -> outline colour

    def show_network(self, ego_label: str, alters: list, neet: set[str] | None = None, *,
                     ego_neet: bool = False, prompt_keys: list[str] | None = None) -> None:
        """Draw ``alters`` (:class:`~socialmap.interview.EgoAlter`, or ``(id, label, class, kind)``)."""
        neet = neet or set()
        alters = [a if isinstance(a, EgoAlter) else EgoAlter(a[0], a[1], a[2], a[3] or "", a[0] in neet, None, False)
                  for a in alters]
        scene = self.scene()
        scene.clear()
        self.drawn, self.fills, self.outlines = [], {}, {}
        rings = ring_layout(alters, self.arrangement, list(prompt_keys or []))
        radius = {}
        for n, name in enumerate(rings):
            r = RING_RADIUS_PX[name] if self.arrangement == "class" else PROMPT_RING_PX + n * PROMPT_RING_STEP_PX
            radius[name] = r
            scene.addEllipse(-r, -r, 2 * r, 2 * r, QPen(QColor("#dddddd")))
            title = scene.addSimpleText(name)  # plain text: a prompt's key is never markup
            title.setBrush(QBrush(QColor("#888888")))
            title.setPos(-title.boundingRect().width() / 2, -r - 14)
        taken: list[float] = []
        for ring_index, (name, members) in enumerate(rings.items()):
            r = radius[name]
            start = ring_start(len(members), 0.3 + ring_index * GOLDEN_ANGLE, taken)
            for i, a in enumerate(members):
                angle = 2 * math.pi * i / len(members) + start
                taken.append(angle)
                x, y = r * math.cos(angle), r * math.sin(angle)
                outline = NEET_OUTLINE if a.neet else "#333333"
                pen = QPen(QColor(outline), 2.5 if a.neet else 1)
                line = QPen(QColor("#2e7d32"), 2, Qt.PenStyle.DashLine) if a.opportunity else QPen(QColor("#aaaaaa"))
                scene.addLine(0, 0, x, y, line).setZValue(-1)
                fill = KIND_COLOURS.get(a.kind, "#888888")
                scene.addEllipse(x - 7, y - 7, 14, 14, pen, QBrush(QColor(fill)))
                scene.addSimpleText(a.label).setPos(x + 8, y - 8)  # plain text: a label is never markup
                self.drawn.append((a.id, name))
                self.fills[a.id], self.outlines[a.id] = fill, outline
        ego_outline = NEET_OUTLINE if ego_neet else "#000000"
        scene.addEllipse(-10, -10, 20, 20, QPen(QColor(ego_outline), 3 if ego_neet else 2), QBrush(QColor("#ffd54f")))
        self.fills[""], self.outlines[""] = "#ffd54f", ego_outline
        scene.addSimpleText(ego_label + (" (NEET)" if ego_neet else "")).setPos(12, -10)
        self._legend(scene)
        self.fitInView(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20), Qt.AspectRatioMode.KeepAspectRatio)

    def _legend(self, scene: QGraphicsScene) -> None:
        box = scene.itemsBoundingRect()
        x, y = box.left(), box.bottom() + 12
        for kind, colour in KIND_COLOURS.items():
            scene.addEllipse(x, y, 10, 10, QPen(QColor("#333333")), QBrush(QColor(colour)))
            text = scene.addSimpleText(value_label("kind", kind))
            text.setPos(x + 13, y - 3)
            x += 13 + text.boundingRect().width() + 10
        x, y = box.left(), y + 16
        scene.addEllipse(x, y, 10, 10, QPen(QColor(NEET_OUTLINE), 2.5), QBrush(QColor("#ffffff")))
        scene.addSimpleText("NEET").setPos(x + 13, y - 3)
        scene.addLine(x + 60, y + 5, x + 85, y + 5, QPen(QColor("#2e7d32"), 2, Qt.PenStyle.DashLine))
        scene.addSimpleText("opportunity tie").setPos(x + 90, y - 3)


class RingPanel(QWidget):
    """The ring view with its arrangement choice and the live measures under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("Rings by:"))
        self.arrangement = QComboBox()
        self.arrangement.setObjectName("ringArrangement")
        self.arrangement.addItem("tie class", "class")
        self.arrangement.addItem("prompt", "prompt")
        self.arrangement.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # keyboard stays in the form
        top.addWidget(self.arrangement)
        top.addStretch(1)
        lay.addLayout(top)
        self.ring = RingView()
        lay.addWidget(self.ring, 1)
        self.measures = QLabel("")
        self.measures.setObjectName("interviewMeasures")
        self.measures.setTextFormat(Qt.TextFormat.PlainText)
        self.measures.setWordWrap(True)
        lay.addWidget(self.measures)
        self._last: tuple | None = None
        self.arrangement.currentIndexChanged.connect(self._rearrange)

    def show_plan(self, project, plan: InterviewPlan, ego_label: str, prompt_keys: list[str]) -> None:
        """Draw the ego network of ``plan`` on ``project`` and its measures."""
        alters = ego_alters(project, plan)
        ego = next((n for n in plan.nodes if n.id == plan.ego), None) or project.nodes[plan.ego]
        self._last = (ego_label, alters, bool(ego.neet), prompt_keys)
        self._draw()
        self.measures.setText(measures_text(ego_measures(project, plan)))

    def _draw(self) -> None:
        if self._last is None:
            return
        label, alters, ego_neet, keys = self._last
        self.ring.show_network(label, alters, ego_neet=ego_neet, prompt_keys=keys)

    def _rearrange(self) -> None:
        self.ring.arrangement = self.arrangement.currentData()
        self._draw()


class RingDialog(QDialog):
    """The ring view of a young person's network as recorded, opened from their inspector;
    follows the project while open (an edit elsewhere redraws it)."""

    def __init__(self, doc: ProjectDocument, ego_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.ego_id = doc, ego_id
        self.setWindowTitle(f"Network of {doc.project.nodes[ego_id].label}")
        lay = QVBoxLayout(self)
        self.panel = RingPanel(self)
        lay.addWidget(self.panel, 1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(560, 620)
        doc.tiesChanged.connect(self.refresh)
        doc.nodesChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        project = self.doc.project
        if self.ego_id not in project.nodes:
            self.panel.measures.setText("This young person is no longer in the project.")
            self.panel.ring.scene().clear()
            return
        plan = InterviewPlan(self.ego_id, [], [], [])
        self.panel.show_plan(project, plan, project.nodes[self.ego_id].label,
                             [p.key for p in project_prompts(project)])


class InterviewDialog(QDialog):
    """The interview form for one young person: ``ego_id`` an existing one, or None for a new one."""

    def __init__(self, doc: ProjectDocument, ego_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.project = doc.project
        self.prompts = project_prompts(self.project)
        self.prompt_index = 0
        self.plan: InterviewPlan | None = None
        self.ego_id = ego_id
        self.setWindowTitle("Record a network")
        area_names = {c: a.name for c, a in self.project.areas.items()}

        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        layout.addLayout(left, 3)
        head = QFormLayout()
        left.addLayout(head)
        if ego_id is not None:
            ego = self.project.nodes[ego_id]
            who = QLabel(f"{ego.label} ({area_names.get(ego.area_code or '', ego.area_code)})")
            who.setTextFormat(Qt.TextFormat.PlainText)
            head.addRow("Young person:", who)
            self.ego_label = self.ego_area = None
        else:
            self.ego_label = QLineEdit()
            self.ego_label.setPlaceholderText("pseudonym of the young person")
            self.ego_area = QComboBox()
            for code in sorted(self.project.areas):
                self.ego_area.addItem(f"{area_names[code]} ({code})", code)
            head.addRow("Young person:", self.ego_label)
            head.addRow("Home area:", self.ego_area)
            self.ego_label.textChanged.connect(lambda _t: self.replan())
            self.ego_area.currentIndexChanged.connect(lambda _i: self.replan())
        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("interviewPrompt")
        self.prompt_label.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt_label.setWordWrap(True)
        left.addWidget(self.prompt_label)
        row = QHBoxLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("a pseudonym or someone in the project; Enter adds (name, strength, context)")
        self.kind_box = QComboBox()
        self.kind_box.setToolTip("The kind of a new answer")
        self.kind_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.kind_box)
        left.addLayout(row)
        self.choices = {choice_text(n, area_names): n.id for n in self.project.nodes.values() if n.id != ego_id}
        self.completer = choice_completer(self.choices, self, self.project)
        self.completer.attach(self.name_edit)
        self.completer.activated[str].connect(self._picked)
        self.name_edit.returnPressed.connect(self.add_current)
        self.name_edit.installEventFilter(self)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels([field_label(c) for c in COLUMNS])
        self._adding = False
        self.model.itemChanged.connect(lambda _item: None if self._adding else self.replan())
        self.table = QTableView()
        self.table.setModel(self.model)
        left.addWidget(QLabel("Answers (edit a cell for strength 1-3, context, type or area):"))
        left.addWidget(self.table, 1)
        self.status = QLabel("")
        self.status.setObjectName("interviewStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        left.addWidget(self.status)
        buttons = QHBoxLayout()
        self.finish_button = QPushButton("Finish (Ctrl+Enter)")
        self.finish_button.clicked.connect(self.finish)
        self.finish_button.setAutoDefault(False)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.prompts_button = QPushButton("Prompts…")
        self.prompts_button.setObjectName("editPromptsButton")
        self.prompts_button.setToolTip("Edit, reorder, add or remove the prompts (saved with the project)")
        self.prompts_button.setAutoDefault(False)
        self.prompts_button.clicked.connect(self.edit_prompts)
        buttons.addWidget(self.prompts_button)
        buttons.addStretch(1)
        buttons.addWidget(self.finish_button)
        buttons.addWidget(cancel)
        left.addLayout(buttons)

        self.ring_panel = RingPanel(self)
        layout.addWidget(self.ring_panel, 2)
        self.ring, self.measures = self.ring_panel.ring, self.ring_panel.measures
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.finish)
        self._show_prompt()
        self.replan()
        self.name_edit.setFocus()

    # ----------------------------------------------------------------- prompts
    def _show_prompt(self) -> None:
        prompt = self.prompts[self.prompt_index]
        mark = " (opportunity)" if prompt.opportunity else ""
        self.prompt_label.setText(f"{self.prompt_index + 1} of {len(self.prompts)}{mark}: {prompt.text}")
        self.kind_box.clear()
        for kind in prompt.kinds:
            self.kind_box.addItem(value_label("kind", kind), kind)

    def edit_prompts(self) -> None:
        """The prompts editor (socialmap.ui.prompts_dialog); the form then asks the new prompts."""
        from socialmap.ui.prompts_dialog import PromptsDialog

        editor = PromptsDialog(self.doc, self)
        if editor.exec() == QDialog.DialogCode.Accepted:
            self.reload_prompts()

    def reload_prompts(self) -> None:
        """Ask the project's prompts as they are now (after an edit or its undo)."""
        self.prompts = project_prompts(self.project)
        self.prompt_index = min(self.prompt_index, len(self.prompts) - 1)
        self._show_prompt()
        self.replan()
        self.name_edit.setFocus()

    def move_prompt(self, step: int) -> None:
        index = self.prompt_index + step
        if 0 <= index < len(self.prompts):
            self.prompt_index = index
            self._show_prompt()
        elif index >= len(self.prompts):
            self.table.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.name_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                    event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.finish()
                return True
            if event.key() == Qt.Key.Key_Tab:
                self.move_prompt(1)
                return True
            if event.key() == Qt.Key.Key_Backtab:
                self.move_prompt(-1)
                return True
        return super().eventFilter(watched, event)

    # ----------------------------------------------------------------- answers
    def _picked(self, text: str) -> None:
        if getattr(self, "_picking", False):  # Enter on the popup also reaches the line edit
            return
        self._picking = True
        QTimer.singleShot(0, self, lambda: setattr(self, "_picking", False))
        self._add(self.choices.get(text, text), None, None, picked=True)
        # the completer writes its text into the line edit after this signal: clear it afterwards
        QTimer.singleShot(0, self.name_edit, self.name_edit.clear)

    def add_current(self) -> None:
        text = self.name_edit.text().strip()
        if not text or self.completer.picks_on_enter():  # (a pick: _picked follows)
            return
        if text in self.choices:
            return self._picked(text)
        parts = [p.strip() for p in text.split(",", 2)]
        name = parts[0]
        strength = parts[1] if len(parts) > 1 and parts[1] else None
        context = parts[2] if len(parts) > 2 and parts[2] else None
        self._add(name, strength, context, picked=False)

    def _add(self, name: str, strength: str | None, context: str | None, *, picked: bool) -> None:
        prompt = self.prompts[self.prompt_index]
        kind = None if picked or name in self.project.nodes else self.kind_box.currentData()
        cells = [name, prompt.key, value_label("kind", kind) if kind else "", "", "", strength or "", context or ""]
        self._adding = True  # the view must see the new row (no blockSignals); replan once below
        self.model.appendRow([QStandardItem(c) for c in cells])
        self._adding = False
        row = self.model.rowCount()
        problems = self.replan()
        mine = [p for p in problems if p.row == row]
        if mine:
            self.model.removeRow(row - 1)
            self.replan()
            self.status.setText("Not added: " + "; ".join(f"{p.field}: {p.reason}" for p in mine))
            return
        self.name_edit.clear()
        self.table.resizeColumnsToContents()

    def answers(self) -> list[Answer]:
        out = []
        for r in range(self.model.rowCount()):
            cell = {c: (self.model.item(r, j).text().strip() if self.model.item(r, j) else "")
                    for j, c in enumerate(COLUMNS)}
            strength = cell["strength"]
            cell["kind"], cell["type"] = code_of("kind", cell["kind"]), code_of("type", cell["type"])
            out.append(Answer(cell["prompt"], cell["name"], kind=cell["kind"] or None, area=cell["area"] or None,
                              type=cell["type"] or None,
                              strength=int(strength) if strength.isdigit() else (-1 if strength else None),
                              context=cell["context"] or None, row=r + 1))
        return out

    def _ego(self) -> str | Node:
        if self.ego_id is not None:
            return self.ego_id
        if not hasattr(self, "_new_ego_id"):
            self._new_ego_id = self.doc.new_node_id(YOUNG_PERSON)
        label = self.ego_label.text().strip() or "new young person"
        return Node(self._new_ego_id, YOUNG_PERSON, label, area_code=self.ego_area.currentData())

    def replan(self) -> list:
        """Check every answer; update the ring view, the measures and the messages. Returns the problems."""
        if not hasattr(self, "measures"):
            return []
        ego = self._ego()
        try:
            self.plan = plan_interview(self.project, ego, self.answers())
            problems, warnings = [], self.plan.warnings
        except InputError as exc:
            self.plan, problems, warnings = None, exc.problems, []
        lines = [f"row {p.row}, {p.field}: {p.reason}" if p.row else str(p) for p in problems]
        lines += [f"note: row {w.row}: {w.reason}" if w.row else f"note: {w.reason}" for w in warnings]
        self.status.setText("\n".join(lines))
        self.finish_button.setEnabled(self.plan is not None)
        if self.plan is not None:
            label = ego.label if isinstance(ego, Node) else self.project.nodes[ego].label
            self.ring_panel.show_plan(self.project, self.plan, label, [p.key for p in self.prompts])
        return problems

    # ----------------------------------------------------------------- finish
    def finish(self) -> None:
        """Add the interview to the project as one undoable edit and close; stay open on a problem."""
        if self.name_edit.text().strip():
            self.add_current()
            if self.name_edit.text().strip():
                return
        self.replan()
        if self.plan is None:
            return
        if not self.plan.ties and not self.plan.nodes:
            self.status.setText("Nothing to record yet: name someone first.")
            return
        label = self.project.nodes[self.plan.ego].label if self.plan.ego in self.project.nodes else self.plan.nodes[0].label
        stack = self.doc.undo_stack
        stack.beginMacro(f"Record the network of {label} ({len(self.plan.ties)} ties)")
        try:
            for node in self.plan.nodes:
                push_edit(self.doc, AddNode(self.doc, node))
            for pt in self.plan.ties:
                push_edit(self.doc, AddTie(self.doc, pt.tie))
        except InputError as exc:
            stack.endMacro()
            stack.undo()  # what was added of it goes again: the project is as it was
            self.status.setText(f"Not recorded: {exc}")
            return
        stack.endMacro()
        self.accept()
