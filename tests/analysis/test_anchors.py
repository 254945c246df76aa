"""Anchor presence per organisation (SPEC section 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import box

from socialmap.analysis import ANCHOR_FIGURES, anchor_presence, percentile_rank, reach
from socialmap.errors import InputError
from socialmap.model import Area, Node, Tie
from tests.analysis.conftest import project_with


@pytest.fixture
def anchors_project(two_areas):
    """Three organisations and five young people.

    college (anchor; 60 of 100 staff local; spend 400 of 1000; 30 years) provides club;
      staff: w (employed by college and by trust).
    trust (20 of 50 staff local; no spend figures; 5 years) provides gym; staff: m.
    shop (no figures).
    A3 is a third area.

    y1 (A1): member of college; attends club              -> college only        (sole: college)
    y2 (A1): attends club; mentor m (trust staff)         -> college, trust      (sole: none)
    y3 (A2): worker w (college and trust staff)           -> college, trust      (sole: college AND trust)
    y4 (A3): attends gym; mentor v (an adult employed by no one) -> trust        (sole: none: v is not through trust)
    y5 (A2): attends nothing, friend of y1                -> reached by no one
    """
    a3 = Area("A3", "South", box(-2.30, 53.39, -2.29, 53.40))
    nodes = [
        Node("college", "organisation", lat=53.405, lon=-2.295, is_anchor=True, employees_total=100,
             employees_local=60, spend_total=1000, spend_local=400, years_in_area=30),
        Node("trust", "organisation", lat=53.405, lon=-2.285, employees_total=50, employees_local=20, years_in_area=5),
        Node("shop", "organisation", lat=53.405, lon=-2.285),
        Node("club", "service", lat=53.405, lon=-2.295, provider="college"),
        Node("gym", "service", lat=53.405, lon=-2.285, provider="trust"),
        Node("w", "adult"), Node("m", "adult"), Node("v", "adult"),
        Node("y1", "young_person", area_code="A1"), Node("y2", "young_person", area_code="A1"),
        Node("y3", "young_person", area_code="A2"), Node("y4", "young_person", area_code="A3"),
        Node("y5", "young_person", area_code="A2"),
    ]
    ties = [
        Tie("college", "w", "employs"), Tie("trust", "w", "employs"), Tie("trust", "m", "employs"),
        Tie("y1", "college", "member"), Tie("y1", "club", "attends"),
        Tie("y2", "club", "attends"), Tie("y2", "m", "mentor"),
        Tie("y3", "w", "worker"),
        Tie("y4", "gym", "attends"), Tie("y4", "v", "mentor"),
        Tie("y5", "y1", "friend"),
    ]
    return project_with([*two_areas, a3], nodes, ties)


def test_reach_and_sole_links(anchors_project):
    """college reaches y1, y2, y3 (3; areas A1, A2 = 2); sole link of y1 and y3 (2).
    trust reaches y2 (via m), y3 (via w), y4 (via gym): 3, areas A1, A2, A3 = 3; sole link of y3
    (w works for both) = 1 (y4 has a mentor outside the trust).
    shop reaches no one."""
    orgs = anchor_presence(anchors_project).organisations
    assert orgs.index.tolist() == ["college", "trust", "shop"]
    assert orgs["young_people_reached"].tolist() == [3, 3, 0]
    assert orgs["areas_reached"].tolist() == [2, 3, 0]
    assert orgs["sole_link_young_people"].tolist() == [2, 1, 0]


def test_shares_and_years(anchors_project):
    """college: 60/100 = 0.6 local employment, 400/1000 = 0.4 local spend, 30 years.
    trust: 20/50 = 0.4, spend unknown (null), 5 years. shop: all null."""
    orgs = anchor_presence(anchors_project).organisations
    assert orgs.loc["college", ["local_employment_share", "local_spend_share", "years_in_area"]].tolist() == [0.6, 0.4, 30.0]
    assert orgs.loc["trust", "local_employment_share"] == 0.4
    assert math.isnan(orgs.loc["trust", "local_spend_share"])
    assert orgs.loc["shop", ["local_employment_share", "local_spend_share", "years_in_area"]].isna().all()
    assert orgs["is_anchor"].tolist() == [True, False, False]


def test_percentiles(anchors_project):
    """Weak percentile rank among organisations with a value.
    young_people_reached (3, 3, 0): college 3/3 x 100 = 100, trust 100, shop 1/3 x 100 = 33.3.
    sole_link (2, 1, 0): 100, 66.7, 33.3. local_employment_share (0.6, 0.4, null):
    college 2/2 = 100, trust 1/2 = 50, shop null. local_spend_share: college 1/1 = 100."""
    orgs = anchor_presence(anchors_project).organisations
    assert orgs["young_people_reached_percentile"].tolist() == pytest.approx([100, 100, 100 / 3])
    assert orgs["sole_link_young_people_percentile"].tolist() == pytest.approx([100, 200 / 3, 100 / 3])
    assert orgs["local_employment_share_percentile"].tolist()[:2] == [100.0, 50.0]
    assert math.isnan(orgs.loc["shop", "local_employment_share_percentile"])
    assert orgs.loc["college", "local_spend_share_percentile"] == 100.0
    for figure in ANCHOR_FIGURES:
        assert f"{figure}_percentile" in orgs.columns


def test_percentile_rank_with_ties_and_nulls():
    """Values (5, 1, 5, null): 1 -> 1/3; 5 -> 3/3."""
    assert percentile_rank(np.array([5.0, 1.0, 5.0, np.nan])).tolist()[:3] == pytest.approx([100, 100 / 3, 100])
    assert percentile_rank(np.array([np.nan])).tolist() == [pytest.approx(np.nan, nan_ok=True)]
    assert percentile_rank(np.array([])).tolist() == []


def test_reach_lists_agree_with_the_figures(anchors_project):
    """reach() names the same young people and areas the figures count."""
    orgs = anchor_presence(anchors_project).organisations
    assert reach(anchors_project, "college") == {
        "young_people": ["y1", "y2", "y3"], "areas": ["A1", "A2"], "services": ["club"], "staff": ["w"],
    }
    assert reach(anchors_project, "trust") == {
        "young_people": ["y2", "y3", "y4"], "areas": ["A1", "A2", "A3"], "services": ["gym"], "staff": ["m", "w"],
    }
    for org_id, row in orgs.iterrows():
        r = reach(anchors_project, org_id)
        assert (len(r["young_people"]), len(r["areas"])) == (row["young_people_reached"], row["areas_reached"])


def test_reach_of_an_unknown_organisation(anchors_project):
    with pytest.raises(InputError, match="unknown organisation 'y1'"):
        reach(anchors_project, "y1")


def test_json_document(anchors_project):
    doc = anchor_presence(anchors_project).to_json()
    assert list(doc) == ["organisations"]
    college = doc["organisations"]["college"]
    assert college["young_people_reached"] == 3 and college["label"] == "college"
    assert doc["organisations"]["shop"]["years_in_area"] is None


def test_no_organisations(empty_project, small_project):
    assert len(anchor_presence(empty_project).organisations) == 0
    assert anchor_presence(empty_project).to_json() == {"organisations": {}}
    small_project.remove_tie("ad1", "yp3")
    orgs = anchor_presence(small_project).organisations
    # o1 reaches yp1 through s1 only; yp1 has no other linking tie: sole link
    assert orgs.loc["o1", ["young_people_reached", "sole_link_young_people"]].tolist() == [1, 1]


def test_zero_total_gives_null_share(two_areas):
    p = project_with(two_areas, [Node("o", "organisation", lat=53.405, lon=-2.295, employees_total=0, employees_local=0)])
    assert math.isnan(anchor_presence(p).organisations.loc["o", "local_employment_share"])
