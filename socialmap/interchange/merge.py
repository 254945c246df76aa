"""Turning imported records into a project: a new one, or merged into an existing
one in one transaction (SPEC sections 7 and 9).

Every importer produces an :class:`ImportBatch` (nodes, ties, and where each
came from). :func:`build_import` combines it with an existing project or a set
of areas and builds the whole result with :meth:`Project.build`, which checks
every rule and collects every problem; problems about an imported record are
given back its file, sheet and row. Nothing is written unless the whole result
is valid, and saving is atomic (:func:`socialmap.store.save_project`), so on any
problem the project file is exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

from socialmap.collection import collection_paused_in
from socialmap.errors import InputError, Problem
from socialmap.model.dates import today
from socialmap.model.project import NODE_FIELDS, Area, Node, Project, Tie

# Node fields an importer may fill from a record, with the parser for each.
_NUMBER_FIELDS = ("employees_total", "employees_local", "spend_total", "spend_local", "years_in_area",
                  "annual_value", "hours_per_week", "lat", "lon")
_TEXT_FIELDS = ("label", "area_code", "role", "org_type", "sector", "provider", "service_type", "commissioner")


@dataclass
class ImportBatch:
    """What one importer read: nodes and ties, where each came from, and notes for the user."""

    source: str
    nodes: list[Node] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    #: record text (``node 'x'`` / ``tie 'a'-'b'``) -> (file, sheet, row) it was read from
    origin: dict[str, tuple[str | None, str | None, int | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: ids of records refused at their own row: references to them are not reported again
    refused: set[str] = field(default_factory=set)
    #: the files read, in reading order: problems are listed file by file in this order
    files: list[str] = field(default_factory=list)
    #: where ``origin`` has no entry: record text -> (file, sheet, row), or None (an importer that
    #: keeps its own row index, instead of one origin string per record)
    locator: Callable[[str], tuple[str | None, str | None, int | None] | None] | None = None
    #: records with the id of one already in the project update it instead of being refused (a
    #: directory feed imported again, or a later page of it); the counts go to ``notes``
    updates: bool = False

    def add_node(self, node: Node, file: str | None, sheet: str | None, row: int | None) -> None:
        self.nodes.append(node)
        self.origin.setdefault(f"node {node.id!r}", (file, sheet, row))

    def add_tie(self, tie: Tie, file: str | None, sheet: str | None, row: int | None) -> None:
        self.ties.append(tie)
        self.origin.setdefault(f"tie {tie.a!r}-{tie.b!r}", (file, sheet, row))


def node_from_record(rec: dict[str, Any]) -> Node:
    """A :class:`Node` from a dict of already-typed node fields (unknown keys go to ``attrs``)."""
    known = set(NODE_FIELDS) - {"attrs"}
    kwargs = {k: v for k, v in rec.items() if k in known and not k.startswith("_")}
    attrs = dict(rec.get("attrs") or {})
    for k, v in rec.items():
        if k not in known and k != "attrs" and not k.startswith("_") and v is not None:
            attrs[k] = v
    return Node(**kwargs, attrs=attrs)


def stamp_imported(nodes: list[Node], on: dt.date | None = None) -> None:
    """Give imported records their dates: first recorded and last updated ``on`` (default
    today) where the file did not say (:mod:`socialmap.model.dates`)."""
    on = on or today()
    for node in nodes:
        if node.recorded is None:
            node.recorded = min(on, node.updated) if node.updated is not None else on
        if node.updated is None:
            node.updated = max(on, node.recorded)


def assign_areas_by_point(nodes: list[Node], areas: dict[str, Area]) -> None:
    """Give organisations and services with a point but no ``area_code`` the area they stand in."""
    import shapely

    todo = [n for n in nodes if n.kind in ("organisation", "service") and n.area_code is None
            and n.lat is not None and n.lon is not None]
    if not todo or not areas:
        return
    codes = list(areas)
    tree = shapely.STRtree([areas[c].geometry for c in codes])
    points = shapely.points([n.lon for n in todo], [n.lat for n in todo])
    idx_point, idx_area = tree.query(points, predicate="within")
    for i, j in zip(idx_point.tolist(), idx_area.tolist(), strict=False):
        if todo[i].area_code is None:
            todo[i].area_code = codes[j]


def _copy_project_records(base: Project) -> tuple[list[Area], list[Node], list[Tie]]:
    areas = [replace(a) for a in base.areas.values()]
    nodes = [replace(n, attrs=dict(n.attrs)) for n in base.nodes.values()]
    ties = [replace(t) for t in base.ties.values()]
    return areas, nodes, ties


def _apply_updates(batch: ImportBatch, base: Project, base_nodes: list[Node], clashing: set[str], where: str,
                   problems: list[Problem]) -> set[str]:
    """Records of ``batch`` whose id is in ``base`` replace the base's record (same kind only);
    returns the ids still clashing (another kind: refused). Adds 'N added, M updated, K
    unchanged' to the batch's notes."""
    position = {n.id: i for i, n in enumerate(base_nodes)}
    incoming = {n.id: n for n in batch.nodes}
    updated = unchanged = 0
    still = set()
    for node_id in clashing:
        old, new = base_nodes[position[node_id]], incoming[node_id]
        if old.kind != new.kind:
            still.add(node_id)
            continue
        merged = replace(new, attrs={**old.attrs, **new.attrs})
        if merged.area_code is None and old.area_code is not None:
            merged = replace(merged, area_code=old.area_code)  # derived from the point: kept, not lost
        if new.attrs.get("placed_by") == "first service" and old.lat is not None and old.lon is not None:
            # a place borrowed from whichever service came first in this page: the project's stays
            merged = replace(merged, lat=old.lat, lon=old.lon, area_code=old.area_code)
        for name in ("recorded",):  # when the record was first made stays as it was
            if hasattr(old, name):
                merged = replace(merged, **{name: getattr(old, name)})
        same = all(getattr(merged, f) == getattr(old, f) for f in NODE_FIELDS if f not in ("updated",))
        if same:
            unchanged += 1
        else:
            updated += 1
            base_nodes[position[node_id]] = merged
    added = len([n for n in batch.nodes if n.id not in base.nodes])
    batch.nodes = [n for n in batch.nodes if n.id not in clashing or n.id in still]
    batch.notes.append(f"{batch.source}: {added} added, {updated} updated, {unchanged} unchanged "
                       "(records with the same ids as the project's update them)")
    return still


def build_import(batch: ImportBatch, *, base: Project | None = None, areas: list[Area] | None = None,
                 base_name: str | None = None, assign_areas: bool = True) -> Project:
    """The project that results from ``batch``: merged into ``base``, or new over ``areas``.

    ``assign_areas`` gives organisations and services without an ``area_code``
    the area their point lies in (:func:`assign_areas_by_point`); the canonical
    CSV bundle turns it off, as its ``area_code`` column says what it means.

    Raises one :class:`InputError` listing every problem (the batch's own, ids
    that clash with the existing project, and every rule :meth:`Project.build`
    finds), each with the file, sheet and row of the imported record. A rule
    broken at a cell the batch already reported (the same file, sheet, row and
    field; or a record whose postcode could not place it) is not reported again.
    """
    if (base is None) == (areas is None):
        raise ValueError("give exactly one of base and areas")
    problems = list(batch.problems)
    new_nodes, new_ties = batch.nodes, batch.ties
    if base is not None:
        base_areas, base_nodes, base_ties = _copy_project_records(base)
        where = f"the project ({base_name})" if base_name else "the project"
        clashing = {n.id for n in batch.nodes if n.id in base.nodes}
        if batch.updates and clashing:
            clashing = _apply_updates(batch, base, base_nodes, clashing, where, problems)
        for node_id in sorted(clashing):
            problems.append(_located(Problem(f"id {node_id!r} is already in {where}", field="id",
                                             record=f"node {node_id!r}"), batch))
        new_nodes = [n for n in batch.nodes if n.id not in clashing]
        kept = []
        for tie in batch.ties:
            if batch.updates and tie.key in base.ties and base.ties[tie.key].type == tie.type:
                continue  # the same fact read again
            if tie.key in base.ties:
                problems.append(_located(Problem(
                    f"{tie.a!r} and {tie.b!r} are already tied in {where} ({base.ties[tie.key].type}); one tie per pair",
                    record=f"tie {tie.a!r}-{tie.b!r}"), batch))
            else:
                kept.append(tie)
        new_ties = kept
        settings, scenarios = dict(base.settings), dict(base.scenarios)
    else:
        base_areas, base_nodes, base_ties = list(areas), [], []
        settings, scenarios = None, None
    if assign_areas:
        assign_areas_by_point(new_nodes, {a.code: a for a in base_areas})
    stamp_imported(new_nodes)
    project = None
    try:
        project = Project.build(base_areas, base_nodes + new_nodes, base_ties + new_ties, settings, scenarios,
                                place_young_people=not problems)
    except InputError as exc:
        covered = {(p.file, p.sheet, p.row, p.field) for p in problems if p.row is not None}
        # a record whose postcode could not place it is not also told it lacks a place
        covered |= {(p.file, p.sheet, p.row, f) for p in problems
                    if p.row is not None and _is_postcode_field(p.field) for f in ("lat", "lon", "area_code")}
        for p in exc.problems:
            located = _located(p, batch)
            if located.row is not None and (located.file, located.sheet, located.row, located.field) in covered:
                continue  # the cell's own problem is already reported
            problems.append(located)
    if project is not None and base is not None:
        project.snapshots = dict(base.snapshots)
    if problems or project is None:
        unique = _unique(problems)
        sheets: dict[tuple, int] = {("", ""): 0}  # problems of no file first
        for name in batch.files:
            sheets.setdefault((name, ""), len(sheets))
        for p in unique:  # then files and sheets in the order they were read
            sheets.setdefault((p.file or "", p.sheet or ""), len(sheets))
        ordered = sorted(unique, key=lambda p: (sheets[(p.file or "", p.sheet or "")], p.row or 0))
        raise InputError(ordered)
    return project


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _is_postcode_field(name: str | None) -> bool:
    return name is not None and name.strip().lower().replace(" ", "_") in ("postcode", "post_code", "postal_code")


def _located(problem: Problem, batch: ImportBatch) -> Problem:
    origin = batch.origin.get(problem.record or "")
    if origin is None and batch.locator is not None and problem.row is None:
        origin = batch.locator(problem.record or "")
    if origin is None or problem.row is not None:
        return problem if problem.file else replace(problem, file=batch.source)
    file, sheet, row = origin
    return replace(problem, file=file or batch.source, sheet=sheet, row=row)


_NODE_TEXT = ("id", "label", "area_code", "role", "org_type", "sector", "provider", "service_type", "commissioner")


def _longest(records: list, names: tuple[str, ...]) -> int | None:
    """The length of the longest text in fields ``names`` of ``records``, in C-level passes; ``None``
    when some value is neither text nor empty (then each is judged by itself)."""
    longest = 0
    for name in names:
        try:
            longest = max(longest, max(map(len, filter(None, map(attrgetter(name), records))), default=0))
        except TypeError:
            return None
    return longest


def _too_long(batch: ImportBatch) -> list[Problem]:
    """Every id, label or text too long to read (:mod:`socialmap.interchange.limits`), at its row."""
    from socialmap.interchange.limits import (
        MAX_ID_CHARS,
        MAX_LABEL_CHARS,
        MAX_TEXT_CHARS,
        text_problem,
    )

    shortest = min(MAX_ID_CHARS, MAX_LABEL_CHARS, MAX_TEXT_CHARS)
    nodes_short = _longest(batch.nodes, _NODE_TEXT)
    ties_short = _longest(batch.ties, ("a", "b", "type", "context"))
    nodes = batch.nodes
    if nodes_short is not None and nodes_short <= shortest:
        nodes = [node for node in batch.nodes if node.attrs]  # every field is short: only attributes to judge
    problems = []
    for node in nodes:
        texts = [(name, getattr(node, name, None)) for name in _NODE_TEXT]
        texts += [(f"attribute {str(k)[:40]!r}", v) for k, v in node.attrs.items()]
        texts += [("attribute name", k) for k in node.attrs]
        for name, value in texts:
            why = text_problem(name, value)
            if why:
                shown = node.id if len(node.id) <= 60 else node.id[:60] + "..."
                problems.append(_at(Problem(why, field=name, record=f"node {shown!r}"), batch, f"node {node.id!r}"))
    for tie in batch.ties if ties_short is None or ties_short > shortest else ():
        for name in ("a", "b", "type", "context"):
            why = text_problem(name, getattr(tie, name, None))
            if why:
                record = f"tie {tie.a!r}-{tie.b!r}"
                problems.append(_at(Problem(why, field=name, record=record[:80]), batch, record))
    return problems


def _at(problem: Problem, batch: ImportBatch, record: str) -> Problem:
    origin = batch.origin.get(record)
    if origin is None and batch.locator is not None:
        origin = batch.locator(record)
    if origin is None:
        return replace(problem, file=problem.file or batch.source)
    file, sheet, row = origin
    return replace(problem, file=file or batch.source, sheet=sheet, row=row)


#: Why ``--areas`` is refused together with ``--into`` (every importer, one rule).
INTO_WITH_AREAS = ("--areas makes a new project and --into merges into an existing one, which keeps its own "
                   "areas; give one or the other, not both")


@collection_paused_in  # half a million records in bulk, no reference cycles
def import_project(
    read_batch: Callable[..., ImportBatch],
    *,
    base: Project | None = None,
    areas_path: str | os.PathLike | None = None,
    area_code_field: str | None = None,
    area_name_field: str | None = None,
    areas_layer: str | None = None,
    postcodes: str | os.PathLike | None = None,
    postcode_fields: dict[str, str | None] | None = None,
    base_name: str | None = None,
    assign_areas: bool = True,
) -> tuple[Project, list[str]]:
    """The one import flow of every importer: read the areas (new project) or take ``base``'s,
    load the postcode lookup, read the batch, build the result all or nothing.

    Parameters
    ----------
    read_batch
        Called as ``read_batch(lookup=..., areas={code: Area}, existing=base)``; returns the
        :class:`ImportBatch` of the file(s) being imported.
    base
        The project to merge into (it is not modified), or None for a new project over
        ``areas_path``. Giving both is refused (:data:`INTO_WITH_AREAS`).
    areas_path, area_code_field, area_name_field, areas_layer
        The areas file of a new project and how to read it (:func:`read_areas`).
    postcodes, postcode_fields
        A postcode lookup CSV and its column names where they differ from the ONS ones.
    base_name
        How problems name ``base`` (its file).
    assign_areas
        See :func:`build_import`.

    Returns
    -------
    The project, and the warnings to show the user.

    Raises
    ------
    InputError
        Every problem found: the areas file's and the records' own together; a refused postcode
        lookup on its own (what it would have placed cannot be judged without it).
    """
    if base is not None and areas_path is not None:
        raise InputError(Problem(INTO_WITH_AREAS))
    if base is None and areas_path is None:
        raise InputError(Problem("an areas file is needed to make a new project (--areas)"))
    warnings: list[str] = []
    problems: list[Problem] = []
    areas: list[Area] = []
    if base is None:
        from socialmap.interchange.areas import read_areas

        try:
            areas = read_areas(areas_path, area_code_field, area_name_field, layer=areas_layer, warnings=warnings)
        except InputError as exc:
            problems += exc.problems
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError, UnicodeError,
                EOFError, OverflowError) as exc:  # an areas file of a structure no check foresaw (fuzzing)
            raise InputError(problems + [Problem(f"cannot be read: its content is not as expected "
                                                 f"({type(exc).__name__}: {' '.join(str(exc).split())[:160]})",
                                                 file=str(areas_path))]) from None
    lookup = None
    if postcodes is not None:
        from socialmap.interchange.postcodes import load_postcode_lookup

        try:
            lookup = load_postcode_lookup(postcodes, **{k: v for k, v in (postcode_fields or {}).items() if v})
        except InputError as exc:
            raise InputError(problems + exc.problems) from None
    area_map = base.areas if base is not None else {a.code: a for a in areas}
    try:
        batch = read_batch(lookup=lookup, areas=area_map, existing=base)
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError, UnicodeError,
            EOFError, OverflowError) as exc:
        # a file whose structure no reader check foresaw (a number where a list belongs...): still
        # the file's fault, so one line naming it and exit 2, never a traceback (issue 11)
        raise InputError(problems + [Problem(f"cannot be read: its content is not as expected "
                                             f"({type(exc).__name__}: {' '.join(str(exc).split())[:160]})",
                                             file=getattr(read_batch, "source", None))]) from None
    too_long = _too_long(batch)
    if too_long:
        raise InputError(problems + too_long)
    if problems:  # the areas file is refused: the records' own problems with it, not what follows from it
        raise InputError(problems + _unique(batch.problems))
    if base is None:
        where = str(areas_path)
        batch.files.insert(0, where)
        for row, area in enumerate(areas, start=1):  # an areas file's features are numbered from 1
            batch.origin.setdefault(f"area {area.code!r}", (where, None, row))
    try:
        project = build_import(batch, base=base, areas=None if base is not None else areas, base_name=base_name,
                               assign_areas=assign_areas)
    except InputError as exc:
        if base is not None:
            raise
        from socialmap.interchange.areas import as_feature_problem

        # a rule broken by an area is shown at its feature of the areas file, as read_areas shows them
        where = str(areas_path)
        raise InputError([as_feature_problem(p) if p.file == where and p.row is not None else p
                          for p in exc.problems]) from None
    return project, warnings + batch.notes


def write_project(project: Project, path: str | os.PathLike, *, passphrase: str | None = None) -> None:
    """Save atomically (encrypted under ``passphrase`` when one is given); an existing file is
    replaced only once the new one is complete."""
    from socialmap.store import save_project_file

    save_project_file(project, Path(path), passphrase)
