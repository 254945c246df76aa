"""Reading a project file's nodes column-wise (socialmap.store.nodecolumns.read, one aggregate
query per piece of rows, called by socialmap.store.gpkg._node_columns_direct) gives what reading
them row by row gives (the reader of earlier sessions), value for value and type for type, and
the file opens to the same project or the same message, for files as SocialMap writes them and
as another program leaves them: accents, empty and NULL texts, a NULL in each field, the
separator or a NUL in a text, numbers and blobs in text columns, ages and flags of other types,
points of another length or header, kinds and activities that are none, fid moved and a gap."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from socialmap.errors import ProjectFileError
from socialmap.mapview.binary import BLOCK_FIELDS, PartsPreview
from socialmap.model import Project
from socialmap.store import gpkg, load_project, nodecolumns, save_project
from socialmap.store.foreign import gpkg_functions

#: The fields the map's preview reads first (its group key the area code), and the dense fields.
PREVIEW_FIELDS = (*BLOCK_FIELDS, "activity", "area_code")
FIELD_SETS = [PREVIEW_FIELDS, None, ("label",), ("kind", "lat", "lon")]

_SAVED: dict[str, bytes] = {}


def _saved(tmp_path: Path, project: Project, *edits: str | tuple) -> Path:
    """The small project saved (once; each test edits a copy), then edited with SQLite."""
    path = tmp_path / "p.gpkg"
    if "small" in _SAVED:
        path.write_bytes(_SAVED["small"])
    else:
        save_project(project, path)
        _SAVED["small"] = path.read_bytes()
    con = sqlite3.connect(path)
    gpkg_functions(con)  # (the layer's R-tree triggers call GeoPackage's ST_ functions)
    if any("geom" in (edit if isinstance(edit, str) else edit[0]) for edit in edits):
        # a point that is none: stand-ins (the spatial index is not what these tests read)
        con.create_function("ST_IsEmpty", 1, lambda geom: 0)
        for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            con.create_function(name, 1, lambda geom: 0.0)
    with con:
        for edit in edits:
            con.execute(*((edit,) if isinstance(edit, str) else edit))
    con.close()
    return path


@pytest.fixture(autouse=True)
def _small_pieces(monkeypatch):
    """Two rows a piece: the small project's six nodes are three pieces (fid 1-2, 3-4, 5-6)."""
    monkeypatch.setattr(gpkg, "TIES_PER_READ", 2)


def _columns(path: Path, fields, monkeypatch, keyed: bool):
    """The columns of ``path``'s nodes by :func:`gpkg._node_columns_direct` (with the aggregate
    reading when ``keyed``, else row by row), each value with its type, or the error raised;
    and whether the aggregate reading gave them."""
    used: list = []
    real = nodecolumns.read

    def read(*args):
        got = real(*args) if keyed else None
        used.append(got is not None)
        return got

    con = gpkg._connect_read_only(path)
    try:
        with monkeypatch.context() as m:
            m.setattr(nodecolumns, "read", read)
            try:
                columns = gpkg._node_columns_direct(con, fields)
            except Exception as exc:  # noqa: BLE001 - compared both ways
                return ("raised", type(exc).__name__, str(exc)), any(used)
    finally:
        con.close()
    if columns is None:
        return None, any(used)
    return {name: [(type(v).__name__, v) for v in values] for name, values in columns.items()}, any(used)


def _opened(path: Path, monkeypatch, keyed: bool) -> list:
    """The project opened from ``path`` (without a preview and with the map's), as text, or the message."""
    out = []
    with monkeypatch.context() as m:
        if not keyed:
            m.setattr(nodecolumns, "read", lambda *args: None)
        for preview in (None, PartsPreview(lambda part: None)):
            try:
                project = load_project(path, preview=preview)
            except ProjectFileError as exc:
                out.append(f"{type(exc).__name__}: {exc}")
            else:
                out.append(repr((list(project.nodes.items()), sorted(project.ties.items()))))
    return out


def _agree(path: Path, monkeypatch) -> dict:
    """The nodes read both ways, asserted the same for every field set, and the file opened both
    ways, outcome for outcome; for each field set whether the aggregate reading was used."""
    used = {}
    for fields in FIELD_SETS:
        keyed, was_used = _columns(path, fields, monkeypatch, keyed=True)
        rows, _ = _columns(path, fields, monkeypatch, keyed=False)
        assert keyed == rows, fields
        used[fields] = was_used
    assert _opened(path, monkeypatch, keyed=True) == _opened(path, monkeypatch, keyed=False)
    return used


# The small project's nodes in file order (fid 1-6): yp1 (A1, 17, NEET), yp2 (A1, 18), yp3
# (A2, 16), young people with a point; ad1 (an adult, A2, no point); o1 (an organisation, an
# anchor, a point); s1 (a service, a point).
CASES = [
    ([], True),
    ([("UPDATE nodes SET label = ? WHERE id = 'yp1'", ("Zoë Ångström-Łukasz 李",))], True),
    (["UPDATE nodes SET label = '' WHERE id = 'yp2'", "UPDATE nodes SET label = '' WHERE id = 'o1'"], True),
    (["UPDATE nodes SET label = NULL WHERE fid IN (1, 2)"], True),
    (["UPDATE nodes SET id = NULL WHERE id = 'ad1'"], True),
    (["UPDATE nodes SET kind = NULL WHERE id = 'yp3'"], True),
    (["UPDATE nodes SET area_code = NULL WHERE id IN ('yp2', 'o1')"], True),
    (["UPDATE nodes SET age = NULL WHERE id = 'yp1'"], True),
    (["UPDATE nodes SET neet = NULL WHERE id = 'yp3'"], True),
    (["UPDATE nodes SET activity = NULL WHERE id = 'yp1'", "UPDATE nodes SET neet = NULL WHERE id = 'yp2'"], True),
    (["UPDATE nodes SET is_anchor = NULL WHERE id = 'o1'"], True),
    (["UPDATE nodes SET geom = NULL WHERE id = 's1'"], True),
    (["UPDATE nodes SET geom = NULL", "UPDATE nodes SET label = NULL", "UPDATE nodes SET age = NULL"], True),
    ([("UPDATE nodes SET label = ? WHERE id = 'yp2'", ("Sam\x1fSmith",))], False),
    ([("UPDATE nodes SET label = ? WHERE id = 'yp2'", ("Sam\x00Smith",))], True),
    ([("UPDATE nodes SET id = ? WHERE id = 'yp3'", ("yp\x003",))], True),
    (["UPDATE nodes SET label = 12 WHERE id = 'yp1'", "UPDATE nodes SET area_code = 2.5 WHERE id = 'ad1'"], True),
    (["UPDATE nodes SET label = x'00ff' WHERE id = 'yp1'"], False),
    (["UPDATE nodes SET label = CAST(x'c3' AS TEXT) WHERE id = 'yp1'"], False),  # not UTF-8
    (["UPDATE nodes SET age = 'seventeen' WHERE id = 'yp1'"], False),
    (["UPDATE nodes SET age = 17.5 WHERE id = 'yp1'"], False),
    (["UPDATE nodes SET age = -3 WHERE id = 'yp1'", "UPDATE nodes SET age = 9223372036854775807 WHERE id = 'yp2'",
      "UPDATE nodes SET age = -9223372036854775808 WHERE id = 'yp3'"], True),
    (["UPDATE nodes SET neet = 2 WHERE id = 'yp1'", "UPDATE nodes SET is_anchor = -1 WHERE id = 'o1'"], True),
    (["UPDATE nodes SET neet = 'yes' WHERE id = 'yp1'"], False),
    (["UPDATE nodes SET is_anchor = 0.5 WHERE id = 'o1'"], False),
    (["UPDATE nodes SET geom = CAST(geom || x'00' AS BLOB) WHERE id = 'o1'"], False),
    (["UPDATE nodes SET geom = substr(geom, 1, 28) WHERE id = 'yp2'"], False),
    (["UPDATE nodes SET geom = CAST(x'4750000200000000' || substr(geom, 9) AS BLOB) WHERE id = 's1'"], False),  # flags 2
    (["UPDATE nodes SET geom = 'not a point, text of 29 bytes' WHERE id = 's1'"], False),
    (["UPDATE nodes SET kind = 'Adult' WHERE id = 'ad1'"], False),
    (["UPDATE nodes SET kind = 'adult', age = NULL, neet = NULL, activity = NULL WHERE id = 'yp2'",
      "UPDATE nodes SET kind = 'service' WHERE id = 'o1'"], True),  # kinds other than young people
    (["UPDATE nodes SET activity = 'working' WHERE id = 'yp2'"], False),
    (["UPDATE nodes SET activity = 'not_known', neet = 0 WHERE id = 'yp2'"], True),
    (["UPDATE nodes SET fid = 10 WHERE id = 'yp1'"], True),  # the first now the last
    (["UPDATE nodes SET fid = 20 WHERE id = 'ad1'"], True),  # a gap in fid
    (["DELETE FROM nodes WHERE id = 'yp3'"], True),
    (["DELETE FROM ties", "DELETE FROM nodes"], True),
    (["UPDATE nodes SET id = 'yp1' WHERE id = 'yp2'"], True),  # an id given twice
]


@pytest.mark.parametrize(("edits", "keyed"), CASES, ids=[
    "as-saved", "accents", "empty-labels", "null-labels", "null-id", "null-kind", "null-area", "null-age",
    "null-neet", "null-activity", "null-anchor", "null-point", "null-columns", "separator-in-label",
    "nul-in-label", "nul-in-id", "numbers-in-text", "blob-label", "not-utf8", "age-text", "age-real",
    "ages-extreme", "flags-other-integers", "neet-text", "anchor-real", "point-longer", "point-shorter",
    "point-flags", "point-text", "unknown-kind", "other-kinds", "unknown-activity", "activity-changed",
    "fid-moved", "fid-gap", "one-deleted", "no-nodes", "id-twice"])
def test_the_aggregate_reading_gives_what_the_rows_give(small_project, tmp_path, monkeypatch, edits, keyed):
    path = _saved(tmp_path, small_project, *edits)
    used = _agree(path, monkeypatch)
    # every field set read so but the single text column when a label is unusual
    assert used[PREVIEW_FIELDS] is keyed and used[None] is keyed


def test_the_columns_by_hand(small_project, tmp_path, monkeypatch):
    """The values written out by hand for an edited file, as the records hold them."""
    path = _saved(tmp_path, small_project,
                  ("UPDATE nodes SET label = ? WHERE id = 'yp1'", ("Zoë",)),
                  "UPDATE nodes SET label = '' WHERE id = 'yp2'", "UPDATE nodes SET label = NULL WHERE id = 'yp3'",
                  "UPDATE nodes SET neet = 2, age = NULL WHERE id = 'yp1'", "UPDATE nodes SET fid = 9 WHERE id = 'ad1'")
    con = gpkg._connect_read_only(path)
    try:
        columns = gpkg._node_columns_direct(con, PREVIEW_FIELDS)
    finally:
        con.close()
    assert columns["fid"] == [1, 2, 3, 5, 6, 9]
    assert columns["id"] == ["yp1", "yp2", "yp3", "o1", "s1", "ad1"]
    assert columns["label"] == ["Zoë", "", None, "Northfield College", "Youth club", "Jo"]
    assert columns["kind"] == ["young_person"] * 3 + ["organisation", "service", "adult"]
    assert columns["area_code"][:3] == ["A1", "A1", "A2"] and columns["area_code"][5] == "A2"
    assert columns["age"] == [None, 18, 16, None, None, None]
    assert columns["neet"] == [True, False, False, None, None, None]
    assert [type(v) for v in columns["neet"][:3]] == [bool] * 3
    assert columns["is_anchor"] == [None, None, None, True, None, None]
    assert columns["activity"][3:] == [None, None, None]
    assert columns["lat"][3:5] == [53.405, 53.405] and columns["lon"][3:5] == [-2.295, -2.285]
    assert columns["lat"][5] is None and columns["lon"][5] is None
    assert all(type(v) is float for v in columns["lat"][:5])
    assert list(columns) == ["fid", "id", "kind", "label", "area_code", "age", "neet", "activity", "is_anchor",
                             "lon", "lat"]


def test_a_text_column_without_text_affinity_is_read_row_by_row(small_project, tmp_path, monkeypatch):
    """A nodes table made again with ``label`` of no declared type (it can then hold numbers):
    the rows are read as before (the number makes the direct reading give way to GDAL's)."""
    path = _saved(tmp_path, small_project)
    con = sqlite3.connect(path)
    gpkg_functions(con)
    with con:
        con.execute("ALTER TABLE nodes RENAME COLUMN label TO old_label")
        con.execute("ALTER TABLE nodes ADD COLUMN label")
        con.execute("UPDATE nodes SET label = old_label")
        con.execute("UPDATE nodes SET label = 12 WHERE id = 'yp1'")
    con.close()
    used = _agree(path, monkeypatch)
    assert not used[PREVIEW_FIELDS] and not used[None]


def test_a_city_reads_the_same_both_ways(monkeypatch):
    """A synthetic city (its nodes in pieces of 7 rows): every column the same, type for type."""
    from socialmap.bench import synthetic_city

    monkeypatch.setattr(gpkg, "TIES_PER_READ", 7)
    project = synthetic_city(300)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "city.gpkg"
        save_project(project, path)
        for fields in (PREVIEW_FIELDS, None):
            keyed, used = _columns(path, fields, monkeypatch, keyed=True)
            rows, _ = _columns(path, fields, monkeypatch, keyed=False)
            assert used and keyed == rows


_FIDS = [*range(1, 21), 30]  # 21 rows (fid 30 the last)


@pytest.mark.parametrize("got", [
    [*range(3, 21)],  # one run of 18 rows
    [*range(1, 10), *range(12, 20), 30],  # runs (two breaks in 18 rows)
    [1, 3, 6, 10, 30],  # no two rows together: one by one
    [1, 2, 4, 5],  # a break in 4 rows: one by one
    [],
])
def test_the_other_fields_spread_over_the_rows(got):
    """The other fields of the rows that have any, each put at its row (a run of rows together
    is put in place at once, the same values either way), ``{}`` for ``attrs``; written out
    by hand against the fids."""
    labels = [f"n{fid}" for fid in got]
    attrs = [{"fid": fid} for fid in got]
    out = gpkg._spread({"fid": got, "label": labels, "attrs": attrs}, ["label", "attrs"], _FIDS)
    assert out["label"] == [f"n{fid}" if fid in got else None for fid in _FIDS]
    assert out["attrs"] == [{"fid": fid} if fid in got else {} for fid in _FIDS]
    assert all(out["attrs"][_FIDS.index(fid)] is attrs[k] for k, fid in enumerate(got))
    assert gpkg._spread({"fid": [25], "label": ["x"]}, ["label"], _FIDS) is None  # a row not among them


@pytest.mark.parametrize("table", [
    "CREATE TABLE nodes (fid INTEGER PRIMARY KEY, id TEXT, label TEXT) WITHOUT ROWID",
    "CREATE TABLE nodes (fid INTEGER, id TEXT, label TEXT)",  # fid not the row id
])
def test_a_table_whose_fid_is_not_its_row_id_is_read_row_by_row(table):
    """``nodecolumns.read`` gives way (``None``: the rows are read as before) for a table
    without row ids, or whose ``fid`` is a column of its own."""
    con = sqlite3.connect(":memory:")
    con.execute(table)
    con.executemany("INSERT INTO nodes VALUES (?, ?, ?)", [(2, "a", "A"), (1, "b", "B")])
    if "WITHOUT" not in table:
        con.execute("UPDATE nodes SET fid = 5 WHERE id = 'a'")
    assert nodecolumns.read(con, ["id", "label"], False, "geom", 29, b"", 2) is None
    con.execute("DELETE FROM nodes")
    con.close()


def test_a_plain_table_is_read():
    """The same small table with ``fid`` its row id is read so, the values in ``fid`` order."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE nodes (fid INTEGER PRIMARY KEY, id TEXT, label TEXT)")
    con.executemany("INSERT INTO nodes VALUES (?, ?, ?)", [(2, "a", "A"), (1, "b", None), (7, "c", "")])
    assert nodecolumns.read(con, ["id", "label"], False, "geom", 29, b"", 2) == {
        "fid": [1, 2, 7], "id": ["b", "a", "c"], "label": [None, "A", ""]}
    con.close()
