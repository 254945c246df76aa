"""Qt table models over the project: areas, nodes of one kind, and ties.

Each model observes the :class:`~socialmap.ui.document.ProjectDocument` and
updates only the rows an edit touched. Sorting and filtering happen in a
:class:`SearchProxy` (a ``QSortFilterProxyModel``) so the views stay cheap.
"""

from __future__ import annotations

import bisect
import datetime as dt
import weakref
from collections import deque
from itertools import compress, islice
from operator import attrgetter, is_
from typing import Any, Protocol

import numpy as np
import pandas as pd
import shiboken6
from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QMetaObject,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)

from socialmap.model.kinds import KIND_FIELDS, YOUNG_PERSON
from socialmap.model.labels import FIELD_LABELS, VALUE_LABELS, field_label, value_label
from socialmap.model.project import tie_key
from socialmap.ui import indexes, workers
from socialmap.ui.document import ProjectDocument
from socialmap.ui.rowindex import RowIndex

#: Role that returns the raw value of a cell, used for sorting.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role that returns the record id of a row ("a|b" for a tie).
ID_ROLE = Qt.ItemDataRole.UserRole + 2

#: Rows of a table whose row numbers are made in one step (:meth:`_RecordModel._make_rows`):
#: 5,000 tie keys take 2-3 ms.
ROW_STEP = 5_000

#: Removed rows up to this many are taken out of a table's kept sort keys and texts a row at a
#: time (a move of the pointers after each: a service's 38 ties out of a city's 391,000 texts
#: took 1.7 ms), more in one pass over every row (7-34 ms for a city's ties, its texts read).
DROP_BY_ROW_MAX = 256

#: Rows of a table whose search texts are made ahead in one step (:class:`_TextSteps`): 2,000
#: of a city's ties take 3-10 ms. A table of up to 8,000 rows makes them at its first search.
TEXT_STEP = 2_000
TEXT_AHEAD_FROM = 8_000

#: Column headers: the one mapping of field names to words (socialmap.model.labels).
HEADERS = FIELD_LABELS


def plain_tooltip(text: Any) -> Any:
    """A tooltip that shows ``text`` as it is written: Qt renders a tooltip that looks like
    markup as HTML (a label "<b>Youth</b> club" came out bold, an <img> tag as a picture), so
    such text is escaped and marked as rich text. Other values are returned unchanged."""
    from PySide6 import QtGui

    if not isinstance(text, str) or not QtGui.Qt.mightBeRichText(text):
        return text
    import html

    return "<qt>" + html.escape(text, quote=False).replace("\n", "<br>") + "</qt>"


def suppress_count(count: int | None) -> str:
    """A count of young people as shown to people: 1..4 become "<5" (SPEC section 8)."""
    if count is None:
        return ""
    if 1 <= count <= 4:
        return "<5"
    return str(count)


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _shown(value: Any, names: dict | None) -> str:
    """A value's text in a table cell: a code as its label (``names``), else :func:`display`."""
    if type(value) is str:
        return names.get(value, value) if names is not None else value
    return display(value)


def sort_key(value: Any) -> Any:
    # None sorts first; mixed types compare as text.
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _Steps(Protocol):
    """What waits in :data:`_ROWS_WAITING`: a table making its rows (:class:`_RecordModel`) or a
    proxy its search texts (:class:`_TextSteps`)."""

    #: bumped when the work starts again: a queued entry of an earlier turn is passed over
    _rows_turn: int

    @property
    def rows_made(self) -> bool:
        """Whether the work is done (its entry leaves the queue)."""

    def _rows_step(self, turn: int) -> None:
        """One step of the work started in ``turn``."""


#: Tables whose rows are being made (a weak reference to each and the turn it was started in),
#: a step of one at a time, :data:`ROW_STEP_MS` apart (:data:`ROW_PAUSE_MS` within that time of
#: the start of a user action): the window answers between them. A step that waits for the
#: jobs says so with a true ``after_jobs``.
_ROWS_WAITING: deque[tuple[weakref.ref[_Steps], int]] = deque()
_ROWS_ARMED = False
ROW_STEP_MS = 1
ROW_PAUSE_MS = 50


def _arm_rows_step(held: bool = False) -> None:
    global _ROWS_ARMED
    if _ROWS_WAITING and not _ROWS_ARMED:
        _ROWS_ARMED = True
        # after a user action began, a pause (the answer first); the same while every step
        # waiting is held until the jobs are done
        idle = workers.ui_idle_for(ROW_PAUSE_MS / 1000) and not held
        QTimer.singleShot(ROW_STEP_MS if idle else ROW_PAUSE_MS, _next_rows_step)


def steps_pending() -> bool:
    """Whether a table is still making its rows or search texts in steps (:data:`_ROWS_WAITING`:
    work made ahead on the UI thread, which waits while a job runs)."""
    for ref, turn in _ROWS_WAITING:
        model = ref()
        if model is not None and turn == model._rows_turn and not model.rows_made:
            return True
    return False


def _next_rows_step() -> None:
    """One step of the next table whose rows are being made, the tables in turn (a big one
    does not hold up the others: the young people's are whole after 40 steps of a city's,
    the ties' after 100). Steps that wait for the jobs (``after_jobs``: the search texts, 10-15
    ms each, 40 ms beside a job: a ranking run beside them took twice as long, and the
    analysis's UI gap passed 100 ms) are passed over while a job runs."""
    global _ROWS_ARMED
    _ROWS_ARMED = False
    held = 0
    for _ in range(len(_ROWS_WAITING)):
        ref, turn = _ROWS_WAITING.popleft()
        model = ref()
        if model is None or turn != model._rows_turn or model.rows_made:  # gone, made again, or whole
            continue
        if getattr(model, "after_jobs", False) and not workers.executor().idle.is_set():
            _ROWS_WAITING.append((ref, turn))
            held += 1
            continue
        model._rows_step(turn)
        if not model.rows_made:
            _ROWS_WAITING.append((ref, turn))
        held = -1
        break
    _arm_rows_step(held=held == len(_ROWS_WAITING) and held > 0)


def _emit(model: QObject, signal: str) -> None:
    """Emit ``model``'s argument-less ``signal`` (layoutAboutToBeChanged, layoutChanged) through
    Qt's meta-object system: in PySide6 6.12.0 each ``signal.emit()`` of these drops one
    reference to ``True`` too many, and after a few thousand (every sort, search keystroke and
    row added or removed behind a SearchProxy emits two) Python aborts with "deallocating True
    or False" (``tests/ui/test_table_proxy.py``)."""
    QMetaObject.invokeMethod(model, signal, Qt.ConnectionType.DirectConnection)


class _RecordModel(QAbstractTableModel):
    columns: tuple[str, ...] = ()
    #: Around the rows one edit removes (a removed person's ties), each still signalled as Qt
    #: wants: a view's proxy (:class:`SearchProxy`) then takes them out of its order at once.
    rowsBatchStarting = Signal()
    rowsBatchDone = Signal()
    #: Before a change signalled for every row while the rows are still being made: the ids that
    #: changed (a view's proxy then makes only their search texts again, when it next searches)
    idsChanged = Signal(list)

    def __init__(self, doc: ProjectDocument) -> None:
        super().__init__(doc)
        self.doc = doc
        #: the ids in row order, and the row of each (made in steps: use :meth:`_row`)
        self.ids: list[Any] = []
        self.row_of = RowIndex()
        self._made = 0
        self._keyed = False  # whether every row has had its entry in row_of (then: no entry, not a row)
        self._ahead = False  # whether a row not made yet may have an entry (then a step looks first)
        doc.projectReplaced.connect(self.reload)
        self.reload()

    # subclasses
    def _all_ids(self) -> list[Any]:
        raise NotImplementedError

    def value(self, ident: Any, column: str) -> Any:
        raise NotImplementedError

    def id_text(self, ident: Any) -> str:
        return str(ident)

    # Qt API
    def reload(self) -> None:
        self.beginResetModel()
        # the model's own copy of the project's index (socialmap.ui.indexes), which edits change
        # in place: made here, it is set aside from collection with the project a file's opening
        # shows (MainWindow._opened). Copied on the first edit instead, a city's 391,000 tie keys
        # and 100,000 young people were two new lists that Python's young collections walked
        # whole, 6-10 ms in the middle of the next edits
        self.ids = list(self._all_ids())
        self._make_rows()
        self.endResetModel()

    def _make_rows(self, keep: int | None = None) -> None:
        """Start :attr:`row_of` again from :attr:`ids`: at once for a table of up to
        :data:`ROW_STEP` rows, else a step of that many rows at a time when the window is idle
        (:func:`_next_rows_step`), the first once the project is shown (a city's 391,000 tie
        keys take 0.15-0.2 s, which the loading job spent before the project could be shown).
        Until it is whole :meth:`_row` finds the rows not made yet in :attr:`ids`. The rows are
        kept in a :class:`~socialmap.ui.rowindex.RowIndex`, whose parts are small enough that
        no step grows one far (as one dict, a step's growth of it took up to 66 ms).

        ``keep``: the rows before it did not move (rows were removed from it on): their
        entries stay, and the steps go on from there. The entries of the rows from ``keep`` on
        are then out of date until the steps make them again; :meth:`_row` takes an entry only
        for a row already made (an entry of each row is kept, so an id without one is not a
        row). None: every entry made afresh."""
        self._rows_turn = getattr(self, "_rows_turn", 0) + 1
        if len(self.ids) <= ROW_STEP:
            self.row_of = RowIndex.of_rows(self.ids)
            self._made = len(self.ids)
            self._keyed = True
            self._removed = 0
        else:
            if keep is None:
                self.row_of = RowIndex()
                self._keyed = False
                self._removed = 0
            self._ahead = keep is not None  # (the entries from keep on: out of date)
            self._made = keep or 0
            _ROWS_WAITING.append((weakref.ref(self), self._rows_turn))
            _arm_rows_step()

    def _rows_step(self, turn: int) -> None:
        """The rows of the next :data:`ROW_STEP` ids (none if made again since ``turn``)."""
        if turn != self._rows_turn:
            return
        start, ids = self._made, self.ids
        end = min(start + ROW_STEP, len(ids))
        self.row_of.set_rows(ids[start:end], start, fresh=not self._ahead)
        self._made = end
        if end == len(ids):
            self._keyed = True
            self._removed = 0  # every entry is right again

    @property
    def rows_made(self) -> bool:
        """Whether :attr:`row_of` has every row (else the rest is still being made)."""
        return self._made >= len(self.ids)

    def _row(self, ident: Any) -> int | None:
        """The row of ``ident`` (None: not in the table)."""
        row = self.row_of.get(ident)
        if row is None and self._keyed:  # every row has its entry: not a row
            return None
        if row is not None and row >= self._made:  # (out of date: rows were removed before it)
            row = self._near(ident, row)
            if row is not None:
                return row
        if row is None and self._made < len(self.ids):
            try:  # one C-level scan of the rows not made yet (a city's ties: up to 40 ms)
                row = self.ids.index(ident, self._made)
            except ValueError:
                return None
        return row

    def _near(self, ident: Any, entry: int) -> int | None:
        """The row of ``ident`` whose entry ``entry`` is out of date (at or after the rows made
        again since a removal), found just before it: rows are only appended (:meth:`_add`) or
        removed (:meth:`_remove`), so a row moved back by at most the rows removed since every
        entry was last right (:attr:`_removed`). A scan of those few rows, not of every row not
        made again (a city's ties: 20-25 ms per edit that removes a place's ties). None: not
        found there."""
        try:
            return self.ids.index(ident, max(self._made, entry - self._removed), entry + 1)
        except ValueError:
            return None

    def _rows_of(self, idents: list[Any]) -> list[int | None]:
        """The row of each of ``idents`` (None: not in the table). More than two while the rows
        are still being made (rows added or removed together soon after a city is shown or an
        earlier removal): those not made yet found in one pass over the rows not made (a city's
        ties: about 20 ms) rather than a scan each, or the rest of the rows made at once (60 ms)."""
        start, ids = self._made, self.ids
        if len(idents) <= 2 or start >= len(ids):
            return list(map(self._row, idents))
        row_of = self.row_of
        rows = {}
        for ident in idents:
            row = row_of.get(ident)
            rows[ident] = row if row is None or row < start else self._near(ident, row)
        wanted = {i for i, r in rows.items() if r is None and (not self._keyed or i in row_of)}
        if wanted:  # (once every row has had its entry, one without an entry is not in the table)
            for row in compress(range(start, len(ids)), map(wanted.__contains__, islice(ids, start, None))):
                rows[ids[row]] = row
        return [rows[i] for i in idents]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return field_label(self.columns[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        ident = self.ids[index.row()]
        column = self.columns[index.column()]
        if role == ID_ROLE:
            return self.id_text(ident)
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value_label(column, self.value(ident, column)))
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(display(value_label(column, self.value(ident, column))))
        if role == SORT_ROLE:
            return sort_key(self.value(ident, column))
        return None

    # incremental updates
    def _add(self, idents: list[Any]) -> None:
        new = [i for i, row in zip(idents, self._rows_of(idents), strict=True) if row is None and self._exists(i)]
        if not new:
            return
        start = len(self.ids)
        whole = self._made == start
        self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
        self.ids.extend(new)
        # their entries (right: the rows are the last); the steps still making the rows, if
        # any, come to them too
        self.row_of.set_rows(new, start)
        if whole:
            self._made = len(self.ids)
        else:  # (the steps come to them)
            self._ahead = True
        self.endInsertRows()

    def _remove(self, idents: list[Any]) -> None:
        rows = sorted((r for r in self._rows_of(idents) if r is not None), reverse=True)
        if not rows:
            return
        self._removed += len(rows)
        batch = len(rows) > 1
        if batch:
            self.rowsBatchStarting.emit()
        try:
            for row in rows:
                self.beginRemoveRows(QModelIndex(), row, row)
                gone = self.ids.pop(row)
                self.row_of.pop(gone, None)
                self.endRemoveRows()
        finally:
            if batch:
                self.rowsBatchDone.emit()
        if rows[-1] < self._made:  # the rows from the first removed one on moved
            self._make_rows(keep=rows[-1])

    def _changed(self, idents: list[Any]) -> None:
        if len(idents) > 2 and not self.rows_made:
            # every row: no look-up of each while the rows are still being made (a scan of a
            # city's ties is 40 ms a tie; the views repaint the rows they show)
            self.idsChanged.emit(list(idents))
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, len(self.columns) - 1))
            return
        for row in self._rows_of(idents):
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def _exists(self, ident: Any) -> bool:
        return True

    # column-wise access for SearchProxy (sorting and searching without a call per pair or cell)
    def column_values(self, column: str, ids: list[Any] | None = None) -> list[Any]:
        """The raw value of ``column`` in every row, in row order (of ``ids`` only, if given)."""
        return [self.value(i, column) for i in (self.ids if ids is None else ids)]

    def sort_keys(self, col: int) -> list[Any]:
        """Every row's sort key of column ``col`` (as its ``SORT_ROLE`` data)."""
        plain = (str, int, float)
        values = self.column_values(self.columns[col])
        if set(map(type, values)) <= set(plain):  # one C-level pass (ages, labels)
            return values
        return [v if type(v) in plain else sort_key(v) for v in values]

    def display_column(self, column: str, ids: list[Any] | None = None) -> list[str]:
        """Every row's text of ``column`` as the table shows it (a code as its label), of
        ``ids`` only if given. Each distinct value is made text once (a call per cell was
        0.8 s of the 1.3 s a city's ties took)."""
        values = self.column_values(column, ids)
        names = VALUE_LABELS.get(column)
        types = set(map(type, values))
        if types <= {str}:  # ids and labels: the text itself (a code as its label)
            return values if names is None else list(map(names.get, values, values))
        # (True, 1 and 1.0 are one key of a dict, and show as "yes", "1" and "1": with more
        # than one of those kinds, or a value that is no key, cell by cell)
        if len(types & {bool, int, float}) <= 1:
            try:
                texts = {v: _shown(v, names) for v in set(values)}
            except TypeError:
                pass
            else:
                return list(map(texts.__getitem__, values))
        return [_shown(v, names) for v in values]

    def row_texts(self, start: int = 0, end: int | None = None) -> list[str]:
        """Each row's cells as lower-case text (what the search matches), of the rows from
        ``start`` to ``end`` (all, by default)."""
        ids = None if start == 0 and end is None else self.ids[start:end]
        cols = [self.display_column(c, ids) for c in self.columns]
        return list(map(str.lower, map("\x1f".join, zip(*cols, strict=True)))) if cols else []

    def row_text(self, row: int) -> str:
        """One row of :meth:`row_texts`."""
        return "\x1f".join(str(self.data(self.index(row, c)) or "") for c in range(len(self.columns))).lower()

    def shown_texts(self, rows: list[int], col: int) -> list[str]:
        """The text the table shows in column ``col`` of these rows (as ``data``)."""
        column = self.columns[col]
        return [display(value_label(column, self.value(self.ids[r], column))) for r in rows]

    def row_for(self, ident_text: str) -> int | None:
        for row, ident in enumerate(self.ids):
            if self.id_text(ident) == ident_text:
                return row
        return None


class NodeTableModel(_RecordModel):
    """The nodes of one kind, one row each."""

    def __init__(self, doc: ProjectDocument, kind: str) -> None:
        self.kind = kind
        self.columns = ("id", "label", *KIND_FIELDS[kind])
        super().__init__(doc)
        doc.nodesChanged.connect(self._on_nodes)

    def _all_ids(self) -> list[str]:
        return indexes.node_ids(self.doc.project, self.kind)  # (the loading job's index, copied)

    def _exists(self, ident: str) -> bool:
        node = self.doc.project.nodes.get(ident)
        return node is not None and node.kind == self.kind

    def value(self, ident: str, column: str) -> Any:
        node = self.doc.project.nodes.get(ident)
        return None if node is None else getattr(node, column)

    def column_values(self, column: str, ids: list[Any] | None = None) -> list[Any]:
        nodes = self.doc.project.nodes
        return list(map(attrgetter(column), map(nodes.__getitem__, self.ids if ids is None else ids)))

    def row_for(self, ident_text: str) -> int | None:
        return self._row(ident_text)

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        self._remove(removed)
        self._add(added)
        self._changed(changed)


class AreaTableModel(_RecordModel):
    """The areas with their census fields and how many young people live there."""

    columns = ("code", "name", "imd_decile", "population_16_24", "young_people")

    def __init__(self, doc: ProjectDocument) -> None:
        self._counts: dict[str, int] = {}
        super().__init__(doc)
        doc.areasChanged.connect(self._changed)
        doc.nodesChanged.connect(self._on_nodes)

    def reload(self) -> None:
        self._recount()
        super().reload()

    def _recount(self) -> None:
        counts, home = indexes.young_people_per_area(self.doc.project)
        self._counts = dict(counts)  # the model's own: kept up to date by the edits
        self._home = dict(home)

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        """Counts moved by the edit only (a recount of a city's 125,000 nodes per edit held the
        UI thread 50-90 ms); the rows of the areas whose count changed are repainted."""
        nodes = self.doc.project.nodes
        touched: set[str] = set()
        for nid in [*removed, *changed]:
            code = self._home.pop(nid, None)
            if code is not None:
                self._counts[code] -= 1
                touched.add(code)
        for nid in [*added, *changed]:
            node = nodes.get(nid)
            if node is not None and node.kind == YOUNG_PERSON and node.area_code:
                self._home[nid] = node.area_code
                self._counts[node.area_code] = self._counts.get(node.area_code, 0) + 1
                touched.add(node.area_code)
        col = self.columns.index("young_people")
        for code in touched:
            if self._counts.get(code) == 0:
                del self._counts[code]
            row = self._row(code)
            if row is not None:
                self.dataChanged.emit(self.index(row, col), self.index(row, col))

    def _all_ids(self) -> list[str]:
        return list(self.doc.project.areas)

    def row_for(self, ident_text: str) -> int | None:
        return self._row(ident_text)

    def sort_keys(self, col: int) -> list[Any]:
        if self.columns[col] == "young_people":  # as SORT_ROLE: 1..4 together, between 0 and 5
            return [2.5 if 1 <= c <= 4 else c for c in map(self._counts.get, self.ids, [0] * len(self.ids))]
        return super().sort_keys(col)

    def display_column(self, column: str, ids: list[Any] | None = None) -> list[str]:
        if column == "young_people":
            ids = self.ids if ids is None else ids
            return [suppress_count(c) for c in map(self._counts.get, ids, [0] * len(ids))]
        return super().display_column(column, ids)

    def shown_texts(self, rows: list[int], col: int) -> list[str]:
        if self.columns[col] == "young_people":
            return [suppress_count(self._counts.get(self.ids[r], 0)) for r in rows]
        return super().shown_texts(rows, col)

    def value(self, ident: str, column: str) -> Any:
        if column == "young_people":
            return self._counts.get(ident, 0)
        area = self.doc.project.areas.get(ident)
        return None if area is None else getattr(area, column)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and self.columns[index.column()] == "young_people":
            count = self._counts.get(self.ids[index.row()], 0)
            # the tooltip showed the exact count behind "<5"; sorting by it gave their order
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return suppress_count(count)
            if role == SORT_ROLE:
                return 2.5 if 1 <= count <= 4 else count
        return super().data(index, role)


class TieTableModel(_RecordModel):
    """Every tie, one row each, with the labels of both ends."""

    columns = ("a", "a_label", "b", "b_label", "type", "context", "strength", "since", "until", "opportunity")

    def __init__(self, doc: ProjectDocument) -> None:
        super().__init__(doc)
        doc.tiesChanged.connect(self._on_ties)
        doc.nodesChanged.connect(self._on_nodes)

    def _all_ids(self) -> list[tuple[str, str]]:
        return indexes.tie_ids(self.doc.project)  # (copied by reload)

    def _exists(self, ident: tuple[str, str]) -> bool:
        return ident in self.doc.project.ties

    def id_text(self, ident: tuple[str, str]) -> str:
        return "|".join(ident)

    def row_for(self, ident_text: str) -> int | None:
        a, _, b = ident_text.partition("|")
        return self._row(tie_key(a, b))

    def value(self, ident: tuple[str, str], column: str) -> Any:
        tie = self.doc.project.ties.get(ident)
        if tie is None:
            return None
        if column in ("a_label", "b_label"):
            node = self.doc.project.nodes.get(getattr(tie, column[0]))
            return node.label if node else None
        return getattr(tie, column)

    def column_values(self, column: str, ids: list[Any] | None = None) -> list[Any]:
        ties, nodes = self.doc.project.ties, self.doc.project.nodes
        if ids is None:
            ids = self.ids
            # the rows in the project's order (as loaded, and after edits, which add at the
            # end): its records as they come, not a look-up of each key (100 ms against 58)
            records = ties.values() if len(ids) == len(ties) and all(map(is_, ids, ties)) \
                else map(ties.__getitem__, ids)
        else:
            records = map(ties.__getitem__, ids)
        try:
            if column in ("a_label", "b_label"):
                ends = list(map(attrgetter(column[0]), records))
                if len(ends) * 4 < len(nodes):  # (a few rows: their own nodes, not a dict of all)
                    return [None if (n := nodes.get(e)) is None else n.label for e in ends]
                labels = {nid: n.label for nid, n in nodes.items()}
                return list(map(labels.get, ends))
            return list(map(attrgetter(column), records))
        except KeyError:  # a node's ties being taken out a row at a time: some are gone already
            return [None if ties.get(key) is None else self.value(key, column) for key in ids]

    def _on_ties(self, added: list, changed: list, removed: list) -> None:
        self._remove([tuple(k) for k in removed])
        self._add([tuple(k) for k in added])
        self._changed([tuple(k) for k in changed])

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        # A relabelled node changes the label columns of its ties.
        for nid in changed:
            self._changed([tie_key(nid, o) for o in self.doc.project.neighbours(nid)])


def fit_columns_to_text(view, *, rows: int, widest: int) -> None:
    """Columns as wide as their header and the text of their first ``rows`` rows, none wider
    than ``widest`` px. Measured from the texts (one data call per cell): Qt's
    ``resizeColumnsToContents`` asks each cell for its size hint and more rows than that,
    0.2-0.4 s on the UI thread for a table of 20,000 young people."""
    model = view.model()
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    head_metrics = header.fontMetrics()
    n = min(rows, model.rowCount())
    source = getattr(model, "_src", None)
    # the texts straight from a record model's values (a Qt index and data() call per cell
    # through the bindings held the UI thread 0.2 s for a city's young people's table)
    direct = isinstance(model, SearchProxy) and hasattr(source, "shown_texts")
    for col in range(model.columnCount()):
        title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        # a two-line header is as wide as its longer line
        width = max(head_metrics.horizontalAdvance(line) for line in title.split("\n")) + 28  # + the sort arrow
        texts = (source.shown_texts(model.order[:n].tolist(), col) if direct
                 else [str(model.index(r, col).data() or "") for r in range(n)])
        for text in set(texts):
            width = max(width, metrics.horizontalAdvance(text) + 14)
        header.resizeSection(col, min(width, widest))


def _order_by(keys: list[Any], descending: bool) -> np.ndarray:
    """Row numbers in the (stable) order of ``keys``: numbers by numpy's argsort, other keys
    (text, or numbers and text mixed: text after numbers) by one C-level sort of the list,
    never a Python comparison per pair."""
    n = len(keys)
    types = set(map(type, keys))  # one C-level pass (a generator per key cost 40 ms at 100,000)
    if n and types <= {int, float}:
        values = np.fromiter(keys, float, n)
        if descending:
            values = -values
        return np.argsort(values, kind="stable")
    if types <= {str}:
        # each distinct text's place in the sorted texts, then the rows by it (a city's 391,000
        # ties by a label: 38 ms, against 78 ms for one sort of the list)
        codes, _ = pd.factorize(np.array(keys, dtype=object), sort=True)
        return np.argsort(-codes if descending else codes, kind="stable")
    ranked = list(map(_rank, keys))  # empty first (a missing value), then numbers, then text
    return np.array(sorted(range(n), key=ranked.__getitem__, reverse=descending), dtype=np.int64)


def _rank(key: Any) -> tuple:
    """A sort key's rank among any others: the order :func:`_order_by` gives a column of
    numbers, of texts, or of both (numbers by value, texts by text, an empty value first), so a
    new row is put in its place without reading the column's other keys."""
    if key == "":
        return (0, 0, "")
    return (1, key, "") if type(key) in (int, float) else (2, 0, str(key))


def _place(rows: list[int], rank_of, rank: Any, descending: bool) -> int:
    """Where a new row (after every row of ``rows`` in the source) of ``rank`` goes among
    ``rows``, ordered by rank (``descending`` or not) and then by source row, as
    :func:`_order_by` orders them."""
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        other = rank_of(rows[mid])
        if (other >= rank) if descending else (other <= rank):
            lo = mid + 1
        else:
            hi = mid
    return lo


#: ``0 .. len-1``, read-only, shared by the tables and grown as needed (see :func:`_identity`)
_IDENTITY = np.zeros(0, np.int64)
_IDENTITY.flags.writeable = False


def _identity(n: int) -> np.ndarray:
    """``0 .. n-1`` as a read-only array: a view of one shared array of row numbers (an array
    made per length cost 1.5-2 ms at a city's 391,000 ties for every row a removal took out,
    since each row's removal changes the length)."""
    global _IDENTITY
    if len(_IDENTITY) < n:
        grown = np.arange(max(n, 2 * len(_IDENTITY)), dtype=np.int64)
        grown.flags.writeable = False
        _IDENTITY = grown
    return _IDENTITY[:n]


class _TextSteps:
    """A :class:`SearchProxy`'s search texts being made ahead: :attr:`texts` holds those of the
    first rows (None when none are being made). Its steps go in the tables' queue of steps
    (:data:`_ROWS_WAITING`, as a :class:`_Steps`), in turn with theirs."""

    #: (the steps wait while a job runs, a search waiting for them too: :func:`_next_rows_step`;
    #: run beside the scenario set-up made after opening they took twice as long)
    after_jobs = True

    def __init__(self, proxy: SearchProxy) -> None:
        self._proxy = weakref.ref(proxy)
        self._rows_turn = 0
        self.texts: list[str] | None = None

    def _live(self) -> SearchProxy | None:
        """The proxy, unless it is gone (its Qt object too: a closed window's)."""
        proxy = self._proxy()
        return proxy if proxy is not None and shiboken6.isValid(proxy) else None

    @property
    def rows_made(self) -> bool:
        return self.texts is None or self._live() is None

    def start(self) -> None:
        self._rows_turn += 1
        self.texts = []
        _ROWS_WAITING.append((weakref.ref(self), self._rows_turn))
        _arm_rows_step()

    def stop(self) -> None:
        self._rows_turn += 1
        self.texts = None

    def _rows_step(self, turn: int) -> None:
        proxy = self._live()
        if proxy is not None and turn == self._rows_turn and self.texts is not None:
            proxy._text_step()


class SearchProxy(QAbstractProxyModel):
    """Sorts by raw values and keeps the rows whose any cell contains the search text,
    column-wise (SPEC 10: a city's tables answer at once).

    The view sees ``order`` (proxy row -> source row) and ``pos`` (source row -> proxy row,
    -1 when filtered out), two numpy arrays. Sorting takes each row's key of the column once
    (``source.sort_keys(column)`` when the model has it, else its ``SORT_ROLE`` data) and
    orders them with :func:`_order_by`; the search matches the lower-case text of each row
    (``source.row_texts()``, or the display text of its cells), kept until the source
    changes. A Python ``lessThan`` called twice per comparison sorted a city's 100,000 young
    people in 39 s; this takes a few hundredths. Rows added or removed in the source keep the
    sort and the search (a re-sort and re-match of the columns, not per pair); a changed row
    keeps its place.

    A search typed while the texts are still being made ahead (a city's ties: about 2 s of
    steps after opening) shows at once the matches among the rows whose texts are made, and
    the others once the steps have made the rest (:attr:`searching` meanwhile, and
    :attr:`searchingChanged`): making the rest in the keystroke held the UI thread 0.6 s.
    """

    #: whether the rows shown are those of the texts made so far (True), or all (False)
    searchingChanged = Signal(bool)

    def __init__(self, source: QAbstractTableModel, parent=None) -> None:
        super().__init__(parent)
        #: the search's matches are those of the rows whose texts are made so far (the rest
        #: are matched when the steps have made them)
        self.searching = False
        self._text = ""
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._texts: list[str] | None = None
        self._keys: dict[int, list[Any]] = {}
        self._order = np.zeros(0, np.int64)
        self.pos = np.zeros(0, np.int64)
        self._saved: list[tuple[int, int]] = []
        self._saved_old: list = []
        #: the source's removals (first, last) within a batch (rowsBatchStarting..Done), else None
        self._batch: list[tuple[int, int]] | None = None
        self._text_steps = _TextSteps(self)
        #: ids whose rows changed, signalled with every row (idsChanged): their texts made again
        #: when next searched; and whether the next change of every row is theirs
        self._pending_ids: list[Any] = []
        self._next_change_is_ids = False
        #: whether the order holds exactly the rows the search matches (not after a changed
        #: row kept its place)
        self._exact = True
        #: every row in the order of the sort (None: made at the next search), and the rows each
        #: recent search text matched (:meth:`_matches`)
        self._full: np.ndarray | None = None
        self._matched: dict[str, np.ndarray] = {}
        #: (column, order, the column's keys) of the last sort, while its order stands
        self._sorted: tuple | None = None
        self.setSourceModel(source)

    @property
    def order(self) -> np.ndarray:
        """Source row of each shown row."""
        return self._order

    @order.setter
    def order(self, value: np.ndarray) -> None:
        self._order = value

    def _set_identity(self, n: int) -> None:
        """Every source row in its own order: one read-only array of row numbers as both
        :attr:`order` and :attr:`pos` (an array of each per reset for every table: 25-35 ms
        while a city was shown)."""
        self._order = self.pos = _identity(n)

    # -------------------------------------------------------------- wiring
    def setSourceModel(self, source) -> None:  # noqa: N802
        old = self.sourceModel()
        if old is not None:
            for signal, slot in self._connections():
                if hasattr(old, signal):
                    getattr(old, signal).disconnect(slot)
        self.beginResetModel()
        super().setSourceModel(source)
        self._src = source  # sourceModel() is a call through the bindings on every cell
        for signal, slot in self._connections():
            if hasattr(source, signal):  # (the batch signals: the record models' own)
                getattr(source, signal).connect(slot)
        self._forget()
        self._recompute()
        self.endResetModel()
        self._start_texts()

    def _connections(self):
        return (("modelAboutToBeReset", self.beginResetModel), ("modelReset", self._source_reset),
                ("rowsAboutToBeInserted", self._before_rows), ("rowsInserted", self._after_rows),
                ("rowsAboutToBeRemoved", self._before_rows), ("rowsRemoved", self._after_removed),
                ("dataChanged", self._source_changed),
                ("headerDataChanged", self.headerDataChanged),
                ("rowsBatchStarting", self._batch_start), ("rowsBatchDone", self._batch_done),
                ("idsChanged", self._ids_changed))

    def _source_reset(self) -> None:
        self._forget()
        self._recompute()
        self.endResetModel()
        self._start_texts()

    def _forget(self) -> None:
        self._texts = None
        self._pending_ids = []
        self._keys = {}
        self._forget_orders()
        self._text_steps.stop()
        self._set_searching(False)

    def _set_searching(self, on: bool) -> None:
        if on != self.searching:
            self.searching = on
            self.searchingChanged.emit(on)

    # -------------------------------------------------------------- search texts made ahead
    def _start_texts(self) -> None:
        """Make the rows' search texts ahead, a step at a time while the window is idle (the
        first keystroke in a city's ties table made them all: 0.6-0.7 s on the UI thread)."""
        if self._texts is None and hasattr(self._src, "row_texts") and self._source_rows() > TEXT_AHEAD_FROM:
            self._text_steps.start()

    def _text_step(self) -> None:
        part, n = self._text_steps.texts, self._source_rows()
        # (steps twice the size while a search waits for them: 10-25 ms each)
        end = min(len(part) + TEXT_STEP * (2 if self.searching else 1), n)
        part.extend(self._src.row_texts(len(part), end))
        if end >= n:
            self._texts = part
            self._text_steps.stop()
            if self.searching:  # every row's text: the search's matches among them all, in a turn of its own
                QTimer.singleShot(0, self._search_whole)

    def _search_whole(self) -> None:
        """The search's matches among every row, once their texts are all made."""
        if shiboken6.isValid(self) and self.searching and self._texts is not None:
            self._relayout(self._recompute)
            self._set_searching(False)

    def _texts_changed(self) -> None:
        """The rows changed while their texts were being made ahead: made again from the start."""
        if self._text_steps.texts is not None:
            self._text_steps.stop()
            self._start_texts()

    def _forget_orders(self) -> None:
        """Drop the whole sorted order and the rows each search text matched, kept for the
        next search (the rows have changed)."""
        self._full = None
        self._matched = {}

    # -------------------------------------------------------------- order and search
    def _source_rows(self) -> int:
        return self.sourceModel().rowCount()

    def _sort_keys(self, column: int) -> list[Any]:
        keys = self._keys.get(column)
        if keys is None:
            source = self.sourceModel()
            fast = getattr(source, "sort_keys", None)
            if fast is not None:
                keys = fast(column)
            else:
                keys = [source.index(r, column).data(SORT_ROLE) for r in range(source.rowCount())]
            keys = [("" if k is None else k) for k in keys]
            self._keys[column] = keys
        return keys

    def _ids_changed(self, idents: list) -> None:
        self._pending_ids.extend(idents)
        self._next_change_is_ids = True

    def _patch_pending(self) -> None:
        """The texts of the rows of :attr:`_pending_ids`, made again from the rows now."""
        pending, self._pending_ids = self._pending_ids, []
        source = self._src
        rows = source._rows_of(pending) if pending else []  # (one pass over rows not made)
        for texts in (self._texts, self._text_steps.texts):
            if texts is None:
                continue
            for row in rows:
                if row is not None and row < len(texts):
                    texts[row] = source.row_text(row)

    def _row_texts(self) -> list[str]:
        if self._pending_ids:
            self._patch_pending()
        if self._texts is None:
            source = self.sourceModel()
            fast = getattr(source, "row_texts", None)
            part = self._text_steps.texts
            if part is not None:  # the rest of those being made ahead, now
                part.extend(source.row_texts(len(part)))
                self._texts = part
                self._text_steps.stop()
            elif fast is not None:
                self._texts = fast()
            else:
                cols = range(source.columnCount())
                self._texts = ["\x1f".join(str(source.index(r, c).data() or "") for c in cols).lower()
                               for r in range(source.rowCount())]
        return self._texts

    def _recompute(self) -> None:
        n = self._source_rows()
        sorted_ = self._sorting()
        if not self._text:
            self._set_searching(False)
        if not sorted_ and not self._text:
            self._set_identity(n)
            return
        if sorted_:
            # every row sorted, kept while the rows and the sort stand: a search keystroke
            # filters it and does not sort again (70 ms for a city's ties by a label)
            if self._full is None or len(self._full) != n:
                self._full = _order_by(self._sort_keys(self._sort_column),
                                       self._sort_order == Qt.SortOrder.DescendingOrder)
            order = self._full
        else:
            order = _identity(n)
        if self._text:
            keep = self._matches(self._text.lower(), n)
            order = order[keep[order]]
        self.order = order
        self._set_pos(n)
        self._exact = True

    #: search texts whose matching rows are kept (a backspace goes back to one of them at once)
    MATCHES_KEPT = 8

    def _matches(self, needle: str, n: int) -> np.ndarray:
        """Which rows contain ``needle`` (kept for the next keystrokes until the rows change).
        While the texts are being made ahead: which of the rows whose texts are made (the
        others are matched once they are, :attr:`searching`)."""
        keep = self._matched.get(needle)
        if keep is None or len(keep) != n:
            if self._pending_ids:
                self._patch_pending()
            part = self._text_steps.texts if self._texts is None else None
            if part is not None and len(part) < n:
                keep = np.zeros(n, bool)
                keep[:len(part)] = np.fromiter((needle in t for t in part), bool, len(part))
                self._set_searching(True)
                return keep
            texts = self._row_texts()
            keep = np.fromiter((needle in t for t in texts), bool, n)
            self._keep_matches(needle, keep)
        return keep

    def _keep_matches(self, needle: str, keep: np.ndarray) -> None:
        self._matched.pop(needle, None)
        while len(self._matched) >= self.MATCHES_KEPT:
            self._matched.pop(next(iter(self._matched)))
        self._matched[needle] = keep

    def _relayout(self, change) -> None:
        """Change the order (``change()``), keeping the persistent indexes (the view's current
        row and selection) on their source rows."""
        self._save_persistent()
        change()
        self._restore_saved(lambda src: src)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        workers.ui_action()
        done = (column, order, self._keys.get(column) if column >= 0 else None)
        if self._sorted is not None and self._sorted[:2] == done[:2] and self._sorted[2] is done[2]:
            # QTableView.sortByColumn asks twice (the header's sort indicator signal, then again
            # itself): the second time the order is what it made, over the same keys
            return
        self._sort_column, self._sort_order = column, order
        self._full = None
        self._relayout(self._recompute)
        self._sorted = (column, order, self._keys.get(column) if column >= 0 else None)

    def sortColumn(self) -> int:  # noqa: N802
        return self._sort_column

    def sortOrder(self) -> Qt.SortOrder:  # noqa: N802
        return self._sort_order

    def setFilterFixedString(self, text: str) -> None:  # noqa: N802
        """Keep the rows with a cell containing ``text`` (any case); "" keeps every row."""
        if text == self._text:
            return
        workers.ui_action()
        previous, self._text = self._text, text

        def narrow() -> None:
            needle = text.lower()
            if self._pending_ids:
                self._patch_pending()
            if needle and needle not in self._matched and previous and needle.startswith(previous.lower()) \
                    and self._texts is not None:
                # typing on: only the rows that matched can match (a keystroke costs what is left)
                texts, n = self._texts, len(self.pos)
                keep = np.fromiter((needle in texts[r] for r in self.order.tolist()), bool, len(self.order))
                self.order = self.order[keep]
                self._set_pos(n)
                if self._exact:  # (not after a changed row kept its place: it may match now)
                    matched = np.zeros(n, bool)  # every row that matches (those left), for a backspace
                    matched[self._order] = True
                    self._keep_matches(needle, matched)
            else:
                self._recompute()

        self._relayout(narrow)

    def filterText(self) -> str:  # noqa: N802
        return self._text

    # -------------------------------------------------------------- source changes
    # Rows added or removed in the source keep the sort and the search: the new rows are put
    # in their places and the removed ones taken out of :attr:`order` (a re-sort of a city's
    # 391,000 ties for each row an edit removed held the UI thread 1.2-2.2 s when a person with
    # ties was deleted from a sorted table, and 0.26-0.29 s to undo it). The view sees one
    # layout change per edit, its current row and selection kept on their source rows.
    def _before_rows(self, parent, first, last) -> None:
        if not self._batch:  # (in a batch: saved at its first removal, in the numbering before it)
            self._save_persistent()

    def _save_persistent(self) -> None:
        """Tell the view its layout is about to change, and keep its current row and selection
        as source rows (put back by :meth:`_restore_saved`)."""
        _emit(self, "layoutAboutToBeChanged")
        old = self.persistentIndexList()
        self._saved = [(int(self.order[i.row()]) if 0 <= i.row() < len(self.order) else -1, i.column()) for i in old]
        self._saved_old = old

    def _batch_start(self) -> None:
        self._batch = []

    def _batch_done(self) -> None:
        batch, self._batch = self._batch, None
        if not batch:
            return
        removed: list[int] = []  # the rows removed, numbered as before the batch
        for first, last in batch:
            for row in range(first, last + 1):
                original = row
                for earlier in removed:  # (sorted) each removed before it moves it on by one
                    if earlier <= original:
                        original += 1
                    else:
                        break
                bisect.insort(removed, original)
        self._rows_removed(removed)

    def _after_rows(self, parent, first, last) -> None:
        count = last - first + 1
        if not self._insert_rows(first, last):
            self._forget()
            self._recompute()
            self._start_texts()
        self._restore_saved(lambda src: src + count if src >= first else src)

    def _after_removed(self, parent, first, last) -> None:
        if self._batch is not None:
            self._batch.append((first, last))
            return
        self._rows_removed(list(range(first, last + 1)))

    def _rows_removed(self, removed: list[int]) -> None:
        """Take the source rows ``removed`` (sorted, numbered as before) out of the order."""
        n_before = len(self.pos)
        n = n_before - len(removed)
        if self._source_rows() != n or not 0 <= removed[0] <= removed[-1] < n_before:
            self._forget()  # (not the rows it had: made again, the view's rows not kept)
            self._recompute()
            self._start_texts()
            self._restore_saved(lambda src: -1)
            return
        gone = np.zeros(n_before, bool)
        gone[removed] = True
        self._drop_cached(removed, gone)
        if not self._ordered():
            self._set_identity(n)
        else:
            order = self._order[~gone[self._order]]
            # each row moves back by the removed rows before it (a search of the few removed,
            # not a running count over every row: a new array of a city's 391,000 ties)
            self.order = order - np.searchsorted(np.asarray(removed, np.int64), order)
            self._set_pos(n)
        self._restore_saved(lambda src: -1 if gone[src] else src - bisect.bisect_left(removed, src))

    def _drop_cached(self, removed: list[int], gone: np.ndarray) -> None:
        """The removed rows out of the sort keys and texts kept (those of the sorted column)."""
        self._keys = {c: k for c, k in self._keys.items() if c == self._sort_column}
        self._sorted = None
        self._forget_orders()
        part = self._text_steps.texts  # (texts being made ahead: those of the rows made so far)
        lists = [*self._keys.values(), *([self._texts] if self._texts is not None else [])]
        for values in lists:
            if len(removed) <= DROP_BY_ROW_MAX:
                for row in reversed(removed):
                    del values[row]
            else:
                values[:] = compress(values, (~gone).tolist())
        if part is not None:
            for row in reversed(removed):
                if row < len(part):
                    del part[row]

    def _ordered(self) -> bool:
        """Whether the order is other than the source's own (sorted or searched)."""
        return self._sorting() or bool(self._text)

    def _sorting(self) -> bool:
        """Whether the rows are sorted by one of the source's columns."""
        return 0 <= self._sort_column < self.sourceModel().columnCount()

    def _set_pos(self, n: int) -> None:
        self.pos = np.full(n, -1, np.int64)
        self.pos[self._order] = np.arange(len(self._order), dtype=np.int64)

    def _insert_rows(self, first: int, last: int) -> bool:
        """Put the source's new rows ``first..last`` in their places: False when they cannot
        be placed so (rows put in before others, or keys of another kind than the column's)."""
        n_before = len(self.pos)
        n = n_before + last - first + 1
        if self._source_rows() != n or first != n_before:
            return False
        source = self.sourceModel()
        new = list(range(first, last + 1))
        for column, keys in self._keys.items():
            keys.extend(("" if k is None else k) for k in (source.index(r, column).data(SORT_ROLE) for r in new))
        self._sorted = None
        self._forget_orders()  # (texts being made ahead: the new rows, the last, are made in turn)
        if self._texts is not None:
            fast = getattr(source, "row_text", None)
            if fast is None:
                return False
            self._texts.extend(map(fast, new))
        if not self._ordered():
            self._set_identity(n)
            return True
        if self._text:
            needle = self._text.lower()
            if self._texts is not None:
                texts = self._texts
            else:  # (each new row's own text, not every row's)
                fast = getattr(source, "row_text", None)
                if fast is None:
                    return False
                texts = {r: fast(r) for r in new}
            new = [r for r in new if needle in texts[r]]
        rows = self._order
        if self._sorting() and new:
            keys = self._sort_keys(self._sort_column)
            descending = self._sort_order == Qt.SortOrder.DescendingOrder
            new = sorted(new, key=lambda r: _rank(keys[r]), reverse=descending)
            places = [_place(rows, lambda r: _rank(keys[r]), _rank(keys[r]), descending) for r in new]
        else:
            places = [len(rows)] * len(new)
        if new:  # (each before the row at its place in the order as it was; of two at one place, in turn)
            self._order = np.insert(self._order, places, new)
        self._set_pos(n)
        return True

    def _restore_saved(self, moved) -> None:
        """The view's current row and selection on their source rows (``moved``: a row's new
        number, -1 if gone), then the layout change the view waits for."""
        new = []
        for src, col in self._saved:
            src = moved(src) if src >= 0 else -1
            p = int(self.pos[src]) if 0 <= src < len(self.pos) else -1
            new.append(self.createIndex(p, col) if p >= 0 else QModelIndex())
        self.changePersistentIndexList(self._saved_old, new)
        self._saved, self._saved_old = [], []
        _emit(self, "layoutChanged")

    def _source_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles=()) -> None:
        first, last = top_left.row(), bottom_right.row()
        source = self.sourceModel()
        fast = getattr(source, "row_text", None)
        by_ids, self._next_change_is_ids = self._next_change_is_ids, False
        self._exact = False  # the changed rows keep their places, matched or not
        for texts in (self._texts, self._text_steps.texts):  # (made, or being made ahead)
            if texts is None or by_ids:  # (by ids: made again when next searched, _patch_pending)
                continue
            if fast is not None and last - first < 64:
                for r in range(first, min(last + 1, len(texts))):
                    texts[r] = fast(r)
            elif texts is self._texts:
                self._texts = None
            else:
                self._texts_changed()
        if self._texts is None and self._text_steps.texts is None:
            self._start_texts()
        self._keys = {}
        self._forget_orders()
        if not len(self.order):
            return
        if last - first >= 64:  # a whole column (the areas' counts): every shown row
            self.dataChanged.emit(self.index(0, top_left.column()), self.index(len(self.order) - 1, bottom_right.column()))
            return
        for r in range(first, last + 1):
            p = int(self.pos[r]) if r < len(self.pos) else -1
            if p >= 0:
                self.dataChanged.emit(self.index(p, top_left.column()), self.index(p, bottom_right.column()))

    # -------------------------------------------------------------- Qt model API
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self.order)) or not (0 <= column < self.columnCount()):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        return QModelIndex()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        source = getattr(self, "_src", None)
        return 0 if parent.isValid() or source is None else source.columnCount()

    def mapToSource(self, proxy: QModelIndex) -> QModelIndex:  # noqa: N802
        if not proxy.isValid() or not (0 <= proxy.row() < len(self._order)):
            return QModelIndex()
        return self._src.createIndex(self._order.item(proxy.row()), proxy.column())

    def mapFromSource(self, source: QModelIndex) -> QModelIndex:  # noqa: N802
        if not source.isValid() or not (0 <= source.row() < len(self.pos)):
            return QModelIndex()
        p = int(self.pos[source.row()])
        return self.createIndex(p, source.column()) if p >= 0 else QModelIndex()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        # the hot path of every painted or measured cell: the source index made directly
        # (index() calls rowCount and columnCount), the row read with item() (a plain int; a
        # list of the order, 40 ns a cell sooner, cost 4-9 ms to make again at each edit)
        row = index.row()
        if not 0 <= row < len(self._order):
            return None
        src = self._src
        return src.data(src.createIndex(self._order.item(row), index.column()), role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            return self._src.headerData(section, orientation, role)
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.order):
            return section + 1
        return None
