"""Array view of a project for vectorised analysis (STYLE habit 10).

Nodes become integer positions; ties become two endpoint arrays with integer
type and context codes. Built once per project version and cached on the
project (``Project.cached``), so an edit invalidates it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from socialmap.model import NODE_KINDS, TIE_TYPES, Project

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

    def is_place(self) -> np.ndarray:
        return (self.kind == ORG) | (self.kind == SERVICE)


def _build(project: Project) -> GraphArrays:
    nodes = list(project.nodes.values())
    ids = np.array([n.id for n in nodes], dtype=object)
    index = {n.id: i for i, n in enumerate(nodes)}
    area_codes = list(project.areas)
    area_index = {c: i for i, c in enumerate(area_codes)}
    kind = np.fromiter((KIND_CODE[n.kind] for n in nodes), dtype=np.int8, count=len(nodes))
    area = np.fromiter(
        (area_index.get(n.area_code, -1) if n.area_code is not None else -1 for n in nodes),
        dtype=np.int32,
        count=len(nodes),
    )
    neet = np.fromiter((bool(n.neet) for n in nodes), dtype=bool, count=len(nodes))
    ties = list(project.ties.values())
    m = len(ties)
    tie_a = np.fromiter((index[t.a] for t in ties), dtype=np.int32, count=m)
    tie_b = np.fromiter((index[t.b] for t in ties), dtype=np.int32, count=m)
    tie_type = np.fromiter((TYPE_CODE[t.type] for t in ties), dtype=np.int8, count=m)
    tie_context = np.fromiter(
        (index.get(t.context, -1) if t.context is not None else -1 for t in ties), dtype=np.int32, count=m
    )
    lon = np.fromiter((np.nan if n.lon is None else n.lon for n in nodes), dtype=np.float64, count=len(nodes))
    lat = np.fromiter((np.nan if n.lat is None else n.lat for n in nodes), dtype=np.float64, count=len(nodes))
    provider = np.fromiter(
        (index.get(n.provider, -1) if n.provider is not None else -1 for n in nodes), dtype=np.int32, count=len(nodes)
    )
    is_anchor = np.fromiter(
        (n.kind == "organisation" and (bool(n.is_anchor) or n.org_type == "anchor") for n in nodes),
        dtype=bool,
        count=len(nodes),
    )
    return GraphArrays(
        ids, index, kind, area, area_codes, neet, tie_a, tie_b, tie_type, tie_context, lon, lat, provider, is_anchor
    )


def graph_arrays(project: Project) -> GraphArrays:
    """The cached :class:`GraphArrays` of ``project``'s current version."""
    return project.cached("graph_arrays", lambda: _build(project))
