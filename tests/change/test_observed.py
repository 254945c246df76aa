"""Predicted against observed (issue 18): a case where the outcome equals the expectation."""

from __future__ import annotations

from socialmap.change import predicted_against_observed
from socialmap.model import Tie
from socialmap.scenarios import Decommission, Scenario, Transfer
from tests.change.conftest import DAY, EVE


def test_outcome_equal_to_the_expectation_gives_ratio_one_and_the_assumed_retention(retender):
    """Transfer s1 to o2 with retention 0.5: its staff are ad1 and ad2 (employs ties naming
    s1). Each keeps their worker tie with probability 0.5, so A2 (yp3 and yp5) expects
    0.5 + 0.5 = 1 lost linking tie; nobody can become isolated (yp3 keeps its bridging
    friend yp2, yp5 its bridging friend yp1). Observed: ad2 left (its worker tie ended on
    DAY), ad1 stayed: 1 linking tie lost in A2, ratio 1; retention estimated 1/2 = 0.5 on
    2 cases, standard error sqrt(0.25/2) = 0.353553."""
    p = retender
    p.update_tie("ad2", "yp5", until=DAY)
    p.update_tie("o1", "ad2", until=DAY)
    scenario = Scenario("re-tender s1", [Transfer("s1", "o2", 0.5)], 0.5)
    check = predicted_against_observed(p.in_force(EVE), p.in_force(DAY), scenario)
    a2 = check.areas.loc["A2"]
    assert (a2["predicted_lost_linking"], a2["observed_lost_linking"], a2["ratio_lost_linking"]) == (1.0, 1.0, 1.0)
    assert (a2["predicted_newly_isolated"], a2["observed_newly_isolated"]) == (0.0, 0.0)
    assert check.summary["ratio_lost_linking"] == 1.0
    assert check.calibration["retention"] == {"estimate": 0.5, "cases": 2, "successes": 1,
                                              "standard_error": 0.353553, "assumed": 0.5}
    assert check.calibration["context_survival"]["cases"] == 0


def test_context_survival_is_estimated_from_ties_made_at_a_removed_place(retender):
    """Decommission s1: the ties with s1 as context that nothing else puts at risk are
    yp2-yp3 (friend) and yp1-yp4 (peer, added here); yp1-yp4 ends on DAY, yp2-yp3 holds:
    context survival 1/2 on 2 cases. The scenario predicts 0.5 lost for each of them."""
    p = retender
    p.add_tie(Tie("yp1", "yp4", "peer", context="s1"))
    p.update_tie("yp1", "yp4", until=DAY)
    scenario = Scenario("close the club", [Decommission("s1")], 0.5)
    check = predicted_against_observed(p.in_force(EVE), p.in_force(DAY), scenario)
    assert check.calibration["context_survival"]["estimate"] == 0.5
    assert check.calibration["context_survival"]["cases"] == 2
    assert check.calibration["retention"]["cases"] == 0  # decommissioned staff are not moved staff
    assert check.areas.loc["A1", "predicted_lost_bonding"] == 1.0  # 0.5 for each end of yp1-yp4 in A1
    assert check.areas.loc["A1", "observed_lost_bonding"] == 2.0
