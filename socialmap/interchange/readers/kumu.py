"""Importing a Kumu map: an ``.xlsx`` workbook with *Elements* and *Connections*
sheets, or the two sheets saved as CSV files.

The layout is Kumu's published import format (docs.kumu.io, "Structure your
data for Kumu"): the Elements sheet has ``Label`` (required) and optionally
``ID``, ``Type``, ``Description``, ``Tags`` and any custom columns; the
Connections sheet has ``From`` and ``To`` (required; several ``To`` elements
may share one cell, separated by ``|``), ``Type``, ``Strength`` and custom
columns. Sheets whose name contains ``(ignore)`` are skipped, as Kumu does.

How records are read:

- an element's key is its ``ID`` when the sheet has that column, else its
  ``Label``; connections name elements by that key (or by label, or by the id
  of a node already in the project when merging ``--into`` it);
- ``Type`` chooses the node kind through the kind map (``--kind-map``) or the
  defaults below; an empty or unknown type is reported, never guessed;
- columns named like our fields (area code, latitude, longitude, postcode,
  age, NEET, role, organisation type, sector, anchor, employees, spend, years
  in area, provider, service type, commissioner, contract end, annual value,
  hours per week) fill those fields; the rest are kept as attributes;
- a connection's ``Type`` chooses the tie type through ``--tie-map`` or the
  defaults; ``Strength`` is 1-3 or weak/medium/strong; a ``Context`` column
  names the service or organisation where the tie is kept up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.interchange.merge import ImportBatch, node_from_record
from socialmap.interchange.registry import ImportFormat, Option
from socialmap.interchange.tabular import (
    BadValue,
    Table,
    as_text,
    field_for_column,
    norm_key,
    parse_field,
    read_csv_table,
)
from socialmap.model.kinds import NODE_KINDS, ORG_TYPES, TIE_TYPES

#: Common spellings of Kumu element types (after :func:`norm_key`) and the node kind each means.
DEFAULT_KIND_MAP: dict[str, str] = {
    **dict.fromkeys(("young_person", "young_people", "youngperson", "young_persons", "youth", "yp",
                     "young_adult"), "young_person"),
    **dict.fromkeys(("adult", "adults", "parent", "carer", "youth_worker", "worker", "key_worker",
                     "mentor", "volunteer", "staff", "staff_member", "professional", "teacher", "coach"),
                    "adult"),
    **dict.fromkeys(("organisation", "organisations", "organization", "organizations", "org", "anchor",
                     "anchor_institution", "charity", "school", "college", "school_college", "employer",
                     "company", "business", "social_enterprise", "community_group", "public_body",
                     "council", "institution", "private_provider", "service_provider"), "organisation"),
    **dict.fromkeys(("service", "services", "programme", "program", "project", "youth_club", "club",
                     "activity", "session", "provision"), "service"),
}

#: Element types that also say an organisation's ``org_type``.
_ORG_TYPE_OF = {
    "charity": "charity", "school": "school_college", "college": "school_college",
    "school_college": "school_college", "employer": "employer", "company": "employer",
    "business": "employer", "social_enterprise": "social_enterprise", "community_group": "community_group",
    "public_body": "public_body", "council": "public_body", "anchor": "anchor",
    "anchor_institution": "anchor", "private_provider": "private_provider",
    "service_provider": "service_provider",
}

#: Common spellings of Kumu connection types and the tie type each means.
DEFAULT_TIE_MAP: dict[str, str] = {
    **{t: t for t in TIE_TYPES},
    **dict.fromkeys(("friends", "friendship"), "friend"),
    **dict.fromkeys(("sibling", "relative", "cousin", "relation"), "family"),
    **dict.fromkeys(("peers", "classmate", "classmates"), "peer"),
    **dict.fromkeys(("neighbor", "neighbours", "neighbors"), "neighbour"),
    **dict.fromkeys(("mentoring", "mentors", "mentee", "mentored_by"), "mentor"),
    **dict.fromkeys(("youth_worker", "key_worker", "support_worker", "caseworker", "case_worker",
                     "worker_of"), "worker"),
    **dict.fromkeys(("attend", "attendance", "attendee", "attends_at", "participant", "participates",
                     "participates_in", "uses"), "attends"),
    **dict.fromkeys(("membership", "member_of", "belongs_to"), "member"),
    **dict.fromkeys(("employ", "employee", "employed_by", "works_at", "works_for", "staff",
                     "staff_member", "employment"), "employs"),
    **dict.fromkeys(("provide", "provider", "runs", "delivers", "provided_by", "run_by",
                     "delivered_by"), "provides"),
    **dict.fromkeys(("partners", "partnership", "works_with", "collaborates", "collaboration"), "partner"),
    **dict.fromkeys(("refer", "referral", "referrals", "refers_to", "referred_to"), "refers"),
    **dict.fromkeys(("supply", "supplier", "supplies_to", "supplied_by"), "supplies"),
}

_STRENGTH_WORDS = {"weak": 1, "low": 1, "medium": 2, "moderate": 2, "strong": 3, "high": 3}
_PEOPLE = ("young_person", "adult")


def parse_map(text: str | None, allowed: tuple[str, ...], option: str) -> dict[str, str]:
    """``"Young person=young_person, Org=organisation"`` as ``{norm_key(name): value}``.

    Raises :class:`InputError` naming the option for a malformed item or a value
    not in ``allowed``.
    """
    out: dict[str, str] = {}
    if not text:
        return out
    problems = []
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        value = value.strip()
        if not sep or not name.strip() or not value:
            problems.append(Problem(f"{item.strip()!r} is not NAME=VALUE", field=option))
            continue
        if value not in allowed:
            problems.append(Problem(f"{value!r} (for {name.strip()!r}) is not one of {', '.join(allowed)}",
                                    field=option))
            continue
        out[norm_key(name)] = value
    if problems:
        raise InputError(problems)
    return out


def _find_sheet(tables: dict[str, Table], wanted: str) -> Table | None:
    for name, table in tables.items():
        if "(ignore)" in name.lower():
            continue
        if norm_key(name) == wanted:
            return table
    return None


#: Header spellings Kumu users write for a column (after norm_key).
_ALIASES = {"type": ("type", "element_type", "connection_type")}


def _column(table: Table, name: str) -> str | None:
    for wanted in _ALIASES.get(name, (name,)):
        for h in table.headers:
            if norm_key(h) == wanted:
                return h
    return None


def _role(table: Table) -> str | None:
    """``"elements"`` for a table with a Label column, ``"connections"`` for one with From and To
    (Kumu goes by headers, not sheet names), else None."""
    headers = {norm_key(h) for h in table.headers}
    if {"from", "to"} <= headers:
        return "connections"
    if "label" in headers:
        return "elements"
    return None


def _xlsx_sections(path: Path) -> list[Table]:
    """Every section of every sheet of a workbook: a sheet holds one table, or several separated
    by blank rows, each starting with its own header row (one with Label, or From and To). A
    blank row before a row that is not such a header is just a blank row. Rows keep the
    spreadsheet's numbers; sheets named with ``(ignore)`` are skipped, as Kumu does."""
    import openpyxl

    from socialmap.interchange.limits import MAX_ROWS, check_rows, check_xlsx
    from socialmap.interchange.tabular import _check_headers, _clean_header, unreadable_workbook

    if not path.exists():
        raise InputError(Problem("no such file", file=str(path)))
    check_xlsx(path)  # size, zip bomb and DTDs refused before any XML is parsed
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise InputError(Problem(f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc})",
                                 file=str(path))) from None
    sections: list[Table] = []
    sheet = None
    try:
        for ws in book.worksheets:
            sheet = ws.title
            if "(ignore)" in ws.title.lower():
                continue
            current: Table | None = None
            after_blank = True
            for i, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                if cells is None or all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    after_blank = True
                    continue
                if after_blank:
                    headers = [_clean_header(c) for c in cells]
                    while headers and not headers[-1]:
                        headers.pop()
                    candidate = Table(str(path), ws.title, headers)
                    if current is None or _role(candidate) is not None:
                        current = candidate
                        sections.append(current)
                        after_blank = False
                        continue
                after_blank = False
                if i > MAX_ROWS:
                    check_rows(i, str(path), ws.title)
                record = {h: (cells[j] if j < len(cells) else None) for j, h in enumerate(current.headers) if h}
                current.rows.append((i, record))
            for table in sections:
                if table.sheet == ws.title:
                    _check_headers(table)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl parses each sheet lazily: XML, zip and value errors
        raise unreadable_workbook(path, sheet, exc) from None
    finally:
        book.close()
    return sections


def parse_strength_map(text: str | None) -> tuple[dict[str, int], tuple[float, float] | None]:
    """``--strength-map``: words or numbers to strengths 1-3 (``"weak=1,close=3"``), and/or a scale
    ``LOW-HIGH`` (``"1-5"``, ``"0-10"``) whose values are spread evenly over 1..3.

    >>> parse_strength_map("close=3, distant=1, 1-5")
    ({'close': 3, 'distant': 1}, (1.0, 5.0))
    """
    import re

    words: dict[str, int] = {}
    scale = None
    problems = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)", item)
        if m and "=" not in item:
            low, high = float(m.group(1)), float(m.group(2))
            if high <= low:
                problems.append(Problem(f"scale {item!r}: the high end must be above the low end",
                                        field="--strength-map"))
            scale = (low, high)
            continue
        name, sep, value = item.partition("=")
        if not sep or value.strip() not in ("1", "2", "3"):
            problems.append(Problem(f"{item!r} is not WORD=1|2|3 or a scale LOW-HIGH", field="--strength-map"))
            continue
        words[name.strip().lower()] = int(value)
    if problems:
        raise InputError(problems)
    return words, scale


def _strength(raw: str, words: dict[str, int], scale: tuple[float, float] | None) -> int | None:
    """A strength cell as 1..3, or None when it cannot be read."""
    key = raw.strip().lower()
    if key in words:
        return words[key]
    if key in _STRENGTH_WORDS:
        return _STRENGTH_WORDS[key]
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return None
    if scale is not None:
        low, high = scale
        if not low <= value <= high:
            return None
        return 1 + int(round((value - low) / (high - low) * 2))
    return int(value) if value in (1, 2, 3) else None
    return None


def read_kumu(
    path: str | os.PathLike,
    *,
    connections: str | os.PathLike | None = None,
    kind_map: str | dict[str, str] | None = None,
    tie_map: str | dict[str, str] | None = None,
    lookup: Any = None,
    areas: dict[str, Any] | None = None,
    existing: Any = None,
    columns: dict[str, str | None] | None = None,
    merge_duplicates: bool = False,
    default_tie_type: str | None = None,
    strength_map: str | None = None,
) -> ImportBatch:
    """Read a Kumu workbook (or Elements CSV plus ``connections`` CSV) into an :class:`ImportBatch`.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook, or the Elements sheet as CSV.
    connections
        The Connections sheet as CSV (only with an Elements CSV).
    kind_map, tie_map
        ``--kind-map``/``--tie-map`` text or parsed dicts; they take precedence over the defaults.
    lookup
        A :class:`~socialmap.interchange.postcodes.PostcodeLookup` to place records by postcode.
    areas
        The project's areas by code (for postcode LSOAs and points of people).
    existing
        The project being merged into, so connections may name its nodes.
    columns
        Elements columns mapped by hand: header -> our field name, or ``None`` to keep the
        column as an attribute (the GUI's mapping step); other columns are matched by name.

    The batch's ``problems`` list every bad row; the caller raises them with
    the rest (see :func:`~socialmap.interchange.merge.build_import`).
    """
    path = Path(path)
    source = str(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if connections is not None:
            raise InputError(Problem("--connections is only for an Elements CSV; the workbook has both sheets",
                                     file=source))
        tables = _xlsx_sections(path)
    elif path.suffix.lower() in (".csv", ".txt"):
        tables = [read_csv_table(path, sheet=None)]
        if connections is not None:
            tables.append(read_csv_table(connections))
    else:
        raise InputError(Problem("is not a Kumu .xlsx workbook or an Elements .csv file", file=source))
    # Kumu goes by headers, not sheet names: any table with Label is elements (several are one
    # list), any with From and To is connections
    elements = [t for t in tables if _role(t) == "elements"]
    links = [t for t in tables if _role(t) == "connections"]
    if not elements and path.suffix.lower() not in (".xlsx", ".xlsm") and _role(tables[0]) is None:
        elements = [tables[0]]  # the Elements CSV named as such: its missing Label is the problem to say
    if not elements:
        found = "; ".join(f"{t.sheet or Path(t.file).name}: {', '.join(h for h in t.headers if h) or 'empty'}"
                          for t in tables)
        raise InputError(Problem(f"has no sheet of elements (a sheet whose header row has Label); "
                                 f"its sheets and headers: {found or 'none'}", file=source))
    return read_kumu_tables(elements, links, source=source, kind_map=kind_map, tie_map=tie_map, lookup=lookup,
                            areas=areas, existing=existing, columns=columns, merge_duplicates=merge_duplicates,
                            default_tie_type=default_tie_type, strength_map=strength_map)


def read_kumu_tables(
    elements: list[Table],
    links: list[Table],
    *,
    source: str,
    kind_map: str | dict[str, str] | None = None,
    tie_map: str | dict[str, str] | None = None,
    lookup: Any = None,
    areas: dict[str, Any] | None = None,
    existing: Any = None,
    columns: dict[str, str | None] | None = None,
    merge_duplicates: bool = False,
    default_tie_type: str | None = None,
    strength_map: str | None = None,
) -> ImportBatch:
    """Elements tables (one list) and connections tables into an :class:`ImportBatch` (the
    reading of :func:`read_kumu`, shared with the GraphML/GEXF reader)."""
    kinds = dict(DEFAULT_KIND_MAP)
    kinds.update(kind_map if isinstance(kind_map, dict) else parse_map(kind_map, NODE_KINDS, "--kind-map"))
    tie_types = dict(DEFAULT_TIE_MAP)
    tie_types.update(tie_map if isinstance(tie_map, dict) else parse_map(tie_map, TIE_TYPES, "--tie-map"))
    if default_tie_type is not None and default_tie_type not in TIE_TYPES:
        raise InputError(Problem(f"{default_tie_type!r} is not a tie type ({', '.join(TIE_TYPES)})",
                                 field="--default-tie-type"))
    strengths = parse_strength_map(strength_map)

    batch = ImportBatch(source)
    state = _ElementState()
    keys: dict[str, str] | None = {}
    for table in elements:
        got = _read_elements(table, kinds, batch, lookup, areas, existing, columns or {}, state, merge_duplicates)
        if got is None:
            keys = None
        elif keys is not None:
            keys.update(got)
    if keys is None:
        pass  # an Elements sheet cannot be read: that is the problem to fix, not every connection
    elif links:
        seen_ties: dict[tuple[str, str], tuple[Table, int]] = {}
        for table in links:
            _read_connections(table, tie_types, keys, batch, existing, default_tie_type=default_tie_type,
                              strengths=strengths, merge_duplicates=merge_duplicates, seen=seen_ties,
                              state=state)
        if state.merged_ties:
            batch.notes.append(f"{source}: {state.merged_ties} repeated or reciprocal connection(s) merged "
                               "into the tie they repeat (--merge-duplicates)")
        if state.created:
            batch.notes.append(f"{source}: {len(state.created)} element(s) named only in connections were "
                               f"created as adults: {', '.join(sorted(state.created)[:10])}")
    else:
        batch.notes.append(f"{source}: no Connections sheet; only elements were imported")
    if state.merged_labels:
        batch.notes.append(f"{source}: {state.merged_labels} repeated label(s) merged into their first row "
                           "(--merge-duplicates)")
    return batch


class _ElementState:
    """What the element sheets of one map share: ids and labels seen (where), and what was merged."""

    def __init__(self) -> None:
        self.seen_ids: dict[str, tuple[str | None, int]] = {}
        self.seen_labels: dict[str, tuple[str | None, int]] = {}
        self.key_of_label: dict[str, str] = {}
        self.kind_of: dict[str, str] = {}
        self.merged_labels = 0
        self.merged_ties = 0
        self.created: set[str] = set()


def _read_elements(table: Table, kinds: dict[str, str], batch: ImportBatch, lookup, areas, existing,
                   columns: dict[str, str | None], state: _ElementState | None = None,
                   merge_duplicates: bool = False) -> dict[str, str] | None:
    """Nodes from the Elements sheet; returns element key (and label) -> node id (None when the sheet
    lacks its Label or Type column)."""
    problems = batch.problems
    label_col = _column(table, "label")
    if label_col is None:
        problems.append(table.problem(f"has no Label column (its columns: {', '.join(table.headers)})", row=1))
        return None
    id_col = _column(table, "id")
    type_col = _column(table, "type")
    if type_col is None:
        problems.append(table.problem("has no Type column: every element needs a type that maps to a node kind",
                                      row=1))
        return None
    mapped = {h: (columns[h] if h in columns else field_for_column(h))
              for h in table.headers if h and h not in (label_col, id_col, type_col)}
    records: list[dict[str, Any]] = []
    state = state if state is not None else _ElementState()
    key_of_label = state.key_of_label
    seen_ids = state.seen_ids
    seen_labels = state.seen_labels
    mine: set[str] = set()

    def where(first: tuple[str | None, int]) -> str:
        return f"row {first[1]}" if first[0] == table.sheet else f"sheet {first[0]} row {first[1]}"

    for row, cells in table.rows:
        label = as_text(cells.get(label_col))
        if label is None:
            problems.append(table.problem("the label is empty", row=row, column=label_col))
            continue
        node_id = as_text(cells.get(id_col)) if id_col else label
        if node_id is None:
            problems.append(table.problem("the ID is empty", row=row, column=id_col))
            continue
        if node_id in seen_ids:
            what = "ID" if id_col else "label"
            if merge_duplicates:
                state.merged_labels += 1
                continue
            problems.append(table.problem(f"duplicate {what} {node_id!r} (first at {where(seen_ids[node_id])}); "
                                          f"give --merge-duplicates to keep the first and merge the others into it",
                                          row=row, column=id_col or label_col))
            continue
        seen_ids[node_id] = (table.sheet, row)
        mine.add(node_id)
        if label in seen_labels:
            key_of_label.pop(label, None)  # ambiguous: connections must use the ID
        else:
            seen_labels[label] = (table.sheet, row)
            key_of_label[label] = node_id
        type_text = as_text(cells.get(type_col))
        if type_text is None:
            problems.append(table.problem("the type is empty; every element needs a type (see --kind-map)",
                                          row=row, column=type_col, record=f"element {label!r}"))
            continue
        state.kind_of[node_id] = kinds.get(norm_key(type_text), "")
        kind = kinds.get(norm_key(type_text))
        if kind is None:
            problems.append(table.problem(
                f"unknown type {type_text!r}: map it to a node kind ({', '.join(NODE_KINDS)}); on the command "
                f"line with --kind-map \"{type_text}=KIND\"", row=row, column=type_col, record=f"element {label!r}"))
            continue
        rec: dict[str, Any] = {"id": node_id, "kind": kind, "label": label, "_row": row, "_file": table.file,
                               "_sheet": table.sheet, "_record": f"node {node_id!r}", "attrs": {}}
        type_key = norm_key(type_text)
        for header, fieldname in mapped.items():
            value = cells.get(header)
            if fieldname is None:
                text = as_text(value)
                if text is not None:
                    rec["attrs"][header] = text
                continue
            try:
                parsed = parse_field(fieldname, value)
            except BadValue as exc:
                problems.append(table.problem(str(exc), row=row, column=header, record=f"node {node_id!r}"))
                continue
            if parsed is not None:
                rec[fieldname] = parsed
        if kind == "adult" and type_key not in ("adult", "adults") and "role" not in rec:
            rec["role"] = type_text.strip().lower()
        if kind == "organisation" and "org_type" not in rec and type_key in _ORG_TYPE_OF:
            rec["org_type"] = _ORG_TYPE_OF[type_key]
            if rec["org_type"] == "anchor" and "is_anchor" not in rec:
                rec["is_anchor"] = True
        if kind == "organisation" and rec.get("org_type") is not None and rec["org_type"] not in ORG_TYPES:
            problems.append(table.problem(f"unknown organisation type {rec['org_type']!r}; expected one of "
                                          f"{', '.join(ORG_TYPES)}", row=row, record=f"node {node_id!r}"))
            continue
        if kind == "service" and type_key not in ("service", "services") and "service_type" not in rec:
            rec["service_type"] = type_text.strip().lower()
        records.append(rec)

    if lookup is not None:
        problems += _apply_postcodes(records, lookup, areas)
    else:
        for rec in records:
            if rec.get("postcode") and rec["kind"] in ("organisation", "service") and (
                    rec.get("lat") is None or rec.get("lon") is None):
                problems.append(table.problem(f"has a postcode but no latitude/longitude; give --postcodes "
                                              f"LOOKUP.csv to place this {rec['kind']} by its postcode",
                                              row=rec["_row"], column="postcode", record=rec["_record"]))
        dropped = 0
        for rec in records:
            if rec.get("postcode") and rec["kind"] in _PEOPLE:
                rec.pop("postcode")
                dropped += 1
        if dropped:
            batch.notes.append(f"{table.file}: the postcodes of {dropped} {'person were' if dropped == 1 else 'people were'} "
                               "not stored (privacy); give --postcodes to set their area from them")
    placed = []
    for rec in records:
        if rec["kind"] in ("organisation", "service") and (rec.get("lat") is None or rec.get("lon") is None) \
                and not rec.get("postcode"):
            # Kumu maps carry no coordinates: say how to give them
            problems.append(table.problem(
                f"{'an' if rec['kind'] == 'organisation' else 'a'} {rec['kind']} needs a location and this row has "
                f"none (Kumu maps have no coordinates): add Latitude and Longitude columns, or a Postcode column "
                f"and give --postcodes LOOKUP.csv", row=rec["_row"], record=rec["_record"]))
            continue
        placed.append(rec)
    records = placed
    people_with_points = [r for r in records if r["kind"] in _PEOPLE and (r.get("lat") is not None or r.get("lon") is not None)]
    if people_with_points:
        _areas_from_points(people_with_points, areas)
        batch.notes.append(f"{table.file}: {len(people_with_points)} people had coordinates; they were used "
                           "only to find the home area and not stored")
    batch.refused |= mine - {rec["id"] for rec in records}
    by_key = dict(key_of_label)
    for rec in records:
        if rec.get("postcode") is not None:
            rec["attrs"]["postcode"] = rec.pop("postcode")
        if rec.get("provider") is not None:
            rec["provider"] = _resolve(rec["provider"], state.seen_ids, by_key, existing) or rec["provider"]
            if rec["provider"] in batch.refused:
                rec["provider"] = None  # its own row is reported; not again as an "unknown provider"
        batch.add_node(node_from_record(rec), table.file, table.sheet, rec["_row"])
    by_key.update({k: k for k in mine})
    return by_key


def _apply_postcodes(records, lookup, areas):
    from socialmap.interchange.postcodes import apply_postcodes

    return apply_postcodes(records, lookup, area_codes=set(areas or ()))


def _areas_from_points(records: list[dict[str, Any]], areas: dict[str, Any] | None) -> None:
    """Set a person's missing ``area_code`` from the area their point falls in; drop the point."""
    import shapely

    codes = list(areas or {})
    tree = shapely.STRtree([areas[c].geometry for c in codes]) if codes else None
    for rec in records:
        lat, lon = rec.pop("lat", None), rec.pop("lon", None)
        if rec.get("area_code") or tree is None or lat is None or lon is None:
            continue
        hits = tree.query(shapely.Point(lon, lat), predicate="within")
        if len(hits):
            rec["area_code"] = codes[int(hits[0])]


def _resolve(name: str, ids: dict[str, int], labels: dict[str, str], existing) -> str | None:
    if name in ids:
        return name
    if name in labels:
        return labels[name]
    if existing is not None and name in existing.nodes:
        return name
    return None


#: Tie types whose unlisted end can only be an adult (a worker, a mentor, a member of staff), so
#: Kumu's habit of creating elements for labels named only in connections can be followed.
_ADULT_END = {"worker", "mentor", "employs"}


def _read_connections(table: Table, tie_types: dict[str, str], keys: dict[str, str], batch: ImportBatch,
                      existing, *, default_tie_type: str | None = None,
                      strengths: tuple[dict[str, int], Any] = ({}, None), merge_duplicates: bool = False,
                      seen: dict | None = None, state: _ElementState | None = None) -> None:
    from socialmap.model.project import Node, Tie, tie_key

    problems = batch.problems
    from_col, to_col = _column(table, "from"), _column(table, "to")
    if from_col is None or to_col is None:
        problems.append(table.problem(f"needs From and To columns (its columns: {', '.join(table.headers)})", row=1))
        return
    type_col = _column(table, "type")
    if type_col is None and default_tie_type is None:
        problems.append(table.problem("has no Type (or Connection Type) column: every connection needs a type "
                                      "that maps to a tie type; or give --default-tie-type TYPE", row=1))
        return
    seen = seen if seen is not None else {}
    state = state if state is not None else _ElementState()
    strength_col = _column(table, "strength")
    context_col = _column(table, "context")
    opportunity_col = _column(table, "opportunity")
    existing_labels: dict[str, str] = {}
    if existing is not None:
        counts: dict[str, int] = {}
        for n in existing.nodes.values():
            counts[n.label] = counts.get(n.label, 0) + 1
            existing_labels[n.label] = n.id
        existing_labels = {k: v for k, v in existing_labels.items() if counts[k] == 1}
    ignored = [h for h in table.headers if h not in (from_col, to_col, type_col, strength_col, context_col,
                                                     opportunity_col)]
    if ignored:
        batch.notes.append(f"{table.file}{' sheet ' + table.sheet if table.sheet else ''}: connection columns "
                           f"not used (ties carry no such fields): {', '.join(ignored)}")

    def resolve(name: str) -> str | None:
        if name in keys:
            return keys[name]
        if existing is not None:
            if name in existing.nodes:
                return name
            if name in existing_labels:
                return existing_labels[name]
        return None

    for row, cells in table.rows:
        start = as_text(cells.get(from_col))
        ends = as_text(cells.get(to_col))
        type_text = as_text(cells.get(type_col)) if type_col else None
        bad = len(problems)
        if start is None:
            problems.append(table.problem("From is empty", row=row, column=from_col))
        if ends is None:
            problems.append(table.problem("To is empty", row=row, column=to_col))
        tie_type = None
        if type_text is None and default_tie_type is not None:
            tie_type = default_tie_type
        elif type_text is None:
            problems.append(table.problem("the type is empty; every connection needs a type (see --tie-map, "
                                          "or --default-tie-type)", row=row, column=type_col))
        else:
            tie_type = tie_types.get(norm_key(type_text))
            if tie_type is None:
                problems.append(table.problem(
                    f"unknown connection type {type_text!r}: map it to a tie type ({', '.join(TIE_TYPES)}); on the "
                    f"command line with --tie-map \"{type_text}=TYPE\"", row=row, column=type_col))
        strength = None
        if strength_col is not None:
            raw = as_text(cells.get(strength_col))
            if raw is not None:
                strength = _strength(raw, *strengths)
                if strength is None:
                    problems.append(table.problem(f"strength {raw!r} is not 1, 2, 3 or weak/medium/strong; map "
                                                  f"other words or a scale with --strength-map "
                                                  f"(e.g. \"close=3,1-5\")", row=row, column=strength_col))
        context = None
        if context_col is not None:
            raw = as_text(cells.get(context_col))
            if raw is not None:
                context = resolve(raw)
                if context is None:
                    problems.append(table.problem(f"context {raw!r} is not an element of this map or the project",
                                                  row=row, column=context_col))
        opportunity = False
        if opportunity_col is not None:
            raw = as_text(cells.get(opportunity_col))
            if raw is not None:
                from socialmap.interchange.cells import parse_bool

                try:
                    opportunity = parse_bool(raw)
                except ValueError as exc:
                    problems.append(table.problem(f"opportunity: {exc}", row=row, column=opportunity_col))

        def unlisted(name: str, column: str, row: int = row, tie_type: str | None = tie_type) -> str | None:
            """Kumu creates an element for a label named only in a connection: so do we, as an adult,
            where the tie type says that is what it is; otherwise the row is refused."""
            if tie_type in _ADULT_END and name not in batch.refused:
                keys[name] = name
                state.created.add(name)
                state.kind_of[name] = "adult"
                batch.add_node(Node(name, "adult", name, attrs={"created_from": "connection"}),
                               table.file, table.sheet, row)
                return name
            problems.append(table.problem(
                f"{name!r} is not an element of this map or the project; add it to an elements sheet (its kind "
                f"cannot be told from a {tie_type or 'untyped'} connection)", row=row, column=column))
            return None

        a = resolve(start) if start is not None else None
        if start is not None and a is None and tie_type is not None:
            a = unlisted(start, from_col)
        elif start is not None and a is None:
            problems.append(table.problem(f"{start!r} is not an element of this map or the project",
                                          row=row, column=from_col))
        targets = []
        for end in (ends or "").split("|"):
            end = end.strip()
            if not end:
                continue
            b = resolve(end)
            if b is None and tie_type is not None:
                b = unlisted(end, to_col)
            elif b is None:
                problems.append(table.problem(f"{end!r} is not an element of this map or the project",
                                              row=row, column=to_col))
            targets.append(b)
        if len(problems) > bad:
            continue
        if {a, context, *targets} & batch.refused:
            continue  # an element refused at its own row: not reported again here
        for b in targets:
            pair = tie_key(a, b)
            if pair in seen:
                first_table, first_row = seen[pair]
                if merge_duplicates:
                    state.merged_ties += 1
                    continue
                at = (f"row {first_row}" if first_table is table
                      else f"{first_table.sheet or Path(first_table.file).name} row {first_row}")
                problems.append(table.problem(
                    f"a second connection between {a!r} and {b!r} (the first at {at}); one tie per pair: "
                    f"give --merge-duplicates to merge reciprocal and repeated connections",
                    row=row, column=to_col))
                continue
            seen[pair] = (table, row)
            batch.add_tie(Tie(a, b, tie_type, context, strength, opportunity=opportunity), table.file, table.sheet, row)


# --------------------------------------------------------------------- registry
def read_kumu_import(file: str | os.PathLike, **kw: Any) -> ImportBatch:
    """``socialmap import kumu FILE``: :func:`read_kumu`."""
    return read_kumu(file, **kw)


FORMATS = (
    ImportFormat(
        "kumu", "Kumu map", "a Kumu spreadsheet (Elements and Connections)", ("*.xlsx", "*.csv"),
        "socialmap.interchange.readers.kumu:read_kumu_import",
        options=(
            Option(("file",), metavar="FILE.xlsx"),
            Option(("--connections",), metavar="CONNECTIONS.csv",
                   help="the Connections sheet, when FILE is the Elements CSV"),
            Option(("--kind-map",), metavar="MAP", help='e.g. "Young person=young_person,Organisation=organisation"'),
            Option(("--tie-map",), metavar="MAP", help='e.g. "Friend=friend,Works at=employs"'),
            Option(("--merge-duplicates",), action="store_true",
                   help="merge reciprocal or repeated connections and repeated labels instead of refusing them"),
            Option(("--default-tie-type",), metavar="TYPE", help="tie type of connections without a Type"),
            Option(("--strength-map",), metavar="MAP",
                   help='strength words and scales, e.g. "close=3,distant=1" or "1-5" (spread over 1-3)'),
        ),
        what="file", placeholder="Kumu .xlsx workbook, or its Elements sheet as .csv",
        second=("connections", "Connections CSV (only with an Elements CSV):"), order=10),
)
