"""The fast paths of the project file: nodes read straight from SQLite when the
layer is exactly as SocialMap writes it, GDAL otherwise; the collector paused
during bulk work and restored; Project.build's inline tie check agreeing with
the full one."""

from __future__ import annotations

import gc
import shutil
import sqlite3
import struct

import pytest

from socialmap.errors import InputError
from socialmap.model import Node, Project, Tie
from socialmap.model.project import tie_problems
from socialmap.sample import generate_sample_project
from socialmap.store import gpkg, load_project, save_project


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("fast") / "millbrook.gpkg"
    project = generate_sample_project()
    save_project(project, path)
    return project, path


def _edit(path) -> sqlite3.Connection:
    """A writable connection to a copy; GDAL's spatial-index triggers call
    ST_* functions that plain SQLite lacks, so stand-ins are registered (the
    index is not what these tests read)."""
    con = sqlite3.connect(path)
    con.create_function("ST_IsEmpty", 1, lambda geom: 0)
    for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(name, 1, lambda geom: 0.0)
    return con


def _connect(path):
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)


def test_direct_reader_gives_what_gdal_gives(saved):
    project, path = saved
    con = _connect(path)
    try:
        direct = gpkg._read_nodes_direct(con)
    finally:
        con.close()
    assert direct is not None
    assert direct == gpkg._read_nodes(path)
    assert direct == list(project.nodes.values())


def test_a_point_with_an_envelope_falls_back_to_gdal(saved, tmp_path):
    """A GeoPackage blob with an envelope (flags 0x03: little-endian, xy
    envelope of 32 bytes) is valid but not how SocialMap writes points: the
    direct reader declines it and GDAL reads the same coordinates."""
    project, path = saved
    copy = tmp_path / "edited.gpkg"
    shutil.copy(path, copy)
    org = next(n for n in project.nodes.values() if n.kind == "organisation")
    x, y = org.lon, org.lat
    blob = b"GP" + bytes([0, 0x03]) + struct.pack("<i", 4326) + struct.pack("<4d", x, x, y, y)
    blob += b"\x01\x01\x00\x00\x00" + struct.pack("<dd", x, y)
    con = _edit(copy)
    with con:
        con.execute("UPDATE nodes SET geom = ? WHERE id = ?", (blob, org.id))
    con.close()
    con = _connect(copy)
    try:
        assert gpkg._read_nodes_direct(con) is None
    finally:
        con.close()
    loaded = load_project(copy)
    assert (loaded.nodes[org.id].lon, loaded.nodes[org.id].lat) == (x, y)
    assert loaded.nodes == project.nodes


def test_a_column_of_unexpected_type_falls_back_to_gdal(saved, tmp_path):
    project, path = saved
    copy = tmp_path / "typed.gpkg"
    shutil.copy(path, copy)
    con = _edit(copy)
    with con:
        con.execute("UPDATE nodes SET employees_total = 'many' WHERE id = 'org01'")
    con.close()
    con = _connect(copy)
    try:
        assert gpkg._read_nodes_direct(con) is None
    finally:
        con.close()


@pytest.mark.parametrize("enabled_before", [True, False])
def test_load_and_save_restore_the_garbage_collector(saved, tmp_path, enabled_before):
    project, path = saved
    try:
        gc.enable() if enabled_before else gc.disable()
        load_project(path)
        assert gc.isenabled() is enabled_before
        save_project(project, tmp_path / "again.gpkg")
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()  # as Python starts (a paused collector found before was a passing state)


def test_build_inline_check_agrees_with_tie_problems(small_project):
    """Every tie of a mixed list is accepted by Project.build exactly when
    tie_problems finds nothing wrong with it (and it is the first for its pair)."""
    base = small_project
    nodes = [Node(**{f: getattr(n, f) for f in n.__slots__}) for n in base.nodes.values()]
    candidates = [
        Tie("yp1", "yp3", "peer", context="s1", strength=2),  # fine
        Tie("yp1", "yp3", "friend"),  # second tie for the pair
        Tie("yp1", "yp2", "friend", strength=5),  # strength out of range
        Tie("yp1", "yp2", "friend", context="yp3"),  # context not a place
        Tie("yp1", "nobody", "friend"),  # unknown end
        Tie("yp1", "o1", "attends"),  # attends joins a person and a service
        Tie("yp2", "yp2", "friend"),  # self tie
        Tie("ad1", "yp2", "mentor", context="o1", strength=True),  # True == 1: accepted, as tie_problems does
    ]
    expected_ok = [tie_problems(t, base) == [] for t in candidates]
    assert expected_ok == [True, True, False, False, False, False, False, True]
    with pytest.raises(InputError) as err:
        Project.build(list(base.areas.values()), nodes, candidates, place_young_people=False)
    reasons = " | ".join(err.value.lines())
    assert len(err.value.problems) == 6
    assert "duplicate tie" in reasons and "strength 5" in reasons and "not a service or organisation" in reasons
    good = Project.build(list(base.areas.values()), nodes, [candidates[0], candidates[7]], place_young_people=False)
    assert good.adjacency["yp1"] == {"yp3"} and good.adjacency["yp2"] == {"ad1"}
