"""Anchor presence of each organisation (SPEC section 3).

The figures a social enterprise or anchor institution puts in a bid: how much
of its employment and spend stays local, how long it has been in the area,
how many young people (and from how many areas) it reaches, and for how many
it is the only institutional link. After the anchor-institution literature
(CLES and the Preston model; Dubb, McKinley & Howard 2013, *The Anchor
Dashboard*) and the linking social capital of Szreter & Woolcock (2004).

An organisation **reaches** a young person through a tie to it (``member``),
through a service it provides (``attends``), or through one of its staff (an
adult it ``employs``) by a ``worker`` or ``mentor`` tie. Each linking tie of
a young person therefore *runs through* zero or more organisations; a young
person is a **sole link** young person of an organisation when they have at
least one linking tie and every one of them runs through it.

Each figure's **percentile** is its percentile rank among all organisations
with a value: the share of them whose value is less than or equal to this
one, times 100 (``scipy.stats.percentileofscore(kind="weak")``); null when
the organisation has no value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socialmap.analysis.arrays import ADULT, ORG, SERVICE, TYPE_CODE, YP, graph_arrays
from socialmap.analysis.measures import frame_to_json
from socialmap.analysis.ties import LINKING, tie_class_codes
from socialmap.errors import InputError, Problem
from socialmap.model import Project

#: The figures of anchor presence, each with a ``<figure>_percentile`` column.
ANCHOR_FIGURES = (
    "local_employment_share",
    "local_spend_share",
    "years_in_area",
    "young_people_reached",
    "areas_reached",
    "sole_link_young_people",
)


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """Weak percentile rank of each value among the non-null values.

    ``100 x #{j : v_j <= v_i} / #{j : v_j not null}``; ``nan`` for a null value.

    Examples
    --------
    >>> percentile_rank(np.array([10.0, 20.0, 20.0, np.nan, 40.0])).tolist()
    [25.0, 75.0, 75.0, nan, 100.0]
    """
    values = np.asarray(values, dtype=np.float64)
    out = np.full(len(values), np.nan)
    known = ~np.isnan(values)
    if known.any():
        ordered = np.sort(values[known])
        out[known] = 100.0 * np.searchsorted(ordered, values[known], side="right") / len(ordered)
    return out


def _linking_routes(project: Project) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (young person, linking tie, organisation) route, and each young person's linking tie count.

    Returns ``(person, tie, organisation, linking_ties_per_node)``; the first
    three are parallel arrays of node/tie positions, deduplicated.
    """
    ga = graph_arrays(project)
    n = ga.n_nodes
    a, b, t = ga.tie_a, ga.tie_b, ga.tie_type
    ka, kb = ga.kind[a], ga.kind[b]
    professional = (t == TYPE_CODE["worker"]) | (t == TYPE_CODE["mentor"])
    # linking does not depend on the group key: area_code is the cheap one to ask for
    linking = tie_class_codes(project, "area_code") == LINKING
    # a young person's linking ties, as (young person, other end, tie position)
    tie_ids = np.arange(len(a))
    ya, yb = linking & (ka == YP), linking & (kb == YP)
    young = np.concatenate([a[ya], b[yb]])
    other = np.concatenate([b[ya], a[yb]])
    tie = np.concatenate([tie_ids[ya], tie_ids[yb]])
    linking_ties = np.bincount(young, minlength=n)
    # employers of each adult (an adult may work for more than one organisation)
    employs = t == TYPE_CODE["employs"]
    ea, eb = a[employs], b[employs]
    adult = np.where(ga.kind[ea] == ADULT, ea, eb)
    employer = np.where(ga.kind[ea] == ADULT, eb, ea)
    order = np.argsort(adult, kind="stable")
    adult, employer = adult[order], employer[order]
    start = np.searchsorted(adult, np.arange(n), side="left")
    stop = np.searchsorted(adult, np.arange(n), side="right")
    kind_other = ga.kind[other]
    # direct: the other end is an organisation
    direct = kind_other == ORG
    parts_p, parts_t, parts_o = [young[direct]], [tie[direct]], [other[direct]]
    # via a service: its provider
    via_service = (kind_other == SERVICE) & (ga.provider[other] >= 0)
    parts_p.append(young[via_service])
    parts_t.append(tie[via_service])
    parts_o.append(ga.provider[other[via_service]].astype(np.int64))
    # via staff: a worker/mentor tie to an adult, through each of the adult's employers
    staff_tie = (kind_other == ADULT) & professional[tie]
    s_young, s_tie, s_adult = young[staff_tie], tie[staff_tie], other[staff_tie]
    n_employers = stop[s_adult] - start[s_adult]
    from socialmap.analysis.structural import _ranges

    rows = _ranges(start[s_adult], n_employers)
    parts_p.append(np.repeat(s_young, n_employers))
    parts_t.append(np.repeat(s_tie, n_employers))
    parts_o.append(employer[rows])
    person = np.concatenate(parts_p).astype(np.int64)
    tie_pos = np.concatenate(parts_t).astype(np.int64)
    org = np.concatenate(parts_o).astype(np.int64)
    # deduplicate by one integer key per route (np.unique on rows is far slower)
    n_ties = max(len(a), 1)
    key = np.unique((person * n_ties + tie_pos) * max(n, 1) + org)
    org = key % max(n, 1)
    person, tie_pos = np.divmod(key // max(n, 1), n_ties)
    return person, tie_pos, org, linking_ties


@dataclass
class AnchorResult:
    """Anchor presence of every organisation.

    Attributes
    ----------
    organisations
        Indexed by organisation id: ``label``, ``is_anchor``, the
        :data:`ANCHOR_FIGURES` and ``<figure>_percentile`` for each.
    """

    organisations: pd.DataFrame

    def to_json(self) -> dict[str, Any]:
        """The ``socialmap anchors --json`` document (SPEC section 9)."""
        columns = ["label", "is_anchor"] + [c for f in ANCHOR_FIGURES for c in (f, f"{f}_percentile")]
        return {"organisations": frame_to_json(self.organisations, columns)}


def _share(local: Any, total: Any) -> float:
    if local is None or total is None or total == 0:
        return np.nan
    return float(local) / float(total)


def anchor_presence(project: Project) -> AnchorResult:
    """Anchor presence figures of every organisation (module docstring).

    ``local_employment_share`` is ``employees_local / employees_total`` and
    ``local_spend_share`` ``spend_local / spend_total`` (null when either is
    missing or the total is 0); ``years_in_area`` as recorded;
    ``young_people_reached`` the distinct young people it reaches;
    ``areas_reached`` their distinct home areas; ``sole_link_young_people``
    those for whom it is the only institutional link.

    Examples
    --------
    y1 is a member of o1 and attends s2 (provided by o2); y2 only attends s1
    (provided by o1). o1 reaches y1 and y2 (2, from 1 area), and is y2's sole
    link; o2 reaches y1 only and is no one's sole link.

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(0, 50, 1, 51)))
    >>> p.add_node(Node("o1", "organisation", lat=50.5, lon=0.5))
    >>> p.add_node(Node("o2", "organisation", lat=50.5, lon=0.5))
    >>> p.add_node(Node("s1", "service", lat=50.5, lon=0.5, provider="o1"))
    >>> p.add_node(Node("s2", "service", lat=50.5, lon=0.5, provider="o2"))
    >>> p.add_node(Node("y1", "young_person", area_code="A1"))
    >>> p.add_node(Node("y2", "young_person", area_code="A1"))
    >>> p.add_tie(Tie("y1", "o1", "member")); p.add_tie(Tie("y1", "s2", "attends"))
    >>> p.add_tie(Tie("y2", "s1", "attends"))
    >>> orgs = anchor_presence(p).organisations
    >>> orgs[["young_people_reached", "areas_reached", "sole_link_young_people"]].values.tolist()
    [[2, 1, 1], [1, 1, 0]]
    """
    ga = graph_arrays(project)
    org_pos = np.nonzero(ga.kind == ORG)[0]
    n = ga.n_nodes
    person, _tie, org, linking_ties = _linking_routes(project)
    # reach: distinct (organisation, young person) pairs, as integer keys org * n + person
    pairs = np.unique(org * n + person)
    pair_org, pair_person = np.divmod(pairs, max(n, 1))
    reached = np.bincount(pair_org, minlength=n)
    home = ga.area[pair_person]
    n_areas = max(len(ga.area_codes), 1)
    area_pairs = np.unique(pair_org[home >= 0] * n_areas + home[home >= 0])
    areas = np.bincount(area_pairs // n_areas, minlength=n)
    # sole link: the routes through an organisation cover all the young person's linking ties
    keys, routes_through = np.unique(person * n + org, return_counts=True)
    key_person, key_org = np.divmod(keys, max(n, 1))
    sole = routes_through == linking_ties[key_person]
    sole_count = np.bincount(key_org[sole], minlength=n)
    nodes = [project.nodes[i] for i in ga.ids[org_pos]]
    frame = pd.DataFrame(
        {
            "label": [o.label for o in nodes],
            "is_anchor": ga.is_anchor[org_pos],
            "local_employment_share": [_share(o.employees_local, o.employees_total) for o in nodes],
            "local_spend_share": [_share(o.spend_local, o.spend_total) for o in nodes],
            "years_in_area": [np.nan if o.years_in_area is None else float(o.years_in_area) for o in nodes],
            "young_people_reached": reached[org_pos].astype(np.int64),
            "areas_reached": areas[org_pos].astype(np.int64),
            "sole_link_young_people": sole_count[org_pos].astype(np.int64),
        },
        index=pd.Index(ga.ids[org_pos], name="id", dtype=object),
    )
    for figure in ANCHOR_FIGURES:
        frame[f"{figure}_percentile"] = percentile_rank(frame[figure].to_numpy(dtype=np.float64))
    return AnchorResult(frame)


def reach(project: Project, org_id: str) -> dict[str, list[str]]:
    """Who and what an organisation reaches, for drawing on a map.

    Returns ``{"young_people": [...], "areas": [...], "services": [...],
    "staff": [...]}``: the young people it reaches (as in
    :func:`anchor_presence`), their home areas, the services it provides and
    the adults it employs, each sorted.
    """
    node = project.nodes.get(org_id)
    if node is None or node.kind != "organisation":
        raise InputError(Problem(f"unknown organisation {org_id!r}", field="org"))
    services = sorted(s for s in project.neighbours(org_id) if project.nodes[s].kind == "service" and project.nodes[s].provider == org_id)
    staff = sorted(
        x for x in project.neighbours(org_id)
        if project.nodes[x].kind == "adult" and project.get_tie(org_id, x).type == "employs"
    )
    young: set[str] = set()
    for x in project.neighbours(org_id):
        if project.nodes[x].kind == "young_person":
            young.add(x)
    for s in services:
        young.update(y for y in project.neighbours(s) if project.nodes[y].kind == "young_person")
    for adult in staff:
        for y in project.neighbours(adult):
            if project.nodes[y].kind == "young_person" and project.get_tie(adult, y).type in ("worker", "mentor"):
                young.add(y)
    areas = sorted({project.nodes[y].area_code for y in young if project.nodes[y].area_code is not None})
    return {"young_people": sorted(young), "areas": areas, "services": services, "staff": staff}
