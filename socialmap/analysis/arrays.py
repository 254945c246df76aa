"""Array view of a project for vectorised analysis (STYLE habit 10).

Nodes become integer positions; ties become two endpoint arrays with integer
type and context codes. Built once per project version and cached on the
project (``Project.cached``), so an edit invalidates it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice, repeat
from operator import attrgetter, eq, is_

import numpy as np

from socialmap.model import NODE_KINDS, TIE_TYPES, Project
from socialmap.model.project import TIE_ROWS
from socialmap.turns import let_others_run, positions

KIND_CODE = {k: i for i, k in enumerate(NODE_KINDS)}
YP, ADULT, ORG, SERVICE = (KIND_CODE[k] for k in NODE_KINDS)
TYPE_CODE = {t: i for i, t in enumerate(TIE_TYPES)}
PROFESSIONAL_CODES = np.array([TYPE_CODE["mentor"], TYPE_CODE["worker"]])
INFORMAL_CODES = np.array([TYPE_CODE[t] for t in ("family", "friend", "peer", "neighbour")])


@dataclass(frozen=True)
class GraphArrays:
    """Integer-coded nodes and ties of one project version."""

    ids: np.ndarray  # object array of node ids
    index: dict[str, int]
    kind: np.ndarray  # int8 code into NODE_KINDS
    area: np.ndarray  # int32 index into area_codes, -1 when none
    area_codes: list[str]
    neet: np.ndarray  # bool
    not_known: np.ndarray  # bool: a young person whose activity is not known (NCCIS "not known")
    tie_a: np.ndarray  # int32 node positions
    tie_b: np.ndarray
    tie_type: np.ndarray  # int8 code into TIE_TYPES
    tie_context: np.ndarray  # int32 node position, -1 when none
    lon: np.ndarray  # float64, nan when none (young people: their placed point)
    lat: np.ndarray
    provider: np.ndarray  # int32 node position of a service's provider, -1 when none
    is_anchor: np.ndarray  # bool: an organisation flagged is_anchor or of org_type "anchor"

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_ties(self) -> int:
        return len(self.tie_a)

    def is_person(self) -> np.ndarray:
        return (self.kind == YP) | (self.kind == ADULT)


#: Values per C-level pass of :func:`_codes`.
PIECE = 20_000

#: Called between pieces of long array passes (None: nothing): a window's job that makes the
#: arrays ahead of need sets it to wait while the UI thread is busy (socialmap.ui.workers).
between_pieces: Callable[[], None] | None = None


def give_way() -> None:
    """Between two pieces of a long pass: let a waiting thread run
    (:func:`socialmap.turns.let_others_run`), and :data:`between_pieces` pause it."""
    let_others_run()
    if between_pieces is not None:
        between_pieces()


def _codes(values, lookup: dict, dtype=np.int32) -> np.ndarray:
    """``lookup[value]`` for each value (-1 when absent or None) as an array.

    Made ``PIECE`` values at a time: one ``np.fromiter`` over a city's 391,000 tie ends is a
    single C call that held Python's lock 260 ms, so a window's UI thread waited that long
    while a job built the arrays."""
    values = iter(values)
    pieces = []
    while len(piece := np.fromiter(map(lookup.get, islice(values, PIECE), repeat(-1)), dtype=dtype)):
        pieces.append(piece)
        give_way()
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0] if pieces else np.zeros(0, dtype=dtype)


def _build(project: Project) -> GraphArrays:
    # map() over attrgetter and dict.get keeps the per-record work in C:
    # about 0.3 s for 125k nodes and 400k ties, against 0.65 s with generators. Each column is
    # one C call (5-10 ms at 125,000 nodes) or made in pieces, with a turn between them
    # (give_way): run back to back they held Python's lock 40-50 ms at a time in a window's job
    nodes = list(project.nodes.values())
    n = len(nodes)
    id_list = list(map(attrgetter("id"), nodes))
    ids = np.fromiter(id_list, dtype=object, count=n)  # (np.array of the list: 3 ms more, a scan)
    give_way()
    index = _index(id_list)
    area_codes = list(project.areas)
    area_index = {c: i for i, c in enumerate(area_codes)}
    kind = _codes(map(attrgetter("kind"), nodes), KIND_CODE, np.int8)
    area = _codes(map(attrgetter("area_code"), nodes), area_index)
    neet = np.fromiter(map(bool, map(attrgetter("neet"), nodes)), dtype=bool, count=n)
    give_way()
    not_known = np.fromiter(map(eq, map(attrgetter("activity"), nodes), repeat("not_known")), dtype=bool, count=n)
    give_way()
    ties = list(project.ties.values())
    known = _loaded_rows(project, id_list, ties)
    give_way()
    tie_a, tie_b, tie_context = known if known is not None else (
        _codes(map(attrgetter(end), ties), index) for end in ("a", "b", "context"))
    tie_type = _codes(map(attrgetter("type"), ties), TYPE_CODE, np.int8)
    lon = np.fromiter(map(attrgetter("lon"), nodes), dtype=np.float64, count=n)
    give_way()
    lat = np.fromiter(map(attrgetter("lat"), nodes), dtype=np.float64, count=n)
    give_way()
    provider = _codes(map(attrgetter("provider"), nodes), index)
    # only an organisation is an anchor: its two fields are read for the organisations alone
    # (a few thousand of a city's 125,000 nodes; 14 ms for all of them)
    orgs = np.flatnonzero(kind == ORG)
    org_nodes = list(map(nodes.__getitem__, orgs.tolist()))
    flagged = np.fromiter(map(bool, map(attrgetter("is_anchor"), org_nodes)), dtype=bool, count=len(orgs))
    typed = np.fromiter(map(eq, map(attrgetter("org_type"), org_nodes), repeat("anchor")), dtype=bool, count=len(orgs))
    is_anchor = np.zeros(n, dtype=bool)
    is_anchor[orgs] = flagged | typed
    return GraphArrays(
        ids, index, kind, area, area_codes, neet, not_known, tie_a, tie_b, tie_type, tie_context, lon, lat, provider, is_anchor
    )


def _index(ids: list) -> dict[str, int]:
    """``{id: position}`` of ``ids``, made ``PIECE`` ids at a time with :func:`give_way` between
    pieces (the whole of a city's 125,000 nodes in one ``dict(zip(...))`` held Python's lock 20 ms)."""
    return positions(ids, PIECE, give_way)


def _loaded_rows(project: Project, ids: list[str], ties: list) -> tuple | None:
    """``tie_a``, ``tie_b`` and ``tie_context`` of ``ties`` (the project's, in order) from the
    rows its file's loader found (:class:`socialmap.model.project.TieRows`), when they hold: the
    project's nodes are the ids the loader read, in order, and its ties begin with the records
    it made, record for record (the ties a build derived after them, a service's provides tie,
    and a view's ties in force, are looked up). None when they do not hold."""
    hit = project._cache.get(TIE_ROWS)
    if hit is None or hit[0] != project.version:
        return None
    rows = hit[1]
    n = len(rows.ties)
    if len(ties) < n or len(rows.node_ids) != len(ids) or rows.node_ids != ids:
        return None
    give_way()
    if not all(map(is_, rows.ties, ties)):
        return None
    give_way()
    index = dict(zip(rows.node_ids, range(len(ids)), strict=True)) if len(ties) > n else None
    out = []
    for name, end in (("a_row", "a"), ("b_row", "b"), ("context_row", "context")):
        give_way()
        known = np.asarray(getattr(rows, name), np.int32)
        if name == "context_row":
            known = np.where(known < 0, -1, known).astype(np.int32)  # -2: no context; -1: none found
        if index is not None:
            known = np.concatenate([known, _codes(map(attrgetter(end), ties[n:]), index)])
        out.append(known)
    return tuple(out)


def graph_arrays(project: Project) -> GraphArrays:
    """The cached :class:`GraphArrays` of ``project``'s current version."""
    return project.cached("graph_arrays", lambda: _build(project))
