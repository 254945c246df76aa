"""Rough edges a first-time user hit (issue 14): each reproduced with the real window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt

from socialmap.ui.app import NO_DISPLAY, display_problem
from socialmap.ui.mainwindow import first_size
from tests.ui.conftest import WAIT_MS, js, open_and_wait


def test_first_window_fits_a_laptop_screen():
    """1500 x 920 ran off a 1366 x 768 screen: 95% of its width, 92% of its height instead."""
    assert first_size(QSize(1366, 728)) == (1297, 669)
    assert first_size(QSize(2560, 1400)) == (1500, 920)
    assert first_size(None) == (1500, 920)


def test_no_display_is_said_plainly():
    assert display_problem({}, "linux") == NO_DISPLAY
    assert "xvfb-run" in NO_DISPLAY and "libxcb" not in NO_DISPLAY
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({}, "win32") is None


def test_undo_button_keeps_a_short_text(make_window, qtbot, project_file):
    """The toolbar's Undo read 'Undo Add organisation Stanner Moor Makers CIC' and moved the
    buttons after it; now it reads Undo, with the detail in its tooltip."""
    from socialmap.model import Node
    from socialmap.ui import commands

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    assert not window.act_undo.isEnabled() and window.act_undo.toolTip() == "Nothing to undo"
    node = Node("o9", "organisation", "Stanner Moor Makers CIC", lat=53.405, lon=-2.295, org_type="social_enterprise")
    commands.push_edit(window.doc, commands.AddNode(window.doc, node))
    assert window.act_undo.text() == "&Undo" and window.act_undo.isEnabled()
    assert window.act_undo.toolTip() == "Undo Add organisation Stanner Moor Makers CIC"
    window.act_undo.trigger()
    assert "o9" not in window.doc.project.nodes
    assert window.act_redo.isEnabled() and window.act_redo.toolTip().startswith("Redo Add organisation")


def test_first_edit_prints_no_placeholder_warning(make_window, qtbot, project_file, capfd):
    """'QWidget::setWindowModified: The window title does not contain a [*] placeholder' was
    printed at the first edit; the title carries its own '*'."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    window.doc.undo_stack.setClean()
    window.doc.project.update_node("yp1", label="Robin B")
    window.doc.undo_stack.resetClean()
    window._update_title()
    assert window.windowTitle().endswith("* - SocialMap")
    assert "placeholder" not in capfd.readouterr().err


def test_clicking_the_highlighted_row_selects_it_again(make_window, qtbot, project_file):
    """After the selection moved to a tie, a click on the young person's row (still highlighted
    in its table) changed no row, so the inspector kept showing the tie."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    entry = window.tables["young_person"]
    view = entry["view"]
    window.table_tabs.setCurrentWidget(entry["page"])
    row = entry["proxy"].mapFromSource(entry["model"].index(entry["model"].row_for("yp1"), 0)).row()
    rect = view.visualRect(entry["proxy"].index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.doc.selection == ("young_person", "yp1")
    assert window.inspector.kind == "young_person" and window.inspector.ident == "yp1"
    window.doc.select("tie", "yp1|yp2")  # as a double-click in the inspector's tie list does
    assert window.inspector.kind == "tie"
    window.table_tabs.setCurrentWidget(entry["page"])
    assert view.currentIndex().row() == row  # still highlighted
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.doc.selection == ("young_person", "yp1")
    assert window.inspector.kind == "young_person" and window.inspector.ident == "yp1"


def test_before_view_drops_the_flagged_areas_dashes(make_window, qtbot, three_area_file):
    """After a scenario the Before view kept A1 and A2's dashed red outlines: the area style
    set a dash for a flagged area and never reset it."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS):
        panel.run()
    dash = "['A1','A2','A3'].map(function (c) { return SM.areaIndex[c].options.dashArray || null; })"
    qtbot.waitUntil(lambda: js(window, qtbot, dash) == ["6 3", "6 3", None], timeout=WAIT_MS)
    panel.before.setChecked(True)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.outlined()") == [], timeout=WAIT_MS)
    assert js(window, qtbot, dash) == [None, None, None]
    assert js(window, qtbot, "SM.areaIndex['A1'].options.color") == "#4a5a6a"


def _show_reach(window, qtbot, org):
    panel = window.anchor_panel
    panel.org_pick.setCurrentIndex(panel.org_pick.findData(org))
    with qtbot.waitSignal(panel.anchorDone, timeout=WAIT_MS):
        panel.run()
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.reachLayer ? SM.reachLayer.getLayers().length : 0") > 0,
                    timeout=WAIT_MS)


def test_anchor_reach_leaves_the_map_for_the_hotspot_and_scenario_views(make_window, qtbot, three_area_file):
    """The anchor panel's orange reach lines and rings stayed drawn over the hotspot colours
    and over a scenario's before and after maps."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    reach = "[SM.reachLayer ? SM.reachLayer.getLayers().length : 0, SM.reached()]"
    _show_reach(window, qtbot, "o1")
    with qtbot.waitSignal(window.analysis_panel.analysisDone, timeout=WAIT_MS):
        window.analysis_panel.run()
    window._request_map_mode("hotspots")
    qtbot.waitUntil(lambda: js(window, qtbot, reach) == [0, []], timeout=WAIT_MS)
    _show_reach(window, qtbot, "o1")
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS):
        panel.run()
    qtbot.waitUntil(lambda: js(window, qtbot, reach) == [0, []], timeout=WAIT_MS)


def test_transfer_to_the_current_provider_is_refused_when_added(make_window, qtbot, project_file):
    """A transfer of s1 to o1, its provider already, was accepted into the change list and
    saved, failing only when run. The panel now names the provider, leaves it out of the
    new-provider list and checks each change as it is added."""
    from socialmap.model import Node
    from socialmap.scenarios import Decommission, Transfer
    from socialmap.ui import commands

    window = make_window()
    open_and_wait(window, qtbot, project_file)
    node = Node("o2", "organisation", "Stanner Moor Makers CIC", lat=53.405, lon=-2.295, org_type="social_enterprise")
    commands.push_edit(window.doc, commands.AddNode(window.doc, node))
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    provider = window.doc.project.nodes["o1"].label
    assert panel.current_provider.text() == f"{provider} (o1)"
    targets = [panel.target_org.itemData(i) for i in range(panel.target_org.count())]
    assert targets == ["o2"]
    panel.add_change(Transfer("s1", "o1"))
    assert panel.changes == [] and panel.change_model.stringList() == []
    assert panel.status.text().startswith("Not added:") and "already provided by 'o1'" in panel.status.text()
    panel._add_transfer()  # to o2: fine
    assert [type(c).__name__ for c in panel.changes] == ["Transfer"] and panel.changes[0].org == "o2"
    assert panel.status.text() == ""
    panel.add_change(Decommission("s1"))  # after its transfer, s1 is still there: fine
    panel.add_change(Decommission("s1"))  # decommissioned twice: refused
    assert len(panel.changes) == 2 and panel.status.text().startswith("Not added:")


def test_scenario_panel_gives_the_totals(make_window, qtbot, three_area_file):
    """The CLI printed the totals, the panel did not. Decommission s1 (context survival 0.5):
    yp1 (NEET) loses its only linking tie, attends s1: isolated for certain; ad1 (s1's staff)
    loses the worker tie to yp3; the friend tie yp2-yp3, made at s1 and their only bridging
    tie, survives with probability 0.5, so yp2 and yp3 are each isolated with probability 0.5.
    Newly isolated 1 + 0.5 + 0.5 = 2.0 (1.0 NEET). Ties lost count each young person's end:
    linking 2 (yp1-s1, ad1-yp3), bridging 0.5 at each of yp2's and yp3's ends = 1.0, bonding 0
    (yp1-yp2 was not made at s1); 3 young people with a tie at risk: <5."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS):
        panel.run()
    assert panel.totals.isVisibleTo(panel)
    assert panel.totals.text() == (
        "Total: 2.0 young people expected to become isolated (1.0 NEET); expected ties lost: "
        "1.0 bridging, 2.0 linking, 0.0 bonding; young people with a tie at risk: <5.")
