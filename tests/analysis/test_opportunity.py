"""Access to opportunity: opportunity ties, hops, the area share, exposure and friending bias,
checked on small networks worked out by hand (docs/measures.md section 6)."""

from __future__ import annotations

import json
import math

import pytest
from shapely.geometry import box

from socialmap.analysis import analyse
from socialmap.analysis.opportunity import (
    MAX_HOPS,
    area_opportunity,
    opportunity_nodes,
    opportunity_reach,
    service_exposure,
    service_figures_withheld,
)
from socialmap.model import Area, Node, Project, Tie


@pytest.fixture
def reach_project() -> Project:
    """A1: y1 (NEET), y2, y3 (NEET); A2: y4 .. y8 (chain).

    y1 is a member of employer E (1 hop) and a friend of y2, whose mother m is in work (y1 -> y2
    -> m: 2 hops). y3 attends s, a service provided by college C: the provides tie is
    institutional, so C is not reached through s; y3 has nothing else. y4 - y5 - y6 - y7 - y8 -
    m2 (in work): y8 1 hop, y7 2, y6 3, y5 4, y4 5 (beyond MAX_HOPS = 4: none).
    Charity K employs k (an employs tie: in work) and y2 is a member of K: y2 reaches K (not an
    opportunity) and k (2 hops), m (1 hop), y1's employer E through y1 (2 hops): 3.
    """
    p = Project()
    p.add_area(Area("A1", "West", box(-2.30, 53.40, -2.29, 53.41)))
    p.add_area(Area("A2", "East", box(-2.29, 53.40, -2.28, 53.41)))
    for i, area, neet in ((1, "A1", True), (2, "A1", False), (3, "A1", True), *((i, "A2", False) for i in range(4, 9))):
        p.add_node(Node(f"y{i}", "young_person", area_code=area, neet=neet))
    p.add_node(Node("m", "adult", in_work=True))
    p.add_node(Node("m2", "adult", in_work=True))
    p.add_node(Node("k", "adult", in_work=False))  # employed by K: in work whatever the flag says
    p.add_node(Node("E", "organisation", lat=53.405, lon=-2.295, org_type="employer"))
    p.add_node(Node("C", "organisation", lat=53.405, lon=-2.295, org_type="school_college"))
    p.add_node(Node("K", "organisation", lat=53.405, lon=-2.285, org_type="charity"))
    p.add_node(Node("s", "service", lat=53.405, lon=-2.285, provider="C"))
    for a, b, t in (
        ("y1", "E", "member"), ("y1", "y2", "friend"), ("y2", "m", "family"), ("y3", "s", "attends"),
        ("y4", "y5", "friend"), ("y5", "y6", "friend"), ("y6", "y7", "friend"), ("y7", "y8", "friend"),
        ("y8", "m2", "family"), ("K", "k", "employs"), ("y2", "K", "member"),
    ):
        p.add_tie(Tie(a, b, t))
    return p


def test_opportunity_nodes_are_adults_in_work_and_employers_and_colleges(reach_project):
    """m and m2 (in_work), k (employed by K), E (employer), C (school_college); not K (charity)."""
    mask = opportunity_nodes(reach_project)
    ids = [i for i, flag in zip(reach_project.nodes, mask, strict=True) if flag]
    assert ids == ["m", "m2", "k", "E", "C"]


def test_opportunity_ties_count_distinct_nodes_within_two_hops(reach_project):
    """y1: E (1 hop), m (via y2): 2. y2: m (1), k (via K), E (via y1): 3. y3: 0 (C only through
    the institutional provides tie). y8: m2 (1); y7: m2 (2); y6, y5, y4: 0."""
    ties, _ = opportunity_reach(reach_project)
    got = dict(zip(reach_project.nodes, ties.tolist(), strict=True))
    assert [got[f"y{i}"] for i in range(1, 9)] == [2, 3, 0, 0, 0, 0, 1, 1]


def test_hops_to_opportunity_shortest_path_capped(reach_project):
    """y1 1 (E), y2 1 (m), y3 none; y8 1, y7 2, y6 3, y5 4 and y4 5 > MAX_HOPS: none."""
    assert MAX_HOPS == 4
    result = analyse(reach_project)
    people = result.to_json()["people"]
    assert [people[f"y{i}"]["hops_to_opportunity"] for i in range(1, 9)] == [1, 1, None, None, 4, 3, 2, 1]
    assert people["y2"]["opportunity_ties"] == 3
    # per young person: adults carry no figure
    assert people["m"]["opportunity_ties"] is None and people["m"]["hops_to_opportunity"] is None


def test_area_share_of_neet_with_an_opportunity_within_two_hops(reach_project):
    """A1: NEET y1 (2 ties) and y3 (0): 1 of 2 = 0.5. A2: no NEET young person: null."""
    frame = area_opportunity(reach_project)
    assert frame.loc["A1", "neet_with_opportunity"] == 1
    assert frame.loc["A1", "neet_opportunity_share"] == 0.5
    assert frame.loc["A2", "neet_with_opportunity"] == 0
    assert math.isnan(frame.loc["A2", "neet_opportunity_share"])
    areas = analyse(reach_project).to_json()["areas"]
    assert areas["A1"]["neet_opportunity_share"] == 0.5 and areas["A2"]["neet_opportunity_share"] is None


@pytest.fixture
def services_project() -> Project:
    """Service big: NEET n1 n2 n3, EET e1 e2 e3 attend (N = 6, E = 3). Friendships with context
    big: n1-e1, n1-n2 (peer), n3-e2, e1-e3 (EET-EET: no NEET attendee), n2-x (x EET, does
    not attend: still a friendship n2 made there). A family tie n3-e3 with context big is not a
    friendship. small: 4 attendees. eet_only: 5 EET. neet_only: 5 NEET (n1 n2 n3 n4 n5)."""
    p = Project()
    p.add_area(Area("A1", "West", box(-2.30, 53.40, -2.29, 53.41)))
    for name in ("big", "small", "eet_only", "neet_only"):
        p.add_node(Node(name, "service", lat=53.405, lon=-2.295))
    people = {"n1": True, "n2": True, "n3": True, "n4": True, "n5": True,
              "e1": False, "e2": False, "e3": False, "e4": False, "e5": False, "x": False}
    for name, neet in people.items():
        p.add_node(Node(name, "young_person", area_code="A1", neet=neet))
    for name in ("n1", "n2", "n3", "e1", "e2", "e3"):
        p.add_tie(Tie(name, "big", "attends"))
    for name in ("n1", "e1", "e2", "e3"):
        p.add_tie(Tie(name, "small", "attends"))
    for name in ("e1", "e2", "e3", "e4", "e5"):
        p.add_tie(Tie(name, "eet_only", "attends"))
    for name in ("n1", "n2", "n3", "n4", "n5"):
        p.add_tie(Tie(name, "neet_only", "attends"))
    for a, b, t in (("n1", "e1", "friend"), ("n1", "n2", "peer"), ("n3", "e2", "friend"), ("e1", "e3", "friend"),
                    ("n2", "x", "friend"), ("n3", "e3", "family")):
        p.add_tie(Tie(a, b, t, context="big"))
    return p


def test_exposure_and_friending_bias_by_hand(services_project):
    """big: exposure = 3 / (6 - 1) = 0.6. Shares to EET: n1 {e1, n2} 1/2, n2 {n1, x} 1/2, n3 {e2}
    1: F = 2/3. Friending bias = 1 - (2/3) / 0.6 = -1/9 (they befriend EET young people a little
    more often than they meet them). Friendships made: n1-e1, n1-n2, n3-e2, n2-x = 4."""
    big = service_exposure(services_project).loc["big"]
    assert (big["attendees"], big["neet_attendees"], big["eet_attendees"]) == (6, 3, 3)
    assert big["exposure"] == pytest.approx(0.6)
    assert big["friending_bias"] == pytest.approx(-1 / 9)
    assert big["friendships_made"] == 4
    assert big["reason"] is None


def test_null_and_explained_with_too_few_attendees_or_no_one_to_meet(services_project):
    frame = service_exposure(services_project)
    small = frame.loc["small"]
    assert math.isnan(small["exposure"]) and math.isnan(small["friending_bias"])
    assert small["reason"] == "fewer than 5 young people attend"
    assert math.isnan(frame.loc["eet_only", "exposure"])
    assert frame.loc["eet_only", "reason"] == "no NEET young person attends"
    # five NEET attendees: exposure 0 / 4 = 0, and no friending bias to measure
    assert frame.loc["neet_only", "exposure"] == 0.0
    assert math.isnan(frame.loc["neet_only", "friending_bias"])
    assert frame.loc["neet_only", "reason"].startswith("no EET young person attends")


def test_services_section_in_the_analysis_json(services_project):
    doc = analyse(services_project).to_json()
    assert list(doc) == ["people", "areas", "summary", "services"]
    assert doc["services"]["big"]["exposure"] == pytest.approx(0.6)
    assert doc["services"]["small"]["exposure"] is None
    assert list(doc["services"]["big"]) == ["attendees", "neet_attendees", "eet_attendees", "exposure",
                                           "friendships_made", "friending_bias", "reason"]


def test_figures_withheld_in_human_output_when_a_side_is_1_to_4():
    assert service_figures_withheld(3, 3)
    assert service_figures_withheld(5, 4)
    assert not service_figures_withheld(5, 5)
    assert not service_figures_withheld(0, 9)


def test_analyse_json_keeps_every_existing_key_and_adds_the_new_ones(tmp_path, reach_project, capsys):
    from socialmap.cli import main
    from socialmap.store import save_project

    path = tmp_path / "p.gpkg"
    save_project(reach_project, path)
    assert main(["analyse", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["people"]["y1"]) == [
        "degree", "bonding", "bridging", "linking", "areas_reached", "constraint", "effective_size", "isolated",
        "service_links", "opportunity_ties", "hops_to_opportunity",
    ]
    assert list(doc["areas"]["A1"])[:12] == [
        "young_people", "neet", "isolated", "neet_isolated", "neet_isolation_rate", "mean_bridging",
        "mean_linking", "ei_index", "eet_connectedness", "services_in_area", "nearest_service_km", "anchors_in_area",
    ]
    assert doc["areas"]["A1"]["neet_with_opportunity"] == 1
    assert doc["summary"]["neet_opportunity_share"] == 0.5
    assert doc["services"]["s"]["reason"] == "fewer than 5 young people attend"


def test_friendships_made_at_a_service_nobody_attends(services_project):
    """With every attends tie gone, a friendship whose context is a service counts for no one."""
    for name in ("n1", "n2", "n3", "e1", "e2", "e3"):
        services_project.remove_tie(name, "big")
    for name in ("n1", "e1", "e2", "e3"):
        services_project.remove_tie(name, "small")
    for name in ("e1", "e2", "e3", "e4", "e5"):
        services_project.remove_tie(name, "eet_only")
    for name in ("n1", "n2", "n3", "n4", "n5"):
        services_project.remove_tie(name, "neet_only")
    frame = service_exposure(services_project)
    assert frame["attendees"].tolist() == [0, 0, 0, 0] and frame["friendships_made"].tolist() == [0, 0, 0, 0]
    assert set(frame["reason"]) == {"fewer than 5 young people attend"}
