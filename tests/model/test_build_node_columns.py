"""Project.build's column-wise check of the nodes (``node_columns``, :func:`_columns_plainly_valid`):
a clean project builds the same nodes (the same records in the same order, an empty label made
the id) as the record-by-record check, and a broken one is refused with exactly the same
problems, written out here by hand for a few rules and compared for every rule of
``node_problems`` (an empty id, an unknown kind and area, a young person without an area, an
age out of range or of another type, an unknown activity, a NEET flag that disagrees, an adult
with an activity, a place without a point or with one out of range, an unknown organisation
type and sector, a negative or infinite figure (on a young person too), a date that is text, updated before
recorded, a local figure above its total, a provider of an adult, unknown, or not an
organisation, an id given twice). Also through a file: the loader's columns give the same
project and the same refusal."""

from __future__ import annotations

import copy
import datetime as dt
import math
import sqlite3

import pytest

from socialmap.errors import InputError, ProjectNeedsRepair
from socialmap.model import project as project_module
from socialmap.model.project import (
    NODE_FIELDS,
    Node,
    Project,
    _columns_plainly_valid,
    _nodes_plainly_valid,
)
from socialmap.store import load_project, save_project
from socialmap.store.foreign import gpkg_functions


def _node_columns(nodes: list[Node]) -> dict[str, list]:
    """The columns as the loader has them: a list per field, the i-th value the i-th node's."""
    return {name: [getattr(n, name) for n in nodes] for name in NODE_FIELDS}


def _records(project: Project) -> tuple[list, list[Node], list]:
    nodes = [copy.copy(n) for n in project.nodes.values()]
    for n in nodes:
        if n.kind == "service":
            n.provider = None  # derived again from the provides tie
    return list(project.areas.values()), nodes, [copy.copy(t) for t in project.ties.values()]


def _built(areas, nodes, ties, with_columns: bool):
    ns, ts = [copy.copy(n) for n in nodes], [copy.copy(t) for t in ties]
    for n in ns:
        n.attrs = dict(n.attrs)
    try:
        p = Project.build(areas, ns, ts, place_young_people=False,
                          node_columns=_node_columns(ns) if with_columns else None)
    except InputError as exc:
        return [str(pr) for pr in exc.problems]
    return repr((list(p.nodes.items()), list(p.ties.items()), {k: sorted(v) for k, v in p.adjacency.items()}))


def _both(areas, nodes, ties):
    """(project as text, or the problems) checked record by record, then over the columns."""
    return _built(areas, nodes, ties, False), _built(areas, nodes, ties, True)


def _changed(small_project, node_id: str, **values):
    areas, nodes, ties = _records(small_project)
    node = next(n for n in nodes if n.id == node_id)
    for name, value in values.items():
        setattr(node, name, value)
    return areas, nodes, ties


def test_a_clean_project_is_checked_over_the_columns(small_project, monkeypatch):
    """The columns are what is checked (the record-by-record check never runs), and the project
    is the same, an empty label made the id as before."""
    areas, nodes, ties = _changed(small_project, "yp2", label="")
    by_records, by_columns = _both(areas, nodes, ties)
    assert by_records == by_columns
    assert "label='yp2'" in by_columns
    ran = []
    monkeypatch.setattr(project_module, "_nodes_plainly_valid", lambda p: ran.append(p) or True)
    _built(areas, nodes, ties, True)
    assert ran == []
    _built(areas, nodes, ties, False)
    assert len(ran) == 1


BROKEN = [
    ("yp1", {"id": " "}, None),
    ("yp2", {"kind": "Young person"}, None),
    ("yp3", {"area_code": "A9"}, "node 'yp3', field 'area_code': unknown area code 'A9'"),
    ("yp3", {"area_code": None}, "node 'yp3', field 'area_code': a young person needs a home area"),
    ("yp1", {"age": 121}, "node 'yp1', field 'age': age 121 is out of range 0..120"),
    ("yp1", {"age": -1}, None),
    ("yp1", {"age": 17.0}, None),  # a float, not an int: judged record by record (it passes)
    ("yp1", {"age": True}, None),
    ("yp2", {"activity": "working", "neet": False}, None),
    ("yp2", {"activity": "eet", "neet": True},
     "node 'yp2', field 'neet': neet is true but the activity is eet (NEET is false for it)"),
    ("yp2", {"activity": None, "neet": True}, None),  # settled (activity derived): no problem
    ("yp2", {"activity": "neet_available", "neet": None}, None),  # settled
    ("ad1", {"activity": "eet"}, "node 'ad1', field 'activity': only a young person has an activity"),
    ("ad1", {"neet": True}, None),
    ("o1", {"lat": None}, "node 'o1', field 'lat': an organisation needs a location"),
    ("s1", {"lon": -181.0}, None),
    ("s1", {"lat": math.nan}, None),
    ("o1", {"org_type": "pub"}, "node 'o1', field 'org_type': unknown organisation type 'pub'"),
    ("o1", {"sector": "space"}, None),
    ("o1", {"employees_total": -1.0}, None),
    ("o1", {"spend_total": math.inf}, None),
    ("yp1", {"hours_per_week": -2.0}, "node 'yp1', field 'hours_per_week': -2.0 is not a non-negative number"),
    ("s1", {"contract_end": "2030-01-01"}, None),
    ("ad1", {"recorded": dt.date(2025, 5, 1), "updated": dt.date(2025, 4, 30)},
     "node 'ad1', field 'updated': last updated 2025-04-30 is before first recorded 2025-05-01"),
    ("ad1", {"recorded": dt.date(2025, 5, 1), "updated": dt.date(2025, 5, 1)}, None),
    ("o1", {"employees_local": 101.0}, "node 'o1', field 'employees_local': employees_local (101) exceeds "
                                       "employees_total (100)"),
    ("o1", {"spend_local": 0.0, "spend_total": None}, None),
    ("ad1", {"provider": "o1"}, "node 'ad1', field 'provider': only a service has a provider"),
    ("yp1", {"label": None}, None),
]


@pytest.mark.parametrize(("node_id", "values", "problem"), BROKEN,
                         ids=[f"{i}-{'-'.join(v)}" for i, v, _ in BROKEN])
def test_the_same_problems_over_the_columns(small_project, node_id, values, problem):
    areas, nodes, ties = _changed(small_project, node_id, **values)
    by_records, by_columns = _both(areas, nodes, ties)
    assert by_records == by_columns
    if problem is not None:
        assert problem in by_columns


@pytest.mark.parametrize(("node_id", "values", "problem"), BROKEN,
                         ids=[f"{i}-{'-'.join(v)}" for i, v, _ in BROKEN])
def test_the_column_check_agrees_with_the_records_check(small_project, node_id, values, problem):
    """Rule by rule, the two quick checks give the same answer (no settling: as given)."""
    areas, nodes, _ties = _changed(small_project, node_id, **values)
    p = Project()
    for area in areas:
        p.areas[area.code] = area
    for node in nodes:
        p.nodes.setdefault(node.id, node)
    assert _columns_plainly_valid(p, _node_columns(nodes)) is _nodes_plainly_valid(p)


def test_a_provider_that_is_no_organisation(small_project):
    """A service whose provider is unknown, or an adult: the problems, by hand."""
    areas, nodes, ties = _records(small_project)
    s1 = next(n for n in nodes if n.id == "s1")
    s1.provider = "nobody"
    ties = [t for t in ties if t.type != "provides"]
    by_records, by_columns = _both(areas, nodes, ties)
    assert by_records == by_columns == ["node 's1', field 'provider': unknown provider 'nobody'"]
    s1.provider = "ad1"
    by_records, by_columns = _both(areas, nodes, ties)
    assert by_records == by_columns
    assert "node 's1', field 'provider': provider 'ad1' is a adult, not an organisation" in by_columns


def test_an_id_given_twice(small_project):
    """The second of an id is named a duplicate once, and a broken second is not judged (only
    the node the project keeps is), the same both ways."""
    areas, nodes, ties = _records(small_project)
    twice = copy.copy(next(n for n in nodes if n.id == "yp2"))
    twice.age = 130
    by_records, by_columns = _both(areas, [*nodes, twice], ties)
    assert by_records == by_columns == ["node 'yp2', field 'id': duplicate id"]


def test_columns_that_are_not_the_nodes_are_not_used(small_project, monkeypatch):
    """Columns of another length or other ids: the records are checked (the columns ignored)."""
    areas, nodes, ties = _records(small_project)
    columns = _node_columns(nodes)
    columns["id"] = [*columns["id"][:-1], "other"]
    ran = []
    real = project_module._nodes_plainly_valid
    monkeypatch.setattr(project_module, "_nodes_plainly_valid", lambda p: ran.append(p) or real(p))
    Project.build(areas, nodes, ties, place_young_people=False, node_columns=columns)
    short = {name: values[:-1] for name, values in _node_columns(nodes).items()}
    Project.build(areas, [copy.copy(n) for n in nodes], ties, place_young_people=False, node_columns=short)
    assert len(ran) == 2


def _edited(tmp_path, project, *edits) -> str:
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        for edit in edits:
            con.execute(edit)
    con.close()
    return path


@pytest.mark.parametrize("edit", [
    "UPDATE nodes SET age = 121 WHERE id = 'yp1'",
    "UPDATE nodes SET kind = 'adult' WHERE id = 'yp1'",  # an adult with a NEET flag and an activity
    "UPDATE nodes SET area_code = 'Z' WHERE id = 'ad1'",
    "UPDATE nodes SET employees_local = 500 WHERE id = 'o1'",
    "UPDATE nodes SET label = '' WHERE id = 'yp3'",
    "UPDATE nodes SET neet = NULL WHERE id = 'yp3'",
])
def test_through_a_file(small_project, tmp_path, monkeypatch, edit):
    """The loader's columns: the same project or the same refusal as checking the records."""
    path = _edited(tmp_path, small_project, edit)

    def opened():
        try:
            p = load_project(path)
        except ProjectNeedsRepair as exc:
            return str(exc)
        return repr((list(p.nodes.items()), sorted(p.ties.items())))

    given = []
    real = Project.build.__func__

    def build(cls, *args, **kwargs):
        given.append(kwargs.get("node_columns") is not None)
        return real(cls, *args, **kwargs)

    with_columns = opened()
    with monkeypatch.context() as m:
        m.setattr(Project, "build", classmethod(lambda cls, *a, **k: build(cls, *a, **{**k, "node_columns": None})))
        without = opened()
    assert with_columns == without
    given.clear()
    monkeypatch.setattr(Project, "build", classmethod(build))
    opened()
    assert given == [True]
