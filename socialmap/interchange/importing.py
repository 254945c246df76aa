"""One entry point for importing into an open project, for the desktop app.

:func:`import_into` reads a Kumu map, an Open Referral UK directory or a CSV
bundle and returns a *new* project: the open one with the file merged in,
checked as a whole. The open project is not changed; on any problem one
:class:`~socialmap.errors.InputError` lists every refused row.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model.project import Project


def __getattr__(name: str) -> Any:
    if name == "IMPORT_FORMATS":  # the names of the registry's import formats
        from socialmap.interchange.registry import import_formats

        return tuple(f.name for f in import_formats())
    raise AttributeError(name)


def _renamed_csv(path: Path, renames: dict[str, str | None], folder: Path) -> Path:
    """A copy of a CSV file with headers renamed (``None``: kept as it is, so it stays an attribute)."""
    out = folder / path.name
    with open(path, newline="", encoding="utf-8-sig") as src, open(out, "w", newline="", encoding="utf-8") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        header = next(reader, [])
        writer.writerow([renames.get(h.strip()) or h for h in header])
        writer.writerows(reader)
    return out


def import_into(
    project: Project,
    fmt: str,
    source: str | os.PathLike,
    *,
    connections: str | os.PathLike | None = None,
    ties: str | os.PathLike | None = None,
    kind_map: dict[str, str] | None = None,
    tie_map: dict[str, str] | None = None,
    columns: dict[str, str | None] | None = None,
    postcodes: str | os.PathLike | None = None,
    postcode_fields: dict[str, str | None] | None = None,
) -> tuple[Project, list[str], int, int]:
    """Merge a file into a copy of ``project``.

    Returns ``(merged project, notes for the user, nodes added, ties added)``.
    ``kind_map``/``tie_map`` (Kumu: type text -> node kind / tie type) and
    ``columns`` (Kumu or CSV: header -> our field) are the mapping step's choices.
    """
    from socialmap.interchange.merge import import_project
    from socialmap.interchange.registry import import_format
    from socialmap.interchange.tabular import norm_key

    spec = import_format(fmt)
    fields = postcode_fields or {}
    before_nodes, before_ties = len(project.nodes), len(project.ties)
    with tempfile.TemporaryDirectory(prefix="socialmap-import-") as tmp:
        if fmt == "csv":
            from socialmap.interchange.readers.csv_bundle import read_csv_batch

            nodes_path = Path(source)
            if columns:
                nodes_path = _renamed_csv(nodes_path, columns, Path(tmp))

            def read(**kw: Any):
                return read_csv_batch(nodes_path, ties, **kw)
        elif fmt == "kumu":
            from socialmap.interchange.readers.kumu import read_kumu

            def read(**kw: Any):
                return read_kumu(source, connections=connections,
                                 kind_map={norm_key(k): v for k, v in (kind_map or {}).items()},
                                 tie_map={norm_key(k): v for k, v in (tie_map or {}).items()},
                                 columns=columns, **kw)
        else:  # any other format of the registry: its source, and its type maps if it takes them
            first = spec.options[0].name if spec.options and spec.options[0].positional else spec.what
            takes = {option.name for option in spec.options}
            maps = {name: {norm_key(k): v for k, v in (value or {}).items()}
                    for name, value in (("kind_map", kind_map), ("tie_map", tie_map)) if name in takes}

            def read(**kw: Any):
                return spec.reader()(**{first: source}, **maps, **kw)

        # the flow of `socialmap import ... --into` (socialmap.commands.interchange.run_import)
        merged, notes = import_project(read, base=project, postcodes=postcodes, postcode_fields=fields,
                                       assign_areas=spec.assign_areas)
    return merged, list(notes), len(merged.nodes) - before_nodes, len(merged.ties) - before_ties


def preview_table(fmt: str, source: str | os.PathLike, limit: int = 100, *,
                  connections: str | os.PathLike | None = None) -> dict[str, Any]:
    """What the mapping step shows: the first rows of the main sheet, its headers, and the
    distinct element and connection types of a Kumu map.

    Returns ``{"headers": [...], "rows": [[...]], "element_types": [...], "connection_types": [...],
    "row_count": n}``.
    """
    from socialmap.interchange.tabular import as_text, norm_key, read_csv_table

    source = Path(source)
    connections_table = None
    if fmt == "kumu" and source.suffix.lower() in (".xlsx", ".xlsm"):
        from socialmap.interchange.readers.kumu import _role, _xlsx_sections

        sections = _xlsx_sections(source)
        table = next((t for t in sections if _role(t) == "elements"), None)
        connections_table = next((t for t in sections if _role(t) == "connections"), None)
        if table is None:
            raise InputError(Problem("has no sheet of elements (a sheet whose header row has Label); its sheets: "
                                     f"{', '.join(dict.fromkeys(str(t.sheet) for t in sections))}", file=str(source)))
    elif fmt == "openreferral":
        from socialmap.interchange.readers.openreferral import _find_tables

        if not source.is_dir():
            return {"headers": [], "rows": [], "element_types": [], "connection_types": [], "row_count": 0}
        found = _find_tables(source)
        if "service" not in found:
            raise InputError(Problem("has no service.csv", file=str(source)))
        table = read_csv_table(found["service"])
    else:
        table = read_csv_table(source)
        if fmt == "kumu" and connections:
            connections_table = read_csv_table(connections)

    def distinct(t, column: str) -> list[str]:
        if t is None:
            return []
        header = next((h for h in t.headers if norm_key(h) == column), None)
        if header is None:
            return []
        return sorted({as_text(r.get(header)) for _, r in t.rows} - {None})

    rows = [[as_text(r.get(h)) or "" for h in table.headers] for _, r in table.rows[:limit]]
    return {"headers": list(table.headers), "rows": rows, "row_count": len(table.rows),
            "element_types": distinct(table, "type") if fmt == "kumu" else [],
            "connection_types": distinct(connections_table, "type")}
