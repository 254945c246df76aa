"""Burt's constraint and effective size by array passes, against hand values and networkx."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialmap.analysis.structural import structural_holes, triangles


def _run(n, edges):
    e = np.array(edges, dtype=np.int64).reshape(-1, 2)
    return structural_holes(n, e[:, 0], e[:, 1])


def test_path_of_three():
    """Path 0-1-2.

    Node 1: d = 2, no tie between its contacts: effective size 2 - 0 = 2;
    constraint 2 x (1/2 x (1 + 0))^2 = 0.5.
    Nodes 0, 2: one contact: effective size 1, constraint (1/1 x (1 + 0))^2 = 1.
    """
    c, e = _run(3, [(0, 1), (1, 2)])
    assert c.tolist() == [1.0, 0.5, 1.0]
    assert e.tolist() == [1.0, 2.0, 1.0]


def test_triangle_with_a_pendant():
    """Triangle a=0, b=1, c=2 and d=3 tied to a.

    a: d=3, one tie among its contacts (b-c): effective size 3 - 2 x 1/3 = 2.3333.
       s_ab = 1/d_c = 1/2, s_ac = 1/d_b = 1/2, s_ad = 0:
       constraint (1/9) x (1.5^2 + 1.5^2 + 1^2) = 5.5/9 = 0.61111.
    b: d=2 (a, c), tied to each other: effective size 2 - 2 x 1/2 = 1.
       s_ba = 1/d_c = 1/2, s_bc = 1/d_a = 1/3:
       constraint (1/4) x (1.5^2 + (4/3)^2) = (2.25 + 1.77778)/4 = 1.00694.
    d: one contact: effective size 1, constraint 1.
    """
    c, e = _run(4, [(0, 1), (1, 2), (0, 2), (0, 3)])
    assert c[0] == pytest.approx(5.5 / 9)
    assert c[1] == pytest.approx((2.25 + 16 / 9) / 4)
    assert c[2] == pytest.approx((2.25 + 16 / 9) / 4)
    assert c[3] == pytest.approx(1.0)
    assert e.tolist() == pytest.approx([3 - 2 / 3, 1.0, 1.0, 1.0])


def test_isolated_node_is_nan():
    """A node without ties has no constraint or effective size (networkx: nan)."""
    c, e = _run(3, [(0, 1)])
    assert math.isnan(c[2]) and math.isnan(e[2])


def test_no_ties_at_all():
    c, e = _run(2, [])
    assert np.isnan(c).all() and np.isnan(e).all()
    corners, opposite = triangles(2, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert corners.shape == (0, 3) and opposite.shape == (0, 3)


def test_triangles_of_k4_are_four():
    """K4 has C(4,3) = 4 triangles, each listed once."""
    edges = np.array([(i, j) for i in range(4) for j in range(i + 1, 4)])
    corners, _ = triangles(4, edges[:, 0], edges[:, 1])
    assert sorted(tuple(sorted(t)) for t in corners.tolist()) == [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 25),
    pairs=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), max_size=90),
)
def test_equals_networkx_on_random_graphs(n, pairs):
    """Same values as networkx's per-node definitions (its loop path, nodes given)."""
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((a % n, b % n) for a, b in pairs if a % n != b % n)
    edges = list(g.edges())
    c, e = _run(n, edges)
    want_c = nx.constraint(g, nodes=list(g))
    want_e = nx.effective_size(g, nodes=list(g))
    for v in range(n):
        if math.isnan(want_c[v]):
            assert math.isnan(c[v]) and math.isnan(e[v])
        else:
            assert c[v] == pytest.approx(want_c[v], abs=1e-12)
            assert e[v] == pytest.approx(want_e[v], abs=1e-12)


@pytest.mark.parametrize("piece", [1, 7, 500])
def test_triangles_closed_a_piece_at_a_time_are_those_of_one_pass(monkeypatch, piece):
    """Issue 13: the two-step paths are closed in pieces to bound memory; any piece size gives the
    same triangles in the same order as one pass, and as many as networkx counts."""
    from socialmap.analysis import structural

    g = nx.gnm_random_graph(300, 1500, seed=5)
    edges = np.array(list(g.edges()), dtype=np.int64)
    one_pass = triangles(300, edges[:, 0], edges[:, 1])
    monkeypatch.setattr(structural, "WEDGES_PER_PIECE", piece)
    pieces = triangles(300, edges[:, 0], edges[:, 1])
    assert np.array_equal(pieces[0], one_pass[0]) and np.array_equal(pieces[1], one_pass[1])
    assert len(one_pass[0]) == sum(nx.triangles(g).values()) // 3 > 0
