"""Person and area measures of social capital (SPEC section 3).

Everything is computed by array passes over the integer view of the project
(:mod:`socialmap.analysis.arrays`), so a city of 100,000 young people is
analysed in seconds. ``docs/measures.md`` explains each measure in plain
words; the docstrings here give the definitions and their sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from socialmap.analysis import geography as geo
from socialmap.analysis.arrays import ADULT, ORG, SERVICE, TYPE_CODE, YP, GraphArrays, graph_arrays
from socialmap.analysis.opportunity import (
    SERVICE_MEASURES,
    area_opportunity,
    opportunity_reach,
    service_exposure,
)
from socialmap.analysis.structural import structural_holes
from socialmap.analysis.ties import (
    BONDING,
    BRIDGING,
    INSTITUTIONAL,
    LINKING,
    TIE_CLASSES,
    tie_class_codes,
)
from socialmap.model import Project

#: Person measures, in the order of the ``analyse --json`` document.
PERSON_MEASURES = (
    "degree",
    "bonding",
    "bridging",
    "linking",
    "areas_reached",
    "constraint",
    "effective_size",
    "isolated",
    "service_links",
    "opportunity_ties",
    "hops_to_opportunity",
)

#: Area measures (the choropleth's choices), in the order of ``analyse --json``.
AREA_MEASURES = (
    "young_people",
    "neet",
    "isolated",
    "neet_isolated",
    "neet_isolation_rate",
    "mean_bridging",
    "mean_linking",
    "ei_index",
    "eet_connectedness",
    "services_in_area",
    "nearest_service_km",
    "anchors_in_area",
    "neet_with_opportunity",
    "neet_opportunity_share",
    "not_known",  # issue 15: young people whose activity is not known (NCCIS headline figure)
)

#: Area measures that count young people (suppressed as ``<5`` for 1..4 in human-facing output).
AREA_COUNTS_OF_YOUNG_PEOPLE = ("young_people", "neet", "not_known", "isolated", "neet_isolated", "neet_with_opportunity")


def resolve_group_by(project: Project, group_by: str | None) -> str:
    """The group key in force: ``group_by``, else the project's setting, else ``area_code``."""
    return group_by or project.setting("group_by") or "area_code"


# --------------------------------------------------------------------------- ties per person
@dataclass(frozen=True)
class TieCounts:
    """Ties of each node by class (arrays in node order)."""

    classes: np.ndarray  # class code per tie
    degree: np.ndarray
    bonding: np.ndarray
    bridging: np.ndarray
    linking: np.ndarray

    @property
    def isolated(self) -> np.ndarray:
        """No bridging and no linking tie (SPEC section 3)."""
        return (self.bridging == 0) & (self.linking == 0)


def tie_counts(project: Project, group_by: str | None = None) -> TieCounts:
    """Degree and bonding, bridging and linking tie counts of every node.

    Tie classes after Putnam (2000) and Szreter & Woolcock (2004); see
    :mod:`socialmap.analysis.ties`. Cached per project version and group key.
    """
    key = resolve_group_by(project, group_by)

    def build() -> TieCounts:
        ga = graph_arrays(project)
        classes = tie_class_codes(project, key)
        n = ga.n_nodes

        def count(mask: np.ndarray | None) -> np.ndarray:
            a = ga.tie_a if mask is None else ga.tie_a[mask]
            b = ga.tie_b if mask is None else ga.tie_b[mask]
            return (np.bincount(a, minlength=n) + np.bincount(b, minlength=n)).astype(np.int64)

        return TieCounts(
            classes,
            count(None),
            count(classes == BONDING),
            count(classes == BRIDGING),
            count(classes == LINKING),
        )

    return project.cached(f"tie_counts:{key}", build)


# --------------------------------------------------------------------------- structural holes
def burt_measures(project: Project) -> tuple[np.ndarray, np.ndarray]:
    """Burt's constraint and effective size of every node on the whole graph.

    Unweighted, every tie counted, as in Burt (1992) and networkx; see
    :func:`socialmap.analysis.structural.structural_holes`. ``nan`` for a node
    without ties. Cached per project version.
    """

    def build() -> tuple[np.ndarray, np.ndarray]:
        ga = graph_arrays(project)
        return structural_holes(ga.n_nodes, ga.tie_a, ga.tie_b)

    return project.cached("burt", build)


# --------------------------------------------------------------------------- areas reached
def _matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    data = np.ones(len(rows), dtype=np.float32)
    m = sparse.csr_matrix((data, (rows, cols)), shape=shape)
    m.sum_duplicates()
    return m


#: People whose two-hop reach of areas is worked out at a time by :func:`areas_reached`.
PEOPLE_PER_PIECE = 100_000

def areas_reached(project: Project, group_by: str | None = None) -> np.ndarray:
    """Distinct home areas among the people within two hops of each person.

    A hop is a person–person tie (any type) or a linking tie (person to
    organisation or service); paths may pass through an organisation or a
    service (person -> youth club -> person is two hops) but not along an
    institutional tie. The areas are the ``area_code`` of young people and of
    adults who have one; the person's own area is excluded. ``0`` for
    organisations and services. After SPEC section 3.

    Examples
    --------
    y1 (A1) attends a club that y2 (A2) attends; y2 is a friend of y3 (A3).
    y1 reaches y2 in two hops (A2), not y3 (three hops).

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> for i in (1, 2, 3):
    ...     p.add_area(Area(f"A{i}", f"Area {i}", box(i, 50, i + 1, 51)))
    >>> for i in (1, 2, 3):
    ...     p.add_node(Node(f"y{i}", "young_person", area_code=f"A{i}"))
    >>> p.add_node(Node("club", "service", lat=50.5, lon=1.5))
    >>> p.add_tie(Tie("y1", "club", "attends")); p.add_tie(Tie("y2", "club", "attends"))
    >>> p.add_tie(Tie("y2", "y3", "friend"))
    >>> areas_reached(p)[:3].tolist()
    [1, 2, 1]
    """
    ga = graph_arrays(project)
    n = ga.n_nodes
    n_areas = len(ga.area_codes)
    out = np.zeros(n, dtype=np.int64)
    person = ga.is_person()
    if n == 0 or n_areas == 0 or not person.any():
        return out
    classes = tie_counts(project, group_by).classes
    hop = classes != INSTITUTIONAL
    adjacency = _matrix(
        np.concatenate([ga.tie_a[hop], ga.tie_b[hop]]), np.concatenate([ga.tie_b[hop], ga.tie_a[hop]]), (n, n)
    )
    placed = np.nonzero(person & (ga.area >= 0))[0]
    home = _matrix(placed, ga.area[placed], (n, n_areas))
    one_hop = adjacency @ home  # areas of neighbours, for every node
    people = np.nonzero(person)[0]
    # the people's rows of the two-hop reach made PEOPLE_PER_PIECE at a time (issue 13: all at
    # once, the matrix and its coordinates were about 0.9 GB at 1,000,000 young people); each
    # row holds each area reached once: its count, less the person's own area where reached
    for start in range(0, len(people), PEOPLE_PER_PIECE):
        rows = people[start:start + PEOPLE_PER_PIECE]
        reach = (adjacency[rows] @ one_hop + one_hop[rows]).tocsr()
        reach.sum_duplicates()
        per_row = np.diff(reach.indptr)
        row_of = np.repeat(np.arange(len(rows)), per_row)
        own = reach.indices == ga.area[rows][row_of]
        out[rows] = per_row - np.bincount(row_of[own], minlength=len(rows))
    return out


# --------------------------------------------------------------------------- service links
def service_link_matrix(project: Project) -> sparse.csr_matrix:
    """Node x node 0/1 matrix: row *i* marks the services *i* is linked to.

    A person's **service links** are the services they ``attends``, plus every
    service provided by an organisation that ``employs`` an adult with whom
    they have a ``worker`` or ``mentor`` tie (SPEC section 3).
    """
    ga = graph_arrays(project)
    n = ga.n_nodes
    a, b, t = ga.tie_a, ga.tie_b, ga.tie_type
    ka, kb = ga.kind[a], ga.kind[b]

    def pairs(mask_ab: np.ndarray, mask_ba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate([a[mask_ab], b[mask_ba]]), np.concatenate([b[mask_ab], a[mask_ba]])

    attends = t == TYPE_CODE["attends"]
    att = _matrix(*pairs(attends & (kb == SERVICE), attends & (ka == SERVICE)), (n, n))
    professional = (t == TYPE_CODE["worker"]) | (t == TYPE_CODE["mentor"])
    pro = _matrix(*pairs(professional & (kb == ADULT), professional & (ka == ADULT)), (n, n))
    employs = t == TYPE_CODE["employs"]
    emp = _matrix(*pairs(employs & (ka == ADULT), employs & (kb == ADULT)), (n, n))  # adult -> org
    provided = np.nonzero((ga.kind == SERVICE) & (ga.provider >= 0))[0]
    prov = _matrix(ga.provider[provided], provided, (n, n))  # org -> service
    links = att + pro @ (emp @ prov)
    links.data[:] = 1.0
    return links.tocsr()


def service_links(project: Project) -> np.ndarray:
    """Number of distinct services each node is linked to (see :func:`service_link_matrix`).

    Examples
    --------
    The ``small_project`` of the tests: yp1 attends s1 (1); yp3 has a
    ``worker`` tie with ad1, who is employed by o1, which provides s1 (1).

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(0, 50, 1, 51)))
    >>> p.add_node(Node("y1", "young_person", area_code="A1"))
    >>> p.add_node(Node("y3", "young_person", area_code="A1"))
    >>> p.add_node(Node("ad1", "adult"))
    >>> p.add_node(Node("o1", "organisation", lat=50.5, lon=0.5))
    >>> p.add_node(Node("s1", "service", lat=50.5, lon=0.5, provider="o1"))
    >>> p.add_node(Node("s2", "service", lat=50.5, lon=0.6, provider="o1"))
    >>> p.add_tie(Tie("y1", "s1", "attends"))
    >>> p.add_tie(Tie("o1", "ad1", "employs"))
    >>> p.add_tie(Tie("ad1", "y3", "worker"))
    >>> service_links(p)[:2].tolist()   # y3 reaches both of o1's services
    [1, 2]
    """
    ga = graph_arrays(project)
    if ga.n_nodes == 0:
        return np.zeros(0, dtype=np.int64)
    return np.diff(service_link_matrix(project).indptr).astype(np.int64)


# --------------------------------------------------------------------------- area measures
def _per_area(area: np.ndarray, values: np.ndarray | None, n_areas: int) -> np.ndarray:
    ok = area >= 0
    weights = None if values is None else values[ok].astype(np.float64)
    return np.bincount(area[ok], weights=weights, minlength=n_areas)


def ei_index(project: Project) -> np.ndarray:
    """Krackhardt–Stern E–I index of each area (project order), ``nan`` when undefined.

    ``(E - I) / (E + I)`` over the bonding and bridging ties of the area's
    young people, each tie once: E the ties whose other end lives in another
    area, I those whose other end lives in the area. A tie to someone with no
    known area is neither. The ties are the informal person–person ties
    (bonding and bridging by home area), whatever group key the rest of the
    analysis uses: E and I are about areas, so a key with gaps (a tie
    unclassified under it) must not drop a tie from them. -1 is a closed
    area, +1 one whose young people's informal ties all leave it. Krackhardt & Stern (1988), "Informal networks
    and organizational crises", Social Psychology Quarterly 51(2).

    Examples
    --------
    A1 has y1, y2 (friends: I = 1); y2's friend y3 lives in A2 (E = 1 for
    both areas). A1: (1 - 1) / 2 = 0; A2: (1 - 0) / 1 = 1.

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(0, 50, 1, 51))); p.add_area(Area("A2", "East", box(1, 50, 2, 51)))
    >>> for i, a in ((1, "A1"), (2, "A1"), (3, "A2")):
    ...     p.add_node(Node(f"y{i}", "young_person", area_code=a))
    >>> p.add_tie(Tie("y1", "y2", "friend")); p.add_tie(Tie("y2", "y3", "friend"))
    >>> ei_index(p).tolist()
    [0.0, 1.0]
    """
    ga = graph_arrays(project)
    n_areas = len(ga.area_codes)
    classes = tie_counts(project, "area_code").classes  # by home area, whatever the group key
    sel = (classes == BONDING) | (classes == BRIDGING)
    a, b = ga.tie_a[sel], ga.tie_b[sel]
    ya, yb = ga.kind[a] == YP, ga.kind[b] == YP
    ra, rb = ga.area[a], ga.area[b]
    known = (ra >= 0) & (rb >= 0)
    inside = known & (ra == rb) & (ya | yb)
    internal = np.bincount(ra[inside], minlength=n_areas).astype(np.float64)
    external = (
        np.bincount(ra[ya & known & (ra != rb)], minlength=n_areas)
        + np.bincount(rb[yb & known & (ra != rb)], minlength=n_areas)
    ).astype(np.float64)
    total = external + internal
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (external - internal) / total, np.nan)


def eet_connectedness(project: Project) -> np.ndarray:
    """EET connectedness of each area (project order), ``nan`` when undefined.

    After the economic connectedness of Chetty et al. (2022), "Social capital
    I: measurement and associations with economic mobility", Nature 608:
    2 x the mean, over the area's NEET young people who have at least one
    ``friend`` or ``peer`` tie to another young person, of the share of those
    ties that reach a young person who is not NEET. 1 means NEET young
    people's friends are as often in education or work as not.

    Examples
    --------
    n1 (NEET) has friends e1 (EET) and n2 (NEET): share 1/2; n2 (NEET) has
    only n1: share 0. Area: 2 x (1/2 + 0) / 2 = 0.5.

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(0, 50, 1, 51)))
    >>> p.add_node(Node("n1", "young_person", area_code="A1", neet=True))
    >>> p.add_node(Node("n2", "young_person", area_code="A1", neet=True))
    >>> p.add_node(Node("e1", "young_person", area_code="A1", neet=False))
    >>> p.add_tie(Tie("n1", "e1", "friend")); p.add_tie(Tie("n1", "n2", "peer"))
    >>> eet_connectedness(p).tolist()
    [0.5]
    """
    ga = graph_arrays(project)
    n, n_areas = ga.n_nodes, len(ga.area_codes)
    friendly = (ga.tie_type == TYPE_CODE["friend"]) | (ga.tie_type == TYPE_CODE["peer"])
    both_young = (ga.kind[ga.tie_a] == YP) & (ga.kind[ga.tie_b] == YP)
    sel = friendly & both_young
    a, b = ga.tie_a[sel], ga.tie_b[sel]
    ties = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    to_eet = np.bincount(a[~ga.neet[b]], minlength=n) + np.bincount(b[~ga.neet[a]], minlength=n)
    counted = (ga.kind == YP) & ga.neet & (ties > 0) & (ga.area >= 0)
    share = np.divide(to_eet, ties, out=np.zeros(n), where=ties > 0)
    people = np.bincount(ga.area[counted], minlength=n_areas).astype(np.float64)
    share_sum = np.bincount(ga.area[counted], weights=share[counted], minlength=n_areas)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(people > 0, 2.0 * share_sum / people, np.nan)


def area_isolation(project: Project, group_by: str | None = None) -> pd.DataFrame:
    """Young people, NEET, activity-not-known, isolated and NEET-isolated counts and the NEET
    isolation rate per area. ``not_known`` counts the young people whose activity is not known: NCCIS
    reporting gives it as a headline figure beside NEET (DfE, NCCIS management information
    requirement), as a large share of not known makes a low NEET count doubtful.

    The light part of :func:`analyse` that hotspots need. ``neet_isolation_rate``
    is ``neet_isolated / neet``, ``nan`` when the area has no NEET young person.
    """
    ga = graph_arrays(project)
    counts = tie_counts(project, group_by)
    n_areas = len(ga.area_codes)
    yp = ga.kind == YP
    area = np.where(yp, ga.area, -1)
    isolated = counts.isolated
    young_people = _per_area(area, None, n_areas).astype(np.int64)
    neet = _per_area(area, ga.neet, n_areas).astype(np.int64)
    not_known = _per_area(area, ga.not_known, n_areas).astype(np.int64)
    n_isolated = _per_area(area, isolated, n_areas).astype(np.int64)
    neet_isolated = _per_area(area, ga.neet & isolated, n_areas).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(neet > 0, neet_isolated / np.maximum(neet, 1), np.nan)
    return pd.DataFrame(
        {
            "young_people": young_people,
            "neet": neet,
            "not_known": not_known,
            "isolated": n_isolated,
            "neet_isolated": neet_isolated,
            "neet_isolation_rate": rate,
        },
        index=pd.Index(ga.area_codes, name="code", dtype=object),
    )


# --------------------------------------------------------------------------- the result
def json_value(v: Any) -> Any:
    """A JSON-ready Python value: numpy scalars unwrapped, NaN as None."""
    if v is None:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) or math.isinf(v) else float(v)
    if v is pd.NA:
        return None
    return v


def frame_to_json(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> dict[str, dict[str, Any]]:
    """``{index: {column: value}}`` with NaN as None and plain Python numbers."""
    rows = zip(*(frame[c].tolist() for c in columns), strict=True)
    return {
        str(key): {c: json_value(v) for c, v in zip(columns, values, strict=True)}
        for key, values in zip(frame.index.tolist(), rows, strict=True)
    }


@dataclass
class AnalysisResult:
    """Person and area measures of one project version.

    Attributes
    ----------
    people
        One row per person (young people and adults), indexed by id: the
        :data:`PERSON_MEASURES` plus ``kind``, ``area_code`` and ``neet``.
        ``constraint`` and ``effective_size`` are NaN for a person without ties.
    areas
        One row per area, indexed by code: the :data:`AREA_MEASURES` plus the
        area tie counts ``bonding_ties``, ``bridging_ties`` and ``linking_ties``
        (summed over the area's young people, so a bridging tie between two
        areas counts once for each). Rates are NaN where undefined.
    summary
        Whole-project figures.
    services
        One row per service, indexed by id: attendance, ``exposure`` and ``friending_bias``
        (:func:`socialmap.analysis.opportunity.service_exposure`).
    group_by
        The group key used for bonding and bridging.
    metric_crs
        The projection distances were measured in (``None`` with no geography).
    """

    people: pd.DataFrame
    areas: pd.DataFrame
    summary: dict[str, Any]
    group_by: str
    metric_crs: str | None = None
    tie_classes: dict[str, int] = field(default_factory=dict)
    services: pd.DataFrame | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``socialmap analyse --json`` document (SPEC section 9); counts exact."""
        return {
            "people": frame_to_json(self.people, PERSON_MEASURES),
            "areas": frame_to_json(self.areas, AREA_MEASURES),
            "summary": {k: json_value(v) if not isinstance(v, dict) else v for k, v in self.summary.items()},
            "services": {} if self.services is None else frame_to_json(self.services, SERVICE_MEASURES),
        }


def analyse(project: Project, group_by: str | None = None) -> AnalysisResult:
    """Every person and area measure of SPEC section 3.

    Parameters
    ----------
    project
        The project (not changed).
    group_by
        Group key for bonding/bridging: ``"area_code"`` (default, or the
        project's ``group_by`` setting), ``"community"`` (Louvain, fixed
        seed) or a node field or imported attribute. An unknown key raises
        :class:`~socialmap.errors.InputError`.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(-2.30, 53.40, -2.29, 53.41)))
    >>> p.add_area(Area("A2", "East", box(-2.29, 53.40, -2.28, 53.41)))
    >>> p.add_node(Node("y1", "young_person", area_code="A1", neet=True))
    >>> p.add_node(Node("y2", "young_person", area_code="A2", neet=True))
    >>> p.add_node(Node("y3", "young_person", area_code="A2", neet=False))
    >>> p.add_tie(Tie("y1", "y2", "friend"))   # bridging: neither y1 nor y2 is isolated
    >>> p.add_tie(Tie("y2", "y3", "friend"))   # bonding: y3 is isolated
    >>> result = analyse(p)
    >>> result.people.loc[["y1", "y2", "y3"], ["bonding", "bridging", "isolated"]].values.tolist()
    [[0, 1, False], [1, 1, False], [1, 0, True]]
    >>> result.areas[["young_people", "neet", "isolated", "neet_isolation_rate"]].values.tolist()
    [[1.0, 1.0, 0.0, 0.0], [2.0, 1.0, 1.0, 0.0]]
    """
    key = resolve_group_by(project, group_by)
    ga = graph_arrays(project)
    counts = tie_counts(project, key)
    people = _people_frame(project, ga, counts, key)
    areas = _areas_frame(project, ga, counts, key)
    geography = geo.geography(project)
    by_class = np.bincount(counts.classes.astype(np.int64), minlength=len(TIE_CLASSES))
    tie_classes = {name: int(by_class[i]) for i, name in enumerate(TIE_CLASSES)}
    summary = _summary(ga, people, areas, key, geography.crs, tie_classes)
    return AnalysisResult(people, areas, summary, key, geography.crs, tie_classes, service_exposure(project))


def _people_frame(project: Project, ga: GraphArrays, counts: TieCounts, key: str) -> pd.DataFrame:
    person = np.nonzero(ga.is_person())[0]
    constraint, effective_size = burt_measures(project)
    reached = areas_reached(project, key)
    links = service_links(project)
    opp_ties, opp_hops = opportunity_reach(project)
    young = ga.kind[person] == YP
    area_codes = np.array(list(ga.area_codes) + [None], dtype=object)
    kinds = np.array(["young_person", "adult", "organisation", "service"], dtype=object)
    frame = pd.DataFrame(
        {
            "degree": counts.degree[person],
            "bonding": counts.bonding[person],
            "bridging": counts.bridging[person],
            "linking": counts.linking[person],
            "areas_reached": reached[person],
            "constraint": constraint[person],
            "effective_size": effective_size[person],
            "isolated": counts.isolated[person],
            "service_links": links[person],
            # per young person (null for adults); hops null when none within MAX_HOPS
            "opportunity_ties": pd.array(np.where(young, opp_ties[person], 0), dtype="Int64"),
            "hops_to_opportunity": pd.array(opp_hops[person], dtype="Int64"),
            "kind": kinds[ga.kind[person]],
            "area_code": area_codes[ga.area[person]],
            "neet": np.where(ga.kind[person] == YP, ga.neet[person], False),
        },
        index=pd.Index(ga.ids[person], name="id", dtype=object),
    )
    frame.loc[~young, "opportunity_ties"] = pd.NA
    frame["hops_to_opportunity"] = frame["hops_to_opportunity"].mask(~young | (opp_hops[person] < 0))
    return frame


def _areas_frame(project: Project, ga: GraphArrays, counts: TieCounts, key: str) -> pd.DataFrame:
    n_areas = len(ga.area_codes)
    frame = area_isolation(project, key)
    yp = ga.kind == YP
    area = np.where(yp, ga.area, -1)
    young = frame["young_people"].to_numpy().astype(np.float64)
    bonding_ties = _per_area(area, counts.bonding, n_areas)
    bridging_ties = _per_area(area, counts.bridging, n_areas)
    linking_ties = _per_area(area, counts.linking, n_areas)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["mean_bridging"] = np.where(young > 0, bridging_ties / young, np.nan)
        frame["mean_linking"] = np.where(young > 0, linking_ties / young, np.nan)
    frame["ei_index"] = ei_index(project)
    frame["eet_connectedness"] = eet_connectedness(project)
    frame["services_in_area"] = geo.services_in_area(project)
    frame["nearest_service_km"] = geo.nearest_service_km(project)
    frame["anchors_in_area"] = geo.anchors_in_area(project)
    opportunity = area_opportunity(project)
    frame["neet_with_opportunity"] = opportunity["neet_with_opportunity"].to_numpy()
    frame["neet_opportunity_share"] = opportunity["neet_opportunity_share"].to_numpy()
    frame["not_known"] = frame.pop("not_known")  # in the order of AREA_MEASURES (it came after SPEC 9's)
    frame["bonding_ties"] = bonding_ties.astype(np.int64)
    frame["bridging_ties"] = bridging_ties.astype(np.int64)
    frame["linking_ties"] = linking_ties.astype(np.int64)
    return frame


def _summary(
    ga: GraphArrays,
    people: pd.DataFrame,
    areas: pd.DataFrame,
    key: str,
    crs: str | None,
    tie_classes: dict[str, int],
) -> dict[str, Any]:
    young = people[people["kind"] == "young_person"]
    n_young = len(young)
    neet = int(young["neet"].sum())
    isolated = int(young["isolated"].sum())
    neet_isolated = int((young["neet"] & young["isolated"]).sum())
    return {
        "group_by": key,
        "areas": len(areas),
        "people": len(people),
        "young_people": n_young,
        "adults": len(people) - n_young,
        "organisations": int((ga.kind == ORG).sum()),
        "services": int((ga.kind == SERVICE).sum()),
        "neet": neet,
        "not_known": int(areas["not_known"].sum()) if "not_known" in areas else 0,
        "isolated": isolated,
        "neet_isolated": neet_isolated,
        "isolation_rate": isolated / n_young if n_young else None,
        "neet_isolation_rate": neet_isolated / neet if neet else None,
        "neet_with_opportunity": int(areas["neet_with_opportunity"].sum()),
        "neet_opportunity_share": int(areas["neet_with_opportunity"].sum()) / neet if neet else None,
        "mean_bridging": float(young["bridging"].mean()) if n_young else None,
        "mean_linking": float(young["linking"].mean()) if n_young else None,
        "ties_by_class": tie_classes,
        "metric_crs": crs,
    }
