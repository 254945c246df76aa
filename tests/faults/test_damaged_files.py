"""A corpus of damaged project files: each refused before it is read, with its own one-line reason,
exit 2, and its bytes never changed (SPEC 5; issue 11, deliverable 3)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from socialmap.cli import main
from socialmap.store import save_project
from tests.faults.conftest import digest


def _pages(path: Path) -> tuple[int, dict[str, int]]:
    con = sqlite3.connect(path)
    try:
        size = con.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(con.execute("SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0"))
    finally:
        con.close()
    return size, roots


def _scribble(page: int, seed: int = 1):
    """Random bytes over a page's cells (its first 8 header bytes kept): what a bad sector does."""
    def damage(path: Path) -> None:
        size, _ = _pages(path)
        data = bytearray(path.read_bytes())
        rng = random.Random(seed)
        for i in range((page - 1) * size + 8, page * size, 5):
            data[i] = rng.randrange(256)
        path.write_bytes(bytes(data))
    return damage


def _flip(offset: int):
    def damage(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[offset] ^= 0xFF
        path.write_bytes(bytes(data))
    return damage


def _sql(*statements: str):
    def damage(path: Path) -> None:
        con = sqlite3.connect(path)
        try:
            for s in statements:
                con.execute(s)
            con.commit()
        finally:
            con.close()
    return damage


def _root_page(name_part: str):
    def damage(path: Path) -> None:
        _, roots = _pages(path)
        page = next(p for n, p in roots.items() if name_part in n)
        _scribble(page)(path)
    return damage


def _truncate(fraction: float):
    def damage(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])
    return damage


CORPUS = {
    "header byte 32 (freelist) flipped": (_flip(32), "the file is damaged (SQLite's integrity check: Main freelist"),
    "header byte 52 (largest root page) flipped": (_flip(52), "the file is damaged (SQLite's integrity check: max rootpage"),
    "random bytes in an index page": (_root_page("sqlite_autoindex_socialmap_settings"),
                                      "the file is damaged (SQLite's integrity check: On tree page"),
    "random bytes in an rtree page": (_root_page("rtree_nodes_geom_node"),
                                      "the file is damaged (SQLite's integrity check: On tree page"),
    "an rtree node of random bytes": (_sql("UPDATE rtree_nodes_geom_node SET data = randomblob(length(data))"),
                                      "the spatial index rtree_nodes_geom is inconsistent"),
    "cut in half": (_truncate(0.5), "the file is damaged"),
    "cut mid-page": (_truncate(0.77), "is not a whole number of"),
    "empty": (lambda p: p.write_bytes(b""), "the file is empty (0 bytes)"),
    "only part of the header": (lambda p: p.write_bytes(p.read_bytes()[:60]), "less than a database header"),
    "not a database": (lambda p: p.write_text("id,kind\n"), "not a GeoPackage project file"),
    "application id of another format": (_sql("PRAGMA application_id = 1481922648"), "its application id is 'XTXX'"),
    "required GeoPackage table missing": (_sql("DROP TABLE gpkg_geometry_columns"),
                                          "missing its required table(s) gpkg_geometry_columns"),
    "a SocialMap table missing": (_sql("DROP TABLE ties"), "not a SocialMap project (missing ties)"),
    "layer not registered": (_sql("DELETE FROM gpkg_geometry_columns WHERE table_name = 'nodes'"),
                             "the layer(s) nodes are not registered"),
    "schema version missing": (_sql("DELETE FROM socialmap_meta WHERE key = 'schema_version'"),
                               "no schema version recorded"),
    "schema version NULL": (_sql("UPDATE socialmap_meta SET value = NULL WHERE key = 'schema_version'"),
                            "the schema version is empty (NULL)"),
    "schema version not a number": (_sql("UPDATE socialmap_meta SET value = 'one' WHERE key = 'schema_version'"),
                                    "the schema version 'one' is not a whole number"),
    "schema version a fraction": (_sql("UPDATE socialmap_meta SET value = '1.5' WHERE key = 'schema_version'"),
                                  "the schema version '1.5' is not a whole number"),
    "schema version from the future": (_sql("UPDATE socialmap_meta SET value = '99' WHERE key = 'schema_version'"),
                                       "written by a newer SocialMap (schema 99"),
    "schema version 0": (_sql("UPDATE socialmap_meta SET value = '0' WHERE key = 'schema_version'"),
                         "the schema version 0 is not valid"),
}


@pytest.fixture(scope="module")
def good_file(tmp_path_factory):

    from shapely.geometry import box

    from socialmap.model import Area, Node, Project, Tie

    p = Project()
    p.add_area(Area("A1", "West", box(-2.30, 53.40, -2.29, 53.41)))
    p.add_area(Area("A2", "East", box(-2.29, 53.40, -2.28, 53.41)))
    for i in range(40):
        p.add_node(Node(f"yp{i}", "young_person", f"P{i}", area_code="A1" if i % 2 else "A2", neet=i % 3 == 0))
    p.add_node(Node("o1", "organisation", "College", lat=53.405, lon=-2.295, org_type="school_college"))
    for i in range(39):
        p.add_tie(Tie(f"yp{i}", f"yp{i + 1}", "friend"))
    path = tmp_path_factory.mktemp("good") / "good.gpkg"
    save_project(p, path)
    return path.read_bytes()


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_damaged_file_is_refused_with_its_reason_and_left_as_it_was(tmp_path, good_file, capsys, case):
    damage, reason = CORPUS[case]
    path = tmp_path / "p.gpkg"
    path.write_bytes(good_file)
    damage(path)
    before = digest(path)
    for argv in (["info", str(path)], ["analyse", str(path), "--json"],
                 ["export", "csv", str(path), str(tmp_path / "tables")]):
        assert main(argv) == 2, (case, argv)
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and "internal error" not in captured.err, lines
        assert lines[0].startswith(f"socialmap: {path}: ") and reason in lines[0], lines[0]
        assert captured.out == ""
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.gpkg"]  # no -journal, no -wal, no export


def test_merging_into_a_damaged_project_writes_nothing(tmp_path, good_file, capsys):
    path = tmp_path / "p.gpkg"
    path.write_bytes(good_file)
    _flip(32)(path)
    before = digest(path)
    nodes = tmp_path / "n.csv"
    nodes.write_text("id,kind,label,area_code\nz1,young_person,Z,A1\n")
    assert main(["import", "csv", "--nodes", str(nodes), "--ties", str(nodes), "--into", str(path)]) == 2
    assert "the file is damaged" in capsys.readouterr().err
    assert digest(path) == before
