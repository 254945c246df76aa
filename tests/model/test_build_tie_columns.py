"""Project.build's column-wise check of the ties (``tie_columns``, :func:`_plain_tie_rows`): a
clean project builds the same ties dict (the same records, in the same order) and adjacency as
the tie-by-tie path, and a broken one is refused with exactly the same problems, written out
here by hand for each rule (a type that does not fit, a duplicate pair in either order, a
context that is not a place, strength 4, an opportunity mark between adults, a second provider,
dates the wrong way round, an unknown end, a tie to itself). Also through a file: the loader's
columns (socialmap.store.gpkg) give the same project and the same refusal."""

from __future__ import annotations

import copy
import datetime as dt
import sqlite3

import numpy as np
import pytest

from socialmap.errors import InputError, ProjectNeedsRepair
from socialmap.model import project as project_module
from socialmap.model.project import Node, Project, Tie, TieColumns, _plain_tie_rows


def _columns(nodes: list[Node], ties: list[Tie]) -> TieColumns:
    """The columns as the loader makes them, by a plain look-up of each id."""
    row = {n.id: i for i, n in enumerate(nodes)}
    return TieColumns(
        node_ids=[n.id for n in nodes],
        a_row=np.array([row.get(t.a, -1) for t in ties], np.int64),
        b_row=np.array([row.get(t.b, -1) for t in ties], np.int64),
        context_row=np.array([-2 if t.context is None else row.get(t.context, -1) for t in ties], np.int64),
        type=[t.type for t in ties], strength=[t.strength for t in ties], since=[t.since for t in ties],
        until=[t.until for t in ties], opportunity=[t.opportunity for t in ties])


def _records(project: Project) -> tuple[list, list[Node], list[Tie]]:
    """Fresh copies of a project's records (the build changes labels and providers in place)."""
    nodes = [copy.copy(n) for n in project.nodes.values()]
    for n in nodes:
        if n.kind == "service":
            n.provider = None  # derived again from the provides ties
    ties = [copy.copy(t) for t in project.ties.values()]
    return list(project.areas.values()), nodes, ties


def _both(areas, nodes: list[Node], ties: list[Tie]):
    """(project or problems) tie by tie, then with the columns, from separate copies."""
    out = []
    for with_columns in (False, True):
        ns, ts = [copy.copy(n) for n in nodes], [copy.copy(t) for t in ties]
        columns = _columns(ns, ts) if with_columns else None
        if with_columns:  # the columns are used (the ties' check is over them)
            assert _plain_tie_rows(ts, columns, ns, {n.id: n for n in ns}) is not None
        try:
            p = Project.build(areas, ns, ts, place_young_people=False, tie_columns=columns)
        except InputError as exc:
            out.append([str(pr) for pr in exc.problems])
        else:
            out.append(p)
    return out


def _same_project(slow: Project, fast: Project) -> None:
    assert list(fast.ties.items()) == list(slow.ties.items())  # the same records, in the same order
    assert fast.adjacency == slow.adjacency
    assert {i: n.provider for i, n in fast.nodes.items()} == {i: n.provider for i, n in slow.nodes.items()}


def test_a_clean_project_builds_the_same(small_project):
    areas, nodes, ties = _records(small_project)
    ties.append(Tie("yp3", "o1", "member", strength=2, since=dt.date(2024, 1, 1), until=dt.date(2025, 1, 1)))
    ties.append(Tie("yp2", "ad1", "mentor", opportunity=True, context="o1"))
    slow, fast = _both(areas, nodes, ties)
    _same_project(slow, fast)
    assert fast.adjacency["yp3"] == {"yp2", "ad1", "o1"}
    assert sorted(fast.ties) == sorted([("yp1", "yp2"), ("yp2", "yp3"), ("s1", "yp1"), ("ad1", "o1"), ("ad1", "yp3"),
                                        ("o1", "s1"), ("o1", "yp3"), ("ad1", "yp2")])
    assert fast.nodes["s1"].provider == "o1"


def test_every_plain_tie_is_found_over_the_columns(small_project):
    areas, nodes, ties = _records(small_project)
    by_id = {n.id: n for n in nodes}
    columns = _columns(nodes, ties)
    rows, low, high, provides = _plain_tie_rows(ties, columns, nodes, by_id)
    assert rows.tolist() == list(range(len(ties)))
    keys = [k for piece in project_module._key_pieces(low, high, np.array(columns.node_ids, object)) for k in piece]
    assert keys == [t.key for t in ties]
    assert [ties[i].type for i in provides.tolist()] == ["provides"]


def test_a_city_builds_the_same():
    from socialmap.bench import synthetic_city

    city = synthetic_city(300)
    areas, nodes, ties = _records(city)
    slow, fast = _both(areas, nodes, ties)
    _same_project(slow, fast)
    assert len(fast.ties) == len(city.ties)


def test_a_city_built_in_small_pieces_builds_the_same(monkeypatch):
    """The bulk passes a piece at a time (keys, the ties dict, the adjacency sets), with pieces
    of 7 so that a node's neighbours and a piece's edges fall across piece boundaries."""
    from socialmap.bench import synthetic_city
    from socialmap.model import project as project_module

    city = synthetic_city(300)
    areas, nodes, ties = _records(city)
    slow, _ = _both(areas, nodes, ties)
    monkeypatch.setattr(project_module, "BULK_PIECE", 7)
    _, fast = _both(areas, nodes, ties)
    _same_project(slow, fast)
    assert fast.adjacency == city.adjacency and list(fast.ties) == list(slow.ties)


NOT_FIT = ("tie 'ad1'-'ad9', field 'type': a employs tie joins organisation and adult, not adult and adult")


@pytest.mark.parametrize(("tie", "expected"), [
    (Tie("ad1", "ad9", "employs"), [NOT_FIT]),
    (Tie("yp2", "yp1", "peer"), ["tie 'yp2'-'yp1': duplicate tie: 'yp2' and 'yp1' are already tied; one tie per pair"]),
    (Tie("yp1", "yp2", "family"), ["tie 'yp1'-'yp2': duplicate tie: 'yp1' and 'yp2' are already tied; one tie per pair"]),
    (Tie("yp1", "yp3", "friend", context="yp2"),
     ["tie 'yp1'-'yp3', field 'context': context 'yp2' is a young_person, not a service or organisation"]),
    (Tie("yp1", "yp3", "friend", context="nowhere"), ["tie 'yp1'-'yp3', field 'context': unknown context 'nowhere'"]),
    (Tie("yp1", "yp3", "friend", strength=4), ["tie 'yp1'-'yp3', field 'strength': strength 4 is not 1, 2 or 3"]),
    (Tie("ad1", "ad9", "friend", opportunity=True),
     ["tie 'ad1'-'ad9', field 'opportunity': only a tie of a young person can be an opportunity tie (someone or "
      "somewhere that could help them find work, training or a course)"]),
    (Tie("yp1", "yp3", "friend", since=dt.date(2025, 2, 1), until=dt.date(2025, 1, 1)),
     ["tie 'yp1'-'yp3', field 'until': the tie ends (2025-01-01) before it starts (2025-02-01)"]),
    (Tie("yp1", "ghost", "friend"), ["tie 'yp1'-'ghost', field 'b': unknown node 'ghost'"]),
    (Tie("yp1", "yp1", "friend"), ["tie 'yp1'-'yp1', field 'b': a tie cannot join 'yp1' to itself"]),
    (Tie("o9", "s1", "provides"),
     ["tie 'o9'-'s1', field 'type': service 's1' is already provided by 'o1'; a service has one provider"]),
])
def test_a_broken_tie_is_refused_as_before(small_project, tie, expected):
    areas, nodes, ties = _records(small_project)
    nodes += [Node("ad9", "adult", area_code="A1"), Node("o9", "organisation", lat=53.405, lon=-2.295)]
    slow, fast = _both(areas, nodes, [*ties, tie])
    assert slow == expected
    assert fast == expected


def test_a_service_that_names_another_provider(small_project):
    areas, nodes, ties = _records(small_project)
    nodes.append(Node("o9", "organisation", lat=53.405, lon=-2.295))
    next(n for n in nodes if n.id == "s1").provider = "o9"
    slow, fast = _both(areas, nodes, ties)
    assert slow == fast == ["tie 'o1'-'s1', field 'type': service 's1' is provided by 'o9', not 'o1'"]


def test_a_pair_whose_first_tie_is_broken_keeps_the_second(small_project):
    """The first tie of a pair refused (strength 9), the second of the pair is the one kept: the
    whole pair takes the tie-by-tie path in order."""
    areas, nodes, ties = _records(small_project)
    broken = Tie("yp3", "yp1", "friend", strength=9)
    later = Tie("yp1", "yp3", "peer", strength=1)
    slow, fast = _both(areas, nodes, [broken, *ties, later])
    assert slow == fast == ["tie 'yp3'-'yp1', field 'strength': strength 9 is not 1, 2 or 3"]
    broken.strength = 3  # now the first of the pair is kept and the second is the duplicate
    slow, fast = _both(areas, nodes, [broken, *ties, later])
    assert slow == fast == ["tie 'yp1'-'yp3': duplicate tie: 'yp1' and 'yp3' are already tied; one tie per pair"]


def test_columns_that_do_not_match_the_nodes_are_not_used(small_project):
    areas, nodes, ties = _records(small_project)
    columns = _columns(nodes, ties)
    columns.node_ids = list(reversed(columns.node_ids))
    assert _plain_tie_rows(ties, columns, nodes, {n.id: n for n in nodes}) is None
    p = Project.build(areas, nodes, ties, place_young_people=False, tie_columns=columns)  # tie by tie
    assert len(p.ties) == len(ties)


def _saved(project: Project, folder) -> str:
    from socialmap.store.gpkg import save_project

    path = folder / "city.gpkg"
    save_project(project, path)
    return path


def test_a_file_opens_to_the_same_project(small_project, tmp_path):
    from socialmap.store.gpkg import load_project

    path = _saved(small_project, tmp_path)
    loaded = load_project(path)
    assert list(loaded.ties) == list(small_project.ties)
    assert loaded.ties == small_project.ties
    assert loaded.adjacency == small_project.adjacency


@pytest.mark.parametrize(("change", "problem"), [
    ("UPDATE ties SET type = 'employs' WHERE a = 'ad1' AND b = 'yp3'",
     "tie 'ad1'-'yp3', field 'type': a employs tie joins organisation and adult, not adult and young_person"),
    ("UPDATE ties SET strength = 4 WHERE a = 'yp1' AND b = 'yp2'",
     "tie 'yp1'-'yp2', field 'strength': strength 4 is not 1, 2 or 3"),
    ("INSERT INTO ties (a, b, type, opportunity) VALUES ('yp2', 'yp1', 'peer', 0)",
     "tie 'yp2'-'yp1': duplicate tie: 'yp2' and 'yp1' are already tied; one tie per pair"),
    ("UPDATE ties SET context = 'yp1' WHERE a = 'yp2' AND b = 'yp3'",
     "tie 'yp2'-'yp3', field 'context': context 'yp1' is a young_person, not a service or organisation"),
])
def test_a_broken_file_is_refused_with_the_problem(small_project, tmp_path, monkeypatch, change, problem):
    from socialmap.store.gpkg import load_project

    path = _saved(small_project, tmp_path)
    con = sqlite3.connect(path)
    with con:
        assert con.execute(change).rowcount == 1
    con.close()
    messages = []
    for tie_by_tie in (False, True):
        if tie_by_tie:  # the loader's columns not used: the message as before them
            monkeypatch.setattr(project_module, "_plain_tie_rows", lambda *args, **kwargs: None)
        with pytest.raises(ProjectNeedsRepair) as caught:
            load_project(path)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert f"the project inside is inconsistent: {path}, {problem}; 'socialmap check" in messages[0]


def test_a_pair_whose_first_tie_is_linked_tie_by_tie(small_project):
    """A tie the columns do not pass but the rules do (its start a datetime, not a plain date) is
    linked tie by tie, and the later tie of the same pair, plain on its own, is the duplicate, as
    without the columns (not the first, as it would be were the later one linked in bulk first)."""
    areas, nodes, ties = _records(small_project)
    first = Tie("yp3", "yp1", "friend", since=dt.datetime(2024, 5, 1, 12, 0))
    slow, fast = _both(areas, nodes, [first, *ties, Tie("yp1", "yp3", "peer")])
    assert slow == fast == ["tie 'yp1'-'yp3': duplicate tie: 'yp1' and 'yp3' are already tied; one tie per pair"]
    slow, fast = _both(areas, nodes, [*ties, first])  # and on its own it is linked, in its place in the order
    _same_project(slow, fast)
    assert list(fast.ties)[-1] == ("yp1", "yp3")


def test_the_stable_order_of_tie_ends_by_hand():
    """_stable_order is np.argsort(kind="stable"): ends [2, 0, 2, 1, 0] sorted by node, equal
    ends in their given order: node 0 at positions 1 and 4, node 1 at 3, node 2 at 0 and 2; the
    same when the codes would not fit in 63 bits (then the stable argsort itself is used)."""
    ends = np.array([2, 0, 2, 1, 0], np.int64)
    assert project_module._stable_order(ends, 3).tolist() == [1, 4, 3, 0, 2]
    assert project_module._stable_order(ends, 2 ** 61).tolist() == [1, 4, 3, 0, 2]
    assert project_module._stable_order(np.zeros(0, np.int64), 3).tolist() == []
    rng = np.random.default_rng(7)
    many = rng.integers(0, 50, 1000)
    assert (project_module._stable_order(many, 50) == np.argsort(many, kind="stable")).all()


def test_the_adjacency_over_the_columns_by_hand(small_project):
    """Every node in the nodes' order, each with its set of neighbours and a node with no tie
    with an empty set (ad9 added untied): yp1 {yp2, s1}, yp2 {yp1, yp3}, yp3 {yp2, ad1},
    ad1 {o1, yp3}, o1 {ad1, s1}, s1 {yp1, o1}, ad9 {}; as tie by tie."""
    areas, nodes, ties = _records(small_project)
    nodes.append(Node("ad9", "adult", area_code="A1"))
    slow, fast = _both(areas, nodes, ties)
    _same_project(slow, fast)
    assert list(fast.adjacency) == [n.id for n in nodes] == list(slow.adjacency)
    assert fast.adjacency == {"yp1": {"yp2", "s1"}, "yp2": {"yp1", "yp3"}, "yp3": {"yp2", "ad1"},
                              "ad1": {"o1", "yp3"}, "o1": {"ad1", "s1"}, "s1": {"yp1", "o1"}, "ad9": set()}
    assert len({id(s) for s in fast.adjacency.values()}) == len(nodes)  # a set of each node's own


def test_a_node_id_given_twice_is_named_with_the_columns(small_project):
    """Two nodes with the id yp2: the first kept, the second named once, with or without the
    columns (which are then not used: the ids are not those of distinct nodes)."""
    areas, nodes, ties = _records(small_project)
    nodes.append(Node("yp2", "young_person", "Other", area_code="A2"))
    for columns in (None, _columns(nodes, ties)):
        with pytest.raises(InputError) as caught:
            Project.build(areas, [copy.copy(n) for n in nodes], ties, place_young_people=False, tie_columns=columns)
        assert [str(pr) for pr in caught.value.problems] == ["node 'yp2', field 'id': duplicate id"]
