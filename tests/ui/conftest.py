"""Fixtures of the GUI tests: a real main window, offscreen, closed after each test.

QtWebEngine needs ``AA_ShareOpenGLContexts`` and its module imported before
the QApplication exists; pytest-qt creates the application lazily, after this
module is imported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QStandardPaths, Qt

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
import PySide6.QtWebEngineWidgets  # noqa: E402,F401

from socialmap.ui.tilescheme import register_scheme  # noqa: E402

register_scheme()  # the basemap's URL scheme, before pytest-qt makes the QApplication

from socialmap.store import save_project  # noqa: E402

#: Longest wait for the map page or a background job, in ms.
WAIT_MS = 20_000


@pytest.fixture(scope="session", autouse=True)
def _isolated_paths(tmp_path_factory):
    """Settings and recovery files of the tests never touch the user's own."""
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("SocialMapTests")
    QCoreApplication.setApplicationName("SocialMapTests")
    yield


@pytest.fixture
def make_window(qtbot, qapp, tmp_path):
    """Build main windows; each is closed (discarding edits) after the test, and
    the test fails if it left a top-level window open."""
    from socialmap.ui import workers
    from socialmap.ui.mainwindow import MainWindow

    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    windows = []

    def factory(**kwargs):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, **kwargs)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.map.ready, timeout=WAIT_MS)
        windows.append(window)
        return window

    yield factory
    for window in windows:
        if window.last_error is not None:
            window.last_error.close()
        window.doc.undo_stack.setClean()
        window.close()
    workers.wait_all(WAIT_MS)
    for window in windows:
        window.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    leaked = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    assert not leaked, f"top-level widgets left open: {leaked}"


@pytest.fixture
def project_file(tmp_path, small_project) -> Path:
    path = tmp_path / "small.gpkg"
    save_project(small_project, path)
    return path


def open_and_wait(window, qtbot, path) -> dict:
    """Open ``path`` and wait until the page reports it has drawn the project."""
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS):
        window.open_path(path)
    return wait_drawn(window, qtbot)


def open_settled(make_window, qtbot, path):
    """A new window with ``path`` open, fitted to the data without animation and every layer
    painted (the paint queue empty): for counting what an action then paints."""
    window = make_window()
    open_and_wait(window, qtbot, path)
    # the view is fitted with an animated zoom (250 ms); the layers paint when it ends
    qtbot.waitUntil(lambda: not js(window, qtbot, "SM.map._animatingZoom"), timeout=WAIT_MS)
    js(window, qtbot, "(SM.map.fitBounds(SM.bounds, {animate: false}), 0)")
    # then the layers paint the view in the paint queue's tasks
    qtbot.waitUntil(lambda: js(window, qtbot, "SM.settled()"), timeout=WAIT_MS)
    return window


def wait_drawn(window, qtbot) -> dict:
    """Wait until the page's counts match the open project."""
    expected = drawable_counts(window.doc.project)
    qtbot.waitUntil(lambda: counts_match(window.map.last_counts, expected), timeout=WAIT_MS)
    return window.map.last_counts


def drawable_counts(project) -> dict:
    """What the page must draw: areas, located nodes per kind, ties with two located ends."""
    def located(node):
        return node.lat is not None and node.lon is not None

    out = {"area": len(project.areas)}
    for kind in ("organisation", "service", "young_person"):
        out[kind] = sum(1 for n in project.nodes.values() if n.kind == kind and located(n))
    # ties in force today: an ended tie is kept in the project, not drawn
    out["ties"] = sum(1 for t in project.in_force().ties.values()
                      if located(project.nodes[t.a]) and located(project.nodes[t.b]))
    return out


def counts_match(counts: dict, expected: dict) -> bool:
    if not counts:
        return False
    got = dict(counts)
    got["ties"] = sum(counts.get("ties", {}).values())
    return all(got.get(k) == v for k, v in expected.items())


def js(window, qtbot, script: str):
    """Evaluate ``script`` in the map page and return its (JSON) result."""
    box: dict = {}
    window.map.evaluate(f"JSON.stringify({script})", lambda r: box.setdefault("r", r))
    qtbot.waitUntil(lambda: "r" in box, timeout=WAIT_MS)
    return None if box["r"] in (None, "undefined") else json.loads(box["r"])


@pytest.fixture
def three_area_file(tmp_path, small_project) -> Path:
    """small_project plus a third area A3 (east of A2) with its own service s2
    (provided by o1) attended by yp4, and yp4 -friend- yp5, both living in A3."""
    from shapely.geometry import box

    from socialmap.model import Area, Node, Tie

    p = small_project
    p.add_area(Area("A3", "Far East", box(-2.28, 53.40, -2.27, 53.41)))
    p.add_node(Node("s2", "service", "Drop-in", lat=53.405, lon=-2.275, provider="o1"))
    p.add_node(Node("yp4", "young_person", "Lee", area_code="A3", neet=False))
    p.add_node(Node("yp5", "young_person", "Max", area_code="A3", neet=True))
    p.add_tie(Tie("yp4", "s2", "attends"))
    p.add_tie(Tie("yp4", "yp5", "friend"))
    path = tmp_path / "three.gpkg"
    save_project(p, path)
    return path
