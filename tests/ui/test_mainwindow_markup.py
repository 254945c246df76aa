"""Data text that looks like markup shows as written in the window's own widgets (SPEC 8):
tooltips, the status bar's mode message, the tie type question."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

from socialmap.store import save_project
from socialmap.ui.frame_model import FrameModel
from socialmap.ui.models import plain_tooltip
from tests.ui.conftest import open_and_wait

MARKUP = "<b>Youth</b> club <img src=x onerror=alert(1)>"


def _rendered(tooltip: str) -> str:
    """What Qt shows for a tooltip: rich text is rendered, plain text is shown as it is."""
    from PySide6 import QtGui

    if not QtGui.Qt.mightBeRichText(tooltip):
        return tooltip
    doc = QTextDocument()
    doc.setHtml(tooltip)
    return doc.toPlainText()


def test_tooltips_show_markup_as_text(qapp):
    assert plain_tooltip("Youth club") == "Youth club"
    assert plain_tooltip(3) == 3
    assert _rendered(plain_tooltip(MARKUP)) == MARKUP
    import pandas as pd

    model = FrameModel()
    model.set_frame(pd.DataFrame({"label": [MARKUP]}, index=["s1"]))
    assert model.index(0, 1).data(Qt.ItemDataRole.DisplayRole) == MARKUP
    assert _rendered(model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)) == MARKUP


def test_window_widgets_show_a_markup_label_as_text(make_window, qtbot, tmp_path, small_project):
    small_project.update_node("s1", label=MARKUP)
    path = tmp_path / "markup.gpkg"
    save_project(small_project, path)
    window = make_window()
    open_and_wait(window, qtbot, path)
    entry = window.tables["service"]
    row = next(r for r in range(entry["model"].rowCount())
               if entry["model"].index(r, 0).data() == "s1")
    col = next(c for c in range(entry["model"].columnCount())
               if entry["model"].index(row, c).data() == MARKUP)
    assert _rendered(entry["model"].index(row, col).data(Qt.ItemDataRole.ToolTipRole)) == MARKUP
    window.begin_relocate("s1")
    assert window.mode_label.textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in window.mode_label.text()
    window.cancel_modes()
    dialog = window.tie_type_dialog("yp1", "s1", ["attends"])
    labels = [lab for lab in dialog.findChildren(QLabel) if MARKUP in lab.text()]
    assert labels and all(lab.textFormat() == Qt.TextFormat.PlainText for lab in labels)
    dialog.deleteLater()
