"""The map's compact payload (socialmap.mapview.binary) on the small project, decoded."""

from __future__ import annotations

import base64
import json

import numpy as np

from socialmap.mapview import binary


def _col(text: str, dtype: str) -> list:
    return np.frombuffer(base64.b64decode(text), dtype=np.dtype(dtype).newbyteorder("<")).tolist()


def test_parts_of_the_small_project_decode_to_its_nodes_and_drawn_ties(small_project):
    parts, rows = binary.parts(small_project)
    assert [p["part"] for p in parts] == ["areas", "nodes", "ties"]
    json.dumps(parts)  # plain JSON
    # adults are not drawn: five rows, in the project's order
    assert rows == {"yp1": 0, "yp2": 1, "yp3": 2, "o1": 3, "s1": 4}
    nodes = parts[1]["nodes"]
    assert nodes["n"] == 5 and nodes["ids"] == ["yp1", "yp2", "yp3", "o1", "s1"]
    assert nodes["labels"] == ["Robin", "Sam", "Kai", "Northfield College", "Youth club"]
    assert _col(nodes["kind"], "u1") == [0, 0, 0, 2, 1]
    assert _col(nodes["flags"], "u1") == [binary.FLAG_NEET, 0, 0, binary.FLAG_ANCHOR, 0]
    assert _col(nodes["age"], "u1") == [17, 18, 16, binary.NO_AGE, binary.NO_AGE]
    assert _col(nodes["area"], "i4")[:3] == [0, 0, 1]  # A1, A1, A2
    lat, lon = _col(nodes["lat"], "f4"), _col(nodes["lon"], "f4")
    assert abs(lat[3] - 53.405) < 1e-5 and abs(lon[4] - -2.285) < 1e-5
    assert nodes["places"] == [
        [3, {"org_type": "school_college", "sector": "public", "is_anchor": True, "years_in_area": 30}],
        [4, {"provider": "o1", "service_type": "youth club", "commissioner": None, "contract_end": None}],
    ]
    # ties with both ends drawn: yp1-yp2 bonding, yp2-yp3 bridging, s1-yp1 linking, o1-s1
    # (provides) institutional; the two ties of the adult ad1 are left out
    ties = parts[2]["ties"]
    got = {(nodes["ids"][a], nodes["ids"][b], c) for a, b, c in
           zip(_col(ties["a"], "u4"), _col(ties["b"], "u4"), _col(ties["cls"], "u1"), strict=True)}
    codes = binary.CLASS_CODES
    assert got == {("yp1", "yp2", codes["bonding"]), ("yp2", "yp3", codes["bridging"]),
                   ("s1", "yp1", codes["linking"]), ("o1", "s1", codes["institutional"])}
    assert ties["n"] == 4
    # each area has a point inside it for its count of young people
    from shapely.geometry import Point

    for feature in parts[0]["areas"]["features"]:
        lat_c, lon_c = feature["properties"]["centre"]
        assert small_project.areas[feature["id"]].geometry.contains(Point(lon_c, lat_c))


def test_an_analysis_class_replaces_the_default_and_keys_pick_ties(small_project):
    rows = {nid: i for i, nid in enumerate(["yp1", "yp2", "yp3", "o1", "s1"])}
    block = binary.ties_block(small_project, rows, {("yp1", "yp2"): "bridging"}, keys=[("yp1", "yp2"), ("ad1", "yp3")])
    assert block["n"] == 1
    assert _col(block["a"], "u4") == [0] and _col(block["b"], "u4") == [1]
    assert _col(block["cls"], "u1") == [binary.CLASS_CODES["bridging"]]


def test_an_ended_tie_is_not_drawn(small_project):
    import datetime as dt

    small_project.ties[("yp1", "yp2")].until = dt.date(2000, 1, 1)
    small_project.touch()
    parts, _rows = binary.parts(small_project)
    ties = parts[2]["ties"]
    ids = parts[1]["nodes"]["ids"]
    assert ties["n"] == 3
    assert ("yp1", "yp2") not in {(ids[a], ids[b]) for a, b in zip(_col(ties["a"], "u4"), _col(ties["b"], "u4"), strict=True)}


def test_default_classes_over_arrays_agree_with_tie_class(small_project):
    """The array path of the default classes gives tie_class's class for every drawn tie, with
    each group key: area, age, role, NEET, an imported attribute (NaN never bonding; an
    unhashable one taken tie by tie)."""
    from socialmap.mapview.payloads import tie_class
    from socialmap.model import Node, Tie

    p = small_project
    p.add_node(Node("yp4", "young_person", "Ash", area_code="A2", age=16, neet=False, attrs={"club": float("nan")}))
    p.add_tie(Tie("yp4", "yp3", "friend"))
    p.add_tie(Tie("yp4", "yp1", "mentor"))
    for node_id, club in (("yp1", "chess"), ("yp2", "chess"), ("yp3", float("nan"))):
        p.nodes[node_id].attrs["club"] = club
    for group_by in ("area_code", "age", "role", "neet", "club"):
        p.settings["group_by"] = group_by
        parts, rows = binary.parts(p)
        ties = parts[2]["ties"]
        ids = parts[1]["nodes"]["ids"]
        names = {v: k for k, v in binary.CLASS_CODES.items()}
        got = {(ids[a], ids[b]): names[c] for a, b, c in
               zip(_col(ties["a"], "u4"), _col(ties["b"], "u4"), _col(ties["cls"], "u1"), strict=True)}
        want = {key: tie_class(p, p.ties[key], group_by) for key in got}
        assert got == want, group_by
        assert len(got) == 6
    p.nodes["yp1"].attrs["club"] = ["a", "list"]  # cannot be hashed: the one-by-one path
    parts, _rows = binary.parts(p)
    ids = parts[1]["nodes"]["ids"]
    ties = parts[2]["ties"]
    got = {(ids[a], ids[b]): c for a, b, c in zip(_col(ties["a"], "u4"), _col(ties["b"], "u4"), _col(ties["cls"], "u1"), strict=True)}
    assert got[("yp1", "yp2")] == binary.CLASS_CODES["bridging"]


def test_rows_of_looks_up_in_pieces(monkeypatch):
    monkeypatch.setattr(binary, "PIECE", 2)
    assert binary.rows_of({"a": 0, "b": 5}, ["b", "x", "a", "a", "b"]).tolist() == [5, -1, 0, 0, 5]


def test_classes_given_for_some_ties_the_rest_by_the_rules_in_pieces(small_project, monkeypatch):
    """An analysis's classes where it gave one; a tie it has none for gets tie_class's (yp2-yp3
    cross areas: bridging; s1-yp1: linking), looked up a piece of two ties at a time."""
    monkeypatch.setattr(binary, "PIECE", 2)
    keys = [k for k in small_project.ties if {"yp1", "yp2"} == set(k) or {"yp2", "yp3"} == set(k)
            or {"s1", "yp1"} == set(k)]
    assert len(keys) == 3
    given = {k: "institutional" for k in keys if set(k) == {"yp1", "yp2"}}
    got = binary.tie_classes_array(small_project, keys, given, "area_code").tolist()
    expected = {frozenset({"yp1", "yp2"}): "institutional", frozenset({"yp2", "yp3"}): "bridging",
                frozenset({"s1", "yp1"}): "linking"}
    assert got == [binary.CLASS_CODES[expected[frozenset(k)]] for k in keys]
