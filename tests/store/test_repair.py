"""A project edited in QGIS into an invalid state (issue 12): check lists every problem, repair
applies the safe fixes (each reported) and keeps the QGIS column and style."""

from __future__ import annotations

import sqlite3

from socialmap.cli import main
from socialmap.store import load_project, save_project
from socialmap.store.foreign import gpkg_functions


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
