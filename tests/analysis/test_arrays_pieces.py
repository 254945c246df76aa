"""The graph arrays made in pieces with turns between them (socialmap.analysis.arrays) are the
arrays of the whole, checked by hand on the small project."""

from __future__ import annotations

import math

import numpy as np

from socialmap.analysis import arrays


def test_the_index_in_pieces_is_the_positions_and_a_repeated_id_has_its_last(monkeypatch):
    turns: list[int] = []
    monkeypatch.setattr(arrays, "PIECE", 2)
    monkeypatch.setattr(arrays, "give_way", lambda: turns.append(1))
    assert arrays._index(["a", "b", "c", "d", "e"]) == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4}
    assert len(turns) == 3  # a turn after each piece of two
    assert arrays._index(["a", "b", "a"]) == {"a": 2, "b": 1} == dict(zip(["a", "b", "a"], range(3), strict=True))
    assert arrays._index([]) == {}


def test_the_arrays_in_small_pieces_are_those_worked_out_by_hand(monkeypatch, small_project):
    """small_project: nodes yp1 yp2 yp3 ad1 o1 s1 (positions 0-5), yp1 NEET, o1 an anchor
    (is_anchor) and s1 provided by o1, both placed, ad1 not placed; its ties in order: o1-s1
    provides (the pairing add_node made), yp1-yp2 friend, yp2-yp3 friend at s1, yp1-s1 attends,
    o1-ad1 employs at s1, ad1-yp3 worker."""
    turns: list[int] = []
    monkeypatch.setattr(arrays, "PIECE", 2)
    monkeypatch.setattr(arrays, "let_others_run", lambda: turns.append(1))
    ga = arrays._build(small_project)
    assert ga.ids.tolist() == ["yp1", "yp2", "yp3", "ad1", "o1", "s1"] and ga.ids.dtype == object
    assert ga.index == {"yp1": 0, "yp2": 1, "yp3": 2, "ad1": 3, "o1": 4, "s1": 5}
    k = arrays.KIND_CODE
    assert ga.kind.tolist() == [k["young_person"]] * 3 + [k["adult"], k["organisation"], k["service"]]
    assert ga.area_codes == ["A1", "A2"] and ga.area.tolist() == [0, 0, 1, 1, -1, -1]
    assert ga.neet.tolist() == [True, False, False, False, False, False]
    assert ga.not_known.tolist() == [False] * 6
    t = arrays.TYPE_CODE
    assert ga.tie_a.tolist() == [4, 0, 1, 0, 4, 3] and ga.tie_b.tolist() == [5, 1, 2, 5, 3, 2]
    assert ga.tie_type.tolist() == [t["provides"], t["friend"], t["friend"], t["attends"], t["employs"], t["worker"]]
    assert ga.tie_context.tolist() == [-1, -1, 5, -1, 5, -1]
    placed = [small_project.nodes[i].lon for i in ("yp1", "yp2", "yp3")]
    assert ga.lon.tolist()[:3] == placed and math.isnan(ga.lon[3]) and math.isnan(ga.lat[3])
    assert ga.lon.tolist()[4:] == [-2.295, -2.285] and ga.lat.tolist()[4:] == [53.405, 53.405]
    assert ga.provider.tolist() == [-1, -1, -1, -1, -1, 4]
    assert ga.is_anchor.tolist() == [False, False, False, False, True, False]
    assert (ga.kind.dtype, ga.area.dtype, ga.tie_a.dtype, ga.tie_type.dtype, ga.lon.dtype) == (
        np.int8, np.int32, np.int32, np.int8, np.float64)
    assert len(turns) >= 10  # pieces of two: a turn after each, and between the columns


def test_anchors_are_the_organisations_flagged_or_of_type_anchor_and_nothing_else():
    """o1 flagged, o2 of org_type "anchor" (not flagged), o3 neither (flagged False, a school_college): anchors
    o1 and o2; an adult whose record says is_anchor=True and org_type "anchor" is no anchor."""
    from socialmap.model import Node, Project

    p = Project()
    at = {"lat": 53.405, "lon": -2.295}
    p.add_node(Node("o1", "organisation", "College", is_anchor=True, org_type="school_college", **at))
    p.nodes["ad1"] = Node("ad1", "adult", "Jo", is_anchor=True, org_type="anchor")  # (no check refuses it here)
    p.add_node(Node("o2", "organisation", "Hospital", org_type="anchor", **at))
    p.add_node(Node("o3", "organisation", "Academy", is_anchor=False, org_type="school_college", **at))
    ga = arrays._build(p)
    assert ga.ids.tolist() == ["o1", "ad1", "o2", "o3"]
    assert ga.is_anchor.tolist() == [True, False, True, False] and ga.is_anchor.dtype == bool
    assert arrays._build(Project()).is_anchor.tolist() == []
