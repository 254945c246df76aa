"""compare_projects on hand-built before/after networks (issue 18)."""

from __future__ import annotations

import math

from socialmap.change import compare_projects
from socialmap.model import Tie
from tests.change.conftest import DAY, EVE


def test_losses_isolation_and_flags_per_area(small_project):
    """small_project: yp1 (A1, NEET) -friend- yp2 (A1) -friend- yp3 (A2); yp1 -attends- s1;
    ad1 -worker- yp3. On DAY yp1-s1 and yp2-yp3 end.

    Before, nobody is isolated (yp1 has s1, yp2 and yp3 the bridging tie). After, yp1 has
    only a bonding tie and yp2 too: both newly isolated in A1, one of them NEET; yp3 keeps
    ad1. Area tie counts: A1 loses 1 linking (yp1-s1) and 1 bridging (yp2's end of yp2-yp3),
    A2 loses 1 bridging (yp3's end). Each had 1 bridging tie before: 100% lost, flagged.
    A1 mean bridging 1/2 -> 0, mean linking 1/2 -> 0.
    """
    p = small_project
    p.update_tie("yp1", "s1", until=DAY)
    p.update_tie("yp2", "yp3", until=DAY)
    r = compare_projects(p.in_force(EVE), p.in_force(DAY))
    a1, a2 = r.areas.loc["A1"], r.areas.loc["A2"]
    assert (a1["lost_linking"], a1["lost_bridging"], a1["lost_bonding"]) == (1, 1, 0)
    assert (a2["lost_linking"], a2["lost_bridging"]) == (0, 1)
    assert (a1["newly_isolated"], a1["newly_isolated_neet"], a1["no_longer_isolated"]) == (2, 1, 0)
    assert a2["newly_isolated"] == 0
    assert (a1["isolated_before"], a1["isolated_after"], a1["isolated_change"]) == (0, 2, 2)
    assert (a1["mean_bridging_before"], a1["mean_bridging_after"], a1["mean_bridging_change"]) == (0.5, 0.0, -0.5)
    assert (a1["mean_linking_before"], a1["mean_linking_change"]) == (0.5, -0.5)
    assert a1["bridging_loss_pct"] == a2["bridging_loss_pct"] == 100.0
    assert a1["flagged"] and a2["flagged"]
    assert a1["reasons"] == ["1 NEET young person became isolated (no bridging or linking tie left)",
                             "bridging ties fell 100% (1 of 1 lost)"]
    s = r.summary
    assert s["ties_lost_by_class"] == {"bonding": 0, "bridging": 1, "linking": 1, "institutional": 0,
                                       "unclassified": 0}
    assert (s["ties_lost"], s["ties_gained"], s["newly_isolated"], s["isolated_after"]) == (2, 0, 2, 2)


def test_gained_ties_are_classed_as_they_are_after(small_project):
    """A peer tie yp1-yp3 from DAY is bridging (A1-A2): gained once for each area; with it
    yp1 is not isolated after, so only yp2 is newly isolated."""
    p = small_project
    p.update_tie("yp1", "s1", until=DAY)
    p.update_tie("yp2", "yp3", until=DAY)
    p.add_tie(Tie("yp1", "yp3", "peer", since=DAY))
    r = compare_projects(p.in_force(EVE), p.in_force(DAY))
    assert (r.areas.loc["A1", "gained_bridging"], r.areas.loc["A2", "gained_bridging"]) == (1, 1)
    assert r.summary["ties_gained_by_class"]["bridging"] == 1
    assert (r.areas.loc["A1", "newly_isolated"], r.areas.loc["A1", "newly_isolated_neet"]) == (1, 0)


def test_a_tie_ending_on_the_date_is_lost_on_that_date_not_the_day_before(small_project):
    p = small_project
    p.update_tie("yp2", "yp3", until=DAY)
    day_before = EVE.replace(day=EVE.day - 1)
    assert compare_projects(p.in_force(day_before), p.in_force(EVE)).summary["ties_lost"] == 0
    assert compare_projects(p.in_force(EVE), p.in_force(DAY)).summary["ties_lost"] == 1


def test_no_change_is_no_change(small_project):
    r = compare_projects(small_project, small_project.copy())
    assert r.summary["ties_lost"] == r.summary["ties_gained"] == 0
    assert not r.areas["flagged"].any()
    assert (r.areas["young_people_change"] == 0).all()
    assert math.isnan(r.areas.loc["A2", "neet_isolation_rate_change"])  # no NEET young person in A2


def test_an_area_and_a_young_person_on_one_side_only(small_project):
    """A young person added after: young people +1 in A1 but not among the newly isolated
    (who must be on both sides); the nearest service of an area rises when s1 moves away."""
    from socialmap.model import Node

    after = small_project.copy()
    after.add_node(Node("yp9", "young_person", area_code="A1"))
    r = compare_projects(small_project, after)
    assert r.areas.loc["A1", "young_people_change"] == 1
    assert r.areas.loc["A1", "newly_isolated"] == 0  # yp9 is isolated, but new
    assert r.summary["young_people_on_both_sides"] == 3
    assert r.to_json()["areas"]["A1"]["young_people_after"] == 3
