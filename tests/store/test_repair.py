"""A project edited in QGIS into an invalid state (issue 12): check lists every problem, repair
applies the safe fixes (each reported) and keeps the QGIS column and style."""

from __future__ import annotations

import sqlite3

from socialmap.cli import main
from socialmap.store import load_project, save_project
from socialmap.store.foreign import gpkg_functions
from tests.qgis_edits import add_point, grid_project


def _qgis_breaks_it(path):
    """In QGIS: the service s1 deleted (5 ties or fields still name it: yp1-s1 attends, o1-s1
    provides, the yp2-yp3 and o1-ad1 contexts), a point digitised as an adult with no id, a
    column and a style added."""
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        geom = con.execute("SELECT geom FROM nodes WHERE id = 'o1'").fetchone()[0]
        con.execute("DELETE FROM nodes WHERE id = 's1'")
        con.execute("INSERT INTO nodes (id, kind, label, geom) VALUES (NULL, 'adult', NULL, ?)", (geom,))
        con.execute("ALTER TABLE nodes ADD COLUMN qgis_note TEXT")
        con.execute("UPDATE nodes SET qgis_note = 'checked' WHERE id = 'o1'")
        con.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, f_table_name TEXT, styleQML TEXT)")
        con.execute("INSERT INTO layer_styles VALUES (1, 'nodes', '<qgis/>')")
    con.close()


def test_check_lists_every_problem_and_repair_fixes_them(tmp_path, small_project, capsys):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    _qgis_breaks_it(path)
    before = path.read_bytes()
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "a point with no id" in err and "node None" not in err
    assert err.count("'s1'") >= 3  # every tie naming the deleted service, not only the first
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    err = capsys.readouterr().err
    assert "given the id 'new-1'" in err and "tie 'yp1'-'s1' (attends): dropped, 's1' is gone" in err
    assert "context 's1' is gone" in err
    assert path.read_bytes() == before  # the original is left as it was
    p = load_project(out)
    assert "s1" not in p.nodes and p.nodes["new-1"].kind == "adult"
    assert p.ties[("yp2", "yp3")].context is None and ("s1", "yp1") not in p.ties
    con = sqlite3.connect(out)
    assert con.execute("SELECT qgis_note FROM nodes WHERE id = 'o1'").fetchone() == ("checked",)
    assert con.execute("SELECT styleQML FROM layer_styles").fetchall() == [("<qgis/>",)]
    con.close()
    # and it survives a save by SocialMap with the column and style intact
    save_project(load_project(out), out)
    con = sqlite3.connect(out)
    assert con.execute("SELECT qgis_note FROM nodes WHERE id = 'o1'").fetchone() == ("checked",)
    assert con.execute("SELECT count(*) FROM layer_styles").fetchone() == (1,)
    con.close()
    assert main(["check", str(out)]) == 0


def test_opening_a_broken_file_points_to_check_and_repair(tmp_path, small_project):
    import pytest

    from socialmap.errors import ProjectFileError

    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    _qgis_breaks_it(path)
    with pytest.raises(ProjectFileError, match="socialmap check"):
        load_project(path)


# --------------------------------------------------------------------------- nearest area in metres

def test_a_young_person_digitised_120_m_outside_area_a_and_400_m_from_b_goes_to_a(tmp_path, capsys):
    """A young person digitised in QGIS (kind only) at E 381120, N 390500: 120 m east of A's
    east edge (E 381000), 400 m west of B's west edge (E 381520). Nearest: A, 120 m; the point,
    perhaps a home, is replaced by the privacy placement inside A."""
    import shapely

    p, to_wgs84, _ = grid_project()
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    add_point(path, to_wgs84, 381120, 390500, kind="young_person")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "a point with no id" in err
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    err = capsys.readouterr().err
    assert "given the id 'new-1'" in err
    assert ("node 'new-1': no area code -> 'A', the nearest area: its point lies 120 m outside it "
            "('B' is 400 m away), measured in EPSG:27700; its point is replaced by its placement") in err
    person = load_project(out).nodes["new-1"]
    assert person.area_code == "A"
    assert shapely.Point(person.lon, person.lat).within(p.areas["A"].geometry)


def test_the_nearest_area_is_nearest_in_metres_not_in_degrees(tmp_path, capsys):
    """A service whose area code names no area, at E 381300, N 390500: 300 m east of A (whose
    northings span it), 400 m south of C (E 381100-382100, N 390900-391900). In degrees at
    53.4 N, 300 m of longitude is 0.0045 and 400 m of latitude 0.0036, so C would look nearer;
    in metres A is."""
    from socialmap.model import Node, Project

    p, to_wgs84, area = grid_project()
    q = Project()
    q.add_area(p.areas["A"])
    q.add_area(area("C", 381100, 390900, 382100, 391900))
    lon, lat = to_wgs84.transform(381300, 390500)
    q.add_node(Node("s1", "service", "Club", lat=lat, lon=lon, area_code="A"))
    path = tmp_path / "p.gpkg"
    save_project(q, path)
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        con.execute("UPDATE nodes SET area_code = 'E01999999' WHERE id = 's1'")  # a code typed wrongly in QGIS
    con.close()
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown area code 'E01999999'; its point lies 300 m outside every area" in err
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    assert "'E01999999' -> 'A', the nearest area: its point lies 300 m outside it ('C' is 400 m away)" in \
        capsys.readouterr().err
    s1 = load_project(out).nodes["s1"]
    assert s1.area_code == "A" and (s1.lat, s1.lon) == (lat, lon)  # a site stays where it was drawn


def test_a_point_far_outside_every_area_is_not_moved_by_repair(tmp_path, capsys):
    """At E 384000: 1,480 m east of B (past NEAREST_SAFE_M, 1,000 m), 3,000 m east of A: offered,
    not applied; repair writes nothing and says what is needed."""
    p, to_wgs84, _ = grid_project()
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    add_point(path, to_wgs84, 384000, 390500, id="yp9", kind="young_person", label="Sam")
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 2
    err = capsys.readouterr().err
    assert "node 'yp9', field 'area_code': a young person needs a home area; its point lies 1,480 m outside every " \
           "area (needs a decision: put it in area 'B'" in err
    assert not out.exists()


def test_a_point_with_no_kind_is_left_out_by_repair_and_reported(tmp_path, capsys):
    p, to_wgs84, _ = grid_project()
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    add_point(path, to_wgs84, 380200, 390200)  # no attributes at all
    before = path.read_bytes()
    assert main(["check", str(path)]) == 2
    assert "a point with no id and no kind at" in capsys.readouterr().err
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    err = capsys.readouterr().err
    assert "not fixed: nodes feature 2: left out, a point with no id and no kind" in err
    assert "which kind it is needs a decision" in err and "1 point(s) left out" in err
    assert set(load_project(out).nodes) == {"o1"}
    assert path.read_bytes() == before


def test_a_fix_undone_gives_the_problem_back(tmp_path, small_project):
    """The session the window's repair view works on: apply, restore, the findings follow."""
    from socialmap.store.repair import RepairSession

    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    _qgis_breaks_it(path)
    session = RepairSession(path)
    first = [str(f.problem) for f in session.blocking()]
    tie = next(f for f in session.blocking() if f.problem.record == "tie 'yp1'-'s1'")
    changes, line = tie.safe_fix.changes_for()
    before = session.apply(changes)
    assert line == "tie 'yp1'-'s1' (attends): dropped, 's1' is gone"
    assert str(tie.problem) not in [str(f.problem) for f in session.blocking()]
    session.restore(before)
    assert [str(f.problem) for f in session.blocking()] == first
    session.apply_safe()
    assert session.blocking() == []
    assert "new-1" in session.project().nodes


def test_the_sample_edited_in_qgis_survives_repair_and_a_save_with_its_column_and_style(tmp_path, capsys):
    """Issue 12's Done-when, end to end through the CLI: the bundled sample with a column added
    to the nodes layer, a saved style and a saved QGIS project, and the service svc01 deleted
    (27 ties name it: as an end or as their context). check lists each of them; repair drops or
    clears each; a SocialMap save of the result keeps the column's values, the style and the
    QGIS project."""
    from socialmap.store import load_project

    path = tmp_path / "sample.gpkg"
    assert main(["sample", str(path)]) == 0
    sample = load_project(path)
    naming = [t for t in sample.ties.values() if "svc01" in (t.a, t.b, t.context)]
    ends = [t for t in naming if "svc01" in (t.a, t.b)]
    assert len(naming) == 27
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        con.execute("ALTER TABLE nodes ADD COLUMN qgis_checked TEXT")
        con.execute("UPDATE nodes SET qgis_checked = 'visited ' || id WHERE kind = 'organisation'")
        con.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_name TEXT, "
                    "f_geometry_column TEXT, styleName TEXT, styleQML TEXT, useAsDefault BOOLEAN)")
        con.execute("INSERT INTO layer_styles (f_table_name, f_geometry_column, styleName, styleQML, useAsDefault) "
                    "VALUES ('nodes', 'geom', 'by kind', '<qgis><renderer-v2 type=\"categorizedSymbol\"/></qgis>', 1)")
        con.execute("CREATE TABLE qgis_projects (name TEXT PRIMARY KEY, metadata BLOB, content BLOB)")
        con.execute("INSERT INTO qgis_projects VALUES ('patch', x'7b7d', x'504b0304')")
        con.execute("DELETE FROM nodes WHERE id = 'svc01'")
    con.close()
    capsys.readouterr()
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("unknown node 'svc01'") == len(ends)
    assert err.count("unknown context 'svc01'") == len(naming) - len(ends)
    out = tmp_path / "repaired.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("fixed: ") == 27 and "(27 fix(es))" in err
    save_project(load_project(out), out)  # and a save by SocialMap
    con = sqlite3.connect(out)
    kept = dict(con.execute("SELECT id, qgis_checked FROM nodes WHERE qgis_checked IS NOT NULL"))
    assert kept == {n.id: f"visited {n.id}" for n in sample.nodes.values() if n.kind == "organisation"}
    assert con.execute("SELECT styleName, styleQML FROM layer_styles").fetchall() == [
        ("by kind", '<qgis><renderer-v2 type="categorizedSymbol"/></qgis>')]
    assert con.execute("SELECT name, content FROM qgis_projects").fetchall() == [("patch", b"PK\x03\x04")]
    con.close()
    assert main(["check", str(out)]) == 0
    repaired = load_project(out)
    assert "svc01" not in repaired.nodes and len(repaired.ties) == len(sample.ties) - len(ends)


def test_check_json_gives_each_problem_with_its_fix(tmp_path, capsys):
    """One tie to a deleted node (a safe fix) and one bare point (a decision), as JSON."""
    import json

    p, to_wgs84, _ = grid_project()
    from socialmap.model import Node, Tie

    p.add_node(Node("s1", "service", "Club", lat=p.nodes["o1"].lat, lon=p.nodes["o1"].lon, area_code="A"))
    p.add_tie(Tie("o1", "s1", "partner"))
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        con.execute("DELETE FROM nodes WHERE id = 's1'")
    con.close()
    add_point(path, to_wgs84, 380200, 390200)
    capsys.readouterr()
    assert main(["check", str(path), "--json"]) == 2
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(x["fix"], x["needs"]) for x in problems] == [(None, "needs a decision"), ("drop the tie", None)]
    assert problems[0]["offered"] == ["give it a kind (and the id 'new-1')", "delete this record"]
    assert "unknown node 's1'" in problems[1]["problem"]


def test_a_file_of_an_earlier_schema_edited_in_qgis_is_checked_and_repaired_on_a_migrated_copy(tmp_path,
                                                                                                small_project,
                                                                                                capsys):
    """A schema 3 file (ties without the opportunity mark) broken in QGIS: check and repair read
    it migrated, as opening it does, and the file stays as it was."""
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = sqlite3.connect(path)
    with con:
        con.execute("ALTER TABLE ties DROP COLUMN opportunity")
        con.execute("UPDATE socialmap_meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    _qgis_breaks_it(path)
    before = path.read_bytes()
    assert main(["check", str(path)]) == 2
    assert "tie 'yp1'-'s1', field 'b': unknown node 's1'" in capsys.readouterr().err
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    assert "s1" not in load_project(out).nodes and path.read_bytes() == before


# --------------------------------------------------------------------------- a young person moved

def _move_point(path, node_id, to_wgs84, easting, northing):
    """What QGIS does when a point is dragged with the move tool: the geometry changes, nothing else."""
    import struct

    lon, lat = to_wgs84.transform(easting, northing)
    blob = b"GP\x00\x01" + struct.pack("<i", 4326) + b"\x01\x01\x00\x00\x00" + struct.pack("<dd", lon, lat)
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        assert con.execute("UPDATE nodes SET geom = ? WHERE id = ?", (blob, node_id)).rowcount == 1
    con.close()


def _grid_with_young_people(tmp_path):
    from socialmap.model import Node

    p, to_wgs84, _ = grid_project()
    p.add_node(Node("yp1", "young_person", "Sam", area_code="A"))
    p.add_node(Node("yp2", "young_person", "Ali", area_code="A"))
    p.add_node(Node("yp3", "young_person", "Jo", area_code="B"))
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    return p, to_wgs84, path


def test_outside_home_area_finds_points_moved_out_and_where_they_went():
    """Hand-placed points against two squares: one in its own area (fine), one in the other
    square, one in neither."""
    from shapely.geometry import box

    from socialmap.model import Area, Node, Project
    from socialmap.model.placement import outside_home_area

    p = Project()
    p.areas = {"A": Area("A", "A", box(0, 0, 1, 1)), "B": Area("B", "B", box(1, 0, 2, 1))}
    p.nodes = {"in": Node("in", "young_person", "x", area_code="A", lon=0.5, lat=0.5),
               "next": Node("next", "young_person", "y", area_code="A", lon=1.5, lat=0.5),
               "away": Node("away", "young_person", "z", area_code="B", lon=5.0, lat=5.0),
               "org": Node("org", "organisation", "o", area_code="A", lon=1.5, lat=0.5)}
    assert [(n.id, code) for n, code in outside_home_area(p)] == [("next", "B"), ("away", None)]


def test_a_young_person_dragged_into_the_next_area_in_qgis_is_found_and_put_back(tmp_path, capsys):
    """yp1 of area A dragged in QGIS to E 382000, N 390500, inside B, its area code still A. The
    file is refused with the reason; check lists it; repair puts the point back at yp1's
    placement in A (the same point as before the drag); the other choice moves yp1 to B."""
    import pytest
    import shapely

    from socialmap.errors import ProjectFileError
    from socialmap.model.placement import place_in_area
    from socialmap.store.repair import RepairSession

    p, to_wgs84, path = _grid_with_young_people(tmp_path)
    placed_before = (p.nodes["yp1"].lon, p.nodes["yp1"].lat)
    _move_point(path, "yp1", to_wgs84, 382000, 390500)
    with pytest.raises(ProjectFileError, match="its point lies outside its home area 'A': it lies in area 'B'"):
        load_project(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "node 'yp1'" in err and "home area 'A'" in err and "yp2" not in err and "yp3" not in err
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    assert "node 'yp1': its point, moved outside its home area 'A', is back at its placement there" in capsys.readouterr().err
    fixed = load_project(out).nodes["yp1"]
    assert fixed.area_code == "A"
    assert (fixed.lon, fixed.lat) == placed_before == place_in_area("yp1", p.areas["A"].geometry)
    # the decision instead: yp1 now lives in B, drawn at the placement there, not at the dragged point
    session = RepairSession(path)
    [finding] = session.blocking()  # (the college with no area code is a note, not blocking)
    move = finding.fixes[1]
    assert not move.safe and "move it to area 'B'" in move.action
    session.apply(move.changes_for()[0])
    assert session.blocking() == []
    moved = session.project().nodes["yp1"]
    assert moved.area_code == "B"
    assert (moved.lon, moved.lat) == place_in_area("yp1", p.areas["B"].geometry)
    assert shapely.Point(moved.lon, moved.lat).within(p.areas["B"].geometry)


def test_a_young_person_dragged_outside_every_area_has_no_move_offered(tmp_path, capsys):
    p, to_wgs84, path = _grid_with_young_people(tmp_path)
    _move_point(path, "yp3", to_wgs84, 390000, 400000)  # about 11 km from both squares
    assert main(["check", str(path)]) == 2
    assert "home area 'B': it lies in no area" in capsys.readouterr().err
    from socialmap.store.repair import RepairSession

    [finding] = RepairSession(path).blocking()
    assert [f.safe for f in finding.fixes] == [True, False]  # put back, or delete the record


def test_off_placement_finds_points_moved_within_their_home_area():
    """Two squares: a person at their placement in A (fine), one moved to A's centre (found), one
    outside A (left to outside_home_area), an organisation anywhere (not a young person)."""
    from shapely.geometry import box

    from socialmap.model import Area, Node, Project
    from socialmap.model.placement import off_placement, place_in_area

    p = Project()
    p.areas = {"A": Area("A", "A", box(0, 0, 1, 1)), "B": Area("B", "B", box(1, 0, 2, 1))}
    lon, lat = place_in_area("placed", p.areas["A"].geometry)
    p.nodes = {"placed": Node("placed", "young_person", "x", area_code="A", lon=lon, lat=lat),
               "moved": Node("moved", "young_person", "y", area_code="A", lon=0.5, lat=0.5),
               "nudged": Node("nudged", "young_person", "w", area_code="A", lon=lon, lat=lat),
               "next": Node("next", "young_person", "z", area_code="A", lon=1.5, lat=0.5),
               "org": Node("org", "organisation", "o", area_code="A", lon=0.5, lat=0.5)}
    # "nudged" sits at the other person's placement: its own is elsewhere (each id has its own point)
    assert place_in_area("nudged", p.areas["A"].geometry) != (lon, lat)
    assert [n.id for n in off_placement(p, skip={"next"})] == ["moved", "nudged"]


def test_a_young_person_dragged_within_their_home_area_in_qgis_is_found_and_put_back(tmp_path, capsys):
    """yp2 of area A dragged in QGIS to E 380250, N 390750, still inside A: the file opens (no rule
    is broken) but check lists it with its safe fix, and repair puts the point back at yp2's
    placement (the point it had before the drag); yp1 and yp3 are not touched."""
    from socialmap.model.placement import place_in_area

    p, to_wgs84, path = _grid_with_young_people(tmp_path)
    before = {i: (p.nodes[i].lon, p.nodes[i].lat) for i in ("yp1", "yp2", "yp3")}
    _move_point(path, "yp2", to_wgs84, 380250, 390750)
    dragged = load_project(path).nodes["yp2"]  # it opens
    assert (dragged.lon, dragged.lat) != before["yp2"]
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert ("node 'yp2', field 'point': its point lies inside its home area 'A' but not at its placement there"
            in err) and "[repair: put its point back at its placement in area 'A']" in err
    assert "yp1" not in err and "yp3" not in err
    out = tmp_path / "fixed.gpkg"
    assert main(["repair", str(path), str(out)]) == 0
    assert "node 'yp2': its point, moved within its home area 'A', is back at its placement there" in \
        capsys.readouterr().err
    fixed = load_project(out).nodes
    assert {i: (fixed[i].lon, fixed[i].lat) for i in before} == before
    assert before["yp2"] == place_in_area("yp2", p.areas["A"].geometry)
    assert main(["check", str(out)]) == 0
