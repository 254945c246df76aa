"""Kumu import (Elements + Connections), from the layout in Kumu's import guide:
Elements need ``Label`` (and here ``Type``); Connections need ``From``, ``To``
(``|`` separates several targets) and ``Type``."""

from __future__ import annotations

import hashlib

from socialmap.cli import main
from socialmap.store import load_project

ELEMENTS = [
    ["Label", "Type", "Description", "Area Code", "Latitude", "Longitude", "NEET", "Age", "Provider"],
    ["Robin", "Young person", "likes football", "A1", None, None, "yes", 17, None],
    ["Sam", "young_person", None, "A2", None, None, "no", 18, None],
    ["Jo", "Youth worker", None, "A2", None, None, None, None, None],
    ["Northfield College", "College", "FE college", None, 53.405, -2.295, None, None, None],
    ["Youth club", "Service", None, None, 53.405, -2.285, None, None, "Northfield College"],
]
CONNECTIONS = [
    ["From", "To", "Type", "Strength", "Direction"],
    ["Robin", "Sam", "Friends", "strong", "undirected"],
    ["Robin", "Youth club", "Attends", None, None],
    ["Northfield College", "Jo", "Works at", None, None],
    ["Jo", "Sam|Robin", "Youth worker", 2, None],
]


def write_xlsx(path, elements=ELEMENTS, connections=CONNECTIONS, extra_sheets=()):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Elements"
    for row in elements:
        ws.append(row)
    if connections is not None:
        wc = book.create_sheet("Connections")
        for row in connections:
            wc.append(row)
    for name in extra_sheets:
        book.create_sheet(name).append(["anything"])
    book.save(path)
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_workbook_becomes_a_project(tmp_path, areas_geojson):
    """5 elements -> 5 nodes; 4 connection rows with one ``a|b`` cell -> 5 ties, plus the
    ``provides`` tie derived from the service's Provider column = 6 ties."""
    book = write_xlsx(tmp_path / "map.xlsx", extra_sheets=["Notes (ignore)"])
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert {n.id: n.kind for n in p.nodes.values()} == {
        "Robin": "young_person", "Sam": "young_person", "Jo": "adult",
        "Northfield College": "organisation", "Youth club": "service"}
    assert p.nodes["Robin"].neet is True and p.nodes["Robin"].age == 17
    assert p.nodes["Jo"].role == "youth worker"
    assert p.nodes["Northfield College"].org_type == "school_college"
    assert p.nodes["Youth club"].provider == "Northfield College"
    assert p.nodes["Robin"].attrs == {"Description": "likes football"}
    types = sorted(t.type for t in p.ties.values())
    assert types == ["attends", "employs", "friend", "provides", "worker", "worker"]
    assert p.get_tie("Robin", "Sam").strength == 3
    assert p.get_tie("Jo", "Sam").strength == 2


def test_unknown_types_are_reported_by_row_and_nothing_is_written(tmp_path, areas_geojson, capsys):
    elements = ELEMENTS + [["Kit", "Person", None, "A1", None, None, None, None, None]]
    connections = CONNECTIONS + [["Robin", "Kit", "Knows", None, None]]
    book = write_xlsx(tmp_path / "map.xlsx", elements, connections)
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(out)]) == 2
    err = capsys.readouterr().err
    assert "sheet Elements, row 7" in err and "unknown type 'Person'" in err and "--kind-map" in err
    assert "sheet Connections, row 6" in err and "unknown connection type 'Knows'" in err
    assert not out.exists()


def test_kind_and_tie_maps_resolve_unknown_types(tmp_path, areas_geojson):
    elements = ELEMENTS + [["Kit", "Person", None, "A1", None, None, None, None, None]]
    connections = CONNECTIONS + [["Robin", "Kit", "Knows", None, None]]
    book = write_xlsx(tmp_path / "map.xlsx", elements, connections)
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(book), "--kind-map", "Person=young_person", "--tie-map", "Knows=peer",
                 "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert p.nodes["Kit"].kind == "young_person"
    assert p.get_tie("Robin", "Kit").type == "peer"


def test_bad_kind_map_value_is_refused(tmp_path, areas_geojson, capsys):
    book = write_xlsx(tmp_path / "map.xlsx")
    assert main(["import", "kumu", str(book), "--kind-map", "Person=human", "--areas", str(areas_geojson),
                 str(tmp_path / "o.gpkg")]) == 2
    assert "'human' (for 'Person') is not one of" in capsys.readouterr().err


def test_rule_breaks_carry_the_row(tmp_path, areas_geojson, capsys):
    """A friend tie between a young person and a service breaks the endpoint rule; the message
    names the Connections row it came from."""
    connections = CONNECTIONS + [["Sam", "Youth club", "Friend", None, None]]
    book = write_xlsx(tmp_path / "map.xlsx", connections=connections)
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(tmp_path / "o.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "sheet Connections, row 6" in err and "a friend tie joins" in err


def test_merge_into_existing_project(tmp_path, saved_small):
    """Two new elements joined to existing nodes by their ids: 6 + 2 nodes, 6 + 2 ties."""
    elements = [["Label", "Type", "Area code"], ["Ash", "Young person", "A2"], ["Bea", "Young person", "A1"]]
    connections = [["From", "To", "Type"], ["Ash", "yp3", "Friend"], ["Bea", "s1", "attends"]]
    book = write_xlsx(tmp_path / "more.xlsx", elements, connections)
    before = load_project(saved_small)
    assert main(["import", "kumu", str(book), "--into", str(saved_small)]) == 0
    after = load_project(saved_small)
    assert len(after.nodes) == len(before.nodes) + 2
    assert len(after.ties) == len(before.ties) + 2
    assert after.get_tie("Ash", "yp3").type == "friend"
    assert after.settings == before.settings


def test_failed_merge_leaves_the_project_untouched(tmp_path, saved_small, capsys):
    elements = [["Label", "Type", "Area code"], ["Ash", "Young person", "A9"], ["yp1", "Young person", "A1"]]
    book = write_xlsx(tmp_path / "more.xlsx", elements, [["From", "To", "Type"], ["Ash", "nobody", "friend"]])
    before = digest(saved_small)
    assert main(["import", "kumu", str(book), "--into", str(saved_small)]) == 2
    err = capsys.readouterr().err
    assert "unknown area code 'A9'" in err and "row 2" in err
    assert "id 'yp1' is already in" in err
    assert "'nobody' is not an element" in err
    assert digest(saved_small) == before


def test_two_csv_sheets(tmp_path, areas_geojson):
    import csv

    def write(path, rows):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([["" if c is None else c for c in r] for r in rows])
        return path

    el = write(tmp_path / "elements.csv", ELEMENTS)
    co = write(tmp_path / "connections.csv", CONNECTIONS)
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(el), "--connections", str(co), "--areas", str(areas_geojson), str(out)]) == 0
    assert len(load_project(out).ties) == 6


def test_postcodes_place_people_by_area_only(tmp_path, areas_geojson, lookup_csv):
    """A young person's postcode sets area_code (M1 2BB -> A2) and is stored nowhere; a
    service's postcode places it at the centroid."""
    elements = [["Label", "Type", "Postcode", "Latitude", "Longitude"],
                ["Robin", "Young person", "m12bb", None, None],
                ["Club", "Service", "M1 1AA", None, None]]
    book = write_xlsx(tmp_path / "pc.xlsx", elements, [["From", "To", "Type"], ["Robin", "Club", "attends"]])
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(book), "--postcodes", str(lookup_csv), "--areas", str(areas_geojson),
                 str(out)]) == 0
    p = load_project(out)
    assert p.nodes["Robin"].area_code == "A2"
    assert "postcode" not in p.nodes["Robin"].attrs
    assert (p.nodes["Club"].lat, p.nodes["Club"].lon) == (53.405, -2.295)
    assert b"M1 2BB" not in out.read_bytes() and b"m12bb" not in out.read_bytes()


def test_unknown_postcode_is_reported_by_row(tmp_path, areas_geojson, lookup_csv, capsys):
    elements = [["Label", "Type", "Postcode"], ["Robin", "Young person", "M9 9ZZ"],
                ["Club", "Service", "ZZ9 9ZZ"]]
    book = write_xlsx(tmp_path / "pc.xlsx", elements, None)
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(book), "--postcodes", str(lookup_csv), "--areas", str(areas_geojson),
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "is not in the postcode lookup" in err and "M9 9ZZ" not in err
    assert "row 3" in err and "has no grid reference" in err
    assert not out.exists()


def test_target_must_be_into_or_areas_and_out(tmp_path, saved_small, areas_geojson, capsys):
    book = write_xlsx(tmp_path / "map.xlsx")
    assert main(["import", "kumu", str(book), "--into", str(saved_small), "--areas", str(areas_geojson),
                 str(tmp_path / "o.gpkg")]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["import", "kumu", str(book), str(tmp_path / "o.gpkg")]) == 2
    assert "give --into P.gpkg" in capsys.readouterr().err
    existing = tmp_path / "exists.gpkg"
    existing.write_bytes(b"keep me")
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(existing)]) == 2
    assert "already exists" in capsys.readouterr().err and existing.read_bytes() == b"keep me"


def test_a_connection_to_a_refused_element_is_not_reported_as_an_unknown_node(tmp_path, areas_geojson, capsys):
    """Kit (Elements row 7) has the type 'Person', which is refused there. Robin-Kit 'Friends'
    (Connections row 6) is a good row: blaming it with "unknown node 'Kit'" would send the user
    looking for a missing element that is in the sheet. One line: Kit's own."""
    elements = ELEMENTS + [["Kit", "Person", None, "A1", None, None, None, None, None]]
    connections = CONNECTIONS + [["Robin", "Kit", "Friends", None, None]]
    book = write_xlsx(tmp_path / "map.xlsx", elements, connections)
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(out)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "sheet Elements, row 7" in lines[0] and "unknown type 'Person'" in lines[0], lines
    assert not out.exists()


def _csv_sheets(tmp_path, elements_bytes: bytes):
    import csv

    elements = tmp_path / "elements.csv"
    elements.write_bytes(elements_bytes)
    links = tmp_path / "connections.csv"
    with open(links, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[c if c is not None else "" for c in r] for r in CONNECTIONS])
    return elements, links


def test_an_elements_csv_that_is_not_utf8_text_is_named_for_what_it_is(tmp_path, areas_geojson, capsys):
    """A binary file, UTF-16 text (Excel's "Unicode text") and Windows-1252 are each refused in one
    line saying what the file is, as ``import csv`` does, and the Connections rows are not all
    blamed for naming elements that could not be read."""
    out = tmp_path / "out.gpkg"
    cases = [
        (b"\x00\x01\x02binary", "is a binary file"),
        ("Label,Type\nRobin,Young person\n".encode("utf-16"), "is UTF-16 text"),
        ("Label,Type\nCafé,Service\n".encode("cp1252"), "Windows-1252"),
    ]
    for content, words in cases:
        elements, links = _csv_sheets(tmp_path, content)
        code = main(["import", "kumu", str(elements), "--connections", str(links), "--areas", str(areas_geojson),
                     str(out)])
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert code == 2 and len(lines) == 1 and words in lines[0] and "\x00" not in lines[0], lines
        assert not out.exists()


def test_an_elements_sheet_without_label_column_is_one_problem(tmp_path, areas_geojson, capsys):
    """Elements without a Label column cannot be read; that is the one problem to fix, not one more per
    connection row."""
    elements, links = _csv_sheets(tmp_path, b"Name,Type\nRobin,Young person\n")
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(elements), "--connections", str(links), "--areas", str(areas_geojson),
                 str(out)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "has no Label column" in lines[0], lines


def test_dropped_postcodes_of_people_are_one_note_with_a_count(tmp_path, areas_geojson, capsys):
    """Three young people with a postcode and no --postcodes: one note saying 3 postcodes were not
    kept, not the same note three times (a sheet of 400 people printed 400 lines)."""
    elements, _ = _csv_sheets(tmp_path, b"Label,Type,Area code,Postcode\nAmy,Young person,A1,M1 1AA\n"
                                        b"Ben,Young person,A1,M1 1AB\nCal,Young person,A2,M1 1AC\n")
    assert main(["import", "kumu", str(elements), "--areas", str(areas_geojson), str(tmp_path / "o.gpkg")]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "not stored" in line]
    assert len(notes) == 1 and "3 people" in notes[0], notes


def test_a_decimal_comma_is_refused_not_read_as_a_thousands_separator(tmp_path, areas_geojson, capsys):
    """"2,5" hours a week (a decimal comma) was read as 25: the comma was dropped wherever it stood.
    As in ``import csv``, only a thousands separator in its place ("1,200") is accepted."""
    header = ["Label", "Type", "Latitude", "Longitude", "Hours per week", "Annual value"]
    elements = [header,
                ["Club", "Service", 53.405, -2.285, "2,5", "£1,200"],
                ["Hall", "Service", 53.405, -2.285, "3", "£12,000.50"]]
    out = tmp_path / "out.gpkg"
    book = write_xlsx(tmp_path / "map.xlsx", elements, None)
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "'Hours per week'" in err and "'2,5' is not a number" in err, err
    assert "row 3" not in err
    elements[1][4] = "2.5"
    book = write_xlsx(tmp_path / "map.xlsx", elements, None)
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(out)]) == 0
    p = load_project(out)
    assert (p.nodes["Club"].hours_per_week, p.nodes["Club"].annual_value) == (2.5, 1200.0)
    assert p.nodes["Hall"].annual_value == 12000.5


def test_a_strength_of_inf_is_a_bad_cell_not_an_internal_error(tmp_path, areas_geojson, capsys):
    """'inf' used to reach int(float('inf')) and stop with 'internal error: OverflowError' (exit 1);
    through the shared whole-number parser it is one refused cell (exit 2)."""
    connections = [CONNECTIONS[0], ["Robin", "Sam", "Friends", "inf", None]]
    book = write_xlsx(tmp_path / "map.xlsx", connections=connections)
    out = tmp_path / "out.gpkg"
    assert main(["import", "kumu", str(book), "--areas", str(areas_geojson), str(out)]) == 2
    err = capsys.readouterr().err
    assert "sheet Connections, row 2" in err and "strength 'inf' is not 1, 2, 3 or weak/medium/strong" in err
    assert "internal error" not in err and not out.exists()
