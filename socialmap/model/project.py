"""The project: areas, nodes, ties, settings and saved scenarios (SPEC section 2).

The :class:`Project` is the one source of truth. Every edit goes through its
methods, which validate the change against the rest of the project, keep the
adjacency index and the ``service.provider`` / ``provides`` agreement, and bump
``version`` so that caches keyed on it know they are stale.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field, fields, replace
from itertools import compress, repeat
from operator import and_, attrgetter, is_, is_not, ne
from typing import Any

import numpy as np

from socialmap.errors import InputError, Problem
from socialmap.model import dates, kinds
from socialmap.model.adjacency import Adjacency
from socialmap.model.kinds import (
    ACTIVITIES,
    ADULT,
    NODE_KINDS,
    ORG_TYPES,
    ORGANISATION,
    PLACE_KINDS,
    SECTORS,
    SERVICE,
    TIE_TYPES,
    YOUNG_PERSON,
)
from socialmap.turns import let_others_run

#: Project settings and their defaults (thresholds of SPEC section 4 included).
DEFAULT_SETTINGS: dict[str, Any] = {
    "group_by": "area_code",
    "context_survival": 0.5,
    "retention": 0.5,
    "max_travel_km": 3.0,
    "travel_model": "cliff",
    "half_km": 2.0,
    "flag_newly_isolated_neet": 0.5,
    "flag_bridging_loss_pct": 10.0,
    "flag_nearest_service_km": 2.0,
    "hotspot_permutations": 999,
    "hotspot_seed": 12345,
    "hotspot_alpha": 0.05,
    "louvain_seed": 42,
    # privacy (docs/privacy.md): a young person's record not updated for longer than this many
    # months is listed by the retention review (socialmap.model.erasure)
    "retention_months": 24,
    # a CCIS activity not confirmed (started or reviewed) within this many days of the extract's
    # reference date counts as not known (NCCIS currency; socialmap.interchange.readers.ccis)
    "activity_currency_days": 92,
}


_PROBABILITY_SETTINGS = ("context_survival", "retention", "hotspot_alpha")
_NON_NEGATIVE_SETTINGS = ("max_travel_km", "half_km", "flag_newly_isolated_neet", "flag_bridging_loss_pct",
                          "flag_nearest_service_km")
_WHOLE_SETTINGS = {"hotspot_permutations": 1, "hotspot_seed": 0, "louvain_seed": 0, "retention_months": 1,
                   "activity_currency_days": 1}  # name -> least value


def settings_problems(settings: dict[str, Any]) -> list[Problem]:
    """Every known setting whose value cannot be used (record ``project settings``); unknown keys pass."""
    out: list[Problem] = []

    def bad(name: str, reason: str) -> None:
        out.append(Problem(f"{name} {settings[name]!r} {reason}", record="project settings", field=name))

    for name in settings:
        value = settings[name]
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if name == "group_by":
            if not isinstance(value, str) or not value.strip():
                bad(name, "is not a text (area_code, community or a node attribute)")
        elif name == "travel_model":
            if value not in ("cliff", "decay"):
                bad(name, "is not a travel model (cliff or decay)")
        elif name in _PROBABILITY_SETTINGS or name in _NON_NEGATIVE_SETTINGS:
            if not number or not math.isfinite(value):
                bad(name, "is not a number")
            elif name in _PROBABILITY_SETTINGS and not 0 <= value <= 1:
                bad(name, "is outside 0..1")
            elif value < 0:
                bad(name, "is negative")
            elif name == "half_km" and value == 0:
                bad(name, "is not positive")
        elif name == "interview_prompts":
            from socialmap.interview import prompt_problems  # the interview's own rules (issue 16)

            out += prompt_problems(value)
        elif name in _WHOLE_SETTINGS:
            if not number or not math.isfinite(value) or value != int(value):
                bad(name, "is not a whole number")
            elif value < _WHOLE_SETTINGS[name]:
                bad(name, f"is less than {_WHOLE_SETTINGS[name]}")
        elif name == "ccis_id_key":  # the secret of the keyed-hash ids of CCIS young people
            if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
                out.append(Problem("is not 64 hexadecimal digits", record="project settings", field=name))
    return out


@dataclass(slots=True)
class Area:
    """A geographic area (e.g. an ONS LSOA or ward) with its polygon in EPSG:4326."""

    code: str
    name: str
    geometry: Any  # shapely Polygon or MultiPolygon
    imd_decile: int | None = None
    population_16_24: int | None = None
    #: Further attributes joined from area tables (``socialmap areas join``); numbers can colour the map.
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Node:
    """A young person, adult, organisation or service.

    Kind-specific fields are ``None`` for the kinds that do not use them.
    ``lat``/``lon`` of a young person is always the pseudo-random point inside
    their home area (SPEC section 8), never a supplied location.
    """

    id: str
    kind: str
    label: str = ""
    area_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    # young_person
    age: int | None = None
    neet: bool | None = None
    #: one of :data:`~socialmap.model.kinds.ACTIVITIES`; ``neet`` is derived from it (see :func:`settle_activity`)
    activity: str | None = None
    # adult
    role: str | None = None
    #: recorded as in paid work (an adult employed by an organisation in the project is in work
    #: whatever this says; see socialmap.analysis.opportunity)
    in_work: bool | None = None
    # organisation
    org_type: str | None = None
    sector: str | None = None
    is_anchor: bool | None = None
    employees_total: float | None = None
    employees_local: float | None = None
    spend_total: float | None = None
    spend_local: float | None = None
    years_in_area: float | None = None
    # service
    provider: str | None = None
    service_type: str | None = None
    commissioner: str | None = None
    contract_end: dt.date | None = None
    annual_value: float | None = None
    hours_per_week: float | None = None
    # every kind: the day the record was first entered and last changed (socialmap.model.dates)
    recorded: dt.date | None = None
    updated: dt.date | None = None
    #: Further attributes from imports (kept, shown, exported; never analysed).
    attrs: dict[str, Any] = field(default_factory=dict)


NODE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Node))
NUMERIC_NODE_FIELDS = (
    "employees_total",
    "employees_local",
    "spend_total",
    "spend_local",
    "years_in_area",
    "annual_value",
    "hours_per_week",
)


@dataclass(slots=True)
class Tie:
    """An undirected tie; ``a``/``b`` in the order given, the key is the sorted pair."""

    a: str
    b: str
    type: str
    context: str | None = None
    strength: int | None = None
    #: in force from ``since`` (inclusive) to ``until`` (exclusive); None: open (socialmap.model.dates)
    since: dt.date | None = None
    until: dt.date | None = None
    #: an opportunity tie (issue 16): the young person at one end named the other as someone or
    #: somewhere that could help them find work, training or a course (socialmap.analysis.opportunity)
    opportunity: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return tie_key(self.a, self.b)

    def other(self, node_id: str) -> str:
        return self.b if node_id == self.a else self.a


#: (type, kind, kind) triples a tie may join, in both orders: the quick test of Project.build.
_FITTING = frozenset(
    (t, ka, kb) for t in TIE_TYPES for ka in NODE_KINDS for kb in NODE_KINDS if kinds.tie_fits(t, ka, kb)
)


@dataclass(slots=True)
class TieColumns:
    """The ties given to :meth:`Project.build` again as columns, for its column-wise check.

    A file's loader has them as it reads them (:func:`socialmap.store.gpkg._tie_records`).
    ``node_ids`` is aligned with the nodes given to the build (the i-th node's id), every other
    field with the ties (the i-th value is the i-th tie's, as that record holds it):
    ``a_row``/``b_row`` the row in ``node_ids`` of the tie's ``a``/``b`` (-1 when it is no
    node's id), ``context_row`` the row of its context (-1 when that is no node's id, -2 when
    the tie has no context), then the records' own ``type``, ``strength``, ``since``, ``until``
    and ``opportunity`` values. The build trusts that the columns agree with the records (it
    checks the lengths and ``node_ids``), so only a caller that made both from the same values
    passes them.
    """

    node_ids: list
    a_row: Any  # int array
    b_row: Any
    context_row: Any
    type: list
    strength: list
    since: list
    until: list
    opportunity: list


@dataclass(frozen=True)
class TieRows:
    """The rows a file's loader found for each tie's ends and context (:class:`TieColumns`),
    kept by :meth:`Project.build` under :data:`TIE_ROWS` in the project's cache for the version
    it built, so that the graph arrays (socialmap.analysis.arrays) of that version need not
    look up 780,000 tie ends again (0.6 s of the scenario set-up's 1 s at 100,000 young people).

    ``ties`` is the list of records the build was given, in order, ``node_ids`` the ids of the
    nodes it was given; the rows are as in :class:`TieColumns`. They hold for a project (or a
    view of it) whose ties begin with exactly those records and whose nodes are exactly those
    ids in that order: :func:`socialmap.analysis.arrays.graph_arrays` checks both, record by
    record, and otherwise looks the ends up."""

    ties: list
    node_ids: list
    a_row: Any
    b_row: Any
    context_row: Any


#: The name of the :class:`TieRows` entry of a project's cache.
TIE_ROWS = "tie_rows"

_NO_KIND = len(NODE_KINDS)  # the code of an unknown kind, and of "no node" (row -1)
_KIND_CODE = {k: i for i, k in enumerate(NODE_KINDS)}
_NO_TYPE = len(TIE_TYPES)
_TYPE_CODE = {t: i for i, t in enumerate(TIE_TYPES)}
#: _FITTING as a table by type code and the two kind codes (False for the unknown codes).
_FITTING_TABLE = np.zeros((_NO_TYPE + 1, _NO_KIND + 1, _NO_KIND + 1), bool)
for _t, _ka, _kb in _FITTING:
    _FITTING_TABLE[_TYPE_CODE[_t], _KIND_CODE[_ka], _KIND_CODE[_kb]] = True
_PLACE_CODE = np.array([k in PLACE_KINDS for k in NODE_KINDS] + [False])
_STRENGTHS = frozenset({None, 1, 2, 3})
_DATE_TYPES = frozenset({type(None), dt.date})


def _plain_tie_rows(ties: list, columns: TieColumns, node_list: list, nodes_by_id: dict) -> tuple | None:
    """Which ties pass every rule of :func:`tie_problems` and are the only tie of their pair so
    far, judged over the columns (numpy) rather than tie by tie: ``(rows, low, high, provides)``,
    the rows in ``ties`` of those ties (in order), the rows in ``columns.node_ids`` of the first
    and the second id of each one's key (:func:`_key_pieces` makes the keys) and the rows of the
    provides ties among them; ``None`` when the columns cannot be used (then every tie takes the
    tie-by-tie path).

    The rules as the inline test of :meth:`Project.build`: both ends nodes and not the same
    node, the type fits the two kinds (:data:`_FITTING`), a context that is a service or
    organisation, strength None or 1-3, dates None or a date and not ending before the start,
    an opportunity mark only on a tie of a young person; a provides tie only when its service
    names no other provider and is at an end of no other provides tie. A tie of a pair that any
    other tie the columns do not pass also has is left out (all the pair's ties then take the
    tie-by-tie path in order, as before), and so is every tie but the first of a pair (the
    tie-by-tie path names it a duplicate).
    """
    n, ids = len(ties), columns.node_ids
    if not node_list or len(nodes_by_id) != len(node_list) or len(ids) != len(node_list) \
            or ids != list(map(attrgetter("id"), node_list)) or not set(map(type, ids)) <= {str}:
        return None
    rows = [columns.a_row, columns.b_row, columns.context_row]
    a, b, ctx = (np.asarray(r, dtype=np.int64) for r in rows)
    if not all(len(c) == n for c in (a, b, ctx, columns.type, columns.strength, columns.since, columns.until,
                                      columns.opportunity)):
        return None
    try:
        kind = np.fromiter(map(_KIND_CODE.get, map(attrgetter("kind"), node_list), repeat(_NO_KIND)),
                           np.int64, len(node_list))
        kind = np.append(kind, _NO_KIND)  # row -1: no node
        ka, kb = kind[a], kind[b]
        types = np.fromiter(map(_TYPE_CODE.get, columns.type, repeat(_NO_TYPE)), np.int64, n)
        ok = (a >= 0) & (b >= 0) & (a != b) & _FITTING_TABLE[types, ka, kb]
        ok &= (ctx == -2) | _PLACE_CODE[kind[ctx]]  # (row -2 reads some node's kind: or'ed away)
        strength = columns.strength
        if not set(strength) <= _STRENGTHS:
            ok &= np.fromiter((s is None or s in (1, 2, 3) for s in strength), bool, n)
        since, until = columns.since, columns.until
        dated_from, dated_to = since.count(None) != n, until.count(None) != n
        if dated_from or dated_to:
            if not (set(map(type, since)) <= _DATE_TYPES and set(map(type, until)) <= _DATE_TYPES):
                ok &= np.fromiter((type(s) in _DATE_TYPES and type(u) in _DATE_TYPES
                                   for s, u in zip(since, until, strict=True)), bool, n)
            if dated_from and dated_to:
                ok &= np.fromiter((s is None or u is None or type(s) is not dt.date or type(u) is not dt.date
                                   or s <= u for s, u in zip(since, until, strict=True)), bool, n)
        mark = columns.opportunity
        if set(map(type, mark)) <= {bool}:
            marked = np.array(mark, bool)
        else:
            ok &= np.fromiter((m is True or m is False for m in mark), bool, n)
            marked = np.fromiter((m is True for m in mark), bool, n)
        if marked.any():
            young = _KIND_CODE[YOUNG_PERSON]
            ok &= ~marked | (ka == young) | (kb == young)
    except Exception:  # noqa: BLE001 - an unusual value (unhashable, odd comparison): tie by tie
        return None
    # one tie per pair: the pair's code from its two rows, the first tie of each pair kept
    pair = np.minimum(a, b) * len(node_list) + np.maximum(a, b)
    candidates = np.flatnonzero(ok)
    codes = np.sort(pair[candidates])  # (a sort and a look for equal neighbours: a tenth of np.unique's time)
    if len(codes) > 1 and (codes[1:] == codes[:-1]).any():
        _, first = np.unique(pair[candidates], return_index=True)
        plain = candidates[np.sort(first)]
    else:  # no pair twice: every candidate is the first of its pair
        plain = candidates
    provides = types[plain] == _TYPE_CODE["provides"]
    if provides.any():
        # a provides tie names the service's provider: plain when the service names no other
        # provider and no other provides tie (of any kinds) has the service at either end
        service = _KIND_CODE[SERVICE]
        given = plain[provides]
        svc = np.where(ka[given] == service, a[given], b[given])
        org = np.where(ka[given] == service, b[given], a[given])
        typed = (types == _TYPE_CODE["provides"]) & (a >= 0) & (b >= 0)
        ends = np.bincount(np.concatenate([a[typed], b[typed]]), minlength=len(ids))
        agrees = [node_list[s].provider is None or node_list[s].provider == ids[o]
                  for s, o in zip(svc.tolist(), org.tolist(), strict=True)]
        keep = np.ones(len(plain), bool)
        keep[np.flatnonzero(provides)] = (ends[svc] == 1) & np.array(agrees, bool)
        plain = plain[keep]
    others = ~ok & (a >= 0) & (b >= 0)
    if others.any():  # a pair some other tie (broken, a provides tie) has: all of it tie by tie
        plain = plain[~np.isin(pair[plain], pair[others])]
    # each key's order as tie_key's (the ids' own order) from each id's rank among the sorted ids
    rank = np.empty(len(ids), np.int64)
    rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    a, b = a[plain], b[plain]
    in_order = rank[a] <= rank[b]
    return plain, np.where(in_order, a, b), np.where(in_order, b, a), plain[types[plain] == _TYPE_CODE["provides"]]


def _key_pieces(low: np.ndarray, high: np.ndarray, by_row: np.ndarray) -> Iterator[Iterator[tuple[str, str]]]:
    """The keys ``(id at low, id at high)`` of :func:`_plain_tie_rows`, a piece of BULK_PIECE at a
    time (an iterator of each piece's keys), the ids picked by numpy's take from ``by_row`` (the
    ids as an array of objects, :func:`_object_array`: a tenth of the time of a ``map`` of
    ``list.__getitem__``). Each piece's keys are made as the ties dict takes them, their ids'
    strings just fetched when the keys are hashed (0.04-0.05 s less than making every key first
    at 391,000 ties)."""
    for start in range(0, len(low), BULK_PIECE):
        stop = start + BULK_PIECE
        let_others_run()
        yield zip(by_row[low[start:stop]].tolist(), by_row[high[start:stop]].tolist(), strict=True)


#: Entries per C call in the bulk passes of :meth:`Project.build` over a file's columns (keys,
#: the ties dict, the adjacency sets): between two pieces Python's lock can go to another thread
#: (a window's UI thread: one pass over a city's 391,000 ties held it 0.1-0.3 s).
BULK_PIECE = 10_000


def _object_array(items: list) -> np.ndarray:
    """``items`` as a one-dimensional numpy array of objects (never read as nested sequences)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def tie_key(a: str, b: str) -> tuple[str, str]:
    """The key of the unordered pair ``{a, b}``."""
    return (a, b) if a <= b else (b, a)


def _bad_number(value: Any) -> bool:
    return isinstance(value, float) and (math.isnan(value) or math.isinf(value))


def settle_activity(node: Node, given: Iterable[str] = ("activity", "neet")) -> None:
    """Make a young person's ``activity`` and ``neet`` agree, in place.

    ``activity`` is the fact and ``neet`` follows it (true for the two NEET states). ``given`` names
    the fields the caller set: when only ``neet`` was given (an older file or import, or a NEET tick
    box), an activity that no longer agrees becomes NEET available (``neet`` true) or EET (false), and
    a missing activity is derived the same way; when ``activity`` was given, ``neet`` is derived from
    it. Both given and disagreeing is left for :func:`node_problems` to refuse.

    >>> n = Node("y", "young_person", neet=True)
    >>> settle_activity(n); n.activity
    'neet_available'
    >>> n.activity = "not_known"; settle_activity(n, ("activity",)); n.neet
    False
    """
    if node.kind != YOUNG_PERSON:
        return
    given = set(given)
    derived = kinds.neet_of(node.activity) if node.activity in ACTIVITIES else None
    if "activity" in given and node.activity is not None:
        if node.neet is None or "neet" not in given:
            node.neet = derived
    elif "activity" in given and "neet" not in given:  # the activity was cleared
        node.neet = None
    elif node.neet is not None and (node.activity is None or derived is not None and derived != node.neet):
        node.activity = kinds.NEET_AVAILABLE if node.neet else kinds.EET
    elif node.neet is None and derived is not None:
        node.neet = derived


def node_problems(node: Node, project: Project, *, record: str | None = None) -> list[Problem]:
    """Every rule ``node`` breaks on its own or against ``project``'s areas and nodes."""
    rec = record or f"node {node.id!r}"
    out: list[Problem] = []

    def bad(fieldname: str, reason: str) -> None:
        out.append(Problem(reason, record=rec, field=fieldname))

    if not node.id or not str(node.id).strip():
        bad("id", "is empty")
    if node.kind not in NODE_KINDS:
        bad("kind", f"unknown kind {node.kind!r}; expected one of {', '.join(NODE_KINDS)}")
        return out
    if node.area_code is not None and node.area_code not in project.areas:
        bad("area_code", f"unknown area code {node.area_code!r}")
    if node.kind == YOUNG_PERSON:
        if node.area_code is None:
            bad("area_code", "a young person needs a home area")
        if node.age is not None and not (0 <= node.age <= 120):
            bad("age", f"age {node.age} is out of range 0..120")
        if node.activity is not None:
            if node.activity not in ACTIVITIES:
                bad("activity", f"unknown activity {node.activity!r}; expected one of {', '.join(ACTIVITIES)}")
            elif node.neet is not None and node.neet != kinds.neet_of(node.activity):
                bad("neet", f"neet is {'true' if node.neet else 'false'} but the activity is {node.activity} "
                            f"(NEET is {'true' if kinds.neet_of(node.activity) else 'false'} for it)")
    elif node.activity is not None:
        bad("activity", "only a young person has an activity")
    if node.kind in PLACE_KINDS:
        if node.lat is None or node.lon is None:
            bad("lat" if node.lat is None else "lon", f"{'an' if node.kind[0] in 'aeiou' else 'a'} {node.kind} needs a location")
        else:
            if _bad_number(node.lat) or not -90 <= node.lat <= 90:
                bad("lat", f"latitude {node.lat} is out of range -90..90")
            if _bad_number(node.lon) or not -180 <= node.lon <= 180:
                bad("lon", f"longitude {node.lon} is out of range -180..180")
    if node.org_type is not None and node.org_type not in ORG_TYPES:
        bad("org_type", f"unknown organisation type {node.org_type!r}")
    if node.sector is not None and node.sector not in SECTORS:
        bad("sector", f"unknown sector {node.sector!r}; expected one of {', '.join(SECTORS)}")
    for name in NUMERIC_NODE_FIELDS:
        value = getattr(node, name)
        if value is not None and (_bad_number(value) or value < 0):
            bad(name, f"{value} is not a non-negative number")
    for name in ("contract_end", "recorded", "updated"):
        value = getattr(node, name)
        if value is not None and not isinstance(value, dt.date):
            bad(name, f"{value!r} is not a date")
    if isinstance(node.recorded, dt.date) and isinstance(node.updated, dt.date) and node.updated < node.recorded:
        bad("updated", f"last updated {node.updated.isoformat()} is before first recorded {node.recorded.isoformat()}")
    for local, total in (("employees_local", "employees_total"), ("spend_local", "spend_total")):
        lv, tv = getattr(node, local), getattr(node, total)
        if lv is not None and tv is not None and lv > tv:
            bad(local, f"{local} ({lv:g}) exceeds {total} ({tv:g})")
    if node.provider is not None:
        if node.kind != SERVICE:
            bad("provider", "only a service has a provider")
        else:
            prov = project.nodes.get(node.provider)
            if prov is None:
                bad("provider", f"unknown provider {node.provider!r}")
            elif prov.kind != ORGANISATION:
                bad("provider", f"provider {node.provider!r} is a {prov.kind}, not an organisation")
    return out


def tie_problems(tie: Tie, project: Project, *, record: str | None = None) -> list[Problem]:
    """Every rule ``tie`` breaks against ``project``'s nodes."""
    rec = record or f"tie {tie.a!r}-{tie.b!r}"
    out: list[Problem] = []

    def bad(fieldname: str, reason: str) -> None:
        out.append(Problem(reason, record=rec, field=fieldname))

    if tie.type not in TIE_TYPES:
        bad("type", f"unknown tie type {tie.type!r}; expected one of {', '.join(TIE_TYPES)}")
    if tie.a == tie.b:
        bad("b", f"a tie cannot join {tie.a!r} to itself")
    na, nb = project.nodes.get(tie.a), project.nodes.get(tie.b)
    if na is None:
        bad("a", f"unknown node {tie.a!r}")
    if nb is None:
        bad("b", f"unknown node {tie.b!r}")
    if na is not None and nb is not None and tie.type in TIE_TYPES and tie.a != tie.b:
        if not kinds.tie_fits(tie.type, na.kind, nb.kind):
            bad(
                "type",
                f"a {tie.type} tie joins {kinds.describe_endpoints(tie.type)}, "
                f"not {na.kind} and {nb.kind}",
            )
        elif tie.type == "provides":
            org, svc = (na, nb) if na.kind == ORGANISATION else (nb, na)
            if svc.provider is not None and svc.provider != org.id:
                bad(
                    "type",
                    f"service {svc.id!r} is provided by {svc.provider!r}, not {org.id!r}",
                )
    if tie.context is not None:
        ctx = project.nodes.get(tie.context)
        if ctx is None:
            bad("context", f"unknown context {tie.context!r}")
        elif ctx.kind not in PLACE_KINDS:
            bad("context", f"context {tie.context!r} is a {ctx.kind}, not a service or organisation")
    if tie.strength is not None and tie.strength not in (1, 2, 3):
        bad("strength", f"strength {tie.strength} is not 1, 2 or 3")
    for name in ("since", "until"):
        value = getattr(tie, name)
        if value is not None and not isinstance(value, dt.date):
            bad(name, f"{value!r} is not a date")
    if isinstance(tie.since, dt.date) and isinstance(tie.until, dt.date) and tie.until < tie.since:
        bad("until", f"the tie ends ({tie.until.isoformat()}) before it starts ({tie.since.isoformat()})")
    if not isinstance(tie.opportunity, bool):
        bad("opportunity", f"{tie.opportunity!r} is not true or false")
    elif tie.opportunity and na is not None and nb is not None and YOUNG_PERSON not in (na.kind, nb.kind):
        bad("opportunity", "only a tie of a young person can be an opportunity tie (someone or somewhere "
                           "that could help them find work, training or a course)")
    return out


def area_problems(area: Area) -> list[Problem]:
    rec = f"area {area.code!r}"
    out: list[Problem] = []
    if not area.code or not str(area.code).strip():
        out.append(Problem("is empty", record=rec, field="code"))
    geom = area.geometry
    if geom is None or geom.is_empty:
        out.append(Problem("has no geometry", record=rec, field="geometry"))
    elif geom.geom_type not in ("Polygon", "MultiPolygon"):
        out.append(Problem(f"geometry is a {geom.geom_type}, not a polygon", record=rec, field="geometry"))
    elif not geom.is_valid:
        out.append(Problem("geometry is not valid", record=rec, field="geometry"))
    if area.imd_decile is not None and not 1 <= area.imd_decile <= 10:
        out.append(Problem(f"IMD decile {area.imd_decile} is not 1..10", record=rec, field="imd_decile"))
    if area.population_16_24 is not None and area.population_16_24 < 0:
        out.append(Problem("is negative", record=rec, field="population_16_24"))
    return out


_NODE_KIND_SET = frozenset(NODE_KINDS)
_PLAIN_NUMBERS = (int, float)
_DATE_OR_NONE = frozenset({type(None), dt.date})


def _plain_in_range(values: Iterable[Any], low: float, high: float) -> bool:
    """Every distinct value an int or float within [low, high] (NaN and infinities are not)."""
    return all(type(v) in _PLAIN_NUMBERS and low <= v <= high for v in set(values))


def _nodes_plainly_valid(p: Project) -> bool:
    """True when no node of ``p`` can break a rule of :func:`node_problems`.

    Checked a column at a time with passes that run in C (sets of the distinct values of a
    column, ``map`` of an attribute getter): about a tenth of the time of ``node_problems`` on
    each of a city's 125,000 nodes. Conservative: a value of an unexpected type, or any rule
    that might be broken, gives False and the caller runs ``node_problems`` on every node,
    which names each problem. Rule by rule as ``node_problems`` (tested against it).
    """
    nodes = list(p.nodes.values())
    if not nodes:
        return True
    get = attrgetter
    try:
        ids = list(map(get("id"), nodes))
        if not set(map(type, ids)) <= {str} or not all(map(str.strip, ids)):
            return False
        if not set(map(get("kind"), nodes)) <= _NODE_KIND_SET:
            return False
        codes = set(map(get("area_code"), nodes))
        codes.discard(None)
        if not p.areas.keys() >= codes:
            return False
        young = [n for n in nodes if n.kind == YOUNG_PERSON]
        others = [n for n in nodes if n.kind != YOUNG_PERSON]
        if any(code is None for code in map(get("area_code"), young)):
            return False
        if not all(a is None or (type(a) is int and 0 <= a <= 120) for a in set(map(get("age"), young))):
            return False
        neet_states = kinds.NEET_ACTIVITIES
        if not all(act is None or (act in ACTIVITIES and (neet is None or neet is (act in neet_states)))
                   for act, neet in set(zip(map(get("activity"), young), map(get("neet"), young), strict=True))):
            return False
        if any(act is not None for act in map(get("activity"), others)):
            return False
        places = [n for n in others if n.kind in PLACE_KINDS]
        if not (_plain_in_range(map(get("lat"), places), -90, 90) and _plain_in_range(map(get("lon"), places), -180, 180)):
            return False
        for name, allowed in (("org_type", ORG_TYPES), ("sector", SECTORS)):
            given = set(map(get(name), nodes))
            given.discard(None)
            if not given <= set(allowed):
                return False
        for name in NUMERIC_NODE_FIELDS:
            given = set(map(get(name), nodes))
            given.discard(None)
            if not _plain_in_range(given, 0, math.inf) or math.inf in given:
                return False
        for name in ("contract_end", "recorded", "updated"):
            if not set(map(type, map(get(name), nodes))) <= _DATE_OR_NONE:
                return False
        if any(u < r for r, u in zip(map(get("recorded"), nodes), map(get("updated"), nodes), strict=True)
               if r is not None and u is not None):
            return False
        for local, total in (("employees_local", "employees_total"), ("spend_local", "spend_total")):
            # only the nodes with a local figure other than 0 can break it (totals are >= 0 by now)
            given = list(compress(nodes, map(get(local), nodes)))
            if any(lv > tv for lv, tv in zip(map(get(local), given), map(get(total), given), strict=True)
                   if tv is not None):
                return False
        by_id = p.nodes
        for node in [n for n in nodes if n.provider is not None]:
            provider = by_id.get(node.provider)
            if node.kind != SERVICE or provider is None or provider.kind != ORGANISATION:
                return False
    except Exception:  # noqa: BLE001 - an unusual value: node_problems judges it
        return False
    return True


def _columns_plainly_valid(p: Project, columns: dict[str, list]) -> bool:
    """:func:`_nodes_plainly_valid` over the nodes given as columns (one list per field of
    :data:`NODE_FIELDS`, the i-th value the i-th node's, as a file's loader has them): the same
    rules, each a C-level pass over a column (no pass over the records); over every node given,
    a node id given twice included (a stricter test than over ``p.nodes``: a False only means
    that ``node_problems`` judges every node)."""
    ids = columns["id"]
    if not ids:
        return True
    try:
        if not set(map(type, ids)) <= {str} or not all(map(str.strip, ids)):
            return False
        kind = columns["kind"]
        if not set(kind) <= _NODE_KIND_SET:
            return False
        codes = set(columns["area_code"])
        codes.discard(None)
        if not p.areas.keys() >= codes:
            return False
        code = np.fromiter(map(_KIND_CODES.__getitem__, kind), np.int8, len(kind))  # (every kind is known)
        young, others = (code == 0).tolist(), (code != 0).tolist()

        def of(name: str, rows: list) -> Iterable[Any]:
            return compress(columns[name], rows)

        if None in set(of("area_code", young)):
            return False
        if not all(a is None or (type(a) is int and 0 <= a <= 120) for a in set(of("age", young))):
            return False
        neet_states = kinds.NEET_ACTIVITIES
        if not all(act is None or (act in ACTIVITIES and (neet is None or neet is (act in neet_states)))
                   for act, neet in set(zip(of("activity", young), of("neet", young), strict=True))):
            return False
        if set(of("activity", others)) - {None}:
            return False
        places = np.isin(code, _PLACE_CODES).tolist()
        if not (_plain_in_range(of("lat", places), -90, 90) and _plain_in_range(of("lon", places), -180, 180)):
            return False
        for name, allowed in (("org_type", ORG_TYPES), ("sector", SECTORS)):
            if not _values(columns[name]) <= set(allowed):
                return False
        for name in NUMERIC_NODE_FIELDS:
            given = _values(columns[name])
            if not _plain_in_range(given, 0, math.inf) or math.inf in given:
                return False
        for name in ("contract_end", "recorded", "updated"):
            if not set(map(type, _values(columns[name]))) <= _DATE_OR_NONE:
                return False
        recorded, updated = columns["recorded"], columns["updated"]
        if recorded.count(None) != len(ids) and updated.count(None) != len(ids):
            dated = list(map(and_, map(is_not, recorded, repeat(None)), map(is_not, updated, repeat(None))))
            if any(u < r for r, u in zip(compress(recorded, dated), compress(updated, dated), strict=True)):
                return False
        for local, total in (("employees_local", "employees_total"), ("spend_local", "spend_total")):
            # only the nodes with a local figure other than 0 can break it (totals are >= 0 by now)
            given = columns[local]
            if any(lv > tv for lv, tv in zip(compress(given, given), compress(columns[total], given), strict=True)
                   if tv is not None):
                return False
        provider = columns["provider"]
        by_id = p.nodes
        for row in compress(range(len(ids)), map(is_not, provider, repeat(None))):
            found = by_id.get(provider[row])
            if kind[row] != SERVICE or found is None or found.kind != ORGANISATION:
                return False
    except Exception:  # noqa: BLE001 - an unusual value: node_problems judges it
        return False
    return True


_KIND_CODES = {kind: code for code, kind in enumerate(NODE_KINDS)}
_PLACE_CODES = [_KIND_CODES[kind] for kind in PLACE_KINDS]


def _values(column: list) -> set:
    """The distinct values of ``column`` other than ``None`` (in one pointer comparison per
    value when every value is ``None``)."""
    if column.count(None) == len(column):
        return set()
    given = set(column)
    given.discard(None)
    return given


def _node_columns_agree(columns: dict[str, list] | None, nodes: list) -> bool:
    """Whether ``columns`` (``Project.build``'s ``node_columns``) are of the nodes ``nodes``: a
    list per field of :data:`NODE_FIELDS`, each of their length, the ids theirs."""
    if not isinstance(columns, dict) or not all(len(columns.get(name, ())) == len(nodes) for name in NODE_FIELDS):
        return False
    return columns["id"] == list(map(attrgetter("id"), nodes))


def _stable_order(keys: np.ndarray, bound: int) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` of non-negative integers below ``bound``: the order
    read back from a plain sort of ``keys * len(keys) + position`` (all distinct, so any sort
    gives the stable order; a quarter of the stable argsort's time over a city's 782,000 tie
    ends), or the stable argsort itself when those codes would not fit in 63 bits."""
    n = len(keys)
    if n == 0 or bound * n >= 2 ** 62:
        return np.argsort(keys, kind="stable")
    codes = keys.astype(np.int64)  # a copy, worked in place (one array besides it at a time)
    codes *= n
    codes += np.arange(n, dtype=np.int64)
    codes.sort()
    codes %= n
    return codes


def _adjacency_of(rows: Any, columns: TieColumns, by_row: np.ndarray | None = None) -> Adjacency:
    """Each node's neighbours over the ties at ``rows`` of ``columns``, for every node of
    ``columns.node_ids`` in that order (none for a node without ties), as arrays
    (:class:`socialmap.model.adjacency.Adjacency`: a node's set is made when first asked for;
    making all 125,000 sets of a city up front took 0.33-0.45 s of opening it). The ends sorted
    by node, each node's run of neighbours in one array; ``by_row``: ``columns.node_ids`` as an
    array of objects (:func:`_object_array`), when the caller has it."""
    ids = columns.node_ids
    if by_row is None:
        by_row = _object_array(ids)
    a = np.asarray(columns.a_row, np.int64)[rows]
    b = np.asarray(columns.b_row, np.int64)[rows]
    ends, others = np.concatenate([a, b]), np.concatenate([b, a])
    others = others[_stable_order(ends, len(ids))]
    stops = np.cumsum(np.bincount(ends, minlength=len(ids)))
    starts = np.concatenate([[0], stops[:-1]]).astype(np.int64)
    return Adjacency(ids, by_row, starts, stops, others)


class Project:
    """Areas, nodes, ties, settings and saved scenarios, kept consistent.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> p = Project()
    >>> p.add_area(Area("A1", "North", box(0, 0, 1, 1)))
    >>> p.add_node(Node("yp1", "young_person", "Sam", area_code="A1"))
    >>> p.add_node(Node("yp2", "young_person", "Alex", area_code="A1"))
    >>> p.add_tie(Tie("yp1", "yp2", "friend"))
    >>> len(p.ties), p.degree("yp1")
    (1, 1)
    """

    def __init__(self) -> None:
        self.areas: dict[str, Area] = {}
        self.nodes: dict[str, Node] = {}
        self.ties: dict[tuple[str, str], Tie] = {}
        #: each node's neighbours: a dict of sets, or (a project built from a file's columns)
        #: the same as arrays, each set made when first asked for (socialmap.model.adjacency)
        self.adjacency: MutableMapping[str, set[str]] = {}
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.scenarios: dict[str, dict[str, Any]] = {}
        #: saved snapshots by name (socialmap.model.snapshots.Snapshot): compressed copies
        self.snapshots: dict[str, Any] = {}
        #: the date this project shows the ties of, when it is a view made by in_force
        self.as_of: dt.date | None = None
        self.version = 0
        #: how many times an edit has put a tie into :attr:`ties`, or taken one out, so far:
        #: while it stays, so does that dict (a job's view of the project shares a copy of it
        #: made once: socialmap.ui.workers)
        self.tie_changes = 0
        self._cache: dict[str, tuple[int, Any]] = {}
        #: (the ties dict it is of, context id -> keys of the ties with that context): made when
        #: first asked for (:meth:`ties_with_context`), then kept by the edits
        self._contexts: tuple[dict, dict[str, set[tuple[str, str]]]] | None = None
        #: what opening the file changed in reading it (a schema upgrade), said once; never saved
        self.notes: list[str] = []

    # ------------------------------------------------------------------ queries
    def __repr__(self) -> str:
        return f"<Project {len(self.areas)} areas, {len(self.nodes)} nodes, {len(self.ties)} ties>"

    def neighbours(self, node_id: str) -> set[str]:
        return self.adjacency.get(node_id, set())

    def incident_ties(self, node_id: str) -> list[Tie]:
        return [self.ties[tie_key(node_id, o)] for o in self.adjacency.get(node_id, ())]

    def degree(self, node_id: str) -> int:
        adjacency = self.adjacency
        return adjacency.count(node_id) if type(adjacency) is Adjacency else len(adjacency.get(node_id, ()))

    def get_tie(self, a: str, b: str) -> Tie | None:
        return self.ties.get(tie_key(a, b))

    def setting(self, name: str) -> Any:
        return self.settings.get(name, DEFAULT_SETTINGS.get(name))

    def cached(self, name: str, build: Any) -> Any:
        """A value built by ``build()`` and kept until the project next changes."""
        hit = self._cache.get(name)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        value = build()
        self._cache[name] = (self.version, value)
        return value

    def touch(self) -> None:
        self.version += 1

    def copy(self) -> Project:
        """A deep copy (geometries shared: they are immutable).

        Records are rebuilt positionally from their fields (``dataclasses.replace`` checks each
        field in Python: 1.2 s for a city of 20,000 young people, about half of that now), with
        Python's cyclic garbage collector paused meanwhile (records form no cycles; collections
        triggered by the new objects scanned all of them again and again)."""
        from socialmap.collection import collection_paused

        with collection_paused():
            return self._copy()

    def _copy(self) -> Project:
        other = Project()
        other.areas = {c: replace(a, attrs=dict(a.attrs)) for c, a in self.areas.items()}
        node_fields = attrgetter(*(f.name for f in fields(Node)))
        other.nodes = {i: Node(*node_fields(n)) for i, n in self.nodes.items()}
        for n in other.nodes.values():
            n.attrs = dict(n.attrs)
        tie_fields = attrgetter(*(f.name for f in fields(Tie)))
        other.ties = {k: Tie(*tie_fields(t)) for k, t in self.ties.items()}
        adjacency = self.adjacency
        other.adjacency = adjacency.deep_copy() if type(adjacency) is Adjacency else \
            {i: set(s) for i, s in adjacency.items()}
        other.settings = dict(self.settings)
        other.scenarios = copy.deepcopy(self.scenarios)
        other.snapshots = dict(self.snapshots)  # a snapshot is immutable: shared
        other.as_of = self.as_of
        return other

    # ------------------------------------------------------------------ areas
    def add_area(self, area: Area) -> None:
        problems = area_problems(area)
        if area.code in self.areas:
            problems.append(Problem("duplicate area code", record=f"area {area.code!r}", field="code"))
        if problems:
            raise InputError(problems)
        self.areas[area.code] = area
        self.touch()

    def update_area(self, code: str, **changes: Any) -> dict[str, Any]:
        """Change fields of an area (not its code); returns the old values."""
        area = self._area(code)
        if "code" in changes:
            raise InputError(Problem("an area's code cannot be changed", record=f"area {code!r}", field="code"))
        candidate = replace(area, **changes)
        problems = area_problems(candidate)
        if problems:
            raise InputError(problems)
        old = {k: getattr(area, k) for k in changes}
        self.areas[code] = candidate
        self.touch()
        return old

    def remove_area(self, code: str) -> Area:
        area = self._area(code)
        users = [n.id for n in self.nodes.values() if n.area_code == code]
        if users:
            raise InputError(
                Problem(
                    f"{len(users)} node(s) live in this area (first: {users[0]!r}); move or delete them first",
                    record=f"area {code!r}",
                )
            )
        del self.areas[code]
        self.touch()
        return area

    def _area(self, code: str) -> Area:
        try:
            return self.areas[code]
        except KeyError:
            raise InputError(Problem(f"unknown area {code!r}")) from None

    # ------------------------------------------------------------------ nodes
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise InputError(Problem(f"unknown node {node_id!r}")) from None

    def add_node(self, node: Node) -> None:
        """Add a node. A young person is placed inside their home area; a
        service with a provider gets its ``provides`` tie."""
        settle_activity(node)
        problems = node_problems(node, self)
        if node.id in self.nodes:
            problems.append(Problem("duplicate id", record=f"node {node.id!r}", field="id"))
        if problems:
            raise InputError(problems)
        if node.kind == YOUNG_PERSON:
            self._place(node)
        if not node.label:
            node.label = node.id
        if node.recorded is None:
            node.recorded = node.updated or dates.today()
        if node.updated is None:
            node.updated = max(node.recorded, dates.today())
        self.nodes[node.id] = node
        self.adjacency.setdefault(node.id, set())
        if node.kind == SERVICE and node.provider is not None:
            self._link(Tie(node.provider, node.id, "provides"))
        self.touch()

    def update_node(self, node_id: str, **changes: Any) -> dict[str, Any]:
        """Change fields of a node (not its id or kind); returns the old values.

        Moving a young person to another area re-places them there; changing a
        service's provider moves its ``provides`` tie. A change that alters a
        field sets ``updated`` to today unless ``updated`` is itself given, and
        the old ``updated`` is then among the returned values, so that giving
        them back (undo) restores the record exactly.
        """
        node = self.node(node_id)
        if "updated" not in changes and any(getattr(node, k, None) != v for k, v in changes.items()):
            changes = {**changes, "updated": dates.today()}
        for fixed in ("id", "kind"):
            if fixed in changes and changes[fixed] != getattr(node, fixed):
                raise InputError(Problem(f"a node's {fixed} cannot be changed", record=f"node {node_id!r}", field=fixed))
        if node.kind == YOUNG_PERSON and ("lat" in changes or "lon" in changes):
            raise InputError(
                Problem(
                    "a young person's location is set from their home area, never given",
                    record=f"node {node_id!r}",
                    field="lat",
                )
            )
        candidate = replace(node, **changes)
        settle_activity(candidate, changes)
        problems = node_problems(candidate, self)
        if problems:
            raise InputError(problems)
        # a derived half (neet from activity, or activity from neet) is given back by an undo too
        old = {k: getattr(node, k) for k in changes}
        for derived in ("activity", "neet"):
            if derived not in old and getattr(candidate, derived) != getattr(node, derived):
                old[derived] = getattr(node, derived)
        old_provider = node.provider
        if node.kind == YOUNG_PERSON and candidate.area_code != node.area_code:
            # the old values leave the point out: giving back the old area places the person
            # at the same deterministic point again (a young person's lat/lon is never given)
            self._place(candidate)
        if node.kind == SERVICE and candidate.provider != old_provider:
            if old_provider is not None and tie_key(old_provider, node_id) in self.ties:
                self._unlink(old_provider, node_id)
            if candidate.provider is not None and tie_key(candidate.provider, node_id) not in self.ties:
                self._link(Tie(candidate.provider, node_id, "provides"))
        self.nodes[node_id] = candidate
        self.touch()
        return old

    def remove_node(self, node_id: str) -> tuple[Node, list[Tie], dict[str, Any]]:
        """Remove a node with its ties. Services it provided lose their provider
        and ties that named it as context lose the context.

        Returns ``(node, ties, dependants)``: what :meth:`restore_node` needs to undo it.
        """
        node = self.node(node_id)
        # only a place is a provider (an organisation) or a tie's context (a service or an
        # organisation: node_problems, tie_problems): a person's removal costs their own ties,
        # not two passes over a city's 125,000 nodes and 391,000 ties (50-70 ms per delete)
        place = node.kind in PLACE_KINDS
        dependants = self.dependants_of(node_id) if place else {"providers": {}, "contexts": {}}
        removed = [self.ties[tie_key(node_id, o)] for o in sorted(self.adjacency.get(node_id, ()))]
        for tie in removed:
            self._unlink(tie.a, tie.b, gone=node_id)
        del self.adjacency[node_id]
        del self.nodes[node_id]
        # records are replaced, never changed in place (a job's view shares them: workers.capture)
        for sid in dependants["providers"]:
            self.nodes[sid] = replace(self.nodes[sid], provider=None)
        for key in dependants["contexts"]:
            tie = self.ties.get(key)
            if tie is not None:  # (a tie of the node's own is gone with it, its context kept)
                self.ties[key] = replace(tie, context=None)
                self.tie_changes += 1
                self._index_context(key, node_id, None)
        self.touch()
        return node, removed, dependants

    def restore_node(self, node: Node, ties: Iterable[Tie], dependants: dict[str, Any] | None = None) -> None:
        """Undo of :meth:`remove_node`: put back the node exactly as it was, and its ties."""
        if node.id in self.nodes:
            raise InputError(Problem("duplicate id", record=f"node {node.id!r}", field="id"))
        self.nodes[node.id] = node
        self.adjacency[node.id] = set()  # (none shares it: filled in place)
        for tie in ties:
            if tie.key not in self.ties:
                self._link(tie, new=node.id)
        for sid, value in (dependants or {}).get("providers", {}).items():
            if sid in self.nodes:
                self.nodes[sid] = replace(self.nodes[sid], provider=value)
        for key, value in (dependants or {}).get("contexts", {}).items():
            key = tuple(key)
            if key in self.ties:
                before = self.ties[key]
                self.ties[key] = replace(before, context=value)
                self.tie_changes += 1
                self._index_context(key, before.context, value)
        self.touch()

    def dependants_of(self, node_id: str) -> dict[str, Any]:
        """Records that name ``node_id`` (services it provides, ties with it as
        context), so an undo of its removal can restore them."""
        nodes = self.nodes
        # a service's provider has the provides tie with it (build links it, update_node moves it,
        # remove_tie clears the provider): among the neighbours, not a pass over every node
        return {
            "providers": {o: node_id for o in sorted(self.adjacency.get(node_id, ()))
                          if nodes[o].provider == node_id},
            "contexts": {k: node_id for k in sorted(self.ties_with_context(node_id))},
        }

    def ties_with_context(self, node_id: str) -> frozenset[tuple[str, str]]:
        """The keys of the ties whose context is ``node_id``: from an index made when first
        asked for (one pass over the ties: 35-40 ms for a city's 391,000, which deleting a
        service or organisation paid every time) and kept up to date by every edit of this
        class that adds, removes or changes a tie. A new ``ties`` dict (a project built or
        copied) is indexed afresh."""
        index = self._contexts
        if index is None or index[0] is not self.ties:
            by_context: dict[str, set[tuple[str, str]]] = {}
            for key, tie in self.ties.items():
                if tie.context is not None:
                    by_context.setdefault(tie.context, set()).add(key)
            index = self._contexts = (self.ties, by_context)
        return frozenset(index[1].get(node_id, ()))

    def _index_context(self, key: tuple[str, str], old: str | None, new: str | None) -> None:
        """Tie ``key``'s context went from ``old`` to ``new`` (None: it has none, or the tie is
        not there): the index of :meth:`ties_with_context` follows, if it is made."""
        index = self._contexts
        if index is None or old == new:
            return
        if index[0] is not self.ties:
            self._contexts = None
            return
        if old is not None:
            keys = index[1].get(old)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del index[1][old]
        if new is not None:
            index[1].setdefault(new, set()).add(key)

    def _place(self, node: Node) -> None:
        from socialmap.model.placement import place_in_area

        area = self.areas[node.area_code]
        node.lon, node.lat = place_in_area(node.id, area.geometry)

    # ------------------------------------------------------------------ ties
    def add_tie(self, tie: Tie) -> None:
        problems = tie_problems(tie, self)
        if not problems and tie.key in self.ties:
            problems.append(
                Problem(
                    f"{tie.a!r} and {tie.b!r} are already tied ({self.ties[tie.key].type}); one tie per pair",
                    record=f"tie {tie.a!r}-{tie.b!r}",
                )
            )
        if problems:
            raise InputError(problems)
        self._link(tie)
        if tie.type == "provides":
            org, svc = (tie.a, tie.b) if self.nodes[tie.a].kind == ORGANISATION else (tie.b, tie.a)
            self.nodes[svc] = replace(self.nodes[svc], provider=org)
        self.touch()

    def update_tie(self, a: str, b: str, **changes: Any) -> dict[str, Any]:
        tie = self.get_tie(a, b)
        if tie is None:
            raise InputError(Problem(f"no tie between {a!r} and {b!r}"))
        if {"a", "b"} & set(changes):
            raise InputError(Problem("a tie's ends cannot be changed; delete it and add another"))
        candidate = replace(tie, **changes)
        problems = tie_problems(candidate, self)
        if problems:
            raise InputError(problems)
        if tie.type == "provides" or candidate.type == "provides":
            if tie.type != candidate.type:
                raise InputError(Problem("a provides tie's type cannot be changed", record=f"tie {a!r}-{b!r}", field="type"))
        old = {k: getattr(tie, k) for k in changes}
        self.ties[tie.key] = candidate
        self.tie_changes += 1
        self._index_context(tie.key, tie.context, candidate.context)
        self.touch()
        return old

    def end_tie(self, a: str, b: str, on: dt.date | None = None) -> dict[str, Any]:
        """End a tie on ``on`` (default today): it is kept, with ``until = on``, and is
        no longer in force from that day (:func:`socialmap.model.dates.in_force`).

        Returns the old values, as :meth:`update_tie` does (undo gives them back).
        """
        on = on or dates.today()
        tie = self.get_tie(a, b)
        if tie is None:
            raise InputError(Problem(f"no tie between {a!r} and {b!r}"))
        if tie.until is not None and tie.until <= on:
            raise InputError(Problem(f"the tie already ended on {tie.until.isoformat()}",
                                     record=f"tie {a!r}-{b!r}", field="until"))
        if tie.type == "provides":
            raise InputError(Problem("a provides tie is the service's provider: change the provider instead",
                                     record=f"tie {a!r}-{b!r}", field="until"))
        return self.update_tie(a, b, until=on)

    def has_dated_ties(self) -> bool:
        """Whether any tie has a ``since`` or ``until`` date (cached per version)."""
        return self.cached("has_dated_ties", lambda: any(
            t.since is not None or t.until is not None for t in self.ties.values()))

    def in_force(self, on: dt.date | None = None) -> Project:
        """The project as of ``on`` (default today): the same areas, nodes, settings and
        scenarios with only the ties in force that day (``since <= on < until``, see
        :mod:`socialmap.model.dates`).

        Returns the project itself when every tie is in force, else a new project that
        shares the node and area records (the measures read it; do not edit it).
        Cached per project version and date.

        Examples
        --------
        >>> import datetime as dt
        >>> from shapely.geometry import box
        >>> p = Project()
        >>> p.add_area(Area("A1", "North", box(0, 0, 1, 1)))
        >>> for i in "123": p.add_node(Node(f"y{i}", "young_person", area_code="A1"))
        >>> p.add_tie(Tie("y1", "y2", "friend", until=dt.date(2025, 9, 1)))
        >>> p.add_tie(Tie("y2", "y3", "friend", since=dt.date(2025, 9, 1)))
        >>> sorted(p.in_force(dt.date(2025, 8, 31)).ties), sorted(p.in_force(dt.date(2025, 9, 1)).ties)
        ([('y1', 'y2')], [('y2', 'y3')])
        """
        on = on or dates.today()
        if not self.has_dated_ties():
            return self

        def build() -> Project:
            other = Project()
            other.areas = self.areas
            other.nodes = self.nodes
            other.settings = self.settings
            other.scenarios = self.scenarios
            other.snapshots = self.snapshots
            other.adjacency = {i: set() for i in self.nodes}
            for key, tie in self.ties.items():
                if (tie.since is None or tie.since <= on) and (tie.until is None or on < tie.until):
                    other.ties[key] = tie
                    other.adjacency[tie.a].add(tie.b)
                    other.adjacency[tie.b].add(tie.a)
            other.as_of = on
            other.version = self.version  # a result made on the view is current for the project it came from
            if TIE_ROWS in self._cache:  # the ties in force are the project's in order, or fewer
                other._cache[TIE_ROWS] = self._cache[TIE_ROWS]
            return other

        hit = self._cache.get("in_force")  # one view kept: a date control moved day by day keeps no pile
        if hit is not None and hit[0] == self.version and hit[1][0] == on:
            return hit[1][1]
        view = build()
        self._cache["in_force"] = (self.version, (on, view))
        return view

    def remove_tie(self, a: str, b: str) -> Tie:
        tie = self.get_tie(a, b)
        if tie is None:
            raise InputError(Problem(f"no tie between {a!r} and {b!r}"))
        self._unlink(a, b)
        if tie.type == "provides":
            svc = tie.b if self.nodes[tie.b].kind == SERVICE else tie.a
            self.nodes[svc] = replace(self.nodes[svc], provider=None)
        self.touch()
        return tie

    def _link(self, tie: Tie, *, new: str | None = None) -> None:
        """Put ``tie`` in. A node's set of neighbours is replaced, not changed (a job's view of
        the project shares the sets: socialmap.ui.workers.snapshot_view), except the set of
        ``new``, a node put back in this same call (restore_node), which nothing shares yet."""
        before = self.ties.get(tie.key)
        self.ties[tie.key] = tie
        self.tie_changes += 1
        self._index_context(tie.key, before.context if before is not None else None, tie.context)
        for end, other in ((tie.a, tie.b), (tie.b, tie.a)):
            if end == new:
                self.adjacency[end].add(other)
            else:
                self._adjacent(end, other, True)

    def _unlink(self, a: str, b: str, *, gone: str | None = None) -> None:
        """Take the tie of ``a`` and ``b`` out; each end's set replaced (see :meth:`_link`), but
        that of ``gone``, a node being removed, whose set goes with it."""
        tie = self.ties.pop(tie_key(a, b))
        self.tie_changes += 1
        self._index_context(tie.key, tie.context, None)
        for end, other in ((a, b), (b, a)):
            if end != gone:
                self._adjacent(end, other, False)

    def _adjacent(self, node_id: str, other: str, tied: bool) -> None:
        """``other`` in (``tied``) or out of ``node_id``'s neighbours, by a new set when that
        changes them (copy on write: a small set, an edit's few)."""
        adjacency = self.adjacency
        now = adjacency.get(node_id)
        if now is None:
            adjacency[node_id] = {other} if tied else set()
        elif (other in now) != tied:
            adjacency[node_id] = now | {other} if tied else now - {other}

    # ------------------------------------------------------------------ bulk
    @classmethod
    def build(
        cls,
        areas: Iterable[Area],
        nodes: Iterable[Node],
        ties: Iterable[Tie],
        settings: dict[str, Any] | None = None,
        scenarios: dict[str, dict[str, Any]] | None = None,
        *,
        place_young_people: bool = True,
        source: str | None = None,
        tie_columns: TieColumns | None = None,
        node_columns: dict[str, list] | None = None,
    ) -> Project:
        """Build a project from records in one pass, collecting every problem.

        Derives the missing half of each ``service.provider`` / ``provides``
        pair; refuses the two when they disagree. Raises one :class:`InputError`
        listing every problem, or returns a consistent project.

        ``tie_columns``: the ties (a list) again as columns (:class:`TieColumns`, as a file's
        loader has them): the ties that plainly pass are then found over the columns and linked
        in bulk (:func:`_plain_tie_rows`, :func:`_adjacency_of`; a city's 391,000 ties about
        0.9 s of CPU against 1.5 s tie by tie, docs/performance.md), every other tie takes the
        tie-by-tie path, so the problems and the project are the same as without them.

        ``node_columns``: the nodes (a list) again as columns, one list per field of
        :data:`NODE_FIELDS` (the i-th value the i-th node's, as that record holds it; a file's
        loader has them as read): the nodes are then checked over the columns
        (:func:`_columns_plainly_valid`) instead of record by record; the problems and the
        project are the same as without them. Trusted to agree with the records (the build
        checks the lengths and the ids), so only a caller that made both passes them.
        """
        p = cls()
        problems: list[Problem] = settings_problems(settings or {})
        for area in areas:
            ps = area_problems(area)
            if area.code in p.areas:
                ps.append(Problem("duplicate area code", record=f"area {area.code!r}", field="code"))
            problems += ps
            if not ps:
                p.areas[area.code] = area
        node_list = list(nodes)
        if node_columns is not None and not _node_columns_agree(node_columns, node_list):
            node_columns = None
        ids = node_columns["id"] if node_columns is not None else list(map(attrgetter("id"), node_list))
        p.nodes = dict(zip(ids, node_list, strict=True))  # (in C: 40-60 ms less than a loop over a city)
        if len(p.nodes) != len(node_list):  # an id given twice: its first node kept, the others refused
            p.nodes = {}
            for node in node_list:
                if node.id in p.nodes:
                    problems.append(Problem("duplicate id", record=f"node {node.id!r}", field="id"))
                    continue
                p.nodes[node.id] = node
        del ids
        if node_columns is not None and any(map(ne, map(is_, node_columns["activity"], repeat(None)),
                                                map(is_, node_columns["neet"], repeat(None)))):
            node_columns = None  # (a young person's activity or NEET flag is settled: not as given)
        if node_columns is None:
            for node in node_list:
                # settle_activity changes a young person only when one of activity and neet is missing
                if node.kind == YOUNG_PERSON and (node.activity is None) != (node.neet is None) \
                        and p.nodes.get(node.id) is node:
                    settle_activity(node)
        plain = _nodes_plainly_valid(p) if node_columns is None else _columns_plainly_valid(p, node_columns)
        if not plain:  # then every rule, record by record, for the messages
            for node in node_list:
                if p.nodes.get(node.id) is node:
                    problems += node_problems(node, p)
        if node_columns is None or not all(node_columns["label"]):
            for node in p.nodes.values():
                if not node.label:
                    node.label = node.id
        del node_columns
        nodes_by_id, linked = p.nodes, p.ties
        provided_by: dict[str, str] = {}  # service -> the organisation of its provides tie, so far
        plain = None
        if tie_columns is not None:
            ties = ties if isinstance(ties, list) else list(ties)
            plain = _plain_tie_rows(ties, tie_columns, node_list, nodes_by_id)
        if plain is not None:
            plain_rows, plain_low, plain_high, plain_provides = plain
            by_row = _object_array(tie_columns.node_ids)
            rest = np.ones(len(ties), bool)
            rest[plain_rows] = False
            rest_rows = np.flatnonzero(rest).tolist()
            linked_ties = ties if not rest_rows else list(map(ties.__getitem__, plain_rows.tolist()))
            for start, keys in zip(range(0, len(plain_rows), BULK_PIECE), _key_pieces(plain_low, plain_high, by_row),
                                   strict=True):  # a piece per C call (BULK_PIECE)
                linked.update(zip(keys, linked_ties[start:start + BULK_PIECE], strict=True))
            # every node's set at once, in the nodes' order (the columns' ids are the nodes' ids)
            p.adjacency = _adjacency_of(plain_rows, tie_columns, by_row)
            ties_left: Iterable[Tie] = map(ties.__getitem__, rest_rows)
        else:
            p.adjacency = {node_id: set() for node_id in p.nodes}
            ties_left = ties
        adjacency = p.adjacency
        for tie in ties_left:
            # The common case checked inline (the rules of tie_problems, ~3x faster
            # at 400,000 ties); anything unusual takes the full path below.
            a, b, ctx = tie.a, tie.b, tie.context
            na, nb = nodes_by_id.get(a), nodes_by_id.get(b)
            if (
                na is not None and nb is not None and a != b
                and (tie.type, na.kind, nb.kind) in _FITTING and tie.type != "provides"
                and (ctx is None or (ctx in nodes_by_id and nodes_by_id[ctx].kind in PLACE_KINDS))
                and (tie.strength is None or tie.strength in (1, 2, 3))
                and (tie.since is None or type(tie.since) is dt.date)
                and (tie.until is None or type(tie.until) is dt.date)
                and (tie.since is None or tie.until is None or tie.since <= tie.until)
                and (tie.opportunity is False or (tie.opportunity is True and YOUNG_PERSON in (na.kind, nb.kind)))
            ):
                key = (a, b) if a <= b else (b, a)
                if key not in linked:
                    linked[key] = tie
                    adjacency[a].add(b)
                    adjacency[b].add(a)
                    continue
            ps = tie_problems(tie, p)
            if not ps and tie.key in p.ties:
                ps.append(
                    Problem(
                        f"duplicate tie: {tie.a!r} and {tie.b!r} are already tied; one tie per pair",
                        record=f"tie {tie.a!r}-{tie.b!r}",
                    )
                )
            if not ps and tie.type == "provides":
                # a service has one provider: a second provides tie would leave
                # service.provider naming only one of them
                svc = tie.b if p.nodes[tie.b].kind == SERVICE else tie.a
                other = provided_by.get(svc)  # (a scan of the service's ties took 0.2 s in a city)
                if other is not None:
                    ps.append(
                        Problem(
                            f"service {svc!r} is already provided by {other!r}; a service has one provider",
                            record=f"tie {tie.a!r}-{tie.b!r}",
                            field="type",
                        )
                    )
            problems += ps
            if not ps:
                p._link(tie)
                if tie.type == "provides":
                    provided_by[svc] = tie.a if tie.b == svc else tie.b
        linked_left = p.ties.values()
        if plain is not None:
            # the ties linked one by one, and every tie in the file's order as without the columns
            a_row, b_row = tie_columns.a_row, tie_columns.b_row
            left = [i for i in rest_rows if a_row[i] >= 0 and b_row[i] >= 0 and linked.get(ties[i].key) is ties[i]]
            linked_left = [ties[i] for i in (*plain_provides.tolist(), *left)]
            if left:
                order = np.concatenate([plain_rows, np.array(left, np.int64)])
                keys = list(p.ties)  # the plain ties' keys, then those linked one by one, as linked
                in_file_order = np.argsort(order, kind="stable").tolist()
                p.ties = dict(zip(map(keys.__getitem__, in_file_order), map(ties.__getitem__, order[in_file_order].tolist()),
                                  strict=True))
        if not problems:
            for tie in list(linked_left):  # (with the columns: the provides ties linked, no other)
                if tie.type == "provides":
                    org, svc = (tie.a, tie.b) if p.nodes[tie.a].kind == ORGANISATION else (tie.b, tie.a)
                    p.nodes[svc].provider = org
            every = p.nodes.values()  # (the nodes naming a provider picked in C: a city's 125,000)
            for node in list(compress(every, map(is_not, map(attrgetter("provider"), every), repeat(None)))):
                if node.kind == SERVICE:
                    key = tie_key(node.provider, node.id)
                    if key not in p.ties:
                        p._link(Tie(node.provider, node.id, "provides"))
        if not place_young_people:  # the points as stored (a file): each inside its home area
            from socialmap.model.placement import outside_home_area, outside_home_problem

            problems += [outside_home_problem(n, code) for n, code in outside_home_area(p)]
        if problems:
            if source:
                problems = [replace(pr, file=pr.file or source) for pr in problems]
            raise InputError(problems)
        if place_young_people:
            from socialmap.model.placement import place_young_people as _place_all

            _place_all(p)
        if settings:
            p.settings.update(settings)
        if scenarios:
            p.scenarios = dict(scenarios)
        if tie_columns is not None:
            p._cache[TIE_ROWS] = (p.version, TieRows(ties, tie_columns.node_ids, tie_columns.a_row,
                                                     tie_columns.b_row, tie_columns.context_row))
        return p

    def check(self) -> None:
        """Raise one :class:`InputError` listing every rule the project breaks."""
        problems: list[Problem] = []
        for area in self.areas.values():
            problems += area_problems(area)
        for node in self.nodes.values():
            problems += node_problems(node, self)
        for tie in self.ties.values():
            problems += tie_problems(tie, self)
        if problems:
            raise InputError(problems)

    # ------------------------------------------------------------------ views
    def graph(self):
        """A networkx Graph of the project: node attributes are the node's
        fields, edge attributes ``type``, ``context`` and ``strength``."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from((n.id, {"kind": n.kind, "area_code": n.area_code, "label": n.label, "neet": n.neet}) for n in self.nodes.values())
        g.add_edges_from((t.a, t.b, {"type": t.type, "context": t.context, "strength": t.strength,
                                         "opportunity": t.opportunity}) for t in self.ties.values())
        return g

    def counts(self) -> dict[str, Any]:
        """Counts by node kind and tie type, for ``socialmap info``."""
        by_kind = {k: 0 for k in NODE_KINDS}
        for n in self.nodes.values():
            by_kind[n.kind] += 1
        by_type = {t: 0 for t in TIE_TYPES}
        for t in self.ties.values():
            by_type[t.type] += 1
        neet = sum(1 for n in self.nodes.values() if n.kind == YOUNG_PERSON and n.neet)
        not_known = sum(1 for n in self.nodes.values() if n.kind == YOUNG_PERSON and n.activity == kinds.NOT_KNOWN)
        return {
            "areas": len(self.areas),
            "nodes": len(self.nodes),
            "ties": len(self.ties),
            "nodes_by_kind": by_kind,
            "ties_by_type": by_type,
            "neet_young_people": neet,
            "activity_not_known_young_people": not_known,
            "anchors": sum(1 for n in self.nodes.values() if n.kind == ORGANISATION and n.is_anchor),
            "saved_scenarios": len(self.scenarios),
            "ties_ended": sum(1 for t in self.ties.values() if t.until is not None and t.until <= dates.today()),
            "snapshots": {s.name: {"as_of": s.as_of.isoformat(), "taken": s.taken, "size_bytes": s.size_bytes}
                          for s in self.snapshots.values()},
        }


__all__ = [
    "ADULT",
    "Area",
    "DEFAULT_SETTINGS",
    "Node",
    "Project",
    "Tie",
    "settle_activity",
    "tie_key",
]
