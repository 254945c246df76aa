"""Reading spreadsheet-like tables (CSV files and ``.xlsx`` sheets) row by row,
and turning cell text into the typed values of the model, with every problem
kept against its file, sheet, row and column.

Row numbers are the ones a user sees in a spreadsheet program: the header is
row 1 and the first record is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialmap import csvsafe
from socialmap.errors import InputError, Problem
from socialmap.interchange.cells import (
    BadValue,
    is_blank,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
)
from socialmap.interchange.limits import MAX_ROWS

__all__ = ["BadValue", "Table", "as_bool", "as_date", "as_float", "as_int", "as_text", "field_for_column",
           "is_blank", "norm_key", "parse_field", "read_csv_table", "read_xlsx_tables"]


@dataclass
class Table:
    """One sheet: its header names, and its records as dicts keyed by header, each with its row number."""

    file: str
    sheet: str | None
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def problem(self, reason: str, row: int | None = None, column: str | None = None,
                record: str | None = None) -> Problem:
        return Problem(reason, file=self.file, row=row, field=column, record=record, sheet=self.sheet)


def _clean_header(value: Any) -> str:
    return "" if value is None else str(value).strip().lstrip("\ufeff")


def read_csv_table(path: str | Path, sheet: str | None = None) -> Table:
    """A CSV file (UTF-8, with or without a byte-order mark) as a :class:`Table`."""
    from socialmap.interchange.readers.csv_bundle import read_csv_text

    path = Path(path)
    problems: list[Problem] = []
    # one reader of CSV text for every importer: it names a binary file, a workbook, UTF-16 or
    # Windows-1252 text for what it is
    text = read_csv_text(path, problems)
    if text is None:
        raise InputError(problems)
    try:
        # a formula-safe cell ('=x, as SocialMap writes it) reads back as written (=x)
        reader = map(csvsafe.restore_row, csv.reader(io.StringIO(text, newline="")))
        header = next(reader)
        headers = [_clean_header(h) for h in header]
        table = Table(str(path), sheet, headers)
        for i, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(table.rows) >= MAX_ROWS:
                from socialmap.interchange.limits import check_rows

                check_rows(len(table.rows) + 1, str(path), sheet)
            record = {h: (cells[j] if j < len(cells) else "") for j, h in enumerate(headers) if h}
            table.rows.append((i, record))
    except csv.Error as exc:
        raise InputError(Problem(f"is not a readable CSV file ({exc})", file=str(path))) from None
    _check_headers(table)
    return table


def _check_headers(table: Table) -> None:
    seen: dict[str, int] = {}
    problems = []
    for j, h in enumerate(table.headers):
        key = h.lower()
        if not key:
            continue
        if key in seen:
            problems.append(table.problem(f"the column {h!r} appears twice (columns {seen[key] + 1} and {j + 1})", row=1))
        seen[key] = j
    if problems:
        raise InputError(problems)


def unreadable_workbook(path: str | Path, sheet: str | None, exc: Exception) -> InputError:
    """The one-line refusal of a workbook openpyxl could not read (in ``sheet`` when known)."""
    where = f" (sheet {sheet})" if sheet else ""
    return InputError(Problem(f"cannot be read as an .xlsx workbook{where}: {type(exc).__name__}: "
                              f"{' '.join(str(exc).split())[:200]}", file=str(path)))


def read_xlsx_tables(path: str | Path) -> dict[str, Table]:
    """Every sheet of an ``.xlsx`` workbook as a :class:`Table`, keyed by sheet name."""
    import openpyxl

    from socialmap.interchange.limits import check_rows, check_xlsx

    path = Path(path)
    if not path.exists():
        raise InputError(Problem("no such file", file=str(path)))
    check_xlsx(path)  # size, zip bomb and DTDs refused before any XML is parsed
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise InputError(Problem(f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc})",
                                 file=str(path))) from None
    tables: dict[str, Table] = {}
    sheet = None
    try:
        for ws in book.worksheets:
            sheet = ws.title
            rows = ws.iter_rows(values_only=True)
            try:
                header = next(rows)
            except StopIteration:
                tables[ws.title] = Table(str(path), ws.title, [])
                continue
            headers = [_clean_header(h) for h in header]
            while headers and not headers[-1]:
                headers.pop()
            table = Table(str(path), ws.title, headers)
            for i, cells in enumerate(rows, start=2):
                if cells is None or all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    continue
                if len(table.rows) >= MAX_ROWS:
                    check_rows(len(table.rows) + 1, str(path), ws.title)
                record = {h: (cells[j] if j < len(cells) else None) for j, h in enumerate(headers) if h}
                table.rows.append((i, record))
            _check_headers(table)
            tables[ws.title] = table
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl parses each sheet lazily: XML, zip and value errors
        raise unreadable_workbook(path, sheet, exc) from None
    finally:
        book.close()
    return tables


# ---------------------------------------------------------------- cell values
# The parsers and their accepted spellings live in one place, socialmap.interchange.cells, shared
# with the CSV bundle; here they are wrapped so that an empty cell is None.


def norm_key(text: str) -> str:
    """A header or type name reduced for matching: lower case, words joined by ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower()).strip("_")


def as_text(value: Any) -> str | None:
    """Cell text, stripped; ``None`` for an empty cell. Whole floats from Excel lose their ``.0``."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def as_float(value: Any) -> float | None:
    """:func:`~socialmap.interchange.cells.parse_number`, or ``None`` for an empty cell."""
    return None if is_blank(value) else parse_number(value)


def as_int(value: Any) -> int | None:
    """:func:`~socialmap.interchange.cells.parse_int`, or ``None`` for an empty cell."""
    return None if is_blank(value) else parse_int(value)


def as_bool(value: Any) -> bool | None:
    """:func:`~socialmap.interchange.cells.parse_bool`, or ``None`` for an empty cell."""
    return None if is_blank(value) else parse_bool(value)


def as_date(value: Any) -> dt.date | None:
    """:func:`~socialmap.interchange.cells.parse_date`, or ``None`` for an empty cell."""
    return None if is_blank(value) else parse_date(value)


# ---------------------------------------------------------------- our fields
#: Column names (as :func:`norm_key` gives them) recognised as each of our node fields.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "area_code": ("area_code", "area", "areacode", "lsoa", "lsoa_code", "lsoa21", "lsoa21cd", "lsoa11",
                  "lsoa11cd", "home_area", "ward_code"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "long", "longitude", "lng"),
    "postcode": ("postcode", "post_code", "postal_code"),
    "age": ("age",),
    "neet": ("neet", "is_neet"),
    "activity": ("activity", "activity_status", "neet_status"),
    "role": ("role",),
    "in_work": ("in_work", "employed", "in_employment"),
    "org_type": ("org_type", "organisation_type", "organization_type"),
    "sector": ("sector",),
    "is_anchor": ("is_anchor", "anchor", "anchor_institution"),
    "employees_total": ("employees_total", "employees", "total_employees", "staff_total"),
    "employees_local": ("employees_local", "local_employees", "local_staff"),
    "spend_total": ("spend_total", "total_spend", "spend"),
    "spend_local": ("spend_local", "local_spend"),
    "years_in_area": ("years_in_area", "years_local"),
    "provider": ("provider", "provided_by"),
    "service_type": ("service_type",),
    "commissioner": ("commissioner", "commissioned_by"),
    "contract_end": ("contract_end", "contract_end_date"),
    "annual_value": ("annual_value", "contract_value"),
    "hours_per_week": ("hours_per_week", "weekly_hours"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}

_PARSERS = {
    "lat": as_float, "lon": as_float, "age": as_int, "neet": as_bool, "is_anchor": as_bool, "in_work": as_bool,
    "employees_total": as_float, "employees_local": as_float, "spend_total": as_float,
    "spend_local": as_float, "years_in_area": as_float, "annual_value": as_float,
    "hours_per_week": as_float, "contract_end": as_date,
}


def as_activity(value: Any) -> str | None:
    """One of the four activities (``EET``, ``NEET available``...), or ``None`` for an empty cell."""
    from socialmap.model.kinds import ACTIVITIES, activity_from_text

    if is_blank(value):
        return None
    found = activity_from_text(str(value))
    if found is None:
        raise BadValue(f"{str(value).strip()!r} is not an activity (one of {', '.join(ACTIVITIES)})")
    return found


_PARSERS["activity"] = as_activity


def field_for_column(header: str) -> str | None:
    """Our node field a column holds, judged by its name, or ``None``."""
    return _ALIAS_TO_FIELD.get(norm_key(header))


def parse_field(name: str, value: Any) -> Any:
    """A cell parsed for node field ``name``; raises :class:`BadValue` with the reason."""
    parser = _PARSERS.get(name)
    if parser is not None:
        return parser(value)
    text = as_text(value)
    if text is not None and name in ("org_type", "sector"):
        text = norm_key(text)
    return text
