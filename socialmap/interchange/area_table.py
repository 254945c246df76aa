"""Joining a published table keyed by area code to the project's areas (issue 15).

Official area statistics come as tables with one row per area code: the English Indices of
Deprivation 2025 (MHCLG; File 1 has the LSOA 2021 code and the IMD decile, 1 the most deprived),
the ONS mid-year population estimates for LSOAs by single year of age (columns such as ``F16`` ...
``F24`` and ``M16`` ... ``M24``), or any other. :func:`join_area_table` copies chosen columns onto
the areas with those codes:

- ``imd_decile`` (whole number 1..10) and ``population_16_24`` (whole number >= 0) fill the
  area's own fields;
- any other name becomes an extra attribute of the area (a number when every value is one), which
  the map can be coloured by.

A field's source is a column, or several added up: ``F16+F17+M16``, with ``F16..F24`` standing for
``F16``, ``F17``... ``F24`` (the columns with the same letters and the numbers between). Codes of
the table that are not areas of the project, and areas the table gives no value, are reported; a
value that cannot be read is refused with its row, and nothing changes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model.project import Area, Project

#: Fields of an area a table can fill (others become attributes).
AREA_FIELDS = ("imd_decile", "population_16_24")
#: Names an attribute may not take (they are the area's own).
RESERVED = ("code", "name", "geometry", "attrs")
#: Column names (as norm_key gives them) taken as the area code when ``--code-field`` is not given.
CODE_COLUMNS = ("lsoa_code_2021", "lsoa21cd", "lsoa_2021_code", "lsoa21", "lsoa_code_2011", "lsoa11cd", "lsoa11",
                "lsoa_code", "area_code", "code", "geography_code", "geo_code")
_RANGE = re.compile(r"^(.*?)(\d+)\.\.(.*?)(\d+)$")


@dataclass
class JoinReport:
    """What a join did: for the summary shown before and after it is saved."""

    joined: dict[str, int]  # field -> number of areas given a value
    not_in_project: list[str]  # codes of the table that are not areas of the project
    without_value: dict[str, list[str]]  # field -> codes of areas left without a value
    rows: int
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.rows} rows read; " + ", ".join(f"{name}: {n} areas" for name, n in self.joined.items())]
        if self.not_in_project:
            shown = ", ".join(self.not_in_project[:5]) + (" ..." if len(self.not_in_project) > 5 else "")
            out.append(f"{len(self.not_in_project)} codes of the table are not areas of this project ({shown})")
        for name, codes in self.without_value.items():
            if codes:
                shown = ", ".join(codes[:5]) + (" ..." if len(codes) > 5 else "")
                out.append(f"{len(codes)} areas have no {name} in the table ({shown})")
        return out + self.notes

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "joined": dict(self.joined), "not_in_project": list(self.not_in_project),
                "without_value": {k: list(v) for k, v in self.without_value.items()}, "notes": list(self.notes)}


def parse_fields(items: list[str] | dict[str, str] | None) -> dict[str, str]:
    """``--field NAME=SOURCE`` (repeatable) as ``{name: source}``."""
    pairs = items.items() if isinstance(items, dict) else (i.split("=", 1) if "=" in i else (i, "") for i in items or [])
    out: dict[str, str] = {}
    problems = []
    for name, source in pairs:
        name, source = name.strip(), source.strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            problems.append(Problem(f"{name!r} is not a field name (letters, digits and _)", field="field"))
        elif name in RESERVED:
            problems.append(Problem(f"{name!r} is the area's own and cannot be joined", field="field"))
        elif not source:
            problems.append(Problem(f"no column given for {name} (write {name}=COLUMN)", field="field"))
        else:
            out[name] = source
    if not out and not problems:
        problems.append(Problem("no --field given: say which columns to join, e.g. --field imd_decile=COLUMN",
                                field="field"))
    if problems:
        raise InputError(problems)
    return out


def source_columns(source: str, headers: list[str]) -> list[str]:
    """The columns ``source`` names: a column; or ``A+B+...``, each part a column or a range
    ``F16..F24`` (same letters, the numbers between). Raises :class:`InputError` naming a missing one.

    >>> source_columns("F16..F18+M16", ["code", "F16", "F17", "F18", "M16"])
    ['F16', 'F17', 'F18', 'M16']
    """
    exact = {h.strip(): h for h in headers} | {h.strip().lower(): h for h in headers}
    if source.strip() in exact or source.strip().lower() in exact:
        return [exact.get(source.strip()) or exact[source.strip().lower()]]
    out, missing = [], []
    for part in (p.strip() for p in source.split("+")):
        m = _RANGE.match(part)
        if m and m.group(1) == m.group(3) and part not in exact:
            prefix, lo, hi = m.group(1), int(m.group(2)), int(m.group(4))
            names = [f"{prefix}{n}" for n in range(lo, hi + 1)]
        else:
            names = [part]
        for name in names:
            col = exact.get(name) or exact.get(name.lower())
            (out if col else missing).append(col or name)
    if missing:
        raise InputError(Problem(f"has no column {', '.join(repr(m) for m in missing)} (from {source!r}); its columns "
                                 f"start {', '.join(headers[:12])}", field="field"))
    return out


def _number(value: Any) -> float | None:
    from socialmap.interchange.cells import parse_number
    from socialmap.interchange.tabular import is_blank

    return None if is_blank(value) else parse_number(value)


def read_table(path: str | os.PathLike, sheet: str | None = None):
    """The table at ``path`` (CSV, or a sheet of an ``.xlsx`` workbook: ``sheet``, else its first)."""
    from socialmap.interchange.tabular import read_csv_table, read_xlsx_tables

    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        tables = read_xlsx_tables(p)
        if sheet is None:
            return next(iter(tables.values()))
        if sheet not in tables:
            raise InputError(Problem(f"has no sheet {sheet!r} (its sheets: {', '.join(tables)})", file=str(p)))
        return tables[sheet]
    return read_csv_table(p)


def find_code_column(headers: list[str], given: str | None, where: str) -> str:
    from socialmap.interchange.tabular import norm_key

    if given:
        by = {h.strip().lower(): h for h in headers}
        col = by.get(given.strip().lower()) or {norm_key(h): h for h in headers}.get(norm_key(given))
        if col is None:
            raise InputError(Problem(f"has no column {given!r} (given by --code-field); its columns start "
                                     f"{', '.join(headers[:12])}", file=where, field=given))
        return col
    keys = {norm_key(h): h for h in headers}
    for name in CODE_COLUMNS:
        if name in keys:
            return keys[name]
    raise InputError(Problem("has no area code column that could be recognised; name it with --code-field",
                             file=where))


def join_area_table(project: Project, path: str | os.PathLike, *, fields: dict[str, str],
                    code_field: str | None = None, sheet: str | None = None) -> tuple[Project, JoinReport]:
    """A copy of ``project`` with the table's columns joined to its areas by code, and the report.

    Raises one :class:`InputError` listing every value that cannot be read (row, column, reason),
    a code given twice, or a table none of whose codes is an area of the project.
    """
    where = str(path)
    table = read_table(path, sheet)
    code_col = find_code_column(table.headers, code_field, where)
    sources = {name: source_columns(src, table.headers) for name, src in fields.items()}
    problems: list[Problem] = []
    values: dict[str, dict[str, Any]] = {name: {} for name in fields}
    seen: dict[str, int] = {}
    outside: list[str] = []
    for row, cells in table.rows:
        raw_code = cells.get(code_col)
        code = str(int(raw_code)) if isinstance(raw_code, float) and raw_code.is_integer() else \
            str(raw_code or "").strip()
        if not code:
            continue
        if code in seen:
            problems.append(Problem(f"area code {code} is given twice (first at row {seen[code]})", file=where,
                                    row=row, field=code_col))
            continue
        seen[code] = row
        if code not in project.areas:
            outside.append(code)
            continue
        for name, cols in sources.items():
            if name not in AREA_FIELDS and len(cols) == 1:  # an attribute: a number or a text, judged below
                text = cells.get(cols[0])
                values[name][code] = None if text is None or not str(text).strip() else text
                continue
            parts = []
            for col in cols:
                try:
                    parts.append(_number(cells.get(col)))
                except ValueError as exc:
                    problems.append(Problem(str(exc), file=where, row=row, field=col))
                    parts.append(None)
            if any(p is None for p in parts):
                continue  # a blank cell: the area is reported without a value
            total = sum(parts)
            if not float(total).is_integer() and name in AREA_FIELDS:
                problems.append(Problem(f"{total:g} is not a whole number", file=where, row=row, field=cols[0]))
                continue
            total = int(total) if float(total).is_integer() else total
            if name == "imd_decile" and not 1 <= total <= 10:
                problems.append(Problem(f"IMD decile {total} is not 1..10", file=where, row=row, field=cols[0]))
                continue
            if name == "population_16_24" and total < 0:
                problems.append(Problem(f"population {total} is negative", file=where, row=row, field=cols[0]))
                continue
            values[name][code] = total
    for name, by_code in values.items():  # an attribute is numbers when every value is one, else text
        if name in AREA_FIELDS or len(sources[name]) > 1:
            continue
        try:
            numbers = {c: _number(v) for c, v in by_code.items()}
        except ValueError:
            values[name] = {c: None if v is None else str(v).strip() for c, v in by_code.items()}
        else:
            values[name] = {c: None if v is None else (int(v) if float(v).is_integer() else v)
                            for c, v in numbers.items()}
    if not seen:
        problems.append(Problem("has no area codes in its column " + repr(code_col), file=where))
    elif len(outside) == len(seen):
        problems.append(Problem(f"none of its {len(seen)} area codes is an area of this project (are the table's "
                                "codes of another census or geography than the areas? 2011 and 2021 LSOA codes "
                                "differ)", file=where, field=code_col))
    if problems:
        raise InputError(problems)
    new = project.copy()
    for code, area in project.areas.items():
        changes: dict[str, Any] = {}
        attrs = dict(area.attrs)
        for name, by_code in values.items():
            if name in AREA_FIELDS:
                if code in by_code:
                    changes[name] = by_code[code]
            elif code in by_code and by_code[code] is not None:
                attrs[name] = by_code[code]
        new.areas[code] = replace(area, attrs=attrs, **changes)
    new.touch()
    report = JoinReport(joined={name: sum(1 for c in by_code if by_code[c] is not None) for name, by_code in values.items()},
                        not_in_project=outside,
                        without_value={name: [c for c in project.areas if by_code.get(c) is None]
                                       for name, by_code in values.items()},
                        rows=len(table.rows))
    return new, report


def numeric_area_attributes(project: Project) -> list[str]:
    """Extra area attributes whose every value is a number: the ones the map can be coloured by."""
    names: dict[str, bool] = {}
    for area in project.areas.values():
        for key, value in area.attrs.items():
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            names[key] = names.get(key, True) and ok
    return sorted(k for k, ok in names.items() if ok)


__all__ = ["Area", "JoinReport", "join_area_table", "numeric_area_attributes", "parse_fields", "source_columns"]
