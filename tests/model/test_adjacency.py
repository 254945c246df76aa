"""The neighbours held as arrays (socialmap.model.adjacency) behave as the dict of sets they
replace, and a project built from a file's columns holds them so."""

from __future__ import annotations

import random

import numpy as np
from shapely.geometry import box

from socialmap.model import Area, Node, Project, Tie
from socialmap.model.adjacency import Adjacency


def _arrays(ids: list[str], pairs: list[tuple[int, int]]) -> Adjacency:
    """An Adjacency over ``pairs`` of rows, made as ``_adjacency_of`` makes one."""
    ends = np.array([a for a, b in pairs] + [b for a, b in pairs], np.int64)
    others = np.array([b for a, b in pairs] + [a for a, b in pairs], np.int64)
    order = np.argsort(ends, kind="stable")
    stops = np.cumsum(np.bincount(ends[order], minlength=len(ids)))
    starts = np.concatenate([[0], stops[:-1]]).astype(np.int64)
    by_row = np.empty(len(ids), object)
    by_row[:] = ids
    return Adjacency(ids, by_row, starts, stops, others[order])


def test_reads_as_the_dict_of_sets_it_stands_for():
    ids = ["a", "b", "c", "d"]
    adj = _arrays(ids, [(0, 1), (1, 2), (0, 2)])
    # worked by hand: a-b, b-c, a-c; d has none
    assert dict(adj) == {"a": {"b", "c"}, "b": {"a", "c"}, "c": {"a", "b"}, "d": set()}
    assert [adj.count(i) for i in ids] == [2, 2, 2, 0]
    assert adj.get("zz") is None and adj.get("zz", ()) == () and "zz" not in adj
    assert adj["a"] is adj["a"]  # made once, then kept


def test_a_count_makes_no_set():
    adj = _arrays(["a", "b"], [(0, 1)])
    assert adj.count("a") == 1
    assert "1 sets made" not in repr(adj) and "(0 sets made)" in repr(adj)


def test_random_edits_agree_with_a_dict():
    rng = random.Random(7)
    ids = [f"n{i}" for i in range(30)]
    pairs = sorted({tuple(sorted(rng.sample(range(30), 2))) for _ in range(60)})
    adj = _arrays(ids, pairs)
    ref: dict[str, set[str]] = {i: set() for i in ids}
    for a, b in pairs:
        ref[ids[a]].add(ids[b])
        ref[ids[b]].add(ids[a])
    views = []
    for step in range(400):
        op = rng.random()
        key = rng.choice(ids + [f"new{k}" for k in range(5)])
        if op < 0.3:  # an edit's copy on write
            now = ref.get(key)
            new = (now or set()) | {rng.choice(ids)}
            adj[key] = set(new)
            ref[key] = set(new)
        elif op < 0.45:
            if key in ref:
                del adj[key], ref[key]
        elif op < 0.6:
            assert adj.setdefault(key, set()) == ref.setdefault(key, set())
        elif op < 0.7:
            views.append((adj.copy(), {k: set(v) for k, v in ref.items()}))
        else:
            assert adj.get(key) == ref.get(key)
            assert adj.count(key) == len(ref.get(key, ()))
        assert len(adj) == len(ref), step
        assert set(adj) == set(ref) and dict(adj) == ref
    # a copy taken before later edits still reads as the project did then
    for view, then in views:
        assert dict(view) == then


def test_deep_copy_has_sets_of_its_own():
    adj = _arrays(["a", "b"], [(0, 1)])
    adj["a"].add("x")  # a set changed in place (the build's own, before anything shares it)
    copied = adj.deep_copy()
    copied["a"].add("y")
    assert adj["a"] == {"b", "x"} and copied["a"] == {"b", "x", "y"}


def _city(tmp_path):
    from socialmap.store.gpkg import load_project, save_project

    p = Project()
    p.add_area(Area("A1", "North", box(-2.3, 53.4, -2.2, 53.5)))
    for i in range(6):
        p.add_node(Node(f"y{i}", "young_person", f"Y{i}", area_code="A1", lat=53.45, lon=-2.25))
    p.add_node(Node("s1", "service", "Club", lat=53.46, lon=-2.24))
    for a, b in [("y0", "y1"), ("y1", "y2"), ("y3", "y4")]:
        p.add_tie(Tie(a, b, "friend"))
    p.add_tie(Tie("y0", "s1", "attends"))
    p.add_tie(Tie("y5", "s1", "attends"))
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    return p, load_project(path)


def test_a_file_opened_holds_its_neighbours_as_arrays(tmp_path):
    built, opened = _city(tmp_path)
    assert type(opened.adjacency) is Adjacency
    assert dict(opened.adjacency) == dict(built.adjacency)
    assert opened.degree("y1") == 2 and opened.degree("s1") == 2 and opened.degree("nobody") == 0
    assert opened.neighbours("y0") == {"y1", "s1"}


def test_edits_of_an_opened_project_keep_its_neighbours(tmp_path):
    _built, p = _city(tmp_path)
    view = p.adjacency.copy()
    p.add_tie(Tie("y2", "y3", "friend"))
    p.remove_tie("y0", "y1")
    removed = p.remove_node("y4")
    assert p.neighbours("y3") == {"y2"} and p.neighbours("y0") == {"s1"} and "y4" not in p.adjacency
    assert view["y3"] == {"y4"} and view["y0"] == {"y1", "s1"}  # what a job's view saw, unchanged
    p.restore_node(*removed)  # undone: the node back with its tie, as it was
    assert p.neighbours("y4") == {"y3"} and p.neighbours("y3") == {"y2", "y4"}
    copy = p.copy()
    assert dict(copy.adjacency) == dict(p.adjacency)
