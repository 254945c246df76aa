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
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from socialmap.mapview.payloads import POPUP_FIELDS, _plain
from socialmap.model.kinds import ORGANISATION, PLACE_KINDS, SERVICE, YOUNG_PERSON
from socialmap.model.project import Node, Project

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


def nodes_block(nodes: list[Node], area_codes: Mapping[str, int]) -> dict[str, Any]:
    """Columns of ``nodes`` (see the module text); ``area_codes`` numbers the areas.

    Made from ``map`` over attribute getters and list comprehensions, not ``np.fromiter`` over
    generator expressions: on the window's job thread a generator consumed by one C call kept
    Python's lock from the UI thread for 0.1-0.4 s at a time (a city's 125,000 nodes)."""
    n = len(nodes)
    get = attrgetter
    kinds = np.array(list(map(KIND_CODES.__getitem__, map(get("kind"), nodes))), np.uint8).reshape(n)
    lat = np.array(list(map(get("lat"), nodes)), np.float64).reshape(n)
    lon = np.array(list(map(get("lon"), nodes)), np.float64).reshape(n)
    neet = np.array([v is True for v in map(get("neet"), nodes)], bool).reshape(n)
    anchor = np.array([v is True for v in map(get("is_anchor"), nodes)], bool).reshape(n)
    flags = neet.astype(np.uint8) * FLAG_NEET | anchor.astype(np.uint8) * FLAG_ANCHOR
    ages = np.array([NO_AGE if a is None or not 0 <= a < NO_AGE else a for a in map(get("age"), nodes)],
                    np.uint8).reshape(n)
    area = np.array(list(map(area_codes.get, map(get("area_code"), nodes), repeat(-1, n))), np.int32).reshape(n)
    places = [[i, _place_props(node)] for i, node in enumerate(nodes) if node.kind in PLACE_KINDS]
    return {
        "n": n,
        "ids": list(map(get("id"), nodes)),
        "labels": list(map(get("label"), nodes)),
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
    return out


def tie_classes_array(project: Project, keys: list[tuple[str, str]],
                      classes: Mapping[tuple[str, str], str] | None, group_by: str) -> np.ndarray:
    """The class code of each tie of ``keys``: from ``classes`` (an analysis), otherwise by
    the rules of :func:`socialmap.mapview.payloads.tie_class`."""
    from socialmap.mapview.payloads import tie_class

    known = classes or {}
    ties = project.ties
    out = np.empty(len(keys), np.uint8)
    for i, key in enumerate(keys):
        cls = known.get(key)
        out[i] = CLASS_CODES[cls if cls is not None else tie_class(project, ties[key], group_by)]
    return out


def ties_block(project: Project, rows: Mapping[str, int],
               classes: Mapping[tuple[str, str], str] | None = None, *,
               group_by: str = "area_code", keys: Iterable[tuple[str, str]] | None = None,
               on: dt.date | None = None) -> dict[str, Any]:
    """The drawn ties (both ends among ``rows``, the page's node rows, and in force on ``on``, default today:
    an ended tie is kept in the project but not drawn, :mod:`socialmap.model.dates`) as columns
    ``a``, ``b`` (node rows, in the order of the tie's key, so the page's key is
    ``ids[a] + "|" + ids[b]``) and ``cls``. Every tie of the project, or those of ``keys``."""
    from socialmap.model.dates import in_force, today

    ties = project.ties
    picked = list(ties) if keys is None else [k for k in keys if k in ties]
    if project.has_dated_ties():
        on = on or today()
        picked = [k for k in picked if in_force(ties[k].since, ties[k].until, on)]
    a = rows_of(rows, list(map(itemgetter(0), picked)))
    b = rows_of(rows, list(map(itemgetter(1), picked)))
    keep = (a >= 0) & (b >= 0)
    drawn = [k for k, ok in zip(picked, keep.tolist(), strict=True) if ok] if not keep.all() else picked
    if classes is None:
        cls = _default_classes(project, drawn, group_by, rows, a[keep], b[keep])
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
    order = list(rows)  # the drawn node ids, by row
    is_place = np.zeros(len(order), bool)
    group = np.full(len(order), -1, np.int64)
    groups: dict[Any, int] = {}  # each distinct group key numbered; None is -1
    try:
        for nid in order:
            node = nodes[nid]
            row = rows[nid]
            if node.kind in PLACE_KINDS:
                is_place[row] = True
            g = group_key(node, group_by)
            if g is not None:
                if g != g:  # NaN: unequal to itself, so never bonding (as in tie_class)
                    g = object()
                group[row] = groups.setdefault(g, len(groups))
    except TypeError:  # a group key that cannot be hashed: one tie at a time
        return _default_classes_one_by_one(project, keys, group_by)
    n = len(keys)
    pa, pb, ga, gb = is_place[a], is_place[b], group[a], group[b]
    ties = project.ties
    by_role = np.array([ties[k].type in ("mentor", "worker") for k in keys], bool).reshape(n)
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
