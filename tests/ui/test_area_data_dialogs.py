"""File ▸ Import ▸ CCIS client extract and File ▸ Join area data (issue 15): the summary is shown
before anything changes; applying is one undoable step; joined numbers colour the map."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt

from tests.interchange import ccis_data as data
from tests.ui.conftest import WAIT_MS, open_and_wait


def _areas_project(tmp_path):
    from socialmap.interchange.areas import read_areas
    from socialmap.model import Project
    from socialmap.store import save_project

    areas = read_areas(data.write_areas(tmp_path / "areas.geojson"), None, None)
    path = tmp_path / "lsoas.gpkg"
    save_project(Project.build(areas, [], []), path)
    return path


def test_ccis_dialog_maps_columns_shows_the_summary_then_imports_undoably(make_window, qtbot, tmp_path):
    from socialmap.ui.area_data_dialogs import CcisDialog

    window = make_window()
    open_and_wait(window, qtbot, _areas_project(tmp_path))
    assert "import_ccis" in window.interchange_actions and "join_area_data" in window.interchange_actions
    extract = data.write_extract(tmp_path / "extract.csv", data.people(60))
    lookup = data.write_lookup(tmp_path / "lookup.csv", 100)
    dialog = CcisDialog(window, window.doc, source=str(extract), postcodes=str(lookup))
    qtbot.addWidget(dialog)
    assert dialog.boxes["person_id"].currentText() == "Person ID"  # guessed from the NCCIS name
    assert dialog.boxes["postcode"].currentText() == "Postcode"
    dialog.as_of.setDate(QDate(2026, 12, 1))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=WAIT_MS)
    assert dialog.result is not None, dialog.summary.toPlainText()
    text = dialog.summary.toPlainText()
    assert text.startswith("tracked 60: EET 25, NEET 25, not known 10")
    assert "Forename" in text  # the columns left out are named
    assert len(window.doc.project.nodes) == 0  # nothing changed before Import
    dialog.apply()
    assert len(window.doc.project.nodes) == 60
    window.doc.undo_stack.undo()
    assert len(window.doc.project.nodes) == 0


def test_ccis_dialog_refuses_a_wrong_total_and_changes_nothing(make_window, qtbot, tmp_path):
    from socialmap.ui.area_data_dialogs import CcisDialog

    window = make_window()
    open_and_wait(window, qtbot, _areas_project(tmp_path))
    dialog = CcisDialog(window, window.doc, source=str(data.write_extract(tmp_path / "e.csv", data.people(12))),
                        postcodes=str(data.write_lookup(tmp_path / "l.csv", 20)))
    qtbot.addWidget(dialog)
    dialog.expect.setValue(13)
    dialog.check()
    qtbot.waitUntil(lambda: dialog.worker is None and "Nothing was changed" in dialog.summary.toPlainText(),
                    timeout=WAIT_MS)
    assert "the extract has 12 young people but --expect-total is 13" in dialog.summary.toPlainText()
    assert not dialog.apply_button.isEnabled() and len(window.doc.project.nodes) == 0
    dialog.refused.close()


def test_join_area_data_with_a_column_picker_colours_the_map(make_window, qtbot, tmp_path):
    from socialmap.ui.area_data_dialogs import JoinAreaDataDialog

    window = make_window()
    open_and_wait(window, qtbot, _areas_project(tmp_path))
    table = tmp_path / "iod.csv"
    rows = [f"{code},{i + 1},{1000 * (i + 1)}" for i, code in enumerate(data.LSOA21)]
    table.write_text("LSOA code (2021),IMD Decile,Claimant count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    dialog = JoinAreaDataDialog(window, window.doc, source=str(table))
    qtbot.addWidget(dialog)
    assert dialog.code.currentText() == "LSOA code (2021)" and dialog.imd.currentText() == "IMD Decile"
    dialog.picker.item(2).setCheckState(Qt.CheckState.Checked)
    dialog.check()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT_MS)
    assert "imd_decile: 6 areas, claimant_count: 6 areas" in dialog.summary.toPlainText()
    assert all(a.imd_decile is None for a in window.doc.project.areas.values())
    dialog.apply()
    assert [a.imd_decile for a in window.doc.project.areas.values()] == [1, 2, 3, 4, 5, 6]
    index = window.colour_by.findData("attr:claimant_count")
    assert index >= 0
    window.colour_by.setCurrentIndex(index)
    window.apply_map_mode("attr:claimant_count")
    assert window.map_mode == "attr:claimant_count"
