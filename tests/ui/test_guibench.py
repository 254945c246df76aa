"""The window benchmark (socialmap.ui.guibench) on a small city: every action measured."""

from __future__ import annotations

import json


def test_the_window_benchmark_measures_each_action_on_a_small_city(qapp):
    from socialmap.ui.guibench import TARGETS, run

    actions = {"select_on_map", "select_in_table", "zoom_in", "pan", "toggle_ties", "edit_label", "undo",
               "sort_by_age", "search_keystroke", "search_ties_at_open", "search_ties_at_open_complete"}
    doc = run(300, actions=actions)
    json.dumps(doc)
    assert doc["young_people"] == 300 and doc["city"]["areas"] >= 1
    measured = doc["actions"]
    assert set(measured) == {"open", *actions, "memory"}
    for name in ("open", *actions):
        row = measured[name]
        # (at 300 young people the ties' texts are not made ahead: every match at the keystroke)
        assert (row["seconds"] > 0 or name == "search_ties_at_open_complete") and row["ui_gap_ms"] >= 0 and row["cpu_s"] >= 0, name
        assert row["target"]["seconds"] == TARGETS[name][0]
        assert isinstance(row["within_target"], bool)
    assert "page_busy_ms" in measured["select_on_map"] and "page_busy_ms" not in measured["sort_by_age"]
    assert measured["zoom_in"]["paint_ms"] >= 0
    assert measured["memory"]["python_peak_mb"] > 0 and measured["memory"]["renderer_mb"] >= 0
    assert len(doc["load_average"]) == 3
