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
from socialmap.interchange.cells import parse_int
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
    read_xlsx_tables,
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


def _column(table: Table, name: str) -> str | None:
    for h in table.headers:
        if norm_key(h) == name:
            return h
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
        tables = read_xlsx_tables(path)
        elements = _find_sheet(tables, "elements")
        links = _find_sheet(tables, "connections")
        if elements is None:
            raise InputError(Problem(f"has no Elements sheet (its sheets: {', '.join(tables) or 'none'})",
                                     file=source))
    elif path.suffix.lower() in (".csv", ".txt"):
        elements = read_csv_table(path, sheet=None)
        links = read_csv_table(connections) if connections is not None else None
    else:
        raise InputError(Problem("is not a Kumu .xlsx workbook or an Elements .csv file", file=source))

    kinds = dict(DEFAULT_KIND_MAP)
    kinds.update(kind_map if isinstance(kind_map, dict) else parse_map(kind_map, NODE_KINDS, "--kind-map"))
    tie_types = dict(DEFAULT_TIE_MAP)
    tie_types.update(tie_map if isinstance(tie_map, dict) else parse_map(tie_map, TIE_TYPES, "--tie-map"))

    batch = ImportBatch(source)
    keys = _read_elements(elements, kinds, batch, lookup, areas, existing, columns or {})
    if keys is None:
        pass  # the Elements sheet cannot be read: that is the problem to fix, not every connection
    elif links is not None:
        _read_connections(links, tie_types, keys, batch, existing)
    else:
        batch.notes.append(f"{source}: no Connections sheet; only elements were imported")
    return batch


def _read_elements(table: Table, kinds: dict[str, str], batch: ImportBatch, lookup, areas, existing,
                   columns: dict[str, str | None]) -> dict[str, str] | None:
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
              for h in table.headers if h not in (label_col, id_col, type_col)}
    records: list[dict[str, Any]] = []
    key_of_label: dict[str, str] = {}
    seen_ids: dict[str, int] = {}
    seen_labels: dict[str, int] = {}
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
            problems.append(table.problem(f"duplicate {what} {node_id!r} (first at row {seen_ids[node_id]})",
                                          row=row, column=id_col or label_col))
            continue
        seen_ids[node_id] = row
        if label in seen_labels:
            key_of_label.pop(label, None)  # ambiguous: connections must use the ID
        else:
            seen_labels[label] = row
            key_of_label[label] = node_id
        type_text = as_text(cells.get(type_col))
        if type_text is None:
            problems.append(table.problem("the type is empty; every element needs a type (see --kind-map)",
                                          row=row, column=type_col, record=f"element {label!r}"))
            continue
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
    people_with_points = [r for r in records if r["kind"] in _PEOPLE and (r.get("lat") is not None or r.get("lon") is not None)]
    if people_with_points:
        _areas_from_points(people_with_points, areas)
        batch.notes.append(f"{table.file}: {len(people_with_points)} people had coordinates; they were used "
                           "only to find the home area and not stored")
    batch.refused |= set(seen_ids) - {rec["id"] for rec in records}
    by_key = dict(key_of_label)
    for rec in records:
        if rec.get("postcode") is not None:
            rec["attrs"]["postcode"] = rec.pop("postcode")
        if rec.get("provider") is not None:
            rec["provider"] = _resolve(rec["provider"], seen_ids, by_key, existing) or rec["provider"]
            if rec["provider"] in batch.refused:
                rec["provider"] = None  # its own row is reported; not again as an "unknown provider"
        batch.add_node(node_from_record(rec), table.file, table.sheet, rec["_row"])
    by_key.update({k: k for k in seen_ids})
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


def _read_connections(table: Table, tie_types: dict[str, str], keys: dict[str, str], batch: ImportBatch,
                      existing) -> None:
    from socialmap.model.project import Tie

    problems = batch.problems
    from_col, to_col = _column(table, "from"), _column(table, "to")
    if from_col is None or to_col is None:
        problems.append(table.problem(f"needs From and To columns (its columns: {', '.join(table.headers)})", row=1))
        return
    type_col = _column(table, "type")
    if type_col is None:
        problems.append(table.problem("has no Type column: every connection needs a type that maps to a tie type",
                                      row=1))
        return
    strength_col = _column(table, "strength")
    context_col = _column(table, "context")
    existing_labels: dict[str, str] = {}
    if existing is not None:
        counts: dict[str, int] = {}
        for n in existing.nodes.values():
            counts[n.label] = counts.get(n.label, 0) + 1
            existing_labels[n.label] = n.id
        existing_labels = {k: v for k, v in existing_labels.items() if counts[k] == 1}
    ignored = [h for h in table.headers if h not in (from_col, to_col, type_col, strength_col, context_col)]
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
        type_text = as_text(cells.get(type_col))
        bad = len(problems)
        if start is None:
            problems.append(table.problem("From is empty", row=row, column=from_col))
        if ends is None:
            problems.append(table.problem("To is empty", row=row, column=to_col))
        tie_type = None
        if type_text is None:
            problems.append(table.problem("the type is empty; every connection needs a type (see --tie-map)",
                                          row=row, column=type_col))
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
                if raw.lower() in _STRENGTH_WORDS:
                    strength = _STRENGTH_WORDS[raw.lower()]
                else:
                    try:
                        strength = parse_int(raw)
                        if strength not in (1, 2, 3):
                            raise BadValue(raw)
                    except BadValue:
                        problems.append(table.problem(f"strength {raw!r} is not 1, 2, 3 or weak/medium/strong",
                                                      row=row, column=strength_col))
        context = None
        if context_col is not None:
            raw = as_text(cells.get(context_col))
            if raw is not None:
                context = resolve(raw)
                if context is None:
                    problems.append(table.problem(f"context {raw!r} is not an element of this map or the project",
                                                  row=row, column=context_col))
        a = resolve(start) if start is not None else None
        if start is not None and a is None:
            problems.append(table.problem(f"{start!r} is not an element of this map or the project",
                                          row=row, column=from_col))
        targets = []
        for end in (ends or "").split("|"):
            end = end.strip()
            if not end:
                continue
            b = resolve(end)
            if b is None:
                problems.append(table.problem(f"{end!r} is not an element of this map or the project",
                                              row=row, column=to_col))
            targets.append(b)
        if len(problems) > bad:
            continue
        if {a, context, *targets} & batch.refused:
            continue  # an element refused at its own row: not reported again here
        for b in targets:
            batch.add_tie(Tie(a, b, tie_type, context, strength), table.file, table.sheet, row)


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
        ),
        what="file", placeholder="Kumu .xlsx workbook, or its Elements sheet as .csv",
        second=("connections", "Connections CSV (only with an Elements CSV):"), order=10),
)
