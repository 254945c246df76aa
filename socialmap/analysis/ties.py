"""Tie classes: linking, bonding, bridging, institutional (SPEC section 3).

After Putnam (2000), *Bowling Alone*, and Szreter & Woolcock (2004),
"Health by association? Social capital, social theory, and the political
economy of public health", Int. J. Epidemiology 33(4).

- **linking**: a tie between a person (young person or adult) and an
  organisation or service, and any ``mentor`` or ``worker`` tie: a tie across
  a gradient of power or institutional authority.
- **bonding** / **bridging**: the remaining person–person ties; bonding when
  both ends share the same group key, bridging when the keys are known and
  differ. When either key is missing the tie is **unclassified**.
- **institutional**: ties between organisations and services.

The group key is ``area_code`` by default; any node field or imported
attribute may be chosen, or ``community``: Louvain communities (Blondel et
al. 2008) of the informal person–person network with a fixed seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialmap.analysis.arrays import (
    ADULT,
    INFORMAL_CODES,
    PROFESSIONAL_CODES,
    YP,
    GraphArrays,
    graph_arrays,
)
from socialmap.errors import InputError, Problem
from socialmap.model import NODE_FIELDS, TIE_TYPES, Project

TIE_CLASSES = ("linking", "bonding", "bridging", "institutional", "unclassified")
LINKING, BONDING, BRIDGING, INSTITUTIONAL, UNCLASSIFIED = range(5)

COMMUNITY = "community"


def group_keys(project: Project, group_by: str | None = None) -> np.ndarray:
    """Integer group key per node (array order of :func:`graph_arrays`), -1 when missing.

    ``group_by`` is ``"area_code"`` (default), ``"community"`` or the name of
    a node field or imported attribute.
    """
    group_by = group_by or project.setting("group_by") or "area_code"
    ga = graph_arrays(project)
    if group_by == "area_code":
        return ga.area.astype(np.int64)
    if group_by == COMMUNITY:
        return project.cached(f"communities:{project.setting('louvain_seed')}", lambda: _communities(project, ga))
    known = set(NODE_FIELDS) - {"attrs"}
    has_attr = group_by in known or any(group_by in n.attrs for n in project.nodes.values())
    if not has_attr:
        raise InputError(
            Problem(
                f"unknown group key {group_by!r}: use area_code, community, a node field or an imported attribute",
                field="group_by",
            )
        )
    codes: dict[object, int] = {}
    out = np.full(ga.n_nodes, -1, dtype=np.int64)
    for i, node in enumerate(project.nodes.values()):
        value = getattr(node, group_by) if group_by in known else node.attrs.get(group_by)
        if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
            continue
        out[i] = codes.setdefault(value, len(codes))
    return out


def _communities(project: Project, ga: GraphArrays) -> np.ndarray:
    """Louvain community of each person in the informal person–person network (-1 for others).

    Uses igraph's C implementation (``community_multilevel``) when igraph is
    installed, seeded through its random-number hook, and networkx's
    ``louvain_communities`` otherwise: about 2 s against a minute for 120,000
    people. Both are the method of Blondel et al. (2008) with a fixed seed
    (project setting ``louvain_seed``); they may split a network differently.
    Communities are numbered in order of their first member.
    """
    person = np.nonzero(ga.is_person())[0]
    informal = np.isin(ga.tie_type, INFORMAL_CODES)
    # renumber people 0..k-1 so organisations and services are not singletons in the graph
    local = np.full(ga.n_nodes, -1, dtype=np.int64)
    local[person] = np.arange(len(person))
    edges = np.column_stack([local[ga.tie_a[informal]], local[ga.tie_b[informal]]])
    seed = int(project.setting("louvain_seed"))
    try:
        membership = _louvain_igraph(len(person), edges, seed)
    except ImportError:
        membership = _louvain_networkx(len(person), edges, seed)
    # number communities by their first member, so the numbering does not depend on the library
    _, first = np.unique(membership, return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    out = np.full(ga.n_nodes, -1, dtype=np.int64)
    if len(person):
        out[person] = rank[np.unique(membership, return_inverse=True)[1]]
    return out


def _louvain_igraph(n: int, edges: np.ndarray, seed: int) -> np.ndarray:
    import random

    import igraph

    igraph.set_random_number_generator(random.Random(seed))
    try:
        graph = igraph.Graph(n=n, edges=edges.tolist())
        return np.asarray(graph.community_multilevel().membership, dtype=np.int64)
    finally:
        igraph.set_random_number_generator(random)


def _louvain_networkx(n: int, edges: np.ndarray, seed: int) -> np.ndarray:
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges.tolist())
    membership = np.zeros(n, dtype=np.int64)
    for c, members in enumerate(nx.community.louvain_communities(g, seed=seed)):
        membership[list(members)] = c
    return membership


def tie_class_codes(project: Project, group_by: str | None = None) -> np.ndarray:
    """Class code (index into :data:`TIE_CLASSES`) of every tie, in ``project.ties`` order."""
    ga = graph_arrays(project)
    key = group_keys(project, group_by)
    kind_a, kind_b = ga.kind[ga.tie_a], ga.kind[ga.tie_b]
    person_a = (kind_a == YP) | (kind_a == ADULT)
    person_b = (kind_b == YP) | (kind_b == ADULT)
    professional = np.isin(ga.tie_type, PROFESSIONAL_CODES)
    out = np.full(ga.n_ties, UNCLASSIFIED, dtype=np.int8)
    out[~person_a & ~person_b] = INSTITUTIONAL
    out[(person_a != person_b) | professional] = LINKING
    informal = person_a & person_b & ~professional
    ka, kb = key[ga.tie_a], key[ga.tie_b]
    known = (ka >= 0) & (kb >= 0)
    out[informal & known & (ka == kb)] = BONDING
    out[informal & known & (ka != kb)] = BRIDGING
    return out


def classify_ties(project: Project, group_by: str | None = None) -> pd.DataFrame:
    """One row per tie with its class.

    Columns ``a``, ``b``, ``type``, ``context``, ``strength``, ``tie_class``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(0, 0, 1, 1)))
    >>> p.add_area(Area("A2", "East", box(1, 0, 2, 1)))
    >>> p.add_node(Node("y1", "young_person", area_code="A1"))
    >>> p.add_node(Node("y2", "young_person", area_code="A1"))
    >>> p.add_node(Node("y3", "young_person", area_code="A2"))
    >>> p.add_node(Node("w", "adult"))
    >>> p.add_tie(Tie("y1", "y2", "friend"))   # same area: bonding
    >>> p.add_tie(Tie("y2", "y3", "friend"))   # different areas: bridging
    >>> p.add_tie(Tie("y3", "w", "family"))    # adult has no area: unclassified
    >>> p.add_tie(Tie("y1", "w", "worker"))    # professional: linking
    >>> classify_ties(p)["tie_class"].tolist()
    ['bonding', 'bridging', 'unclassified', 'linking']
    """
    codes = tie_class_codes(project, group_by)
    ties = list(project.ties.values())
    return pd.DataFrame(
        {
            "a": [t.a for t in ties],
            "b": [t.b for t in ties],
            "type": pd.Categorical([t.type for t in ties], categories=TIE_TYPES),
            "context": [t.context for t in ties],
            "strength": pd.array([t.strength for t in ties], dtype="Int64"),
            "tie_class": pd.Categorical.from_codes(codes, categories=TIE_CLASSES),
        }
    )
