"""Pickers of a city's services and organisations: a combo box over a list model set at once.

Filling the scenario and anchor pickers item by item (``QComboBox.addItem``, about 9,000 calls
for a city of 100,000 young people, 3,000 services and 2,000 organisations) held the UI thread
130-180 ms each time a project was opened. :class:`ChoiceModel` holds the texts and ids as two
Python lists and is reset in one step; :func:`choice_combo` makes a combo box that does not
measure every item for its width. Finding an item by its id (``findData``) is a dict look-up
and typing in a closed picker still jumps to the first item that starts with what was typed
(``match``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import QComboBox

_DISPLAY = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole)


class ChoiceModel(QAbstractListModel):
    """Rows of (text, id): the text shown, the id as ``Qt.UserRole`` (``currentData()``)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._texts: list[str] = []
        self._ids: list[Any] = []
        self._lower: list[str] | None = None
        self._row_of: dict[Any, int] = {}

    def set_choices(self, texts: list[str], ids: list[Any]) -> None:
        """Replace every row at once (one reset, no signal per row)."""
        if len(texts) != len(ids):
            raise ValueError("a text per id")
        self.beginResetModel()
        self._texts, self._ids = list(texts), list(ids)
        self._lower = None
        self._row_of = {}
        for row, ident in enumerate(self._ids):
            self._row_of.setdefault(ident, row)
        self.endResetModel()

    def ids(self) -> list[Any]:
        """The ids in row order (do not change the list)."""
        return self._ids

    def texts(self) -> list[str]:
        """The texts in row order (do not change the list)."""
        return self._texts

    def row_of(self, ident: Any) -> int:
        """Row of ``ident``, -1 when it is not a choice."""
        return self._row_of.get(ident, -1)

    # Qt's model API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt's names
        return 0 if parent.isValid() else len(self._texts)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._texts):
            return None
        if role in _DISPLAY:
            return self._texts[row]
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[row]
        return None

    def match(self, start, role, value, hits=1, flags=Qt.MatchFlag.MatchExactly):  # noqa: N802
        """Rows whose id (``UserRole``, exactly: ``findData``) or text matches ``value``: a dict
        look-up for the id, one pass over the lower-case texts for typing (every row in Python
        through Qt's own ``match`` was a call per row)."""
        bits = flags.value if hasattr(flags, "value") else int(flags)
        kind = bits & 0x0F  # Qt.MatchTypeMask: 0 exactly, 1 contains, 2 starts, 3 ends, 8 fixed string
        if role == Qt.ItemDataRole.UserRole and kind == 0:
            row = self._row_of.get(value, -1)
            return [self.index(row, 0)] if row >= 0 else []
        if role not in _DISPLAY or not isinstance(value, str) or kind not in (0, 1, 2, 3, 8):
            return super().match(start, role, value, hits, flags)  # wildcards, expressions, other roles
        if bits & 16 or kind == 0:  # Qt.MatchCaseSensitive; exactly is the value itself, as in Qt
            texts, wanted = self._texts, value
        else:
            if self._lower is None:
                self._lower = [t.lower() for t in self._texts]
            texts, wanted = self._lower, value.lower()
        test = {1: lambda t: wanted in t, 2: lambda t: t.startswith(wanted),
                3: lambda t: t.endswith(wanted)}.get(kind, lambda t: t == wanted)
        wrap = bool(bits & 32)  # Qt.MatchWrap
        first = start.row() if start.isValid() else 0
        rows = list(range(first, len(texts))) + (list(range(0, first)) if wrap else [])
        out = []
        for row in rows:
            if test(texts[row]):
                out.append(self.index(row, 0))
                if 0 < hits <= len(out):
                    break
        return out


def choice_combo(minimum_characters: int = 10) -> QComboBox:
    """A combo box over a fresh :class:`ChoiceModel`, as wide as ``minimum_characters``
    (not as its widest item: Qt measured every item through the model for that)."""
    combo = QComboBox()
    combo.setModel(ChoiceModel(combo))
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(minimum_characters)
    return combo


def set_choices(combo: QComboBox, texts: list[str], ids: list[Any], keep: Any = None) -> None:
    """Fill ``combo`` (made by :func:`choice_combo`) with ``texts`` and ``ids`` at once and choose
    ``keep`` again when it is still there (else the first), without signals meanwhile."""
    model: ChoiceModel = combo.model()
    combo.blockSignals(True)
    try:
        model.set_choices(texts, ids)
        row = model.row_of(keep) if keep is not None else -1
        combo.setCurrentIndex(row if row >= 0 else (0 if ids else -1))
    finally:
        combo.blockSignals(False)


__all__ = ["ChoiceModel", "choice_combo", "set_choices"]
