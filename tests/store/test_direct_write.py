"""Rows written straight into SQLite (socialmap.store.direct): the nodes layer's rows, its
R-tree and the ties, against what GDAL and row-by-row inserts give.

The GDAL path (the nodes layer written by ``pyogrio.write_dataframe``, its spatial index
by GDAL's triggers) is what every SocialMap file was before; here the two paths write the
same project and every table of the two files is compared, byte for byte where it is bytes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pytest
from shapely.geometry import box

from socialmap.model import Area, Node, Project, Tie
from socialmap.sample import generate_sample_project
from socialmap.store import direct, gpkg, load_project, save_project
from socialmap.store.encrypted import open_project_file, save_project_file


def _every_field_project() -> Project:
    """Nodes of each kind with every field set, and with every field empty (NULL); nodes
    without a location; dates; attributes; ties with contexts, strengths, dates and
    opportunity marks, and without."""
    areas = [Area("E01000001", "North", box(-2.30, 53.40, -2.28, 53.42), imd_decile=1, population_16_24=900),
             Area("E01000002", "South", box(-2.28, 53.40, -2.26, 53.42), attrs={"ward": "S"})]
    day = dt.date(2025, 6, 1)
    nodes = [
        Node("yp1", "young_person", "Robin \u00e9\U0001F600", area_code="E01000001", lat=53.41, lon=-2.29, age=17,
             activity="neet_available", recorded=day, updated=dt.date(2026, 1, 2),
             attrs={"school": "Oak <b>High</b>", "n": 2, "scores": [1, 2.5], "none": None}),
        Node("yp2", "young_person", "", area_code="E01000002", age=None, activity=None),  # no location, NULLs
        Node("yp3", "young_person", "Kai", area_code="E01000001", activity="eet"),
        Node("ad1", "adult", "Jo", area_code="E01000002", role="youth worker", in_work=True, recorded=day),
        Node("ad2", "adult", "No area", in_work=False),
        Node("o1", "organisation", "Northfield College", area_code="E01000001", lat=53.415, lon=-2.285,
             org_type="school_college", sector="public", is_anchor=True, employees_total=120.5,
             employees_local=60, spend_total=1_000_000.0, spend_local=0.0, years_in_area=31.0),
        Node("o2", "organisation", "Tiny CIC", lat=53.401, lon=-2.271, org_type="social_enterprise",
             sector="social", is_anchor=False),
        Node("s1", "service", "Youth club", area_code="E01000002", lat=53.405, lon=-2.275, provider="o1",
             service_type="youth club", commissioner="Council", contract_end=dt.date(2027, 3, 31),
             annual_value=45_000.75, hours_per_week=12.5, updated=day),
        Node("s2", "service", "Drop-in", lat=53.402, lon=-2.272),
        Node("o3", "organisation", "At zero", lat=-0.0, lon=0.0),  # a point at (0, -0)
    ]
    ties = [
        Tie("yp1", "yp2", "friend", context="s1", strength=3, since=dt.date(2024, 9, 1)),
        Tie("yp2", "ad1", "worker", until=dt.date(2026, 7, 31)),
        Tie("o1", "ad1", "employs", context="s1", strength=1),
        Tie("yp1", "s1", "attends", opportunity=True),
        Tie("yp3", "s2", "attends", opportunity=True, since=day, until=dt.date(2026, 1, 1)),
        Tie("o2", "s2", "provides"),
        Tie("o1", "o2", "partner", strength=2),
        Tie("ad2", "o2", "member"),
    ]
    return Project.build(areas, nodes, ties, {"group_by": "community"}, {"s": {"changes": [["close", "o1"]]}})


def _tables(path) -> dict:
    """Everything in the file that either path could write differently (all but the times)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {"master": con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall(),
               "gpkg_contents": [r[:4] + r[5:] for r in con.execute("SELECT * FROM gpkg_contents ORDER BY 1")]}
        for table in ("gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents", "gpkg_spatial_ref_sys",
                      "sqlite_sequence", "areas", "nodes", "ties", "rtree_nodes_geom", "rtree_areas_geom"):
            out[table] = con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        columns = [row[1] for row in con.execute("PRAGMA table_info(nodes)")]
        out["node types"] = con.execute(f"SELECT {', '.join(f'typeof({c})' for c in columns)} FROM nodes").fetchall()
        out["tie types"] = con.execute("SELECT typeof(strength), typeof(since), typeof(opportunity) FROM ties").fetchall()
        out["rtreecheck"] = con.execute("SELECT rtreecheck('rtree_nodes_geom')").fetchone()[0]
        out["integrity"] = con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()
    return out


def _through_gdal(monkeypatch) -> None:
    monkeypatch.setattr(gpkg, "_direct_nodes", lambda project: None)


@pytest.mark.parametrize("make", [_every_field_project, generate_sample_project], ids=["every field", "sample"])
def test_the_direct_rows_make_the_file_gdal_made(tmp_path, monkeypatch, make):
    project = make()
    save_project(project, tmp_path / "direct.gpkg")
    with monkeypatch.context() as m:
        _through_gdal(m)
        save_project(project, tmp_path / "gdal.gpkg")
    ours, gdal = _tables(tmp_path / "direct.gpkg"), _tables(tmp_path / "gdal.gpkg")
    assert ours["rtreecheck"] == "ok" and ours["integrity"] == [("ok",)]
    for name in gdal:
        assert ours[name] == gdal[name], name
    located = sum(1 for n in project.nodes.values() if n.lat is not None and n.lon is not None)
    assert len(ours["rtree_nodes_geom"]) == located
    assert ours["gpkg_ogr_contents"] == [("areas", len(project.areas)), ("nodes", len(project.nodes))]


def test_every_field_survives_the_direct_rows(tmp_path):
    project = _every_field_project()
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    loaded = load_project(path)
    assert loaded.nodes == project.nodes  # every field, None, dates, attrs, locations
    assert loaded.ties == project.ties  # contexts, strengths, dates, opportunity marks
    assert loaded.nodes["ad2"].lat is None and loaded.nodes["o3"].lon == 0.0
    assert {key for key, t in loaded.ties.items() if t.opportunity} == {("s1", "yp1"), ("s2", "yp3")}
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT geom FROM nodes WHERE id = 'ad2'").fetchone() == (None,)
        assert con.execute("SELECT since, until, opportunity FROM ties WHERE a = 'yp3'").fetchone() == (
            "2025-06-01", "2026-01-01", 1)
        assert con.execute("SELECT employees_local, typeof(employees_local) FROM nodes WHERE id = 'o1'").fetchone() == (
            60.0, "real")
    finally:
        con.close()


def test_gdal_reads_the_direct_layer_and_its_spatial_index(tmp_path):
    import pyogrio

    project = generate_sample_project()
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    assert pyogrio.read_info(path, layer="nodes")["features"] == len(project.nodes)
    frame = pyogrio.read_dataframe(path, layer="nodes")
    assert frame["id"].tolist() == list(project.nodes)
    located = frame[~frame.geometry.isna()]
    nodes = project.nodes
    assert [(g.x, g.y) for g in located.geometry] == [(nodes[i].lon, nodes[i].lat) for i in located["id"]]
    # a window read goes through the R-tree: the nodes inside it, no more, no fewer
    x0, y0, x1, y1 = -2.23, 53.49, -2.19, 53.51
    inside = pyogrio.read_dataframe(path, layer="nodes", bbox=(x0, y0, x1, y1))
    want = {n.id for n in nodes.values()
            if n.lon is not None and n.lat is not None and x0 <= n.lon <= x1 and y0 <= n.lat <= y1}
    assert want and set(inside["id"]) == want


def test_an_encrypted_save_writes_the_same_rows(tmp_path, monkeypatch):
    from socialmap.store import memory

    project = _every_field_project()
    ours = memory.project_bytes(project)
    with monkeypatch.context() as m:
        _through_gdal(m)
        gdal = memory.project_bytes(project)
    (tmp_path / "ours.gpkg").write_bytes(ours)
    (tmp_path / "gdal.gpkg").write_bytes(gdal)
    assert _tables(tmp_path / "ours.gpkg") == _tables(tmp_path / "gdal.gpkg")
    save_project_file(project, tmp_path / "p.smx", "a passphrase of some length")
    assert open_project_file(tmp_path / "p.smx", "a passphrase of some length").project.nodes == project.nodes


def test_foreign_columns_and_tables_survive_a_direct_save(tmp_path):
    """A column QGIS added to the nodes layer and a table of its own are kept when the
    project is saved again (socialmap.store.foreign, after the rows are written)."""
    project = _every_field_project()
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    con = sqlite3.connect(path)
    con.create_function("ST_IsEmpty", 1, lambda geom: 0)
    for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        con.create_function(name, 1, lambda geom: 0.0)
    with con:
        con.execute('ALTER TABLE nodes ADD COLUMN "qgis_note" TEXT')
        con.execute("UPDATE nodes SET qgis_note = 'checked ' || id WHERE kind = 'service'")
        con.execute("CREATE TABLE field_visits (id INTEGER PRIMARY KEY, note TEXT)")
        con.execute("INSERT INTO field_visits (note) VALUES ('Tuesday')")
    con.close()
    save_project(load_project(path), path)
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT id, qgis_note FROM nodes WHERE qgis_note IS NOT NULL ORDER BY id").fetchall() == [
            ("s1", "checked s1"), ("s2", "checked s2")]
        assert con.execute("SELECT note FROM field_visits").fetchall() == [("Tuesday",)]
        assert con.execute("SELECT rtreecheck('rtree_nodes_geom')").fetchone() == ("ok",)
    finally:
        con.close()


@pytest.mark.parametrize("odd", [
    {"employees_total": True},  # a yes/no in a number field
    {"age": "17"},  # a number as text
    {"label": "a\x00b"},  # a NUL character, which GDAL's C strings end at
    {"lon": float("inf")},
])
def test_values_gdal_would_convert_go_through_gdal(odd):
    node = Node("o1", "organisation", "College", lat=53.4, lon=-2.2)
    for name, value in odd.items():
        setattr(node, name, value)
    assert direct.node_columns([node], gpkg._NODE_COLUMNS) is None
    assert direct.node_columns([Node("o1", "organisation", "College", lat=53.4, lon=-2.2)],
                               gpkg._NODE_COLUMNS) is not None


def test_columns_left_to_their_default_give_the_same_rows(monkeypatch):
    """Pieces of 3 rows: a column empty in one piece and not in the next is left out of the
    first's statement only; a piece of all defaults; rows per statement smaller than a piece."""
    monkeypatch.setattr(direct, "ROWS_PER_PIECE", 3)
    monkeypatch.setattr(direct, "ROWS_PER_STATEMENT", 2)
    columns = {"a": ["x", "y", "z", "w", None, None, None, "v"],
               "b": [None, None, None, 1, 2.5, None, None, None],
               "c": [0, 0, 0, 1, 0, 0, 0, 0]}
    ddl = "CREATE TABLE t (fid INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT, b REAL, c BOOLEAN NOT NULL DEFAULT 0)"
    ours, plain = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    for con in (ours, plain):
        con.execute(ddl)
    assert direct.insert_columns(ours, "t", columns, {"c": 0}) == 8
    plain.executemany("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", zip(*columns.values(), strict=True))
    query = "SELECT fid, a, b, c, typeof(b), typeof(c) FROM t ORDER BY fid"
    assert ours.execute(query).fetchall() == plain.execute(query).fetchall()
    assert [r[0] for r in ours.execute(query)] == list(range(1, 9))


@pytest.mark.parametrize("count", [0, 1, 51, 52, 2_601, 20_000])
def test_a_packed_rtree_holds_what_inserts_would(count):
    """The R-tree written straight into its shadow tables: the boxes stored (32-bit floats,
    rounded outwards) are the module's own for the same inserts, ``rtreecheck`` accepts the
    tree, and window queries find exactly the points inside. 51 boxes fill one node of a
    4,096-byte page's tree; 52 need two levels, thousands three."""
    rng = np.random.default_rng(count)
    x = rng.uniform(-2.4, -2.0, count)
    y = rng.uniform(53.3, 53.6, count)
    if count > 10:
        x[:5] = x[5]  # points on top of each other
        y[:5] = y[5]
        x[6], y[6] = -0.0, 0.0  # and far away, at zero
    ids = np.arange(1, count + 1) * 3  # ids need not be 1..n
    made = "CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)"
    packed, inserted = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    for con in (packed, inserted):
        con.execute(made)
    with packed:
        direct.fill_rtree(packed, "r", ids, x, y)
    inserted.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)",
                         zip(ids.tolist(), x.tolist(), x.tolist(), y.tolist(), y.tolist(), strict=True))
    everything = "SELECT * FROM r ORDER BY id"
    assert packed.execute(everything).fetchall() == inserted.execute(everything).fetchall()
    assert packed.execute("SELECT rtreecheck('r')").fetchone() == ("ok",)
    depth = int.from_bytes(packed.execute("SELECT data FROM r_node WHERE nodeno = 1").fetchone()[0][:2], "big")
    assert depth == {0: 0, 1: 0, 51: 0, 52: 1}.get(count, depth) and (count <= 51 or depth >= 1)
    window = "SELECT id FROM r WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ? ORDER BY id"
    for _ in range(20):
        x0, x1 = np.sort(rng.uniform(-2.45, -1.95, 2))
        y0, y1 = np.sort(rng.uniform(53.25, 53.65, 2))
        assert packed.execute(window, (x0, x1, y0, y1)).fetchall() == inserted.execute(window, (x0, x1, y0, y1)).fetchall()
    # the module goes on working on the packed tree: an insert, a delete, a move
    with packed:
        packed.execute("INSERT INTO r VALUES (1, -2.1, -2.1, 53.5, 53.5)")
        packed.execute("DELETE FROM r WHERE id = ?", (int(ids[-1]) if count else 1,))
    assert packed.execute("SELECT rtreecheck('r')").fetchone() == ("ok",)
    assert packed.execute("SELECT count(*) FROM r").fetchone()[0] == count


def test_a_spatial_index_found_inconsistent_is_not_swapped_in(tmp_path):
    """The post-write check runs SQLite's ``rtreecheck`` on the nodes' index: a file whose index
    lost an entry after it was written is refused, and the previous file stays as it was."""
    from socialmap.errors import ProjectFileError

    project = _every_field_project()
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    before = path.read_bytes()

    def lose_an_entry(tmp):
        con = sqlite3.connect(tmp)
        with con:
            con.execute("DELETE FROM rtree_nodes_geom_rowid WHERE rowid = (SELECT max(rowid) FROM rtree_nodes_geom_rowid)")
        con.close()

    with pytest.raises(ProjectFileError, match="spatial index of the nodes is inconsistent.*previous file is unchanged"):
        save_project(project, path, _after_layers=lose_an_entry)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.gpkg"]
