"""The window as it first opens: docks and table columns a user can read."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import WAIT_MS, open_and_wait


def test_first_start_tables_dock_shows_several_rows(make_window, qtbot):
    """With no layout kept from a previous session the tables dock takes about 30% of the
    window (it came out two rows high: its size was asked for before the window had one)."""
    window = make_window()
    qtbot.waitUntil(lambda: window.tables_dock.height() >= 0.25 * window.height(), timeout=WAIT_MS)
    view = window.tables["area"]["view"]
    assert view.viewport().height() >= 6 * view.verticalHeader().defaultSectionSize()


def test_table_columns_fit_their_labels_after_opening(make_window, qtbot, project_file):
    """"Northfield College" is wider than Qt's default 100 px column: the label column fits it."""
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    view = window.tables["organisation"]["view"]
    model = window.tables["organisation"]["model"]
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "Label")
    needed = view.fontMetrics().horizontalAdvance("Northfield College")
    assert view.horizontalHeader().sectionSize(col) > needed
