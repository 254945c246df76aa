"""A project file's nodes read column-wise: one aggregate query per piece of rows.

Reading a city's 125,000 nodes row by row (``fetchmany``: a tuple and a Python value for each
of a row's ten dense fields, transposed into columns after) took about 0.4 s of CPU, all of it
holding Python's lock. Here SQLite goes over the rows (inside ``sqlite3_step``, which lets the
lock go) and hands Python a few values per piece of rows, the way the ties are read
(:func:`socialmap.store.gpkg._keyed_tie_pieces`): each text column as one value, the UTF-8
bytes of the piece's texts joined by the unit separator (``CAST(group_concat(col, char(31)) AS
BLOB)``, split in C after one decode), the kinds and activities one letter per row, the flags
one digit per row, the ages joined by commas (parsed by numpy), the points' blobs concatenated
(each checked to be 29 bytes long), and which rows are NULL as digits of bits.

:func:`read` gives exactly the columns of the row-by-row reading
(:func:`socialmap.store.gpkg._node_columns_direct`: each value as a :class:`Node` holds it, one
string per distinct kind, activity and area code) or ``None`` whenever it cannot be sure of
that, and the caller then reads the rows as before (so every value, and every message that
refuses a file, is as before): a field it does not read so, a column missing, a text column
without TEXT affinity (it could hold numbers) or holding a blob, a text holding the separator,
text that is not UTF-8, a kind or activity that is none of the known ones, an age or flag that
is not an integer, a point blob that is not 29 bytes or not a little-endian 2-D point, ``fid``
not the table's row id, or the values not concatenated in the order of ``fid``
(group_concat's order is not promised, https://sqlite.org/lang_aggfunc.html: each piece's
``fid`` values come alongside and are checked).
"""

from __future__ import annotations

import sqlite3
from itertools import chain
from typing import Any

import numpy as np

from socialmap.model.kinds import ACTIVITIES, NODE_KINDS
from socialmap.turns import let_others_run

#: Text fields, joined by the separator.
_TEXT = ("id", "label", "area_code")
#: Text fields of few distinct values: one string per value (as the row-by-row reading gives).
_SHARED = {"area_code"}
#: Fields of known values, one letter per row ('A' the first value, '@' NULL, '~' another).
_LETTERS = {"kind": NODE_KINDS, "activity": ACTIVITIES}
_INTS = ("age",)
#: Flags, one digit per row: 0 false, 1 true (an integer other than 0), 2 NULL, 9 not an integer.
_FLAGS = ("neet", "is_anchor")
#: The fields :func:`read` reads (``lat`` and ``lon`` together, from the point).
FIELDS = frozenset({*_TEXT, *_LETTERS, *_INTS, *_FLAGS, "lat", "lon"})
_FLAG_VALUES = np.array([False, True, None], dtype=object)
_SEPARATOR = "\x1f"


def _letters(column: str, values: tuple[str, ...]) -> str:
    whens = " ".join(f"WHEN '{v}' THEN '{chr(65 + i)}'" for i, v in enumerate(values))
    return (f"group_concat(CASE {column} COLLATE BINARY {whens} "
            f"ELSE CASE WHEN {column} IS NULL THEN '@' ELSE '~' END END, '')")


def _text_affinity(declared: str) -> bool:
    declared = declared.upper()  # https://sqlite.org/datatype3.html#determination_of_column_affinity
    return "INT" not in declared and any(word in declared for word in ("CHAR", "CLOB", "TEXT"))


def _objects(items: Any) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _with_nulls(values: list, null: np.ndarray | None) -> list:
    """``values`` (those of the rows not NULL) at their rows, ``None`` at the NULL rows."""
    if null is None:
        return values
    out = np.full(len(null), None, dtype=object)
    out[~null] = _objects(values)
    return out.tolist()


def read(con: Any, wanted: list[str], point: bool, geom: str, point_length: int, point_header: bytes,
         rows_per_piece: int) -> dict[str, list] | None:
    """The columns ``fid``, each of ``wanted`` (fields of :data:`FIELDS` other than ``lat`` and
    ``lon``) and, when ``point``, ``lon`` and ``lat`` from the GeoPackage point blobs of column
    ``geom`` (``point_length`` bytes each, the WKB header ``point_header`` at byte 8), of every
    row of the nodes table in ``fid`` order, ``rows_per_piece`` rows per query; ``None`` when
    they are to be read row by row (see the module's text)."""
    if not set(wanted) <= FIELDS - {"lat", "lon"}:
        return None
    try:
        declared = {name: kind for _cid, name, kind, *_rest in con.execute('PRAGMA table_info("nodes")')}
        if (any(name not in declared for name in wanted) or (point and geom not in declared)
                or not all(_text_affinity(declared[name]) for name in wanted if name in _TEXT)
                or con.execute("PRAGMA encoding").fetchone()[0] != "UTF-8"
                or con.execute("SELECT count(CASE WHEN fid IS NOT rowid THEN 1 END) FROM nodes").fetchone()[0]):
            return None
    except sqlite3.Error:  # (a table without row ids: no rowid)
        return None
    quoted = {name: f'"{name}"' for name in wanted}
    g = f'"{geom}"'
    masked = [quoted[name] for name in wanted if name in _TEXT or name in _INTS] + ([g] if point else [])
    columns = ["group_concat(fid)"]
    for name in wanted:
        q = quoted[name]
        if name in _TEXT:
            columns += [f"max({q})", f"CAST(group_concat({q}, char(31)) AS BLOB)"]
        elif name in _LETTERS:
            columns.append(_letters(q, _LETTERS[name]))
        elif name in _INTS:
            columns += [f"group_concat({q})", f"count(CASE WHEN typeof({q}) = 'integer' THEN 1 END)"]
        else:
            columns.append(f"group_concat(CASE typeof({q}) WHEN 'integer' THEN {q} != 0 WHEN 'null' THEN 2 "
                           "ELSE 9 END, '')")
    if point:
        columns += [f"CAST(group_concat({g}, '') AS BLOB)",
                    f"count(CASE WHEN {g} >= x'' AND length({g}) = {point_length} THEN 1 END)"]
    for at in range(0, len(masked), 3):  # which rows are NULL, three columns' bits to a digit
        columns.append("group_concat(" + " + ".join(f"{k} * ({c} IS NULL)" for k, c in
                                                    zip((1, 2, 4), masked[at:at + 3], strict=False)) + ", '')")
    query = f"SELECT {', '.join(columns)} FROM nodes WHERE fid BETWEEN ? AND ?"
    header = np.frombuffer(point_header, np.uint8)
    shared: dict[str, str] = {}
    pieces: dict[str, list] = {name: [] for name in ("fid", *wanted, *(("lon", "lat") if point else ()))}
    total = 0
    first = con.execute("SELECT min(fid) FROM nodes").fetchone()[0]
    previous = None
    while first is not None:
        ends = con.execute("SELECT fid FROM nodes WHERE fid >= ? ORDER BY fid LIMIT 2 OFFSET ?",
                           (first, rows_per_piece - 1)).fetchall()
        last = ends[0][0] if ends else con.execute("SELECT max(fid) FROM nodes").fetchone()[0]
        try:
            got = list(con.execute(query, (first, last)).fetchone())
        except sqlite3.Error:  # (a text that is not UTF-8: the rows' reading names it)
            return None
        piece = _piece(got, wanted, point, point_length, header, masked, shared)
        if piece is None:
            return None
        fids = piece["fid"]
        if fids[0] != first or fids[-1] != last or (previous is not None and first <= previous):
            return None
        previous = last
        total += len(fids)
        for name, values in piece.items():
            pieces[name].append(values)
        let_others_run()
        first = ends[1][0] if len(ends) == 2 else None
    if total != con.execute("SELECT count(*) FROM nodes").fetchone()[0]:
        return None
    return {name: list(chain.from_iterable(parts)) for name, parts in pieces.items()}


def _piece(got: list, wanted: list[str], point: bool, point_length: int, header: np.ndarray, masked: list[str],
           shared: dict) -> dict[str, list] | None:
    """The columns of one piece from its query's row ``got`` (in the order :func:`read` asks for
    them), or ``None`` when it cannot be sure of them."""
    fid_text = got.pop(0)
    if not isinstance(fid_text, str):
        return None
    fids = np.fromstring(fid_text, np.int64, sep=",")  # (row ids: integers)
    n = len(fids)
    if n == 0 or not (fids[1:] > fids[:-1]).all():
        return None
    nulls: dict[str, np.ndarray] = {}
    bits = got[len(got) - (len(masked) + 2) // 3:]
    for at, digits in zip(range(0, len(masked), 3), bits, strict=True):
        if not isinstance(digits, str) or len(digits) != n:
            return None
        code = np.frombuffer(digits.encode("ascii"), np.uint8) - 48
        if (code > 7).any():
            return None
        for k, column in enumerate(masked[at:at + 3]):
            nulls[column] = (code >> k) & 1 == 1
    out: dict[str, list] = {"fid": fids.tolist()}
    at = 0
    for name in wanted:
        null = nulls.get(f'"{name}"')
        given = n if null is None else n - int(null.sum())
        plain = None if null is None or not null.any() else null
        if name in _TEXT:
            largest, joined = got[at], got[at + 1]
            at += 2
            if not (largest is None or isinstance(largest, str)):  # a blob (TEXT affinity: no numbers)
                return None
            if joined is None:
                values: list = []
            else:
                try:
                    values = joined.decode("utf-8").split(_SEPARATOR)
                except UnicodeDecodeError:
                    return None
            if len(values) != given:  # a separator in a text
                return None
            if name in _SHARED:
                values = list(map(shared.setdefault, values, values))
            out[name] = _with_nulls(values, plain)
        elif name in _LETTERS:
            letters = got[at]
            at += 1
            if not isinstance(letters, str) or len(letters) != n or "~" in letters:
                return None
            table = np.array([*_LETTERS[name], None], dtype=object)  # ('@' - 65: the last, None)
            out[name] = table[np.frombuffer(letters.encode("ascii"), np.uint8).astype(np.int16) - 65].tolist()
        elif name in _INTS:
            joined, integers = got[at], got[at + 1]
            at += 2
            if integers != given:
                return None
            values = [] if joined is None else np.fromstring(joined, np.int64, sep=",").tolist()
            if len(values) != given:
                return None
            out[name] = _with_nulls(values, plain)
        else:
            digits = got[at]
            at += 1
            if not isinstance(digits, str) or len(digits) != n:
                return None
            code = np.frombuffer(digits.encode("ascii"), np.uint8) - 48
            if (code > 2).any():
                return None
            out[name] = _FLAG_VALUES[code].tolist()
    if point:
        blobs, points = got[at], got[at + 1]
        null = nulls[masked[-1]]
        given = n - int(null.sum())
        blobs = b"" if blobs is None else blobs
        if points != given or not isinstance(blobs, bytes) or len(blobs) != given * point_length:
            return None
        raw = np.frombuffer(blobs, np.uint8).reshape(given, point_length)
        if given and not ((raw[:, 0] == ord("G")) & (raw[:, 1] == ord("P")) & (raw[:, 3] == 1)
                          & (raw[:, 8:8 + len(header)] == header).all(axis=1)).all():
            return None
        xy = raw[:, 13:29].copy().view("<f8").reshape(given, 2)
        plain = null if null.any() else None
        out["lon"] = _with_nulls(xy[:, 0].tolist(), plain)
        out["lat"] = _with_nulls(xy[:, 1].tolist(), plain)
    return out
