"""No raw code of the vocabulary in what the window shows (issue 14): org types, sectors, tie
types, kinds, activities and field names read as words ("School or college", not
``school_college``); the project keeps the codes."""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QTabWidget,
)

from socialmap.model import kinds
from tests.ui.conftest import WAIT_MS, js, open_and_wait

#: Every code a person could meet: the coded values and the field names of SPEC section 2.
CODES = frozenset({*kinds.NODE_KINDS, *kinds.ORG_TYPES, *kinds.SECTORS, *kinds.TIE_TYPES, *kinds.ACTIVITIES,
                   *(f for fields in kinds.KIND_FIELDS.values() for f in fields), "neet_isolation_rate", "gi_p"})
#: A code with an underscore is never a word; one without (friend, public) is a code when it
#: is the whole text of a cell, a picker item or a label.
WITH_UNDERSCORE = sorted(c for c in CODES if "_" in c)


def shown_texts(window) -> list[tuple[str, str]]:
    """(where, text) of every label, button, tab, group title, picker item, table header and
    the first 60 rows of every table and list in the window."""
    out: list[tuple[str, str]] = []
    out += [("label", w.text()) for w in window.findChildren(QLabel)]
    out += [("button", w.text()) for w in window.findChildren(QAbstractButton)]
    out += [("group", w.title()) for w in window.findChildren(QGroupBox)]
    for tabs in window.findChildren(QTabWidget):
        out += [("tab", tabs.tabText(i)) for i in range(tabs.count())]
    for box in window.findChildren(QComboBox):
        out += [("picker", box.itemText(i)) for i in range(box.count())]
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        try:
            columns = model.columnCount(QModelIndex())
        except TypeError:  # a list model (its columnCount is private in Python)
            columns = 1
        out += [("header", str(model.headerData(c, Qt.Orientation.Horizontal) or "")) for c in range(columns)]
        for r in range(min(model.rowCount(QModelIndex()), 60)):
            out += [("cell", str(model.index(r, c).data() or "")) for c in range(columns)]
    return out


def raw_codes(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    found = []
    for where, text in texts:
        if text.strip() in CODES or any(re.search(rf"\b{c}\b", text) for c in WITH_UNDERSCORE):
            found.append((where, text))
    return found


def test_the_window_shows_no_raw_code(make_window, qtbot, three_area_file):
    """Organisation o1 is a ``school_college`` of the ``public`` sector; the ties are friend,
    attends, employs, worker: the tables, the inspector's pickers and tie list, the analysis,
    scenario and anchor panels show their labels; the file still holds the codes."""
    window = make_window()
    open_and_wait(window, qtbot, three_area_file)
    project = window.doc.project
    with qtbot.waitSignal(window.analysis_panel.analysisDone, timeout=WAIT_MS):
        window.analysis_panel.run()
    panel = window.scenario_panel
    panel.service_pick.setCurrentIndex(panel.service_pick.findData("s1"))
    panel._add_decommission()
    with qtbot.waitSignal(panel.scenarioDone, timeout=WAIT_MS):
        panel.run()
    anchor = window.anchor_panel
    anchor.org_pick.setCurrentIndex(anchor.org_pick.findData("o1"))
    with qtbot.waitSignal(anchor.anchorDone, timeout=WAIT_MS):
        anchor.run()
    for selection in (("organisation", "o1"), ("young_person", "yp1"), ("tie", "yp1|yp2"), ("service", "s1")):
        window.doc.select(*selection)
        assert raw_codes(shown_texts(window)) == [], selection
    # the labels are there, the codes are kept
    window.doc.select("organisation", "o1")
    insp = window.inspector
    assert insp.editors["org_type"].currentText() == "School or college"
    assert insp.editors["org_type"].currentData() == "school_college"
    assert insp.editors["sector"].currentText() == "Public"
    entry = window.tables["organisation"]
    col = entry["model"].columns.index("org_type")
    assert entry["model"].index(entry["model"].row_for("o1"), col).data() == "School or college"
    entry["proxy"].setFilterFixedString("school or college")  # the search finds what is shown
    assert entry["proxy"].rowCount() == 1
    insp.editors["org_type"].setCurrentIndex(insp.editors["org_type"].findText("Social enterprise"))
    assert insp.apply()
    assert project.nodes["o1"].org_type == "social_enterprise"
    window.doc.select("tie", "yp1|yp2")
    assert window.inspector.editors["type"].currentText() == "Friend"
    ties = window.tables["tie"]
    assert "Friend" in ties["model"].display_column("type") and "friend" not in ties["model"].display_column("type")


def test_the_map_popup_and_the_tie_question_use_labels(make_window, qtbot, project_file):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    popup = js(window, qtbot, "SM.openPopup('organisation', 'o1')")
    assert "School or college" in popup and "school_college" not in popup
    assert "Public" in popup
    dialog = window.tie_type_dialog("yp1", "yp3", ["friend", "peer", "mentor"])
    assert dialog.comboBoxItems() == ["Friend", "Peer", "Mentor"]
    dialog.deleteLater()
