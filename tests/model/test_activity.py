"""A young person's activity (issue 15): the four NCCIS states, with ``neet`` derived from them."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from socialmap.errors import InputError
from socialmap.model import Area, Node, Project


def _project() -> Project:
    p = Project()
    p.add_area(Area("A1", "North", box(0, 0, 1, 1)))
    return p


@pytest.mark.parametrize(("activity", "neet"), [("eet", False), ("neet_available", True),
                                                ("neet_not_available", True), ("not_known", False)])
def test_neet_is_derived_from_the_activity(activity, neet):
    p = _project()
    p.add_node(Node("y", "young_person", area_code="A1", activity=activity))
    assert p.nodes["y"].neet is neet


def test_neet_alone_gives_the_nearest_activity():
    """An older record with only the yes/no: true is NEET available, false is EET."""
    p = Project.build([Area("A1", "North", box(0, 0, 1, 1))],
                      [Node("y1", "young_person", area_code="A1", neet=True),
                       Node("y2", "young_person", area_code="A1", neet=False),
                       Node("y3", "young_person", area_code="A1")], [])
    assert [p.nodes[i].activity for i in ("y1", "y2", "y3")] == ["neet_available", "eet", None]


def test_an_activity_that_contradicts_neet_is_refused():
    p = _project()
    with pytest.raises(InputError) as err:
        p.add_node(Node("y", "young_person", area_code="A1", neet=True, activity="eet"))
    assert err.value.problems[0].field == "neet"
    assert "activity is eet" in str(err.value)


def test_unknown_activity_and_an_adult_with_one_are_refused():
    with pytest.raises(InputError) as err:
        Project.build([Area("A1", "North", box(0, 0, 1, 1))],
                      [Node("y", "young_person", area_code="A1", activity="working"),
                       Node("a", "adult", activity="eet")], [])
    reasons = sorted(str(p) for p in err.value.problems)
    assert reasons == ["node 'a', field 'activity': only a young person has an activity",
                       "node 'y', field 'activity': unknown activity 'working'; expected one of eet, "
                       "neet_available, neet_not_available, not_known"]


def test_changing_the_activity_changes_neet_and_undo_gives_both_back():
    p = _project()
    p.add_node(Node("y", "young_person", area_code="A1", activity="neet_available"))
    old = p.update_node("y", activity="not_known")
    assert (p.nodes["y"].activity, p.nodes["y"].neet) == ("not_known", False)
    old.pop("updated", None)  # the date of the edit (issue 18)
    assert old == {"activity": "neet_available", "neet": True}
    p.update_node("y", **old)
    assert (p.nodes["y"].activity, p.nodes["y"].neet) == ("neet_available", True)


def test_ticking_neet_moves_an_eet_activity_but_keeps_a_neet_one():
    p = _project()
    p.add_node(Node("y", "young_person", area_code="A1", activity="eet"))
    old = p.update_node("y", neet=True)
    old.pop("updated", None)
    assert old == {"neet": False, "activity": "eet"}
    assert p.nodes["y"].activity == "neet_available"
    p.update_node("y", activity="neet_not_available")
    p.update_node("y", neet=True)  # already NEET: the finer state stays
    assert p.nodes["y"].activity == "neet_not_available"
    p.update_node("y", activity="not_known")
    p.update_node("y", neet=False)  # not known is not NEET: it stays not known
    assert p.nodes["y"].activity == "not_known"


def test_counts_give_the_not_known():
    p = _project()
    for i, a in enumerate(("eet", "not_known", "not_known", "neet_not_available")):
        p.add_node(Node(f"y{i}", "young_person", area_code="A1", activity=a))
    c = p.counts()
    assert (c["neet_young_people"], c["activity_not_known_young_people"]) == (1, 2)
