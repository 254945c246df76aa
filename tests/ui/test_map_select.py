"""A selection and a tie class switched off or on change only what they touch (issue 13): a
selection paints the selection's layer alone, with exactly the node's ring, its ties and its
young neighbours; a tie class paints the ties' layer (and the selection's), not the names or
the ranking; the flows between areas keep their order per set of classes shown; a click right
after a zoom paints the nodes' layer it hit-tests and leaves the other layers to the paint
queue."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from socialmap.model import Area, Node, Project, Tie
from socialmap.store import save_project
from tests.ui.conftest import WAIT_MS, js, open_settled


def _paints(window, qtbot) -> dict:
    return js(window, qtbot, "(SM.flushPaints(), Object.assign({}, SM.stats.byLayer))")


def _quiet(window, qtbot) -> dict:
    """The paints so far, once nothing is left to paint: the queue empty and no repaint round
    the centre pending (it follows a pan that stayed inside the painted canvas by 400 ms)."""
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.settled() && !SM._recentre"), timeout=WAIT_MS)
    return _paints(window, qtbot)


def _painted_since(window, qtbot, before: dict) -> dict:
    after = _paints(window, qtbot)
    return {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}


def _select(window, qtbot, kind: str, ident: str) -> dict:
    window.doc.select(kind, ident)
    want = {"kind": kind, "id": ident} if ident else None
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.selected()") == want, timeout=WAIT_MS)
    return js(window, qtbot, "SM.selectionDrawn()")


def test_a_selection_paints_its_own_layer_with_exactly_its_dot_and_ties(make_window, qtbot, project_file):
    """small_project: yp2's drawn ties are yp1-yp2 and yp2-yp3 (its neighbours yp1 and yp3 as
    dots); s1's are yp1-s1 and o1-s1 (yp1 a dot; o1 is a place); o1's is o1-s1 alone (its tie to
    the adult ad1 is not drawn: adults are not on the map). With bridging switched off yp2 keeps
    yp1-yp2 (bonding) alone."""
    window = open_settled(make_window, qtbot, project_file)
    before = _quiet(window, qtbot)
    drawn = _select(window, qtbot, "young_person", "yp2")
    assert drawn == {"ring": "yp2", "ties": ["yp1|yp2", "yp2|yp3"], "dots": ["yp1", "yp3"]}
    assert _painted_since(window, qtbot, before) == {"selection": 1}  # no other layer painted
    assert js(window, qtbot, "SM.faded") is True  # the other ties faded (the layer's opacity)

    before = _paints(window, qtbot)
    assert _select(window, qtbot, "service", "s1") == {"ring": "s1", "ties": ["o1|s1", "s1|yp1"], "dots": ["yp1"]}
    assert _select(window, qtbot, "organisation", "o1") == {"ring": "o1", "ties": ["o1|s1"], "dots": []}
    assert _painted_since(window, qtbot, before) == {"selection": 2}

    window.layer_checks["bridging"].setChecked(False)
    assert _select(window, qtbot, "young_person", "yp2") == {"ring": "yp2", "ties": ["yp1|yp2"], "dots": ["yp1"]}
    window.layer_checks["bridging"].setChecked(True)
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.selectionDrawn()")["ties"] == ["yp1|yp2", "yp2|yp3"],
                    timeout=WAIT_MS)
    assert _select(window, qtbot, "", "") == {"ring": None, "ties": [], "dots": []}
    assert js(window, qtbot, "SM.faded") is False


def test_a_click_right_after_a_zoom_paints_the_nodes_layer_alone_first(make_window, qtbot, project_file):
    """The click hit-tests what the nodes' layer draws at the new zoom: that layer is painted in
    the click's task, the others stay in the paint queue (they were all painted there before);
    each is painted once."""
    window = open_settled(make_window, qtbot, project_file)
    window.doc.select("", "")
    before = _quiet(window, qtbot)
    clicked, queued, nodes_waiting = js(window, qtbot, "(function () {"
                                        " SM.map.setView(SM.nodeLatLng('o1'), SM.map.getZoom() + 1,"
                                        "                {animate: false});"
                                        " var hit = SM.clickNode('o1');"
                                        " return [hit, !SM.settled(), !!SM.layers.nodes._pending]; })()")
    assert (clicked, queued, nodes_waiting) == (True, True, False)
    qtbot.waitUntil(lambda: window.doc.selection == ("organisation", "o1"), timeout=WAIT_MS)
    _quiet(window, qtbot)  # (o1 is at the centre: the selection pans nothing)
    painted = _painted_since(window, qtbot, before)
    assert painted["nodes"] == 1 and painted["ties"] == 1 and painted["areas"] == 1  # each once


@pytest.fixture
def three_flows_file(tmp_path):
    """Three areas side by side (A1, A2, A3, west to east); young people a1, a2 (A1), b1, b2
    (A2), c1 (A3); services s2 in A2 and s3 in A3. Ties between areas: A1-A2 a1-b1, a2-b2
    (bridging) and a1-s2 (linking): 3, mostly bridging; A1-A3 a1-c1 (bridging), a1-s3, a2-s3
    (linking): 3, mostly linking; A2-A3 b1-c1 (bridging): 1."""
    p = Project()
    for i, code in enumerate(("A1", "A2", "A3")):
        p.add_area(Area(code, f"Area {i + 1}", box(-2.30 + 0.01 * i, 53.40, -2.29 + 0.01 * i, 53.41)))
    for ident, area in (("a1", "A1"), ("a2", "A1"), ("b1", "A2"), ("b2", "A2"), ("c1", "A3")):
        p.add_node(Node(ident, "young_person", ident.upper(), area_code=area, age=16))
    p.add_node(Node("s2", "service", "Club", lat=53.405, lon=-2.285, service_type="youth club"))
    p.add_node(Node("s3", "service", "Gym", lat=53.405, lon=-2.275, service_type="youth club"))
    for a, b, kind in (("a1", "b1", "friend"), ("a2", "b2", "friend"), ("a1", "s2", "attends"),
                       ("a1", "c1", "friend"), ("a1", "s3", "attends"), ("a2", "s3", "attends"),
                       ("b1", "c1", "friend")):
        p.add_tie(Tie(a, b, kind))
    path = tmp_path / "flows.gpkg"
    save_project(p, path)
    return path


def test_a_tie_class_toggled_paints_the_ties_and_keeps_the_flows_order(make_window, qtbot, three_flows_file):
    """Drawn as flows (at most 2 young people as dots): most ties first, equal numbers in the
    order the pairs were first met (A1-A2 before A1-A3), each in its commonest shown class.
    Linking off: A1-A2 2, then A1-A3 1 and A2-A3 1, all bridging; bridging off: A1-A3 2 and
    A1-A2 1, linking, A2-A3 gone; both back: as at first. Each switch paints the ties' layer
    (and the selection's) once, never the names' or the ranking's; a place kind switched off
    does take its names with it."""
    window = open_settled(make_window, qtbot, three_flows_file)
    js(window, qtbot, "SM.setLod({youngDots: 2})")
    everything = [["A1", "A2", 3, "bridging"], ["A1", "A3", 3, "linking"], ["A2", "A3", 1, "bridging"]]
    assert js(window, qtbot, "SM.flowsDrawn()") == everything
    checks = window.layer_checks
    before = _quiet(window, qtbot)
    checks["linking"].setChecked(False)
    assert js(window, qtbot, "SM.flowsDrawn()") == [["A1", "A2", 2, "bridging"], ["A1", "A3", 1, "bridging"],
                                                     ["A2", "A3", 1, "bridging"]]
    checks["linking"].setChecked(True)
    assert js(window, qtbot, "SM.flowsDrawn()") == everything
    checks["bridging"].setChecked(False)
    assert js(window, qtbot, "SM.flowsDrawn()") == [["A1", "A3", 2, "linking"], ["A1", "A2", 1, "linking"]]
    checks["bridging"].setChecked(True)
    assert js(window, qtbot, "SM.flowsDrawn()") == everything
    qtbot.wait(150)  # the frames after the switches: labels and the ranking would be painted there
    assert _painted_since(window, qtbot, before) == {"ties": 4, "selection": 4}

    before = _paints(window, qtbot)
    checks["service"].setChecked(False)
    qtbot.waitUntil(lambda: _painted_since(window, qtbot, before).get("labels", 0) == 1, timeout=WAIT_MS)
    checks["service"].setChecked(True)
