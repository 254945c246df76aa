"""The map page paints what changed, read back from its JavaScript (issue 13).

small_project on the map: young people yp1, yp2 (A1) and yp3 (A2); the organisation o1
(at lon -2.295, in A1) and its service s1 (at lon -2.285, in A2); the adult ad1 is not
drawn. Its drawn ties: yp1-yp2 (both A1), yp2-yp3 (A1-A2), yp1-s1 (A1-A2) and the
provider tie o1-s1 (A1-A2): four ties, three of them between A1 and A2.
"""

from __future__ import annotations

from tests.ui.conftest import WAIT_MS, js, open_settled


def test_level_of_detail_draws_areas_and_flows_or_people_and_ties(make_window, qtbot, project_file):
    """With at most 2 young people drawn as dots, the 3 in view are drawn as a circle per area
    (A1: 2, A2: 1) and the ties as flows between areas: one line, A1-A2, for its 3 ties (the
    yp1-yp2 tie is inside A1). With the city's thresholds the 3 are dots and the 4 ties
    are drawn one by one."""
    window = open_settled(make_window, qtbot, project_file)
    js(window, qtbot, "SM.setLod({youngDots: 2})")
    drawn = js(window, qtbot, "SM.drawn()")
    assert drawn["young_people_in_view"] == 3
    assert drawn["young_people_drawn"] == 0
    assert drawn["area_circles"] == 2
    assert drawn["tie_flows_drawn"] == 1
    assert drawn["ties_drawn"] == 0
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 3]]
    js(window, qtbot, "SM.setLod({youngDots: 6000})")
    drawn = js(window, qtbot, "SM.drawn()")
    assert (drawn["young_people_drawn"], drawn["area_circles"]) == (3, 0)
    assert (drawn["ties_in_view"], drawn["ties_drawn"], drawn["tie_flows_drawn"]) == (4, 4, 0)


def test_a_new_label_paints_nothing_a_move_paints_and_is_found_there(make_window, qtbot, project_file):
    """Relabelling yp2 changes nothing the map draws: no layer is painted again (it painted
    every layer of the view, 100-200 ms at 100,000 young people). Moving o1 east into A2
    paints; a click at its new point selects it (the grid finds the moved row); the counts
    the page keeps equal a count of every row."""
    from socialmap.ui.commands import UpdateNode

    window = open_settled(make_window, qtbot, project_file)
    doc = window.doc
    paints = js(window, qtbot, "SM.stats.paints")
    window.push(UpdateNode(doc, "yp2", {"label": "Samira"}))
    assert js(window, qtbot, "SM.stats.paints") == paints
    assert "Samira" in js(window, qtbot, "SM.openPopup('young_person', 'yp2')")
    window.push(UpdateNode(doc, "o1", {"lat": 53.405, "lon": -2.2875}))
    assert js(window, qtbot, "SM.stats.paints") > paints
    lat, lon = js(window, qtbot, "SM.nodeLatLng('o1')")
    assert abs(lon - -2.2875) < 1e-5 and abs(lat - 53.405) < 1e-5
    doc.select("", "")
    assert js(window, qtbot, "SM.clickNode('o1')")
    qtbot.waitUntil(lambda: doc.selection == ("organisation", "o1"), timeout=WAIT_MS)
    assert js(window, qtbot, "SM.counts()") == js(window, qtbot, "SM.recount()")


def test_edits_keep_the_counts_and_the_flows(make_window, qtbot, project_file):
    """Hiding s1 (a scenario's after view) leaves 2 ties drawn, 1 of them between A1 and A2.
    A new tie yp1-yp3 (A1-A2) makes the A1-A2 flow 4 ties and the bridging count one more;
    removing yp3 takes away its two drawn ties (yp2-yp3, yp1-yp3): the flow is 2. Undone,
    everything is back. The kept counts always equal a count of every row."""
    window = open_settled(make_window, qtbot, project_file)
    before = js(window, qtbot, "SM.counts()")
    assert before["young_person"] == 3 and sum(before["ties"].values()) == 4
    # a scenario's after view without s1: its two ties (yp1-s1, o1-s1) leave the A1-A2 flow
    js(window, qtbot, "SM.hideTiesOf(['s1'])")
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 1]]
    assert sum(js(window, qtbot, "SM.counts()")["ties"].values()) == 2
    assert js(window, qtbot, "SM.counts()") == js(window, qtbot, "SM.recount()")
    js(window, qtbot, "SM.hideTiesOf([])")
    assert js(window, qtbot, "SM.counts()") == before
    js(window, qtbot, '(SM.upsertTies([{key: "yp1|yp3", cls: "bridging"}]), 0)')
    after = js(window, qtbot, "SM.counts()")
    assert after["ties"]["bridging"] == before["ties"]["bridging"] + 1
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 4]]
    js(window, qtbot, "(SM.removeNode('yp3'), 0)")
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 2]]
    gone = js(window, qtbot, "SM.counts()")
    assert gone["young_person"] == 2 and sum(gone["ties"].values()) == 3
    assert gone == js(window, qtbot, "SM.recount()")
    js(window, qtbot, '(SM.removeTies(["yp1|yp3"]), 0)')
    from socialmap.mapview import payloads

    feature = payloads.node_feature(window.doc.project.nodes["yp3"])
    js(window, qtbot, f"(SM.upsertNode({__import__('json').dumps(feature)}), 0)")
    assert js(window, qtbot, "SM.counts()") == before == js(window, qtbot, "SM.recount()")
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 3]]


def test_a_pan_within_the_painted_canvas_paints_nothing(make_window, qtbot, project_file):
    """A pan of 20 px stays inside what the canvases painted (15% of the view round it): the
    canvases move with the map and nothing is painted; a pan of 3,000 px leaves it and the
    layers paint the new view."""
    window = open_settled(make_window, qtbot, project_file)
    paints = js(window, qtbot, "SM.stats.paints")
    skips = js(window, qtbot, "SM.panSkips")
    js(window, qtbot, "(SM.map.panBy([20, 10], {animate: false}), 0)")
    assert js(window, qtbot, "SM.stats.paints") == paints
    assert js(window, qtbot, "SM.panSkips") > skips
    js(window, qtbot, "(SM.map.panBy([3000, 0], {animate: false}), 0)")
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.settled()"), timeout=WAIT_MS)  # the paint queue's tasks
    assert js(window, qtbot, "SM.stats.paints") > paints


#: A point inside area ``code``'s box with no drawn node within 40 px of it: [lat, lon].
FREE_POINT = """(function (code) {
  var a = SM.areaIndex[code], b = a.getBounds(), best = null, bestD = -1;
  for (var i = 1; i < 10; i++) for (var j = 1; j < 10; j++) {
    var lat = b.getSouth() + (b.getNorth() - b.getSouth()) * i / 10, lon = b.getWest() + (b.getEast() - b.getWest()) * j / 10;
    var p = SM.map.latLngToContainerPoint([lat, lon]), d = Infinity;
    for (var r = 0; r < SM.nodes.n; r++) {
      var q = SM.map.latLngToContainerPoint([SM.nodes.lat[r], SM.nodes.lon[r]]);
      d = Math.min(d, Math.hypot(p.x - q.x, p.y - q.y));
    }
    if (d > bestD) { bestD = d; best = [lat, lon]; }
  }
  return bestD > 40 ? best : null;
})"""


def test_a_click_on_an_area_selects_it_and_a_hover_names_it(make_window, qtbot, project_file):
    """The areas are drawn by the page's own layer, not Leaflet polygons: a click inside A2 away
    from every node selects A2 (popup, selection, its outline drawn by the areas' layer); the
    mouse over A1 shows A1's name; with the areas hidden they are neither drawn nor clicked."""
    window = open_settled(make_window, qtbot, project_file)
    lat, lon = js(window, qtbot, FREE_POINT + "('A2')")
    js(window, qtbot, f"(SM.map.fire('click', {{latlng: L.latLng({lat}, {lon})}}), 1)")
    qtbot.waitUntil(lambda: window.doc.selection == ("area", "A2"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.areasDrawn()")["selected"] == "A2", timeout=WAIT_MS)
    assert "East" in js(window, qtbot, "SM.popup.getElement().textContent")
    assert js(window, qtbot, "SM.areasDrawn()")["drawn"] == 2
    a1 = js(window, qtbot, FREE_POINT + "('A1')")
    assert js(window, qtbot, f"SM.hoverAt({a1[0]}, {a1[1]})").startswith("West")
    js(window, qtbot, "(SM.map.closePopup(), SM.setVisible('area', false))")
    assert js(window, qtbot, "SM.areasDrawn()")["drawn"] == 0
    window.doc.select("", "")
    js(window, qtbot, f"(SM.map.fire('click', {{latlng: L.latLng({lat}, {lon})}}), 1)")
    assert js(window, qtbot, "SM.popup && SM.popup.isOpen()") is False
    assert window.doc.selection == ("", "")
    assert js(window, qtbot, "SM.setVisible('area', true)") is True
    assert js(window, qtbot, "SM.areasDrawn()")["drawn"] == 2


def test_a_flagged_areas_dashed_outline_is_drawn_and_goes(make_window, qtbot, project_file):
    """A scenario's flagged area is drawn with a dashed red outline; when the flag goes the
    dash goes too (Leaflet's setStyle once kept it), and an area colour is the fill drawn."""
    window = open_settled(make_window, qtbot, project_file)
    assert js(window, qtbot, "SM.setOutlines(['A1'])") == 1
    assert js(window, qtbot, "SM.areasDrawn()")["dashed"] == ["A1"]
    assert js(window, qtbot, "SM.areaIndex['A1'].options.dashArray") == "6 3"
    assert js(window, qtbot, "SM.areaIndex['A1'].options.color") == "#b30000"
    assert js(window, qtbot, "SM.setOutlines([])") == 0
    assert js(window, qtbot, "SM.areasDrawn()")["dashed"] == []
    assert js(window, qtbot, "SM.areaIndex['A1'].options.dashArray") is None
    assert js(window, qtbot, "SM.areaIndex['A1'].options.color") == "#4a5a6a"
    js(window, qtbot, "(SM.setAreaStyle({colours: {A1: '#ff0000'}}), 0)")
    assert js(window, qtbot, "SM.areaIndex['A1'].options.fillColor") == "#ff0000"
    assert js(window, qtbot, "SM.areaIndex['A2'].options.fillColor") == "#fbfbfb"


def test_a_zoom_paints_the_layers_in_tasks_of_their_own(make_window, qtbot, project_file):
    """A zoom paints nothing in its own task: the layers are queued and painted in tasks after
    it (the page answers the mouse between them); a click straight after a zoom paints the
    nodes' layer first (the others stay queued: tests/ui/test_map_select.py) and selects what
    is drawn under it."""
    window = open_settled(make_window, qtbot, project_file)
    settled, painted = js(window, qtbot, "(function () { var p = SM.stats.paints;"
                          " SM.map.setZoom(SM.map.getZoom() + 1, {animate: false});"
                          " return [SM.settled(), SM.stats.paints - p]; })()")
    assert (settled, painted) == (False, 0)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.settled()"), timeout=WAIT_MS)
    drawn = js(window, qtbot, "SM.drawn()")
    assert drawn["young_people_drawn"] == drawn["young_people_in_view"] > 0
    assert js(window, qtbot, "(SM.map.setZoom(SM.map.getZoom() - 1, {animate: false}), SM.clickNode('o1'))")
    qtbot.waitUntil(lambda: window.doc.selection == ("organisation", "o1"), timeout=WAIT_MS)


def test_an_analysis_of_the_same_ties_keeps_the_adjacency_and_a_delete_after_it_is_right(make_window, qtbot, project_file):
    """New classes for the very ties drawn (an analysis: the same ends in the same rows) keep
    the page's tie adjacency, so the first edit after an analysis does not make it again (20
    ms at 100,000 young people); deleting yp3 then takes away exactly its two drawn ties
    (yp2-yp3, and none else: yp3's worker tie is to the adult, who is not drawn) and the A1-A2
    flow falls from 3 to 2. Ties with other ends (one tie fewer) make it again, and a delete
    after that is right too."""
    from socialmap.mapview.binary import ties_block
    from socialmap.ui.mapwidget import RawJSON
    from socialmap.ui.workers import json_in_chunks

    window = open_settled(make_window, qtbot, project_file)
    project, rows = window.doc.project, window.map.node_rows
    js(window, qtbot, "(SM.select('young_person', 'yp1'), SM.flushPaints())")  # the adjacency, for a selection
    js(window, qtbot, "(SM.select('', ''), SM.flushPaints())")
    made = js(window, qtbot, "SM.stats.adjacencies")
    assert made >= 1
    every = {k: "bonding" for k in project.ties}
    window.map.show_ties(RawJSON(json_in_chunks(ties_block(project, rows, every))))
    assert js(window, qtbot, "SM.counts()")["ties"] ["bonding"] == 4
    js(window, qtbot, "(SM.removeNode('yp3'), 0)")
    assert js(window, qtbot, "SM.stats.adjacencies") == made
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 2]]
    assert js(window, qtbot, "SM.counts()") == js(window, qtbot, "SM.recount()")
    assert sum(js(window, qtbot, "SM.counts()")["ties"].values()) == 3

    fewer = [k for k in project.ties if set(k) != {"yp1", "s1"}]
    assert len(fewer) == len(project.ties) - 1
    window.map.show_ties(RawJSON(json_in_chunks(ties_block(project, rows, every, keys=fewer))))
    js(window, qtbot, "(SM.removeNode('yp2'), 0)")
    assert js(window, qtbot, "SM.stats.adjacencies") == made + 1
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 1]]  # o1-s1 alone
    assert js(window, qtbot, "SM.counts()") == js(window, qtbot, "SM.recount()")


def test_deleting_a_person_paints_each_layer_once_and_reports_once(make_window, qtbot, project_file):
    """Deleting yp3 (its ties go, then it) reaches the page as one batch (SM.batch): the ties'
    layer is painted once, not once for the ties and again for the node, and the page reports
    its counts once; the next script sees the deletion (yp3's drawn tie yp2-yp3 gone, the A1-A2
    flow 3 -> 2). The undo is one batch too and puts everything back."""
    from socialmap.ui.commands import RemoveNode

    window = open_settled(make_window, qtbot, project_file)
    before_counts = js(window, qtbot, "SM.counts()")
    reports = []
    window.map.layersDrawn.connect(reports.append)
    before = js(window, qtbot, "(SM.flushPaints(), Object.assign({}, SM.stats.byLayer))")
    window.push(RemoveNode(window.doc, "yp3"))
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 2]]  # (run after the edit's batch)
    after = js(window, qtbot, "(SM.flushPaints(), Object.assign({}, SM.stats.byLayer))")
    assert after.get("ties", 0) - before.get("ties", 0) == 1
    assert after.get("density", 0) - before.get("density", 0) <= 1
    qtbot.waitUntil(lambda: len(reports) >= 1, timeout=WAIT_MS)
    qtbot.wait(200)
    assert len(reports) == 1 and reports[0]["young_person"] == 2
    assert js(window, qtbot, "SM.counts()") == js(window, qtbot, "SM.recount()")
    window.doc.undo_stack.undo()
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 3]]
    assert js(window, qtbot, "SM.counts()") == before_counts == js(window, qtbot, "SM.recount()")


def test_a_call_that_fails_in_a_batch_stops_none_of_the_others(make_window, qtbot, project_file):
    """In SM.batch each call runs as if it were a script of its own: a call that throws leaves
    the ones after it to run (yp3 removed), its error comes out once they have, and the batch is
    over (a repaint afterwards paints at once)."""
    window = open_settled(make_window, qtbot, project_file)
    got = js(window, qtbot, "(function () { try { SM.batch([function () { throw new Error('bad call'); },"
                            " function () { SM.removeNode('yp3'); }]); return 'no error'; }"
                            " catch (e) { return e.message; } })()")
    assert got == "bad call"
    assert js(window, qtbot, "SM.flows()") == [["A1", "A2", 2]]
    before = js(window, qtbot, "SM.stats.byLayer.ties || 0")
    assert js(window, qtbot, "(SM.layers.ties.repaint(), SM.stats.byLayer.ties)") == before + 1


def test_an_edit_then_another_project_in_one_turn_draws_the_new_project_alone(make_window, qtbot, project_file,
                                                                              small_project):
    """An edit's calls wait for the end of the event loop's turn; if another project replaces
    the one edited in that same turn, they are dropped (the page draws the new project whole):
    yp3, deleted from the old project, is on the page with the new one."""
    from socialmap.ui.commands import RemoveNode

    window = open_settled(make_window, qtbot, project_file)
    window.push(RemoveNode(window.doc, "yp3"))
    window.doc.set_project(small_project, None, name="Another")
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.counts()").get("young_person") == 3, timeout=WAIT_MS)
    qtbot.wait(100)
    assert js(window, qtbot, "SM.nodeLatLng('yp3')") is not None
    assert js(window, qtbot, "SM.counts()") == js(window, qtbot, "SM.recount()")
