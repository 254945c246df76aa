"""Person measures (SPEC section 3) on hand-made networks."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from socialmap.analysis import PERSON_MEASURES, analyse, areas_reached, graph_arrays
from socialmap.model import Area, Node, Tie
from tests.analysis.conftest import project_with


def test_tie_counts_of_the_small_project(small_project):
    """Ties: yp1-yp2 bonding, yp2-yp3 bridging, yp1-s1 linking, o1-ad1 linking (employs),
    ad1-yp3 linking (worker), o1-s1 institutional.

    degree: yp1 2, yp2 2, yp3 2, ad1 2.
    bonding: yp1 1, yp2 1. bridging: yp2 1, yp3 1. linking: yp1 1, yp3 1, ad1 2.
    """
    people = analyse(small_project).people
    assert people.index.tolist() == ["yp1", "yp2", "yp3", "ad1"]
    assert people["degree"].tolist() == [2, 2, 2, 2]
    assert people["bonding"].tolist() == [1, 1, 0, 0]
    assert people["bridging"].tolist() == [0, 1, 1, 0]
    assert people["linking"].tolist() == [1, 0, 1, 2]
    assert people["kind"].tolist() == ["young_person"] * 3 + ["adult"]
    assert people["area_code"].tolist() == ["A1", "A1", "A2", "A2"]
    assert people["neet"].tolist() == [True, False, False, False]


def test_burt_measures_on_a_six_cycle(small_project):
    """The small project's six ties form one cycle yp1-yp2-yp3-ad1-o1-s1-yp1: every node has
    two contacts not tied to each other: effective size 2 - 0 = 2, constraint 2 x (1/2)^2 = 0.5."""
    people = analyse(small_project).people
    assert people["effective_size"].tolist() == [2.0, 2.0, 2.0, 2.0]
    assert people["constraint"].tolist() == [0.5, 0.5, 0.5, 0.5]


def test_burt_measures_equal_networkx_on_the_whole_graph(reach_project):
    """Computed on every tie of the project, as networkx does on project.graph()."""
    people = analyse(reach_project).people
    g = reach_project.graph()
    want_c, want_e = nx.constraint(g, nodes=list(g)), nx.effective_size(g, nodes=list(g))
    for pid in people.index:
        assert people.loc[pid, "constraint"] == pytest.approx(want_c[pid])
        assert people.loc[pid, "effective_size"] == pytest.approx(want_e[pid])


def test_isolated_means_no_bridging_and_no_linking(small_project):
    """yp1 has a linking tie, yp2 and yp3 a bridging tie, ad1 linking ties: no one is isolated.
    Removing yp1-s1 leaves yp1 with one bonding tie only: isolated."""
    assert not analyse(small_project).people["isolated"].any()
    small_project.remove_tie("yp1", "s1")
    people = analyse(small_project).people
    assert people["isolated"].to_dict() == {"yp1": True, "yp2": False, "yp3": False, "ad1": False}


def test_service_links_of_the_small_project(small_project):
    """yp1 attends s1 (1). yp3 has a worker tie with ad1, employed by o1, which provides s1 (1).
    yp2: no attends, no worker/mentor tie (0). ad1's worker tie is with a young person, not an
    adult employed anywhere (0)."""
    assert analyse(small_project).people["service_links"].tolist() == [1, 0, 1, 0]


def test_service_links_count_distinct_services(two_areas):
    """y attends s1 and has a mentor m employed by o, which provides s1 and s2: {s1, s2} = 2,
    s1 counted once. A second employer o2 with no services adds nothing."""
    nodes = [
        Node("y", "young_person", area_code="A1"),
        Node("m", "adult"),
        Node("o", "organisation", lat=53.405, lon=-2.295),
        Node("o2", "organisation", lat=53.405, lon=-2.295),
        Node("s1", "service", lat=53.405, lon=-2.295, provider="o"),
        Node("s2", "service", lat=53.405, lon=-2.285, provider="o"),
    ]
    ties = [Tie("y", "s1", "attends"), Tie("y", "m", "mentor"), Tie("o", "m", "employs"), Tie("o2", "m", "employs")]
    p = project_with(two_areas, nodes, ties)
    assert analyse(p).people.loc["y", "service_links"] == 2


def test_areas_reached_on_a_hand_network(reach_project):
    """See the reach_project fixture.

    y1 (A1): one hop y2 (A2), club, g; two hops y3 (A3, via y2), y4 (A3, via club), y6 (A2, via
             g). Not w (club -provides- org -employs- w is institutional), not y5 (three hops).
             Areas {A2, A3} = 2.
    y2 (A2): one hop y1 (A1), y3 (A3); two hops club, g (no area), y5 (A1). {A1, A3} = 2.
    y3 (A3): one hop y2 (A2), y5 (A1); two hops y1 (A1). {A1, A2} = 2.
    y4 (A3): one hop club; two hops y1 (A1). {A1} = 1.
    y5 (A1): one hop y3 (A3); two hops y2 (A2). {A2, A3} = 2.
    y6 (A2): one hop g; two hops y1 (A1). {A1} = 1.
    g (no area): one hop y1 (A1), y6 (A2); two hops y2 (A2), club. {A1, A2} = 2.
    w (A2): one hop org; org's only other tie is provides (institutional). 0.
    """
    people = analyse(reach_project).people
    assert people["areas_reached"].to_dict() == {
        "y1": 2, "y2": 2, "y3": 2, "y4": 1, "y5": 2, "y6": 1, "g": 2, "w": 0,
    }


def test_areas_reached_matches_a_breadth_first_search(reach_project):
    """The sparse-matrix pass equals a plain search over the non-institutional ties."""
    g = nx.Graph()
    g.add_nodes_from(reach_project.nodes)
    kinds = {i: n.kind for i, n in reach_project.nodes.items()}
    person = {"young_person", "adult"}
    g.add_edges_from((t.a, t.b) for t in reach_project.ties.values() if kinds[t.a] in person or kinds[t.b] in person)
    ga = graph_arrays(reach_project)
    got = areas_reached(reach_project)
    for node_id, node in reach_project.nodes.items():
        if node.kind not in person:
            continue
        near = nx.single_source_shortest_path_length(g, node_id, cutoff=2)
        areas = {reach_project.nodes[o].area_code for o in near if o != node_id and kinds[o] in person}
        areas.discard(None)
        areas.discard(node.area_code)
        assert got[ga.index[node_id]] == len(areas), node_id


def test_young_person_with_ties_only_to_adults(two_areas):
    """y's only ties are family ties to adults: p1 has no area (unclassified), p2 lives in y's
    area (bonding). No bridging, no linking: y is isolated, with degree 2 and areas reached 0
    (p2 shares y's area; p1 has none)."""
    nodes = [Node("y", "young_person", area_code="A1"), Node("p1", "adult"), Node("p2", "adult", area_code="A1")]
    p = project_with(two_areas, nodes, [Tie("y", "p1", "family"), Tie("y", "p2", "family")])
    row = analyse(p).people.loc["y"]
    assert (row["degree"], row["bonding"], row["bridging"], row["linking"]) == (2, 1, 0, 0)
    assert bool(row["isolated"]) is True
    assert row["areas_reached"] == 0


def test_person_without_ties_has_null_burt_measures(two_areas):
    """A young person with no ties: degree 0, isolated, constraint and effective size null."""
    p = project_with(two_areas, [Node("y", "young_person", area_code="A1")])
    result = analyse(p)
    row = result.people.loc["y"]
    assert row["degree"] == 0 and bool(row["isolated"])
    assert math.isnan(row["constraint"]) and math.isnan(row["effective_size"])
    doc = result.to_json()["people"]["y"]
    assert doc["constraint"] is None and doc["effective_size"] is None


def test_disconnected_graph(two_areas):
    """Two components, y1-y2 (A1, A1) and y3-y4 (A2, A2): measures are per component; nobody
    reaches another area; every node: one contact, constraint 1, effective size 1."""
    nodes = [Node(f"y{i}", "young_person", area_code="A1" if i <= 2 else "A2") for i in range(1, 5)]
    p = project_with(two_areas, nodes, [Tie("y1", "y2", "friend"), Tie("y3", "y4", "friend")])
    people = analyse(p).people
    assert people["areas_reached"].tolist() == [0, 0, 0, 0]
    assert people["constraint"].tolist() == [1.0] * 4
    assert people["effective_size"].tolist() == [1.0] * 4
    assert people["bonding"].tolist() == [1] * 4
    assert people["isolated"].all()


def test_json_people_fields(small_project):
    doc = analyse(small_project).to_json()["people"]
    assert set(doc) == {"yp1", "yp2", "yp3", "ad1"}
    assert tuple(doc["yp1"]) == PERSON_MEASURES
    assert doc["yp1"] == {
        "degree": 2, "bonding": 1, "bridging": 0, "linking": 1, "areas_reached": 1,
        "constraint": 0.5, "effective_size": 2.0, "isolated": False, "service_links": 1,
        # yp1 -> yp2 -> yp3 -> ad1 (employed by o1: in work); the college o1 only through the
        # provides tie of s1, which is no hop
        "opportunity_ties": 0, "hops_to_opportunity": 3,
    }
    assert isinstance(doc["yp1"]["degree"], int) and isinstance(doc["yp1"]["isolated"], bool)


def test_group_by_changes_bonding_and_bridging_not_degree(two_areas):
    """Same network by area and by the attribute 'club': y1 (A1, club X) - y2 (A2, club X).
    By area: bridging; by club: bonding, and then y1 has no bridging or linking tie: isolated."""
    nodes = [
        Node("y1", "young_person", area_code="A1", attrs={"club": "X"}),
        Node("y2", "young_person", area_code="A2", attrs={"club": "X"}),
    ]
    p = project_with(two_areas, nodes, [Tie("y1", "y2", "friend")])
    by_area, by_club = analyse(p), analyse(p, "club")
    assert by_area.people["bridging"].tolist() == [1, 1] and not by_area.people["isolated"].any()
    assert by_club.people["bonding"].tolist() == [1, 1] and by_club.people["isolated"].all()
    assert by_club.group_by == "club" and by_club.summary["group_by"] == "club"
    assert np.array_equal(by_area.people["degree"], by_club.people["degree"])


def test_edit_invalidates_cached_arrays(small_project):
    """Results follow the project's version: an added tie shows at once."""
    assert analyse(small_project).people.loc["yp2", "degree"] == 2
    small_project.add_node(Node("y9", "young_person", area_code="A2"))
    small_project.add_tie(Tie("yp2", "y9", "peer"))
    assert analyse(small_project).people.loc["yp2", "degree"] == 3


def test_adults_area_counts_when_reached(two_areas):
    """y (A1) -family- mum (adult, A2): mum's area A2 is reached (one hop)."""
    p = project_with(
        two_areas,
        [Node("y", "young_person", area_code="A1"), Node("mum", "adult", area_code="A2")],
        [Tie("y", "mum", "family")],
    )
    assert analyse(p).people.loc["y", "areas_reached"] == 1


def test_area_without_young_people_counts_no_one():
    """Adults only: people frame has the adults, no young people."""
    from shapely.geometry import box

    p = project_with([Area("Z", "Zed", box(0, 50, 1, 51))], [Node("a", "adult", area_code="Z")])
    result = analyse(p)
    assert result.people.index.tolist() == ["a"]
    assert result.summary["young_people"] == 0 and result.summary["neet_isolation_rate"] is None
