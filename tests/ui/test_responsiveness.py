"""The panels' own jobs on the sample project: quick, and the UI thread never stalls."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from tests.ui.conftest import WAIT_MS, open_and_wait

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample.gpkg"


def _timed(qtbot, signal, start) -> tuple[float, float]:
    """Seconds from ``start()`` to ``signal`` (and the handlers after it), and the longest gap
    between the ticks of a 10 ms UI-thread timer meanwhile."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    t0 = time.perf_counter()
    ticks.append(t0)
    with qtbot.waitSignal(signal, timeout=WAIT_MS):
        start()
    qtbot.wait(50)  # the handlers queued after the result (map calls) run on the UI thread too
    ticks.append(time.perf_counter())
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    return ticks[-1] - t0 - 0.05, max(gaps)


@pytest.mark.skipif(not SAMPLE.exists(), reason="the bundled sample project is not generated")
def test_panel_jobs_on_the_sample_are_quick_and_never_stall_the_ui(make_window, qtbot):
    """Analysis (with hotspots), a one-change scenario, the criticality ranking and anchor
    presence on the sample project, each run from its panel as a user would: each done within
    a second (a scenario run in 0.1 s here) and a 10 ms UI-thread timer never waits 100 ms.

    The first run of each is a warm-up: it imports esda and libpysal on the worker thread, and
    loading their compiled modules holds Python's lock for up to about 100 ms once per session.
    A hiccup of a machine shared with other test runs is allowed one retry; a real block of the
    UI thread shows in every run.
    """
    window = make_window()
    open_and_wait(window, qtbot, SAMPLE)
    sp, ap, an = window.scenario_panel, window.analysis_panel, window.anchor_panel
    sp.service_pick.setCurrentIndex(0)
    sp._add_decommission()
    jobs = {
        "analysis": (ap.analysisDone, ap.run),
        "scenario": (sp.scenarioDone, sp.run),
        "ranking": (sp.rankDone, sp.run_rank),
        "anchor": (an.anchorDone, an.run),
    }
    for signal, start in jobs.values():
        _timed(qtbot, signal, start)
    for _attempt in range(2):
        results = {}
        for name, (signal, start) in jobs.items():
            window.doc.project.touch()  # no cached results: every job computes again
            results[name] = _timed(qtbot, signal, start)
        print({k: f"{t:.2f} s, longest UI gap {g * 1000:.0f} ms" for k, (t, g) in results.items()})
        if all(gap < 0.1 for _t, gap in results.values()):
            break
    for name, (seconds, gap) in results.items():
        assert gap < 0.1, f"{name}: UI thread stalled {gap * 1000:.0f} ms (twice)"
        assert seconds < 1.0, f"{name}: {seconds:.2f} s"


def test_fitting_a_ranking_of_thousands_measures_a_hundred_rows(qtbot):
    """A city's ranking (3,000 services): the ranking table measures its column widths from
    100 rows, not Qt's default 1,000 (which took 190 ms on the UI thread; the time is the
    bench's to measure, not a test's), and still fits its columns to their text."""
    import pandas as pd

    from socialmap.ui.frame_model import FrameModel
    from socialmap.ui.models import SearchProxy
    from socialmap.ui.scenario_panel import EXPECTED_VALUES, ScenarioPanel

    n = 3000
    frame = pd.DataFrame({"label": [f"Service number {i}" for i in range(n)],
                          "newly_isolated": [i % 7 / 3 for i in range(n)],
                          "lost_bridging": [i % 11 / 2 for i in range(n)],
                          "flagged_areas": [i % 4 for i in range(n)]},
                         index=[f"svc{i}" for i in range(n)])
    model = FrameModel(one_decimal_columns=EXPECTED_VALUES)
    model.set_frame(frame)
    table = ScenarioPanel._table(SearchProxy(model))
    qtbot.addWidget(table)
    table.resize(500, 300)
    table.show()
    assert table.horizontalHeader().resizeContentsPrecision() == 100
    table.resizeColumnsToContents()
    label = list(frame.columns).index("label") + 1  # (the id column first)
    assert table.columnWidth(label) >= table.fontMetrics().horizontalAdvance("Service number 0")


def test_analysis_result_reaches_the_map_without_conversion_on_the_ui_thread(make_window, qtbot, project_file):
    """The result travels as the Python dict it is (a Signal(dict) converted a city's result to
    a QVariantMap: 1.2 s on the UI thread), and the map's ties arrive as the compact columns
    of ``binary.ties_block``, made as JSON text in the worker with the page's node rows."""
    import json

    from socialmap.ui.mapwidget import RawJSON
    from tests.ui.conftest import drawable_counts, js

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS) as blocker:
        panel.run()
    result = blocker.args[0]
    assert result is panel.result
    assert isinstance(result["tie_block_json"], RawJSON)
    block = json.loads(result["tie_block_json"])
    assert block["n"] == drawable_counts(window.doc.project)["ties"]
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.tieCount()") == block["n"], timeout=WAIT_MS)
    # the page draws the analysis' classes: yp1-yp2 (both in A1) bonding, yp2-yp3 (A1, A2)
    # bridging, yp1-s1 linking, o1-s1 (o1 provides s1) institutional; the two ties of the adult
    # ad1 are not drawn
    assert js(window, qtbot, "SM.counts().ties") == {"bonding": 1, "bridging": 1, "linking": 1,
                                                     "institutional": 1, "unclassified": 0}
