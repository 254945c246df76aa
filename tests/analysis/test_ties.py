"""Tie classes and group keys (SPEC section 3; Putnam 2000; Szreter & Woolcock 2004)."""

from __future__ import annotations

import pytest

from socialmap.analysis import classify_ties, group_keys
from socialmap.errors import InputError
from socialmap.model import Node, Tie
from tests.analysis.conftest import project_with


def _classes(project, group_by=None) -> dict[tuple[str, str], str]:
    df = classify_ties(project, group_by)
    return {(a, b): c for a, b, c in zip(df["a"], df["b"], df["tie_class"], strict=True)}


def test_classes_of_the_small_project(small_project):
    """yp1-yp2 same area: bonding; yp2-yp3 A1/A2: bridging; yp1-s1: linking (person-service);
    o1-ad1 employs: linking (person-organisation); ad1-yp3 worker: linking; o1-s1 provides:
    institutional."""
    got = _classes(small_project)
    assert got == {
        ("yp1", "yp2"): "bonding",
        ("yp2", "yp3"): "bridging",
        ("yp1", "s1"): "linking",
        ("o1", "s1"): "institutional",
        ("o1", "ad1"): "linking",
        ("ad1", "yp3"): "linking",
    }


def test_columns_of_classify_ties(small_project):
    df = classify_ties(small_project)
    assert list(df.columns) == ["a", "b", "type", "context", "strength", "tie_class"]
    assert df.loc[df["a"] == "yp2", "context"].tolist() == ["s1"]


def test_mentor_between_two_people_in_one_area_is_linking(two_areas):
    """A mentor tie is linking whatever the areas (a gradient of authority)."""
    p = project_with(
        two_areas,
        [Node("y", "young_person", area_code="A1"), Node("m", "adult", area_code="A1")],
        [Tie("y", "m", "mentor")],
    )
    assert _classes(p) == {("y", "m"): "linking"}


def test_missing_group_key_makes_a_tie_unclassified(two_areas):
    """The adult has no area_code: y1-g can be neither bonding nor bridging."""
    p = project_with(
        two_areas,
        [Node("y1", "young_person", area_code="A1"), Node("g", "adult")],
        [Tie("y1", "g", "family")],
    )
    assert _classes(p) == {("y1", "g"): "unclassified"}


def test_group_by_a_node_attribute(two_areas):
    """Grouped by the imported attribute 'school': y1, y2 at Hill (bonding) though in
    different areas; y3 at Vale (bridging to y2); y4 has no school (unclassified)."""
    nodes = [
        Node("y1", "young_person", area_code="A1", attrs={"school": "Hill"}),
        Node("y2", "young_person", area_code="A2", attrs={"school": "Hill"}),
        Node("y3", "young_person", area_code="A2", attrs={"school": "Vale"}),
        Node("y4", "young_person", area_code="A2"),
    ]
    ties = [Tie("y1", "y2", "friend"), Tie("y2", "y3", "friend"), Tie("y3", "y4", "friend")]
    p = project_with(two_areas, nodes, ties)
    assert _classes(p, "school") == {
        ("y1", "y2"): "bonding",
        ("y2", "y3"): "bridging",
        ("y3", "y4"): "unclassified",
    }
    # by area the same ties read differently
    assert _classes(p) == {("y1", "y2"): "bridging", ("y2", "y3"): "bonding", ("y3", "y4"): "bonding"}


def test_group_by_a_node_field(two_areas):
    """Grouped by age: y1 and y2 are both 17 (bonding), y3 is 19 (bridging)."""
    nodes = [
        Node("y1", "young_person", area_code="A1", age=17),
        Node("y2", "young_person", area_code="A2", age=17),
        Node("y3", "young_person", area_code="A2", age=19),
    ]
    p = project_with(two_areas, nodes, [Tie("y1", "y2", "peer"), Tie("y2", "y3", "peer")])
    assert _classes(p, "age") == {("y1", "y2"): "bonding", ("y2", "y3"): "bridging"}


def test_unknown_group_key_is_refused(small_project):
    with pytest.raises(InputError, match="unknown group key 'shoe_size'"):
        classify_ties(small_project, "shoe_size")


def test_community_groups_two_cliques(two_areas):
    """Two triangles joined by one tie: Louvain puts each triangle in its own community, so the
    joining tie is bridging and the triangle ties bonding; the fixed seed gives the same keys."""
    nodes = [Node(f"y{i}", "young_person", area_code="A1") for i in range(6)]
    ties = [Tie("y0", "y1", "friend"), Tie("y1", "y2", "friend"), Tie("y0", "y2", "friend"),
            Tie("y3", "y4", "friend"), Tie("y4", "y5", "friend"), Tie("y3", "y5", "friend"),
            Tie("y2", "y3", "friend")]
    p = project_with(two_areas, nodes, ties)
    got = _classes(p, "community")
    assert got.pop(("y2", "y3")) == "bridging"
    assert set(got.values()) == {"bonding"}
    assert group_keys(p, "community").tolist() == [0, 0, 0, 1, 1, 1]
    again = project_with(two_areas, nodes, ties)  # a fresh project: nothing cached
    assert group_keys(again, "community").tolist() == group_keys(p, "community").tolist()


def test_empty_project_has_no_ties(empty_project):
    assert len(classify_ties(empty_project)) == 0


def test_community_networkx_fallback_gives_the_same_cliques(two_areas, monkeypatch):
    """Without igraph the networkx Louvain is used: the two triangles still come out as two
    communities, numbered by their first member (y0's community is 0, y3's is 1)."""
    import socialmap.analysis.ties as ties

    def no_igraph(*args):
        raise ImportError("igraph not installed")

    monkeypatch.setattr(ties, "_louvain_igraph", no_igraph)
    nodes = [Node(f"y{i}", "young_person", area_code="A1") for i in range(6)]
    ties_ = [Tie("y0", "y1", "friend"), Tie("y1", "y2", "friend"), Tie("y0", "y2", "friend"),
             Tie("y3", "y4", "friend"), Tie("y4", "y5", "friend"), Tie("y3", "y5", "friend"),
             Tie("y2", "y3", "friend")]
    p = project_with(two_areas, nodes, ties_)
    assert group_keys(p, "community").tolist() == [0, 0, 0, 1, 1, 1]


def test_community_key_of_organisations_is_missing(small_project):
    """Only people get a community; organisations and services have none (-1)."""
    keys = dict(zip(small_project.nodes, group_keys(small_project, "community").tolist(), strict=True))
    assert keys["o1"] == -1 and keys["s1"] == -1
    assert min(keys[i] for i in ("yp1", "yp2", "yp3", "ad1")) == 0
