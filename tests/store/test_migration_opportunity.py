"""The schema step of issue 16 (3 -> 4: the ties' ``opportunity`` mark): a file of schema 3 opens
unchanged with every tie unmarked; the mark is saved, opened, and checked when read."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from shapely.geometry import box

from socialmap.errors import InputError, ProjectFileError
from socialmap.model import Area, Node, Project, Tie
from socialmap.store import SCHEMA_VERSION, load_project, read_schema_version, save_project


def _project() -> Project:
    return Project.build([Area("A1", "North", box(0, 0, 1, 1))],
                         [Node("y1", "young_person", "Sam", area_code="A1"),
                          Node("y2", "young_person", "Alex", area_code="A1"),
                          Node("a1", "adult", "Ms K", area_code="A1"),
                          Node("o1", "organisation", "Firm", lat=0.5, lon=0.5, org_type="employer"),
                          Node("o2", "organisation", "Club", lat=0.5, lon=0.5)],
                         [Tie("y1", "y2", "friend"), Tie("y1", "a1", "mentor", opportunity=True),
                          Tie("y2", "o1", "member", strength=2, opportunity=True), Tie("o1", "o2", "partner")])


def _schema_3_file(path: Path) -> Path:
    save_project(_project(), path)
    con = sqlite3.connect(path)
    with con:
        con.execute("ALTER TABLE ties DROP COLUMN opportunity")
        con.execute("UPDATE socialmap_meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    return path


def test_the_mark_is_saved_and_opened(tmp_path):
    path = tmp_path / "p.gpkg"
    save_project(_project(), path)
    p = load_project(path)
    assert {k for k, t in p.ties.items() if t.opportunity} == {("a1", "y1"), ("o1", "y2")}
    assert p.get_tie("y2", "o1").strength == 2
    con = sqlite3.connect(path)
    assert con.execute("SELECT type FROM pragma_table_info('ties') WHERE name = 'opportunity'").fetchone() == (
        "BOOLEAN",)  # a GeoPackage data type, as QGIS reads it
    con.close()


def test_a_schema_3_file_opens_unmarked_and_is_not_changed(tmp_path):
    path = _schema_3_file(tmp_path / "old.gpkg")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    p = load_project(path)
    assert len(p.ties) == 4 and not any(t.opportunity for t in p.ties.values())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    save_project(p, path)
    assert read_schema_version(path) == SCHEMA_VERSION == 4


def test_a_mark_that_is_not_0_or_1_is_a_damaged_file_left_alone(tmp_path):
    path = tmp_path / "p.gpkg"
    save_project(_project(), path)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE ties SET opportunity = 'maybe' WHERE a = 'y1' AND b = 'y2'")
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ProjectFileError, match=r"tie 'y1'-'y2', field 'opportunity': 'maybe' is not 0 or 1"):
        load_project(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_only_a_tie_of_a_young_person_is_an_opportunity_tie():
    p = _project()
    with pytest.raises(InputError, match="only a tie of a young person can be an opportunity tie"):
        p.update_tie("o1", "o2", opportunity=True)
    with pytest.raises(InputError, match="'yes' is not true or false"):
        p.update_tie("y1", "y2", opportunity="yes")


def test_copies_keep_the_mark():
    p = _project()
    assert p.copy().get_tie("y1", "a1").opportunity is True
    assert p.graph().edges["y1", "a1"]["opportunity"] is True
