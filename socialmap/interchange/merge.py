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

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
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


def build_import(batch: ImportBatch, *, base: Project | None = None, areas: list[Area] | None = None,
                 base_name: str | None = None) -> Project:
    """The project that results from ``batch``: merged into ``base``, or new over ``areas``.

    Raises one :class:`InputError` listing every problem (the batch's own, ids
    that clash with the existing project, and every rule :meth:`Project.build`
    finds), each with the file, sheet and row of the imported record.
    """
    if (base is None) == (areas is None):
        raise ValueError("give exactly one of base and areas")
    problems = list(batch.problems)
    new_nodes, new_ties = batch.nodes, batch.ties
    if base is not None:
        base_areas, base_nodes, base_ties = _copy_project_records(base)
        where = base_name or "the project"
        clashing = {n.id for n in batch.nodes if n.id in base.nodes}
        for node_id in sorted(clashing):
            problems.append(_located(Problem(f"id {node_id!r} is already in {where}", field="id",
                                             record=f"node {node_id!r}"), batch))
        new_nodes = [n for n in batch.nodes if n.id not in clashing]
        kept = []
        for tie in batch.ties:
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
    area_map = {a.code: a for a in base_areas}
    assign_areas_by_point(new_nodes, area_map)
    try:
        project = Project.build(base_areas, base_nodes + new_nodes, base_ties + new_ties, settings, scenarios,
                                place_young_people=not problems)
    except InputError as exc:
        problems += [_located(p, batch) for p in exc.problems]
    if problems:
        unique = _unique(problems)
        sheets: dict[tuple, int] = {}
        for p in unique:  # files and sheets in the order they were read
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


def _located(problem: Problem, batch: ImportBatch) -> Problem:
    origin = batch.origin.get(problem.record or "")
    if origin is None or problem.row is not None:
        return problem if problem.file else replace(problem, file=batch.source)
    file, sheet, row = origin
    return replace(problem, file=file or batch.source, sheet=sheet, row=row)


def write_project(project: Project, path: str | os.PathLike) -> None:
    """Save atomically; an existing file is replaced only once the new one is complete."""
    from socialmap.store import save_project

    save_project(project, Path(path))
