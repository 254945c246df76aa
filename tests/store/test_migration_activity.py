"""The schema step of issue 15 (2 -> 3: young people's activity): a file of an earlier schema opens
unchanged, read through the ordered chain ``MIGRATIONS[n]`` (n -> n + 1), and says once what was done."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from shapely.geometry import box

from socialmap.model import Area, Node, Project
from socialmap.store import SCHEMA_VERSION, load_project, read_schema_version, save_project
from tests.store.test_migration import _as_schema_1


def _schema_2_file(path: Path, version: int = 2) -> Path:
    """A project file as schema 2 wrote it: young people with the yes/no ``neet`` and no
    ``activity`` column (the column is dropped from a file saved now, and the version set back);
    ``version`` 1 takes it back to the first release (no dates of records either)."""
    p = Project.build([Area("A1", "North", box(0, 0, 1, 1))],
                      [Node("y1", "young_person", "Sam", area_code="A1", neet=True),
                       Node("y2", "young_person", "Alex", area_code="A1", neet=False),
                       Node("y3", "young_person", "Kit", area_code="A1", neet=False),
                       Node("y4", "young_person", "Lee", area_code="A1")], [])
    save_project(p, path)
    con = sqlite3.connect(path)
    with con:
        con.execute("ALTER TABLE nodes DROP COLUMN activity")
        con.execute("ALTER TABLE ties DROP COLUMN opportunity")
        con.execute("UPDATE socialmap_meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    if version == 1:
        _as_schema_1(path)
    return path


@pytest.mark.parametrize("version", [1, 2])
def test_an_earlier_file_opens_with_activities_from_neet_and_is_not_changed(tmp_path, version):
    path = _schema_2_file(tmp_path / "old.gpkg", version)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    p = load_project(path)
    assert {i: (n.activity, n.neet) for i, n in p.nodes.items()} == {
        "y1": ("neet_available", True), "y2": ("eet", False), "y3": ("eet", False), "y4": (None, None)}
    assert len(p.notes) == 1
    assert f"schema {version})" in p.notes[0]
    assert "1 NEET and available, 2 in education, employment or training" in p.notes[0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # opening never modifies the file


def test_saved_again_it_is_the_current_schema_and_says_nothing(tmp_path):
    path = _schema_2_file(tmp_path / "old.gpkg")
    save_project(load_project(path), path)
    assert read_schema_version(path) == SCHEMA_VERSION == 4
    again = load_project(path)
    assert again.notes == []
    assert again.nodes["y1"].activity == "neet_available"


def test_the_cli_says_it_once_on_stderr(tmp_path, capsys):
    from socialmap.cli import main

    path = _schema_2_file(tmp_path / "old.gpkg")
    assert main(["info", str(path), "--json"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("socialmap: note: ") and "schema 2" in err[0]
