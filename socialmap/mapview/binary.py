"""The map's compact payloads: columns of numbers as base64 typed arrays, not GeoJSON.

A city of 100,000 young people has 125,000 drawn nodes and 391,000 drawn ties. As
GeoJSON features and tie records that was a 61 MB JSON text, parsed and turned into
half a million Leaflet objects by the page. Here every node is one row of a few
columns (``Float32`` latitude and longitude, ``Uint8`` kind, flags and age, ``Int32``
home area) and every tie one row of two ``Uint32`` node rows and a ``Uint8`` class:
about 9 MB of text at 100,000, which the page decodes straight into typed arrays
(``resources/map_bridge.js``, ``decode``) and draws with viewport culling and level of
detail. Ids and labels travel as JSON lists of strings (shown with ``textContent``).

The payload is sent in parts (:func:`parts`) so the page can draw the areas and
places while the young people and ties are still arriving.

Coordinates are Float32: about 0.3 m at these latitudes, finer than the map ever
draws, and young people's points are already jittered inside their home area
(SPEC section 8).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping
from itertools import repeat
from operator import attrgetter, eq, is_, is_not, itemgetter
from typing import Any

import numpy as np

from socialmap.mapview.payloads import POPUP_FIELDS, _plain
from socialmap.model.kinds import ORGANISATION, PLACE_KINDS, SERVICE, YOUNG_PERSON
from socialmap.model.project import Node, Project
from socialmap.turns import let_others_run

#: Kind codes of the ``kind`` column (the page's ``KINDS`` lists them in this order).
KIND_CODES = {YOUNG_PERSON: 0, SERVICE: 1, ORGANISATION: 2}
#: Bits of the ``flags`` column.
FLAG_NEET, FLAG_ANCHOR = 1, 2
#: ``age`` of a node without one.
NO_AGE = 255
#: Tie class codes of the ``cls`` column, in the order of :data:`payloads.TIE_CLASSES`.
CLASS_CODES = {"bonding": 0, "bridging": 1, "linking": 2, "institutional": 3, "unclassified": 4}


def b64(array: np.ndarray, dtype: str) -> str:
    """The little-endian bytes of ``array`` as ``dtype``, base64-encoded."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()).decode("ascii")


def _place_props(node: Node) -> dict[str, Any]:
    return {name: _plain(getattr(node, name)) for name in POPUP_FIELDS[node.kind]}


def drawn_nodes(project: Project) -> list[Node]:
    """The nodes the map draws (young people, services, organisations with a point), in the
    project's order: their positions in this list are their rows in the page."""
    return [n for n in project.nodes.values() if n.kind in KIND_CODES and n.lat is not None and n.lon is not None]


#: Group keys that are fields of a node (``payloads.group_key``); any other is an imported attribute.
_GROUP_FIELDS = ("area_code", "role", "age", "neet")
#: The fields of a drawn node that :func:`nodes_block` puts in its columns.
BLOCK_FIELDS = ("id", "label", "kind", "lat", "lon", "neet", "is_anchor", "age", "area_code")


def nodes_block(nodes: list[Node], area_codes: Mapping[str, int]) -> dict[str, Any]:
    """Columns of ``nodes`` (see the module text); ``area_codes`` numbers the areas.

    Made from ``map`` over attribute getters and list comprehensions, not ``np.fromiter`` over
    generator expressions: on the window's job thread a generator consumed by one C call kept
    Python's lock from the UI thread for 0.1-0.4 s at a time (a city's 125,000 nodes)."""
    get = attrgetter
    columns = {name: list(map(get(name), nodes)) for name in BLOCK_FIELDS}
    places = [[i, _place_props(node)] for i, node in enumerate(nodes) if node.kind in PLACE_KINDS]
    return nodes_block_of(columns, places, area_codes)


def nodes_block_of(columns: Mapping[str, list], places: list, area_codes: Mapping[str, int], *,
                   kind_codes: np.ndarray | None = None) -> dict[str, Any]:
    """:func:`nodes_block` of drawn nodes given as one list per field of :data:`BLOCK_FIELDS`
    and their places' popup properties (``[row, {field: value}]``); ``kind_codes``, the
    :data:`KIND_CODES` of their kinds if already made."""
    n = len(columns["id"])
    kinds = kind_codes if kind_codes is not None else np.array(
        list(map(KIND_CODES.__getitem__, columns["kind"])), np.uint8).reshape(n)
    lat = np.array(columns["lat"], np.float64).reshape(n)
    lon = np.array(columns["lon"], np.float64).reshape(n)
    neet = np.array([v is True for v in columns["neet"]], bool).reshape(n)
    anchor = np.array([v is True for v in columns["is_anchor"]], bool).reshape(n)
    flags = neet.astype(np.uint8) * FLAG_NEET | anchor.astype(np.uint8) * FLAG_ANCHOR
    ages = np.array([NO_AGE if a is None or not 0 <= a < NO_AGE else a for a in columns["age"]],
                    np.uint8).reshape(n)
    area = np.array(list(map(area_codes.get, columns["area_code"], repeat(-1, n))), np.int32).reshape(n)
    return {
        "n": n,
        "ids": list(columns["id"]),
        "labels": list(columns["label"]),
        "kind": b64(kinds, "u1"), "flags": b64(flags, "u1"), "age": b64(ages, "u1"),
        "lat": b64(lat, "f4"), "lon": b64(lon, "f4"), "area": b64(area, "i4"),
        "places": places,
    }


#: Items per C-level pass over a city's ties on the window's job thread: one pass of dict
#: look-ups over 391,000 tie ends is one call that holds Python's lock (0.05 s on a quiet
#: machine, 0.4-0.9 s on a busy one, all of it a stall of the UI thread).
PIECE = 20_000


def rows_of(rows: Mapping[str, int], ids: list[str]) -> np.ndarray:
    """The row of each of ``ids`` in ``rows`` (-1 when it has none), looked up in pieces."""
    out = np.empty(len(ids), np.int64)
    for start in range(0, len(ids), PIECE):
        out[start:start + PIECE] = list(map(rows.get, ids[start:start + PIECE], repeat(-1)))
        let_others_run()
    return out


def tie_classes_array(project: Project, keys: list[tuple[str, str]],
                      classes: Mapping[tuple[str, str], str] | None, group_by: str) -> np.ndarray:
    """The class code of each tie of ``keys``: from ``classes`` (an analysis), otherwise by
    the rules of :func:`socialmap.mapview.payloads.tie_class`."""
    from socialmap.mapview.payloads import tie_class

    known = classes or {}
    ties = project.ties
    out = np.empty(len(keys), np.uint8)
    unknown = len(CLASS_CODES)  # (not a code)
    for start in range(0, len(keys), PIECE):  # looked up in C, a piece at a time
        piece = keys[start:start + PIECE]
        out[start:start + len(piece)] = list(map(CLASS_CODES.get, map(known.get, piece), repeat(unknown)))
        let_others_run()
    for i in np.flatnonzero(out == unknown).tolist():  # no class given: by the rules
        out[i] = CLASS_CODES[tie_class(project, ties[keys[i]], group_by)]
    return out


def ties_block(project: Project, rows: Mapping[str, int],
               classes: Mapping[tuple[str, str], str] | None = None, *,
               group_by: str = "area_code", keys: Iterable[tuple[str, str]] | None = None,
               on: dt.date | None = None, codes: np.ndarray | None = None) -> dict[str, Any]:
    """The drawn ties (both ends among ``rows``, the page's node rows, and in force on ``on``, default today:
    an ended tie is kept in the project but not drawn, :mod:`socialmap.model.dates`) as columns
    ``a``, ``b`` (node rows, in the order of the tie's key, so the page's key is
    ``ids[a] + "|" + ids[b]``) and ``cls``. Every tie of the project, or those of ``keys``.
    ``codes``: the :data:`CLASS_CODES` of ``classes`` for every tie of the project in its order,
    read by position instead of by key (when ``keys`` is not given)."""
    from socialmap.model.dates import in_force, today

    ties = project.ties
    picked = list(ties) if keys is None else [k for k in keys if k in ties]
    at = None  # the positions of ``picked`` in the project's ties, when some are left out
    if project.has_dated_ties():
        on = on or today()
        inside = [in_force(ties[k].since, ties[k].until, on) for k in picked]
        at = np.flatnonzero(np.array(inside, bool))
        picked = [k for k, ok in zip(picked, inside, strict=True) if ok]
    a = rows_of(rows, list(map(itemgetter(0), picked)))
    b = rows_of(rows, list(map(itemgetter(1), picked)))
    keep = (a >= 0) & (b >= 0)
    drawn = [k for k, ok in zip(picked, keep.tolist(), strict=True) if ok] if not keep.all() else picked
    if classes is None:
        cls = _default_classes(project, drawn, group_by, rows, a[keep], b[keep])
    elif codes is not None and keys is None:
        cls = np.asarray(codes, np.uint8)[at if at is not None else slice(None)][keep]
    else:
        cls = tie_classes_array(project, drawn, classes, group_by)
    return {"n": len(drawn), "a": b64(a[keep], "u4"), "b": b64(b[keep], "u4"), "cls": b64(cls, "u1")}


def _default_classes(project: Project, keys: list[tuple[str, str]], group_by: str,
                     rows: Mapping[str, int], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Classes without an analysis, the rules of ``tie_class`` worked out over arrays: each
    drawn node's kind and group key looked up once, by its row in ``rows`` (``a`` and ``b``:
    the rows of each tie's ends; both ends of a drawn tie are drawn nodes: the people young
    people, the others services and organisations)."""
    from socialmap.mapview.payloads import group_key

    nodes = project.nodes
    drawn = list(map(nodes.__getitem__, rows))  # the drawn nodes
    try:
        groups = group_numbers([group_key(node, group_by) for node in drawn])
    except TypeError:  # a group key that cannot be hashed: one tie at a time
        return _default_classes_one_by_one(project, keys, group_by)
    at = np.array(list(rows.values()), np.int64).reshape(len(drawn))  # their rows
    is_place = np.zeros(int(at.max()) + 1 if len(at) else 0, bool)
    is_place[at] = [node.kind in PLACE_KINDS for node in drawn]
    group = np.full(len(is_place), -1, np.int64)
    group[at] = groups
    ties = project.ties
    return classes_of(is_place, group, [ties[k].type for k in keys], a, b)


def group_numbers(values: list) -> np.ndarray:
    """Each distinct group key of ``values`` numbered in order of first appearance; ``None`` is -1
    and NaN (unequal to itself, so never bonding, as in ``tie_class``) a number of its own each
    time. Raises TypeError for a key that cannot be hashed."""
    distinct = set(values)
    if all(g == g for g in distinct):  # no NaN: each distinct key a number, None -1
        number = {g: i for i, g in enumerate(distinct)}
        number[None] = -1
        return np.array(list(map(number.__getitem__, values)), np.int64).reshape(len(values))
    groups: dict[Any, int] = {}
    out = np.full(len(values), -1, np.int64)
    for row, g in enumerate(values):
        if g is not None:
            if g != g:
                g = object()
            out[row] = groups.setdefault(g, len(groups))
    return out


#: Tie types that make a tie linking whoever it joins (``payloads.tie_class``).
_BY_ROLE = {"mentor": True, "worker": True}


def classes_of(is_place: np.ndarray, group: np.ndarray, types: list[str], a: np.ndarray,
               b: np.ndarray) -> np.ndarray:
    """The default class code of each tie joining rows ``a`` and ``b`` (of type ``types``), given
    each row's being a place and its group number (:func:`group_numbers`): the rules of
    :func:`socialmap.mapview.payloads.tie_class` over arrays."""
    by_role = np.array([t in _BY_ROLE for t in types], bool).reshape(len(types))
    return classes_by_role(is_place, group, by_role, a, b)


def classes_by_role(is_place: np.ndarray, group: np.ndarray, by_role: np.ndarray, a: np.ndarray,
                    b: np.ndarray) -> np.ndarray:
    """:func:`classes_of`, given for each tie whether its type is a role's (mentor, worker)."""
    pa, pb, ga, gb = is_place[a], is_place[b], group[a], group[b]
    c = CLASS_CODES
    out = np.where(ga == gb, c["bonding"], c["bridging"])
    out[(ga < 0) | (gb < 0)] = c["unclassified"]
    out[pa | pb | by_role] = c["linking"]
    out[pa & pb] = c["institutional"]
    return out.astype(np.uint8)


def _default_classes_one_by_one(project: Project, keys: list[tuple[str, str]], group_by: str) -> np.ndarray:
    from socialmap.mapview.payloads import group_key

    nodes = project.nodes
    ties = project.ties
    out = np.empty(len(keys), np.uint8)
    for i, (a, b) in enumerate(keys):
        pa, pb = nodes[a].kind in PLACE_KINDS, nodes[b].kind in PLACE_KINDS
        if pa and pb:
            out[i] = CLASS_CODES["institutional"]
        elif pa or pb or ties[(a, b)].type in ("mentor", "worker"):
            out[i] = CLASS_CODES["linking"]
        else:
            ga, gb = group_key(nodes[a], group_by), group_key(nodes[b], group_by)
            out[i] = CLASS_CODES["unclassified" if ga is None or gb is None else "bonding" if ga == gb else "bridging"]
    return out


def areas_block(project: Project) -> dict[str, Any]:
    """The areas as GeoJSON (as :func:`payloads.areas_payload`), each with a point inside it
    (``centre``, [lat, lon]) where the page draws its count of young people."""
    from socialmap.mapview.payloads import areas_payload

    fc = areas_payload(project)
    for feature in fc["features"]:
        point = project.areas[feature["id"]].geometry.representative_point()
        feature["properties"]["centre"] = [round(point.y, 6), round(point.x, 6)]
    return fc


def areas_part(project: Project) -> dict[str, Any]:
    """The first part of a project's payload: its areas, their codes (numbered in this order
    by the nodes' ``area`` column) and the bounds the view fits."""
    from socialmap.mapview.payloads import project_bounds

    return {"part": "areas", "areas": areas_block(project), "area_codes": list(project.areas),
            "bounds": project_bounds(project)}


def node_and_tie_parts(project: Project, classes: Mapping[tuple[str, str], str] | None = None,
                       on: dt.date | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The other parts, nodes then ties, and the page's row of each drawn node id."""
    codes = {code: i for i, code in enumerate(project.areas)}
    nodes = drawn_nodes(project)
    rows = {node.id: i for i, node in enumerate(nodes)}
    group_by = project.setting("group_by") or "area_code"
    return [
        {"part": "nodes", "nodes": nodes_block(nodes, codes)},
        {"part": "ties", "ties": ties_block(project, rows, classes, group_by=group_by, on=on)},
    ], rows


def parts(project: Project, classes: Mapping[tuple[str, str], str] | None = None,
          on: dt.date | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The payload of a project in the order the page draws it: areas and bounds first, then
    the nodes, then the ties; and the page's row of each drawn node id."""
    rest, rows = node_and_tie_parts(project, classes, on)
    return [areas_part(project), *rest], rows



class PartsPreview:
    """The payload of a project file made from its columns as they are read, before its
    records are made and checked: the first stage of opening a file, so the page draws the map
    while the rest is still being read (:func:`socialmap.store.gpkg.read_records` calls
    :meth:`areas`, :meth:`nodes` and :meth:`ties` in turn; each hands its part to ``send``).

    For a consistent project that :meth:`Project.build` adds nothing to, the parts are, text for
    text, those of :func:`parts` of the project built from the same records: each young
    person's activity and NEET flag settled as the build settles them, an empty label shown as
    the id, the ties in force on ``on`` (default today) between drawn nodes, classed by the
    default rules. Where the build adds or changes a record (a ``provides`` tie derived from a
    service's provider) the project's own parts differ, and the caller draws those once it is
    built; where it refuses the file, the caller withdraws the preview. What this does not
    handle (no areas, two nodes with one id, a group key that cannot be hashed, an end that is
    not text) ends the preview: nothing more is sent, and :attr:`complete` stays False.
    """

    def __init__(self, send: Any, on: dt.date | None = None) -> None:
        self.send = send
        self.on = on
        #: parts sent so far
        self.sent: list[dict[str, Any]] = []
        self.rows: dict[str, int] | None = None
        self._stopped = False
        self._stale = False
        self._group_by = "area_code"
        #: the node fields :meth:`nodes` needs of every node (read first, the others later)
        self.fields: tuple[str, ...] = ()
        #: the fields it needs of the places only (their popups): read apart, :meth:`places`
        self.place_fields: tuple[str, ...] = ()
        self._places: Mapping[str, list] | None = None

    @property
    def complete(self) -> bool:
        """Whether all three parts were sent."""
        return len(self.sent) == 3

    def _part(self, part: dict[str, Any]) -> None:
        self.sent.append(part)
        self.send(part)

    def matches(self, project: Project) -> bool:
        """Whether the parts sent are those of :func:`parts` of ``project``, the project built
        from the records read (so they need not be made again): all three sent, and the build
        added no tie (a ``provides`` tie derived from a service's provider) and changed no
        drawn service's provider; everything else the build changes in a record (an empty
        label, a young person's activity or NEET flag) the preview changed the same way."""
        if not self.complete or self._stale or len(project.ties) != self._ties_read:
            return False
        nodes = project.nodes
        return all(nodes[i].provider == provider for i, provider in self._providers.items())

    def stale(self) -> None:
        """The records are read otherwise than the columns told (:meth:`matches` is then False)."""
        self._stale = True

    def areas(self, areas: Iterable[Any], settings: Mapping[str, Any]) -> None:
        """The areas part, from the file's areas; ``settings`` are the file's (its group key)."""
        shell = Project()
        for area in areas:
            shell.areas.setdefault(area.code, area)
        self._codes = {code: i for i, code in enumerate(shell.areas)}
        self._group_by = settings.get("group_by", "area_code") or "area_code"
        self.fields = (*BLOCK_FIELDS, "activity",
                       self._group_by if self._group_by in _GROUP_FIELDS else "attrs")
        self.place_fields = ("id", *dict.fromkeys(f for kind in PLACE_KINDS for f in POPUP_FIELDS[kind]))
        if not shell.areas:
            self._stopped = True
            return
        self._part(areas_part(shell))

    def places(self, places: Mapping[str, list]) -> None:
        """The popup fields of the places (services and organisations), one list per field of
        :attr:`place_fields` over the file's rows of those kinds (read apart from the other
        nodes: 5,000 rows of a city's 125,000); :meth:`nodes` takes them from here."""
        self._places = places

    def nodes(self, nodes: Mapping[str, list]) -> None:
        """The nodes part, from one list per field of a node (in file order): those of
        :attr:`fields`, and the popup fields of :attr:`place_fields` too unless :meth:`places`
        was told them. The lists are not changed (the records are made from them later)."""
        if self._stopped:
            return
        ids = nodes["id"]
        if len(set(ids)) != len(ids):
            self._stopped = True
            return
        n = len(ids)
        # the drawn nodes: of a drawn kind, with a point (each test a C-level pass over the column)
        every_code = np.array(list(map(KIND_CODES.get, nodes["kind"], repeat(len(KIND_CODES), n))),
                              np.uint8).reshape(n)
        drawn = every_code < len(KIND_CODES)
        for name in ("lat", "lon"):
            if None in nodes[name]:
                drawn &= np.array(list(map(is_not, nodes[name], repeat(None, n))), bool).reshape(n)
        every = bool(drawn.all())
        picked = range(n) if every else np.flatnonzero(drawn).tolist()
        take = None if every or not picked else (itemgetter(*picked) if len(picked) > 1
                                                 else lambda column: (column[picked[0]],))
        columns: dict[str, list] = {}
        for name in {*BLOCK_FIELDS, "activity", self._group_by if self._group_by in _GROUP_FIELDS else "id"}:
            columns[name] = nodes[name] if every else list(take(nodes[name])) if take else []
        drawn_ids, labels = columns["id"], columns["label"]
        if not all(labels):  # an empty label is shown as the id (as the build settles it)
            columns["label"] = [label or nid for label, nid in zip(labels, drawn_ids, strict=True)]
        self._settle(columns)
        codes = every_code if every else every_code[drawn]
        self._is_place = codes != KIND_CODES[YOUNG_PERSON]
        place_rows = np.flatnonzero(self._is_place).tolist()
        found = self._places
        if found is None:  # every field in ``nodes``: each place's popup fields at its file row
            source, at = nodes, (place_rows if every else [picked[r] for r in place_rows])
        else:  # read apart: each place found by its id
            source, index = found, dict(zip(found["id"], range(len(found["id"])), strict=True))
            at = list(map(index.__getitem__, map(drawn_ids.__getitem__, place_rows)))
        kind_of = columns["kind"]
        places = [[row, {name: _plain(source[name][i]) for name in POPUP_FIELDS[kind_of[row]]}]
                  for row, i in zip(place_rows, at, strict=True)]
        if self._group_by in _GROUP_FIELDS:  # payloads.group_key
            values = columns[self._group_by]
        else:
            attrs = nodes["attrs"]
            values = [attrs[i].get(self._group_by) for i in picked]
        try:
            self._group = group_numbers(values)
        except TypeError:
            self._stopped = True
            return
        # each file row's drawn row (-1: not drawn), the last for an end that is no node
        self._drawn_row = np.full(len(ids) + 1, -1, np.int64)
        self._drawn_row[np.array(picked, np.int64)] = np.arange(len(picked))
        self.rows = dict(zip(drawn_ids, range(len(picked)), strict=True))
        providers = source["provider"]
        self._providers = {drawn_ids[row]: providers[i] for row, i in zip(place_rows, at, strict=True)
                           if kind_of[row] == SERVICE}
        self._part({"part": "nodes", "nodes": nodes_block_of(columns, places, self._codes, kind_codes=codes)})

    @staticmethod
    def _settle(columns: dict[str, list]) -> None:
        """Each young person's activity and NEET flag as :meth:`Project.build` settles them
        (copies of the two columns made when one changes)."""
        from socialmap.model.project import settle_activity

        activity, neet = columns["activity"], columns["neet"]
        n = len(activity)
        if activity.count(None) == 0 and neet.count(None) == 0:
            return
        # one C-level pass per column: young people with an activity and no NEET flag, or the reverse
        young = np.array(list(map(eq, columns["kind"], repeat(YOUNG_PERSON, n))), bool).reshape(n)
        no_activity = np.array(list(map(is_, activity, repeat(None, n))), bool).reshape(n)
        no_flag = np.array(list(map(is_, neet, repeat(None, n))), bool).reshape(n)
        unsettled = np.flatnonzero(young & (no_activity != no_flag)).tolist()
        if not unsettled:
            return
        activity, neet = columns["activity"], columns["neet"] = list(activity), list(neet)
        for row in unsettled:
            node = Node(columns["id"][row], YOUNG_PERSON, activity=activity[row], neet=neet[row])
            settle_activity(node)
            activity[row], neet[row] = node.activity, node.neet

    def ties(self, pieces: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> None:
        """The ties part, from the ties in file order, a piece at a time (or all in one): each
        piece one list per field of a tie (``a``, ``b``, ``type``, ``since``, ``until``) and
        ``a_row``, ``b_row``: the file row of each end's node (-1 for none)."""
        from socialmap.model.dates import in_force, today

        if self._stopped or self.rows is None:
            return
        rank = self._rank()
        drawn_row, day = self._drawn_row, self.on or today()
        got_a, got_b, got_role, got_swap = [], [], [], []
        read = 0
        for piece in [pieces] if isinstance(pieces, Mapping) else pieces:
            types = piece["type"]
            n = len(types)
            read += n
            a = drawn_row[np.array(piece["a_row"], np.int64).reshape(n)]
            b = drawn_row[np.array(piece["b_row"], np.int64).reshape(n)]
            keep = (a >= 0) & (b >= 0)
            since, until = piece["since"], piece["until"]
            if since.count(None) != n or until.count(None) != n:
                keep &= np.array([in_force(s, u, day) for s, u in zip(since, until, strict=True)], bool).reshape(n)
            by_role = np.array(list(map(_BY_ROLE.get, types, repeat(False, n))), bool).reshape(n)
            if rank is None:  # each tie's ends in the order of its key, compared as Python compares text
                got_swap.append(np.array([x > y for x, y, ok in zip(piece["a"], piece["b"], keep.tolist(), strict=True)
                                          if ok], bool))
            if not keep.all():
                a, b, by_role = a[keep], b[keep], by_role[keep]
            got_a.append(a)
            got_b.append(b)
            got_role.append(by_role)
        self._ties_read = read
        a, b, by_role = (np.concatenate(got) if got else np.zeros(0, dtype)
                         for got, dtype in ((got_a, np.int64), (got_b, np.int64), (got_role, bool)))
        # each tie's ends in the order of its key (the ids compared as text, by their rank)
        swap = rank[a] > rank[b] if rank is not None else (np.concatenate(got_swap) if got_swap
                                                           else np.zeros(0, bool))
        a, b = np.where(swap, b, a), np.where(swap, a, b)
        cls = classes_by_role(self._is_place, self._group, by_role, a, b)
        self._part({"part": "ties", "ties": {"n": len(a), "a": b64(a, "u4"), "b": b64(b, "u4"),
                                             "cls": b64(cls, "u1")}})

    def _rank(self) -> np.ndarray | None:
        """Each drawn node's place in the order of the ids as text (numpy's order of its text
        arrays is Python's, code point by code point, for text without NUL, which numpy pads
        with); ``None`` when an id has a NUL."""
        ids = list(self.rows)
        if "\x00" in "".join(ids):
            return None
        rank = np.empty(len(ids), np.int64)
        rank[np.argsort(np.array(ids, dtype=str), kind="stable")] = np.arange(len(ids))
        return rank
