"""A project file edited elsewhere (QGIS, GDAL) into an invalid state: every problem found, each
with the fixes offered for it (SPEC 11, storage; issue 12). ``socialmap check`` lists them,
``socialmap repair`` applies the safe ones, and the window's repair view
(:mod:`socialmap.ui.repair_view`) lets a person apply them one by one, undo them, and decide
what needs a decision. All three use :class:`RepairSession`.

A **safe** fix changes nothing anyone wrote, only what can no longer stand:

- a tie to a node that is gone (deleted in QGIS) is dropped; a tie's context naming a node that
  is gone is cleared; a tie given twice (same pair, type and context) is kept once;
- a service whose provider is gone loses the provider;
- a point digitised without attributes but with a kind gets an id (``new-1``, ``new-2``...);
- a record whose area code is missing where it is needed (a young person) or names no area gets
  the area its point lies in or, when the point lies outside every area, the nearest area, if it
  is within :data:`NEAREST_SAFE_M` (a digitising slip or a boundary drawn a little tight).
  Distances are measured in the metric projection of the analysis
  (:func:`socialmap.model.metric.metric_crs_for_bounds`: EPSG:27700 for British data), never on
  longitude and latitude, and reported in metres. A young person's point is then replaced by
  their privacy placement inside that area (SPEC 8: a point digitised in QGIS may be a home);
  the site of an organisation or service stays where it was drawn (moving a real site would
  falsify every distance to it), it is only filed under the area;
- a young person whose point lies outside their home area (dragged in QGIS into the next area,
  perhaps onto where they live) is put back at their placement inside it; moving them to the
  area the point is in instead is offered as a decision;
- an organisation or service with no area code whose point lies in an area is filed under it
  (not a problem: a note, as an import does it).

What needs a person's judgement is offered but never applied by ``repair``: a kind for a point
with no kind (the window asks; ``repair`` leaves a point with neither id nor kind out of its
output, since nothing refers to it and guessing what it is would invent a record, and says so),
the type of a tie that does not fit its ends, a value out of range (cleared), a record to delete.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem, ProjectFileError
from socialmap.model.kinds import NODE_KINDS, PLACE_KINDS, TIE_TYPES, YOUNG_PERSON, tie_fits
from socialmap.model.project import (
    _FITTING,
    Area,
    Node,
    Project,
    Tie,
    area_problems,
    node_problems,
    settings_problems,
    settle_activity,
    tie_key,
    tie_problems,
)

#: Farthest a point may lie outside every area for the nearest area to be a safe fix, in metres.
#: Farther, it is more likely elsewhere on purpose or mistyped: the fix is offered, not applied.
NEAREST_SAFE_M = 1000.0
#: Node fields whose bad value may be cleared (a fix offered, not safe: the value is lost).
CLEARABLE_NODE_FIELDS = frozenset({
    "age", "neet", "activity", "role", "org_type", "sector", "employees_total", "employees_local", "spend_total",
    "spend_local", "years_in_area", "provider", "service_type", "commissioner", "contract_end", "annual_value",
    "hours_per_week", "recorded", "updated", "is_anchor", "in_work", "area_code"})


@dataclass(frozen=True)
class Change:
    """One record of the file changed: ``fields`` set on record ``index`` of ``table``
    (``"nodes"`` or ``"ties"``, in the file's order), or the record dropped (``fields`` None)."""

    table: str
    index: int
    fields: dict[str, Any] | None = None


@dataclass(frozen=True)
class Fix:
    """A fix offered for a problem.

    ``action`` says what it does ("drop the tie"), ``report`` what was done, as a line of the
    repair's report. A fix with ``choices`` needs one of them picked (a kind, a tie type, an
    area): :meth:`changes_for` gives its changes for the choice.
    """

    action: str
    report: str
    safe: bool
    changes: tuple[Change, ...] = ()
    choices: tuple[str, ...] = ()
    choose: Callable[[str], tuple[tuple[Change, ...], str]] | None = field(default=None, compare=False, repr=False)

    def changes_for(self, choice: str | None = None) -> tuple[tuple[Change, ...], str]:
        """``(changes, report line)`` of this fix (with ``choice`` when it needs one)."""
        if self.choices:
            if choice not in self.choices:
                raise InputError(Problem(f"choose one of {', '.join(self.choices)}, not {choice!r}"))
            return self.choose(choice)
        return self.changes, self.report


@dataclass(frozen=True)
class Finding:
    """A problem of the file and the fixes offered for it (the first safe one is applied by
    ``socialmap repair``). ``blocking``: the file cannot be opened while it stands (a note,
    otherwise). ``unattributed``: a point with neither id nor kind, left out by ``repair``.
    ``privacy``: a young person's point that may be where they live (SPEC 8): listed by
    :func:`check` even though the file opens."""

    problem: Problem
    fixes: tuple[Fix, ...] = ()
    blocking: bool = True
    unattributed: bool = False
    privacy: bool = False

    @property
    def safe_fix(self) -> Fix | None:
        return next((f for f in self.fixes if f.safe), None)

    @property
    def decision(self) -> str:
        """What a person has to do about it, in words."""
        if self.safe_fix is not None:
            return "safe fix"
        if self.fixes:
            return "needs a decision"
        return "edit it in QGIS (no fix here)"


@dataclass(frozen=True)
class Placed:
    """Where a point stands among the areas: ``code`` of the area it lies in (``distance_m``
    0) or of the nearest one, with the next nearest for the report."""

    code: str
    distance_m: float
    next_code: str | None
    next_distance_m: float | None
    crs: str

    def words(self) -> str:
        if self.distance_m == 0:
            return "the area its point lies in"
        out = f"the nearest area: its point lies {self.distance_m:,.0f} m outside it"
        if self.next_code is not None:
            out += f" ({self.next_code!r} is {self.next_distance_m:,.0f} m away)"
        return out + f", measured in {self.crs}"


class _Areas:
    """The project's areas projected to metres, to find the area of a point or the nearest."""

    def __init__(self, areas: dict[str, Area]) -> None:
        import numpy as np
        import shapely
        from pyproj import Transformer

        from socialmap.model.metric import metric_crs_for_bounds

        self.codes = list(areas)
        geoms = np.array([areas[c].geometry for c in self.codes], dtype=object)
        b = shapely.bounds(geoms)
        self.crs = metric_crs_for_bounds(b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
        self._to_metric = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self.projected = shapely.transform(geoms, lambda xy: np.column_stack(self._to_metric.transform(xy[:, 0], xy[:, 1])))
        self.tree = shapely.STRtree(self.projected)

    def place(self, lon: float, lat: float) -> Placed:
        import numpy as np
        import shapely

        x, y = self._to_metric.transform(lon, lat)
        point = shapely.Point(x, y)
        inside = sorted(int(i) for i in self.tree.query(point, predicate="intersects"))
        if inside:
            return Placed(self.codes[inside[0]], 0.0, None, None, self.crs)
        distance_m = shapely.distance(self.projected, point)
        order = np.argsort(distance_m, kind="stable")
        second = (self.codes[int(order[1])], float(distance_m[order[1]])) if len(order) > 1 else (None, None)
        return Placed(self.codes[int(order[0])], float(distance_m[order[0]]), *second, self.crs)


def _records(path: Path):
    """The records of the file as they are; an older schema's migrated on a copy, and another
    program's write-ahead log read from a copy too (GDAL would fold it into the file as it
    reads), so the file itself is left as it is, as opening it does."""
    import shutil
    import sqlite3
    import tempfile

    from socialmap.store.gpkg import SCHEMA_VERSION, migrate, read_records, read_schema_version

    version = read_schema_version(path)  # a newer or damaged file is refused as when opening it
    wal = Path(f"{path}-wal")
    try:
        if version >= SCHEMA_VERSION and not wal.exists():
            return read_records(path, path)
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "project.gpkg"
            shutil.copyfile(path, copy)
            if wal.exists():
                shutil.copyfile(wal, f"{copy}-wal")
            if version < SCHEMA_VERSION:
                con = sqlite3.connect(copy)
                try:
                    migrate(con, version)
                finally:
                    con.close()
            return read_records(copy, path)
    except ProjectFileError:
        raise
    except Exception as exc:  # a layer GDAL cannot read
        raise ProjectFileError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None


def _code_was(node: Node) -> str:
    return "no area code" if node.area_code is None else f"area code {node.area_code!r}"


def _where(node: Node) -> str:
    return f" at {node.lat:.5f}, {node.lon:.5f}" if node.lat is not None and node.lon is not None else ""


class RepairSession:
    """The records of a project file as they are, the problems found in them, and fixes applied
    to them and undone, in memory: the file itself is never written here.

    :meth:`findings` lists every problem with its fixes; :meth:`apply` applies a fix's changes
    and returns what :meth:`restore` needs to undo them; :meth:`project` builds the project once
    nothing blocking is left.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        areas, nodes, ties, settings, scenarios, snapshots = _records(self.path)
        for node in nodes:
            if node.kind == YOUNG_PERSON:
                settle_activity(node)  # as opening the file does
        self.areas: list[Area] = areas
        self.nodes: list[Node | None] = list(nodes)
        self.ties: list[Tie | None] = list(ties)
        self.settings, self.scenarios, self.snapshots = settings, scenarios, snapshots
        self._findings: list[Finding] | None = None
        self._located: _Areas | None = None
        self._valid_areas: dict[str, Area] | None = None
        self._node_cache: dict[int, tuple[Node, Node | None, list[Finding]]] = {}

    # ------------------------------------------------------------------ changes
    def apply(self, changes: tuple[Change, ...] | list[Change]) -> list[tuple[str, int, Any]]:
        """Apply ``changes`` (a record already dropped is skipped); returns the records as they
        were, for :meth:`restore`."""
        before: list[tuple[str, int, Any]] = []
        for change in changes:
            table = self.nodes if change.table == "nodes" else self.ties
            record = table[change.index]
            if record is None:
                continue
            before.append((change.table, change.index, record))
            table[change.index] = None if change.fields is None else replace(record, **change.fields)
        self._findings = None
        return before

    def restore(self, before: list[tuple[str, int, Any]]) -> None:
        """Undo of :meth:`apply`: the records put back as they were."""
        for table_name, index, record in reversed(before):
            (self.nodes if table_name == "nodes" else self.ties)[index] = record
        self._findings = None

    # ------------------------------------------------------------------ findings
    @property
    def valid_areas(self) -> dict[str, Area]:
        if self._valid_areas is None:
            self._valid_areas = {}
            for area in self.areas:
                if not area_problems(area) and area.code not in self._valid_areas:
                    self._valid_areas[area.code] = area
        return self._valid_areas

    def _place(self, node: Node) -> Placed | None:
        if node.lat is None or node.lon is None or not self.valid_areas:
            return None
        if self._located is None:
            self._located = _Areas(self.valid_areas)
        return self._located.place(node.lon, node.lat)

    def findings(self) -> list[Finding]:
        """Every problem of the records as they now are, with the fixes offered for each."""
        if self._findings is None:
            self._findings = self._find()
        return self._findings

    def blocking(self) -> list[Finding]:
        return [f for f in self.findings() if f.blocking]

    def _find(self) -> list[Finding]:
        source = str(self.path)
        out: list[Finding] = [Finding(replace(p, file=source)) for p in settings_problems(self.settings)]
        p = Project()
        seen_codes: set[str] = set()
        for area in self.areas:
            ps = area_problems(area)
            if area.code in seen_codes:
                ps.append(Problem("duplicate area code", record=f"area {area.code!r}", field="code"))
            seen_codes.add(area.code)
            out += [Finding(replace(pr, file=source)) for pr in ps]
        p.areas = dict(self.valid_areas)
        index_of: dict[str, int] = {}
        unnamed: list[int] = []
        for i, node in enumerate(self.nodes):
            if node is None:
                continue
            if node.id is None or not str(node.id).strip():
                unnamed.append(i)
                continue
            if node.id in p.nodes:
                out.append(Finding(Problem("duplicate id (another record has it)", file=source,
                                           record=f"nodes feature {i + 1} ({node.id!r})", field="id"),
                                   (self._drop_node(i, f"nodes feature {i + 1} ({node.id!r})"),)))
                continue
            p.nodes[node.id] = node
            index_of[node.id] = i
        taken = set(p.nodes)
        counter = 0
        new_ids: dict[int, str] = {}
        for i in unnamed:
            counter += 1
            while f"new-{counter}" in taken:
                counter += 1
            new_ids[i] = f"new-{counter}"
            taken.add(new_ids[i])
        for i in unnamed:
            out.append(self._unnamed_finding(i, new_ids[i], source))
        # A node's findings depend on the record, the areas (which no fix changes) and its
        # provider's record: kept from the last pass while those are the same objects (a fix
        # replaces a record, never changes it in place), so a fix in a city costs its ties' pass
        cache = self._node_cache
        for node_id, node in p.nodes.items():
            i = index_of[node_id]
            provider = p.nodes.get(node.provider) if node.provider is not None else None
            kept = cache.get(i)
            if kept is not None and kept[0] is node and kept[1] is provider:
                out += kept[2]
                continue
            found = self._node_findings(i, node, p, source)
            cache[i] = (node, provider, found)
            out += found
        out += self._tie_findings(p, index_of, source)
        out += self._moved_findings(p, index_of, {f.problem.record for f in out}, source)
        if not any(f.blocking for f in out):
            try:  # the whole of Project.build's rules, on copies (it fills in derived fields)
                self._build()
            except InputError as exc:
                known = {str(f.problem) for f in out}
                out += [Finding(pr) for pr in exc.problems if str(pr) not in known]
        return out

    def _drop_node(self, i: int, record: str) -> Fix:
        return Fix("delete this record", f"{record}: deleted", False, (Change("nodes", i, None),))

    def _area_fields(self, node: Node, node_id: str, placed: Placed) -> dict[str, Any]:
        fields: dict[str, Any] = {"area_code": placed.code}
        if node.kind == YOUNG_PERSON:
            from socialmap.model.placement import place_in_area

            fields["lon"], fields["lat"] = place_in_area(node_id, self.valid_areas[placed.code].geometry)
        return fields

    def _area_fix(self, i: int, node: Node, node_id: str, record: str, placed: Placed) -> Fix:
        moved = "; its point is replaced by its placement inside the area (privacy)" if node.kind == YOUNG_PERSON else ""
        action = f"put it in area {placed.code!r}, {placed.words()}"
        return Fix(action, f"{record}: {_code_was(node)} -> {placed.code!r}, {placed.words()}{moved}",
                   placed.distance_m <= NEAREST_SAFE_M, (Change("nodes", i, self._area_fields(node, node_id, placed)),))

    def _choose_area(self, i: int, node: Node, record: str) -> Fix:
        codes = tuple(self.valid_areas)

        def choose(code: str):
            placed = Placed(code, 0.0, None, None, "")
            return ((Change("nodes", i, self._area_fields(node, node.id, placed)),),
                    f"{record}: {_code_was(node)} -> {code!r} (chosen)")

        return Fix("choose the area", "", False, choices=codes, choose=choose)

    def _unnamed_finding(self, i: int, new_id: str, source: str) -> Finding:
        node = self.nodes[i]
        record = f"nodes feature {i + 1}"
        if node.kind in NODE_KINDS:
            problem = Problem(f"a point with no id{_where(node)} (digitised without attributes?)", file=source,
                              record=record, field="id")
            give = Fix(f"give it the id {new_id!r}",
                       f"{record}: a {node.kind} with no id was given the id {new_id!r}", True,
                       (Change("nodes", i, {"id": new_id, "label": node.label or new_id}),))
            return Finding(problem, (give, self._drop_node(i, record)))
        what = "no id and no kind" if node.kind is None else f"no id and an unknown kind {node.kind!r}"
        problem = Problem(f"a point with {what}{_where(node)} (digitised without attributes?): which kind it is "
                          "needs a decision", file=source, record=record, field="kind")

        def choose(kind: str):
            fields: dict[str, Any] = {"id": new_id, "kind": kind, "label": node.label or new_id}
            placed = self._place(node)
            said = ""
            # the area goes with the kind only where it would be a safe fix on its own; else the
            # record's own problem (a young person with no home area) comes next, with its choices
            near = placed is not None and placed.distance_m <= NEAREST_SAFE_M
            if near and (kind == YOUNG_PERSON or (kind in PLACE_KINDS and placed.distance_m == 0)):
                fields.update(self._area_fields(replace(node, kind=kind), new_id, placed))
                said = f", in area {placed.code!r} ({placed.words()})"
            return (Change("nodes", i, fields),), f"{record}: made a {kind} with the id {new_id!r}{said}"

        return Finding(problem, (Fix("give it a kind (and the id " + repr(new_id) + ")", "", False, choices=NODE_KINDS,
                                     choose=choose),
                                 self._drop_node(i, record)), unattributed=True)

    def _node_findings(self, i: int, node: Node, p: Project, source: str) -> list[Finding]:
        out: list[Finding] = []
        record = f"node {node.id!r}"
        problems = node_problems(node, p)
        for pr in problems:
            pr = replace(pr, file=source)
            fixes: list[Fix] = []
            if pr.field == "kind":
                def choose(kind: str, i=i, record=record):
                    return (Change("nodes", i, {"kind": kind}),), f"{record}: kind {node.kind!r} -> {kind!r} (chosen)"

                fixes.append(Fix("choose its kind", "", False, choices=NODE_KINDS, choose=choose))
            elif pr.field == "area_code":
                placed = self._place(node)
                if placed is not None:
                    if placed.distance_m > 0:
                        pr = replace(pr, reason=f"{pr.reason}; its point lies {placed.distance_m:,.0f} m outside every area")
                    fixes.append(self._area_fix(i, node, node.id, record, placed))
                if self.valid_areas and (placed is None or placed.distance_m > 0):
                    fixes.append(self._choose_area(i, node, record))
                if node.kind != YOUNG_PERSON and node.area_code is not None:
                    fixes.append(Fix("clear the area code", f"{record}: area code {node.area_code!r} cleared", False,
                                     (Change("nodes", i, {"area_code": None}),)))
            elif pr.field == "provider" and node.provider is not None and node.provider not in p.nodes:
                fixes.append(Fix("clear the provider (it is gone)",
                                 f"service {node.id!r}: provider {node.provider!r} is gone; the provider was cleared",
                                 True, (Change("nodes", i, {"provider": None}),)))
            elif pr.field in CLEARABLE_NODE_FIELDS:
                fixes.append(Fix(f"clear {pr.field}", f"{record}: {pr.field} {getattr(node, pr.field)!r} cleared", False,
                                 (Change("nodes", i, {pr.field: None}),)))
            fixes.append(self._drop_node(i, record))
            out.append(Finding(pr, tuple(fixes)))
        if (not problems and node.kind in PLACE_KINDS and node.area_code is None):
            placed = self._place(node)
            if placed is not None and placed.distance_m == 0:
                out.append(Finding(Problem(f"has no area code; its point lies in area {placed.code!r}", file=source,
                                           record=record, field="area_code"),
                                   (self._area_fix(i, node, node.id, record, placed),), blocking=False))
        return out

    def _moved_findings(self, p: Project, index_of: dict[str, int], found: set[str | None],
                        source: str) -> list[Finding]:
        """Young people whose point lies outside their home area (moved in another program): put
        back at their placement there (safe: the point of a young person is never data, only
        where the map draws them, SPEC 8), or moved to the area the point is in (a decision);
        then those whose point was moved within their home area (put back, as safely)."""
        from socialmap.model.placement import (
            off_placement,
            off_placement_problem,
            outside_home_area,
            outside_home_problem,
        )

        out: list[Finding] = []
        outside = outside_home_area(p)
        for node, lies_in in outside:
            record = f"node {node.id!r}"
            if record in found:  # its own problems come first (a fix of theirs may place it anew)
                continue
            i = index_of[node.id]
            home = Placed(node.area_code, 0.0, None, None, "")
            fixes = [Fix(f"keep it in area {node.area_code!r}: its point goes back to its placement there",
                         f"{record}: its point, moved outside its home area {node.area_code!r}, is back at its "
                         "placement there", True, (Change("nodes", i, self._area_fields(node, node.id, home)),))]
            if lies_in is not None:
                there = Placed(lies_in, 0.0, None, None, "")
                fixes.append(Fix(f"move it to area {lies_in!r}, where its point now lies (its point becomes its "
                                 "placement there)",
                                 f"{record}: area code {node.area_code!r} -> {lies_in!r}, where its point was moved",
                                 False, (Change("nodes", i, self._area_fields(node, node.id, there)),)))
            fixes.append(self._drop_node(i, record))
            out.append(Finding(outside_home_problem(node, lies_in, source), tuple(fixes)))
        # moved within the home area: the file opens (no rule is broken), but the point drawn may
        # be where they live; put back at the placement there, as safe as the fix above
        for node in off_placement(p, skip={node.id for node, _ in outside}):
            record = f"node {node.id!r}"
            if record in found:
                continue
            i = index_of[node.id]
            home = Placed(node.area_code, 0.0, None, None, "")
            back = Fix(f"put its point back at its placement in area {node.area_code!r}",
                       f"{record}: its point, moved within its home area {node.area_code!r}, is back at its "
                       "placement there", True, (Change("nodes", i, self._area_fields(node, node.id, home)),))
            out.append(Finding(off_placement_problem(node, source), (back, self._drop_node(i, record)),
                               blocking=False, privacy=True))
        return out

    def _tie_findings(self, p: Project, index_of: dict[str, int], source: str) -> list[Finding]:
        out: list[Finding] = []
        linked: dict[tuple[str, str], Tie] = {}
        provided_by: dict[str, str] = {}
        nodes = p.nodes
        for i, tie in enumerate(self.ties):
            if tie is None:
                continue
            a, b, ctx = tie.a, tie.b, tie.context
            na, nb = nodes.get(a), nodes.get(b)
            if na is not None and nb is not None:
                key = (a, b) if a <= b else (b, a)
                if (a != b and (tie.type, na.kind, nb.kind) in _FITTING and tie.type != "provides"
                        and (ctx is None or (ctx in nodes and nodes[ctx].kind in PLACE_KINDS))
                        and (tie.strength is None or tie.strength in (1, 2, 3))
                        and (tie.since is None or type(tie.since) is dt.date)
                        and (tie.until is None or type(tie.until) is dt.date)
                        and (tie.since is None or tie.until is None or tie.since <= tie.until)
                        and key not in linked):
                    linked[key] = tie  # the common case, checked inline as Project.build does
                    continue
            record = f"tie {a!r}-{b!r}"
            shown = f"{record} ({tie.type})"
            drop = Fix("drop the tie", f"{shown}: dropped", False, (Change("ties", i, None),))
            gone = [e for e, n in ((a, na), (b, nb)) if n is None]
            if gone:
                names = " and ".join(map(repr, gone))
                reason = f"unknown node{'s' if len(gone) > 1 else ''} {names} (deleted in another program?)"
                out.append(Finding(Problem(reason, file=source, record=record, field="a" if gone[0] == a else "b"),
                                   (replace(drop, safe=True, report=f"{shown}: dropped, {names} "
                                                                   f"{'is' if len(gone) == 1 else 'are'} gone"),)))
                continue
            problems = tie_problems(tie, p)
            for pr in problems:
                pr = replace(pr, file=source)
                fixes: list[Fix] = []
                if pr.field == "context":
                    gone_context = tie.context not in p.nodes
                    fixes.append(Fix("clear the context" + (" (it is gone)" if gone_context else ""),
                                     f"{record}: context {tie.context!r} "
                                     f"{'is gone' if gone_context else 'is not a service or organisation'}; "
                                     "the context was cleared", gone_context,
                                     (Change("ties", i, {"context": None}),)))
                elif pr.field == "type" and tie.a != tie.b:
                    ka, kb = p.nodes[tie.a].kind, p.nodes[tie.b].kind
                    fitting = tuple(t for t in TIE_TYPES if ka in NODE_KINDS and kb in NODE_KINDS and tie_fits(t, ka, kb)
                                    and t != "provides")
                    if fitting and tie.type != "provides":
                        def choose(t: str, i=i, record=record, old=tie.type):
                            return (Change("ties", i, {"type": t}),), f"{record}: type {old!r} -> {t!r} (chosen)"

                        fixes.append(Fix("choose its type", "", False, choices=fitting, choose=choose))
                elif pr.field in ("strength", "since", "until"):
                    fixes.append(Fix(f"clear {pr.field}", f"{record}: {pr.field} {getattr(tie, pr.field)!r} cleared",
                                     False, (Change("ties", i, {pr.field: None}),)))
                fixes.append(drop)
                out.append(Finding(pr, tuple(fixes)))
            if problems:
                continue
            key = tie_key(tie.a, tie.b)
            if key in linked:
                first = linked[key]
                same = (first.type, first.context, first.strength) == (tie.type, tie.context, tie.strength)
                out.append(Finding(Problem(f"duplicate tie: {tie.a!r} and {tie.b!r} are already tied"
                                           f"{' by the same tie' if same else f' ({first.type})'}; one tie per pair",
                                           file=source, record=record),
                                   (replace(drop, safe=same, action="drop this second tie",
                                            report=f"{shown}: the second of two identical ties dropped"),)))
                continue
            if tie.type == "provides":
                svc = tie.b if p.nodes[tie.b].kind == "service" else tie.a
                other = provided_by.get(svc)
                if other is not None:
                    out.append(Finding(Problem(f"service {svc!r} is already provided by {other!r}; a service has one "
                                               "provider", file=source, record=record, field="type"), (drop,)))
                    continue
                provided_by[svc] = tie.other(svc)
            linked[key] = tie
        return out

    # ------------------------------------------------------------------ the project
    def _build(self) -> Project:
        nodes = [replace(n, attrs=dict(n.attrs)) for n in self.nodes if n is not None and n.id]
        ties = [replace(t) for t in self.ties if t is not None]
        project = Project.build(self.areas, nodes, ties, self.settings, self.scenarios, place_young_people=False,
                                source=str(self.path))
        project.snapshots = self.snapshots
        return project

    def project(self) -> Project:
        """The project of the records as they now are (raises :class:`InputError` listing what
        still blocks it)."""
        blocking = self.blocking()
        if blocking:
            raise InputError([f.problem for f in blocking])
        return self._build()

    def apply_safe(self) -> list[str]:
        """Apply every safe fix, again while fixes make new ones possible; the report lines."""
        lines: list[str] = []
        for _ in range(10):  # a fix may reveal another (an id given shows the point's own problems)
            fixes = [f.safe_fix for f in self.findings() if f.safe_fix is not None]
            if not fixes:
                break
            for fix in fixes:
                changes, line = fix.changes_for()
                self.apply(changes)
                lines.append(line)
        return lines


def check(path: str | os.PathLike) -> list[Finding]:
    """Every problem of the project file at ``path`` that keeps it from opening, and every young
    person's point moved in another program to where they may live (``Finding.privacy``: the
    file opens with it), with the fixes offered (empty when it opens cleanly and has none)."""
    return [f for f in RepairSession(path).findings() if f.blocking or f.privacy]


@dataclass
class Repaired:
    """What ``socialmap repair`` made: the project, a line per fix, a line per point left out."""

    project: Project
    fixed: list[str]
    left_out: list[str]


def repair(path: str | os.PathLike) -> Repaired:
    """The project of the file with the safe fixes applied. Points with neither id nor kind are
    left out (reported). Raises :class:`InputError` listing what is still wrong after the fixes,
    each with what it needs (nothing is written then)."""
    session = RepairSession(path)
    fixed = session.apply_safe()
    left_out = []
    for finding in session.findings():
        if finding.unattributed:
            session.apply(next(f for f in finding.fixes if f.action == "delete this record").changes)
            left_out.append(f"{finding.problem.record}: left out, {finding.problem.reason.split(':')[0]}; which kind it "
                            "is needs a decision (open the file in the window, which asks, or give it a kind in QGIS); "
                            "the original file still has it")
    fixed += session.apply_safe()
    blocking = session.blocking()
    if blocking:
        raise InputError([replace(f.problem, reason=f"{f.problem.reason} ({_needs(f)})") for f in blocking])
    return Repaired(session.project(), fixed, left_out)


def _needs(finding: Finding) -> str:
    if finding.fixes:
        return "needs a decision: " + " or ".join(f.action for f in finding.fixes)
    return "no fix here: edit it in QGIS"
