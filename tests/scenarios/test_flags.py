"""Flags fire at their thresholds (>=), which are project settings (SPEC section 4)."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from socialmap.model import Area, Node, Project, Tie
from socialmap.scenarios import Decommission, Relocate, Transfer, evaluate


def test_neet_isolation_flag_at_exactly_the_threshold(town):
    """Transfer s1 to o2, R = 0.5: yp6 (NEET) isolated with 0.5 = the default
    threshold 0.5, so A2 is flagged; at a threshold of 0.51 it is not."""
    r = evaluate(town, [Transfer("s1", "o2", 0.5)])
    assert r.areas.loc["A2", "flagged"]
    assert list(r.areas.loc["A2", "reasons"]) == [
        "0.5 NEET young people expected to become isolated (no bridging or linking tie left)"
    ]
    town.settings["flag_newly_isolated_neet"] = 0.51
    r = evaluate(town, [Transfer("s1", "o2", 0.5)])
    assert not r.areas.loc["A2", "flagged"] and list(r.areas.loc["A2", "reasons"]) == []


@pytest.fixture
def hub() -> Project:
    """B1's y0 has five bridging friends in B2 (y1..y5); y0-y1 was made at
    youth club s (context). Two services sit at the same site, so removing
    one does not move anybody's nearest service.

    Decommission s with S = 0.5: y0-y1 lost with 0.5. B1: 0.5 of 5 bridging
    = 10 %; B2 (each friend has one bridging tie): 0.5 of 5 = 10 %. Nobody
    is isolated (y0 keeps four; y1 attends s2)."""
    p = Project()
    p.add_area(Area("B1", "North", box(-2.30, 53.40, -2.29, 53.41)))
    p.add_area(Area("B2", "South", box(-2.30, 53.39, -2.29, 53.40)))
    p.add_node(Node("o", "organisation", lat=53.40, lon=-2.295))
    p.add_node(Node("s", "service", "Youth club", lat=53.40, lon=-2.295, provider="o"))
    p.add_node(Node("s2", "service", "Library", lat=53.40, lon=-2.295, provider="o"))
    p.add_node(Node("y0", "young_person", area_code="B1", neet=True))
    for i in range(1, 6):
        p.add_node(Node(f"y{i}", "young_person", area_code="B2"))
        p.add_tie(Tie("y0", f"y{i}", "friend", context="s" if i == 1 else None))
    p.add_tie(Tie("y1", "s2", "attends"))
    return p


def test_bridging_loss_flag_at_exactly_the_threshold(hub):
    r = evaluate(hub, [Decommission("s")], context_survival=0.5)
    assert r.areas.loc["B1", "bridging_loss_pct"] == pytest.approx(10.0)
    assert r.areas["flagged"].tolist() == [True, True]
    assert list(r.areas.loc["B1", "reasons"]) == [
        "bridging ties fall 10% (0.5 of 5 expected to be lost)"
    ]
    hub.settings["flag_bridging_loss_pct"] = 10.5
    r = evaluate(hub, [Decommission("s")], context_survival=0.5)
    assert not r.areas["flagged"].any()


def test_bridging_loss_pct_is_zero_without_bridging_ties(town):
    """Without yp4-yp5, A3 has no bridging tie: decommissioning s2 still costs
    it linking ties, and its bridging loss is reported as 0 %, not 0/0."""
    town.remove_tie("yp4", "yp5")  # A3's only bridging tie
    r = evaluate(town, [Decommission("s2")])
    assert r.areas.loc["A3", "lost_linking"] == 2
    assert r.areas.loc["A3", "bridging_loss_pct"] == 0


def test_nearest_service_flag_only_above_the_threshold(town):
    """Relocate s2 from A3's centre far north: A3's nearest becomes s1 (~1.33 km).
    SPEC 4 flags a nearest service that "increases and ends above" the threshold: with the
    km threshold set to exactly that distance A3 is not flagged; a metre less and it is."""
    r = evaluate(town, [Relocate("s2", 53.6, -2.275, 50.0)])
    after = float(r.areas.loc["A3", "nearest_service_km_after"])
    town.settings["flag_nearest_service_km"] = after
    assert not evaluate(town, [Relocate("s2", 53.6, -2.275, 50.0)]).areas.loc["A3", "flagged"]
    town.settings["flag_nearest_service_km"] = after - 0.001
    r = evaluate(town, [Relocate("s2", 53.6, -2.275, 50.0)])
    assert r.areas.loc["A3", "flagged"]
    assert list(r.areas.loc["A3", "reasons"]) == [
        f"nearest service moves from 0.0 km to {after:.1f} km"
    ]


def test_nearest_service_getting_closer_is_never_flagged(town):
    """Moving s3 (4.45 km north) to A2's centre brings services closer: no flag even with a 0 km threshold."""
    town.settings["flag_nearest_service_km"] = 0.0
    r = evaluate(town, [Relocate("s3", 53.405, -2.285)])
    assert not r.areas["flagged"].any()


def test_no_service_left_is_flagged(hub):
    """Closing every service leaves no nearest service: flagged with that reason."""
    from socialmap.scenarios import Close

    r = evaluate(hub, [Close("o")], context_survival=1.0)
    assert "no service left to reach (nearest was" in r.areas.loc["B1", "reasons"][-1]


def test_nearest_service_reason_never_reads_as_not_moving_or_not_beyond_the_limit():
    """Rounding must not hide why an area is flagged. Bankfield in the sample: 1.268 km -> 2.006 km
    with the 2 km threshold read "moves from 1.3 km to 2.0 km", which a reader takes as not
    beyond 2 km; and 1.96 -> 2.04 would read "from 2.0 km to 2.0 km". Two decimals then."""
    from socialmap.scenarios.impact import FlagThresholds, _reasons

    th = FlagThresholds()  # 0.5 NEET, 10 %, 2.0 km
    nan = float("nan")
    assert _reasons(th, 0.0, 0.0, 0.0, 0.0, 1.26809, 2.006255) == [
        "nearest service moves from 1.27 km to 2.01 km"
    ]
    assert _reasons(th, 0.0, 0.0, 0.0, 0.0, 1.96, 2.04) == ["nearest service moves from 1.96 km to 2.04 km"]
    assert _reasons(th, 0.0, 0.0, 0.0, 0.0, 1.2, 4.8) == ["nearest service moves from 1.2 km to 4.8 km"]
    assert _reasons(th, 0.0, 0.0, 0.0, 0.0, 0.7, nan) == ["no service left to reach (nearest was 0.7 km)"]


@pytest.mark.parametrize(("name", "value", "words"), [
    ("flag_bridging_loss_pct", None, "flag_bridging_loss_pct None is not a number"),
    ("flag_nearest_service_km", "far", "flag_nearest_service_km 'far' is not a number"),
    ("context_survival", 7, "context_survival 7 is outside 0..1"),
])
def test_a_damaged_project_setting_is_named_as_a_setting(town, name, value, words):
    """A project file whose settings table was edited by hand: the scenario stops with an InputError
    that says it is the project's setting (the user gave no such option), never a TypeError."""
    from socialmap.errors import InputError
    from socialmap.scenarios import rank

    town.settings[name] = value
    for run in (lambda: evaluate(town, [Decommission("s1")]), lambda: rank(town)):
        with pytest.raises(InputError) as err:
            run()
        assert str(err.value) == f"project settings, field {name!r}: {words}"
