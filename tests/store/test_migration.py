"""Schema versions (issue 18): dates of records survive save and open; a schema-1 file is
migrated through the ordered chain on a copy (the file is never modified); snapshots are kept
inside the project and open as the project they copied."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest

from socialmap.errors import ProjectFileError
from socialmap.model import Node, Tie
from socialmap.store import SCHEMA_VERSION, load_project, read_schema_version, save_project
from socialmap.store.gpkg import MIGRATIONS
from socialmap.store.snapshots import make_snapshot, open_snapshot

D = dt.date


def _as_schema_1(path: Path) -> None:
    """Rewrite a saved file as the first release wrote it: no date columns, no snapshots table."""
    con = sqlite3.connect(path)
    with con:
        con.execute("ALTER TABLE nodes DROP COLUMN recorded")
        con.execute("ALTER TABLE nodes DROP COLUMN updated")
        con.execute("ALTER TABLE ties DROP COLUMN since")
        con.execute("ALTER TABLE ties DROP COLUMN until")
        con.execute("DROP TABLE socialmap_snapshots")
        con.execute("UPDATE socialmap_meta SET value = '1' WHERE key = 'schema_version'")
    con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_migrations_are_one_ordered_chain():
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_dates_survive_save_and_open(small_project, tmp_path):
    small_project.update_node("yp1", recorded=D(2024, 2, 3), updated=D(2025, 6, 7))
    small_project.update_tie("yp1", "yp2", since=D(2024, 9, 1), until=D(2025, 7, 31))
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    back = load_project(path)
    assert (back.nodes["yp1"].recorded, back.nodes["yp1"].updated) == (D(2024, 2, 3), D(2025, 6, 7))
    tie = back.get_tie("yp1", "yp2")
    assert (tie.since, tie.until) == (D(2024, 9, 1), D(2025, 7, 31))
    assert back.get_tie("yp2", "yp3").since is None


def test_a_schema_1_file_opens_migrated_and_unchanged(small_project, tmp_path):
    path = tmp_path / "old.gpkg"
    save_project(small_project, path)
    _as_schema_1(path)
    digest = _sha(path)
    assert read_schema_version(path) == 1
    project = load_project(path)
    assert _sha(path) == digest  # opening never modifies the file
    assert len(project.ties) == len(small_project.ties) and set(project.nodes) == set(small_project.nodes)
    assert all(n.recorded is None and n.updated is None for n in project.nodes.values())
    assert all(t.since is None and t.until is None for t in project.ties.values())
    assert project.snapshots == {}
    out = tmp_path / "new.gpkg"
    save_project(project, out)
    assert read_schema_version(out) == SCHEMA_VERSION


def test_a_bad_tie_date_in_a_file_is_named(small_project, tmp_path):
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE ties SET until = '31/07/2025' WHERE a = 'yp1' AND b = 'yp2'")
    con.close()
    with pytest.raises(ProjectFileError, match=r"tie 'yp1'-'yp2', field 'until': '31/07/2025' is not a date"):
        load_project(path)


def test_a_snapshot_is_kept_in_the_file_and_opens_as_the_project_it_copied(small_project, tmp_path):
    snap = make_snapshot(small_project, "before re-tender", as_of=D(2025, 8, 31), note="contract ends")
    assert snap.format == "gpkg+zlib" and snap.size_bytes > 0
    small_project.snapshots[snap.name] = snap
    small_project.remove_tie("yp1", "yp2")  # the project moves on after the snapshot
    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    back = load_project(path)
    kept = back.snapshots["before re-tender"]
    assert (kept.as_of, kept.note, kept.taken) == (D(2025, 8, 31), "contract ends", snap.taken)
    old = open_snapshot(kept, str(path))
    assert ("yp1", "yp2") in old.ties and ("yp1", "yp2") not in back.ties
    assert set(old.nodes) == set(back.nodes) and old.snapshots == {}


def test_a_damaged_snapshot_is_reported(small_project):
    snap = make_snapshot(small_project, "s1")
    from dataclasses import replace

    with pytest.raises(ProjectFileError, match=r"p.gpkg#s1: the snapshot is damaged"):
        open_snapshot(replace(snap, data=b"not zlib"), "p.gpkg")


@pytest.mark.parametrize("name", ["", " x", "a#b", "a@b", "line\nbreak"])
def test_a_snapshot_name_must_be_writable_after_a_hash(small_project, name):
    from socialmap.errors import InputError

    with pytest.raises(InputError):
        make_snapshot(small_project, name)


def test_imported_records_are_dated_on_import(two_areas, tmp_path, monkeypatch):
    from socialmap.interchange import merge

    monkeypatch.setattr(merge, "today", lambda: D(2026, 1, 2))
    batch = merge.ImportBatch("file.csv")
    batch.add_node(Node("yp1", "young_person", area_code="A1"), "file.csv", None, 2)
    batch.add_node(Node("yp2", "young_person", area_code="A1", recorded=D(2023, 5, 6)), "file.csv", None, 3)
    batch.add_tie(Tie("yp1", "yp2", "friend", since=D(2024, 1, 1)), "ties.csv", None, 2)
    project = merge.build_import(batch, areas=two_areas)
    assert (project.nodes["yp1"].recorded, project.nodes["yp1"].updated) == (D(2026, 1, 2), D(2026, 1, 2))
    assert (project.nodes["yp2"].recorded, project.nodes["yp2"].updated) == (D(2023, 5, 6), D(2026, 1, 2))
    assert project.get_tie("yp1", "yp2").since == D(2024, 1, 1)
