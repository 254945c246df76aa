"""Kumu as Kumu users write it (issue 12), from Kumu's import guide ("Structure your data for
Kumu", docs.kumu.io): sheets found by their headers, several element sheets, sections separated
by blank rows, Element Type / Connection Type headers, reciprocal nominations, strengths in
words and scales, connections to unlisted labels; and ``export kumu`` read back."""

from __future__ import annotations

import openpyxl
import pytest

from socialmap.cli import main
from socialmap.store import load_project

PEOPLE = [["Label", "Element Type", "Area Code", "NEET"],
          ["Robin", "Young person", "A1", "yes"],
          ["Sam", "Young person", "A2", "no"],
          ["Jo", "Youth worker", "A2", None]]
ORGS = [["Label", "Element Type", "Latitude", "Longitude", "Provider"],
        ["Northfield College", "College", 53.405, -2.295, None],
        ["Youth club", "Service", 53.405, -2.285, "Northfield College"]]
LINKS = [["From", "To", "Connection Type", "Strength"],
         ["Robin", "Sam", "Friends", "strong"],
         ["Robin", "Youth club", "Attends", None],
         ["Northfield College", "Jo", "Works at", None]]


def book(path, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def run(tmp_path, path, areas, *extra):
    out = tmp_path / "out.gpkg"
    out.unlink(missing_ok=True)
    code = main(["import", "kumu", str(path), "--areas", str(areas), *extra, str(out)])
    return code, (load_project(out) if code == 0 else None)


def test_separate_people_and_organisations_sheets_are_one_list(tmp_path, areas_geojson):
    """Sheets named People, Organisations and Links (not Elements/Connections): found by their
    headers. 5 elements; 3 connections + the provides tie from Provider = 4 ties."""
    path = book(tmp_path / "m.xlsx", {"People": PEOPLE, "Organisations": ORGS, "Links": LINKS})
    code, p = run(tmp_path, path, areas_geojson)
    assert code == 0
    assert {n.id: n.kind for n in p.nodes.values()} == {
        "Robin": "young_person", "Sam": "young_person", "Jo": "adult",
        "Northfield College": "organisation", "Youth club": "service"}
    assert len(p.ties) == 4 and p.ties[("Robin", "Sam")].strength == 3


def test_one_sheet_with_sections_separated_by_blank_rows(tmp_path, areas_geojson):
    rows = [*PEOPLE, [None], [None], *ORGS, [None], *LINKS]
    path = book(tmp_path / "m.xlsx", {"Sheet1": rows})
    code, p = run(tmp_path, path, areas_geojson)
    assert code == 0 and len(p.nodes) == 5 and len(p.ties) == 4


def test_a_blank_row_inside_a_sheet_is_not_a_new_section(tmp_path, areas_geojson):
    rows = [PEOPLE[0], PEOPLE[1], [None], PEOPLE[2], PEOPLE[3]]
    path = book(tmp_path / "m.xlsx", {"People": rows, "Orgs": ORGS})
    code, p = run(tmp_path, path, areas_geojson)
    assert code == 0 and {"Robin", "Sam", "Jo"} <= set(p.nodes)


def test_reciprocal_nominations_refused_at_the_duplicate_row_or_merged(tmp_path, areas_geojson, capsys):
    """Robin names Sam (row 2) and Sam names Robin (row 5): one tie per pair. Without the option
    the duplicate's own row (5) is named, with the first; with --merge-duplicates one tie."""
    links = [*LINKS, ["Sam", "Robin", "Friends", "medium"]]
    path = book(tmp_path / "m.xlsx", {"People": PEOPLE, "Orgs": ORGS, "Links": links})
    code, _ = run(tmp_path, path, areas_geojson)
    err = capsys.readouterr().err
    assert code == 2 and "row 5" in err and "the first at row 2" in err and "--merge-duplicates" in err
    code, p = run(tmp_path, path, areas_geojson, "--merge-duplicates")
    assert code == 0 and len(p.ties) == 4 and p.ties[("Robin", "Sam")].strength == 3
    assert "merged" in capsys.readouterr().err


def test_repeated_label_merged_with_the_option(tmp_path, areas_geojson, capsys):
    people = [*PEOPLE, ["Robin", "Young person", "A1", "yes"]]
    path = book(tmp_path / "m.xlsx", {"People": people, "Orgs": ORGS, "Links": LINKS})
    code, _ = run(tmp_path, path, areas_geojson)
    err = capsys.readouterr().err
    assert code == 2 and "row 5" in err and "duplicate label 'Robin' (first at row 2)" in err
    code, p = run(tmp_path, path, areas_geojson, "--merge-duplicates")
    assert code == 0 and len(p.nodes) == 5


def test_no_type_column_takes_the_default_tie_type(tmp_path, areas_geojson, capsys):
    links = [["From", "To"], ["Robin", "Sam"]]
    path = book(tmp_path / "m.xlsx", {"People": PEOPLE, "Orgs": ORGS, "Links": links})
    code, _ = run(tmp_path, path, areas_geojson)
    assert code == 2 and "--default-tie-type" in capsys.readouterr().err
    code, p = run(tmp_path, path, areas_geojson, "--default-tie-type", "peer")
    assert code == 0 and p.ties[("Robin", "Sam")].type == "peer"


def test_strength_words_and_scales_mapped(tmp_path, areas_geojson, capsys):
    """On a 1-5 scale: 1 -> 1, 3 -> 2, 5 -> 3 (1 + round((v-1)/4*2)); 'close' mapped to 3."""
    links = [["From", "To", "Type", "Strength"], ["Robin", "Sam", "friend", 5], ["Jo", "Robin", "mentor", 3],
             ["Jo", "Sam", "mentor", "close"], ["Robin", "Youth club", "attends", 1]]
    path = book(tmp_path / "m.xlsx", {"People": PEOPLE, "Orgs": ORGS, "Links": links})
    code, _ = run(tmp_path, path, areas_geojson)
    assert code == 2 and "--strength-map" in capsys.readouterr().err
    code, p = run(tmp_path, path, areas_geojson, "--strength-map", "close=3,1-5")
    assert code == 0
    assert [p.ties[k].strength for k in (("Robin", "Sam"), ("Jo", "Robin"), ("Jo", "Sam"), ("Robin", "Youth club"))] \
        == [3, 2, 3, 1]


def test_an_unlisted_worker_is_created_with_a_note_and_an_unlisted_club_refused(tmp_path, areas_geojson, capsys):
    links = [*LINKS, ["Alex", "Robin", "Youth worker", None]]
    path = book(tmp_path / "m.xlsx", {"People": PEOPLE, "Orgs": ORGS, "Links": links})
    code, p = run(tmp_path, path, areas_geojson)
    assert code == 0 and p.nodes["Alex"].kind == "adult" and ("Alex", "Robin") in p.ties
    assert "named only in connections were created as adults: Alex" in capsys.readouterr().err
    links = [*LINKS, ["Robin", "Chess club", "Attends", None]]
    path = book(tmp_path / "m2.xlsx", {"People": PEOPLE, "Orgs": ORGS, "Links": links})
    code, _ = run(tmp_path, path, areas_geojson)
    err = capsys.readouterr().err
    assert code == 2 and "'Chess club' is not an element" in err and "row 5" in err


def test_a_missing_location_suggests_postcodes(tmp_path, areas_geojson, capsys):
    orgs = [["Label", "Type"], ["Bridge Trust", "Charity"]]
    path = book(tmp_path / "m.xlsx", {"People": PEOPLE, "Orgs": orgs})
    code, _ = run(tmp_path, path, areas_geojson)
    err = capsys.readouterr().err
    assert code == 2 and "--postcodes" in err and "Bridge Trust" in err


def test_no_element_sheet_lists_the_headers_found(tmp_path, areas_geojson, capsys):
    path = book(tmp_path / "m.xlsx", {"Stuff": [["Name", "Kind"], ["Robin", "x"]]})
    code, _ = run(tmp_path, path, areas_geojson)
    assert code == 2 and "Stuff: Name, Kind" in capsys.readouterr().err


# ------------------------------------------------------------------ export kumu and back
def test_export_kumu_round_trip(tmp_path, saved_small, areas_geojson):
    """Without --include-people: the organisation, service and adult with their ties (employs,
    provides) come back; young people and the ties that reach them are not in the workbook."""
    out = tmp_path / "k.xlsx"
    assert main(["export", "kumu", str(saved_small), str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Elements", "Connections"]
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    assert "Robin" not in text and "yp1" not in text
    back = tmp_path / "back.gpkg"
    assert main(["import", "kumu", str(out), "--areas", str(areas_geojson), str(back)]) == 0
    p, q = load_project(saved_small), load_project(back)
    assert {i: n.kind for i, n in q.nodes.items()} == {"ad1": "adult", "o1": "organisation", "s1": "service"}
    assert q.nodes["s1"].provider == "o1" and q.nodes["o1"].employees_local == p.nodes["o1"].employees_local
    assert q.nodes["ad1"].role == p.nodes["ad1"].role
    assert {(t.a, t.b, t.type) for t in q.ties.values()} == {
        (t.a, t.b, t.type) for t in p.ties.values() if t.a in q.nodes and t.b in q.nodes}


def test_export_kumu_with_people_uses_pseudonyms_only(tmp_path, saved_small, areas_geojson):
    out = tmp_path / "k.xlsx"
    assert main(["export", "kumu", str(saved_small), str(out), "--include-people"]) == 0
    text = " ".join(str(c.value) for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for c in row)
    assert "Robin" not in text and "yp00001" in text
    back = tmp_path / "back.gpkg"
    assert main(["import", "kumu", str(out), "--areas", str(areas_geojson), str(back)]) == 0
    q = load_project(back)
    assert sum(n.kind == "young_person" for n in q.nodes.values()) == 3
    assert len(q.ties) == len(load_project(saved_small).ties)


def test_export_kumu_keeps_text_as_text(tmp_path, small_project):
    from socialmap.interchange.writers.kumu import write_kumu

    small_project.update_node("o1", label="=HYPERLINK(\"http://evil\")")
    wb = openpyxl.load_workbook(write_kumu(small_project, tmp_path / "k.xlsx"))
    cell = next(c for row in wb["Elements"].iter_rows() for c in row if str(c.value).startswith("=HYP"))
    assert cell.data_type == "s"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_files_import_back(tmp_path, saved_small, areas_geojson, fmt):
    """A network exported to Gephi with --include-people comes back: the same nodes by kind and
    the same ties (measures in the file are left out)."""
    out = tmp_path / f"g.{fmt}"
    assert main(["export", fmt, str(saved_small), str(out), "--include-people"]) == 0
    back = tmp_path / "back.gpkg"
    assert main(["import", fmt, str(out), "--areas", str(areas_geojson), str(back)]) == 0
    p, q = load_project(saved_small), load_project(back)
    assert {i: n.kind for i, n in q.nodes.items()} == {i: n.kind for i, n in p.nodes.items()}
    assert {(t.a, t.b, t.type, t.strength) for t in q.ties.values()} == {
        (t.a, t.b, t.type, t.strength) for t in p.ties.values()}
    assert "degree" not in q.nodes["o1"].attrs


def test_a_yed_style_graphml_with_escaped_ids_and_types(tmp_path, areas_geojson):
    """A hand-written GraphML as yEd/NodeXL keep it: a 'type' key, labels, edge 'relationship'."""
    path = tmp_path / "n.graphml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<key id="d0" for="node" attr.name="type" attr.type="string"/>\n'
        '<key id="d1" for="node" attr.name="label" attr.type="string"/>\n'
        '<key id="d2" for="node" attr.name="area" attr.type="string"/>\n'
        '<key id="d3" for="edge" attr.name="relationship" attr.type="string"/>\n'
        '<graph edgedefault="undirected">\n'
        '<node id="n0"><data key="d0">Parent</data><data key="d1">Pat</data><data key="d2">A1</data></node>\n'
        '<node id="n1"><data key="d0">Mentor</data><data key="d1">Mo</data></node>\n'
        '<edge source="n0" target="n1"><data key="d3">friends</data></edge>\n'
        '</graph></graphml>\n')
    code, p = run_graph(tmp_path, path, areas_geojson, "graphml")
    assert code == 0 and p.nodes["n0"].role == "parent" and p.nodes["n0"].area_code == "A1"
    assert p.nodes["n0"].label == "Pat" and p.ties[("n0", "n1")].type == "friend"


def test_a_network_without_kinds_is_refused_with_the_way_to_say_them(tmp_path, areas_geojson, capsys):
    path = tmp_path / "n.gexf"
    path.write_text('<?xml version="1.0"?><gexf xmlns="http://www.gexf.net/1.2draft" version="1.2"><graph>'
                    '<nodes><node id="a" label="A"/></nodes><edges/></graph></gexf>')
    code, _ = run_graph(tmp_path, path, areas_geojson, "gexf")
    assert code == 2 and "no kind or type attribute" in capsys.readouterr().err
    code, _ = run_graph(tmp_path, path, areas_geojson, "graphml")
    assert code == 2 and "import it with 'socialmap import gexf'" in capsys.readouterr().err


def test_xml_entities_are_refused(tmp_path, areas_geojson, capsys):
    path = tmp_path / "bomb.graphml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa">]>'
                    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
                    '<node id="&a;"/></graph></graphml>')
    code, _ = run_graph(tmp_path, path, areas_geojson, "graphml")
    assert code == 2 and "not well-formed XML" in capsys.readouterr().err


def run_graph(tmp_path, path, areas, fmt, *extra):
    out = tmp_path / f"out-{fmt}.gpkg"
    if out.exists():
        out.unlink()
    code = main(["import", fmt, str(path), "--areas", str(areas), *extra, str(out)])
    return code, (load_project(out) if code == 0 else None)
