"""Save dialogs start in the documents folder (or beside the project file) with a suggested
name, and the bundled sample is called after itself (issue 14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from socialmap.ui import interchange_dialogs as ui
from socialmap.ui.save_paths import documents_folder, safe_file_name, suffix_of, suggested_name
from tests.ui.conftest import WAIT_MS, open_and_wait

DAY = dt.date(2026, 12, 1)


class _Doc:
    def __init__(self, path=None, name=None):
        self.path = Path(path) if path else None
        self.name = name


def test_suggested_names():
    sample = _Doc(name="Millbrook sample project")
    assert suggested_name(sample, "evidence pack Stanner Moor Makers CIC", ".pdf", day=DAY) == \
        "Millbrook sample project - evidence pack Stanner Moor Makers CIC 2026-12-01.pdf"
    assert suggested_name(_Doc("/data/Stanner Moor.gpkg"), "evidence pack", ".pdf", day=DAY) == \
        "Stanner Moor - evidence pack 2026-12-01.pdf"
    assert suggested_name(_Doc("/data/Stanner Moor.gpkg"), None, ".smx") == "Stanner Moor.smx"
    assert suggested_name(_Doc(), "network", ".graphml", day=DAY) == "SocialMap project - network 2026-12-01.graphml"
    # a label with characters no file system takes
    assert safe_file_name('A/B: "C" <d>?') == "A-B- -C- -d-"
    assert suffix_of("GEXF network (Gephi) (*.gexf)") == ".gexf" and suffix_of(None) == ""


def _capture(monkeypatch):
    seen: dict = {}

    def save(parent, caption, start, filters="", *a, **k):
        seen["start"], seen["caption"] = start, caption
        return "", ""  # cancelled

    def folder(parent, caption, start="", *a, **k):
        seen["start"], seen["caption"] = start, caption
        return ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder))
    return seen


def test_the_sample_is_named_after_itself(make_window, qtbot, monkeypatch):
    """Opened as on a first start (its file not the project's), the sample was 'Untitled';
    its reports said 'Project file (unsaved)' and its save dialogs offered / and no name."""
    from socialmap.ui.mainwindow import SAMPLE_NAME, sample_project_path

    window = make_window()
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT_MS * 3):
        window.open_path(sample_project_path(), remember=False)
    assert window.doc.path is None  # Save still asks where: the bundled file is never overwritten
    assert window.windowTitle() == f"{SAMPLE_NAME} - SocialMap"
    assert window.doc.source_name() == SAMPLE_NAME
    today = dt.date.today().isoformat()
    seen = _capture(monkeypatch)
    assert not window.save_as_dialog()
    assert seen["start"] == str(documents_folder() / f"{SAMPLE_NAME}.gpkg")
    ui.export_with_dialog(window, window.doc, "gexf")
    assert seen["start"] == str(documents_folder() / f"{SAMPLE_NAME} - network {today}.gexf")
    ui.export_with_dialog(window, window.doc, "csv")  # a folder: the dialog starts in the documents folder
    assert seen["start"] == str(documents_folder())
    window.doc.select("organisation", "org01")
    ui.report_with_dialog(window, window.doc, "evidence")
    label = window.doc.project.nodes["org01"].label
    assert seen["start"] == str(documents_folder() / f"{SAMPLE_NAME} - evidence pack {label} {today}.pdf")
    ui.report_with_dialog(window, window.doc, "report")
    assert seen["start"] == str(documents_folder() / f"{SAMPLE_NAME} - area and hotspot report {today}.pdf")
    if getattr(window, "upgrade_message", None) is not None:
        window.upgrade_message.close()


def test_save_dialogs_start_beside_the_saved_project(make_window, qtbot, project_file, monkeypatch):
    window = make_window()
    open_and_wait(window, qtbot, project_file)
    today = dt.date.today().isoformat()
    seen = _capture(monkeypatch)
    window.save_as_dialog()
    assert seen["start"] == str(project_file.parent / "small.gpkg")
    ui.export_with_dialog(window, window.doc, "html")
    assert seen["start"] == str(project_file.parent / f"small - web map {today}.html")


def test_reports_on_the_sample_name_it(tmp_path, small_project):
    """The area report's methods said 'Project file (unsaved)' for the sample opened in the window."""
    from pypdf import PdfReader

    from socialmap.reports.area_report import write_area_report
    from socialmap.ui.mainwindow import SAMPLE_NAME

    out = write_area_report(small_project, tmp_path / "r.pdf", source=SAMPLE_NAME)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())
    assert f"Project: {SAMPLE_NAME}: 2 areas" in text
    assert "(unsaved)" not in text
    # the group key and the Gi* variable in words, not area_code and neet_isolation_rate
    assert "group key Home area" in text and "area_code" not in text and "neet_isolation_rate" not in text
