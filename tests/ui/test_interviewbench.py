"""The interview form benchmark (socialmap.ui.interviewbench) on a small city: 15 alters recorded
by keystrokes as one edit, each keystroke timed."""

from __future__ import annotations

import json


def test_the_interview_benchmark_records_fifteen_alters_and_times_each_keystroke(qapp):
    from socialmap.ui.interviewbench import KEYSTROKE_TARGET_MS, run

    doc = run(300)
    json.dumps(doc)
    assert doc["answers"] == 15
    assert doc["recorded"]["accepted"] and doc["recorded"]["one_edit"]
    # 12 new: five young people (Ali..Eli), four adults (Ms K, Mr T, Coach P, Fin), three places;
    # the young person picked, the adult given by id and the organisation were there already
    assert (doc["recorded"]["new_nodes"], doc["recorded"]["new_ties"]) == (12, 15)
    keys = doc["keystroke_ms"]
    assert keys["count"] > 100 and 0 < keys["median"] <= keys["p95"] <= keys["max"]
    assert keys["target"] == KEYSTROKE_TARGET_MS and len(doc["slowest_keystrokes"]) == 5
    assert doc["enter_ms"]["count"] == 15 and doc["inputs"] >= 35
    assert len(doc["load_average"]) == 3
