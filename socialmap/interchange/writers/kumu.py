"""``socialmap export kumu P.gpkg OUT.xlsx``: the project as a workbook Kumu imports.

Kumu's import format ("Structure your data for Kumu", docs.kumu.io): an **Elements** sheet
(``Label``, ``ID``, ``Type``, then one column per field) and a **Connections** sheet (``From``,
``To``, ``Type``, ``Strength``, ``Context``, naming elements by ID). It is the layout
:mod:`socialmap.interchange.readers.kumu` reads, so the workbook imports back into SocialMap
as the same organisations, services, adults and ties.

Young people (SPEC 8) are left out, with every tie that reaches them, unless
``include_people``; then they appear only as their pseudonyms (``yp00001``…, as in every
export) with their home area and NEET flag, never their label, id or age. Points are given for
organisations and services only. Text is written as text: a label beginning with ``=`` is not a
formula in the workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from socialmap.interchange.registry import ExportFormat
from socialmap.model.kinds import KIND_FIELDS
from socialmap.model.project import Project

#: Kumu element types for our node kinds (read back by the Kumu importer's default kind map).
KUMU_TYPES = {"young_person": "Young person", "adult": "Adult", "organisation": "Organisation",
              "service": "Service"}


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def kumu_sheets(project: Project, *, include_people: bool = False) -> tuple[list[list[Any]], list[list[Any]]]:
    """The Elements and Connections sheets as rows (the first row of each its header)."""
    from socialmap.privacy import pseudonymise

    source, mapping = pseudonymise(project) if include_people else (project, {})
    nodes = [n for n in source.nodes.values() if include_people or n.kind != "young_person"]
    kept = {n.id for n in nodes}
    fields = list(dict.fromkeys(f for n in nodes for f in KIND_FIELDS[n.kind]))
    fields = [f for f in fields if any(getattr(n, f, None) is not None for n in nodes if f in KIND_FIELDS[n.kind])]
    attr_keys = list(dict.fromkeys(k for n in nodes if n.kind != "young_person" for k in n.attrs))
    taken = {"label", "id", "type", *fields, "latitude", "longitude"}
    attr_headers = [f"attr {k}" if k.strip().lower() in taken else k for k in attr_keys]
    elements: list[list[Any]] = [["Label", "ID", "Type", *fields, "Latitude", "Longitude", *attr_headers]]
    for n in nodes:
        located = n.kind in ("organisation", "service")
        label = n.id if n.kind == "young_person" else n.label  # a pseudonym, never the label
        row = [label, n.id, KUMU_TYPES[n.kind]]
        row += [_cell(getattr(n, f)) if f in KIND_FIELDS[n.kind] else None for f in fields]
        row += [n.lat if located else None, n.lon if located else None]
        row += [None if n.kind == "young_person" else _cell(n.attrs.get(k)) for k in attr_keys]
        elements.append(row)
    connections: list[list[Any]] = [["From", "To", "Type", "Strength", "Context", "Opportunity"]]
    for t in source.ties.values():
        if t.a in kept and t.b in kept and (t.context is None or t.context in kept):
            connections.append([t.a, t.b, t.type, t.strength, t.context, "yes" if t.opportunity else None])
    return elements, connections


def write_kumu(project: Project, path: str | Path, *, include_people: bool = False) -> Path:
    """Write the workbook (Elements and Connections sheets). Returns the path."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    elements, connections = kumu_sheets(project, include_people=include_people)
    book = Workbook(write_only=True)
    for title, rows in (("Elements", elements), ("Connections", connections)):
        sheet = book.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text: '=1+1' is a label, not a formula
                cells.append(cell)
            sheet.append(cells)
    path = Path(path)
    book.save(path)
    return path


def export_kumu(project: Project, out: Path, *, include_people: bool = False, **_: Any) -> list[Path]:
    """``socialmap export kumu``: the workbook, written atomically."""
    from socialmap.interchange.exporting import atomic_file

    atomic_file(out, lambda p: write_kumu(project, p, include_people=include_people))
    return [out]


FORMATS = (
    ExportFormat("kumu", "Kumu workbook (XLSX)…", "a workbook Kumu imports (Elements and Connections)",
                 "socialmap.interchange.writers.kumu:export_kumu", patterns=("*.xlsx",), suffix=".xlsx", order=60),
)
