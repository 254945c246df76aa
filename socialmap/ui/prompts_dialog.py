"""Edit the interview's prompts (issue 16): the ``interview_prompts`` project setting.

Each prompt has a key (short, unique: what ``socialmap record`` answers name), its text, the
kinds of answer it takes, its tie types (in order: the first that fits an answer's kind is the
default) and the opportunity mark (ties named under it are opportunity ties, see
:mod:`socialmap.analysis.opportunity`). Prompts are added, removed and reordered in a working
copy; **OK** checks them all (:func:`socialmap.interview.prompt_problems`) and saves them with
the project as ONE undoable edit; **Cancel** leaves the project as it was.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from socialmap.errors import InputError
from socialmap.interview import DEFAULT_PROMPTS, SETTING, project_prompts, prompt_problems
from socialmap.model.kinds import NODE_KINDS, TIE_TYPES
from socialmap.ui.document import ProjectDocument


def parse_types(text: str) -> list[str]:
    """Tie types written ``friend, peer family`` (commas or spaces), in order, each once."""
    out: list[str] = []
    for word in text.replace(",", " ").split():
        word = word.strip().lower()
        if word and word not in out:
            out.append(word)
    return out


class PromptsDialog(QDialog):
    """The list of prompts on the left, the selected one's fields on the right."""

    def __init__(self, doc: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.setWindowTitle("Interview prompts")
        try:
            current = project_prompts(doc.project)
        except InputError:  # a damaged setting: start again from the defaults
            current = list(DEFAULT_PROMPTS)
        self.prompts: list[dict[str, Any]] = [p.as_setting() for p in current]
        self.current = -1

        outer = QVBoxLayout(self)
        body = QHBoxLayout()
        outer.addLayout(body, 1)
        left = QVBoxLayout()
        body.addLayout(left, 2)
        self.list_model = QStringListModel(self)
        self.list = QListView()
        self.list.setObjectName("promptList")
        self.list.setModel(self.list_model)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Up")
        self.down_button = QPushButton("Down")
        self.reset_button = QPushButton("Defaults")
        self.reset_button.setToolTip("Put back the four prompts SocialMap starts with")
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button, self.reset_button):
            b.setAutoDefault(False)
            row.addWidget(b)
        left.addLayout(row)

        form = QFormLayout()
        body.addLayout(form, 3)
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("promptKey")
        self.key_edit.setToolTip("A short name, unique: what a row of `socialmap record` answers names")
        self.text_edit = QLineEdit()
        self.text_edit.setObjectName("promptText")
        self.kind_boxes = {k: QCheckBox(k.replace("_", " ")) for k in NODE_KINDS}
        kinds_row = QWidget()
        kl = QHBoxLayout(kinds_row)
        kl.setContentsMargins(0, 0, 0, 0)
        for box in self.kind_boxes.values():
            kl.addWidget(box)
        self.types_edit = QLineEdit()
        self.types_edit.setObjectName("promptTypes")
        self.types_edit.setToolTip("Tie types in order, the first that fits is the default: " + ", ".join(TIE_TYPES))
        self.types_edit.setCompleter(QCompleter(QStringListModel(list(TIE_TYPES), self), self))
        self.opportunity_box = QCheckBox("ties named here are opportunity ties (work, training or a course)")
        self.opportunity_box.setObjectName("promptOpportunity")
        form.addRow("Key:", self.key_edit)
        form.addRow("Question:", self.text_edit)
        form.addRow("Answers are:", kinds_row)
        form.addRow("Tie types:", self.types_edit)
        form.addRow("", self.opportunity_box)

        self.status = QLabel("")
        self.status.setObjectName("promptsStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #b00020;")
        outer.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        self.add_button.clicked.connect(self.add_prompt)
        self.remove_button.clicked.connect(self.remove_prompt)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.reset_button.clicked.connect(self.reset)
        self.list.selectionModel().currentChanged.connect(lambda cur, _prev: self.select(cur.row()))
        self.key_edit.textEdited.connect(lambda _t: self._store())
        self.text_edit.textEdited.connect(lambda _t: self._store())
        self.types_edit.textEdited.connect(lambda _t: self._store())
        for box in (*self.kind_boxes.values(), self.opportunity_box):
            box.toggled.connect(lambda _on: self._store())
        self.resize(820, 380)
        self._refresh_list(0)

    # ----------------------------------------------------------------- list
    def _title(self, p: dict[str, Any]) -> str:
        return f"{p['key']}: {p['text']}" + (" (opportunity)" if p.get("opportunity") else "")

    def _refresh_list(self, select: int) -> None:
        self.list_model.setStringList([self._title(p) for p in self.prompts])
        select = min(max(select, 0), len(self.prompts) - 1)
        self.current = -1
        if select >= 0:
            self.list.setCurrentIndex(self.list_model.index(select))
        self.select(select)
        self.remove_button.setEnabled(len(self.prompts) > 1)

    def select(self, row: int) -> None:
        """Show prompt ``row`` in the fields."""
        self.current = -1  # no storing while the fields are filled
        p = self.prompts[row] if 0 <= row < len(self.prompts) else None
        self.key_edit.setText(p["key"] if p else "")
        self.text_edit.setText(p["text"] if p else "")
        for kind, box in self.kind_boxes.items():
            box.setChecked(bool(p) and kind in p["kinds"])
        self.types_edit.setText(", ".join(p["tie_types"]) if p else "")
        self.opportunity_box.setChecked(bool(p) and bool(p.get("opportunity")))
        self.current = row if p else -1
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < len(self.prompts) - 1)

    def _store(self) -> None:
        """The fields into the working copy of the selected prompt."""
        if self.current < 0:
            return
        self.prompts[self.current] = {
            "key": self.key_edit.text().strip(),
            "text": self.text_edit.text().strip(),
            "kinds": [k for k, box in self.kind_boxes.items() if box.isChecked()],
            "tie_types": parse_types(self.types_edit.text()),
            "opportunity": self.opportunity_box.isChecked(),
        }
        self.list_model.setData(self.list_model.index(self.current), self._title(self.prompts[self.current]))
        self.status.setText("")

    def add_prompt(self) -> None:
        """A new prompt after the selected one, its key made unique, its question to be written."""
        keys = {p["key"].lower() for p in self.prompts}
        n = len(self.prompts) + 1
        while f"prompt{n}" in keys:
            n += 1
        at = self.current + 1 if self.current >= 0 else len(self.prompts)
        self.prompts.insert(at, {"key": f"prompt{n}", "text": "", "kinds": ["young_person", "adult"],
                                 "tie_types": ["friend"], "opportunity": False})
        self._refresh_list(at)
        self.text_edit.setFocus()

    def remove_prompt(self) -> None:
        if len(self.prompts) > 1 and self.current >= 0:
            at = self.current
            del self.prompts[at]
            self._refresh_list(at)

    def move(self, step: int) -> None:
        """Move the selected prompt up (-1) or down (+1)."""
        at, to = self.current, self.current + step
        if at < 0 or not 0 <= to < len(self.prompts):
            return
        self.prompts[at], self.prompts[to] = self.prompts[to], self.prompts[at]
        self._refresh_list(to)

    def reset(self) -> None:
        self.prompts = [p.as_setting() for p in DEFAULT_PROMPTS]
        self._refresh_list(0)

    # ----------------------------------------------------------------- save
    def save(self) -> bool:
        """Check the prompts and save them with the project as one undoable edit; False (and the
        reasons shown, the dialog open) when any is refused."""
        from socialmap.ui.change_panel import SetSettings
        from socialmap.ui.commands import push_edit

        self._store()
        problems = prompt_problems(self.prompts)
        if problems:
            self.status.setText("\n".join(p.reason for p in problems))
            return False
        value = [dict(p) for p in self.prompts]
        if value == self.doc.project.settings.get(SETTING) or (
                SETTING not in self.doc.project.settings and value == [p.as_setting() for p in DEFAULT_PROMPTS]):
            self.accept()  # nothing changed: no edit
            return True
        try:
            push_edit(self.doc, SetSettings(self.doc, {SETTING: value}, "Edit the interview prompts"))
        except InputError as exc:
            self.status.setText(str(exc))
            return False
        self.accept()
        return True
