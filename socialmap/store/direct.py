"""Rows written straight into the GeoPackage with SQLite, column by column.

Saving a city of 100,000 young people (125,000 nodes, 391,000 ties) took about 7 s of CPU,
against SPEC 10's 3 s: GDAL writing the nodes layer a feature at a time (2.8 s, through
``pyogrio.write_dataframe`` in pieces, after 0.7 s of pandas frames), and the ties inserted
one row per ``executemany`` step from a generator of tuples (3.5 s). Here:

* **The nodes layer** is still made by GDAL, empty (:func:`socialmap.store.gpkg._write`: the
  table, its ``gpkg_contents``, ``gpkg_geometry_columns``, ``gpkg_extensions`` and
  ``gpkg_ogr_contents`` rows, its R-tree spatial index and triggers, all exactly as GDAL makes
  them), and its rows are then inserted here (:func:`fill_nodes`). The layer's triggers are
  set aside while the rows go in and put back as GDAL wrote them (``sqlite_master``'s SQL),
  as :func:`socialmap.store.memory._copy_layer` does: their R-tree trigger calls GDAL's
  ``ST_IsEmpty``/``ST_MinX``... SQL functions, which a plain SQLite connection does not
  have, and the feature count trigger would run one UPDATE per row. What the triggers would
  have done is done in bulk instead: each located point's box is inserted into the R-tree
  (``rtree_nodes_geom``: id = fid, minx = maxx = x, miny = maxy = y; SQLite's R-tree module
  stores them as 32-bit floats rounded outwards, as it does for GDAL's inserts), the feature
  count and the layer's extent (``gpkg_contents.min_x``... as doubles) are set, and
  ``last_change`` is the time of writing. The result is checked before the triggers go
  back: the fids are 1..n in the nodes' order, the R-tree holds one box per located node.
* **Point geometries** are GeoPackage blobs made with numpy for all the points at once
  (GeoPackage 1.2 section 2.1.3: ``"GP"``, version 0, flags ``0x01`` = little-endian and no
  envelope, the srs id 4326 as int32; then the WKB of a 2-D point, ISO 19125 / OGC 06-103r4:
  byte order 1, type 1, x, y as doubles): the same bytes GDAL writes for a point, and the
  ones :func:`socialmap.store.gpkg._points` reads back (a node without a location has no
  geometry: NULL, as before).
* **Rows** go in :data:`ROWS_PER_PIECE` at a time from the columns (lists, one per field)
  rather than from a tuple per record: each piece is flattened once and inserted by
  multi-row ``INSERT ... VALUES (...), (...)`` statements of :data:`ROWS_PER_STATEMENT`
  rows (SQLite binds and steps a statement per 50 rows, not per row: about 40% less CPU per
  tie here), and a column that holds only its default (NULL, or the ties' ``opportunity``
  0) in every row of a piece is left out of that piece's statement, which gives the same
  row. SQLite releases Python's lock while it steps each statement (``sqlite3_step`` is
  called with the lock released), so a window thread waiting for it waits at most one
  statement's binding.

:func:`node_columns` answers ``None`` for nodes holding anything the GDAL path would have
converted (an age as text, a boolean in a number field, a NUL character in a text, an
infinite coordinate...): those projects are written through GDAL as before, so the file
never differs between the two paths (a test compares them table by table).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

#: Rows of one table inserted per piece (a piece's columns are cut and flattened at once).
ROWS_PER_PIECE = 2_000
#: Rows per multi-row INSERT statement (at most SQLite's limit of bound variables).
ROWS_PER_STATEMENT = 50

_INT_FIELDS = {"age"}
_BOOL_FIELDS = {"neet", "is_anchor", "in_work"}
_FLOAT_FIELDS = {"employees_total", "employees_local", "spend_total", "spend_local",
                 "years_in_area", "annual_value", "hours_per_week"}
_DATE_FIELDS = {"contract_end", "recorded", "updated"}

_NONE = type(None)
#: The GeoPackage blob header of a point in EPSG:4326 (8 bytes) and the WKB point's first 5.
_POINT_PREFIX = b"GP\x00\x01" + (4326).to_bytes(4, "little") + b"\x01\x01\x00\x00\x00"
_POINT_LENGTH = len(_POINT_PREFIX) + 16
_BOOL_AS_INT = {True: 1, False: 0, None: None}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    one = "(" + ", ".join("?" * len(columns)) + ")"
    names = ", ".join(map(_quote, columns))
    return f"INSERT INTO {_quote(table)} ({names}) VALUES " + ", ".join([one] * rows)


def insert_columns(con: sqlite3.Connection, table: str, columns: dict[str, list],
                   defaults: dict[str, Any] | None = None) -> int:
    """Insert the rows given as ``columns`` (name -> list of values, all of one length) into
    ``table`` in order (so an ``INTEGER PRIMARY KEY`` takes 1, 2, ... in a new table); a
    column whose values in a piece all equal its default (``None``, or ``defaults[name]``) is
    left to that default there. Returns the number of rows. The caller holds the transaction."""
    defaults = defaults or {}
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    if any(len(columns[name]) != n for name in names):
        raise ValueError(f"{table}: columns of different lengths")
    try:
        limit = con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python before 3.11: SQLite's default since 3.32
        limit = 32766
    for start in range(0, n, ROWS_PER_PIECE):
        stop = min(start + ROWS_PER_PIECE, n)
        size = stop - start
        kept = []
        for name in names:
            piece = columns[name][start:stop]
            if piece.count(defaults.get(name)) != size:
                kept.append((name, piece))
        if not kept:  # every value the default: rows of defaults
            con.executemany(f"INSERT INTO {_quote(table)} DEFAULT VALUES", ((),) * size)
            continue
        width = len(kept)
        flat = list(chain.from_iterable(zip(*(piece for _name, piece in kept), strict=True)))
        chosen = tuple(name for name, _piece in kept)
        per = max(1, min(ROWS_PER_STATEMENT, limit // width))
        full = size // per * per
        step = per * width
        if full:
            con.executemany(_insert_sql(table, chosen, per), (flat[i:i + step] for i in range(0, full * width, step)))
        if full < size:
            con.execute(_insert_sql(table, chosen, size - full), flat[full * width:])
    return n


# --------------------------------------------------------------------- nodes
def node_columns(nodes: list, fields: list[str]) -> dict[str, list] | None:
    """The nodes as the columns of the nodes layer, ``geom`` first (point blobs, ``None`` for
    a node without a location), then ``fields`` and ``attrs``, each value as the GDAL path
    writes it; or ``None`` when some value is one the GDAL path would convert (see the module
    text), and GDAL should write the layer."""
    n = len(nodes)
    table = list(zip(*map(attrgetter(*fields, "lon", "lat"), nodes), strict=True)) if n else [()] * (len(fields) + 2)
    columns: dict[str, list] = {}
    lon_values, lat_values = list(table[-2]), list(table[-1])
    del table[-2:]
    for name, values in zip(fields, table, strict=True):
        values = list(values)
        types = set(map(type, values))
        if name in _INT_FIELDS:
            if not types <= {int, _NONE}:
                return None
        elif name in _BOOL_FIELDS:
            if not types <= {bool, _NONE}:
                return None
            values = list(map(_BOOL_AS_INT.__getitem__, values))
        elif name in _FLOAT_FIELDS:
            if not types <= {float, int, _NONE} or not _finite(values):
                return None
        elif name in _DATE_FIELDS:
            if not types <= {dt.date, _NONE}:
                return None
            if len(types) > 1 or _NONE not in types:
                values = [None if v is None else v.isoformat() for v in values]
        elif not types <= {str, _NONE} or "\x00" in "".join(filter(None, values)):
            return None
        columns[name] = values
    attrs = [n_.attrs for n_ in nodes]
    if any(attrs):
        attrs = [json.dumps(a, ensure_ascii=False, default=str) if a else None for a in attrs]
        if "\x00" in "".join(filter(None, attrs)):
            return None
    else:
        attrs = [None] * n
    columns["attrs"] = attrs
    geom = point_blobs(lon_values, lat_values)
    if geom is None:
        return None
    return {"geom": geom, **columns}


def _finite(values: list) -> bool:
    numbers = [v for v in values if v is not None]
    if not numbers:
        return True
    array = np.array(numbers, dtype=np.float64)
    return not np.isinf(array).any()


def point_blobs(lon: list, lat: list) -> list | None:
    """GeoPackage blobs of the points (``None`` where either coordinate is missing or NaN, as
    the GDAL path leaves them without geometry), made for all points at once; ``None`` when a
    coordinate is not a number or is infinite."""
    if not set(map(type, lon)) | set(map(type, lat)) <= {float, int, _NONE}:
        return None
    x = np.array(lon, dtype=np.float64)  # None becomes NaN
    y = np.array(lat, dtype=np.float64)
    if np.isinf(x).any() or np.isinf(y).any():
        return None
    located = ~(np.isnan(x) | np.isnan(y))
    k = int(located.sum())
    raw = np.empty((k, _POINT_LENGTH), np.uint8)
    raw[:, :len(_POINT_PREFIX)] = np.frombuffer(_POINT_PREFIX, np.uint8)
    xy = np.empty((k, 2), "<f8")
    xy[:, 0] = x[located]
    xy[:, 1] = y[located]
    raw[:, len(_POINT_PREFIX):] = xy.view(np.uint8).reshape(k, 16)
    data = raw.tobytes()
    blobs = [data[i:i + _POINT_LENGTH] for i in range(0, len(data), _POINT_LENGTH)]
    if k == len(x):
        return blobs
    out: list = [None] * len(x)
    for i, blob in zip(np.flatnonzero(located).tolist(), blobs, strict=True):
        out[i] = blob
    return out


def fill_nodes(con: sqlite3.Connection, columns: dict[str, list], lon: list, lat: list) -> None:
    """Insert the nodes layer's rows (``columns`` from :func:`node_columns`, coordinates
    ``lon``/``lat`` as the records hold them) into the empty ``nodes`` layer GDAL made on
    ``con``, with its R-tree, feature count and extent (see the module text), in one
    transaction."""
    triggers = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'nodes' AND sql IS NOT NULL"
        " ORDER BY rowid").fetchall()
    rtree = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'rtree_nodes_geom'").fetchone() is not None
    if con.execute("SELECT count(*) FROM nodes").fetchone()[0]:
        raise ValueError("the nodes layer is not empty")
    x = np.array(lon, dtype=np.float64)
    y = np.array(lat, dtype=np.float64)
    located = ~(np.isnan(x) | np.isnan(y))
    with con:
        if not con.in_transaction:  # one transaction: the DDL too (Python's sqlite3 begins one only for DML)
            con.execute("BEGIN")
        for name, _sql in triggers:
            con.execute(f"DROP TRIGGER {_quote(name)}")
        n = insert_columns(con, "nodes", columns)
        first, last, count = con.execute("SELECT min(fid), max(fid), count(*) FROM nodes").fetchone()
        if count != n or (n and (first, last) != (1, n)):
            raise sqlite3.DatabaseError(f"the nodes layer took fids {first}..{last} for {n} rows")
        fids = np.flatnonzero(located) + 1
        xs, ys = x[located].tolist(), y[located].tolist()
        if rtree:
            fill_rtree(con, "rtree_nodes_geom", fids, x[located], y[located])
            boxes = con.execute('SELECT count(*) FROM "rtree_nodes_geom"').fetchone()[0]
            if boxes != len(fids):
                raise sqlite3.DatabaseError(f"the nodes' spatial index holds {boxes} of {len(fids)} points")
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower('nodes')", (n,))
        # as GDAL writes a layer's extent: each double as text of 16 significant digits (its
        # SQLite's printf("%.17g"), which stops at 16), read back as REAL
        extent = [float(f"{v:.16g}") for v in (min(xs), min(ys), max(xs), max(ys))] if xs else [None] * 4
        con.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?,"
                    " last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = 'nodes'", extent)
        for _name, sql in triggers:
            con.execute(sql)


# --------------------------------------------------------------------- R-tree
#: SQLite's R-tree module (ext/rtree/rtree.c): 2-D cells of an 8-byte id and four 4-byte floats.
_CELL = np.dtype([("id", ">i8"), ("minx", ">f4"), ("maxx", ">f4"), ("miny", ">f4"), ("maxy", ">f4")])
_RNDTOWARDS = 1.0 - 1.0 / 8388608.0
_RNDAWAY = 1.0 + 1.0 / 8388608.0


def _down(d: np.ndarray) -> np.ndarray:
    """``rtreeValueDown``: the double as a 32-bit float not above it."""
    f = d.astype(np.float32)
    over = f > d
    f[over] = (d[over] * np.where(d[over] < 0, _RNDAWAY, _RNDTOWARDS)).astype(np.float32)
    return f


def _up(d: np.ndarray) -> np.ndarray:
    """``rtreeValueUp``: the double as a 32-bit float not below it."""
    f = d.astype(np.float32)
    under = f < d
    f[under] = (d[under] * np.where(d[under] < 0, _RNDTOWARDS, _RNDAWAY)).astype(np.float32)
    return f


def _str_groups(cx: np.ndarray, cy: np.ndarray, per_node: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Sort-tile-recursive packing (Leutenegger, Lopez and Edgington, "STR: a simple and
    efficient algorithm for R-tree packing", ICDE 1997): the cells ordered by x into vertical
    slices, each slice by y, cut into nodes of at most ``per_node`` cells of near-equal size
    (every node at least half full). Returns the order of the cells and each node's
    (start, stop) in it."""
    n = len(cx)
    nodes = -(-n // per_node)
    slices = max(1, int(np.ceil(np.sqrt(nodes))))
    by_x = np.argsort(cx, kind="stable")
    order = []
    groups = []
    at = 0
    for part in np.array_split(by_x, slices):
        if not len(part):
            continue
        part = part[np.argsort(cy[part], kind="stable")]
        order.append(part)
        k = -(-len(part) // per_node)
        bounds = np.linspace(0, len(part), k + 1).round().astype(int)
        groups += [(at + int(a), at + int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        at += len(part)
    return np.concatenate(order), groups


def fill_rtree(con: sqlite3.Connection, name: str, ids: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """Fill the empty 2-D R-tree virtual table ``name`` with a point box per id (minx = maxx =
    x, miny = maxy = y), packed bottom-up and written straight into its shadow tables
    (``_node``, ``_rowid``, ``_parent``) in the format of SQLite's R-tree module
    (ext/rtree/rtree.c: node 1 the root, its first 2 bytes the tree's depth; each node a 2-byte
    count then its cells, big-endian; coordinates as 32-bit floats rounded outwards as the
    module rounds an inserted double), which ``rtreecheck()`` accepts. Inserting the 105,000
    boxes of a city one by one took 1.2-1.8 s of CPU (the module's R*-tree insertion), this
    about 0.1 s; the boxes stored are the same, the tree's shape is a packed one (as GDAL's own
    bulk loading of a GeoPackage's index makes)."""
    q = _quote
    node_size = con.execute(f"SELECT length(data) FROM {q(name + '_node')} WHERE nodeno = 1").fetchone()
    if node_size is None or con.execute(f"SELECT count(*) FROM {q(name + '_rowid')}").fetchone()[0]:
        raise sqlite3.DatabaseError(f"{name}: not an empty R-tree")
    size = node_size[0]
    per_node = (size - 4) // _CELL.itemsize
    cells = np.empty(len(ids), _CELL)
    cells["id"] = ids
    cells["minx"], cells["maxx"] = _down(x), _up(x)
    cells["miny"], cells["maxy"] = _down(y), _up(y)
    blobs: list[tuple[int, bytes]] = []
    parents: list[tuple[int, int]] = []
    depth = 0
    level_nodes: np.ndarray | None = None  # node numbers of the cells of this level (above the leaves)
    next_node = 2
    while len(cells) > per_node:
        cx = (cells["minx"].astype(np.float64) + cells["maxx"]) / 2
        cy = (cells["miny"].astype(np.float64) + cells["maxy"]) / 2
        order, groups = _str_groups(cx, cy, per_node)
        cells = cells[order]
        if level_nodes is not None:
            level_nodes = level_nodes[order]
        numbers = np.arange(next_node, next_node + len(groups), dtype=np.int64)
        next_node += len(groups)
        starts = np.array([a for a, _b in groups], dtype=np.int64)
        data = cells.tobytes()
        for number, (a, b) in zip(numbers.tolist(), groups, strict=True):
            blobs.append((number, _node_blob(0, b - a, data[a * _CELL.itemsize:b * _CELL.itemsize], size)))
        counts = np.diff(np.append(starts, len(cells)))
        owner = np.repeat(numbers, counts)
        if level_nodes is None:
            rowid_nodes = owner
            leaf_ids = cells["id"].astype(np.int64)
        else:
            parents += zip(level_nodes.tolist(), owner.tolist(), strict=True)
        parent = np.empty(len(groups), _CELL)
        parent["id"] = numbers
        parent["minx"] = np.minimum.reduceat(cells["minx"], starts)
        parent["maxx"] = np.maximum.reduceat(cells["maxx"], starts)
        parent["miny"] = np.minimum.reduceat(cells["miny"], starts)
        parent["maxy"] = np.maximum.reduceat(cells["maxy"], starts)
        cells, level_nodes = parent, numbers
        depth += 1
    root = _node_blob(depth, len(cells), cells.tobytes(), size)
    if level_nodes is None:  # every box in the root
        leaf_ids, rowid_nodes = cells["id"].astype(np.int64), np.ones(len(cells), np.int64)
    else:
        parents += [(number, 1) for number in level_nodes.tolist()]
    con.execute(f"UPDATE {q(name + '_node')} SET data = ? WHERE nodeno = 1", (root,))
    insert_columns(con, name + "_node", {"nodeno": [b[0] for b in blobs], "data": [b[1] for b in blobs]})
    insert_columns(con, name + "_rowid", {"rowid": leaf_ids.tolist(), "nodeno": rowid_nodes.tolist()})
    insert_columns(con, name + "_parent", {"nodeno": [p[0] for p in parents], "parentnode": [p[1] for p in parents]})


def _node_blob(depth: int, count: int, cells: bytes, size: int) -> bytes:
    head = depth.to_bytes(2, "big") + count.to_bytes(2, "big")
    return head + cells + bytes(size - 4 - len(cells))


# --------------------------------------------------------------------- ties
def tie_columns(ties: list) -> dict[str, list]:
    """The ties as the columns of the ``ties`` table (dates as ISO text, the opportunity mark
    as 0 or 1), in the order of ``ties``."""
    n = len(ties)
    names = ("a", "b", "type", "context", "strength", "since", "until", "opportunity")
    table = list(zip(*map(attrgetter(*names), ties), strict=True)) if n else [()] * len(names)
    columns = {name: list(values) for name, values in zip(names, table, strict=True)}
    for name in ("since", "until"):
        values = columns[name]
        if values.count(None) != n:
            columns[name] = [None if v is None else v.isoformat() for v in values]
    columns["opportunity"] = [1 if v else 0 for v in columns["opportunity"]]
    return columns


#: What the ties table holds when a column is left out of an INSERT.
TIE_DEFAULTS = {"opportunity": 0}
