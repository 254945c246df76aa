"""Reading a project file's ties column-wise (socialmap.store.gpkg._keyed_tie_pieces, the ends
matched by socialmap.store.idkeys.IdKeys) gives what reading them row by row gives
(_row_tie_pieces, the reader of earlier sessions), value for value and message for message,
for files as SocialMap writes them and as another program (QGIS, the sqlite3 shell) leaves
them: ids that name no node, an id given twice, bad dates and marks, types that are none,
strength as text, blobs, separators and NULs in ids, the rows out of order."""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from socialmap.errors import ProjectFileError
from socialmap.model import Node, Project, Tie
from socialmap.store import gpkg, load_project, save_project
from socialmap.store.foreign import gpkg_functions
from socialmap.store.idkeys import IdKeys


def _edit(path) -> sqlite3.Connection:
    """A connection that can change the nodes layer (its R-tree triggers call GeoPackage's ST_ functions)."""
    con = sqlite3.connect(path)
    gpkg_functions(con)
    return con


_SAVED: dict[str, bytes] = {}  # the small project's file, saved once (each test edits a copy)


def _saved(tmp_path: Path, project: Project, *edits: str | tuple, small: bool = True) -> Path:
    """``project`` (the fixture ``small_project`` when ``small``) saved, then edited by ``edits``."""
    path = tmp_path / "p.gpkg"
    if small and "small" in _SAVED:
        path.write_bytes(_SAVED["small"])
    else:
        save_project(project, path)
        if small:
            _SAVED["small"] = path.read_bytes()
    con = _edit(path)
    with con:
        for edit in edits:
            con.execute(*((edit,) if isinstance(edit, str) else edit))
    con.close()
    return path


def _read(path: Path, keyed: bool, ahead: bool = False) -> tuple:
    """The ties of ``path`` read by :func:`gpkg._tie_pieces` (``keyed``; read and made ahead on a
    thread of their own when ``ahead``, :class:`gpkg.TiesMadeAhead`, or here when it made
    nothing, as the reading does) or row by row: the pieces' columns joined, the records and
    the build's columns, or the refusal's message."""
    con = gpkg._connect_read_only(path)
    before = gpkg.TiesMadeAhead(gpkg._read_only_uri(path), path, keep_pieces=True) if ahead else None
    try:
        ids = gpkg._node_columns_direct(con)["id"]
        made = None
        if before is not None and (theirs := before.same_ids(ids)) is not None:
            ids, made = theirs, before.made()
        try:
            if made is not None:
                pieces, ties, columns = made
            else:
                pieces = (gpkg._tie_pieces(con, ids, path) if keyed
                          else gpkg._row_tie_pieces(con.execute(f"{gpkg._TIE_ROW} ORDER BY fid"), ids, path))
                pieces = list(pieces)
            joined = {name: [v for p in pieces for v in (p[name].tolist() if name.endswith("_row") else p[name])]
                      for name in ("a", "b", "type", "since", "until", "a_row", "b_row", "context_row")}
            if made is None:
                into: dict = {}
                ties = gpkg._tie_records(pieces, ids, path, into)
                columns = into["columns"]
        except ProjectFileError as exc:
            return ("refused", str(exc)), None
        fields = {name: (getattr(columns, name).tolist() if name.endswith("_row") else getattr(columns, name))
                  for name in ("a_row", "b_row", "context_row", "type", "strength", "since", "until", "opportunity")}
        same_strings = [t.a is ids[r] for t, r in zip(ties, fields["a_row"], strict=True) if r >= 0]
        return (joined, ties, fields), same_strings
    finally:
        if before is not None:
            before.close()
        con.close()


def _opened(path: Path) -> str:
    try:
        project = load_project(path)
    except ProjectFileError as exc:
        return f"{type(exc).__name__}: {exc}"
    return repr((sorted(project.ties.items()), sorted(project.nodes.items())))


def _agree(path: Path, monkeypatch) -> tuple:
    """The ties read column-wise (here, and read and made ahead) and row by row,
    asserted equal (and the file opened both ways, outcome for outcome); returns the
    column-wise reading."""
    keyed, same = _read(path, keyed=True)
    rows, _ = _read(path, keyed=False)
    assert keyed == rows
    assert _read(path, keyed=True, ahead=True) == (keyed, same)
    assert same is None or all(same)  # each end that is a node is that node's id string
    opened = _opened(path)
    with monkeypatch.context() as m:
        m.setattr(gpkg, "_keyed_ties", lambda con, node_ids: None)
        assert _opened(path) == opened
    return keyed


def _named_pieces(path: Path) -> list:
    """For each piece of the file, whether it was read column-wise ("refused" when reading
    the next piece refused the file)."""
    con = gpkg._connect_read_only(path)
    named: list = []
    try:
        ids = gpkg._node_columns_direct(con)["id"]
        named += (p.get("named", False) for p in gpkg._tie_pieces(con, ids, path))
    except ProjectFileError:
        named.append("refused")
    finally:
        con.close()
    return named


@pytest.fixture(autouse=True)
def _small_pieces(monkeypatch):
    """Two ties a piece: the small project's six ties are three pieces (fid 1-2, 3-4, 5-6)."""
    monkeypatch.setattr(gpkg, "TIES_PER_READ", 2)


# The small project's ties in file order (fid 1-6): o1-s1 provides (the build's, from s1's
# provider); yp1-yp2 friend; yp2-yp3 friend, context s1; yp1-s1 attends; o1-ad1 employs,
# context s1; ad1-yp3 worker. Its nodes in file order (rows 0-5): yp1, yp2, yp3, ad1, o1, s1.


def test_a_file_as_socialmap_writes_it_is_read_column_wise_with_each_ends_row(tmp_path, small_project, monkeypatch):
    path = _saved(tmp_path, small_project)
    assert _named_pieces(path) == [True, True, True]
    (joined, ties, columns) = _agree(path, monkeypatch)
    assert joined["a_row"] == [4, 0, 1, 0, 4, 3] and joined["b_row"] == [5, 1, 2, 5, 3, 2]
    assert joined["context_row"] == [-2, -2, 5, -2, 5, -2]
    assert joined["type"] == ["provides", "friend", "friend", "attends", "employs", "worker"]
    assert ties[2] == Tie("yp2", "yp3", "friend", context="s1") and columns["strength"] == [None] * 6


def test_an_id_given_twice_is_the_last_and_the_file_is_refused_as_before(tmp_path, small_project, monkeypatch):
    """yp2 renamed yp1 in the nodes layer: rows 0 and 1 are both 'yp1'; each end 'yp1' is row 1
    (the last), each 'yp2' no node (-1: ties 2 and 3, so pieces 1 and 2 are read row by row)."""
    path = _saved(tmp_path, small_project, "UPDATE nodes SET id = 'yp1' WHERE id = 'yp2'")
    assert _named_pieces(path) == [False, False, True]
    (joined, _ties, _columns) = _agree(path, monkeypatch)
    assert joined["a_row"] == [4, 1, -1, 1, 4, 3] and joined["b_row"] == [5, -1, 2, 5, 3, 2]
    assert joined["a"][2] == "yp2"  # the end as read
    with pytest.raises(ProjectFileError, match="duplicate id"):
        load_project(path)


def test_ties_that_name_a_missing_node_keep_the_end_as_read_and_are_refused_as_before(tmp_path, small_project,
                                                                                       monkeypatch):
    """yp3 deleted (the rows now yp1, yp2, ad1, o1, s1): ties 3 (yp2-yp3) and 6 (ad1-yp3) name
    no node; pieces 2 and 3 are read row by row."""
    path = _saved(tmp_path, small_project, "DELETE FROM nodes WHERE id = 'yp3'")
    assert _named_pieces(path) == [True, False, False]
    (joined, _ties, _columns) = _agree(path, monkeypatch)
    assert joined["b_row"] == [4, 1, -1, 4, 2, -1] and joined["b"][2] == joined["b"][5] == "yp3"
    with pytest.raises(ProjectFileError, match=r"tie 'yp2'-'yp3', field 'b': unknown node 'yp3'"):
        load_project(path)


@pytest.mark.parametrize(("edits", "named"), [
    (["UPDATE ties SET context = 'nowhere' WHERE type = 'employs'"], [True, True, False]),
    (["UPDATE ties SET context = '' WHERE fid = 1"], [False, True, True]),
    (["UPDATE ties SET context = CAST('s1' AS BLOB) WHERE fid = 2"], [False, True, True]),
    (["UPDATE ties SET a = CAST(a AS BLOB) WHERE fid = 3"], [True, False, True]),
    (["UPDATE ties SET type = 'enemy' WHERE fid = 5"], [True, True, False]),
    (["UPDATE ties SET type = 'Friend' WHERE fid = 2"], [False, True, True]),
    (["UPDATE ties SET strength = 'x' WHERE fid = 2"], [False, True, True]),
    (["UPDATE ties SET strength = '2' WHERE fid = 2", "UPDATE ties SET strength = 2.7 WHERE fid = 3",
      "UPDATE ties SET strength = 3 WHERE fid = 6"], [True, True, True]),
    (["UPDATE ties SET strength = 0 WHERE fid = 3"], [True, False, True]),
    (["UPDATE ties SET strength = 12 WHERE fid = 3"], [True, False, True]),
    (["UPDATE ties SET strength = -1 WHERE fid = 3"], [True, False, True]),
    (["UPDATE ties SET since = '2024-13-01' WHERE fid = 3"], [True, "refused"]),
    (["UPDATE ties SET until = 'later' WHERE fid = 1", "UPDATE ties SET since = 'soon' WHERE fid = 2"],
     ["refused"]),
    (["UPDATE ties SET since = '2024-01-02', until = '2031-05-06T10:00:00' WHERE fid = 4",
      "UPDATE ties SET since = '' WHERE fid = 1"], [True, True, True]),
    (["UPDATE ties SET opportunity = 'maybe' WHERE fid = 3"], [True, False, True]),
    (["UPDATE ties SET opportunity = 'true' WHERE fid = 2", "UPDATE ties SET opportunity = 'false' WHERE fid = 6"],
     [False, True, False]),
    (["UPDATE ties SET opportunity = 2 WHERE fid = 4"], [True, False, True]),
    (["UPDATE ties SET opportunity = 0.5 WHERE fid = 4"], [True, False, True]),
    (["UPDATE ties SET opportunity = 1 WHERE fid = 2"], [True, True, True]),
    (["UPDATE ties SET b = 'yp2' || char(31) || 'yp3' WHERE fid = 2"], [False, True, True]),
    (("UPDATE ties SET b = ? WHERE fid = 4", ("s\x001",)), [True, False, True]),
    (["UPDATE ties SET fid = 10 WHERE fid = 1"], [True, True, True]),  # the first now the last
    (["DELETE FROM ties WHERE fid = 2"], [True, True, True]),
    (["DELETE FROM ties"], []),
    (["UPDATE nodes SET id = 'y' || char(31) || 'p' WHERE id = 'yp1'"], [False, False, False]),
    (["UPDATE nodes SET id = NULL WHERE id = 'ad1'"], [True, True, False]),
], ids=["missing-context", "empty-context", "blob-context", "blob-end", "unknown-type", "type-case",
        "strength-text", "strength-numbers", "strength-0", "strength-12", "strength-minus-1", "bad-since",
        "bad-until-then-since", "dates", "mark-maybe", "mark-text", "mark-2", "mark-half", "mark-1",
        "separator-in-end", "nul-in-end", "fid-moved", "fid-gap", "no-ties", "separator-in-id", "null-id"])
def test_an_edited_file_is_read_as_row_by_row(tmp_path, small_project, monkeypatch, edits, named):
    """Each edit another program could make: the pieces it touches are read row by row, the
    others column-wise, and the whole reads (and opens, or is refused) as row by row."""
    if isinstance(edits, tuple):
        edits = [edits]
    path = _saved(tmp_path, small_project, *edits)
    assert _named_pieces(path) == named
    _agree(path, monkeypatch)


def test_the_first_bad_date_in_file_order_is_the_one_refused(tmp_path, small_project, monkeypatch):
    """Tie 1's until and tie 2's since are bad (one piece): the since is refused, as row by row."""
    path = _saved(tmp_path, small_project, "UPDATE ties SET until = 'later' WHERE fid = 1",
                  "UPDATE ties SET since = 'soon' WHERE fid = 2")
    refused = _agree(path, monkeypatch)
    assert refused == ("refused", f"{path}: tie 'yp1'-'yp2', field 'since': 'soon' is not a date (YYYY-MM-DD); "
                                  "the file was not changed")


def test_a_bad_mark_is_refused_after_every_date_with_the_tie_named(tmp_path, small_project, monkeypatch):
    path = _saved(tmp_path, small_project, "UPDATE ties SET opportunity = 'maybe' WHERE fid = 3")
    assert _agree(path, monkeypatch) == (
        "refused", f"{path}: tie 'yp2'-'yp3', field 'opportunity': 'maybe' is not 0 or 1 (true or false); "
                   "the file was not changed")


@pytest.mark.parametrize("declared", ["type TEXT COLLATE NOCASE", "a"], ids=["nocase-type", "untyped-end"])
def test_a_ties_table_made_otherwise_is_read_as_row_by_row(tmp_path, small_project, monkeypatch, declared):
    """The ties table made again by another program: the type compared without case ('Friend'
    is still no tie type), or an end column without a type (the number 7 is then no node's id
    '7', and such a table is read row by row; in a TEXT column it is the text '7', that id)."""
    columns = {"a": "a TEXT NOT NULL", "type": "type TEXT NOT NULL"}
    columns[declared.split()[0]] = declared
    path = _saved(tmp_path, small_project, "ALTER TABLE ties RENAME TO old_ties",
                  f"CREATE TABLE ties (fid INTEGER PRIMARY KEY AUTOINCREMENT, {columns['a']}, b TEXT NOT NULL,"
                  f" {columns['type']}, context TEXT, strength INTEGER, since TEXT, until TEXT,"
                  " opportunity BOOLEAN NOT NULL DEFAULT 0)",
                  "INSERT INTO ties SELECT * FROM old_ties", "DROP TABLE old_ties",
                  "UPDATE ties SET type = 'Friend' WHERE fid = 2",
                  "INSERT INTO nodes (id, kind, label) VALUES ('7', 'young_person', 'Seven')",
                  "UPDATE ties SET a = 7 WHERE fid = 5")
    assert _named_pieces(path) == ([False, True, True] if declared.startswith("type") else [False, False, False])
    _agree(path, monkeypatch)


def _renamed(project: Project, names: dict[str, str]) -> Project:
    p = Project()
    for area in project.areas.values():
        p.add_area(area)
    for node in project.nodes.values():
        p.add_node(Node(**{**{f: getattr(node, f) for f in node.__dataclass_fields__}, "id": names[node.id],
                           "provider": names.get(node.provider)}))
    for t in project.ties.values():
        if (names[t.a], names[t.b]) in p.ties or (names[t.b], names[t.a]) in p.ties:
            continue  # (the provides tie the service's provider gave)
        p.add_tie(Tie(names[t.a], names[t.b], t.type, context=names.get(t.context), strength=t.strength))
    return p


@pytest.mark.parametrize("names", [
    {"yp1": "young-person-0001", "yp2": "young-person-0002", "yp3": "yp3", "ad1": "ad1", "o1": "Éloïse-ünï", "s1": "s"},
    {"yp1": "yp100000", "yp2": "yp1000000", "yp3": "yp10000000", "ad1": "yp1000001", "o1": "o1", "s1": "s1"},
], ids=["long-and-accented", "prefixes"])
def test_long_accented_and_empty_ids_are_found_exactly(tmp_path, small_project, monkeypatch, names):
    """Ids of more than eight bytes (keys of two or three words), accented ones, one of one
    byte, and ids that begin with one another ('yp100000' of 8 bytes, 'yp1000000' of 9...)."""
    path = _saved(tmp_path, _renamed(small_project, names), small=False)
    assert _named_pieces(path) == [True, True, True]
    joined, ties, _columns = _agree(path, monkeypatch)
    assert joined["a_row"] == [4, 0, 1, 0, 4, 3] and joined["b_row"] == [5, 1, 2, 5, 3, 2]
    assert ties[3].b == names["s1"] and ties[0].type == "provides"


def test_ends_longer_than_every_id_are_no_node(tmp_path, small_project, monkeypatch):
    """'yp10' and 'yp1xxxxxxxxx' begin with 'yp1' (and every id is at most 3 bytes): no node."""
    path = _saved(tmp_path, small_project, "UPDATE ties SET a = 'yp10' WHERE fid = 2",
                  "UPDATE ties SET b = 'yp1xxxxxxxxx' WHERE fid = 3")
    joined, _ties, _columns = _agree(path, monkeypatch)
    assert joined["a_row"][1] == -1 and joined["b_row"][2] == -1


# ------------------------------------------------------------------------------------- IdKeys
def _rows(keys: IdKeys, ends: list[str]) -> list[int] | None:
    got = keys.rows("\x1f".join(ends).encode(), len(ends))
    return None if got is None else got.tolist()


@pytest.mark.parametrize("ids", [
    ["yp1", "yp2", "yp1", "s1", ""],
    ["a" * 8, "a" * 9, "a" * 7, "a" * 17, "a" * 16, "ab"],
    ["Éloïse", "Eloise", "é", "e\u0301"],
])
def test_keys_find_each_ends_row_as_a_dict_does(ids):
    """The row of each end is that of the equal id (the last of an id given twice), -1 for none."""
    keys = IdKeys.of(ids)
    ends = [*ids, "yp", "yp11", "a" * 10, "a" * 40, "E", "x"]
    want = {i: n for n, i in enumerate(ids)}
    assert _rows(keys, ends) == [want.get(e, -1) for e in ends]


def test_keys_leave_out_ids_that_are_not_text():
    keys = IdKeys.of(["a", None, "b", 7])
    assert _rows(keys, ["b", "a", "7", ""]) == [2, 0, -1, -1]


@pytest.mark.parametrize("ids", [["a", "b\x1fc"], ["a\x00", "a"], ["\ud800"], [], [None]],
                         ids=["separator", "nul", "surrogate", "none", "no-text"])
def test_ids_that_cannot_be_keys_exactly_give_none(ids):
    assert IdKeys.of(ids) is None


def test_ends_that_cannot_be_keys_exactly_give_none():
    keys = IdKeys.of(["a", "b"])
    assert keys.rows(b"a\x1fb", 3) is None  # too few ends: one held the separator, or was left out
    assert keys.rows(b"a\x00\x1fb", 2) is None
    assert keys.rows(b"", 0).tolist() == []


def test_two_long_ids_with_one_hash_give_none(monkeypatch):
    """Keys of more than one word are found by their hash; two different ids with one hash
    could not be told apart, so the ids are not taken as keys (found one by one instead)."""
    from socialmap.store import idkeys

    monkeypatch.setattr(idkeys, "_hashes", lambda words: np.zeros(len(words), np.uint64))
    assert IdKeys.of(["a" * 9, "b" * 9]) is None
    assert IdKeys.of(["a" * 9, "a" * 9]) is not None  # one id given twice: one key
    assert IdKeys.of(["a", "b"]) is not None  # one word: the key is its own hash


def test_keys_made_a_few_ids_at_a_time_are_the_same(monkeypatch):
    """The ids made into keys two at a time (each C call short): the longest id of a later
    piece sets the width of all, and an id given twice in two pieces is the last."""
    from socialmap.store import idkeys

    ids = ["yp1", "s1", "yp1", "a-much-longer-id", "x", "s1", "yp2"]
    ends = [*ids, "yp", "a-much-longer-i", "a-much-longer-idd", ""]
    want = {i: n for n, i in enumerate(ids)}
    monkeypatch.setattr(idkeys, "IDS_PER_PIECE", 2)
    assert _rows(IdKeys.of(ids), ends) == [want.get(e, -1) for e in ends] == [2, 5, 2, 3, 4, 5, 6, -1, -1, -1, -1]


def _reading_ahead() -> list:
    return [t for t in threading.enumerate() if t.name == "ties read ahead"]


def test_the_ties_made_ahead_stop_when_closed(tmp_path, small_project, monkeypatch):
    """Closed before it made anything (the reading took another path), the thread ends, makes
    nothing and lets go of the file."""
    path = _saved(tmp_path, small_project)
    go, real = threading.Event(), gpkg._node_ids_direct
    monkeypatch.setattr(gpkg, "_node_ids_direct", lambda con: go.wait(5) and real(con))
    ahead = gpkg.TiesMadeAhead(gpkg._read_only_uri(path), path)
    ahead._stop.set()
    go.set()
    ahead.close()  # waits for the thread: nothing holds the file once it returns
    assert not ahead._thread.is_alive() and ahead.made() is None


def test_the_ties_of_a_file_are_made_ahead_and_share_the_nodes_strings(tmp_path, small_project, monkeypatch):
    """Opening a file SocialMap wrote, the ties' records are made on the thread reading ahead
    (while the nodes are read), and each end is its node's own id string."""
    path = _saved(tmp_path, small_project)
    threads, real = [], gpkg._tie_records

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(gpkg, "_tie_records", recorded)
    project = load_project(path)
    assert threads == ["ties read ahead"]
    assert all(t.a is project.nodes[t.a].id and t.b is project.nodes[t.b].id for t in project.ties.values())
    assert sorted(project.ties) == sorted(small_project.ties)


def test_the_ties_made_ahead_see_the_file_as_the_reading_does(tmp_path, small_project, monkeypatch):
    """A write-ahead log appearing beside the file once the reading has opened it (QGIS opening
    it meanwhile): the thread reading ahead opens it with the reading's own URI, immutable as
    the reading saw it, not with one made later that would see the log."""
    path = _saved(tmp_path, small_project)
    want = _opened(path)
    made, given = [], []
    real_uri, real_ahead = gpkg._read_only_uri, gpkg.TiesMadeAhead

    def uri_then_log(source):
        uri = real_uri(source)
        if sys._getframe(1).f_code.co_name == "read_records":  # the records' reading opens the file
            made.append(uri)
            Path(f"{source}-wal").touch()  # (empty: the file as it was)
        return uri

    class Recorded(real_ahead):
        def __init__(self, uri, shown, **kwargs):
            given.append(uri)
            super().__init__(uri, shown, **kwargs)

    monkeypatch.setattr(gpkg, "_read_only_uri", uri_then_log)
    monkeypatch.setattr(gpkg, "TiesMadeAhead", Recorded)
    assert _opened(path) == want
    assert given == made and made[0].endswith("&immutable=1")


@pytest.mark.parametrize("edits", [("DROP TABLE ties",), ("UPDATE ties SET since = 'soon' WHERE fid = 2",),
                                   ("UPDATE ties SET opportunity = 'maybe' WHERE fid = 3",)],
                         ids=["no-ties-table", "refused-date", "refused-mark"])
def test_the_ties_made_ahead_give_nothing_where_the_reading_must_judge(tmp_path, small_project, edits):
    """A ties table it cannot read, a tie it would refuse, or ends it cannot match: the thread
    makes nothing (the reading reads the ties itself and says what is wrong) and ends."""
    path = _saved(tmp_path, small_project, *edits)
    ahead = gpkg.TiesMadeAhead(gpkg._read_only_uri(path), path)
    con = gpkg._connect_read_only(path)
    try:
        ids = gpkg._node_columns_direct(con)["id"]
    finally:
        con.close()
    theirs = ahead.same_ids(ids)
    assert theirs == ids  # the nodes' ids read alike
    assert ahead.made() is None and not ahead._thread.is_alive()


def test_ids_the_reading_did_not_read_alike_stop_the_thread(tmp_path, small_project):
    path = _saved(tmp_path, small_project)
    ahead = gpkg.TiesMadeAhead(gpkg._read_only_uri(path), path)
    assert ahead.same_ids(["yp1", "somebody else"]) is None
    assert not ahead._thread.is_alive()


@pytest.mark.parametrize("edits", [(), ("UPDATE ties SET since = 'soon' WHERE fid = 2",),
                                   ("UPDATE ties SET opportunity = 'maybe' WHERE fid = 3",)],
                         ids=["opened", "refused-date", "refused-mark"])
def test_opening_a_file_leaves_no_queries_running_ahead(tmp_path, small_project, monkeypatch, edits):
    """Opened, refused, or read row by row after all (the ties table not readable column-wise):
    whatever was read ahead is stopped once the file's reading ends."""
    path = _saved(tmp_path, small_project, *edits)
    for keyed in (True, False):
        with monkeypatch.context() as m:
            if not keyed:
                m.setattr(gpkg, "_keyed_ties", lambda con, node_ids: None)
            _opened(path)
        assert _reading_ahead() == []  # stopped and joined before the reading returned
