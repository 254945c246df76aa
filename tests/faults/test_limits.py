"""Parsers with limits (issue 11, deliverable 4): each hostile input of the issue is one line and
exit 2, and a very long label is cut with a note in a PDF, never a LayoutError."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from socialmap.cli import main
from socialmap.store import save_project
from tests.faults.conftest import digest
from tests.faults.test_fuzz_importers import KUMU_CONNECTIONS, KUMU_ELEMENTS, ORUK, XML_ATTACKS


@pytest.fixture
def project_file(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    return path


def _refused(argv, capsys, *needles):
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert "Traceback" not in err and "internal error" not in err
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_json_nested_ten_thousand_deep(tmp_path, project_file, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 10_000 + "]" * 10_000)
    before = digest(project_file)
    _refused(["import", "openreferral", str(path), "--into", str(project_file)], capsys,
             str(path), "nests lists or objects", "levels deep")
    assert digest(project_file) == before


def test_json_nested_past_the_limit_but_within_python(tmp_path, project_file, capsys):
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"content": [{"id": "s", "x": "[" * 0}]}).replace('""', "[" * 80 + "]" * 80))
    _refused(["import", "openreferral", str(path), "--into", str(project_file)], capsys, "more than 64 levels")


@pytest.mark.parametrize("value", [5, "text", {"id": 3}, [None], True])
def test_a_json_value_of_the_wrong_type(tmp_path, project_file, capsys, value):
    doc = json.loads(json.dumps(ORUK))
    doc["content"][0]["service_at_locations"] = value
    doc["content"][1]["service_at_locations"][0]["location"]["physical_addresses"] = value
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    code = main(["import", "openreferral", str(path), "--into", str(project_file)])
    err = capsys.readouterr().err
    assert code in (0, 2) and "Traceback" not in err and "internal error" not in err


def _xlsx(tmp_path, attack: str):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Elements"
    for row in KUMU_ELEMENTS:
        book.active.append(row)
    sheet = book.create_sheet("Connections")
    for row in KUMU_CONNECTIONS:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    path = tmp_path / f"{attack.replace(' ', '-')}.xlsx"
    with zipfile.ZipFile(path, "w") as dest:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = XML_ATTACKS[attack](content)
            dest.writestr(name, content)
    return path


@pytest.mark.parametrize("attack,needle", [
    ("entity bomb", "declares a document type"),
    ("external entity", "declares a document type"),
    ("undefined entity", "cannot be read as an .xlsx workbook (sheet Elements)"),
    ("unbound prefix", "cannot be read as an .xlsx workbook (sheet Elements)"),
    ("junk after root", "cannot be read as an .xlsx workbook (sheet Elements)"),
])
def test_hostile_xml_in_a_workbook(tmp_path, project_file, capsys, attack, needle):
    path = _xlsx(tmp_path, attack)
    before = digest(project_file)
    _refused(["import", "kumu", str(path), "--into", str(project_file)], capsys, str(path), needle)
    assert digest(project_file) == before


def test_a_label_too_long_is_refused_at_its_row(tmp_path, project_file, capsys):
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id,kind,label,area_code\nz1,young_person," + "x" * 5000 + ",A1\n")
    ties = tmp_path / "ties.csv"
    ties.write_text("a,b,type\n")
    _refused(["import", "csv", "--nodes", str(nodes), "--ties", str(ties), "--into", str(project_file)], capsys,
             f"{nodes}, row 2, node 'z1', field 'label': is 5,000 characters long; at most 1,000")


def test_a_file_too_big_is_refused_unread(tmp_path, project_file, capsys, monkeypatch):
    from socialmap.interchange import limits

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(ORUK))
    _refused(["import", "openreferral", str(path), "--into", str(project_file)], capsys,
             "more than the 100 bytes SocialMap reads")


def test_a_hundred_thousand_character_label_in_every_pdf(tmp_path, small_project, capsys):
    """The scenario report failed with ReportLab's LayoutError; now every PDF cuts the label with
    a note saying how long it was."""
    from pypdf import PdfReader

    project = small_project.copy()
    long = "Youth club " + "x" * 100_000
    project.update_node("s1", label=long)
    project.update_node("o1", label="College " + "y " * 50_000)
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    for fmt, extra in (("scenario-report", ["--decommission", "s1"]), ("evidence", ["--org", "o1"]),
                       ("report", [])):
        out = tmp_path / f"{fmt}.pdf"
        assert main(["export", fmt, str(path), str(out), *extra]) == 0, capsys.readouterr().err
        capsys.readouterr()
        text = " ".join(page.extract_text() for page in PdfReader(out).pages)
        if fmt != "report":
            assert "shortened" in text, fmt
