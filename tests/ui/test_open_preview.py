"""Opening a file in two stages (issue 13): the map is drawn from the file's first stage
(its columns as read) while the records are still being made and checked; meanwhile nothing can
be edited, the docked views wait, a click on the map selects nothing and the status bar says
what is still being read; once the project is shown the page keeps what it drew (the parts are
not sent again). A file refused after its map was drawn is routed as before (here the repair
view) and the open project is drawn again."""

from __future__ import annotations

import sqlite3
import threading

from PySide6.QtWidgets import QDockWidget, QToolBar

from socialmap.store.foreign import gpkg_functions
from tests.ui.conftest import WAIT_MS, js, wait_drawn


def _docks_enabled(window) -> list[bool]:
    """Whether each docked view, toolbar and the menus take input."""
    widgets = [window.menuBar(), *window.findChildren(QToolBar), *window.findChildren(QDockWidget)]
    return [w.isEnabled() for w in widgets]


def test_the_map_is_drawn_from_the_first_stage_and_kept_once_the_project_is_shown(make_window, qtbot, project_file,
                                                                                    monkeypatch):
    from socialmap.ui import indexes

    go_on = threading.Event()
    real_warm = indexes.warm

    def held_warm(project):  # the loading job waits here, after its first stage, until the test has looked
        go_on.wait(WAIT_MS / 1000)
        real_warm(project)

    monkeypatch.setattr(indexes, "warm", held_warm)
    window = make_window()
    empty = window.doc.project
    window.open_path(project_file)
    try:
        # the small project's map, drawn while the window still holds the empty project:
        # 2 areas, 3 young people, o1 and s1; the 4 ties between drawn nodes (the adult's are not
        # drawn): yp1-yp2 bonding (both A1), yp2-yp3 bridging (A1, A2), yp1-s1 linking, o1-s1
        # institutional
        qtbot.waitUntil(lambda: window.map.last_counts.get("young_person") == 3, timeout=WAIT_MS)
        counts = window.map.last_counts
        assert (counts["area"], counts["organisation"], counts["service"]) == (2, 1, 1)
        assert counts["ties"] == {"bonding": 1, "bridging": 1, "linking": 1, "institutional": 1, "unclassified": 0}
        assert window.doc.project is empty and window.map.previewing
        assert not any(_docks_enabled(window))
        assert window.doc.locked_for == "opening another file"
        assert not window.act_undo.isEnabled()
        assert window.statusBar().currentMessage() == "Opening small.gpkg: map drawn; reading its records (nothing can be edited yet)…"
        window.map._on_feature_clicked("young_person", "yp1")  # as a click on the dot would
        assert window.doc.selection == ("", "")
        js(window, qtbot, "(SM.nodes.keptFromPreview = true, 0)")
    finally:
        go_on.set()
    qtbot.waitUntil(lambda: window.doc.project is not empty, timeout=WAIT_MS)
    wait_drawn(window, qtbot)
    assert all(_docks_enabled(window)) and window.doc.locked_for is None and not window.map.previewing
    assert js(window, qtbot, "SM.nodes.keptFromPreview === true") is True  # not drawn a second time
    assert "yp1" in window.map.node_rows
    window.map._on_feature_clicked("young_person", "yp1")
    assert window.doc.selection == ("young_person", "yp1")


def test_a_file_refused_after_its_map_was_drawn_goes_to_the_repair_view_and_the_map_comes_back(make_window, qtbot,
                                                                                                 project_file,
                                                                                                 monkeypatch):
    from socialmap.store import gpkg

    con = sqlite3.connect(project_file)
    gpkg_functions(con)
    with con:
        con.execute("DELETE FROM nodes WHERE id = 'yp2'")  # ties yp1-yp2 and yp2-yp3 now dangle
    con.close()
    go_on = threading.Event()
    real = gpkg._nodes_from_columns

    def held(columns):  # the job waits after its first stage, before the records are made
        go_on.wait(WAIT_MS / 1000)
        return real(columns)

    monkeypatch.setattr(gpkg, "_nodes_from_columns", held)
    window = make_window()
    window.open_path(project_file)
    try:  # the first stage drawn: yp1 and yp3, o1, s1
        qtbot.waitUntil(lambda: window.map.last_counts.get("young_person") == 2, timeout=WAIT_MS)
        assert window.map.previewing and not any(_docks_enabled(window))
    finally:
        go_on.set()
    qtbot.waitUntil(lambda: window.repair_dialog is not None and window.repair_dialog.isVisible(), timeout=WAIT_MS)
    records = [window.repair_dialog.model.index(r, 0).data() for r in range(window.repair_dialog.model.rowCount())]
    assert "tie 'yp1'-'yp2'" in records and "tie 'yp2'-'yp3'" in records
    assert all(_docks_enabled(window)) and window.doc.locked_for is None and not window.map.previewing
    counts = wait_drawn(window, qtbot)  # the empty project the window holds, drawn again
    assert counts.get("young_person", 0) == 0 and counts.get("area", 0) == 0
    window.repair_dialog.reject()
