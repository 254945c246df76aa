"""Erasure (right to erasure) and the retention review: the person leaves no trace in the saved file."""

from __future__ import annotations

import datetime as dt

from socialmap.model.erasure import erase_person, restore_erasure, retention_review
from socialmap.store import load_project, save_project


def _young(project):
    return [n for n in project.nodes.values() if n.kind == "young_person"]


def test_erasure_leaves_no_trace_in_the_saved_file(tmp_path):
    """The sample's first young person, given a label found nowhere else, is erased with their ties;
    a saved scenario that names them loses that mention; the saved file's bytes hold neither their
    id nor their label, and the other records are all there."""
    project = load_project("sample_data/sample.gpkg")
    person = _young(project)[0]
    project.update_node(person.id, label="Zyxwerasable")
    ties_before = len(project.ties)
    own_ties = len(project.neighbours(person.id))
    project.scenarios["watch list"] = {"changes": [], "notes": [person.id, "s01"]}
    path = tmp_path / "before.gpkg"
    save_project(project, path)
    assert person.id.encode() in path.read_bytes() and b"Zyxwerasable" in path.read_bytes()

    erasure = erase_person(project, person.id)
    assert person.id not in project.nodes
    assert len(project.ties) == ties_before - own_ties
    assert project.scenarios["watch list"]["notes"] == ["s01"]
    assert "saved scenario watch list" in erasure.scrubbed
    save_project(project, path)  # over the file that held them
    data = path.read_bytes()
    assert person.id.encode() not in data and b"Zyxwerasable" not in data
    again = load_project(path)
    assert len(again.nodes) == len(project.nodes) and len(again.ties) == len(project.ties)


def test_undoing_an_erasure_restores_everything(tmp_path):
    project = load_project("sample_data/sample.gpkg")
    person = _young(project)[3]
    project.scenarios["s"] = {"changes": [{"kind": "decommission", "service": "s01"}], "about": person.id}
    before = (set(project.nodes), set(project.ties), dict(project.scenarios["s"]))
    erasure = erase_person(project, person.id)
    assert project.scenarios["s"] == {}  # the record naming them went whole
    restore_erasure(project, erasure)
    assert (set(project.nodes), set(project.ties), dict(project.scenarios["s"])) == before


def test_retention_review_lists_old_records_only():
    """Setting 24 months, today 2026-12-01: updated 2024-11-30 is older (listed, 24 whole months),
    2024-12-01 is exactly 24 months (kept), 2020-01-15 is listed first (82 months)."""
    project = load_project("sample_data/sample.gpkg")
    people = _young(project)
    for node in people:
        node.updated = dt.date(2026, 6, 1)
    people[0].updated = dt.date(2024, 11, 30)
    people[1].updated = dt.date(2024, 12, 1)
    people[2].updated = dt.date(2020, 1, 15)
    listed = retention_review(project, dt.date(2026, 12, 1))
    assert [(e.id, e.months) for e in listed] == [(people[2].id, 82), (people[0].id, 24)]
    project.settings["retention_months"] = 6
    assert len(retention_review(project, dt.date(2026, 12, 2))) == len(people)


def test_retention_setting_is_validated():
    from socialmap.model.project import settings_problems

    assert settings_problems({"retention_months": 0})
    assert not settings_problems({"retention_months": 36})


def test_erasure_reaches_the_snapshots(tmp_path):
    """A snapshot is a compressed copy of the whole project: the erased person goes from it too
    (checked in its decompressed bytes), it keeps its name and date, and undo puts it back."""
    import zlib

    from socialmap.store.snapshots import erase_from_snapshots, make_snapshot, open_snapshot

    project = load_project("sample_data/sample.gpkg")
    person = _young(project)[5]
    project.update_node(person.id, label="Snapshotperson")
    snap = make_snapshot(project, "before the re-tender", as_of=dt.date(2026, 1, 31))
    project.snapshots[snap.name] = snap
    assert b"Snapshotperson" in zlib.decompress(snap.data)
    erasure = erase_person(project, person.id, snapshot_eraser=erase_from_snapshots)
    new = project.snapshots["before the re-tender"]
    assert "snapshot before the re-tender" in erasure.scrubbed
    assert new.as_of == snap.as_of and new.taken == snap.taken
    raw = zlib.decompress(new.data)
    assert b"Snapshotperson" not in raw and person.id.encode() not in raw
    assert person.id not in open_snapshot(new).nodes
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    again = load_project(path)
    assert person.id not in open_snapshot(again.snapshots["before the re-tender"]).nodes
    restore_erasure(project, erasure)
    assert project.snapshots["before the re-tender"] is snap
