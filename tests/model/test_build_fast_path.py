"""Project.build's column-wise check of the nodes (``_nodes_plainly_valid``) never lets through
a node that ``node_problems`` would refuse: each field of each node of the small project set in
turn to ordinary and odd values (wrong types, NaN, infinities, out-of-range numbers, unknown
codes), the fast check is True only when ``node_problems`` finds nothing; and it is True for a
plain project, so opening one skips the record-by-record pass."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from socialmap.errors import InputError
from socialmap.model import Project
from socialmap.model.project import NODE_FIELDS, _nodes_plainly_valid, node_problems

ODD_VALUES = [
    None, "", " ", "x", -1, 0, 17, 121, 1.5, 200, 5000, -181, 91, float("nan"), float("inf"), -0.0, True, False,
    dt.date(2020, 1, 1), dt.datetime(2020, 1, 1), "2020-01-01", [1], {"a": 1}, "A1", "A9", "o1", "s1", "yp1", "ad1",
    "eet", "neet_available", "not_known", "public", "school_college", "young_person", "service", "organisation",
]


def _judge(areas, nodes):
    p = Project()
    p.areas = {a.code: a for a in areas}
    p.nodes = {}
    for n in nodes:
        p.nodes.setdefault(n.id, n)
    try:
        problems = [pr for n in p.nodes.values() for pr in node_problems(n, p)]
    except Exception:  # noqa: BLE001 - node_problems fails on it: the fast check must not pass it
        problems = ["raised"]
    return _nodes_plainly_valid(p), problems


def test_plain_projects_take_the_fast_path(small_project):
    ok, problems = _judge(small_project.areas.values(), small_project.nodes.values())
    assert ok and problems == []
    from socialmap.bench import synthetic_city

    city = synthetic_city(300)
    ok, problems = _judge(city.areas.values(), city.nodes.values())
    assert ok and problems == []


@pytest.mark.parametrize("name", [f for f in NODE_FIELDS if f != "attrs"])
def test_fast_check_never_passes_a_refused_node(small_project, name):
    base = list(small_project.nodes.values())
    passed_with_problems = []
    for i in range(len(base)):
        for value in ODD_VALUES:
            if name == "id" and isinstance(value, (list, dict)):
                continue  # not a key of the nodes at all
            nodes = [copy.copy(n) for n in base]
            setattr(nodes[i], name, value)
            ok, problems = _judge(small_project.areas.values(), nodes)
            if ok and problems:
                passed_with_problems.append((nodes[i].id, value, problems))
    assert passed_with_problems == []


def test_fast_check_sees_the_two_field_rules(small_project):
    nodes = [copy.copy(n) for n in small_project.nodes.values()]
    nodes[0].recorded, nodes[0].updated = dt.date(2021, 1, 1), dt.date(2020, 1, 1)
    ok, problems = _judge(small_project.areas.values(), nodes)
    assert problems and not ok
    nodes = [copy.copy(n) for n in small_project.nodes.values()]
    o1 = next(n for n in nodes if n.id == "o1")
    o1.spend_local = o1.spend_total + 1
    ok, problems = _judge(small_project.areas.values(), nodes)
    assert problems and not ok


def test_build_still_names_every_problem(small_project):
    """A refused node goes the record-by-record way: the same one-line reasons as before."""
    nodes = [copy.copy(n) for n in small_project.nodes.values()]
    next(n for n in nodes if n.id == "yp2").age = 130
    next(n for n in nodes if n.id == "o1").sector = "pirate"
    with pytest.raises(InputError) as err:
        Project.build(small_project.areas.values(), nodes, [], place_young_people=False)
    reasons = {(p.record, p.field): p.reason for p in err.value.problems}
    assert reasons[("node 'yp2'", "age")] == "age 130 is out of range 0..120"
    assert ("node 'o1'", "sector") in reasons
