"""Ranges and flag robustness over the plausible range of every assumption (issue 17).

The town of ``conftest.py``. Transferring s1 (o1, staff ad1 by context) to
o2 with retention R: ad1 keeps their three worker ties (yp3, yp4, yp6 in
A2) with R. yp3 keeps member o3 and yp4 keeps a peer, so only yp6 (NEET,
whose only tie is ad1) can become isolated, with 1 - R. A2's NEET flag
(threshold 0.5) holds while 1 - R >= 0.5, that is while R <= 0.5.
Retention's plausible range is 0.3 to 0.7; the NEET threshold's 0.25 to 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from socialmap.scenarios import Close, Decommission, Relocate, Transfer, evaluate
from socialmap.scenarios.sensitivity import RANGE_COLUMNS


def test_a_flag_at_the_threshold_holds_only_in_some_cases(town):
    """R = 0.5: yp6 isolated with 0.5, exactly the threshold: flagged. At R
    0.7 (high): 0.3, not flagged; at R 0.3 (low): 0.7, flagged. Raising the
    NEET threshold above 0.5 unflags it too; the other cases keep it."""
    r = evaluate(town, [Transfer("s1", "o2", 0.5)], sensitivity=True)
    sens = r.sensitivity
    assert r.areas.loc["A2", "flagged"]
    assert sens.flag_cases["A2"] == "some"
    assert sens.robustness["A2"] == (
        "flagged unless retention is above about 0.5 or the NEET isolation threshold is above 0.5"
    )
    assert sens.flag_cases["A1"] == "none" and sens.robustness["A1"] == "not flagged in any case"


def test_a_flag_that_holds_only_at_low_retention(town):
    """R = 0.6: yp6 isolated with 0.4 < 0.5: not flagged. At R 0.3: 0.7, flagged;
    the crossing is R = 0.5 (1 - R = 0.5). With the NEET threshold at 0.4 or
    lower it is flagged as well (0.25, the low end, flags it)."""
    r = evaluate(town, [Transfer("s1", "o2", 0.6)], sensitivity=True)
    assert not r.areas.loc["A2", "flagged"]
    assert r.sensitivity.robustness["A2"] == (
        "flagged only if retention is below about 0.5 or the NEET isolation threshold is 0.4 or lower"
    )


def test_ranges_by_hand(town):
    """A2 over the cases R in {0.3, 0.5, 0.7}: newly isolated (NEET) 1 - R in
    [0.3, 0.7]; lost linking 3 (1 - R) in [0.9, 2.1]. Totals the same (only A2
    is touched). The tornado: retention moves newly isolated from 0.7 to 0.3."""
    sens = evaluate(town, [Transfer("s1", "o2", 0.5)], sensitivity=True).sensitivity
    a2 = sens.ranges.loc["A2"]
    assert (a2["newly_isolated_low"], a2["newly_isolated_high"]) == pytest.approx((0.3, 0.7))
    assert (a2["newly_isolated_neet_low"], a2["newly_isolated_neet_high"]) == pytest.approx((0.3, 0.7))
    assert (a2["lost_linking_low"], a2["lost_linking_high"]) == pytest.approx((0.9, 2.1))
    assert sens.summary_ranges["newly_isolated"] == pytest.approx([0.3, 0.7])
    (name, low, high), *_ = sens.tornado()
    assert name == "retention" and (low, high) == pytest.approx((0.7, 0.3))
    cases = {c.name: c for c in sens.cases}
    assert cases["all low"].newly_isolated == pytest.approx(0.7)
    assert cases["all high"].newly_isolated == pytest.approx(0.3)
    assert cases["all low"].values["retention"] == 0.3


def test_context_survival_case_by_hand(town):
    """Decommission s1: yp2 (A1) loses the friend tie made at s1 with 1 - S:
    newly isolated in A1 = 1 (yp1, certain) + (1 - S): 1.65 at S 0.35, 1.35 at 0.65."""
    sens = evaluate(town, [Decommission("s1")], sensitivity=True).sensitivity
    a1 = sens.ranges.loc["A1"]
    assert (a1["newly_isolated_low"], a1["newly_isolated_high"]) == pytest.approx((1.35, 1.65))
    assert sens.assumptions == [
        "context_survival",
        "flag_newly_isolated_neet",
        "flag_bridging_loss_pct",
        "flag_nearest_service_km",
    ]
    assert sens.robustness["A1"] == "flagged in every case"  # yp1 (NEET) is lost for certain


@pytest.mark.parametrize(
    "changes",
    [
        [Decommission("svc30")],
        [Close("org09")],
        [Transfer("svc14", "org09", 0.5), Decommission("svc30")],
        [Relocate("svc30", 53.43, -2.2, travel_model="decay")],
        [Relocate("svc30", 53.43, -2.2)],
    ],
    ids=["decommission", "close", "transfer-decommission", "decay", "cliff"],
)
def test_ranges_bracket_the_central_value(sample_project, changes):
    r = evaluate(sample_project, changes, sensitivity=True)
    for col in RANGE_COLUMNS:
        central = r.areas[col].to_numpy()
        lo = r.sensitivity.ranges[f"{col}_low"].to_numpy()
        hi = r.sensitivity.ranges[f"{col}_high"].to_numpy()
        assert np.all(lo <= central + 1e-12) and np.all(central <= hi + 1e-12), col
    every = r.sensitivity.flag_cases == "all"
    assert r.areas.loc[every[every].index, "flagged"].all()
    none = r.sensitivity.flag_cases == "none"
    assert not r.areas.loc[none[none].index, "flagged"].any()


def test_sensitivity_leaves_the_central_result_unchanged(sample_project):
    plain = evaluate(sample_project, [Decommission("svc30")])
    with_ranges = evaluate(sample_project, [Decommission("svc30")], sensitivity=True)
    assert plain.sensitivity is None
    assert plain.areas.equals(with_ranges.areas)
