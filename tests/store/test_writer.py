"""Saving from a process of its own (socialmap.store.writer): the same project read back as
an in-process save gives, plain and encrypted; a child that dies gives a one-line reason and
the previous file is unchanged. (Each test starts a Python process: three, to keep the suite
fast.)"""

from __future__ import annotations

import pytest

from socialmap.errors import ProjectFileError
from socialmap.model import Node
from socialmap.store import load_project, open_project_file, save_project_file, writer
from tests.store.test_encrypted import SAMPLE, SECRET, _same


def test_saved_by_the_child_reads_back_as_saved_here(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "NODES_PER_FRAME", 7)  # many frames of each kind
    monkeypatch.setattr(writer, "TIES_PER_FRAME", 11)
    project = load_project(SAMPLE)
    project.nodes[next(iter(project.nodes))].attrs["note"] = "kept"
    project.scenarios["kept"] = {"remove": []}
    young_tie = next(t for t in project.ties.values() if project.nodes[t.a].kind == "young_person")
    young_tie.opportunity = True  # every field of a tie travels
    packed = writer.PackedProject(project)  # what the window's save job takes while edits wait
    assert packed.records == len(project.nodes) + len(project.ties) and all(type(f) is bytes for f in packed.frames)
    writer.save_in_subprocess(packed, tmp_path / "child.gpkg")
    save_project_file(project, tmp_path / "here.gpkg")
    child, here = load_project(tmp_path / "child.gpkg"), load_project(tmp_path / "here.gpkg")
    _same(here, child)
    _same(project, child)
    assert list(child.nodes) == list(project.nodes) and list(child.ties) == list(project.ties)
    assert child.snapshots == here.snapshots


def test_an_encrypted_project_is_written_encrypted(tmp_path):
    project = load_project(SAMPLE)
    writer.save_in_subprocess(project, tmp_path / "p.smx", SECRET)
    opened = open_project_file(tmp_path / "p.smx", SECRET)
    _same(project, opened.project)
    assert b"young_person" not in (tmp_path / "p.smx").read_bytes()


def test_a_child_that_dies_leaves_the_file_and_says_so(tmp_path, monkeypatch):
    project = load_project(SAMPLE)
    target = tmp_path / "p.gpkg"
    save_project_file(project, target)
    before = target.read_bytes()
    project.add_node(Node("yp_new", "young_person", "New", area_code=next(iter(project.areas))))
    monkeypatch.setattr(writer.sys, "executable", "/bin/false")  # a child that stops at once, saying nothing
    with pytest.raises(ProjectFileError) as err:
        writer.save_in_subprocess(project, target)
    assert str(err.value).startswith(f"{target}: cannot be saved: the saving process stopped (exit code 1")
    assert str(err.value).endswith("; the previous file is unchanged") and "\n" not in str(err.value)
    assert target.read_bytes() == before


def test_packing_a_project_sets_off_no_collection(small_project, monkeypatch):
    """The frames are packed with Python's cyclic collector paused (their tuples form no
    cycles), then the collector is as it was; the frames carry every record."""
    import gc
    import pickle

    seen = []
    frames = writer._frames

    def watched(project):
        for frame in frames(project):
            seen.append(gc.isenabled())
            yield frame

    monkeypatch.setattr(writer, "_frames", watched)
    assert gc.isenabled()
    packed = writer.PackedProject(small_project)
    assert seen and not any(seen) and gc.isenabled()
    kinds = [pickle.loads(f)[0] for f in packed.frames]
    assert kinds[0] == "areas" and kinds[-2:] == ["rest", "end"]
    assert packed.records == len(small_project.nodes) + len(small_project.ties)
