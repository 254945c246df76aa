"""Exact expected impact of a commissioning scenario (SPEC section 4).

The model
---------
The changes are applied in order to a virtual copy of the project (the
project itself is never modified). What they do falls into two parts:

*Certain losses.* Removed services and organisations take every tie that
touches them; a relocation loses the ``attends`` ties of young people whose
home-area centroid is farther than the travel limit from the new site.

*Uncertain losses*, from two kinds of independent random events:

- **staff events**, one per staff member affected: a member of staff keeps
  their ``worker``/``mentor`` ties with probability ``k``: the product of the
  retention ``R`` of every transfer that moved them, and 0 once their
  service is decommissioned or their organisation closed. All the
  professional ties of one person hang on that one event: when they leave,
  they all go together.
- **context events**, one per tie whose ``context`` is a removed service or
  organisation: the tie survives with probability ``S``
  (``context_survival``).

A tie survives when all of its events go its way, so its survival
probability is the product of its factors and its expected loss is one
minus that. Expected values add (linearity of expectation), so the expected
number of lost ties of an area is the sum of its young people's tie losses.

A young person not isolated before is isolated after when every one of their
bridging and linking ties is lost. Their ties depend on separate events: a
context event belongs to one tie, and a staff event to the ties of one
member of staff, of which a young person has at most one (one tie per pair
of people, SPEC section 2). So the events behind one young person's ties
are independent and

    P(newly isolated) = prod over their bridging + linking ties t of (1 - s_t),

which is zero whenever one of those ties is untouched (``s_t = 1``). Ties
of different young people may share a staff event (a youth worker who
leaves), which does not change any expectation. The property test in
``tests/scenarios/test_property.py`` checks this against brute-force
enumeration of every outcome.

Incremental evaluation
----------------------
Everything that does not depend on the changes (integer arrays of the
graph, tie classes, node → tie and context → tie indexes in CSR form, each
young person's count of bridging and linking ties, projected area centroids
and the nearest services of each area) is built once per project version
and cached on the project. A scenario then touches only the ties incident
on removed nodes, the ties whose context is removed, the professional ties
of affected staff and the young people at the ends of those ties.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socialmap.analysis import graph_arrays, tie_class_codes
from socialmap.analysis.arrays import (
    ADULT,
    ORG,
    PROFESSIONAL_CODES,
    SERVICE,
    TYPE_CODE,
    YP,
    give_way,
)
from socialmap.analysis.ties import BONDING, BRIDGING, LINKING
from socialmap.errors import InputError, Problem, SocialMapError
from socialmap.model import NODE_KINDS, Project
from socialmap.scenarios.assumptions import distance_decay
from socialmap.scenarios.changes import (
    Change,
    Close,
    Decommission,
    Relocate,
    Scenario,
    Transfer,
    check_change_values,
    probability,
    setting_number,
    setting_probability,
)
from socialmap.scenarios.distance import nearest_km, projected_sites

#: Area columns of a scenario result, in the order of SPEC section 9.
AREA_COLUMNS = (
    "lost_bonding",
    "lost_bridging",
    "lost_linking",
    "newly_isolated",
    "newly_isolated_neet",
    "bridging_loss_pct",
    "nearest_service_km_before",
    "nearest_service_km_after",
    "flagged",
    "reasons",
)
_KNN = 16  # nearest services kept per area; more are looked up only when all of them go
_EPS = 1e-9  # flags fire at the threshold despite rounding in sums


class Cancelled(SocialMapError):
    """The caller's ``cancelled()`` returned True: the work stopped, nothing is returned."""


# ---------------------------------------------------------------------- base
#: :attr:`ScenarioBase.tie_ends` bits: the tie's a end, b end is a young person (the classes are 0-4).
_A_YOUNG, _B_YOUNG = 16, 32
@dataclass(frozen=True)
class ScenarioBase:
    """What every scenario on one project version shares, built once and cached."""

    index: dict[str, int]
    ids: np.ndarray
    kind: np.ndarray
    area: np.ndarray
    neet: np.ndarray
    yp: np.ndarray  # bool per node
    tie_a: np.ndarray
    tie_b: np.ndarray
    tie_class: np.ndarray  # int8 per tie
    #: int8 per tie: its class, plus :data:`_A_YOUNG` and :data:`_B_YOUNG` where that end is a
    #: young person (the ranking reads the three at once: one gather of a small array)
    tie_ends: np.ndarray
    tie_context: np.ndarray  # node position of each tie's context, -1 when none
    tie_professional: np.ndarray  # bool per tie: worker or mentor
    inc_ptr: np.ndarray  # CSR: node -> incident ties
    inc_ties: np.ndarray
    ctx_ptr: np.ndarray  # CSR: node -> ties with that node as context
    ctx_ties: np.ndarray
    prof_ptr: np.ndarray  # CSR: adult -> their worker/mentor ties
    prof_ties: np.ndarray
    attends_ptr: np.ndarray  # CSR: service -> attends ties of young people
    attends_ties: np.ndarray
    attends_person: np.ndarray  # the young person of each attends_ties entry
    bl_count: np.ndarray  # per node: bridging + linking ties
    area_codes: list[str]
    area_young_people: np.ndarray
    area_bonding: np.ndarray  # area tie counts before (sum over its young people)
    area_bridging: np.ndarray
    area_linking: np.ndarray
    provider: np.ndarray  # per node: provider position of a service, -1 otherwise
    services_of: dict[int, list[int]]
    emp_ptr: np.ndarray  # CSR: organisation -> its employs ties' adult and context (-1 when none)
    emp_person: np.ndarray
    emp_context: np.ndarray
    names_context: frozenset[int]  # orgs some of whose employs ties name a context
    centroid_xy: np.ndarray
    service_pos: np.ndarray  # node positions of the services with a site
    service_xy: np.ndarray
    knn_svc: np.ndarray  # (n_areas, k) node positions of nearest services
    knn_km: np.ndarray
    nearest_before_km: np.ndarray
    sites: Any
    lat: np.ndarray  # per node, degrees (nan when none)
    lon: np.ndarray

    @property
    def n_areas(self) -> int:
        return len(self.area_codes)

    def site_xy(self, node: int) -> np.ndarray | None:
        """Projected ``(x, y)`` in metres of a node's site; None when it has none."""
        lat, lon = float(self.lat[node]), float(self.lon[node])
        if math.isnan(lat) or math.isnan(lon):
            return None
        xy = self.sites.project_point(lat, lon)
        return None if np.isnan(xy).any() else xy


def _csr(keys: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``values`` grouped by ``keys`` in 0..n-1: (row pointer, values in key order, stable)."""
    import scipy.sparse as sp

    # scipy's COO -> CSR conversion is a linear-time counting sort (a stable argsort is ~7x slower)
    positions = np.arange(len(keys))
    m = sp.csr_matrix(
        (np.ones(len(keys), dtype=np.int8), (np.asarray(keys, dtype=np.int64), positions)),
        shape=(n, max(len(keys), 1)),
    )
    return m.indptr.astype(np.int64), np.asarray(values)[m.indices].astype(np.int64)


def _csr_of_ends(a: np.ndarray, b: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``_csr(concatenate([a, b]), concatenate([values, values]), n)`` made from the two halves,
    with a turn between them: for each key its values where ``a`` has it, in order, then those
    where ``b`` has it. (The whole, 782,000 tie ends of a city at once, held Python's lock
    30-80 ms.)"""
    ptr_a, of_a = _csr(a, values, n)
    give_way()
    ptr_b, of_b = _csr(b, values, n)
    give_way()
    out = np.empty(len(of_a) + len(of_b), dtype=np.int64)
    count_a = np.diff(ptr_a)
    # the i-th of a's values (in key order) of key k goes after key k's values of b before it:
    # at its own place among a's plus ptr_b[k]; the j-th of b's after all of key k's of a too
    out[np.arange(len(of_a)) + np.repeat(ptr_b[:-1], count_a)] = of_a
    give_way()
    out[np.arange(len(of_b)) + np.repeat(ptr_a[1:], np.diff(ptr_b))] = of_b
    return ptr_a + ptr_b, out


def _build_base(project: Project) -> ScenarioBase:
    ga = graph_arrays(project)
    give_way()
    cls = tie_class_codes(project)
    give_way()
    n, m = ga.n_nodes, ga.n_ties
    tie_ids = np.arange(m, dtype=np.int64)
    a = ga.tie_a.astype(np.int64)
    b = ga.tie_b.astype(np.int64)
    inc_ptr, inc_ties = _csr_of_ends(a, b, tie_ids, n)
    give_way()
    has_ctx = ga.tie_context >= 0
    ctx_ptr, ctx_ties = _csr(ga.tie_context[has_ctx].astype(np.int64), tie_ids[has_ctx], n)
    give_way()
    prof = np.isin(ga.tie_type, PROFESSIONAL_CODES)
    adult = ga.kind == ADULT
    ends, owners = [], []
    for end in (a, b):
        sel = prof & adult[end]
        ends.append(end[sel])
        owners.append(tie_ids[sel])
    prof_ptr, prof_ties = _csr(np.concatenate(ends), np.concatenate(owners), n)
    give_way()
    yp = ga.kind == YP
    attends = ga.tie_type == TYPE_CODE["attends"]
    svc_end = np.where(ga.kind[a] == SERVICE, a, b)
    person_end = np.where(ga.kind[a] == SERVICE, b, a)
    sel = attends & yp[person_end]
    attends_ptr, attends_ties = _csr(svc_end[sel], tie_ids[sel], n)
    attends_person = np.where(ga.kind[a[attends_ties]] == SERVICE, b[attends_ties], a[attends_ties])
    give_way()

    counts = {}
    for code in (BONDING, BRIDGING, LINKING):
        sel = cls == code
        counts[code] = np.bincount(a[sel], minlength=n) + np.bincount(b[sel], minlength=n)
    bl_count = np.where(yp, counts[BRIDGING] + counts[LINKING], 0)
    n_areas = len(ga.area_codes)
    yp_pos = np.nonzero(yp & (ga.area >= 0))[0]
    yp_area = ga.area[yp_pos]

    def per_area(values: np.ndarray) -> np.ndarray:
        return np.bincount(yp_area, weights=values[yp_pos].astype(float), minlength=n_areas)

    provider = np.where(ga.kind == SERVICE, ga.provider, -1).astype(np.int64)
    services_of: dict[int, list[int]] = {}
    provided = np.nonzero(provider >= 0)[0]
    for s, o in zip(provided.tolist(), provider[provided].tolist(), strict=True):
        services_of.setdefault(o, []).append(s)
    emp = np.nonzero(ga.tie_type == TYPE_CODE["employs"])[0]
    org_first = ga.kind[a[emp]] == ORG
    emp_org = np.where(org_first, a[emp], b[emp])
    emp_adult = np.where(org_first, b[emp], a[emp])
    emp_ctx = ga.tie_context[emp].astype(np.int64)
    emp_ptr, emp_order = _csr(emp_org, np.arange(len(emp)), n)
    emp_person, emp_context = emp_adult[emp_order], emp_ctx[emp_order]

    give_way()
    sites = projected_sites(project)
    give_way()
    service_pos = sites.service_nodes
    k = min(_KNN, len(service_pos))
    if k and n_areas:
        from scipy.spatial import cKDTree

        dist, idx = cKDTree(sites.service_xy).query(sites.centroid_xy, k=k)
        dist = np.asarray(dist, dtype=float).reshape(n_areas, k)
        idx = np.asarray(idx).reshape(n_areas, k)
        knn_svc, knn_km = service_pos[idx], dist / 1000.0
        nearest_before = knn_km[:, 0].copy()
    else:
        knn_svc = np.zeros((n_areas, 0), dtype=np.int64)
        knn_km = np.zeros((n_areas, 0))
        nearest_before = np.full(n_areas, np.nan)
    return ScenarioBase(
        index=ga.index,
        ids=ga.ids,
        kind=ga.kind,
        area=ga.area.astype(np.int64),
        neet=ga.neet & yp,
        yp=yp,
        tie_a=a,
        tie_b=b,
        tie_class=cls,
        tie_ends=(cls | np.where(yp[a], _A_YOUNG, 0) | np.where(yp[b], _B_YOUNG, 0)).astype(np.int8),
        tie_context=ga.tie_context.astype(np.int64),
        tie_professional=prof,
        inc_ptr=inc_ptr,
        inc_ties=inc_ties,
        ctx_ptr=ctx_ptr,
        ctx_ties=ctx_ties,
        prof_ptr=prof_ptr,
        prof_ties=prof_ties,
        attends_ptr=attends_ptr,
        attends_ties=attends_ties,
        attends_person=attends_person,
        bl_count=bl_count,
        area_codes=list(ga.area_codes),
        area_young_people=np.bincount(yp_area, minlength=n_areas),
        area_bonding=per_area(counts[BONDING]),
        area_bridging=per_area(counts[BRIDGING]),
        area_linking=per_area(counts[LINKING]),
        provider=provider,
        services_of=services_of,
        emp_ptr=emp_ptr,
        emp_person=emp_person,
        emp_context=emp_context,
        names_context=frozenset(np.unique(emp_org[emp_ctx >= 0]).tolist()),
        centroid_xy=sites.centroid_xy,
        service_pos=service_pos,
        service_xy=sites.service_xy,
        knn_svc=knn_svc,
        knn_km=knn_km,
        nearest_before_km=nearest_before,
        sites=sites,
        lat=ga.lat,
        lon=ga.lon,
    )


def scenario_base(project: Project) -> ScenarioBase:
    """The cached :class:`ScenarioBase` of ``project``'s current version (and group key setting)."""
    key = f"scenario_base:{project.setting('group_by')}"
    return project.cached(key, lambda: _build_base(project))


# ---------------------------------------------------------------------- applying changes
@dataclass(frozen=True)
class Assumptions:
    """The values of the assumptions one evaluation uses (see :mod:`.assumptions`).

    ``context_survival`` is always given. The others are None to keep each
    change's own value (the retention of each transfer, the travel limit or
    half-distance of each relocation, the staff-travel half-distance of each
    transfer that uses it); a number overrides them all, as the sensitivity
    runs do. An override of ``staff_half_km`` touches only the transfers
    that use staff travel.
    """

    context_survival: float
    retention: float | None = None
    max_travel_km: float | None = None
    half_km: float | None = None
    staff_half_km: float | None = None


@dataclass(frozen=True)
class TransferEvent:
    """One transfer's chance that each member of its staff stays.

    ``provider_km`` is the distance between the old and the new provider's
    sites (NaN when either has none); with staff travel the retention is
    multiplied by :func:`distance_decay` of it.
    """

    retention: float
    staff_half_km: float | None
    provider_km: float

    def keep(self, a: Assumptions) -> float:
        r = self.retention if a.retention is None else a.retention
        if self.staff_half_km is None or math.isnan(self.provider_km):
            return r
        h = self.staff_half_km if a.staff_half_km is None else a.staff_half_km
        return r * distance_decay(self.provider_km, h)


@dataclass(frozen=True)
class RelocationEvent:
    """The ``attends`` ties of young people at one relocated service, and their journeys.

    ``before_km``/``after_km``: straight-line km from each young person's
    home-area centroid to the service's site before and after this move (a
    service with no site before counts as at 0 km: the whole journey is extra).
    """

    ties: np.ndarray
    before_km: np.ndarray
    after_km: np.ndarray
    max_travel_km: float
    travel_model: str
    half_km: float

    def survival(self, a: Assumptions) -> np.ndarray:
        """Chance that each tie survives the move: the cliff (0 or 1) or the decay curve."""
        if self.travel_model == "decay":
            h = self.half_km if a.half_km is None else a.half_km
            return np.asarray(distance_decay(self.after_km - self.before_km, h), dtype=float)
        d = self.max_travel_km if a.max_travel_km is None else a.max_travel_km
        return (self.after_km <= d).astype(float)


@dataclass
class AppliedChanges:
    """The changes applied in order to a virtual copy of the project.

    ``removed`` maps removed node positions to the (1-based) change that
    removed them; ``transfers`` the transfers in order and
    ``staff_transfers`` the transfers each affected member of staff went
    through (their chance of keeping their worker/mentor ties is the product
    of those transfers' :meth:`TransferEvent.keep`); ``let_go`` the staff
    whose service or organisation went (they keep nothing);
    ``relocations`` the relocations in order; ``location`` the last site of
    each relocated service; ``provider`` each transferred service's
    provider; ``employs`` the changed staff lists of organisations, as
    ``(person, context, moved)``: ``moved`` for staff who came with a
    service by a transfer (staff of that service only).

    None of this depends on the values of the assumptions, which is what
    lets the sensitivity runs apply the changes once.
    """

    removed: dict[int, int] = field(default_factory=dict)
    transfers: list[TransferEvent] = field(default_factory=list)
    staff_transfers: dict[int, list[int]] = field(default_factory=dict)
    let_go: set[int] = field(default_factory=set)
    relocations: list[RelocationEvent] = field(default_factory=list)
    location: dict[int, np.ndarray] = field(default_factory=dict)
    provider: dict[int, int] = field(default_factory=dict)
    employs: dict[int, list[tuple[int, int, bool]]] = field(default_factory=dict)

    @property
    def keep(self) -> dict[int, float]:
        """Each affected member of staff's chance of keeping their ties, with each transfer's own values."""
        return self.keep_probabilities(Assumptions(context_survival=1.0))

    def keep_probabilities(self, a: Assumptions) -> dict[int, float]:
        """Each affected member of staff's chance of keeping their worker/mentor ties."""
        out = {}
        for person, js in self.staff_transfers.items():
            k = 1.0
            for j in js:
                k *= self.transfers[j].keep(a)
            out[person] = k
        for person in self.let_go:
            out[person] = 0.0
        return out


def _a(word: str) -> str:
    word = word.replace("_", " ")
    return ("an " if word[0] in "aeiou" else "a ") + word


def _works_at(entry: tuple[int, int, bool], s: int, names_context: bool) -> bool:
    """Whether an ``employs`` entry makes its person staff of service ``s`` (SPEC 4, issue 17).

    Staff who came with a service by a transfer work at that service only;
    the provider's own staff work at the service their tie names when the
    provider names contexts, and at every service it runs when it names none.
    """
    _person, context, moved = entry
    return context == s if (moved or names_context) else True


class _SetupNodes:
    """What checking changes reads of the nodes, from a project's scenario set-up: nodes by
    position."""

    def __init__(self, base: ScenarioBase) -> None:
        self.base = base

    def position(self, node_id: str) -> int | None:
        return self.base.index.get(node_id)

    def kind(self, pos: int) -> str:
        return NODE_KINDS[int(self.base.kind[pos])]  # the codes of graph_arrays

    def provider(self, service: int) -> int:
        return int(self.base.provider[service])

    def services_of(self, org: int) -> list[int]:
        return self.base.services_of.get(org, [])


class _RecordNodes:
    """The same read from a project's node records (no set-up: checking a change a user adds
    to a list costs a look-up per id it names, and a closure a pass over the nodes, where the
    set-up of a city of 100,000 young people is about a second of work): nodes by id."""

    def __init__(self, project: Project) -> None:
        self.nodes = project.nodes

    def position(self, node_id: str) -> str | None:
        return node_id if node_id in self.nodes else None

    def kind(self, node_id: str) -> str:
        return self.nodes[node_id].kind

    def provider(self, service: str) -> str | int:
        provider = self.nodes[service].provider
        return provider if provider in self.nodes else -1

    def services_of(self, org: str) -> list[str]:
        return [n.id for n in self.nodes.values() if n.kind == "service" and n.provider == org]


class _Applier:
    """Applies changes in order to :class:`AppliedChanges`, collecting every problem; with
    ``base`` None it only checks them, from ``records``' nodes (:func:`validate_changes`): the
    same steps and problems, none of the staff, travel or site work that needs the set-up."""

    def __init__(self, base: ScenarioBase | None, changes: Sequence[Change], records: Project | None = None):
        self.base = base
        self.nodes = _SetupNodes(base) if base is not None else _RecordNodes(records)
        self.changes = list(changes)
        self.state = AppliedChanges()
        self.problems: list[Problem] = []

    # state views
    def provider_of(self, s):
        return self.state.provider.get(s, self.nodes.provider(s))

    def staff_of_org(self, o: int) -> list[tuple[int, int, bool]]:
        entries = self.state.employs.get(o)
        if entries is not None:
            return entries
        b = self.base
        lo, hi = b.emp_ptr[o], b.emp_ptr[o + 1]
        return [
            (p, c, False)
            for p, c in zip(b.emp_person[lo:hi].tolist(), b.emp_context[lo:hi].tolist(), strict=True)
        ]

    def services_of(self, o) -> list:
        own = [s for s in self.nodes.services_of(o) if self.provider_of(s) == o]
        moved_in = [
            s for s, p in self.state.provider.items() if p == o and self.nodes.provider(s) != o
        ]
        return [s for s in own + moved_in if s not in self.state.removed]

    def staff_of_service(self, s: int) -> list[int]:
        """The staff of service ``s`` (SPEC 4): adults whose ``employs`` tie to
        its provider names it as context; all the provider's own staff when
        none of its ``employs`` ties names a context; and, whatever the
        provider, the staff who came with ``s`` by a transfer, who are staff
        of ``s`` only (:func:`_works_at`).

        Whether a provider names contexts is read from the project as it is,
        not from the changed copy, so it never depends on who stayed at an
        earlier transfer: one rule for every outcome keeps the expectation exact.
        """
        o = self.provider_of(s)
        if o < 0:
            return []
        names = o in self.base.names_context
        return sorted({e[0] for e in self.staff_of_org(o) if _works_at(e, s, names)})

    def lookup(self, i: int, change: Change, node_id: str, want: str, field_name: str):
        """The node ``node_id`` (its position, or its id without the set-up) if it is a ``want``
        ("service" or "organisation") no earlier change removed; else None, the problem noted."""
        record = f"change {i} ({change.describe()})"
        pos = self.nodes.position(node_id)
        if pos is None:
            self.problems.append(
                Problem(f"unknown {want} {node_id!r}", record=record, field=field_name)
            )
            return None
        actual = self.nodes.kind(pos)
        if actual != want:
            self.problems.append(
                Problem(
                    f"{node_id!r} is {_a(actual)}, not {_a(want)}",
                    record=record,
                    field=field_name,
                )
            )
            return None
        if pos in self.state.removed:
            j = self.state.removed[pos]
            self.problems.append(
                Problem(
                    f"{want} {node_id!r} is already gone: change {j} ({self.changes[j - 1].describe()}) removed it",
                    record=record,
                    field=field_name,
                )
            )
            return None
        return pos

    def let_go(self, staff: list[int]) -> None:
        self.state.let_go.update(staff)

    def run(self) -> AppliedChanges:
        for i, change in enumerate(self.changes, 1):
            bad = check_change_values(change, f"change {i} ({change.describe()})")
            if bad:
                self.problems += bad
                continue
            if isinstance(change, Decommission):
                self.decommission(i, change)
            elif isinstance(change, Transfer):
                self.transfer(i, change)
            elif isinstance(change, Relocate):
                self.relocate(i, change)
            elif isinstance(change, Close):
                self.close(i, change)
            else:
                self.problems.append(Problem(f"not a change: {change!r}", record=f"change {i}"))
        if self.problems:
            raise InputError(self.problems)
        return self.state

    def decommission(self, i: int, change: Decommission) -> None:
        s = self.lookup(i, change, change.service, "service", "service")
        if s is None:
            return
        if self.base is not None:
            self.let_go(self.staff_of_service(s))
        self.state.removed[s] = i

    def transfer(self, i: int, change: Transfer) -> None:
        s = self.lookup(i, change, change.service, "service", "service")
        o = self.lookup(i, change, change.org, "organisation", "org")
        if s is None or o is None:
            return
        old = self.provider_of(s)
        if old == o:
            self.problems.append(
                Problem(
                    f"{change.service!r} is already provided by {change.org!r}",
                    record=f"change {i} ({change.describe()})",
                    field="org",
                )
            )
            return
        if self.base is None:  # checked only: the provider is all later changes read
            self.state.provider[s] = o
            return
        staff = self.staff_of_service(s)
        provider_km = math.nan
        if change.staff_half_km is not None and old >= 0:
            here, there = self.base.site_xy(old), self.base.site_xy(o)
            if here is not None and there is not None:
                provider_km = float(np.hypot(*(there - here))) / 1000.0
        j = len(self.state.transfers)
        self.state.transfers.append(TransferEvent(change.retention, change.staff_half_km, provider_km))
        for p in staff:
            self.state.staff_transfers.setdefault(p, []).append(j)
        if old >= 0 and staff:
            # staff who stay move with the service (TUPE): they now work for
            # the new provider at this service only, and no longer for the old one
            moving = set(staff)
            names_old = old in self.base.names_context
            self.state.employs[old] = [
                e for e in self.staff_of_org(old) if not (e[0] in moving and _works_at(e, s, names_old))
            ]
            kept = [e for e in self.staff_of_org(o) if e[0] not in moving]
            self.state.employs[o] = kept + [(p, s, True) for p in staff]
        self.state.provider[s] = o

    def relocate(self, i: int, change: Relocate) -> None:
        s = self.lookup(i, change, change.service, "service", "service")
        if s is None or self.base is None:
            return
        base = self.base
        site = base.sites.project_point(change.lat, change.lon)
        previous = self.state.location.get(s)
        if previous is None:
            previous = base.site_xy(s)
        self.state.location[s] = site
        lo, hi = base.attends_ptr[s], base.attends_ptr[s + 1]
        if hi > lo:
            people = base.attends_person[lo:hi]
            home = base.centroid_xy[base.area[people]]
            after_km = np.hypot(home[:, 0] - site[0], home[:, 1] - site[1]) / 1000.0
            if previous is None:
                before_km = np.zeros(len(people))
            else:
                before_km = np.hypot(home[:, 0] - previous[0], home[:, 1] - previous[1]) / 1000.0
            self.state.relocations.append(
                RelocationEvent(
                    base.attends_ties[lo:hi],
                    before_km,
                    after_km,
                    change.max_travel_km,
                    change.travel_model,
                    change.half_km,
                )
            )

    def close(self, i: int, change: Close) -> None:
        o = self.lookup(i, change, change.org, "organisation", "org")
        if o is None:
            return
        services = self.services_of(o)
        if self.base is not None:
            self.let_go(sorted({e[0] for e in self.staff_of_org(o)}))
        self.state.removed[o] = i
        for s in services:
            self.state.removed[s] = i


def apply_changes(project: Project, changes: Sequence[Change]) -> AppliedChanges:
    """Apply ``changes`` in order to a virtual copy of ``project``; InputError lists every bad change."""
    return _Applier(scenario_base(project), changes).run()


def validate_changes(project: Project, changes: Sequence[Change]) -> None:
    """Raise one :class:`InputError` listing every change that cannot apply.

    A change is refused when an id is unknown or of the wrong kind, a number
    is out of range (retention 0..1, latitude -90..90, longitude -180..180, a
    negative travel limit), it names a service or organisation that an earlier
    change removed (a decommission, or a closure with the services it provides
    then, transfers counted), or it transfers a service to its current provider.

    The same steps as :func:`apply_changes`, which refuses the same, read from the
    project's node records: no scenario set-up is built (a window checks each change a
    user adds to a list this way, where the set-up of a city of 100,000 young people is
    about a second of work).
    """
    _Applier(None, changes, records=project).run()


# ---------------------------------------------------------------------- expected impact
@dataclass
class _AreaImpact:
    lost_bonding: np.ndarray
    lost_bridging: np.ndarray
    lost_linking: np.ndarray
    newly_isolated: np.ndarray
    newly_isolated_neet: np.ndarray
    young_people_affected: int


class _Exposure:
    """What a change list puts at risk, built once; its expected impact under any assumptions.

    The affected ties (those of removed nodes, those made at removed places,
    the worker/mentor ties of affected staff, the ``attends`` ties of
    relocated services) and the young people at their ends do not depend on
    the values of the assumptions, only each tie's survival does. So the
    structure is built once and :meth:`impact` re-weighs it: the central
    result and every sensitivity case share one application of the changes.
    """

    def __init__(self, base: ScenarioBase, state: AppliedChanges):
        self.base, self.state = base, state
        ids: list[np.ndarray] = []
        n_zero = n_ctx = 0
        inc_ptr, inc_ties, ctx_ptr, ctx_ties = (
            base.inc_ptr,
            base.inc_ties,
            base.ctx_ptr,
            base.ctx_ties,
        )
        for v in state.removed:  # ties of removed nodes: certain losses
            seg = inc_ties[inc_ptr[v] : inc_ptr[v + 1]]
            ids.append(seg)
            n_zero += len(seg)
        for v in state.removed:  # ties made there: context survival
            seg = ctx_ties[ctx_ptr[v] : ctx_ptr[v + 1]]
            ids.append(seg)
            n_ctx += len(seg)
        self.staff = sorted(set(state.staff_transfers) | state.let_go)
        owner = []
        for i, p in enumerate(self.staff):
            seg = base.prof_ties[base.prof_ptr[p] : base.prof_ptr[p + 1]]
            ids.append(seg)
            owner.append(np.full(len(seg), i, dtype=np.int64))
        for event in state.relocations:
            ids.append(event.ties)
        self.n_zero, self.n_ctx = n_zero, n_ctx
        self.staff_owner = np.concatenate(owner) if owner else np.zeros(0, dtype=np.int64)
        if ids:
            t = np.concatenate(ids).astype(np.int64)
            self.ties, self.entry_tie = np.unique(t, return_inverse=True)
        else:
            self.ties, self.entry_tie = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        ties = self.ties
        a, b, cls = base.tie_a[ties], base.tie_b[ties], base.tie_class[ties]
        ma, mb = base.yp[a], base.yp[b]
        self.ends = (ma, mb)
        self.person = np.concatenate([a[ma], b[mb]])
        self.klass = np.concatenate([cls[ma], cls[mb]])
        self.where = base.area[self.person]
        self.bl = (self.klass == BRIDGING) | (self.klass == LINKING)
        self.people, self.person_entry = np.unique(self.person[self.bl], return_inverse=True)
        touched = np.bincount(self.person_entry, minlength=len(self.people))
        # only a young person every one of whose bridging/linking ties is touched can become isolated
        self.eligible = touched == base.bl_count[self.people]
        self.home = base.area[self.people]

    def tie_survival(self, a: Assumptions) -> np.ndarray:
        """Chance that each affected tie (:attr:`ties`) survives: the product of its factors."""
        keep = self.state.keep_probabilities(a)
        staff_keep = np.array([keep[p] for p in self.staff], dtype=float)
        factors = [
            np.zeros(self.n_zero),
            np.full(self.n_ctx, a.context_survival),
            staff_keep[self.staff_owner],
        ] + [event.survival(a) for event in self.state.relocations]
        surv = np.ones(len(self.ties))
        if len(self.entry_tie):
            np.multiply.at(surv, self.entry_tie, np.concatenate(factors))
        return surv

    def impact(self, a: Assumptions, count_affected: bool = True) -> _AreaImpact:
        """Expected losses per area under ``a``; ``count_affected`` also counts the young
        people with a tie at risk (the sensitivity cases do without)."""
        n_areas = self.base.n_areas
        loss = 1.0 - self.tie_survival(a)
        ma, mb = self.ends
        lost = np.concatenate([loss[ma], loss[mb]])
        where, klass = self.where, self.klass

        def by_area(code: int) -> np.ndarray:
            sel = klass == code
            return np.bincount(where[sel], weights=lost[sel], minlength=n_areas)

        all_lost = np.ones(len(self.people))
        np.multiply.at(all_lost, self.person_entry, lost[self.bl])
        newly = np.where(self.eligible, all_lost, 0.0)
        return _AreaImpact(
            lost_bonding=by_area(BONDING),
            lost_bridging=by_area(BRIDGING),
            lost_linking=by_area(LINKING),
            newly_isolated=np.bincount(self.home, weights=newly, minlength=n_areas),
            newly_isolated_neet=np.bincount(
                self.home, weights=newly * self.base.neet[self.people], minlength=n_areas
            ),
            young_people_affected=int(len(np.unique(self.person[lost > 0])))
            if count_affected
            else -1,
        )


def _area_impact(base: ScenarioBase, state: AppliedChanges, survival: float) -> _AreaImpact:
    """Expected impact per area with each change's own assumptions and context survival ``survival``."""
    return _Exposure(base, state).impact(Assumptions(survival))


def _nearest_after(base: ScenarioBase, state: AppliedChanges) -> np.ndarray:
    """Kilometres from each area centroid to its nearest remaining service after the changes."""
    gone = np.array([v for v in state.removed if base.kind[v] == SERVICE], dtype=np.int64)
    if not len(gone) and not state.location:
        return base.nearest_before_km
    if not state.location and base.knn_svc.shape[1]:
        valid = ~np.isin(base.knn_svc, gone)
        first = np.argmax(valid, axis=1)
        out = base.knn_km[np.arange(base.n_areas), first].copy()
        missing = ~valid.any(axis=1)
        if not missing.any():
            return out
    else:
        out = np.full(base.n_areas, np.nan)
        missing = np.ones(base.n_areas, dtype=bool)
    moved = [v for v in state.location if v not in state.removed]
    keep = ~np.isin(base.service_pos, np.concatenate([gone, np.array(moved, dtype=np.int64)]))
    targets = base.service_xy[keep]
    if moved:
        targets = np.vstack([targets, np.array([state.location[v] for v in moved])])
    out[missing] = nearest_km(base.centroid_xy[missing], targets)
    return out


@dataclass(frozen=True)
class FlagThresholds:
    """When an area is flagged (SPEC section 4; project settings ``flag_*``)."""

    newly_isolated_neet: float = 0.5
    bridging_loss_pct: float = 10.0
    nearest_service_km: float = 2.0

    @classmethod
    def of(cls, project: Project) -> FlagThresholds:
        return cls(
            setting_number(project, "flag_newly_isolated_neet"),
            setting_number(project, "flag_bridging_loss_pct"),
            setting_number(project, "flag_nearest_service_km"),
        )


def _loss_pct(lost: np.ndarray, before: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, 100.0 * lost / np.where(before > 0, before, 1.0), 0.0)


def _flag_masks(
    th: FlagThresholds,
    newly_neet: np.ndarray,
    pct: np.ndarray,
    before_km: np.ndarray,
    after_km: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    isolation = newly_neet >= th.newly_isolated_neet - _EPS
    bridging = pct >= th.bridging_loss_pct - _EPS
    had = ~np.isnan(before_km)
    with np.errstate(invalid="ignore"):
        farther = (
            had
            & ~np.isnan(after_km)
            & (after_km > before_km + _EPS)
            & (after_km > th.nearest_service_km)
        )
    none_left = had & np.isnan(after_km)
    return isolation, bridging, farther | none_left


def one_decimal(x: float) -> str:
    """One decimal, halves rounded up (0.25 -> 0.3), as a reader rounds.

    Every place that prints an expected value (the CLI, the reasons, the PDF report) uses this,
    so the same figure reads the same everywhere (Python's ``f"{0.25:.1f}"`` gives ``0.2``).

    >>> [one_decimal(x) for x in (0.25, 1.25, 2.0, 0.04)]
    ['0.3', '1.3', '2.0', '0.0']
    """
    return f"{math.floor(x * 10 + 0.5 + 1e-9) / 10:.1f}"


def _percent(x: float) -> str:
    r = round(x, 1)
    return f"{r:.0f}%" if r == int(r) else f"{r:.1f}%"


def _km_pair(before_km: float, after_km: float, threshold_km: float) -> tuple[str, str]:
    """Both distances with one decimal, or two where one would hide the move or the crossing
    (1.27 -> 2.006 km with a 2 km threshold reads "1.3 km to 2.0 km": as if not beyond 2 km)."""
    near, far = f"{before_km:.1f}", f"{after_km:.1f}"
    hides_crossing = threshold_km == round(threshold_km, 1) and float(far) <= threshold_km
    if near == far or hides_crossing:
        return f"{before_km:.2f}", f"{after_km:.2f}"
    return near, far


def _reasons(
    th: FlagThresholds,
    newly_neet: float,
    lost_bridging: float,
    bridging_before: float,
    pct: float,
    before_km: float,
    after_km: float,
) -> list[str]:
    out = []
    if newly_neet >= th.newly_isolated_neet - _EPS:
        who = "NEET young person" if one_decimal(newly_neet) == "1.0" else "NEET young people"
        out.append(
            f"{one_decimal(newly_neet)} {who} expected to become isolated (no bridging or linking tie left)"
        )
    if pct >= th.bridging_loss_pct - _EPS:
        out.append(
            f"bridging ties fall {_percent(pct)} ({one_decimal(lost_bridging)} of {bridging_before:g} expected to be lost)"
        )
    if not math.isnan(before_km):
        if math.isnan(after_km):
            out.append(f"no service left to reach (nearest was {before_km:.1f} km)")
        elif after_km > before_km + _EPS and after_km > th.nearest_service_km:
            near, far = _km_pair(before_km, after_km, th.nearest_service_km)
            out.append(f"nearest service moves from {near} km to {far} km")
    return out


# ---------------------------------------------------------------------- results
def _round(x: Any, digits: int = 6) -> Any:
    if isinstance(x, float):
        return None if math.isnan(x) else round(x, digits)
    return x


@dataclass
class ScenarioResult:
    """Expected impact per area of one ordered change list.

    ``areas``: DataFrame indexed by area code with :data:`AREA_COLUMNS`;
    ``summary``: totals and what was assumed.
    """

    areas: pd.DataFrame
    summary: dict[str, Any]
    changes: list[Change]
    context_survival: float
    thresholds: FlagThresholds
    #: The low/high cases of every assumption (``evaluate(..., sensitivity=True)``), else None.
    sensitivity: Any = None

    def flagged(self) -> pd.DataFrame:
        """The flagged areas only."""
        return self.areas[self.areas["flagged"]]

    def to_json(self) -> dict[str, Any]:
        """The SPEC section 9 ``scenario --json`` document.

        With sensitivity, each area also has ``ranges`` (``[least, most]`` of
        each expected figure over the cases), ``flag_cases`` (``all``,
        ``some`` or ``none``) and ``robustness`` (in words); the summary has
        ``ranges`` of the totals; and ``sensitivity`` lists the assumptions
        (central, low, high, source) and every case's totals.
        """
        areas = {}
        sens = self.sensitivity
        for code, row in self.areas.iterrows():
            areas[str(code)] = {
                c: (
                    list(row[c])
                    if c == "reasons"
                    else bool(row[c])
                    if c == "flagged"
                    else _round(float(row[c]))
                )
                for c in AREA_COLUMNS
            }
            if sens is not None:
                areas[str(code)].update(sens.area_json(code))
        summary = {k: _round(v) for k, v in self.summary.items()}
        doc = {"areas": areas, "summary": summary}
        if sens is not None:
            summary["ranges"] = {
                k: [_round(float(v[0])), _round(float(v[1]))] for k, v in sens.summary_ranges.items()
            }
            doc["sensitivity"] = sens.to_json()
        return doc


def _check_cancel(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled")


def evaluate(
    project: Project,
    changes: Sequence[Change] | Scenario,
    context_survival: float | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    sensitivity: bool = False,
) -> ScenarioResult:
    """Exact expected impact per area of applying ``changes`` in order.

    Parameters
    ----------
    project
        Left unchanged: the changes apply to a virtual copy.
    changes
        Ordered changes, or a saved :class:`Scenario` (its context survival
        is used unless ``context_survival`` is given).
    context_survival
        Probability ``S`` that a tie whose context is removed survives;
        default the project setting ``context_survival`` (0.5).
    progress, cancelled
        Optional callback with the fraction done, and a callable that returns
        True to stop (raises :class:`Cancelled`).
    sensitivity
        Also evaluate the low and high end of every assumption that bears on
        the changes, one at a time and all together, on the same applied
        changes (:mod:`socialmap.scenarios.sensitivity`): ranges per area and
        each flag's robustness, in ``result.sensitivity``.

    Returns
    -------
    ScenarioResult
        Per area: expected ``lost_bonding``, ``lost_bridging``,
        ``lost_linking`` (area tie counts: sums over its young people),
        ``newly_isolated`` and ``newly_isolated_neet`` (expected number of its
        young people, not isolated before, isolated after),
        ``bridging_loss_pct`` (0 without bridging ties before),
        ``nearest_service_km_before``/``_after``, ``flagged`` and ``reasons``
        (SPEC section 4). See the module docstring for the model.
    """
    if isinstance(changes, Scenario):
        if context_survival is None:
            context_survival = changes.context_survival
        changes = changes.changes
    changes = list(changes)
    s = (
        setting_probability(project, "context_survival")
        if context_survival is None
        else probability(context_survival, "context_survival")
    )
    if progress:
        progress(0.0)
    base = scenario_base(project)
    _check_cancel(cancelled)
    state = _Applier(base, changes).run()
    exposure = _Exposure(base, state)
    central = Assumptions(s)
    impact = exposure.impact(central)
    _check_cancel(cancelled)
    if progress:
        progress(0.6)
    after_km = _nearest_after(base, state)
    before_km = base.nearest_before_km
    th = FlagThresholds.of(project)
    pct = _loss_pct(impact.lost_bridging, base.area_bridging)
    iso, bri, near = _flag_masks(th, impact.newly_isolated_neet, pct, before_km, after_km)
    flagged = iso | bri | near
    reasons = [
        _reasons(
            th,
            float(impact.newly_isolated_neet[i]),
            float(impact.lost_bridging[i]),
            float(base.area_bridging[i]),
            float(pct[i]),
            float(before_km[i]),
            float(after_km[i]),
        )
        if flagged[i]
        else []
        for i in range(base.n_areas)
    ]
    areas = pd.DataFrame(
        {
            "lost_bonding": impact.lost_bonding,
            "lost_bridging": impact.lost_bridging,
            "lost_linking": impact.lost_linking,
            "newly_isolated": impact.newly_isolated,
            "newly_isolated_neet": impact.newly_isolated_neet,
            "bridging_loss_pct": pct,
            "nearest_service_km_before": before_km,
            "nearest_service_km_after": after_km,
            "flagged": flagged,
            "reasons": reasons,
        },
        index=pd.Index(base.area_codes, name="code"),
    )
    total_bridging = float(base.area_bridging.sum())
    summary = {
        "changes": [c.describe() for c in changes],
        "context_survival": s,
        "removed": sorted(str(base.ids[v]) for v in state.removed),
        "young_people": int(base.area_young_people.sum()),
        "young_people_affected": impact.young_people_affected,
        "lost_bonding": float(impact.lost_bonding.sum()),
        "lost_bridging": float(impact.lost_bridging.sum()),
        "lost_linking": float(impact.lost_linking.sum()),
        "newly_isolated": float(impact.newly_isolated.sum()),
        "newly_isolated_neet": float(impact.newly_isolated_neet.sum()),
        "bridging_loss_pct": 100.0 * float(impact.lost_bridging.sum()) / total_bridging
        if total_bridging
        else 0.0,
        "flagged_areas": [c for c, f in zip(base.area_codes, flagged, strict=True) if f],
        "thresholds": {
            "flag_newly_isolated_neet": th.newly_isolated_neet,
            "flag_bridging_loss_pct": th.bridging_loss_pct,
            "flag_nearest_service_km": th.nearest_service_km,
        },
    }
    sens = None
    if sensitivity:
        from socialmap.scenarios.sensitivity import compute_sensitivity

        _check_cancel(cancelled)
        sens = compute_sensitivity(
            exposure,
            central,
            th,
            changes,
            base.area_bridging,
            before_km,
            after_km,
            base.area_codes,
            central_impact=impact,
        )
    if progress:
        progress(1.0)
    return ScenarioResult(areas, summary, changes, s, th, sens)


# ---------------------------------------------------------------------- ranking
RANK_COLUMNS = (
    "id",
    "label",
    "newly_isolated",
    "newly_isolated_neet",
    "lost_bridging",
    "lost_linking",
    "lost_bonding",
    "flagged_areas",
)


@dataclass
class RankResult:
    """Criticality of every service (if decommissioned) and organisation (if closed).

    ``services`` and ``organisations``: DataFrames with :data:`RANK_COLUMNS`,
    most damaging first (expected newly isolated young people, then expected
    lost bridging ties; remaining ties broken by lost linking ties, then id).
    """

    services: pd.DataFrame
    organisations: pd.DataFrame
    context_survival: float
    #: Whether the top ten keep their order across context survival's range
    #: (``rank(..., stability=True)``; :class:`socialmap.scenarios.sensitivity.TopTenStability`).
    top_ten: Any = None

    def to_json(self) -> dict[str, Any]:
        """The SPEC section 9 ``rank --json`` document."""

        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in df.to_dict("records"):
                out.append(
                    {
                        k: (
                            int(v)
                            if k == "flagged_areas"
                            else _round(v)
                            if isinstance(v, float)
                            else v
                        )
                        for k, v in rec.items()
                    }
                )
            return out

        doc = {"services": rows(self.services), "organisations": rows(self.organisations)}
        if self.top_ten is not None:
            doc["top_ten"] = self.top_ten.to_json()
        return doc


#: The figures of a ranking row (:data:`RANK_COLUMNS` after the id and label).
RANK_FIGURES = RANK_COLUMNS[2:]


def _rank_table() -> dict[str, list]:
    """An empty ranking table: a list per column of :data:`RANK_COLUMNS`, a candidate per row."""
    return {column: [] for column in RANK_COLUMNS}


def _ranked(table: dict[str, list]) -> pd.DataFrame:
    """The table most damaging first: expected newly isolated young people, then expected lost
    bridging ties, then lost linking ties (each to 9 decimals, most first), then id (a sort of
    the columns: sorting 50,000 rows in Python with a key per row took 0.15 s at 1,000,000
    young people)."""
    df = pd.DataFrame(table, columns=list(RANK_COLUMNS)).astype(_RANK_DTYPES)
    if df.empty:
        return df
    keys = [-df[c].round(9).to_numpy() for c in ("newly_isolated", "lost_bridging", "lost_linking")]
    # the ids' places in Python's order of strings, as integers (numpy's fixed-width strings
    # would take a trailing NUL for padding and grow with the longest id)
    ids = df["id"].to_numpy(object)
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    order = np.lexsort((id_rank, keys[2], keys[1], keys[0]))  # (the last key first)
    return df.iloc[order].reset_index(drop=True)


#: The columns' types, so an empty ranking (no organisations, say) has those of a full one.
_RANK_DTYPES = {"id": "str", "label": "str", **{c: "float64" for c in RANK_COLUMNS[2:-1]},
                "flagged_areas": "int64"}


def _candidate_row_all_areas(base: ScenarioBase, state: AppliedChanges, survival: float,
                             th: FlagThresholds) -> dict[str, Any]:
    """A ranking row computed over every area (the path of :func:`evaluate`)."""
    impact = _area_impact(base, state, survival)
    pct = _loss_pct(impact.lost_bridging, base.area_bridging)
    after_km = _nearest_after(base, state)
    masks = _flag_masks(th, impact.newly_isolated_neet, pct, base.nearest_before_km, after_km)
    return {
        "newly_isolated": float(impact.newly_isolated.sum()),
        "newly_isolated_neet": float(impact.newly_isolated_neet.sum()),
        "lost_bridging": float(impact.lost_bridging.sum()),
        "lost_linking": float(impact.lost_linking.sum()),
        "lost_bonding": float(impact.lost_bonding.sum()),
        "flagged_areas": int((masks[0] | masks[1] | masks[2]).sum()),
    }


def _areas_by_service(base: ScenarioBase) -> tuple[np.ndarray, np.ndarray]:
    """For each node position, the areas that have it among their nearest services (CSR:
    ``areas[ptr[v]:ptr[v + 1]]``)."""
    n = len(base.kind)
    k = base.knn_svc.shape[1]
    rows = np.repeat(np.arange(base.n_areas, dtype=np.int64), k)
    svc = base.knn_svc.reshape(-1).astype(np.int64)
    order = np.argsort(svc, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(ptr, svc + 1, 1)
    return np.cumsum(ptr), rows[order]


def _candidate_row(base: ScenarioBase, state: AppliedChanges, survival: float, th: FlagThresholds,
                   knn_areas: tuple[np.ndarray, np.ndarray]) -> dict[str, Any] | None:
    """A ranking row from the areas the candidate touches only (:func:`_candidate_rows` at one
    context survival)."""
    rows = _candidate_rows(base, state, (survival,), th, knn_areas)
    return None if rows is None else rows[0]


def _candidate_rows(base: ScenarioBase, state: AppliedChanges, survivals: tuple[float, ...],
                    th: FlagThresholds, knn_areas: tuple[np.ndarray, np.ndarray]) -> list[dict[str, Any]] | None:
    """Ranking rows, one per context survival in ``survivals``, from the areas the candidate
    touches only, so each candidate costs what it touches and the ranking grows with the city,
    not with candidates x areas.

    The same figures as :func:`_candidate_row_all_areas` (tested): an area no affected tie or
    young person lives in loses nothing, so with thresholds above zero it is flagged only if
    its nearest service changes, which only happens to areas that have a removed service
    among their nearest (``knn_areas``). The exposure (which ties and young people the change
    puts at risk) and the areas whose nearest service moves do not depend on context survival:
    they are made once for every value. ``None`` when that reasoning does not hold (a
    threshold of zero, a moved service, no precomputed nearest services)."""
    if (th.newly_isolated_neet <= _EPS or th.bridging_loss_pct <= _EPS or state.location
            or not base.knn_svc.shape[1]):
        return None
    exposure = _Exposure(base, state)
    ma, mb = exposure.ends
    where, klass, people = exposure.where, exposure.klass, exposure.people
    home = exposure.home
    bridging = klass == BRIDGING
    linking, bonding = klass == LINKING, klass == BONDING
    neet = base.neet[people]
    # per touched area, summed in the same order as the all-areas bincounts
    areas = np.unique(np.concatenate([where[bridging], home]))
    at_bridging, at_home = np.searchsorted(areas, where[bridging]), np.searchsorted(areas, home)
    area_bridging = base.area_bridging[areas]
    farther = _farther_areas(base, state, th, knn_areas)
    rows = []
    for survival in survivals:
        loss = 1.0 - exposure.tie_survival(Assumptions(survival))
        lost = np.concatenate([loss[ma], loss[mb]])
        all_lost = np.ones(len(people))
        np.multiply.at(all_lost, exposure.person_entry, lost[exposure.bl])
        newly = np.where(exposure.eligible, all_lost, 0.0)
        lost_bridging = np.bincount(at_bridging, weights=lost[bridging], minlength=len(areas))
        newly_neet = np.bincount(at_home, weights=newly * neet, minlength=len(areas))
        pct = _loss_pct(lost_bridging, area_bridging)
        flagged = set(areas[(newly_neet >= th.newly_isolated_neet - _EPS) | (pct >= th.bridging_loss_pct - _EPS)].tolist())
        flagged.update(farther)
        rows.append({
            "newly_isolated": float(newly.sum()),
            "newly_isolated_neet": float((newly * neet).sum()),
            "lost_bridging": float(lost[bridging].sum()),
            "lost_linking": float(lost[linking].sum()),
            "lost_bonding": float(lost[bonding].sum()),
            "flagged_areas": len(flagged),
        })
    return rows


def _farther_areas(base: ScenarioBase, state: AppliedChanges, th: FlagThresholds,
                   knn_areas: tuple[np.ndarray, np.ndarray]) -> list[int]:
    """The areas flagged because their nearest service is removed or moves farther than the
    threshold (only areas with a removed service among their nearest can be)."""
    gone = np.array([v for v in state.removed if base.kind[v] == SERVICE], dtype=np.int64)
    if not len(gone):
        return []
    ptr, by_service = knn_areas
    rows = np.unique(np.concatenate([by_service[ptr[v]:ptr[v + 1]] for v in gone.tolist()]))
    if not len(rows):
        return []
    valid = ~np.isin(base.knn_svc[rows], gone)
    after = base.knn_km[rows, np.argmax(valid, axis=1)].copy()
    missing = ~valid.any(axis=1)
    if missing.any():
        keep = ~np.isin(base.service_pos, gone)
        after[missing] = nearest_km(base.centroid_xy[rows[missing]], base.service_xy[keep])
    before = base.nearest_before_km[rows]
    had = ~np.isnan(before)
    with np.errstate(invalid="ignore"):
        farther = had & ~np.isnan(after) & (after > before + _EPS) & (after > th.nearest_service_km)
    return rows[farther | (had & np.isnan(after))].tolist()


# ---------------------------------------------------------------------- ranking, every candidate at once
def _unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by sorting (numpy 2's hash-based ``unique`` of a million int64
    keys took 60 ms, a sort 10 ms)."""
    values = np.sort(np.asarray(values), kind="stable")
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _groups(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct ``values`` (sorted), the order that puts equal values together (one stable
    sort: each group's entries in the order given) and where each group starts in that order:
    for sums and products per group over the order (:func:`_group_reduce`), in place of
    ``np.unique(..., return_inverse=True)`` and a scatter by the inverse (at a million young
    people its writes all over memory took longer than the sort)."""
    values = np.asarray(values)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    head = np.empty(len(values), dtype=bool)
    if len(values):
        head[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
    starts = np.flatnonzero(head)
    return ordered[starts], order, starts


def _group_reduce(ufunc: np.ufunc, values: np.ndarray, order: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``ufunc`` (``np.add``, ``np.multiply``) over each group of :func:`_groups`, the entries
    taken in the order given: the same sums and products, to the last bit, as accumulating
    them entry by entry (``np.bincount``, ``np.multiply.at``)."""
    if not len(starts):
        return np.zeros(0, dtype=np.float64)
    return ufunc.reduceat(np.asarray(values, dtype=np.float64)[order], starts)


def _unique_first_of(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique`` of ``first`` and ``second`` together, and whether each key is one of
    ``first`` (sorted, no repeats): one stable sort of both, the key of ``first`` coming first
    among equals (a search of every key in ``first`` took as long again, growing faster than the
    keys once they no longer fit in the processor's cache)."""
    keys, order, starts = _groups(np.concatenate([first, second]))
    return keys, order[starts] < len(first)


def _expand(owner: np.ndarray, node: np.ndarray, ptr: np.ndarray, values: np.ndarray,
            ) -> tuple[np.ndarray, np.ndarray]:
    """Each ``(owner, node)`` pair joined with every value of ``node`` in the CSR
    ``values[ptr[node]:ptr[node + 1]]``: the pairs ``(owner, value)``, in the order of the
    pairs and then of the values."""
    owner = np.asarray(owner, dtype=np.int64)
    node = np.asarray(node, dtype=np.int64)
    lo, hi = ptr[node], ptr[node + 1]
    lengths = hi - lo
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
    at = starts + np.arange(total, dtype=np.int64)
    return np.repeat(owner, lengths), np.asarray(values)[at].astype(np.int64)


@dataclass
class _AllCandidates:
    """What every ranking candidate (each service decommissioned, each organisation closed)
    puts at risk, for all of them at once: the work of :class:`_Applier` and
    :class:`_Exposure` per candidate, done as a few array passes over the pairs
    (candidate, tie) and (candidate, young person) instead of about a hundred numpy calls
    per candidate (5,000 candidates of a city of 100,000 young people: 2.4 s, now a tenth).

    Only decommissions and closures: a removed node's ties are lost for certain, a tie made
    at a removed place survives with ``S`` (context survival), and the staff a decommission
    or closure lets go keep nothing, so each affected tie survives with 0 or ``S``, and the
    figures at any ``S`` follow from the same structure (:meth:`rows`)."""

    nodes: np.ndarray  # node position of each candidate: services first, then organisations
    n_services: int
    #: per (candidate, young-person end of an affected tie), a-ends then b-ends, by candidate
    end_candidate: np.ndarray
    end_certain: np.ndarray  # the tie is lost for certain (else it survives with S)
    end_class: np.ndarray
    end_area: np.ndarray
    #: per (candidate, young person with a bridging or linking tie at risk), by candidate and person
    person_candidate: np.ndarray
    #: the bridging and linking ends grouped by (candidate, person) (:func:`_groups`)
    person_order: np.ndarray
    person_starts: np.ndarray
    person_eligible: np.ndarray  # every one of their bridging and linking ties is at risk
    person_home: np.ndarray
    person_neet: np.ndarray
    bl: np.ndarray  # which ends are bridging or linking
    farther: np.ndarray  # keys candidate * n_areas + area flagged for their nearest service


#: Candidates of the ranking taken at a time (:func:`_rank_tables`): each piece's arrays stay
#: the size of a town's, in the processor's cache and in memory the allocator has at hand, so
#: the ranking's time grows with the city, not faster (one pass over a million young people's
#: 50,000 candidates made arrays of tens of MB, each taken fresh from the system).
RANK_PIECE = 2_000


@dataclass
class _CandidateSets:
    """What each ranking candidate removes, for every candidate at once (:func:`_candidate_sets`):
    the candidates' node positions (services first, then organisations), each node's candidate
    (-1 for none), and the (candidate, node) pairs of the nodes removed and of the staff let go,
    in candidate order, for pieces of candidates to be taken from (:func:`_all_candidates`)."""

    nodes: np.ndarray
    n_services: int
    cand_of: np.ndarray
    removed_c: np.ndarray
    removed_n: np.ndarray
    staff_c: np.ndarray
    staff_p: np.ndarray


def _candidate_sets(base: ScenarioBase) -> _CandidateSets:
    """:class:`_CandidateSets` of ``base``: about as many pairs as the services, organisations
    and staff (the ties each candidate puts at risk are found piece by piece)."""
    n = len(base.kind)
    services = np.nonzero(base.kind == SERVICE)[0].astype(np.int64)
    orgs = np.nonzero(base.kind == ORG)[0].astype(np.int64)
    nodes = np.concatenate([services, orgs])
    n_cand = len(nodes)
    svc_cand = np.full(n, -1, dtype=np.int64)
    svc_cand[services] = np.arange(len(services))
    org_cand = np.full(n, -1, dtype=np.int64)
    org_cand[orgs] = len(services) + np.arange(len(orgs))

    # removed nodes: each candidate itself; a closed organisation's services too
    provided = np.nonzero((base.kind == SERVICE) & (base.provider >= 0))[0]
    closer = org_cand[base.provider[provided]]
    removed_c = np.concatenate([np.arange(n_cand, dtype=np.int64), closer[closer >= 0]])
    removed_n = np.concatenate([nodes, provided[closer >= 0]])
    by_candidate = np.argsort(removed_c, kind="stable")
    # staff let go (each candidate's set): a closure, every adult its employs ties name; a
    # decommission, the provider's staff at that service (_Applier.staff_of_service)
    emp_org = np.repeat(np.arange(n, dtype=np.int64), np.diff(base.emp_ptr))
    person, context = base.emp_person.astype(np.int64), base.emp_context.astype(np.int64)
    names = np.zeros(n, dtype=bool)
    names[list(base.names_context)] = True
    staff_c = [org_cand[emp_org]]
    staff_p = [person]
    # providers that name contexts: the staff whose tie names the service
    named = names[emp_org] & (context >= 0)
    named &= np.where(named, base.provider[np.maximum(context, 0)] == emp_org, False)
    named &= np.where(named, base.kind[np.maximum(context, 0)] == SERVICE, False)
    staff_c.append(svc_cand[context[named]])
    staff_p.append(person[named])
    # providers that name none: all their staff, at every service they run
    by_provider_ptr, by_provider = _csr(base.provider[provided], provided, n)
    plain = ~names[emp_org]
    entry, service = _expand(np.nonzero(plain)[0], emp_org[plain], by_provider_ptr, by_provider)
    staff_c.append(svc_cand[service])
    staff_p.append(person[entry])
    staff_c, staff_p = np.concatenate(staff_c), np.concatenate(staff_p)
    keep = staff_c >= 0
    staff = _unique(staff_c[keep] * n + staff_p[keep])
    return _CandidateSets(nodes, len(services), np.maximum(svc_cand, org_cand), removed_c[by_candidate],
                          removed_n[by_candidate], staff // n, staff % n)


def _all_candidates(base: ScenarioBase, th: FlagThresholds, knn_areas: tuple[np.ndarray, np.ndarray],
                    sets: _CandidateSets | None = None, lo: int = 0, hi: int | None = None) -> _AllCandidates:
    """:class:`_AllCandidates` of the candidates ``lo`` to ``hi`` of ``sets`` (every candidate by
    default), numbered from 0 in the arrays; the work is that of their own ties and people."""
    sets = _candidate_sets(base) if sets is None else sets
    hi = len(sets.nodes) if hi is None else hi
    n = len(base.kind)
    m = len(base.tie_a)
    at, to = np.searchsorted(sets.removed_c, [lo, hi]).tolist()
    removed_c, removed_n = sets.removed_c[at:to] - lo, sets.removed_n[at:to]
    at, to = np.searchsorted(sets.staff_c, [lo, hi]).tolist()
    staff_c, staff_p = sets.staff_c[at:to] - lo, sets.staff_p[at:to]

    # (candidate, tie) entries: ties of removed nodes and the professional ties of the staff
    # let go are lost for certain; ties made at a removed place survive with S
    c1, t1 = _expand(removed_c, removed_n, base.inc_ptr, base.inc_ties)
    c2, t2 = _expand(staff_c, staff_p, base.prof_ptr, base.prof_ties)
    c3, t3 = _expand(removed_c, removed_n, base.ctx_ptr, base.ctx_ties)
    certain = _unique(np.concatenate([c1 * m + t1, c2 * m + t2]))
    keys, key_certain = _unique_first_of(certain, c3 * m + t3)
    cand, tie = keys // m, keys % m

    # the ties' young ends and classes in one gather of an int8 per tie (at 1,000,000 young
    # people five gathers over arrays of every tie and node took a fifth of the ranking)
    ends = base.tie_ends[tie]
    ma, mb = (ends & _A_YOUNG) != 0, (ends & _B_YOUNG) != 0
    cls = ends & 15
    # a-ends then b-ends of each candidate, each in tie order (the order _Exposure sums in)
    end_candidate = np.concatenate([cand[ma], cand[mb]])
    order = np.argsort(end_candidate, kind="stable")
    end_candidate = end_candidate[order]
    end_person = np.concatenate([base.tie_a[tie[ma]], base.tie_b[tie[mb]]])[order]
    end_class = np.concatenate([cls[ma], cls[mb]])[order]
    end_certain = np.concatenate([key_certain[ma], key_certain[mb]])[order]
    bl = (end_class == BRIDGING) | (end_class == LINKING)
    people, person_order, person_starts = _groups(end_candidate[bl] * n + end_person[bl])
    person_pos = people % n
    touched = np.diff(np.append(person_starts, len(person_order)))
    return _AllCandidates(
        nodes=sets.nodes[lo:hi],
        n_services=max(0, min(hi, sets.n_services) - lo),
        end_candidate=end_candidate,
        end_certain=end_certain,
        end_class=end_class,
        end_area=base.area[end_person],
        person_candidate=people // n,
        person_order=person_order,
        person_starts=person_starts,
        person_eligible=touched == base.bl_count[person_pos],
        person_home=base.area[person_pos],
        person_neet=base.neet[person_pos],
        bl=bl,
        farther=_all_farther(base, th, knn_areas, removed_c, removed_n, sets.cand_of, lo),
    )


def _all_farther(base: ScenarioBase, th: FlagThresholds, knn_areas: tuple[np.ndarray, np.ndarray],
                 removed_c: np.ndarray, removed_n: np.ndarray, cand_of: np.ndarray, lo: int = 0) -> np.ndarray:
    """Keys ``candidate * n_areas + area`` of the areas flagged because their nearest service
    goes or moves farther than the threshold (:func:`_farther_areas`, every candidate at once).
    ``cand_of``: each node position's candidate (-1 for a node that is none), numbered from
    ``lo`` on (the candidates here are numbered from 0)."""
    n_areas = base.n_areas
    gone = base.kind[removed_n] == SERVICE
    gone_c, gone_s = removed_c[gone], removed_n[gone]
    ptr, by_service = knn_areas
    pair_c, pair_area = _expand(gone_c, gone_s, ptr, by_service)
    pairs = _unique(pair_c * n_areas + pair_area)
    if not len(pairs):
        return pairs
    cand, rows = pairs // n_areas, pairs % n_areas
    # a nearest service is gone for the candidate that is that service (decommissioned) or its
    # provider (closed), the services _all_candidates removes: checked element by element (a
    # search of each in the sorted keys of the services gone grew faster than the city)
    knn = base.knn_svc[rows]
    provider = base.provider[knn]
    mine = cand[:, None] + lo
    valid = (cand_of[knn] != mine) & ((provider < 0) | (cand_of[np.maximum(provider, 0)] != mine))
    after = base.knn_km[rows, np.argmax(valid, axis=1)].copy()
    missing = np.nonzero(~valid.any(axis=1))[0]
    for c in np.unique(cand[missing]).tolist():  # every one of an area's nearest services gone: rare
        at = missing[cand[missing] == c]
        keep = ~np.isin(base.service_pos, gone_s[gone_c == c])
        after[at] = nearest_km(base.centroid_xy[rows[at]], base.service_xy[keep])
    before = base.nearest_before_km[rows]
    had = ~np.isnan(before)
    with np.errstate(invalid="ignore"):
        farther = had & ~np.isnan(after) & (after > before + _EPS) & (after > th.nearest_service_km)
    return pairs[farther | (had & np.isnan(after))]


def _all_candidate_figures(base: ScenarioBase, everyone: _AllCandidates, survival: float,
                           th: FlagThresholds) -> dict[str, np.ndarray]:
    """Every candidate's ranking figures at context survival ``survival`` (those of
    :func:`_candidate_rows`): an array per figure of :data:`RANK_FIGURES`, in the order of
    ``everyone.nodes``."""
    e = everyone
    n_cand, n_areas = len(e.nodes), base.n_areas
    lost = np.where(e.end_certain, 1.0, 1.0 - survival)
    sums = {}
    for name, code in (("lost_bridging", BRIDGING), ("lost_linking", LINKING), ("lost_bonding", BONDING)):
        sel = e.end_class == code
        sums[name] = np.bincount(e.end_candidate[sel], weights=lost[sel], minlength=n_cand)
    all_lost = _group_reduce(np.multiply, lost[e.bl], e.person_order, e.person_starts)
    newly = np.where(e.person_eligible, all_lost, 0.0)
    newly_neet = newly * e.person_neet
    sums["newly_isolated"] = np.bincount(e.person_candidate, weights=newly, minlength=n_cand)
    sums["newly_isolated_neet"] = np.bincount(e.person_candidate, weights=newly_neet, minlength=n_cand)
    # flagged areas: NEET newly isolated per home area, bridging loss per area, nearest service
    flagged = [e.farther]
    home = e.person_home >= 0
    keys, order, starts = _groups(e.person_candidate[home] * n_areas + e.person_home[home])
    per_area = _group_reduce(np.add, newly_neet[home], order, starts)
    flagged.append(keys[per_area >= th.newly_isolated_neet - _EPS])
    sel = (e.end_class == BRIDGING) & (e.end_area >= 0)
    keys, order, starts = _groups(e.end_candidate[sel] * n_areas + e.end_area[sel])
    lost_bridging = _group_reduce(np.add, lost[sel], order, starts)
    pct = _loss_pct(lost_bridging, base.area_bridging[keys % n_areas])
    flagged.append(keys[pct >= th.bridging_loss_pct - _EPS])
    sums["flagged_areas"] = np.bincount(_unique(np.concatenate(flagged)) // n_areas, minlength=n_cand)
    return {name: sums[name] for name in RANK_FIGURES}


def _rank_tables(project: Project, survivals: tuple[float, ...],
                 progress: Callable[[float], None] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 ) -> list[tuple[dict[str, list], dict[str, list]]]:
    """The ranking tables (services, organisations; :func:`_rank_table`) of every candidate at
    each context survival of ``survivals``: each change is applied once for all of them (it
    does not depend on the value), then re-weighed per value."""
    base = scenario_base(project)
    th = FlagThresholds.of(project)
    knn_areas = _areas_by_service(base)
    tables = [(_rank_table(), _rank_table()) for _ in survivals]
    if th.newly_isolated_neet > _EPS and th.bridging_loss_pct > _EPS and base.knn_svc.shape[1]:
        # every candidate at once (the reasoning of _candidate_rows holds: no relocation here)
        sets = _candidate_sets(base)
        total = len(sets.nodes)
        for lo in range(0, total, RANK_PIECE):
            _check_cancel(cancelled)
            if progress:
                progress(lo / total)
            piece = _all_candidates(base, th, knn_areas, sets, lo, min(lo + RANK_PIECE, total))
            ids = [str(i) for i in base.ids[piece.nodes].tolist()]
            labels = [project.nodes[i].label for i in ids]
            cut = piece.n_services  # the piece's services, then its organisations
            for (services, organisations), survival in zip(tables, survivals, strict=True):
                figures = _all_candidate_figures(base, piece, survival, th)
                for table, part in ((services, slice(None, cut)), (organisations, slice(cut, None))):
                    table["id"] += ids[part]
                    table["label"] += labels[part]
                    for name in RANK_FIGURES:
                        table[name] += figures[name][part].tolist()
        return tables
    candidates = [
        (int(p), Decommission(str(base.ids[p]))) for p in np.nonzero(base.kind == SERVICE)[0]
    ]
    candidates += [(int(p), Close(str(base.ids[p]))) for p in np.nonzero(base.kind == ORG)[0]]
    total = max(len(candidates), 1)
    step = max(1, total // 100)
    for i, (pos, change) in enumerate(candidates):
        if i % step == 0:
            _check_cancel(cancelled)
            if progress:
                progress(i / total)
        state = _Applier(base, [change]).run()
        node = project.nodes[str(base.ids[pos])]
        figures = _candidate_rows(base, state, survivals, th, knn_areas) or [
            _candidate_row_all_areas(base, state, v, th) for v in survivals]
        for (services, organisations), row in zip(tables, figures, strict=True):
            table = services if isinstance(change, Decommission) else organisations
            for column, value in (("id", node.id), ("label", node.label), *row.items()):
                table[column].append(value)
    return tables


def _stability(ranking: RankResult, low: float, high: float, at_low, at_high):
    """The :class:`~socialmap.scenarios.sensitivity.TopTenStability` of ``ranking`` from the
    rows of the rankings at ``low`` and ``high`` context survival."""
    from socialmap.scenarios.sensitivity import TOP, TopTenStability

    def top(rows: dict[str, list]) -> list[str]:
        ranked = _ranked(rows)
        return ranked["id"].head(TOP).astype(str).tolist() if len(ranked) else []

    orders = {table: {"central": getattr(ranking, table)["id"].head(TOP).astype(str).tolist()}
              for table in ("services", "organisations")}
    for setting, (services, organisations) in (("low", at_low), ("high", at_high)):
        orders["services"][setting] = top(services)
        orders["organisations"][setting] = top(organisations)
    return TopTenStability(low, ranking.context_survival, high, orders)


def top_ten_stability(project: Project, ranking: RankResult,
                      progress: Callable[[float], None] | None = None,
                      cancelled: Callable[[], bool] | None = None):
    """Whether the top ten of ``ranking`` (a :func:`rank` of ``project`` without stability) keep
    their order at the low and high end of context survival's plausible range: what
    ``rank(..., stability=True)`` adds, made afterwards (the window shows the ranking first).
    Each change is applied once for both ends."""
    from socialmap.scenarios.assumptions import ASSUMPTIONS

    a = ASSUMPTIONS["context_survival"]
    at_low, at_high = _rank_tables(project, (a.low, a.high), progress, cancelled)
    if progress:
        progress(1.0)
    return _stability(ranking, a.low, a.high, at_low, at_high)


def rank(
    project: Project,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    context_survival: float | None = None,
    stability: bool = False,
) -> RankResult:
    """Criticality ranking: the decommission impact of every service and the
    closure impact of every organisation (SPEC section 4).

    ``context_survival`` overrides the project setting. With ``stability``
    the ranking is also made at the low and high end of context survival's
    plausible range (the only assumption one decommissioning or closure
    depends on) and ``result.top_ten`` says whether the top ten of each list
    keep their order (each change applied once for the three values; about
    twice one ranking's work). :func:`top_ten_stability` makes it afterwards.

    Each candidate is evaluated incrementally with the scenario model (only
    the ties and young people it touches), reusing the per-person counts of
    bridging and linking ties built once for the project version. Ranked by
    expected newly isolated young people, then expected lost bridging ties.
    """
    s = (
        setting_probability(project, "context_survival")
        if context_survival is None
        else probability(context_survival, "context_survival")
    )
    survivals: tuple[float, ...] = (s,)
    if stability:
        from socialmap.scenarios.assumptions import ASSUMPTIONS

        a = ASSUMPTIONS["context_survival"]
        survivals = (s, a.low, a.high)
    tables = _rank_tables(project, survivals, progress, cancelled)
    result = RankResult(_ranked(tables[0][0]), _ranked(tables[0][1]), s)
    if stability:
        result.top_ten = _stability(result, survivals[1], survivals[2], tables[1], tables[2])
    if progress:
        progress(1.0)
    return result
