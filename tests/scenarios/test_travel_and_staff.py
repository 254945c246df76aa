"""Distance decay, staff travel and staff who follow their service (issue 17), by hand.

The town of ``conftest.py``: s1 (youth club) at A1's centre, attended by
yp1 (A1, NEET, whose only bridging/linking tie it is); s2 (careers hub) at
A3's centre, attended by yp5 (A3, NEET, who also has a mentor and a peer).
"""

from __future__ import annotations

import numpy as np
import pytest

from socialmap.scenarios import Decommission, Relocate, Transfer, evaluate, projected_sites
from socialmap.scenarios.assumptions import distance_decay
from tests.scenarios.test_impact import assert_area

A1_CENTRE = (53.405, -2.295)
A3_CENTRE = (53.405, -2.275)


def _home_km(project, code, lat, lon) -> float:
    sites = projected_sites(project)
    home = sites.centroid_xy[sites.area_codes.index(code)]
    return float(np.hypot(*(home - sites.project_point(lat, lon)))) / 1000.0


def test_decay_curve_by_hand():
    """1 / (1 + (x / h)^2): no extra distance keeps everyone, half at h, 1/5 at 2h, 1/10 at 3h."""
    assert distance_decay(0.0, 2.0) == 1.0
    assert distance_decay(-3.0, 2.0) == 1.0  # a shorter journey loses nobody
    assert distance_decay(2.0, 2.0) == 0.5
    assert distance_decay(4.0, 2.0) == pytest.approx(0.2)
    assert distance_decay(3.0, 1.0) == pytest.approx(0.1)


def test_decay_relocation_at_the_half_distance_loses_half(town):
    """s1 moves from A1's centre to A3's centre. yp1's home centroid is
    ``before`` km from the old site (a few metres: the centroid of the
    projected square) and ``after`` km from the new one (about 1.33 km: 0.02
    degrees of longitude at 53.4 N). With the half-distance set to exactly
    the extra distance, the attends tie survives with 1/2: A1 lost linking
    0.5, yp1 (NEET, no other bridging or linking tie) newly isolated 0.5.
    """
    before = _home_km(town, "A1", *A1_CENTRE)
    after = _home_km(town, "A1", *A3_CENTRE)
    assert before < 0.01 and after == pytest.approx(1.33, abs=0.01)
    r = evaluate(town, [Relocate("s1", *A3_CENTRE, travel_model="decay", half_km=after - before)])
    assert_area(r, "A1", lost_linking=0.5, newly_isolated=0.5, newly_isolated_neet=0.5)
    assert r.areas.loc["A1", "flagged"]  # 0.5 NEET newly isolated: the threshold


def test_decay_relocation_at_twice_the_half_distance_loses_four_fifths(town):
    """Half-distance = extra / 2: survives with 1 / (1 + 2^2) = 0.2, lost with 0.8."""
    extra = _home_km(town, "A1", *A3_CENTRE) - _home_km(town, "A1", *A1_CENTRE)
    r = evaluate(town, [Relocate("s1", *A3_CENTRE, travel_model="decay", half_km=extra / 2)])
    assert_area(r, "A1", lost_linking=0.8, newly_isolated=0.8, newly_isolated_neet=0.8)


def test_decay_going_and_coming_back_multiplies_the_moves(town):
    """s1 to A3's centre (survive 1/2 as above), then back to A1's centre:
    the second move shortens yp1's journey (survives with 1), so 1/2 in all.
    The cliff at 3 km would lose nothing either way (1.33 km < 3 km)."""
    extra = _home_km(town, "A1", *A3_CENTRE) - _home_km(town, "A1", *A1_CENTRE)
    there = Relocate("s1", *A3_CENTRE, travel_model="decay", half_km=extra)
    back = Relocate("s1", *A1_CENTRE, travel_model="decay", half_km=extra)
    assert_area(evaluate(town, [there, back]), "A1", lost_linking=0.5, newly_isolated=0.5)
    cliff = evaluate(town, [Relocate("s1", *A3_CENTRE, max_travel_km=3.0)])
    assert_area(cliff, "A1", lost_linking=0, newly_isolated=0)


def test_decay_keeps_a_young_person_with_other_ties_connected(town):
    """s2 moves from A3's centre to A1's centre; yp5 (A3) keeps a mentor and a
    peer, so loses the attends tie with 1/2 but is never isolated."""
    extra = _home_km(town, "A3", *A1_CENTRE) - _home_km(town, "A3", *A3_CENTRE)
    r = evaluate(town, [Relocate("s2", *A1_CENTRE, travel_model="decay", half_km=extra)])
    assert_area(r, "A3", lost_linking=0.5, newly_isolated=0)


def test_staff_who_came_with_a_service_stay_its_staff(town):
    """Transfer s1 (o1, staff ad1 by context) to o2, R = 0.5, then decommission
    o2's own s3. o2 names no context on any ``employs`` tie, but ad1 came with
    s1, so ad1 is staff of s1 only: decommissioning s3 does not touch ad1.

    ad1's worker ties (yp3, yp4, yp6 in A2) are each lost with 1 - R = 0.5:
    A2 lost linking 1.5. yp3 keeps member o3, yp4 keeps peer yp5; yp6 (NEET)
    has only ad1: newly isolated 0.5, NEET 0.5. (Counting ad1 as staff of s3,
    the old rule, gave lost linking 3.0 and newly isolated 1.0.)
    """
    r = evaluate(town, [Transfer("s1", "o2", 0.5), Decommission("s3")], context_survival=0.5)
    assert_area(r, "A2", lost_linking=1.5, newly_isolated=0.5, newly_isolated_neet=0.5)
    # decommissioning s1 itself afterwards does take ad1's ties
    r = evaluate(town, [Transfer("s1", "o2", 0.5), Decommission("s1")], context_survival=0.5)
    assert_area(r, "A2", lost_linking=3.0, newly_isolated=1.0, newly_isolated_neet=1.0)


def test_staff_travel_scales_retention_by_the_distance_between_providers(town):
    """o1 (53.405, -2.285) to o2 (53.445, -2.285): 0.04 degrees of latitude,
    about 4.45 km. With a staff half-distance of exactly that, each member of
    s1's staff stays with R x 1/2 = 0.25: ad1's three worker ties are each
    lost with 0.75, A2 lost linking 2.25; yp6 newly isolated 0.75."""
    sites = projected_sites(town)
    d = float(np.hypot(*(sites.project_point(53.445, -2.285) - sites.project_point(53.405, -2.285))))
    d_km = d / 1000.0
    assert d_km == pytest.approx(4.45, abs=0.02)
    r = evaluate(town, [Transfer("s1", "o2", 0.5, staff_half_km=d_km)])
    assert_area(r, "A2", lost_linking=2.25, newly_isolated=0.75, newly_isolated_neet=0.75)
    plain = evaluate(town, [Transfer("s1", "o2", 0.5)])
    assert_area(plain, "A2", lost_linking=1.5, newly_isolated=0.5)


def test_bad_travel_options_are_refused(town):
    from socialmap.errors import InputError

    with pytest.raises(InputError, match="half_km 0 is not positive"):
        evaluate(town, [Relocate("s1", *A3_CENTRE, travel_model="decay", half_km=0.0)])
    with pytest.raises(InputError, match="travel model 'bus' is not cliff or decay"):
        evaluate(town, [Relocate("s1", *A3_CENTRE, travel_model="bus")])
    with pytest.raises(InputError, match="staff_half_km -1 is not positive"):
        evaluate(town, [Transfer("s1", "o2", 0.5, staff_half_km=-1.0)])


def test_decay_and_staff_travel_are_saved_with_the_scenario(town):
    """A saved scenario keeps the travel model, half-distance and staff travel; one saved
    before them (no such keys) reads back with the cliff and no staff travel."""
    from socialmap.scenarios import Scenario, change_to_dict

    s = Scenario("move and re-tender", [Relocate("s1", *A3_CENTRE, travel_model="decay", half_km=1.5),
                                        Transfer("s2", "o2", 0.4, staff_half_km=8.0)], 0.5)
    s.save(town)
    assert Scenario.load(town, "move and re-tender") == s
    old = {"type": "relocate", "service": "s1", "lat": 53.4, "lon": -2.3, "max_travel_km": 3.0}
    assert change_to_dict(Relocate("s1", 53.4, -2.3)) == old  # the old form, unchanged
    assert Scenario.from_dict({"name": "x", "changes": [old]}).changes[0].travel_model == "cliff"
