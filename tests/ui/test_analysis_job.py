"""What the analysis job makes for the window from the analysis's frames (socialmap.ui.analysis_panel)."""

from __future__ import annotations

import math

import pandas as pd

from socialmap.ui.analysis_panel import services_frame, tie_classes_by_key


def test_services_frame_withholds_exposure_where_attendees_number_one_to_four(small_project):
    """s1 has 2 NEET attendees (1-4: exposure would give the count back), the other service 6 NEET
    and 9 EET (shown to two places), a third none NEET (exposure undefined: empty)."""
    services = pd.DataFrame(
        {"attendees": [3, 15, 7], "neet_attendees": [2, 6, 0], "eet_attendees": [1, 9, 7],
         "exposure": [0.5, 0.4444, math.nan], "friending_bias": [0.1, -0.125, None],
         "reason": [None, None, "no NEET attendees"]},
        index=pd.Index(["s1", "s9", "s8"], name="id"))
    shown = services_frame(small_project, services)
    assert shown.index.tolist() == ["s1", "s9", "s8"]
    assert shown.loc["s1"].to_dict() == {"name": "Youth club", "attendees": 3, "neet_attendees": 2,
                                         "exposure": "withheld", "friending_bias": "withheld", "reason": ""}
    assert shown.loc["s9"].to_dict() == {"name": "", "attendees": 15, "neet_attendees": 6,
                                         "exposure": "0.44", "friending_bias": "-0.12", "reason": ""}
    assert (shown.loc["s8", "exposure"], shown.loc["s8", "friending_bias"], shown.loc["s8", "reason"]) == (
        "", "", "no NEET attendees")


def test_tie_classes_by_key_puts_each_keys_ends_in_order():
    df = pd.DataFrame({"a": ["yp2", "s1"], "b": ["yp1", "yp3"], "tie_class": ["bonding", "linking"]})
    assert tie_classes_by_key(df) == {("yp1", "yp2"): "bonding", ("s1", "yp3"): "linking"}
