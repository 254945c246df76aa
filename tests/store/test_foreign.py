"""A QGIS round trip without loss (issue 12): what GDAL, QGIS or sqlite added to a project file
survives a SocialMap save, row for row; a write-ahead log never outlives the file it belongs to."""

from __future__ import annotations

import sqlite3

import pytest

from socialmap.errors import ProjectFileError
from socialmap.store import load_project, save_project

FOREIGN = ("layer_styles", "qgis_projects", "survey_points", "gpkg_metadata", "gpkg_metadata_reference")


def _qgis_edits(path):
    """What a QGIS user leaves in the file: another layer (written by GDAL), a saved style, a saved
    project, metadata, a column added to the nodes layer and one to the areas layer."""
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import Point

    survey = gpd.GeoDataFrame({"note": ["bench", "bus stop"], "visits": [3, 7]},
                              geometry=[Point(-2.29, 53.405), Point(-2.288, 53.406)], crs="EPSG:4326")
    pyogrio.write_dataframe(survey, path, layer="survey_points", driver="GPKG")
    from socialmap.store.foreign import gpkg_functions

    con = sqlite3.connect(path)
    gpkg_functions(con)  # QGIS and spatialite have them; GDAL's triggers call them
    with con:
        con.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT, "
                    "f_table_schema TEXT, f_table_name TEXT, f_geometry_column TEXT, styleName TEXT, styleQML TEXT, "
                    "styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, "
                    "update_time DATETIME DEFAULT CURRENT_TIMESTAMP)")
        con.execute("INSERT INTO layer_styles (f_table_name, f_geometry_column, styleName, styleQML, useAsDefault) "
                    "VALUES ('areas', 'geom', 'areas', '<qgis><renderer-v2 type=\"graduatedSymbol\"/></qgis>', 1)")
        con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                    "VALUES ('layer_styles', 'attributes', 'layer_styles')")
        con.execute("CREATE TABLE qgis_projects (name TEXT PRIMARY KEY, metadata BLOB, content BLOB)")
        con.execute("INSERT INTO qgis_projects VALUES ('patch', X'7b7d', X'504b0304deadbeef')")
        con.execute("CREATE TABLE gpkg_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT, md_scope TEXT NOT NULL "
                    "DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', "
                    "metadata TEXT NOT NULL DEFAULT '')")
        con.execute("INSERT INTO gpkg_metadata (md_standard_uri, metadata) VALUES ('http://www.isotc211.org/2005/gmd', "
                    "'<gmd:MD_Metadata>Patch survey 2026</gmd:MD_Metadata>')")
        con.execute("CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, "
                    "column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL DEFAULT "
                    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, md_parent_id INTEGER)")
        con.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, md_file_id) "
                    "VALUES ('table', 'areas', 1)")
        con.execute("ALTER TABLE nodes ADD COLUMN qgis_note TEXT")
        con.execute("UPDATE nodes SET qgis_note = 'checked by Jo' WHERE id = 'o1'")
        con.execute("ALTER TABLE areas ADD COLUMN ward_name TEXT")
        con.execute("UPDATE areas SET ward_name = 'Northfield' WHERE code = 'A1'")
    con.close()


def _dump(path, table):
    con = sqlite3.connect(path)
    try:
        sql = con.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        rows = con.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
        contents = con.execute("SELECT table_name, data_type, identifier, srs_id FROM gpkg_contents "
                               "WHERE table_name = ?", (table,)).fetchall()
        return sql, rows, contents
    finally:
        con.close()


def test_every_foreign_table_and_column_survives_a_save_byte_for_byte(tmp_path, small_project):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    _qgis_edits(path)
    before = {t: _dump(path, t) for t in FOREIGN}
    project = load_project(path)
    project.update_node("s1", label="Youth club (Tuesdays)")  # an edit in SocialMap
    save_project(project, path)
    after = {t: _dump(path, t) for t in FOREIGN}
    assert after == before
    assert after["survey_points"][1][0][-2:] == ("bench", 3) or "bench" in repr(after["survey_points"][1])
    con = sqlite3.connect(path)
    assert dict(con.execute("SELECT id, qgis_note FROM nodes")) == {
        "yp1": None, "yp2": None, "yp3": None, "ad1": None, "o1": "checked by Jo", "s1": None}
    assert dict(con.execute("SELECT code, ward_name FROM areas")) == {"A1": "Northfield", "A2": None}
    assert con.execute("SELECT label FROM nodes WHERE id = 's1'").fetchone() == ("Youth club (Tuesdays)",)
    con.close()
    # GDAL still reads the other layer, with its spatial index
    import pyogrio

    assert sorted(pyogrio.read_dataframe(path, layer="survey_points")["note"]) == ["bench", "bus stop"]
    assert load_project(path).nodes["s1"].label == "Youth club (Tuesdays)"


def test_save_as_keeps_what_the_file_it_came_from_held(tmp_path, small_project):
    path, copy = tmp_path / "p.gpkg", tmp_path / "copy.gpkg"
    save_project(small_project, path)
    _qgis_edits(path)
    save_project(load_project(path), copy, keep_from=path)
    assert {t: _dump(copy, t) for t in FOREIGN} == {t: _dump(path, t) for t in FOREIGN}


def test_a_save_is_refused_while_another_program_writes_and_leaves_no_stale_log(tmp_path, small_project):
    """Another program in WAL mode with a write transaction open: the save is refused and the
    file is as it was. Once that program has committed (its commit still in the -wal), the save
    folds the log in first, keeps the committed row, and no -wal or -shm is left beside the file."""
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    _qgis_edits(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO qgis_projects VALUES ('second', NULL, X'00')")
    before = path.read_bytes()
    with pytest.raises(ProjectFileError, match="open for writing in another program"):
        save_project(load_project(path), path)
    assert path.read_bytes() == before
    other.execute("COMMIT")
    assert (tmp_path / "p.gpkg-wal").stat().st_size > 0
    project = load_project(path)
    save_project(project, path)
    other.close()
    assert not (tmp_path / "p.gpkg-wal").exists() and not (tmp_path / "p.gpkg-shm").exists()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert [r[0] for r in con.execute("SELECT name FROM qgis_projects ORDER BY name")] == ["patch", "second"]
    con.close()
    assert len(load_project(path).nodes) == 6
