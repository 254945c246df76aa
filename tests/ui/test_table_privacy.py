"""What the panels' tables show: withheld rates, percentiles hidden beside ``<5``,
expected values with one decimal (SPEC section 8; as ``socialmap analyse``,
``anchors`` and ``scenario`` print them)."""

from __future__ import annotations

import math

import pandas as pd
from PySide6.QtCore import Qt

from socialmap.ui.frame_model import FrameModel
from socialmap.ui.models import SORT_ROLE
from socialmap.ui.scenario_panel import EXPECTED_VALUES
from tests.ui.conftest import WAIT_MS, open_and_wait


def _cells(model: FrameModel, role=Qt.ItemDataRole.DisplayRole) -> dict[str, dict[str, object]]:
    names = [model.index_name, *model.columns]
    return {model.rows[r][0]: {names[c]: model.index(r, c).data(role) for c in range(len(names))}
            for r in range(model.rowCount())}


def test_neet_isolation_rate_is_withheld_where_its_count_is_suppressed(qapp):
    """X: 6 NEET, 4 isolated, rate 4/6 = 0.667: shown, 6 x 0.667 gives the 4 back, so it
    is withheld. Y: 6 NEET, none isolated: rate 0 (nothing to give back), shown.
    Z: 10 NEET, 5 isolated: 0.5, shown. Counts 1..4 read <5 and sort together, between
    0 and 5; the withheld rate sorts as a missing value."""
    frame = pd.DataFrame(
        {"neet": [6, 6, 10], "neet_isolated": [4, 0, 5], "neet_isolation_rate": [4 / 6, 0.0, 0.5]},
        index=["X", "Y", "Z"],
    )
    model = FrameModel()
    model.set_frame(frame, index_name="code")
    shown = _cells(model)
    assert shown["X"]["neet_isolation_rate"] == "withheld"
    assert shown["X"]["neet_isolated"] == "<5"
    assert shown["Y"]["neet_isolation_rate"] == "0%"
    assert shown["Z"]["neet_isolation_rate"] == "50%"
    assert "0.667" not in {str(v) for row in shown.values() for v in row.values()}
    tip = _cells(model, Qt.ItemDataRole.ToolTipRole)["X"]["neet_isolation_rate"]
    assert tip.startswith("withheld: withheld so that a count of 1 to 4 young people cannot be worked out")
    sort = _cells(model, SORT_ROLE)
    assert sort["X"]["neet_isolation_rate"] == -math.inf
    assert sort["X"]["neet_isolated"] == 2.5 and sort["Y"]["neet_isolated"] == 0 and sort["Z"]["neet_isolated"] == 5


def test_expected_values_read_with_one_decimal_halves_up(qapp):
    """0.25 -> 0.3 and 3.75 -> 3.8 (halves up, as one_decimal), 2 -> 2.0, 12.5% -> 12.5;
    the whole count of flagged areas stays whole."""
    frame = pd.DataFrame(
        {"newly_isolated": [0.25, 3.75], "lost_bridging": [2.0, 0.0], "bridging_loss_pct": [12.5, 0.04],
         "flagged_areas": [2, 0]},
        index=["s1", "s2"],
    )
    model = FrameModel(one_decimal_columns=EXPECTED_VALUES)
    model.set_frame(frame)
    shown = _cells(model)
    assert shown["s1"] == {"id": "s1", "newly_isolated": "0.3", "lost_bridging": "2.0",
                           "bridging_loss_pct": "12.5", "flagged_areas": "2"}
    assert shown["s2"] == {"id": "s2", "newly_isolated": "3.8", "lost_bridging": "0.0",
                           "bridging_loss_pct": "0.0", "flagged_areas": "0"}


def test_ranking_table_shows_expected_values_with_one_decimal(make_window, qtbot, project_file):
    """small_project, s1 goes: yp1 loses its one linking tie and has no bridging tie (1.0);
    the friend tie yp2-yp3 was made at s1 and survives with 0.5, and it is yp2's only bridging
    tie and (the worker tie through ad1, employed at s1, gone) yp3's last one: 0.5 each.
    Expected newly isolated 2.0, shown "2.0" (was "2.00"); linking ties lost yp1-s1 and
    ad1-yp3: "2.0"."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.scenario_panel
    with qtbot.waitSignal(panel.rankDone, timeout=WAIT_MS):
        panel.run_rank()
    shown = _cells(panel.rank_service_model)
    assert shown["s1"]["newly_isolated"] == "2.0"
    assert shown["s1"]["lost_linking"] == "2.0"


def test_anchor_panel_hides_the_percentile_of_a_count_shown_as_less_than_five(make_window, qtbot, project_file):
    """Northfield College reaches 1 to 4 young people in small_project (yp1 attends its
    service s1; yp3 through its employee ad1): shown "<5" without a percentile. Its areas
    reached (a count of areas, not of people) keeps its percentile."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.anchor_panel
    panel.org_pick.setCurrentIndex(panel.org_pick.findData("o1"))
    with qtbot.waitSignal(panel.anchorDone, timeout=WAIT_MS):
        panel.run()
    rows = {panel.model.index(r, 0).data(): (panel.model.index(r, 1).data(), panel.model.index(r, 2).data())
            for r in range(panel.model.rowCount())}
    assert rows["Young people reached"] == ("<5", "withheld")
    assert rows["Areas reached"][1] != ""


def test_withheld_neet_isolation_rate_in_the_area_table_and_on_the_map(make_window, qtbot, tmp_path, small_project):
    """Without yp1's tie to s1, yp1 (NEET, A1) keeps only the bonding tie to yp2: A1 has 1
    NEET young person, 1 isolated, rate 1.0, which gives the <5 count back. The area table
    reads "withheld", and the map leaves A1 out of the rate's colours, its legend saying so."""
    from socialmap.store import save_project
    from tests.ui.conftest import js

    small_project.remove_tie("yp1", "s1")
    path = tmp_path / "isolated.gpkg"
    save_project(small_project, path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    shown = _cells(panel.model)
    assert shown["A1"]["neet_isolated"] == "<5"
    assert shown["A1"]["neet_isolation_rate"] == "withheld"
    assert panel.area_values("neet_isolation_rate")["A1"] is None
    window.colour_by.setCurrentIndex(window.colour_by.findData("measure:neet_isolation_rate"))
    qtbot.waitUntil(lambda: "no data, or withheld" in (js(window, qtbot, "SM.legend.getContainer().textContent") or ""),
                    timeout=WAIT_MS)


def test_area_table_opens_with_the_rate_and_the_hotspot_class_first(make_window, qtbot, project_file):
    """After the name: the NEET isolation rate and the hotspot class (they were off the side of
    the panel at its default width, issue 14), then the counts they are made of."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    panel = window.analysis_panel
    with qtbot.waitSignal(panel.analysisDone, timeout=WAIT_MS):
        panel.run()
    cols = panel.model.columns
    assert cols[:7] == ["name", "neet_isolation_rate", "gi_class", "young_people", "neet", "isolated", "neet_isolated"]
    assert "hotspot" in cols


def test_area_table_tooltip_and_sorting_keep_counts_of_one_to_four_hidden(make_window, qtbot, tmp_path, two_areas):
    """A1 holds 2 young people, A2 5, A3 3: the tooltip of A1's and A3's "<5" says "<5" (it said
    2 and 3), and sorting puts them together between 0 and 5 without ordering them."""
    from shapely.geometry import box

    from socialmap.model import Area, Node, Project
    from socialmap.store import save_project
    from socialmap.ui.models import SORT_ROLE

    areas = [*two_areas, Area("A3", "South", box(-2.30, 53.39, -2.29, 53.40))]
    nodes = [Node(f"a{i}", "young_person", f"P{i}", area_code="A1") for i in range(2)]
    nodes += [Node(f"b{i}", "young_person", f"Q{i}", area_code="A2") for i in range(5)]
    nodes += [Node(f"c{i}", "young_person", f"R{i}", area_code="A3") for i in range(3)]
    path = tmp_path / "counts.gpkg"
    save_project(Project.build(areas, nodes, []), path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    model = window.tables["area"]["model"]
    col = model.columns.index("young_people")
    rows = {model.index(r, 0).data(): r for r in range(model.rowCount())}
    tips = {c: model.index(r, col).data(Qt.ItemDataRole.ToolTipRole) for c, r in rows.items()}
    assert tips == {"A1": "<5", "A2": "5", "A3": "<5"}
    keys = {c: model.index(r, col).data(SORT_ROLE) for c, r in rows.items()}
    assert keys["A1"] == keys["A3"] and keys["A2"] == 5


def test_area_table_uses_the_disclosure_of_its_rows(qtbot):
    """With the AreaDisclosure of the table, a count kept back to protect a total reads 'withheld'
    too: NEET 6 + 3 + 10 with the total public gives the 3 back unless the 6 is withheld."""
    from socialmap.disclosure import protect_areas

    frame = pd.DataFrame({"young_people": [20, 8, 30], "neet": [6, 3, 10], "isolated": [9, 0, 9],
                          "neet_isolated": [5, 0, 5], "neet_isolation_rate": [5 / 6, 0.0, 0.5]},
                         index=["X", "Y", "Z"])
    model = FrameModel()
    model.set_frame(frame, index_name="code", withheld=protect_areas(frame))
    shown = _cells(model)
    assert (shown["X"]["neet"], shown["Y"]["neet"], shown["Z"]["neet"]) == ("withheld", "<5", "10")
    assert shown["X"]["neet_isolation_rate"] == "withheld"  # 5 / 0.833 would give the 6 back
    assert shown["Y"]["neet_isolation_rate"] == "0%"


def test_a_frame_models_column_wise_texts_and_keys_are_its_cells_data(qapp):
    """shown_texts and sort_keys (the proxy's and the column fitting's column-wise path) give
    exactly each cell's DisplayRole and SORT_ROLE data: withheld and suppressed cells, a
    missing value, a list, a flag, a share; and a proxy sorted by a column orders the rows by
    those keys (the rate withheld in X first, as a missing value)."""
    from socialmap.ui.models import SearchProxy

    frame = pd.DataFrame(
        {"neet": [6, 6, 10, 3], "neet_isolated": [4, 0, 5, float("nan")],
         "neet_isolation_rate": [4 / 6, 0.0, 0.5, 0.25], "reasons": [["a", "b"], [], ["c"], None],
         "flagged": [True, False, True, False], "lost_bridging": [0.25, 3.75, 2.0, 0.0]},
        index=["X", "Y", "Z", "W"],
    )
    model = FrameModel(one_decimal_columns=EXPECTED_VALUES)
    model.set_frame(frame, index_name="code")
    rows = list(range(model.rowCount()))
    for c in range(model.columnCount()):
        assert model.shown_texts(rows, c) == [model.index(r, c).data() for r in rows]
        assert model.sort_keys(c) == [model.index(r, c).data(SORT_ROLE) for r in rows]
    assert model.shown_texts([3, 0], 3) == ["withheld", "withheld"]  # W: 3 NEET (<5), X: 6 x 0.667
    proxy = SearchProxy(model)
    proxy.sort(3, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["X", "W", "Y", "Z"]
