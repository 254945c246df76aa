"""Qt table models over the project: areas, nodes of one kind, and ties.

Each model observes the :class:`~socialmap.ui.document.ProjectDocument` and
updates only the rows an edit touched. Sorting and filtering happen in a
:class:`SearchProxy` (a ``QSortFilterProxyModel``) so the views stay cheap.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from socialmap.model.kinds import KIND_FIELDS, YOUNG_PERSON
from socialmap.model.project import tie_key
from socialmap.ui.document import ProjectDocument

#: Role that returns the raw value of a cell, used for sorting.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role that returns the record id of a row ("a|b" for a tie).
ID_ROLE = Qt.ItemDataRole.UserRole + 2

HEADERS = {
    "id": "Id", "label": "Label", "area_code": "Area", "age": "Age", "neet": "NEET", "activity": "Activity", "role": "Role", "in_work": "In work",
    "org_type": "Type", "sector": "Sector", "is_anchor": "Anchor", "employees_total": "Staff",
    "employees_local": "Local staff", "spend_total": "Spend (£)", "spend_local": "Local spend (£)",
    "years_in_area": "Years in area", "provider": "Provider", "service_type": "Service type",
    "commissioner": "Commissioner", "contract_end": "Contract ends", "annual_value": "Annual value (£)",
    "hours_per_week": "Hours/week", "code": "Code", "name": "Name", "imd_decile": "IMD decile",
    "population_16_24": "Population 16-24", "young_people": "Young people", "a": "From", "b": "To",
    "type": "Type", "context": "Context", "strength": "Strength", "a_label": "From (label)",
    "b_label": "To (label)", "since": "Since", "until": "Ended (until)", "recorded": "First recorded",
    "updated": "Last updated",
}


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


def sort_key(value: Any) -> Any:
    # None sorts first; mixed types compare as text.
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _RecordModel(QAbstractTableModel):
    columns: tuple[str, ...] = ()

    def __init__(self, doc: ProjectDocument) -> None:
        super().__init__(doc)
        self.doc = doc
        self.ids: list[Any] = []
        self.row_of: dict[Any, int] = {}
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
        self.ids = self._all_ids()
        self.row_of = dict(zip(self.ids, range(len(self.ids)), strict=True))  # a city's ties: faster than a loop
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            name = self.columns[section]
            return HEADERS.get(name, name.replace("_", " ").capitalize())
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        ident = self.ids[index.row()]
        column = self.columns[index.column()]
        if role == ID_ROLE:
            return self.id_text(ident)
        if role == Qt.ItemDataRole.DisplayRole:
            return display(self.value(ident, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(display(self.value(ident, column)))
        if role == SORT_ROLE:
            return sort_key(self.value(ident, column))
        return None

    # incremental updates
    def _add(self, idents: list[Any]) -> None:
        new = [i for i in idents if i not in self.row_of and self._exists(i)]
        if not new:
            return
        start = len(self.ids)
        self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
        for i in new:
            self.row_of[i] = len(self.ids)
            self.ids.append(i)
        self.endInsertRows()

    def _remove(self, idents: list[Any]) -> None:
        rows = sorted((self.row_of[i] for i in idents if i in self.row_of), reverse=True)
        for row in rows:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.ids[row]
            self.endRemoveRows()
        if rows:
            self.row_of = {i: r for r, i in enumerate(self.ids)}

    def _changed(self, idents: list[Any]) -> None:
        for i in idents:
            row = self.row_of.get(i)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def _exists(self, ident: Any) -> bool:
        return True

    def row_for(self, ident_text: str) -> int | None:
        for ident, row in self.row_of.items():
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
        return [n.id for n in self.doc.project.nodes.values() if n.kind == self.kind]

    def _exists(self, ident: str) -> bool:
        node = self.doc.project.nodes.get(ident)
        return node is not None and node.kind == self.kind

    def value(self, ident: str, column: str) -> Any:
        node = self.doc.project.nodes.get(ident)
        return None if node is None else getattr(node, column)

    def row_for(self, ident_text: str) -> int | None:
        return self.row_of.get(ident_text)

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
        counts: dict[str, int] = {}
        for n in self.doc.project.nodes.values():
            if n.kind == YOUNG_PERSON and n.area_code:
                counts[n.area_code] = counts.get(n.area_code, 0) + 1
        self._counts = counts

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        self._recount()
        if self.ids:
            col = self.columns.index("young_people")
            self.dataChanged.emit(self.index(0, col), self.index(len(self.ids) - 1, col))

    def _all_ids(self) -> list[str]:
        return list(self.doc.project.areas)

    def row_for(self, ident_text: str) -> int | None:
        return self.row_of.get(ident_text)

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

    columns = ("a", "a_label", "b", "b_label", "type", "context", "strength", "since", "until")

    def __init__(self, doc: ProjectDocument) -> None:
        super().__init__(doc)
        doc.tiesChanged.connect(self._on_ties)
        doc.nodesChanged.connect(self._on_nodes)

    def _all_ids(self) -> list[tuple[str, str]]:
        return list(self.doc.project.ties)

    def _exists(self, ident: tuple[str, str]) -> bool:
        return ident in self.doc.project.ties

    def id_text(self, ident: tuple[str, str]) -> str:
        return "|".join(ident)

    def row_for(self, ident_text: str) -> int | None:
        a, _, b = ident_text.partition("|")
        return self.row_of.get(tie_key(a, b))

    def value(self, ident: tuple[str, str], column: str) -> Any:
        tie = self.doc.project.ties.get(ident)
        if tie is None:
            return None
        if column in ("a_label", "b_label"):
            node = self.doc.project.nodes.get(getattr(tie, column[0]))
            return node.label if node else None
        return getattr(tie, column)

    def _on_ties(self, added: list, changed: list, removed: list) -> None:
        self._remove([tuple(k) for k in removed])
        self._add([tuple(k) for k in added])
        self._changed([tuple(k) for k in changed])

    def _on_nodes(self, added: list, changed: list, removed: list) -> None:
        # A relabelled node changes the label columns of its ties.
        for nid in changed:
            self._changed([tie_key(nid, o) for o in self.doc.project.neighbours(nid)])


class SearchProxy(QSortFilterProxyModel):
    """Sorts by raw values and keeps the rows whose any cell contains the search text."""

    def __init__(self, source: QAbstractTableModel, parent=None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
