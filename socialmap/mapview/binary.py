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
from operator import attrgetter
from typing import Any

import numpy as np

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
    from socialmap.mapview.payloads import POPUP_FIELDS, _plain

    return {name: _plain(getattr(node, name)) for name in POPUP_FIELDS[node.kind]}


def drawn_nodes(project: Project) -> list[Node]:
    """The nodes the map draws (young people, services, organisations with a point), in the
    project's order: their positions in this list are their rows in the page."""
    return [n for n in project.nodes.values() if n.kind in KIND_CODES and n.lat is not None and n.lon is not None]


def nodes_block(nodes: list[Node], area_codes: Mapping[str, int]) -> dict[str, Any]:
    """Columns of ``nodes`` (see the module text); ``area_codes`` numbers the areas."""
    n = len(nodes)
    kinds = np.fromiter(map(KIND_CODES.__getitem__, map(attrgetter("kind"), nodes)), np.uint8, n)
    lat = np.fromiter(map(attrgetter("lat"), nodes), np.float64, n)
    lon = np.fromiter(map(attrgetter("lon"), nodes), np.float64, n)
    neet = np.fromiter((v is True for v in map(attrgetter("neet"), nodes)), bool, n)
    anchor = np.fromiter((v is True for v in map(attrgetter("is_anchor"), nodes)), bool, n)
    flags = neet.astype(np.uint8) * FLAG_NEET | anchor.astype(np.uint8) * FLAG_ANCHOR
    ages = np.fromiter((NO_AGE if a is None or not 0 <= a < NO_AGE else a for a in map(attrgetter("age"), nodes)),
                       np.uint8, n)
    area = np.fromiter(map(area_codes.get, map(attrgetter("area_code"), nodes), [-1] * n), np.int32, n)
    places = [[i, _place_props(node)] for i, node in enumerate(nodes) if node.kind in PLACE_KINDS]
    return {
        "n": n,
        "ids": [node.id for node in nodes],
        "labels": [node.label for node in nodes],
        "kind": b64(kinds, "u1"), "flags": b64(flags, "u1"), "age": b64(ages, "u1"),
        "lat": b64(lat, "f4"), "lon": b64(lon, "f4"), "area": b64(area, "i4"),
        "places": places,
    }


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
    get = rows.get
    a = np.fromiter((get(k[0], -1) for k in picked), np.int64, len(picked))
    b = np.fromiter((get(k[1], -1) for k in picked), np.int64, len(picked))
    keep = (a >= 0) & (b >= 0)
    drawn = [k for k, ok in zip(picked, keep.tolist(), strict=True) if ok] if not keep.all() else picked
    if classes is None:
        cls = _default_classes(project, drawn, group_by)
    else:
        cls = tie_classes_array(project, drawn, classes, group_by)
    return {"n": len(drawn), "a": b64(a[keep], "u4"), "b": b64(b[keep], "u4"), "cls": b64(cls, "u1")}


def _default_classes(project: Project, keys: list[tuple[str, str]], group_by: str) -> np.ndarray:
    """Classes without an analysis, the rules of ``tie_class`` with each node looked up once."""
    from socialmap.mapview.payloads import group_key

    nodes = project.nodes
    is_place = {nid: node.kind in PLACE_KINDS for nid, node in nodes.items()}
    group = {nid: group_key(node, group_by) for nid, node in nodes.items()}
    ties = project.ties
    out = np.empty(len(keys), np.uint8)
    linking, institutional = CLASS_CODES["linking"], CLASS_CODES["institutional"]
    bonding, bridging, unclassified = CLASS_CODES["bonding"], CLASS_CODES["bridging"], CLASS_CODES["unclassified"]
    for i, key in enumerate(keys):
        a, b = key
        pa, pb = is_place[a], is_place[b]
        if pa and pb:
            out[i] = institutional
        elif pa or pb or ties[key].type in ("mentor", "worker"):
            out[i] = linking
        else:
            ga, gb = group[a], group[b]
            out[i] = unclassified if ga is None or gb is None else bonding if ga == gb else bridging
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
