"""File ▸ Import / Export and the Reports menu, driven through qtbot."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QMainWindow  # noqa: E402

from socialmap.ui import interchange_dialogs as ui  # noqa: E402
from socialmap.ui.document import ProjectDocument  # noqa: E402

ELEMENTS = [["Label", "Type", "Area code", "Shoe size"], ["Ash", "Person", "A2", "9"], ["Bea", "Young person", "A1", ""]]
CONNECTIONS = [["From", "To", "Type"], ["Ash", "yp3", "Knows"], ["Bea", "s1", "attends"]]


def write_xlsx(path, elements=ELEMENTS, connections=CONNECTIONS):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Elements"
    for row in elements:
        ws.append(row)
    wc = book.create_sheet("Connections")
    for row in connections:
        wc.append(row)
    book.save(path)
    return path


@pytest.fixture
def window(qtbot, small_project):
    win = QMainWindow()
    file_menu = win.menuBar().addMenu("&File")
    file_menu.addAction("&Quit")
    win.menuBar().addMenu("&Help")
    doc = ProjectDocument(win)
    doc.set_project(small_project, None)
    win.doc = doc
    qtbot.addWidget(win)
    ui.OPEN_REPORTS = False
    yield win
    # a document destroyed with unsaved edits would emit cleanChanged from a half-deleted stack
    doc.undo_stack.clear()


def test_menus_are_installed(window):
    file_menu = window.menuBar().actions()[0].menu()
    actions = ui.install_interchange_menus(window, file_menu, window.doc)
    texts = [a.text() for a in file_menu.actions()]
    assert texts.index("&Import") < texts.index("&Export") < texts.index("&Quit")
    top = [a.text() for a in window.menuBar().actions()]
    assert top == ["&File", "&Reports", "&Help"]
    assert {"import_kumu", "import_openreferral", "import_csv", "export_graphml", "export_gexf", "export_geojson",
            "export_csv", "export_html", "report_area", "report_evidence", "report_scenario"} <= set(actions)
    # one action per format of the registry, titled as it declares
    from socialmap.interchange.registry import export_formats, import_formats

    for fmt in import_formats():
        assert actions[f"import_{fmt.name}"].text() == f"{fmt.title[0].upper()}{fmt.title[1:]}…"
    for fmt in export_formats():
        if fmt.menu == "export":
            assert actions[f"export_{fmt.name}"].text() == fmt.title


def test_preview_and_type_mapping(window, tmp_path, qtbot):
    """The preview shows the Elements rows; known types are mapped by default, unknown ones are not;
    an unrecognised column defaults to an attribute."""
    dialog = ui.ImportDialog(window.doc, "kumu", window, source=str(write_xlsx(tmp_path / "m.xlsx")))
    qtbot.addWidget(dialog)
    assert dialog.preview_model.rowCount() == 2 and dialog.preview_model.headers[0] == "Label"
    # shown by their labels, the codes kept (issue 14: no raw codes shown to people)
    assert dialog.kind_boxes["Young person"].currentData() == "young_person"
    assert dialog.kind_boxes["Young person"].currentText() == "Young person"
    assert dialog.kind_boxes["Person"].currentText() == ui.CHOOSE and dialog.kind_boxes["Person"].currentData() is None
    assert dialog.tie_boxes["attends"].currentData() == "attends"
    assert dialog.tie_boxes["attends"].currentText() == "Attends"
    assert dialog.tie_boxes["Knows"].currentText() == ui.CHOOSE
    assert dialog.column_boxes["Area code"].currentData() == "area_code"
    assert dialog.column_boxes["Area code"].currentText() == "Home area (area code)"
    assert dialog.column_boxes["Shoe size"].currentText() == ui.ATTRIBUTE


def test_unmapped_types_are_refused_row_by_row(window, tmp_path, qtbot):
    dialog = ui.ImportDialog(window.doc, "kumu", window, source=str(write_xlsx(tmp_path / "m.xlsx")))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.refused, timeout=30000) as blocker:
        dialog.start_import()
    problems = blocker.args[0]
    assert [(p.sheet, p.row) for p in problems] == [("Elements", 2), ("Connections", 2)]
    refused = ui.RefusedRowsDialog(problems)
    qtbot.addWidget(refused)
    assert refused.model.rowCount() == 2
    assert refused.model.rows[0][:4] == ["m.xlsx", "Elements", "2", "Type"]
    assert "unknown type 'Person'" in refused.text()
    assert len(window.doc.project.nodes) == 6  # nothing changed


def test_mapped_import_is_one_undoable_step(window, tmp_path, qtbot):
    before = window.doc.project
    dialog = ui.import_with_dialog(window, window.doc, "kumu", source=str(write_xlsx(tmp_path / "m.xlsx")))
    dialog.kind_boxes["Person"].setCurrentText("Young person")
    dialog.tie_boxes["Knows"].setCurrentText("Peer")
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        dialog.start_import()
    project = window.doc.project
    assert project is not before and len(project.nodes) == 8 and len(project.ties) == 8
    assert project.nodes["Ash"].attrs == {"Shoe size": "9"}
    assert project.get_tie("Ash", "yp3").type == "peer"
    assert window.doc.dirty
    window.doc.undo_stack.undo()
    assert window.doc.project is before and len(before.nodes) == 6
    window.doc.undo_stack.redo()
    assert window.doc.project is project


def test_export_and_report_in_the_background(window, tmp_path, qtbot):
    out = tmp_path / "net.graphml"
    run = ui.run_export(window, window.doc, "graphml", str(out))
    with qtbot.waitSignal(run.finished, timeout=60000):
        pass
    assert out.exists()
    pdf = tmp_path / "pack.pdf"
    run = ui.run_export(window, window.doc, "evidence", str(pdf), org="o1", open_when_done=True)
    with qtbot.waitSignal(run.finished, timeout=60000) as blocker:
        pass
    assert blocker.args[0] == [str(pdf), str(tmp_path / "pack.csv")]
    assert pdf.read_bytes().startswith(b"%PDF")


def test_export_failure_is_a_dialog(window, tmp_path, qtbot):
    run = ui.run_export(window, window.doc, "evidence", str(tmp_path / "x.pdf"), org="s1")
    with qtbot.waitSignal(run.failed, timeout=60000) as blocker:
        pass
    assert "'s1' is not an organisation" in blocker.args[0]
    assert not (tmp_path / "x.pdf").exists()
