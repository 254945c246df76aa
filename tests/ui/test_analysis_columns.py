"""The analysis panel's rate and hotspot columns in view at the panel's default width, and a
0% hot spot's reason on hover (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from socialmap.ui.analysis_panel import cell_notes, hotspot_notes, short_gi_label
from socialmap.ui.frame_model import FrameModel
from tests.ui.conftest import WAIT_MS, open_and_wait


def test_rate_and_hotspot_columns_are_in_view_at_the_default_width(make_window, qtbot, three_area_file):
    """They were the 6th-8th columns, off the side of the panel: now they follow the name."""
    window = make_window()
    window.resize(1366, 768)
    open_and_wait(window, qtbot, three_area_file)
    window.analysis_dock.raise_()
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    qtbot.waitUntil(lambda: panel.table.horizontalHeader().sectionSize(1) > 40, timeout=WAIT_MS)
    header = panel.table.horizontalHeader()
    shown = panel.table.viewport().width()
    for name in ("neet_isolation_rate", "gi_class"):
        col = panel.model.columns.index(name) + 1
        assert header.sectionViewportPosition(col) + header.sectionSize(col) <= shown, name
    assert panel.model.headerData(panel.model.columns.index("neet_isolation_rate") + 1, Qt.Orientation.Horizontal) \
        == "NEET\nisolation rate"


def test_a_zero_rate_hot_spot_says_why_on_hover():
    """A1: 0 of its NEET young people isolated, yet a hot spot at 99% (its neighbours' rates
    are high); A2 a hot spot at 0.5; A3 not significant at 0."""
    areas = pd.DataFrame({"neet_isolation_rate": [0.0, 0.5, 0.0]}, index=["A1", "A2", "A3"])
    bins = pd.Series([3, 3, 0], index=areas.index)
    notes = hotspot_notes(areas, bins, None)
    assert notes == {"A1": "its neighbours' rates are high"}
    areas["gi_class"] = [short_gi_label(b) for b in bins]
    assert areas["gi_class"].tolist() == ["Hot spot 99%", "Hot spot 99%", "Not significant"]
    model = FrameModel()
    model.set_frame(areas, index_name="code", notes=cell_notes(areas, bins, notes))
    tip = Qt.ItemDataRole.ToolTipRole
    assert model.index(0, 1).data() == "0%"
    assert model.index(0, 1).data(tip) == "0%: Hot spot with a 0% rate: its neighbours' rates are high"
    assert model.index(0, 2).data(tip).startswith("Hot spot, 99% confidence: NEET isolation is high here")
    assert model.index(0, 2).data(tip).endswith("Hot spot with a 0% rate: its neighbours' rates are high")
    assert model.index(1, 1).data(tip) == "50%"
    assert "0% rate" not in model.index(2, 2).data(tip)


def test_a_withheld_rate_is_not_said_to_be_zero():
    class Withheld:
        def status(self, code, column):
            return "withheld" if code == "A1" else None

    areas = pd.DataFrame({"neet_isolation_rate": [0.0, 0.0]}, index=["A1", "A2"])
    assert hotspot_notes(areas, pd.Series([2, 2], index=areas.index), Withheld()) == {
        "A2": "its neighbours' rates are high"}


SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample.gpkg"


@pytest.mark.skipif(not SAMPLE.exists(), reason="the bundled sample project is not generated")
def test_the_samples_zero_rate_hot_spot_says_why_in_the_window_and_the_cli(make_window, qtbot, capsys):
    """Netherton Heights (X01000022): none of its NEET young people isolated (0%), a hot spot at
    90% confidence beside Old Mill Estate and Redbrook: its neighbours' rates are high."""
    from socialmap.cli import main

    window = make_window()
    open_and_wait(window, qtbot, SAMPLE)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    row = next(r for r in range(panel.model.rowCount()) if panel.model.index(r, 0).data() == "X01000022")
    rate = panel.model.columns.index("neet_isolation_rate") + 1
    gi = panel.model.columns.index("gi_class") + 1
    assert panel.model.index(row, rate).data() == "0%" and panel.model.index(row, gi).data() == "Hot spot 90%"
    assert panel.model.index(row, rate).data(Qt.ItemDataRole.ToolTipRole) == \
        "0%: Hot spot with a 0% rate: its neighbours' rates are high"
    assert main(["hotspots", str(SAMPLE)]) == 0
    line = next(t for t in capsys.readouterr().out.splitlines() if t.startswith("X01000022"))
    assert "Hot spot, 90% confidence" in line and line.rstrip().endswith("its neighbours' rates are high")


def test_each_persons_measures_come_as_plain_values(small_project):
    """The inspector's measures of a person from the analysis's frame, a row when asked: yp1
    (Robin: friends with yp2, attends s1) has degree 2 as an int, and a missing hops count is
    None, as DataFrame.to_dict gives them; an id not analysed is not there."""
    from socialmap.analysis import analyse
    from socialmap.ui.analysis_panel import PeopleMeasures

    result = analyse(small_project)
    people = PeopleMeasures(result.people)
    whole = result.people.to_dict(orient="index")
    assert set(people) == set(whole) and len(people) == len(whole) and "yp1" in people
    for ident, row in whole.items():
        mine = people[ident]
        assert mine.keys() == row.keys()
        for name, value in row.items():
            plain = None if type(value).__name__ == "NAType" else (value.item() if hasattr(value, "item") else value)
            assert mine[name] == plain or (plain != plain and mine[name] != mine[name])  # (NaN)
            assert type(mine[name]) is type(plain)
    assert people["yp1"]["degree"] == 2 and type(people["yp1"]["degree"]) is int
    assert any(row["hops_to_opportunity"] is None for row in map(people.__getitem__, people))
    assert people.get("nobody") is None and "nobody" not in people
