"""The graph arrays of an opened file take the tie ends' rows its loader found
(socialmap.analysis.arrays._loaded_rows, socialmap.model.project.TieRows) only while they
hold, and are then exactly the arrays worked out by looking each end up."""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np

from socialmap.analysis import arrays
from socialmap.model import Tie
from socialmap.model.project import TIE_ROWS
from socialmap.store import load_project, save_project
from socialmap.ui.workers import capture

FIELDS = ("tie_a", "tie_b", "tie_context", "tie_type")


def _looked_up(project) -> dict:
    """The arrays with the loader's rows set aside: every end looked up."""
    kept = project._cache.pop(TIE_ROWS, None)
    try:
        built = arrays._build(project)
    finally:
        if kept is not None:
            project._cache[TIE_ROWS] = kept
    return {f: getattr(built, f) for f in FIELDS}


def _ends(project, built) -> list[tuple]:
    ids = built.ids.tolist()
    return [(ids[a], ids[b], None if c < 0 else ids[c])
            for a, b, c in zip(built.tie_a.tolist(), built.tie_b.tolist(), built.tie_context.tolist(), strict=True)]


def test_an_opened_files_arrays_come_from_its_rows_and_are_the_looked_up_ones(tmp_path, small_project):
    """small_project's six ties: yp1-yp2, yp2-yp3 (context s1), yp1-s1, o1-s1 (provides),
    o1-ad1 (employs at s1), ad1-yp3; the nodes yp1, yp2, yp3, ad1, o1, s1 are rows 0-5."""
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    project = load_project(path)
    assert TIE_ROWS in project._cache
    assert arrays._loaded_rows(project, list(project.nodes),
                               list(project.ties.values())) is not None
    built = arrays.graph_arrays(project)
    assert _ends(project, built) == [(t.a, t.b, t.context) for t in project.ties.values()]
    assert list(project.nodes) == ["yp1", "yp2", "yp3", "ad1", "o1", "s1"]
    at_s1 = sorted(t.key for t, c in zip(project.ties.values(), built.tie_context.tolist(), strict=True) if c == 5)
    assert at_s1 == [("ad1", "o1"), ("yp2", "yp3")] and (built.tie_context >= 0).sum() == 2
    expected = _looked_up(project)
    for f in FIELDS:
        assert np.array_equal(getattr(built, f), expected[f]) and getattr(built, f).dtype == expected[f].dtype


def test_a_provides_tie_the_build_derived_is_looked_up_after_the_files_ties(tmp_path, small_project):
    """The provides tie deleted in the file: the build derives o1-s1 from s1's provider and adds
    it after the file's five ties; its ends are looked up, the five come from the rows."""
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM ties WHERE type = 'provides'")
    con.close()
    project = load_project(path)
    ties = list(project.ties.values())
    assert len(project._cache[TIE_ROWS][1].ties) == 5 and ties[-1].type == "provides"
    built = arrays.graph_arrays(project)
    ids = built.ids.tolist()
    assert (ids[built.tie_a[-1]], ids[built.tie_b[-1]]) == ("o1", "s1")
    expected = _looked_up(project)
    assert all(np.array_equal(getattr(built, f), expected[f]) for f in FIELDS)


def test_after_an_edit_a_view_in_force_or_another_order_the_ends_are_looked_up(tmp_path, small_project):
    small_project.add_tie(Tie("yp1", "yp3", "friend", until=dt.date(2020, 1, 1)))  # ended: not in force now
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    project = load_project(path)
    nodes_now = list(project.nodes)

    view = project.in_force(dt.date.today())  # one tie fewer: the rows do not hold
    assert len(view.ties) == len(project.ties) - 1
    assert arrays._loaded_rows(view, nodes_now, list(view.ties.values())) is None
    built = arrays._build(view)
    assert ("yp1", "yp3", None) not in _ends(view, built) and len(built.tie_a) == len(view.ties)

    seen = capture(project)  # the same ties in the same order: they hold
    assert arrays._loaded_rows(seen, nodes_now, list(seen.ties.values())) is not None

    project.remove_tie("yp1", "yp2")
    project.touch()
    assert arrays._loaded_rows(project, list(project.nodes),
                               list(project.ties.values())) is None
    built = arrays.graph_arrays(project)
    assert ("yp1", "yp2", None) not in _ends(project, built)
    assert _ends(project, built) == [(t.a, t.b, t.context) for t in project.ties.values()]

    # the same records in another order (a dict rebuilt): the rows would be wrong, so not used
    project._cache[TIE_ROWS] = (project.version, project._cache[TIE_ROWS][1])
    project.ties = dict(reversed(list(project.ties.items())))
    assert arrays._loaded_rows(project, list(project.nodes),
                               list(project.ties.values())) is None


def test_a_captured_view_takes_the_rows_after_edits_that_leave_the_records_and_ids(tmp_path, small_project):
    """The scenario set-up's view (workers.capture) of a project relabelled and then undone (its
    version moved twice, its tie records and node ids as the loader made them) takes the loader's
    rows, and its arrays are the looked-up ones; with a node removed and put back (its id and
    its ties now last) the rows are not used."""
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    project = load_project(path)
    old = project.update_node("yp1", label="Robin B")
    project.update_node("yp1", **old)
    view = capture(project)
    assert view.version == project.version and view._cache[TIE_ROWS][0] == view.version
    ids = list(view.nodes)
    assert arrays._loaded_rows(view, ids, list(view.ties.values())) is not None
    built = arrays._build(view)
    expected = _looked_up(view)
    for f in FIELDS:
        assert np.array_equal(getattr(built, f), expected[f])
    node, ties, dependants = project.remove_node("o1")  # with o1-s1 and o1-ad1; s1 loses its provider
    project.restore_node(node, ties, dependants)
    view = capture(project)
    ids = list(view.nodes)
    assert list(view.nodes)[-1] == "o1" and arrays._loaded_rows(view, ids, list(view.ties.values())) is None
    built = arrays._build(view)
    assert _ends(view, built) == [(t.a, t.b, t.context) for t in view.ties.values()]
