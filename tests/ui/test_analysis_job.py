"""What the analysis job makes for the window from the analysis's frames (socialmap.ui.analysis_panel)."""

from __future__ import annotations

import math
from dataclasses import replace

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


def test_tie_classes_by_key_from_the_codes_in_the_projects_order(small_project, monkeypatch):
    """The classes by tie key, two ties per piece: each key of project.ties with the class its
    code names, the same as classify_ties gives tie by tie."""
    from socialmap.analysis import TIE_CLASSES, classify_ties, tie_class_codes
    from socialmap.ui import analysis_panel

    monkeypatch.setattr(analysis_panel, "CLASSES_PIECE", 2)
    got = tie_classes_by_key(small_project, tie_class_codes(small_project, "area_code"), TIE_CLASSES)
    df = classify_ties(small_project, group_by="area_code")
    expected = {(a, b) if a <= b else (b, a): c for a, b, c in zip(df["a"], df["b"], df["tie_class"], strict=True)}
    assert list(got) == list(small_project.ties) and got == expected
    assert got[("yp1", "yp2")] == "bonding" and got[("yp2", "yp3")] == "bridging"


def test_the_maps_tie_block_from_the_codes_is_the_one_from_the_classes(small_project):
    """ties_block reading the classes by position (codes) gives the block it gives by key, with an
    ended tie left out (yp1-yp2) and the adult's ties not drawn."""
    import datetime as dt

    import numpy as np

    from socialmap.analysis import TIE_CLASSES, tie_class_codes
    from socialmap.mapview.binary import CLASS_CODES, ties_block

    small_project.ties[("yp1", "yp2")] = replace(small_project.ties[("yp1", "yp2")], until=dt.date(2000, 1, 1))
    small_project.touch()
    codes = tie_class_codes(small_project, "area_code")
    classes = tie_classes_by_key(small_project, codes, TIE_CLASSES)
    rows = {nid: i for i, nid in enumerate(["yp1", "yp2", "yp3", "o1", "s1"])}
    page = np.array([CLASS_CODES[n] for n in TIE_CLASSES], np.uint8)[codes]
    by_key = ties_block(small_project, rows, classes)
    assert by_key["n"] == 3
    assert ties_block(small_project, rows, classes, codes=page) == by_key
