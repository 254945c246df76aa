"""Criticality ranking of every service and organisation (SPEC section 4)."""

from __future__ import annotations

import pytest

from socialmap.scenarios import Cancelled, Close, Decommission, evaluate, rank


def test_rank_on_the_town(town):
    """S = 0.5 (default).

    Services: s1 decommissioned: 2.5 newly isolated, 1.0 bridging lost
    (test_impact). s2: yp5 loses attends and mentor ad2 (s2's staff), peer
    yp4 @s2 with 0.5 -> 0.5 isolated; bridging 0.5 at each end = 1.0;
    linking 2; flags A2 (25 % bridging) and A3 (0.5 NEET). s3: touches nobody.
    Organisations: o1 closed: 3.5 isolated (test_impact); o3 closed: yp3's
    member tie only (linking 1); o2 closed: nobody. o2 and o3 tie on the
    first two keys; lost linking breaks it.
    """
    r = rank(town)
    assert r.services["id"].tolist() == ["s1", "s2", "s3"]
    assert r.services["newly_isolated"].tolist() == pytest.approx([2.5, 0.5, 0.0])
    assert r.services["lost_bridging"].tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert r.services["lost_linking"].tolist() == pytest.approx([4.0, 2.0, 0.0])
    assert r.services["flagged_areas"].tolist() == [2, 2, 0]
    assert r.services["label"].tolist() == ["Youth club", "Careers hub", "Newco hub"]
    assert r.organisations["id"].tolist() == ["o1", "o3", "o2"]
    assert r.organisations["newly_isolated"].tolist() == pytest.approx([3.5, 0.0, 0.0])
    assert r.organisations["lost_linking"].tolist() == pytest.approx([6.0, 1.0, 0.0])


def test_rank_rows_equal_single_scenarios(town):
    """Each row is the summary of the same single-change scenario."""
    r = rank(town)
    for row in r.services.to_dict("records"):
        one = evaluate(town, [Decommission(row["id"])]).summary
        assert row["newly_isolated"] == pytest.approx(one["newly_isolated"])
        assert row["lost_bridging"] == pytest.approx(one["lost_bridging"])
        assert row["flagged_areas"] == len(one["flagged_areas"])
    for row in r.organisations.to_dict("records"):
        one = evaluate(town, [Close(row["id"])]).summary
        assert row["newly_isolated_neet"] == pytest.approx(one["newly_isolated_neet"])
        assert row["lost_bonding"] == pytest.approx(one["lost_bonding"])


def test_rank_json_lists_every_service_and_organisation(town):
    doc = rank(town).to_json()
    assert [d["id"] for d in doc["services"]] == ["s1", "s2", "s3"]
    assert [d["id"] for d in doc["organisations"]] == ["o1", "o3", "o2"]
    assert set(doc["services"][0]) == {
        "id",
        "label",
        "newly_isolated",
        "newly_isolated_neet",
        "lost_bridging",
        "lost_linking",
        "lost_bonding",
        "flagged_areas",
    }


def test_rank_reports_progress_and_can_be_cancelled(town):
    seen = []
    rank(town, progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        rank(town, cancelled=lambda: True)


def test_rank_json_has_exactly_the_spec_keys(town):
    assert set(rank(town).to_json()) == {"services", "organisations"}
