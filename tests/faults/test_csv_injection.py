"""Formula-safe CSV everywhere (OWASP CSV injection; issue 11, deliverable 5): no cell SocialMap
writes begins with = + - @, a tab or a carriage return unless it is a plain number, and the
importers read every neutralised cell back exactly."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from socialmap.cli import main
from socialmap.csvsafe import NUMBER, neutralise, restore
from socialmap.model import Node
from socialmap.store import load_project, save_project

RISKY = re.compile(r"^[=+\-@\t\r]")
EVIL = "=cmd|'/C calc'!A0"


def test_the_rule_by_hand():
    assert neutralise(EVIL) == "'" + EVIL
    assert [neutralise(v) for v in ("+1 phone", "-", "@SUM(A1)", "\tx", "\rx", "'=x", "''+y")] == \
        ["'+1 phone", "'-", "'@SUM(A1)", "'\tx", "'\rx", "''=x", "'''+y"]
    # numbers stay numbers, so numeric columns stay numeric in a spreadsheet
    assert [neutralise(v) for v in ("-2.3", "+5", "-1e-3", "-.5", "3")] == ["-2.3", "+5", "-1e-3", "-.5", "3"]
    # but words that float() would take are text, and neutralised
    assert [neutralise(v) for v in ("-inf", "+nan", "-1,000")] == ["'-inf", "'+nan", "'-1,000"]
    assert [restore(c) for c in ("'=x", "''=x", "'quoted", "'", "-2.3")] == ["=x", "'=x", "'quoted", "'", "-2.3"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1.eE"), max_size=8) | st.text(max_size=20))
def test_restore_undoes_neutralise_for_every_text(text):
    written = neutralise(text)
    assert restore(written) == text
    assert not RISKY.match(written) or NUMBER.match(written)


def _cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _assert_safe(folder: Path) -> int:
    files = sorted(folder.glob("*.csv"))
    for path in files:
        for cell in _cells(path):
            assert not RISKY.match(cell) or NUMBER.match(cell), (path.name, cell)
    return len(files)


def test_every_csv_of_export_csv_is_safe_and_the_bundle_reads_back_exactly(tmp_path, small_project, capsys):
    """Labels and attributes that would run in Excel are written neutralised (the bundle included)
    and ``import csv`` gives back exactly the same text; the longitudes (-2.295) stay numbers."""
    project = small_project.copy()
    project.update_node("o1", label=EVIL)
    project.update_node("s1", label="+44 7700 900123", service_type="@youth")
    project.update_node("ad1", label="'=already quoted", role="-")
    project.add_node(Node("o2", "organisation", "-Hyphen Trust", lat=53.401, lon=-2.299,
                          attrs={"=evil header": "=1+1", "note": "-3 years"}))
    saved = tmp_path / "p.gpkg"
    save_project(project, saved)
    out = tmp_path / "tables"
    assert main(["export", "csv", str(saved), str(out), "--include-people"]) == 0
    assert _assert_safe(out) >= 5
    nodes = _cells(out / "nodes.csv")
    assert "'" + EVIL in nodes and "-2.295" in nodes and "'=evil header" in nodes
    back = tmp_path / "back.gpkg"
    assert main(["import", "csv", "--nodes", str(out / "nodes.csv"), "--ties", str(out / "ties.csv"),
                 "--areas", str(out / "areas.geojson"), str(back)]) == 0
    capsys.readouterr()
    again = load_project(back)
    for node_id in ("o1", "s1", "ad1", "o2"):
        a, b = project.nodes[node_id], again.nodes[node_id]
        assert (a.label, a.role, a.service_type) == (b.label, b.role, b.service_type), node_id
    assert again.nodes["o2"].attrs == {"=evil header": "=1+1", "note": "-3 years"}
    assert again.nodes["o1"].lon == -2.295


def test_the_evidence_figures_are_safe(tmp_path, small_project):
    from socialmap.reports.evidence import write_evidence_figures

    project = small_project.copy()
    project.update_node("o1", label=EVIL)
    write_evidence_figures(project, "o1", tmp_path / "e.csv")
    cells = _cells(tmp_path / "e.csv")
    assert "'" + EVIL in cells
    _assert_safe(tmp_path)
