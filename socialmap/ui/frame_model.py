"""A read-only table model over a pandas DataFrame, with small-number suppression.

Used by the analysis, scenario and anchor panels. Columns named in
``suppressed`` are counts of young people: values 1..4 show as "<5"
(SPEC section 8) and sort together, as one value between 0 and 5 (sorting by
the exact value would give away their order). A table given the
:class:`~socialmap.disclosure.AreaDisclosure` of its rows shows as "withheld"
every cell that the rules of :mod:`socialmap.disclosure` (which the CLI and
the exports follow) keep back: a rate made of a suppressed count (6 NEET at
0.67 are 4 isolated), a mean over a withheld number of young people, a count
withheld to protect the totals. Without one, a rate made of a count shown as
<5 is withheld. Columns named in
``one_decimal`` are expected values, shown with one decimal as the CLI and the
PDF report show them.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from socialmap.disclosure import RATE_PARTS, WITHHELD, WITHHELD_REASON, is_suppressed
from socialmap.disclosure import YOUNG_PEOPLE_COUNTS as AREA_COUNTS
from socialmap.scenarios.impact import one_decimal
from socialmap.ui.models import ID_ROLE, SORT_ROLE, plain_tooltip, suppress_count

#: Columns that count young people (suppressed when 1..4).
YOUNG_PEOPLE_COUNTS = frozenset({*AREA_COUNTS, "young_people_reached", "sole_link_young_people"})
#: Shares of 0..1 shown as percentages (0.857 read as a fraction to a first-time user).
PERCENT_COLUMNS = frozenset({"neet_isolation_rate", "neet_opportunity_share", "isolation_rate",
                             "local_employment_share", "local_spend_share"})
#: Where a suppressed count sorts: after 0, before 5, all of them together.
SUPPRESSED_SORT_VALUE = 2.5
#: The roles a frame model answers (every other is None).
_ROLES = frozenset({int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole),
                    int(Qt.ItemDataRole.TextAlignmentRole), ID_ROLE, SORT_ROLE})


def format_cell(column: str, value: Any, suppressed: frozenset[str],
                one_decimal_columns: frozenset[str] = frozenset()) -> str:
    """The text of one cell: counts of young people in ``suppressed`` as ``<5`` when 1..4,
    values in ``one_decimal_columns`` with one decimal (halves up), other numbers to 2 decimals
    (3 significant figures below 1, whole with thousands separators from 1,000)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if bool(value) else "no"
    if column in one_decimal_columns and isinstance(value, (int, float)):
        return one_decimal(float(value))
    if column in PERCENT_COLUMNS and isinstance(value, (int, float)):
        return f"{100 * float(value):.0f}%"
    if column in suppressed:
        try:
            as_int = float(value)
        except (TypeError, ValueError):
            return str(value)
        if as_int == int(as_int):
            return suppress_count(int(as_int))
        return f"{as_int:.2f}"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        v = float(value)
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"
    return str(value)


class FrameModel(QAbstractTableModel):
    """Rows of a DataFrame (its index first, as the id column)."""

    def __init__(self, parent=None, *, suppressed: frozenset[str] = YOUNG_PEOPLE_COUNTS,
                 headers: dict[str, str] | None = None,
                 one_decimal_columns: frozenset[str] = frozenset()) -> None:
        super().__init__(parent)
        self.suppressed = suppressed
        self.one_decimal_columns = one_decimal_columns
        self.headers = headers or {}
        self.index_name = "id"
        self.columns: list[str] = []
        self.rows: list[tuple[Any, list[Any]]] = []
        self.disclosure = None
        self.notes: dict[tuple[str, str], str] = {}

    def set_frame(self, frame, index_name: str = "id", columns: list[str] | None = None, *,
                  withheld=None, notes: dict[tuple[str, str], str] | None = None) -> None:
        """Show ``frame``; ``withheld`` is the :class:`~socialmap.disclosure.AreaDisclosure` of its
        rows (by index), whose kept-back cells read ``<5`` or ``withheld``; ``notes`` the tooltips
        of some cells, by (row id, column), "{shown}" in them standing for the cell's text."""
        self.beginResetModel()
        self.index_name = index_name
        self.disclosure = withheld
        self.notes = dict(notes or {})
        if frame is None:
            self.columns, self.rows = [], []
        else:
            cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
            self.columns = cols
            values = frame[cols].astype(object).where(frame[cols].notna(), None).values.tolist() if cols else [[] for _ in range(len(frame))]
            self.rows = list(zip(frame.index.tolist(), values, strict=False))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            name = self.index_name if section == 0 else self.columns[section - 1]
            return self.headers.get(name, name.replace("_", " "))
        return None

    def raw(self, row: int, column: int) -> Any:
        ident, values = self.rows[row]
        return ident if column == 0 else values[column - 1]

    def withheld(self, row: int, name: str) -> bool:
        """Whether the cell ``name`` of ``row`` reads "withheld": kept back by the table's disclosure,
        or (without one) a rate made of a count of young people shown as <5."""
        if self.disclosure is not None:
            return self.disclosure.status(str(self.rows[row][0]), name) == WITHHELD
        parts = RATE_PARTS.get(name)
        if not parts or name not in self.columns:
            return False
        values = self.rows[row][1]
        return any(part in self.columns and is_suppressed(values[self.columns.index(part)])
                   for part in parts if part in self.suppressed)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        # most calls ask for a role this model has nothing for (font, colours, size hint, check
        # state...): answered at once, before the cell's withheld status is worked out
        if role not in _ROLES or not index.isValid():
            return None
        value = self.raw(index.row(), index.column())
        if role == ID_ROLE:
            return str(self.rows[index.row()][0])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        name = self._name(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), index.column(), name)
        hidden = self.withheld(index.row(), name)
        if role == Qt.ItemDataRole.ToolTipRole:
            if hidden:
                return plain_tooltip(f"{WITHHELD}: {WITHHELD_REASON}")
            text = format_cell(name, value, self.suppressed, self.one_decimal_columns)
            note = self.notes.get((str(self.rows[index.row()][0]), name))
            return plain_tooltip(note.replace("{shown}", text) if note else text)
        if role == SORT_ROLE:
            return self._sort_key(index.row(), index.column(), name)
        return None

    def _name(self, column: int) -> str:
        return self.index_name if column == 0 else self.columns[column - 1]

    def _text(self, row: int, column: int, name: str) -> str:
        """The cell's text (its DisplayRole data)."""
        if self.withheld(row, name):
            return WITHHELD
        return format_cell(name, self.raw(row, column), self.suppressed, self.one_decimal_columns)

    def _sort_key(self, row: int, column: int, name: str) -> Any:
        """The cell's key (its SORT_ROLE data)."""
        if self.withheld(row, name):
            return -math.inf
        value = self.raw(row, column)
        if name in self.suppressed and is_suppressed(value):
            return SUPPRESSED_SORT_VALUE
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return -math.inf
        if isinstance(value, (list, tuple)):
            return len(value)
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return int(bool(value))
        return value

    # column-wise, for SearchProxy (a Qt index and a data() call per cell through the bindings
    # was most of the UI thread's part of a city's first scenario: the area table's columns
    # fitted to their text, its rows sorted)
    def shown_texts(self, rows: list[int], column: int) -> list[str]:
        """The text of column ``column`` in these rows (as ``data``)."""
        name = self._name(column)
        return [self._text(r, column, name) for r in rows]

    def sort_keys(self, column: int) -> list[Any]:
        """Every row's key of column ``column`` (as its ``SORT_ROLE`` data)."""
        name = self._name(column)
        return [self._sort_key(r, column, name) for r in range(len(self.rows))]
