"""Access to opportunity: whether a young person's network reaches work or study, and which
services make friendships across the EET/NEET divide (issue 19).

Per young person
    ``opportunity_ties`` - how many **opportunity nodes** lie within two hops (directly or
    through one intermediary); ``hops_to_opportunity`` - the length of the shortest path to
    the nearest one, searched up to :data:`MAX_HOPS` hops (null beyond).
Per area
    ``neet_with_opportunity`` - the area's NEET young people with at least one opportunity
    node within two hops; ``neet_opportunity_share`` - that count over the area's NEET young
    people (null when there are none).
Per service (after Chetty et al. 2022b)
    ``exposure`` - the share of EET young people among the attendees that its NEET attendees
    could meet there; ``friending_bias`` - one minus the share of its NEET attendees'
    friendships made there that reach EET young people, divided by that exposure.

An **opportunity node** is an adult recorded as in work (``in_work`` true, or employed by an
organisation of the project: the target of an ``employs`` tie), an organisation whose
``org_type`` is ``employer`` or ``school_college``, or the end of an **opportunity tie**
(``Tie.opportunity``, issue 16) that is not a young person: an adult, organisation or service
that a young person named as able to help them find work, training or a course (the third
prompt of the interview, :mod:`socialmap.interview`). What the young person said is taken as
it stands, as Network Canvas's name generators take a named alter: the person or place is a
route to opportunity, for them and, within two hops, for their friends. (A young person
named so is not made an opportunity node: young people's own activity is recorded.) A hop is a person-person tie of any type
or a linking tie (person to organisation or service), as for ``areas_reached``; never an
institutional tie between organisations and services. So *young person -> friend -> friend's
mother, in work* is two hops, and so is *young person -> youth club -> its youth worker*
(an adult the club's provider employs is in work).

Why two hops: Granovetter (1973, "The strength of weak ties", *American Journal of
Sociology* 78(6)) found that jobs come through acquaintances, and Rajkumar et al. (2022, "A
causal test of the strength of weak ties", *Science* 377) that moderately weak ties, such
as a friend's contact, help most in finding work. Exposure and friending bias are the
measures of Chetty et al. (2022b, "Social capital II: determinants of economic
connectedness", *Nature* 608, 122-134), with NEET young people in place of people of low
socio-economic status and EET young people in place of those of high status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from socialmap.analysis.arrays import ADULT, ORG, SERVICE, TYPE_CODE, YP, graph_arrays
from socialmap.analysis.ties import INSTITUTIONAL
from socialmap.model import Project

#: The search for the nearest opportunity stops after this many hops (``hops_to_opportunity`` null beyond).
MAX_HOPS = 4
#: Exposure and friending bias need at least this many young people attending a service:
#: with fewer, one person's friendships decide the figure (and 1..4 is the suppressed range, SPEC 8).
MIN_ATTENDEES = 5
#: Organisation types that are opportunities in themselves (work; education or training).
OPPORTUNITY_ORG_TYPES = ("employer", "school_college")
#: Tie types counted as friendships made at a service (those whose context is the service).
FRIENDSHIP_TYPES = ("friend", "peer")

#: Per-service columns, in the order of the ``services`` part of ``analyse --json``.
SERVICE_MEASURES = (
    "attendees",
    "neet_attendees",
    "eet_attendees",
    "exposure",
    "friendships_made",
    "friending_bias",
    "reason",
)
#: Per-service columns that count young people (``<5`` for 1..4 in human-facing output).
SERVICE_COUNTS_OF_YOUNG_PEOPLE = ("attendees", "neet_attendees", "eet_attendees")


def service_figures_withheld(neet_attendees: int, eet_attendees: int) -> bool:
    """True when a service's exposure and friending bias are withheld from human-facing output.

    They are withheld when its NEET or its EET attendees number 1 to 4 (shown as ``<5``): with
    the attendance shown, ``exposure = E / (N - 1)`` would give that count back (SPEC 8).

    >>> service_figures_withheld(2, 13), service_figures_withheld(5, 0), service_figures_withheld(6, 9)
    (True, False, False)
    """
    return 1 <= neet_attendees <= 4 or 1 <= eet_attendees <= 4


def opportunity_nodes(project: Project) -> np.ndarray:
    """Boolean mask (array order of :func:`~socialmap.analysis.arrays.graph_arrays`) of the opportunity nodes.

    An adult recorded as in work (``in_work`` true) or employed by an organisation of the
    project (an ``employs`` tie), an organisation of type ``employer`` or ``school_college``, or
    the end of an opportunity tie that is not a young person.

    Examples
    --------
    >>> from socialmap.model import Node, Project, Tie
    >>> p = Project()
    >>> p.add_node(Node("mum", "adult", in_work=True))
    >>> p.add_node(Node("gran", "adult"))
    >>> p.add_node(Node("coach", "adult"))
    >>> p.add_node(Node("club", "organisation", lat=50, lon=0, org_type="community_group"))
    >>> p.add_node(Node("firm", "organisation", lat=50, lon=0, org_type="employer"))
    >>> p.add_tie(Tie("club", "coach", "employs"))
    >>> opportunity_nodes(p).tolist()
    [True, False, True, False, True]

    Gran is named by a young person as someone who could help them find work:

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area
    >>> p.add_area(Area("A1", "West", box(0, 50, 1, 51)))
    >>> p.add_node(Node("yp", "young_person", area_code="A1"))
    >>> p.add_tie(Tie("yp", "gran", "family", opportunity=True))
    >>> opportunity_nodes(p).tolist()
    [True, True, True, False, True, False]
    """
    ga = graph_arrays(project)
    n = ga.n_nodes
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    nodes = project.nodes.values()
    in_work = np.fromiter((bool(node.in_work) for node in nodes), dtype=bool, count=n)
    typed = np.fromiter((node.org_type in OPPORTUNITY_ORG_TYPES for node in nodes), dtype=bool, count=n)
    employs = ga.tie_type == TYPE_CODE["employs"]
    employed = np.zeros(n, dtype=bool)
    employed[ga.tie_a[employs]] = True
    employed[ga.tie_b[employs]] = True
    out |= (ga.kind == ADULT) & (in_work | employed)
    out |= (ga.kind == ORG) & typed
    index = ga.index
    named = [index[end] for t in project.ties.values() if t.opportunity for end in (t.a, t.b)]
    if named:
        named_at = np.asarray(named, dtype=np.int64)
        out[named_at[ga.kind[named_at] != YP]] = True
    return out


def _hop_matrix(project: Project) -> sparse.csr_matrix:
    """Symmetric 0/1 adjacency of the hop graph: every tie but the institutional ones."""
    from socialmap.analysis.measures import tie_counts

    ga = graph_arrays(project)
    n = ga.n_nodes
    hop = tie_counts(project, "area_code").classes != INSTITUTIONAL  # institutional whatever the key
    rows = np.concatenate([ga.tie_a[hop], ga.tie_b[hop]])
    cols = np.concatenate([ga.tie_b[hop], ga.tie_a[hop]])
    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
    m.sum_duplicates()
    return m


def opportunity_reach(project: Project) -> tuple[np.ndarray, np.ndarray]:
    """``(opportunity_ties, hops_to_opportunity)`` of every node; meaningful for young people.

    ``opportunity_ties[i]`` is the number of distinct opportunity nodes other than *i* within
    two hops of *i*; ``hops_to_opportunity[i]`` the number of hops of the shortest path from
    *i* to an opportunity node (0 for an opportunity node itself), ``-1`` when none lies
    within :data:`MAX_HOPS`. Cached per project version.

    Examples
    --------
    y1 - y2 (friends); y2's mother m works; y3 attends club c, whose worker w is employed
    by the club's provider; y4 has only a friend, y1. So y1 reaches m through y2 (two
    hops), y2 reaches m directly, y3 reaches w through c, y4 is three hops from m.

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(0, 50, 1, 51)))
    >>> for i in (1, 2, 3, 4):
    ...     p.add_node(Node(f"y{i}", "young_person", area_code="A1"))
    >>> p.add_node(Node("m", "adult", in_work=True))
    >>> p.add_node(Node("w", "adult"))
    >>> p.add_node(Node("o", "organisation", lat=50.5, lon=0.5, org_type="charity"))
    >>> p.add_node(Node("c", "service", lat=50.5, lon=0.5, provider="o"))
    >>> for a, b, t in (("y1", "y2", "friend"), ("y2", "m", "family"), ("y3", "c", "attends"),
    ...                 ("w", "c", "attends"), ("o", "w", "employs"), ("y4", "y1", "friend")):
    ...     p.add_tie(Tie(a, b, t))
    >>> ties, hops = opportunity_reach(p)
    >>> ties[:4].tolist(), hops[:4].tolist()
    ([1, 1, 1, 0], [2, 1, 2, 3])
    """

    def build() -> tuple[np.ndarray, np.ndarray]:
        ga = graph_arrays(project)
        n = ga.n_nodes
        ties = np.zeros(n, dtype=np.int64)
        hops = np.full(n, -1, dtype=np.int64)
        target = opportunity_nodes(project)
        if n == 0 or not target.any():
            return ties, hops
        adjacency = _hop_matrix(project)
        # distinct opportunity nodes within two hops: columns of A @ O + A @ (A @ O), self removed
        opp = np.nonzero(target)[0]
        o = sparse.csr_matrix(
            (np.ones(len(opp), dtype=np.float32), (opp, np.arange(len(opp)))), shape=(n, len(opp))
        )
        one = adjacency @ o
        young = np.nonzero(ga.kind == YP)[0]
        two = (adjacency[young] @ one + one[young]).tocoo()
        ties[young] = np.bincount(two.row, minlength=len(young))  # young people are never opportunities
        # nearest opportunity: breadth-first from all opportunity nodes at once
        hops[target] = 0
        frontier = target.astype(np.float32)
        for step in range(1, MAX_HOPS + 1):
            reached = (adjacency @ frontier) > 0
            new = reached & (hops < 0)
            if not new.any():
                break
            hops[new] = step
            frontier = new.astype(np.float32)
        return ties, hops

    return project.cached("opportunity_reach", build)


def area_opportunity(project: Project) -> pd.DataFrame:
    """``neet_with_opportunity`` and ``neet_opportunity_share`` per area (project order).

    ``neet_with_opportunity``: the area's NEET young people with ``opportunity_ties >= 1``
    (an opportunity node within two hops); ``neet_opportunity_share``: that over the area's
    NEET young people, NaN when it has none.
    """
    ga = graph_arrays(project)
    n_areas = len(ga.area_codes)
    ties, _ = opportunity_reach(project)
    neet = (ga.kind == YP) & ga.neet & (ga.area >= 0)
    total = np.bincount(ga.area[neet], minlength=n_areas)
    reached = np.bincount(ga.area[neet & (ties > 0)], minlength=n_areas)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, reached / np.maximum(total, 1), np.nan)
    return pd.DataFrame(
        {"neet_with_opportunity": reached.astype(np.int64), "neet_opportunity_share": share},
        index=pd.Index(ga.area_codes, name="code", dtype=object),
    )


def service_exposure(project: Project, min_attendees: int = MIN_ATTENDEES) -> pd.DataFrame:
    """Exposure and friending bias of every service (after Chetty et al. 2022b), indexed by id.

    For a service *s* with *N* young people attending (``attends`` ties), *E* of them EET
    (not NEET) and at least one NEET:

    - ``exposure = E / (N - 1)``: the share of EET young people among the others a NEET
      attendee could meet there (every NEET attendee meets the same *E* among *N - 1*);
    - for each NEET attendee with at least one friendship made there (a ``friend`` or
      ``peer`` tie to another young person whose ``context`` is *s*), the share of those
      friendships that reach an EET young person; *F* is the mean of these shares;
    - ``friending_bias = 1 - F / exposure``: 0 when NEET attendees befriend EET young people
      as often as they meet them, 1 when never, negative when more often.

    Null, with ``reason`` saying why, when fewer than ``min_attendees`` young people attend
    (both), no NEET young person attends (both), no EET young person attends (friending
    bias: nothing to be biased against), or no friendship made there by a NEET attendee is
    recorded (friending bias). ``friendships_made`` counts the NEET attendees' friendships
    made there, each tie once.

    Chetty et al. (2022b) "Social capital II: determinants of economic connectedness",
    Nature 608, 122-134: exposure is the share of high-SES members of a group, friending
    bias ``1 - (share of high-SES friends made in the group) / exposure``.

    Examples
    --------
    Club c: NEET n1, n2; EET e1, e2, e3 (N = 5, E = 3): exposure = 3/4. Friendships made
    there: n1-e1, n1-n2. n1's share to EET 1/2, n2's 0/1: F = 1/4, so friending bias
    = 1 - (1/4) / (3/4) = 2/3.

    >>> from shapely.geometry import box
    >>> from socialmap.model import Area, Node, Project, Tie
    >>> p = Project()
    >>> p.add_area(Area("A1", "West", box(0, 50, 1, 51)))
    >>> p.add_node(Node("c", "service", lat=50.5, lon=0.5))
    >>> for name, neet in (("n1", True), ("n2", True), ("e1", False), ("e2", False), ("e3", False)):
    ...     p.add_node(Node(name, "young_person", area_code="A1", neet=neet))
    ...     p.add_tie(Tie(name, "c", "attends"))
    >>> p.add_tie(Tie("n1", "e1", "friend", context="c")); p.add_tie(Tie("n1", "n2", "peer", context="c"))
    >>> row = service_exposure(p).loc["c"]
    >>> int(row["attendees"]), float(row["exposure"]), round(float(row["friending_bias"]), 4), int(row["friendships_made"])
    (5, 0.75, 0.6667, 2)
    """
    ga = graph_arrays(project)
    n = ga.n_nodes
    services = np.nonzero(ga.kind == SERVICE)[0]
    index = pd.Index(ga.ids[services], name="id", dtype=object)
    if len(services) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SERVICE_MEASURES}, index=index)
    a, b, t = ga.tie_a, ga.tie_b, ga.tie_type
    ka, kb = ga.kind[a], ga.kind[b]
    attends = t == TYPE_CODE["attends"]
    young_end = np.concatenate([a[attends & (ka == YP) & (kb == SERVICE)], b[attends & (kb == YP) & (ka == SERVICE)]])
    svc_end = np.concatenate([b[attends & (ka == YP) & (kb == SERVICE)], a[attends & (kb == YP) & (ka == SERVICE)]])
    attendees = np.bincount(svc_end, minlength=n)
    neet_att = np.bincount(svc_end[ga.neet[young_end]], minlength=n)
    eet_att = attendees - neet_att
    attending = np.unique(young_end.astype(np.int64) * n + svc_end)  # (young person, service) codes, sorted

    def attends_there(person: np.ndarray, service: np.ndarray) -> np.ndarray:
        code = person.astype(np.int64) * n + service
        if len(attending) == 0:  # nobody attends any service
            return np.zeros(len(code), dtype=bool)
        at = np.searchsorted(attending, code)
        return (at < len(attending)) & (attending[np.minimum(at, len(attending) - 1)] == code)

    friendly = np.isin(t, [TYPE_CODE[x] for x in FRIENDSHIP_TYPES]) & (ka == YP) & (kb == YP)
    ctx = ga.tie_context
    friendly &= ctx >= 0
    friendly &= ga.kind[np.maximum(ctx, 0)] == SERVICE
    i, j, where = a[friendly], b[friendly], ctx[friendly]
    # each end that is a NEET attendee of the tie's service counts the friendship, and whether it reaches EET
    from_i = ga.neet[i] & attends_there(i, where)
    from_j = ga.neet[j] & attends_there(j, where)
    ties_made = np.bincount(where[from_i | from_j], minlength=n)
    me = np.concatenate([i[from_i], j[from_j]]).astype(np.int64)
    svc = np.concatenate([where[from_i], where[from_j]]).astype(np.int64)
    to_eet = np.concatenate([~ga.neet[j[from_i]], ~ga.neet[i[from_j]]]).astype(np.float64)
    # per (NEET attendee, service): the share of their friendships made there that reach EET
    pairs, inverse = np.unique(me * n + svc, return_inverse=True)
    made = np.bincount(inverse, minlength=len(pairs))
    reaching = np.bincount(inverse, weights=to_eet, minlength=len(pairs))
    pair_service = pairs % n
    share_sum = np.bincount(pair_service, weights=reaching / np.maximum(made, 1), minlength=n)
    people = np.bincount(pair_service, minlength=n)

    rows = []
    for s in services.tolist():
        n_att, n_neet, n_eet = int(attendees[s]), int(neet_att[s]), int(eet_att[s])
        exposure = bias = None
        if n_att < min_attendees:
            reason = f"fewer than {min_attendees} young people attend"
        elif n_neet == 0:
            reason = "no NEET young person attends"
        else:
            exposure = n_eet / (n_att - 1)
            if n_eet == 0:
                reason = "no EET young person attends, so there is no friending bias to measure"
            elif people[s] == 0:
                reason = "no friendship made there by a NEET attendee is recorded (a friend or peer tie with this service as context)"
            else:
                bias = 1.0 - (share_sum[s] / people[s]) / exposure
                reason = None
        rows.append((n_att, n_neet, n_eet, exposure, int(ties_made[s]), bias, reason))
    frame = pd.DataFrame(rows, columns=list(SERVICE_MEASURES), index=index)
    for col in ("exposure", "friending_bias"):
        frame[col] = frame[col].astype(float)
    # object, not pandas' text dtype: a missing reason stays None, not NaN
    frame["reason"] = pd.Series([r[-1] for r in rows], index=index, dtype=object)
    return frame
