"""The project file: a GeoPackage (SPEC section 5).

Layers ``areas`` (multipolygons) and ``nodes`` (points) in EPSG:4326; an
attribute table ``ties`` registered in ``gpkg_contents`` so GDAL and QGIS list
it; and ``socialmap_settings``, ``socialmap_scenarios``, ``socialmap_snapshots``
(named, dated, compressed copies of the network) and ``socialmap_meta`` (which
holds the schema version).

Schema versions: 1 (first release); 2 adds the dates of records (nodes
``recorded``/``updated``, ties ``since``/``until``, ISO ``YYYY-MM-DD`` text)
and the snapshots table; 3 young people's ``activity``; 4 the ties' ``opportunity``
mark (GeoPackage ``BOOLEAN``: 0 or 1). An older file is brought up to date by the ordered
chain :data:`MIGRATIONS` (n -> n+1, each an SQL step) run on a temporary copy
when it is opened, so the file itself is never modified; saving writes the
current schema.

Saving writes a complete new file beside the old one (with the old one's
permissions), flushes it to disk and atomically replaces the old one with
:func:`os.replace`, so an interrupted save never damages the last good file. Opening never modifies the file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import sqlite3
import struct
import tempfile
import threading
from itertools import chain, compress, repeat
from operator import attrgetter, is_not
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socialmap import __version__
from socialmap.collection import collection_paused
from socialmap.errors import ProjectFileError
from socialmap.faults import guard
from socialmap.model.kinds import PLACE_KINDS, TIE_TYPES
from socialmap.model.project import NODE_FIELDS, Area, Node, Project, Tie, TieColumns
from socialmap.model.snapshots import Snapshot
from socialmap.turns import let_others_run

SCHEMA_VERSION = 4
CRS = "EPSG:4326"
_NODE_COLUMNS = [f for f in NODE_FIELDS if f not in ("lat", "lon", "attrs")]
_DATE_FIELDS = {"contract_end", "recorded", "updated"}
_INT_FIELDS = {"age"}
_BOOL_FIELDS = {"neet", "is_anchor", "in_work"}
_FLOAT_FIELDS = {
    "employees_total", "employees_local", "spend_total", "spend_local",
    "years_in_area", "annual_value", "hours_per_week",
}




# --------------------------------------------------------------------- save
def save_project(project: Project, path: str | os.PathLike, *, _after_layers=None,
                 keep_from: str | os.PathLike | None = None) -> None:
    """Write ``project`` to ``path`` atomically (:mod:`socialmap.store.atomic`).

    The new file is written beside the old one, flushed to the disk and moved over it in one
    step; on any failure (a full disk, EIO, a read-only folder: one line from
    :mod:`socialmap.faults`) or interruption (Ctrl-C, SIGTERM) the temporary file is removed and
    the previous file is byte for byte as it was. What a killed save left is removed at the next.

    What another program keeps in the file being replaced (or in ``keep_from``, e.g. the file a
    project saved under a new name came from) is kept: its tables, layers, styles and the columns
    it added to ours (:func:`socialmap.store.foreign.keep_foreign`). A write-ahead log beside the
    file is checkpointed first, and the save refused while another program holds the file open
    for writing (:func:`socialmap.store.foreign.settle_wal`).

    ``_after_layers`` is a test hook called once the spatial layers are written
    to the temporary file (to simulate a crash midway).
    """
    from socialmap.faults import fault, is_fault, note_disk_state
    from socialmap.store import atomic
    from socialmap.store.foreign import drop_stale_wal, keep_foreign, settle_wal

    path = Path(path)
    if path.is_symlink():  # save into the file the link points to; the link stays
        path = Path(os.path.realpath(path))
    folder = atomic.folder_of(path)
    if not folder.is_dir():
        raise ProjectFileError(f"{path}: cannot be saved: the folder {folder} does not exist")
    if path.is_dir():
        raise ProjectFileError(f"{path}: cannot be saved: it is a folder")
    source = path if path.exists() else (Path(keep_from) if keep_from is not None else None)
    if source is not None and not source.is_file():
        source = None
    if source is not None:
        settle_wal(source)
    unchanged = "the previous file is unchanged" if path.exists() else "nothing was written"
    tmp = atomic.temp_beside(path, "saving.gpkg")
    try:
        atomic.clean_stale(path)
        with collection_paused():  # records in bulk, none in cycles (socialmap.collection)
            _write(project, tmp, _after_layers)
        _check_written(project, tmp, path)
        if source is not None:
            keep_foreign(source, tmp)
        try:  # the new file keeps the old one's permissions (a private file stays private)
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            pass
        atomic.commit_file(tmp, path)
    except BaseException as exc:
        note_disk_state(exc, path)  # while the temporary file still takes its room
        atomic.remove_quietly([tmp, *(Path(f"{tmp}{side}") for side in ("-journal", "-wal", "-shm"))])
        if isinstance(exc, Exception) and is_fault(exc):  # a full disk, a file one may not replace...
            raise fault(exc, path, "cannot be saved", unchanged) from exc
        raise
    drop_stale_wal(path)


def _check_written(project: Project, tmp: Path, path: Path) -> None:
    """Read the new file's row counts back before it replaces the old one: a write that a library
    reported as done but that did not reach the file (an error GDAL swallowed) is refused rather
    than swapped in over a good file; so is a nodes' spatial index that SQLite's ``rtreecheck``
    finds inconsistent."""
    con = sqlite3.connect(f"{tmp.resolve().as_uri()}?mode=ro", uri=True)
    try:
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("areas", "nodes", "ties")]
        # the nodes' spatial index, which socialmap.store.direct writes into its shadow tables
        # itself: SQLite's own structural check of it (0.1 s at 100,000 young people)
        try:
            index = con.execute("SELECT rtreecheck('rtree_nodes_geom')").fetchone()[0]
        except sqlite3.OperationalError:  # no index (a layer another program rewrote), or SQLite < 3.24
            index = "ok"
    finally:
        con.close()
    wanted = [len(project.areas), len(project.nodes), len(project.ties)]
    if counts != wanted:
        raise ProjectFileError(f"{path}: cannot be saved: the new file read back incomplete ({counts[0]} areas, "
                               f"{counts[1]} nodes, {counts[2]} ties of {wanted[0]}, {wanted[1]}, {wanted[2]}); "
                               "the previous file is unchanged")
    if index != "ok":
        raise ProjectFileError(f"{path}: cannot be saved: the new file's spatial index of the nodes is inconsistent "
                               f"({' '.join(str(index).split())[:120]}); the previous file is unchanged")


def _areas_frame(project: Project):
    import geopandas as gpd
    from shapely.geometry import MultiPolygon

    areas = list(project.areas.values())
    geoms = [a.geometry if a.geometry.geom_type == "MultiPolygon" else MultiPolygon([a.geometry]) for a in areas]
    df = pd.DataFrame(
        {
            "code": [a.code for a in areas],
            "name": [a.name for a in areas],
            "imd_decile": pd.array([a.imd_decile for a in areas], dtype="Int64"),
            "population_16_24": pd.array([a.population_16_24 for a in areas], dtype="Int64"),
            # attributes joined from area tables (issue 15), as JSON like the nodes' attrs
            "attrs": [json.dumps(a.attrs, ensure_ascii=False, default=str) if a.attrs else None for a in areas],
        }
    )
    return gpd.GeoDataFrame(df, geometry=geoms, crs=CRS)


#: Rows of the nodes layer written per call (about 40 ms of held lock each on a 2-core laptop).
NODES_PER_WRITE = 5_000


#: An empty text column (an empty list would make pandas a column of numbers, GDAL a REAL field).
_NO_TEXT = np.array([], dtype=object)


def _nodes_layer_frame(nodes: list):
    """The nodes layer as GDAL writes it (the path for nodes :mod:`socialmap.store.direct`
    does not take, and the empty layer whose schema GDAL makes for the direct rows)."""
    import geopandas as gpd
    import shapely

    cols: dict[str, Any] = {}
    # One C-level attrgetter pass over the nodes, then transposed: ~4x faster than a getattr per cell.
    table = list(zip(*map(attrgetter(*_NODE_COLUMNS), nodes), strict=True)) if nodes else [()] * len(_NODE_COLUMNS)
    for name, values in zip(_NODE_COLUMNS, table, strict=True):
        values = list(values)
        if name in _INT_FIELDS:
            cols[name] = pd.array(values, dtype="Int64")
        elif name in _BOOL_FIELDS:
            cols[name] = pd.array(values, dtype="boolean")
        elif name in _FLOAT_FIELDS:
            cols[name] = np.array(values, dtype=np.float64)  # None becomes NaN
        elif name in _DATE_FIELDS:
            cols[name] = [v.isoformat() if v is not None else None for v in values] if nodes else _NO_TEXT
        else:
            cols[name] = values if nodes else _NO_TEXT
    cols["attrs"] = ([json.dumps(n.attrs, ensure_ascii=False, default=str) if n.attrs else None for n in nodes]
                     if nodes else _NO_TEXT)
    lon = np.array(list(map(attrgetter("lon"), nodes)), dtype=np.float64)
    lat = np.array(list(map(attrgetter("lat"), nodes)), dtype=np.float64)
    geoms = shapely.points(lon, lat)
    geoms[np.isnan(lon) | np.isnan(lat)] = None
    return gpd.GeoDataFrame(pd.DataFrame(cols), geometry=geoms, crs=CRS)


def _nodes_frame(project: Project):
    return _nodes_layer_frame(list(project.nodes.values()))


def _direct_nodes(project: Project) -> tuple[dict[str, list], list, list] | None:
    """The nodes layer's rows for :func:`socialmap.store.direct.fill_nodes` (columns, longitudes,
    latitudes), or ``None`` when GDAL should write them (:func:`socialmap.store.direct.node_columns`)."""
    from socialmap.store.direct import node_columns

    nodes = list(project.nodes.values())
    columns = node_columns(nodes, _NODE_COLUMNS)
    if columns is None:
        return None
    return columns, list(map(attrgetter("lon"), nodes)), list(map(attrgetter("lat"), nodes))


def _write(project: Project, tmp: Path, after_layers, *, with_snapshots: bool = True) -> None:
    import pyogrio

    from socialmap.store.direct import fill_nodes

    pyogrio.write_dataframe(_areas_frame(project), tmp, layer="areas", driver="GPKG", geometry_type="MultiPolygon")
    direct = _direct_nodes(project)
    if direct is not None:
        # GDAL makes the empty layer (schema, metadata, spatial index, triggers); its rows go in
        # with SQLite (socialmap.store.direct: the same rows, about a third of the CPU).
        pyogrio.write_dataframe(_nodes_layer_frame([]), tmp, layer="nodes", driver="GPKG", geometry_type="Point")
        con = sqlite3.connect(tmp)
        try:
            fill_nodes(con, *direct)
        finally:
            con.close()
        del direct
    else:
        # The nodes layer in pieces of NODES_PER_WRITE rows: one write_dataframe is one C call that
        # holds Python's lock throughout, and saving a city of 100,000 young people from the
        # window's job thread starved its UI thread for 1.2-4.3 s (SPEC 10: never over 100 ms).
        # The same rows, fids and schema: later pieces are appended to the layer the first made.
        nodes = _nodes_frame(project)
        for start in range(0, max(len(nodes), 1), NODES_PER_WRITE):
            pyogrio.write_dataframe(nodes.iloc[start:start + NODES_PER_WRITE], tmp, layer="nodes", driver="GPKG",
                                    geometry_type="Point", append=start > 0)
        del nodes
    if after_layers is not None:
        after_layers(tmp)
    con = sqlite3.connect(tmp)
    try:
        _write_tables(con, project, with_snapshots=with_snapshots)
    finally:
        con.close()


def _write_tables(con: sqlite3.Connection, project: Project, *, with_snapshots: bool = True) -> None:
    """The ties and SocialMap's own tables, written into the GeoPackage open on ``con``
    (whose ``areas`` and ``nodes`` layers are already there), in one transaction; also used on a
    GeoPackage built in memory (:mod:`socialmap.store.memory`)."""
    from socialmap.store.direct import TIE_DEFAULTS, insert_columns, tie_columns

    with con:
        if not con.in_transaction:  # one transaction: the DDL too (Python's sqlite3 begins one only for DML)
            con.execute("BEGIN")
        con.execute(
            "CREATE TABLE ties (fid INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL, b TEXT NOT NULL,"
            " type TEXT NOT NULL, context TEXT, strength INTEGER, since TEXT, until TEXT,"
            " opportunity BOOLEAN NOT NULL DEFAULT 0)"
        )
        # from columns, in multi-row statements (socialmap.store.direct; the same rows and fids)
        insert_columns(con, "ties", tie_columns(list(project.ties.values())), TIE_DEFAULTS)
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)"
            " VALUES ('ties', 'attributes', 'ties', 'Ties between nodes', strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        )
        con.execute("CREATE TABLE socialmap_meta (key TEXT PRIMARY KEY, value TEXT)")
        con.executemany(
            "INSERT INTO socialmap_meta VALUES (?, ?)",
            [
                ("schema_version", str(SCHEMA_VERSION)),
                ("application", "SocialMap"),
                ("app_version", __version__),
                ("saved_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
            ],
        )
        con.execute("CREATE TABLE socialmap_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.executemany(
            "INSERT INTO socialmap_settings VALUES (?, ?)",
            [(k, json.dumps(v)) for k, v in project.settings.items()],
        )
        con.execute("CREATE TABLE socialmap_scenarios (name TEXT PRIMARY KEY, definition TEXT NOT NULL)")
        con.executemany(
            "INSERT INTO socialmap_scenarios VALUES (?, ?)",
            [(k, json.dumps(v)) for k, v in project.scenarios.items()],
        )
        con.execute(_SNAPSHOTS_TABLE)
        if with_snapshots:
            con.executemany(
                "INSERT INTO socialmap_snapshots (name, taken, as_of, note, format, data) VALUES (?, ?, ?, ?, ?, ?)",
                [(s.name, s.taken, s.as_of.isoformat(), s.note, s.format, s.data)
                 for s in project.snapshots.values()],
            )


_SNAPSHOTS_TABLE = (
    "CREATE TABLE socialmap_snapshots (name TEXT PRIMARY KEY, taken TEXT NOT NULL, as_of TEXT NOT NULL,"
    " note TEXT, format TEXT NOT NULL, data BLOB NOT NULL)"
)


# --------------------------------------------------------------------- migrations
def _v1_to_v2(con: sqlite3.Connection) -> None:
    """Schema 1 -> 2: dates of records (nodes ``recorded``/``updated``, ties ``since``/``until``,
    all empty: unknown for records made before dates were kept) and the snapshots table."""
    node_columns = {row[1] for row in con.execute('PRAGMA table_info("nodes")')}
    for name in ("recorded", "updated"):
        if name not in node_columns:
            con.execute(f'ALTER TABLE nodes ADD COLUMN "{name}" TEXT')
    tie_columns = {row[1] for row in con.execute('PRAGMA table_info("ties")')}
    for name in ("since", "until"):
        if name not in tie_columns:
            con.execute(f'ALTER TABLE ties ADD COLUMN "{name}" TEXT')
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'socialmap_snapshots'").fetchone() is None:
        con.execute(_SNAPSHOTS_TABLE)


def _v2_to_v3(con: sqlite3.Connection) -> str | None:
    """Schema 2 -> 3: young people's ``activity`` (issue 15). Earlier files have only the yes/no
    ``neet``; the step adds the empty column, and the project, as it is built from the file, reads
    ``neet`` true as NEET and available and false as in education, employment or training (the
    NCCIS states nearest to what was recorded: :func:`socialmap.model.project.settle_activity`); a
    young person with no NEET value gets no activity. (The rows are not rewritten here: an UPDATE
    of the nodes layer fires the GeoPackage's R-tree triggers, which need SpatiaLite's functions.)
    Returns what was done, in words, for the user."""
    node_columns = {row[1] for row in con.execute('PRAGMA table_info("nodes")')}
    if "activity" not in node_columns:
        con.execute('ALTER TABLE nodes ADD COLUMN "activity" TEXT')
    if "neet" not in node_columns or "kind" not in node_columns:
        return None
    available, eet = con.execute(
        "SELECT COALESCE(SUM(neet = 1), 0), COALESCE(SUM(neet = 0), 0) FROM nodes"
        " WHERE kind = 'young_person' AND activity IS NULL").fetchone()
    if not available and not eet:
        return None
    return (f"young people's NEET yes/no is read as an activity: {available} NEET and available, {eet} in "
            "education, employment or training (change any who are NEET and not available, or not known)")


def _v3_to_v4(con: sqlite3.Connection) -> None:
    """Schema 3 -> 4: the ties' ``opportunity`` mark (issue 16), false for every tie recorded
    before ties could carry it."""
    tie_columns = {row[1] for row in con.execute('PRAGMA table_info("ties")')}
    if "opportunity" not in tie_columns:
        con.execute('ALTER TABLE ties ADD COLUMN "opportunity" BOOLEAN NOT NULL DEFAULT 0')


#: The ordered chain of schema migrations: ``MIGRATIONS[n]`` brings a file from schema n to
#: n + 1 (SQL on a writable temporary copy) and may return what it did in words, said once to the
#: user when the file is opened (``Project.notes``). A change of schema bumps SCHEMA_VERSION and
#: adds the next step here; every older file then runs the steps from its version on, in order.
MIGRATIONS: dict[int, Any] = {
    1: _v1_to_v2,  # issue 18: dates of records, snapshots
    2: _v2_to_v3,  # issue 15: young people's activity
    3: _v3_to_v4,  # issue 16: opportunity ties
}
assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION)), "one migration per schema step, none missing"


def migrate(con: sqlite3.Connection, version: int) -> list[str]:
    """Run every migration from schema ``version`` up to :data:`SCHEMA_VERSION` on ``con``, in order;
    returns what the steps said they did."""
    notes = []
    with con:
        for step in range(version, SCHEMA_VERSION):
            note = MIGRATIONS[step](con)
            if note:
                notes.append(note)
        con.execute("UPDATE socialmap_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
    return notes


# --------------------------------------------------------------------- open
def _read_only_uri(path: Path) -> str:
    """An SQLite URI opening ``path`` read-only, so the file is never modified.

    ``Path.as_uri`` percent-encodes the name: '#', '?' and '%' in a file name would
    otherwise be read as the URI's fragment, query or an escape. The file is opened
    ``immutable`` (no locks, no side files) unless a write-ahead log lies beside it: a
    program editing it in WAL mode (QGIS) keeps its latest commits there, which an
    immutable connection would not see.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return uri if Path(f"{path}-wal").exists() else uri + "&immutable=1"


#: GeoPackage application ids (header offset 68; OGC 12-128r18 section 1.1.1.1.1): 'GPKG' since
#: 1.2, 'GP10' and 'GP11' written by GeoPackage 1.0 and 1.1 tools.
GPKG_APPLICATION_IDS = {0x47504B47: "GPKG", 0x47503130: "GP10", 0x47503131: "GP11"}
#: Tables every GeoPackage with features has (OGC 12-128r18 requirements 10, 13 and 21).
GPKG_REQUIRED_TABLES = ("gpkg_spatial_ref_sys", "gpkg_contents", "gpkg_geometry_columns")
SOCIALMAP_TABLES = ("areas", "nodes", "ties", "socialmap_meta", "socialmap_settings", "socialmap_scenarios")


def _damaged(path: Path, why: str) -> ProjectFileError:
    return ProjectFileError(f"{path}: the file is damaged ({why}); it was not changed")


def _check_header(path: Path) -> None:
    """The SQLite header (sqlite.org/fileformat.html section 1.3): magic, page size, size in pages."""
    size = path.stat().st_size
    if size == 0:
        raise ProjectFileError(f"{path}: the file is empty (0 bytes), not a project; it was not changed")
    with open(path, "rb") as fh:
        head = fh.read(100)
    if not head.startswith(b"SQLite format 3\x00"):
        raise ProjectFileError(f"{path}: not a GeoPackage project file (damaged, or another kind of file)")
    if len(head) < 100:
        raise _damaged(path, f"cut short: {size} bytes, less than a database header")
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise _damaged(path, f"page size {page_size} in the header is not valid")
    if size % page_size:
        raise _damaged(path, f"cut short: {size} bytes is not a whole number of {page_size}-byte pages")
    pages, change, valid_for = (struct.unpack(">I", head[o:o + 4])[0] for o in (28, 24, 92))
    if change == valid_for and pages and pages * page_size != size and not Path(f"{path}-wal").exists():
        raise _damaged(path, f"the header says {pages} pages, the file has {size // page_size}: cut short or "
                             "partly overwritten")
    app_id = struct.unpack(">I", head[68:72])[0]
    if app_id == 0:
        raise ProjectFileError(f"{path}: not a GeoPackage (an SQLite database without GeoPackage's application "
                               "id), so not a SocialMap project; it was not changed")
    if app_id not in GPKG_APPLICATION_IDS:
        shown = head[68:72].decode("latin-1") if head[68:72].isascii() and head[68:72].isalnum() else hex(app_id)
        raise ProjectFileError(f"{path}: not a GeoPackage (its application id is {shown!r}, not 'GPKG'); "
                               "it was not changed")


def _check_integrity(con: sqlite3.Connection, path: Path) -> None:
    """SQLite's quick check of every page and b-tree, then each R-tree index's own check."""
    rows = con.execute("PRAGMA quick_check(5)").fetchall()
    if [r[0] for r in rows] != ["ok"]:
        lines = [line.strip() for r in rows for line in str(r[0]).splitlines()]
        first = next((line for line in lines if line and not line.startswith("***")), "not ok")
        raise _damaged(path, f"SQLite's integrity check: {first[:200]}")
    rtrees = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%rtree%'")]
    for name in rtrees:
        try:
            report = con.execute("SELECT rtreecheck(?)", (name,)).fetchone()[0]
        except sqlite3.OperationalError:  # an SQLite built without rtreecheck(): the quick check stands
            break
        if report != "ok":
            raise _damaged(path, f"the spatial index {name} is inconsistent: {str(report).splitlines()[0][:200]}")


def _check_schema_version(con: sqlite3.Connection, path: Path) -> int:
    rows = con.execute("SELECT value FROM socialmap_meta WHERE key = 'schema_version'").fetchall()
    if not rows:
        raise ProjectFileError(f"{path}: no schema version recorded (socialmap_meta has no 'schema_version'); "
                               "the file is damaged or was not written by SocialMap; it was not changed")
    value = rows[0][0]
    if value is None:
        raise ProjectFileError(f"{path}: the schema version is empty (NULL); the file is damaged; it was not changed")
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise ProjectFileError(f"{path}: the schema version {str(value)[:40]!r} is not a whole number; "
                               "the file is damaged; it was not changed")
    version = int(text)
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path}: written by a newer SocialMap (schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}). Update SocialMap to open it; the file was not changed."
        )
    if version < 1:
        raise ProjectFileError(f"{path}: the schema version {version} is not valid (the first is 1); "
                               "the file is damaged; it was not changed")
    return version


def read_schema_version(path: str | os.PathLike) -> int:
    """The schema version of a project file, after checking that it is a sound SocialMap GeoPackage.

    Before anything is read: the SQLite header (magic, page size, length), the GeoPackage
    application id, SQLite's ``PRAGMA quick_check`` of every page and b-tree and ``rtreecheck`` of
    each spatial index, the GeoPackage's required tables and SocialMap's own, and a schema version
    that is present, not NULL, a whole number and not from a newer SocialMap (each refused with
    its own message). The file is opened read-only (and immutable), so it is never modified.
    """
    return _read_schema_version(Path(path))


def _read_schema_version(path: Path, check: IntegrityCheck | None = None) -> int:
    """:func:`read_schema_version`; with ``check``, SQLite's integrity checks are not run here
    but by ``check`` (started once the header is checked, its verdict taken by the caller), and
    a file refused by the other checks is refused for its damage first if ``check`` finds any."""
    if not path.exists():
        raise ProjectFileError(f"{path}: no such file")
    if not path.is_file():
        raise ProjectFileError(f"{path}: not a file")
    with guard(path, "cannot be read"):
        _check_header(path)
        try:
            con = sqlite3.connect(_read_only_uri(path), uri=True)
        except sqlite3.Error as exc:
            raise ProjectFileError(f"{path}: cannot be opened ({exc})") from None
        try:
            if check is None:
                return _schema_version(con, path)
            check.start(path)
            try:
                return _schema_version(con, path, integrity=False)
            except ProjectFileError:
                check.verdict()
                raise
        finally:
            con.close()


class IntegrityCheck:
    """SQLite's integrity checks of a file (:func:`_check_integrity`) in a thread of their own,
    while the file is read: SQLite runs them without Python's lock, on the other core (0.2 s of
    CPU for a city's 33 MB file, which came before anything could be read and drawn).
    :meth:`verdict` waits for them and raises what they found; the reading calls it before
    anything read from SQLite is shown, and first when the reading fails (a damaged file is
    named as damaged, as when the checks came first)."""

    def __init__(self) -> None:
        self._thread: Any = None
        self._error: BaseException | None = None

    def start(self, path: Path) -> None:
        self._thread = threading.Thread(target=self._run, args=(path,), name="integrity check", daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:  # the lowest priority: where no core is free it gives way to the window's own threads
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # (Linux: this thread only)
        except (AttributeError, OSError):
            pass
        try:
            con = sqlite3.connect(_read_only_uri(path), uri=True)
            try:
                _check_integrity(con, path)
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            self._error = ProjectFileError(f"{path}: the file is damaged ({exc}); it was not changed")
        except BaseException as exc:  # noqa: BLE001 - raised by verdict() on the reading's thread
            self._error = exc

    def verdict(self) -> None:
        """Wait for the checks; raise what they found (each time it is asked)."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error


def _schema_version(con: sqlite3.Connection, path: str | os.PathLike, *, integrity: bool = True) -> int:
    """The schema version of the SocialMap GeoPackage open on ``con`` (``path`` names it in
    messages), after SQLite's integrity checks (unless ``integrity`` is false: run apart,
    :class:`IntegrityCheck`), GeoPackage's required tables, SocialMap's own tables and the
    layers' registration (a file on disk has had its header checked before)."""
    path = Path(path)
    try:
        if integrity:
            _check_integrity(con, path)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in GPKG_REQUIRED_TABLES if t not in tables]
        if missing:
            raise ProjectFileError(f"{path}: not a GeoPackage (missing its required table(s) "
                                   f"{', '.join(missing)}); it was not changed")
        missing = [t for t in SOCIALMAP_TABLES if t not in tables]
        if missing:
            raise ProjectFileError(f"{path}: not a SocialMap project (missing {', '.join(sorted(missing))})")
        layers = {r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_geometry_columns WHERE table_name IN ('areas', 'nodes')")}
        if layers != {"areas", "nodes"}:
            lost = ", ".join(sorted({"areas", "nodes"} - layers))
            raise ProjectFileError(f"{path}: the layer(s) {lost} are not registered in gpkg_geometry_columns; "
                                   "the file is damaged; it was not changed")
        return _check_schema_version(con, path)
    except sqlite3.DatabaseError as exc:
        raise ProjectFileError(f"{path}: the file is damaged ({exc}); it was not changed") from None


def _connect_read_only(source: Path | bytes) -> sqlite3.Connection:
    """A read-only SQLite connection to the file at ``source``, or to a copy in memory of the
    database ``source`` holds as bytes (nothing is written to disk)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        con = sqlite3.connect(":memory:")
        con.execute("PRAGMA temp_store = MEMORY")  # sorts and temporary tables never spill to disk
        con.deserialize(bytes(source))
        con.execute("PRAGMA query_only = ON")
        return con
    return sqlite3.connect(_read_only_uri(source), uri=True)


def _none(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA:
        return None
    return value


def load_project(path: str | os.PathLike, *, preview: Any = None) -> Project:
    """Open a project file. Damaged or newer files raise :class:`ProjectFileError`
    and are left untouched. ``preview``: told what the map draws as it is read, before the
    records are made and checked (:func:`read_records`)."""
    path = Path(path)
    check = IntegrityCheck()  # SQLite's integrity checks run while the file is read
    version = _read_schema_version(path, check)
    try:
        with collection_paused():  # records in bulk, none in cycles (socialmap.collection)
            try:
                if version < SCHEMA_VERSION:
                    check.verdict()  # before a copy is migrated
                    return _load_migrated(path, version, preview)
                if not Path(f"{path}-wal").exists():
                    return _load(path, path, preview, check.verdict)
                # Another program (QGIS) keeps recent commits in a write-ahead log. GDAL, reading
                # the areas layer, would checkpoint that log into the file and delete it: read a
                # copy of the two instead, so the file and its log are left as they are.
                with tempfile.TemporaryDirectory() as folder:
                    copy = Path(folder) / "project.gpkg"
                    shutil.copyfile(path, copy)
                    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
                    return _load(copy, path, preview, check.verdict)
            except BaseException:
                check.verdict()  # a file that could not be read because it is damaged is named so
                raise
    except ProjectFileError:
        raise
    except OSError as exc:  # a disk that fails while the file is read (EIO), a file that vanished
        from socialmap.faults import fault

        raise fault(exc, path, "cannot be read", "it was not changed") from None
    except Exception as exc:  # any failure to decode means a damaged file
        raise ProjectFileError(f"{path}: the file is damaged and cannot be read ({exc}); it was not changed") from None


def _load_migrated(path: Path, version: int, preview: Any = None) -> Project:
    """A file of an older schema: copied (with its write-ahead log), migrated, read; the file is untouched."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "project.gpkg"
        shutil.copyfile(path, copy)
        if Path(f"{path}-wal").exists():
            shutil.copyfile(f"{path}-wal", f"{copy}-wal")
        con = sqlite3.connect(copy)
        try:
            notes = migrate(con, version)
        finally:
            con.close()
        project = _load(copy, path, preview)
    project.notes = [f"{path} was written by an earlier SocialMap (schema {version}); {note}. Saving writes it in "
                     f"the current form (schema {SCHEMA_VERSION})." for note in notes]
    return project


def _date_or_none(value: Any) -> dt.date | None:
    return None if value is None or value == "" else dt.date.fromisoformat(str(value)[:10])


def _object_column(values: np.ndarray, kind: str) -> list:
    """One column of the nodes layer as Python values, ``None`` where null.

    ``values`` is what GDAL gives: float64 with NaN for numbers, integers and
    booleans; objects with ``None`` for text. Done column-wise with numpy
    rather than value by value (125,000 nodes: ~0.05 s rather than ~1 s).
    """
    if values.dtype.kind == "O":
        if kind == "text":
            return values.tolist()  # GDAL gives None for null text
        convert = {"int": int, "bool": bool, "float": float}[kind]
        return [None if _none(v) is None else convert(v) for v in values.tolist()]
    if values.dtype.kind != "f":  # a column without nulls, read as integers or booleans
        target = {"int": np.int64, "bool": bool, "float": np.float64}.get(kind)
        return values.astype(target).tolist() if target else [str(v) for v in values.tolist()]
    present = ~np.isnan(values)
    out = np.full(len(values), None, dtype=object)
    if kind == "int":
        out[present] = values[present].astype(np.int64)
    elif kind == "bool":
        out[present] = values[present].astype(bool)
    elif kind == "float":
        out[present] = values[present]
    else:  # a text field that GDAL read as numbers: keep it as text
        out[present] = [str(v) for v in values[present].tolist()]
    return out.tolist()


_NONE = type(None)
_COLUMN_TYPES = {
    **{name: {_NONE, int} for name in _INT_FIELDS | _BOOL_FIELDS},
    **{name: {_NONE, float, int} for name in _FLOAT_FIELDS},
}
#: A GeoPackage geometry blob of a 2-D point as GDAL writes it: "GP", version 0,
#: flags 0x01 (little-endian, no envelope, not empty), srs id, then WKB.
_GP_POINT_LENGTH = 8 + 21
_WKB_POINT_LE = b"\x01\x01\x00\x00\x00"
_XY = struct.Struct("<dd")


#: Text fields of the nodes with few distinct values: read as one string per value, not one
#: per row (a million young people's kinds and area codes were 2 million strings).
_SHARED_TEXT = {"kind", "area_code", "activity", "role", "org_type", "sector", "provider", "service_type",
                "commissioner"}


def _read_nodes_direct(con: sqlite3.Connection) -> list[Node] | None:
    """The nodes layer read straight from SQLite as :class:`Node` records, or ``None`` when it
    is not exactly as SocialMap writes it (then GDAL reads it: :func:`_read_nodes`)."""
    columns = _node_columns_direct(con)
    return None if columns is None else _nodes_from_columns(columns)


def _nodes_from_columns(columns: dict[str, list]) -> list[Node]:
    """Records from the columns of :func:`_node_columns_direct`, positionally in the dataclass's
    field order (the fastest way to make 10^5 records)."""
    return list(map(Node, *(columns[name] for name in NODE_FIELDS)))


#: Fields of a node that most nodes have (a city's young people), read for every row; the others
#: are read only for the rows that have any of them (:func:`_node_columns_direct`).
_DENSE_FIELDS = ("id", "kind", "label", "area_code", "age", "neet", "activity", "is_anchor", "lat", "lon")


def _node_columns_direct(con: sqlite3.Connection, fields: Any = None, *, kinds: Any = (),
                         fids: list[int] | None = None) -> dict[str, list] | None:
    """The nodes layer read straight from SQLite as one list per field of :class:`Node` (in
    ``fid`` order, each value as the record holds it, and ``fid`` itself; only ``fields`` when
    given, ``lat`` and ``lon`` together from the point; only the nodes of ``kinds`` when
    given), or ``None`` when it is not exactly as SocialMap writes it (then GDAL reads it:
    :func:`_read_nodes`).

    ``fids`` (the ``fid`` column of an earlier call over every node): only the rows with a
    value in one of ``fields`` are fetched, and the others are ``None`` (``{}`` for ``attrs``).
    Without ``fields`` the fields of :data:`_DENSE_FIELDS` are read for every row and the others
    so: a city's young people have none of the 17 fields of adults, organisations and
    services, and fetching those NULLs was half the time of reading the layer (0.35 of 0.7 s
    CPU at 125,000 nodes, against 0.45 s for the dense fields alone).

    Every assumption is checked (geometry column and CRS, each blob's header,
    each column's value types) before it is relied on.
    """
    found = con.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = 'nodes'"
    ).fetchone()
    if found is None or found[1] != 4326:
        return None
    geom_column = found[0]
    present = {row[1] for row in con.execute('PRAGMA table_info("nodes")')}
    if (geom_column in (*_NODE_COLUMNS, "attrs", "fid") or "fid" not in present
            or any('"' in name for name in (*present, geom_column))):
        return None
    if fields is None and fids is None:
        columns = _node_columns_direct(con, _DENSE_FIELDS, kinds=kinds)
        if columns is None:
            return None
        rest = _node_columns_direct(con, [f for f in NODE_FIELDS if f not in columns], fids=columns["fid"])
        if rest is None:
            return None
        columns.update(rest)
        return columns
    wanted = [name for name in (*_NODE_COLUMNS, "attrs") if fields is None or name in fields]
    point = fields is None or "lat" in fields or "lon" in fields
    if fids is None and not kinds:  # the dense fields: an aggregate query per piece, if it can be sure
        from socialmap.store import nodecolumns

        columns = nodecolumns.read(con, wanted, point, geom_column, _GP_POINT_LENGTH, _WKB_POINT_LE, TIES_PER_READ)
        if columns is not None:
            return columns
    select = ", ".join(["fid", *(f'"{name}"' if name in present else "NULL" for name in wanted),
                        *([f'"{geom_column}"'] if point else [])])
    where = f" WHERE kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
    if fids is not None:  # only the rows with a value in one of the fields
        held = [f'"{name}"' for name in wanted if name in present] + ([f'"{geom_column}"'] if point else [])
        where = f" WHERE {' OR '.join(f'{name} IS NOT NULL' for name in held) or '0'}"
    # read and turned into columns a piece at a time: one zip over every row of a city's
    # 125,000 nodes is one C call that keeps Python's lock from the UI thread for 50-100 ms
    cur = con.execute(f'SELECT {select} FROM nodes{where} ORDER BY fid', tuple(kinds) if kinds else ())
    pieces = []
    while rows := cur.fetchmany(TIES_PER_READ):
        pieces.append(list(zip(*rows, strict=True)))
        let_others_run()
    names = ["fid", *wanted, *(("lat", "lon") if point else ())]
    if not pieces:
        values: list[list] = [[] for _ in range(1 + len(wanted) + point)]
    else:
        values = [list(chain.from_iterable(piece[k] for piece in pieces)) for k in range(len(pieces[0]))]
        del pieces, rows
    blobs = values.pop() if point else None
    columns: dict[str, list] = {"fid": values[0]}
    for name, column in zip(wanted, values[1:], strict=True):
        made = _node_column(name, column)
        if made is None:
            return None
        columns[name] = made
    if point:
        points = _points(blobs)
        if points is None:
            return None
        columns["lon"], columns["lat"] = points
    if fids is None:
        return columns
    return _spread(columns, names[1:], fids)


def _node_column(name: str, column: list) -> list | None:
    """One column of the nodes layer as SQLite gave it, each value as a :class:`Node` holds it,
    or ``None`` when a value is not of the field's type as SocialMap writes it."""
    if not set(map(type, column)) <= _COLUMN_TYPES.get(name, {_NONE, str}):
        return None
    if name in _BOOL_FIELDS:
        return [None if v is None else bool(v) for v in column]
    if name in _FLOAT_FIELDS:
        return [None if v is None else float(v) for v in column]
    if name in _DATE_FIELDS:
        days: dict[str, dt.date] = {}  # one date object per distinct day
        return [None if v is None else days.get(v) or days.setdefault(v, dt.date.fromisoformat(v[:10]))
                for v in column]
    if name == "attrs":
        return [json.loads(v) if v else {} for v in column]
    if name in _SHARED_TEXT:
        seen: dict[Any, Any] = {}  # one string per distinct value (a kind, an area code)
        return list(map(seen.setdefault, column, column))
    return column


def _spread(columns: dict[str, list], names: list[str], fids: list[int]) -> dict[str, list] | None:
    """``columns`` of some of the rows (those with the ``fid`` values of ``columns["fid"]``)
    spread over every row of ``fids`` (sorted, as read), the others ``None`` (``{}`` for
    ``attrs``: a dict of each node's own); ``None`` when a row is not among ``fids`` (the file
    changed between the reads)."""
    n = len(fids)
    every = np.array(fids, np.int64).reshape(n)
    got = np.array(columns["fid"], np.int64).reshape(len(columns["fid"]))
    at = np.searchsorted(every, got)
    if len(got) and (at[-1] >= n or not (every[np.minimum(at, n - 1)] == got).all()):
        return None
    rows = at.tolist()
    # the runs of consecutive rows (a city's adults, organisations and services are a run each),
    # each put in place by one slice assignment, when there are few of them
    breaks = (np.flatnonzero(np.diff(at) != 1) + 1).tolist()
    runs = list(zip([0, *breaks], [*breaks, len(rows)], strict=True)) if len(breaks) * 8 < len(rows) else None
    out: dict[str, list] = {}
    for name in names:
        if name == "attrs":
            column = [{} for _ in range(n)]
        else:
            column = [None] * n
        values = columns[name]
        if runs is not None:
            for i, j in runs:
                column[rows[i]:rows[i] + j - i] = values[i:j]
        else:
            for row, value in zip(rows, values, strict=True):
                column[row] = value
        out[name] = column
    return out


def _points(blobs: tuple) -> tuple[list, list] | None:
    """Longitude and latitude of each GeoPackage point blob (``None`` for a missing one), or
    ``None`` when a blob is not a 2-D little-endian point without envelope. The headers are
    checked and the coordinates taken over all the blobs at once with numpy."""
    every = None not in blobs  # (C-level passes, not a Python loop over a city's rows)
    present = range(len(blobs)) if every else list(compress(range(len(blobs)), map(is_not, blobs, repeat(None))))
    kept = blobs if every else list(compress(blobs, map(is_not, blobs, repeat(None))))
    if not set(map(type, kept)) <= {bytes} or not set(map(len, kept)) <= {_GP_POINT_LENGTH}:
        return None
    raw = np.frombuffer(b"".join(kept), np.uint8).reshape(len(kept), _GP_POINT_LENGTH)
    if len(kept) and not ((raw[:, 0] == ord("G")) & (raw[:, 1] == ord("P")) & (raw[:, 3] == 1)
                          & (raw[:, 8:13] == np.frombuffer(_WKB_POINT_LE, np.uint8)).all(axis=1)).all():
        return None
    xy = raw[:, 13:29].copy().view("<f8").reshape(len(kept), 2)
    if len(present) == len(blobs):
        return xy[:, 0].tolist(), xy[:, 1].tolist()
    lon: list[float | None] = [None] * len(blobs)
    lat: list[float | None] = [None] * len(blobs)
    for i, x, y in zip(present, xy[:, 0].tolist(), xy[:, 1].tolist(), strict=True):
        lon[i], lat[i] = x, y
    return lon, lat


def _read_nodes(path: Path) -> list[Node]:
    """The nodes layer as :class:`Node` records, read by GDAL and built column by column."""
    import pyogrio.raw
    import shapely

    meta, _fids, wkb, values = pyogrio.raw.read(path, layer="nodes")
    by_name = dict(zip(meta["fields"].tolist(), values, strict=True))
    n = len(wkb) if wkb is not None else (len(values[0]) if values else 0)
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(n, None, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    xs = np.where(empty, np.nan, shapely.get_x(geoms))
    ys = np.where(empty, np.nan, shapely.get_y(geoms))
    columns: dict[str, list] = {}
    for name in _NODE_COLUMNS:
        raw = by_name.get(name)
        if raw is None:
            columns[name] = [None] * n
        elif name in _INT_FIELDS:
            columns[name] = _object_column(raw, "int")
        elif name in _BOOL_FIELDS:
            columns[name] = _object_column(raw, "bool")
        elif name in _FLOAT_FIELDS:
            columns[name] = _object_column(raw, "float")
        else:
            columns[name] = _object_column(raw, "text")
    for name in _DATE_FIELDS:
        columns[name] = list(map(_date_or_none, columns[name]))
    columns["lon"] = _object_column(xs, "float")
    columns["lat"] = _object_column(ys, "float")
    attrs = by_name.get("attrs")
    columns["attrs"] = [json.loads(a) if _none(a) else {} for a in (attrs.tolist() if attrs is not None else [None] * n)]
    # Positional construction in the dataclass's field order: the fastest way to make 10^5 records.
    return list(map(Node, *(columns[name] for name in NODE_FIELDS)))


def _load(path: Path | bytes, shown: Path, preview: Any = None, verdict: Any = None) -> Project:
    """The project in the file at ``path``, or in a GeoPackage held in memory as bytes
    (:mod:`socialmap.store.memory`); ``shown`` is the file's name in messages; ``preview`` and
    ``verdict`` as for :func:`read_records`."""
    into: dict[str, Any] = {}
    areas, nodes, ties, settings, scenarios, snapshots = read_records(path, shown, preview=preview, verdict=verdict,
                                                                      into=into)
    if verdict is not None:
        verdict()
    try:
        project = Project.build(areas, nodes, ties, settings, scenarios, place_young_people=False, source=str(shown),
                                tie_columns=into.pop("columns", None), node_columns=into.pop("nodes", None))
        project.snapshots = snapshots
        return project
    except Exception as exc:
        from socialmap.errors import ProjectNeedsRepair

        raise ProjectNeedsRepair(f"{shown}: the project inside is inconsistent: {exc}; "
                               f"'socialmap check {shown}' lists every problem and 'socialmap repair' "
                               "applies the safe fixes") from None


def read_records(path: Path | bytes, shown: Path, *, preview: Any = None, verdict: Any = None,
                 into: dict | None = None):
    """The records of a project file as they are, not yet checked:
    ``(areas, nodes, ties, settings, scenarios, snapshots)`` (used by the check and repair of a
    file another program edited, :mod:`socialmap.store.repair`).

    ``preview`` (the map's first stage, :class:`socialmap.mapview.binary.PartsPreview`) is told
    what is read as soon as it is read, before any record is made or checked:
    ``preview.areas(areas, settings)``, then, for a nodes layer as SocialMap writes it (read
    straight from SQLite), ``preview.places(columns)`` (the fields named by
    ``preview.place_fields``, when it has them, of the services and organisations only),
    ``preview.nodes(columns)`` (the node fields named by ``preview.fields``, when it has them,
    are read first; the others after the ties) and ``preview.ties(pieces)`` with the ties'
    pieces of :func:`_tie_pieces`, in file order (read and made ahead on a thread of their own
    for a file on disk, :class:`TiesMadeAhead`); ``preview.stale()`` when the records are
    then read otherwise (by GDAL: a column not as SocialMap writes it). What it is told may still
    be refused by the checks that follow; a preview that fails is dropped and the file read as
    without one.

    ``verdict`` (:meth:`IntegrityCheck.verdict`, the file's integrity checked meanwhile) is
    called once the nodes are read straight from SQLite, before the preview is told them (its
    areas, read by GDAL, may already be drawn: a damaged file's are withdrawn with the rest).
    ``into``: given ``into["columns"]``, the ties as columns for the build (:func:`_tie_records`),
    and ``into["nodes"]`` the nodes' columns as read (for the build's ``node_columns``)."""
    import pyogrio

    # (GDAL first, with no connection open: reading a file with a write-ahead log, it checkpoints
    # the log into the file and deletes it, which a connection reading meanwhile does not survive)
    areas = _read_areas(pyogrio.read_dataframe(path, layer="areas"))
    if isinstance(path, bytes):
        con, ahead = _connect_read_only(path), None
    else:  # one URI for both connections: a write-ahead log appearing meanwhile changes neither
        uri = _read_only_uri(path)
        con = sqlite3.connect(uri, uri=True)
        # the ties read and made ahead while the areas and nodes are read (a file on disk, as SocialMap writes it)
        ahead = TiesMadeAhead(uri, shown, keep_pieces=preview is not None) if _socialmap_ties(con) else None
    try:
        if preview is not None:
            preview = _tell(preview, "areas", areas, _preview_settings(con))
        # the fields the map's preview needs first, the others once it is drawn
        fields = None if preview is None else getattr(preview, "fields", None) or None
        columns = _node_columns_direct(con, fields)
        if verdict is not None:
            verdict()
        if columns is None:
            if ahead is not None:
                ahead.close()
            nodes = _read_nodes(path)
            ties = _read_ties(con, nodes, shown, into)
        else:
            place_fields = None if preview is None else getattr(preview, "place_fields", None)
            if place_fields:  # the places' popup fields: a few thousand rows, read apart
                places = _node_columns_direct(con, place_fields, kinds=PLACE_KINDS)
                preview = _tell(preview, "places", places) if places is not None else None
            ids = columns["id"]
            theirs = None if ahead is None else ahead.same_ids(ids)
            if theirs is not None:  # the same ids as the thread's strings: the ties' records hold those
                ids = columns["id"] = theirs
            made, mapped = None, preview is not None
            if mapped:
                preview = _tell(preview, "nodes", columns)
                # the map's ties next (the page reports the map drawn once it has them), then the rest
                made = None if theirs is None else ahead.made()  # (its pieces kept: a map was given)
                pieces: Any = made[0] if made is not None else list(_tie_pieces(con, ids, shown))
                _tell(preview, "ties", pieces)
            if fields is not None:
                rest = _node_columns_direct(con, [f for f in NODE_FIELDS if f not in columns], fids=columns["fid"])
                if rest is not None and all(len(v) == len(ids) for v in rest.values()):
                    columns.update(rest)
                else:  # not as SocialMap writes it after all: GDAL reads the nodes
                    columns = None
                    _tell(preview, "stale")
            nodes = _read_nodes(path) if columns is None else _nodes_from_columns(columns)
            if into is not None and columns is not None:
                into["nodes"] = columns  # the nodes again as columns: the build checks them so
            del columns
            if not mapped and theirs is not None:  # (no map: its nodes' records made meanwhile)
                made = ahead.made()
            if made is None:
                ties = _tie_records(pieces if mapped else _tie_pieces(con, ids, shown), ids, shown, into)
            else:  # made ahead, from the same ids
                _kept, ties, tie_columns = made
                if into is not None:
                    into["columns"] = tie_columns
            pieces = made = None
        settings = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM socialmap_settings")}
        scenarios = {k: json.loads(v) for k, v in con.execute("SELECT name, definition FROM socialmap_scenarios")}
        snapshots = _read_snapshots(con)
    finally:
        if ahead is not None:
            ahead.close()
        con.close()
    return areas, nodes, ties, settings, scenarios, snapshots


def _read_areas(areas_df: Any) -> list[Area]:
    """The areas layer (as pyogrio reads it) as :class:`Area` records."""
    if areas_df.crs is not None and areas_df.crs.to_epsg() != 4326:
        areas_df = areas_df.to_crs(4326)
    areas = []
    area_attrs = areas_df["attrs"].tolist() if "attrs" in areas_df.columns else [None] * len(areas_df)
    for code, name, imd, pop, geom, attrs in zip(
        areas_df["code"], areas_df["name"], areas_df["imd_decile"], areas_df["population_16_24"], areas_df.geometry,
        area_attrs, strict=True
    ):
        if geom is not None and geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        imd, pop = _none(imd), _none(pop)
        areas.append(Area(str(code), "" if _none(name) is None else str(name), geom,
                          None if imd is None else int(imd), None if pop is None else int(pop),
                          json.loads(attrs) if _none(attrs) else {}))
    return areas


def _socialmap_ties(con: sqlite3.Connection) -> bool:
    """Whether the ties table is there with the columns SocialMap writes (then it is worth
    reading ahead, :class:`TiesMadeAhead`)."""
    try:
        con.execute(f"{_TIE_ROW} LIMIT 0")
    except sqlite3.Error:
        return False
    return True


def _tell(preview: Any, stage: str, *args: Any) -> Any:
    """``preview.<stage>(*args)``; the preview, or ``None`` (dropped) when it failed: the file is
    read as without one, and its checks, not the preview, judge it."""
    try:
        getattr(preview, stage)(*args)
    except Exception:  # noqa: BLE001 - a preview never stops a file from opening
        return None
    return preview


def _preview_settings(con: sqlite3.Connection) -> dict[str, Any]:
    """The file's group key setting for a preview, if it reads as one (the settings themselves
    are read, and judged, with the records)."""
    try:
        row = con.execute("SELECT value FROM socialmap_settings WHERE key = 'group_by'").fetchone()
        value = json.loads(row[0]) if row is not None else None
    except (sqlite3.Error, TypeError, ValueError):
        value = None
    return {"group_by": value} if isinstance(value, str) else {}


#: What the ties' ``opportunity`` column may hold (GeoPackage BOOLEAN, or the text another program
#: wrote), and what marks a tie: anything else is a damaged file.
_OPPORTUNITY = {None: False, 0: False, 1: True, "0": False, "1": True, "true": True, "false": False}

#: Ties read per ``fetchmany`` (and per query of :func:`_keyed_tie_pieces`): the rows of a piece
#: are made into columns and let go before the next (a city's 391,000 rows were all held at
#: once), each C-level call short.
TIES_PER_READ = 20_000

#: A tie's columns as read row by row (CAST keeps strength an int, or NULL, whatever was
#: stored; validation judges it).
_TIE_ROW = "SELECT a, b, type, context, CAST(strength AS INTEGER), since, until, opportunity FROM ties"

#: Each tie's type as one letter, 'A' for the first of TIE_TYPES and so on, '~' for what is no
#: tie type (compared byte for byte, whatever collation another program gave the column).
_TYPE_LETTERS = ("CASE type COLLATE BINARY "
                 + " ".join(f"WHEN '{t}' THEN '{chr(65 + i)}'" for i, t in enumerate(TIE_TYPES)) + " ELSE '~' END")
if len(TIE_TYPES) >= ord("~") - 65:  # (the letters must not reach '~')
    raise RuntimeError("too many tie types for one letter each")
_TYPE_OBJECTS = np.array([*TIE_TYPES, None], dtype=object)  # (the strings themselves, by letter)
#: Each tie's strength as read (CAST to an integer) as one digit: 0 none, 1-3, 9 anything else.
_STRENGTH_DIGITS = ("CASE WHEN strength IS NULL THEN '0' ELSE CASE CAST(strength AS INTEGER) "
                    "WHEN 1 THEN '1' WHEN 2 THEN '2' WHEN 3 THEN '3' ELSE '9' END END")
_STRENGTH_OBJECTS = np.array([None, 1, 2, 3], dtype=object)
#: Each tie's opportunity mark as one digit: 0 (null or the integer 0), 1 (the integer 1), 9 anything else.
_MARK_DIGITS = ("CASE WHEN opportunity IS NULL THEN '0' WHEN typeof(opportunity) = 'integer' AND opportunity = 0 "
                "THEN '0' WHEN typeof(opportunity) = 'integer' AND opportunity = 1 THEN '1' ELSE '9' END")


def _read_ties(con: sqlite3.Connection, nodes: list[Node], shown: Path, into: dict | None = None) -> list[Tie]:
    """The ties table as :class:`Tie` records, in file order (:func:`_tie_pieces`), each piece
    made into records and let go before the next is read (``into`` as for :func:`_tie_records`)."""
    ids = [n.id for n in nodes]
    return _tie_records(_tie_pieces(con, ids, shown), ids, shown, into)


def _tie_pieces(con: sqlite3.Connection, node_ids: list, shown: Path):
    """The ties table, in file order, :data:`TIES_PER_READ` rows at a time (a generator): each
    piece the rows' columns as read (``a``, ``b``, ``type``, ``context``, ``strength``,
    ``since``, ``until``, ``mark``) and ``a_row``, ``b_row``: the row in ``node_ids`` of each
    end (-1 when it is no node's id; int64 arrays), for work over the columns (the map's
    preview) before the records are made (:func:`_tie_records`), and ``context_row`` the same
    of the context (-2 when there is none). The dates are read here: one that is not a date is
    refused with the tie and field named (the first such tie in file order).

    Read column-wise by :func:`_keyed_tie_pieces` when the table allows it, else row by row
    (:func:`_row_tie_pieces`); the pieces are the same either way, value for value."""
    keyed = _keyed_ties(con, node_ids)
    if keyed is None:
        yield from _row_tie_pieces(con.execute(f"{_TIE_ROW} ORDER BY fid"), node_ids, shown)
    else:
        yield from _keyed_tie_pieces(con, node_ids, shown, *keyed)


def _row_tie_pieces(cur: sqlite3.Cursor, node_ids: list, shown: Path, lookups: list | None = None):
    """The pieces of :func:`_tie_pieces` from the rows of ``cur`` (columns as :data:`_TIE_ROW`),
    each end looked up in a dict of the ids (``lookups``: a list that holds them once made)."""
    if lookups is None:
        lookups = []
    if not lookups:
        rows = _rows_of(node_ids)
        lookups += [rows, {**rows, None: -2}]
    row_of, context_rows = lookups[0].get, lookups[1].get
    while rows := cur.fetchmany(TIES_PER_READ):
        a, b, kind, context, strength, since, until, mark = zip(*rows, strict=True)
        n = len(rows)
        del rows
        if since.count(None) != n or until.count(None) != n:
            since = [_tie_date(v, x, y, "since", shown) for v, x, y in zip(since, a, b, strict=True)]
            until = [_tie_date(v, x, y, "until", shown) for v, x, y in zip(until, a, b, strict=True)]
        yield {"a": a, "b": b, "type": kind, "context": context, "strength": strength, "since": since,
               "until": until, "mark": mark,
               "a_row": np.fromiter(map(row_of, a, repeat(-1, n)), np.int64, n),
               "b_row": np.fromiter(map(row_of, b, repeat(-1, n)), np.int64, n),
               "context_row": (np.full(n, -2, np.int64) if context.count(None) == n
                               else np.fromiter(map(context_rows, context, repeat(-1, n)), np.int64, n))}


def _keyed_ties(con: sqlite3.Connection, node_ids: list) -> tuple | None:
    """What :func:`_keyed_tie_pieces` needs to read the ties table column-wise: the ids' keys
    (:class:`~socialmap.store.idkeys.IdKeys`), in a tuple; ``None`` when the table or the ids cannot be read so (the file not in UTF-8, ``fid`` not
    the table's row id, an end or context column without TEXT affinity, an id that cannot be a
    key, a column missing: then the ties are read row by row, and refused as they were)."""
    from socialmap.store.idkeys import IdKeys

    try:
        con.execute(f"{_TIE_ROW} LIMIT 0")  # every column is there (else the rows' own error)
        declared = {name: kind for _cid, name, kind, *_rest in con.execute('PRAGMA table_info("ties")')}
        if (con.execute("PRAGMA encoding").fetchone()[0] != "UTF-8"
                or not all(_text_affinity(declared.get(name, "")) for name in ("a", "b", "context"))):
            return None
        not_row_ids = con.execute("SELECT count(CASE WHEN fid IS NOT rowid THEN 1 END) FROM ties").fetchone()[0]
    except sqlite3.Error:
        return None
    if not_row_ids:  # (then fid may repeat, or not be in the order the table is stored in)
        return None
    keys = IdKeys.of(node_ids)
    return None if keys is None else (keys,)


def _text_affinity(declared: str) -> bool:
    """Whether a column declared of type ``declared`` has TEXT affinity (then it holds no
    numbers: a number stored in it is stored as text), by the rules of
    https://sqlite.org/datatype3.html#determination_of_column_affinity."""
    declared = declared.upper()
    return "INT" not in declared and any(word in declared for word in ("CHAR", "CLOB", "TEXT"))


def _keyed_tie_pieces(con: sqlite3.Connection, node_ids: list, shown: Path, keys: Any):
    """The pieces of :func:`_tie_pieces`, each from one aggregate query over its rows (by
    ``fid``): the ends (and contexts) as their UTF-8 bytes joined into one value, matched to
    the ids by numpy (``keys``: :class:`~socialmap.store.idkeys.IdKeys`), the type, strength
    and mark as one letter or digit per tie, so SQLite, not Python, goes over the rows (and
    without Python's lock: ``sqlite3_step`` releases it) and Python is given a few values per
    piece instead of a tuple and eight values per tie (a city's 391,000 ties read and made into
    records: 1.1-1.45 s of CPU instead of 2.3-2.65 s, about half of it SQLite's without the lock,
    at load 4; docs/performance.md, "Reading the ties, sixth session").

    A piece is read row by row instead (:func:`_row_tie_pieces`, the values as read) when any
    of its ties names no node (as an end or context), has a type that is none of TIE_TYPES, a
    strength other than 1-3, a mark other than 0 or 1, an end or context that is not text or
    holds a NUL or the separator, or when its values were not concatenated in the order of
    ``fid`` (group_concat's order is not promised, https://sqlite.org/lang_aggfunc.html, so each
    piece's ``fid`` values are concatenated alongside and checked). Its
    ``a``, ``b``, ``type`` and ``context`` are then each node's and type's own string (``named``).
"""
    by_row = _objects(node_ids)
    row_lookups: list = []  # the dicts of _row_tie_pieces, made once, if a piece needs them
    for first, last, got in _keyed_tie_rows(con):
        piece = _keyed_tie_piece(got, first, keys, by_row)
        if piece is not None and piece.pop("marked"):
            piece = _marked(con, piece, first, last)
        if piece is not None and piece["dated"]:
            piece = _dated(con, piece, first, last, shown)
        if piece is None:  # read as the rows are
            yield from _row_tie_pieces(con.execute(f"{_TIE_ROW} WHERE fid BETWEEN ? AND ? ORDER BY fid",
                                                   (first, last)), node_ids, shown, lookups=row_lookups)
        else:
            yield piece
        let_others_run()


_KEYED_TIE_COLUMNS = [
    "group_concat(fid)",
    # the ends and contexts that are text: neither NULL nor a blob (text < blobs; the columns
    # have TEXT affinity, so no numbers: https://sqlite.org/datatype3.html)
    "count(CASE WHEN a < x'' AND b < x'' AND (context IS NULL OR context < x'') THEN 1 END)",
    "CAST(group_concat(a, char(31)) AS BLOB)", "CAST(group_concat(b, char(31)) AS BLOB)",
    f"group_concat({_TYPE_LETTERS}, '')", f"group_concat({_STRENGTH_DIGITS}, '')",
    "CAST(group_concat(context, char(31)) AS BLOB)",  # (group_concat leaves out NULLs)
    "group_concat(CASE WHEN context IS NULL THEN '1' ELSE '0' END, '')",
    "count(since) + count(until)", "count(CASE WHEN opportunity IS NOT 0 THEN 1 END)",
]
#: The aggregate query of one piece of :func:`_keyed_tie_pieces` (its ``fid`` from and to).
_KEYED_TIE_QUERY = f"SELECT {', '.join(_KEYED_TIE_COLUMNS)} FROM ties WHERE fid BETWEEN ? AND ?"


def _keyed_tie_rows(con: sqlite3.Connection):
    """The pieces of the ties table by ``fid``, :data:`TIES_PER_READ` rows from ``first`` to
    ``last``: ``(first, last, row)`` with ``row`` the piece's :data:`_KEYED_TIE_QUERY` (a generator)."""
    first = con.execute("SELECT min(fid) FROM ties").fetchone()[0]
    while first is not None:
        ends = con.execute("SELECT fid FROM ties WHERE fid >= ? ORDER BY fid LIMIT 2 OFFSET ?",
                           (first, TIES_PER_READ - 1)).fetchall()
        last = ends[0][0] if ends else con.execute("SELECT max(fid) FROM ties").fetchone()[0]
        yield first, last, con.execute(_KEYED_TIE_QUERY, (first, last)).fetchone()
        first = ends[1][0] if len(ends) == 2 else None


def _node_ids_direct(con: sqlite3.Connection) -> list[str] | None:
    """Every node's id in ``fid`` order, from one aggregate query (the ids' UTF-8 bytes joined
    by the unit separator, split after one decode: 40-60 ms for a city's 125,000), or ``None``
    when that cannot be sure of them (an id not text, or holding the separator; ``fid`` not in
    order; not UTF-8). The reading compares them with the ids it reads itself."""
    try:
        fid_text, joined, n, texts = con.execute(
            "SELECT group_concat(fid), CAST(group_concat(id, char(31)) AS BLOB), count(*), "
            "count(CASE WHEN typeof(id) = 'text' THEN 1 END) FROM nodes").fetchone()
    except sqlite3.Error:
        return None
    if not n or texts != n or not isinstance(joined, bytes) or not isinstance(fid_text, str):
        return None
    fids = np.fromstring(fid_text, np.int64, sep=",")  # (row ids: integers)
    if len(fids) != n or not (fids[1:] > fids[:-1]).all():
        return None
    try:
        ids = joined.decode("utf-8").split("\x1f")
    except UnicodeDecodeError:
        return None
    return ids if len(ids) == n else None


class TiesMadeAhead:
    """A file's ties read and made into records on a connection and thread of their own from
    the moment its reading starts, while the reading reads the areas and nodes.

    The thread reads the nodes' ids first (:func:`_node_ids_direct`), then the ties
    column-wise against them (:func:`_keyed_tie_pieces`, its queries in SQLite without
    Python's lock) and makes their records and columns (:func:`_tie_records`), keeping the
    pieces when ``keep_pieces`` (the map's preview draws them). Most of that work is Python's
    and numpy's, and it runs while the reading waits on SQLite for the nodes' columns (0.6 s of
    a city's 100,000 young people, the lock let go all along), rather than after them.

    The reading takes the ids once it has read its own (:meth:`same_ids`: the thread's list,
    when equal, so the records share the id strings) and then the ties (:meth:`made`). The
    thread's work stands only when the ids it matched the ties to are the nodes' the reading
    read, in the same order; otherwise, and whenever the thread could not be sure or failed
    (a file SocialMap did not write, a date that is not a date), it gives nothing and the
    reading reads the ties itself, as without it, and judges them as its own (the same
    records, the same refusal). :meth:`close` stops it and waits for the thread to let go of
    the file.

    ``uri``: the reading's own :func:`_read_only_uri`, so both connections see the file alike;
    ``shown``: the file's name in messages."""

    def __init__(self, uri: str, shown: Path, *, keep_pieces: bool = False) -> None:
        self._shown = shown
        self._keep = keep_pieces
        self._stop = threading.Event()
        self._ids_read = threading.Event()
        self._ids: list[str] | None = None
        self._made: tuple | None = None
        self._thread = threading.Thread(target=self._run, args=(uri,), name="ties read ahead", daemon=True)
        self._thread.start()

    def _run(self, uri: str) -> None:
        # (at the reading's own priority: its records are waited for. Five steps nicer, as when
        # the thread only ran the queries, opening a city took 2.04 s against 1.92, four pairs)
        try:
            con = sqlite3.connect(uri, uri=True)
            try:
                self._ids = _node_ids_direct(con)
                self._ids_read.set()
                keyed = None if self._ids is None else _keyed_ties(con, self._ids)
                if keyed is not None and not self._stop.is_set():
                    self._made = self._make(con, self._ids, keyed)
            finally:
                con.close()
        except BaseException:  # noqa: BLE001 - nothing made: the reading reads the ties itself
            self._made = None
        finally:
            self._ids_read.set()

    def _make(self, con: sqlite3.Connection, ids: list[str], keyed: tuple) -> tuple | None:
        kept: list | None = [] if self._keep else None

        def pieces():
            for piece in _keyed_tie_pieces(con, ids, self._shown, *keyed):
                if self._stop.is_set():
                    raise _Stopped
                if kept is not None:
                    kept.append(piece)
                yield piece

        into: dict[str, Any] = {}
        try:
            ties = _tie_records(pieces(), ids, self._shown, into)
        except (_Stopped, ProjectFileError):  # (refused: the reading meets it itself and says so)
            return None
        return kept, ties, into["columns"]

    def same_ids(self, ids: list) -> list[str] | None:
        """The thread's list of the nodes' ids, once read, when it equals ``ids`` (the reading's
        own, in ``fid`` order); ``None`` (the thread stopped) when it does not."""
        self._ids_read.wait()
        if self._ids is None or self._ids != ids:
            self.close()
            return None
        return self._ids

    def made(self) -> tuple | None:
        """``(pieces, ties, columns)`` once the thread is done: the pieces of :func:`_tie_pieces`
        (``None`` unless kept), the records and :class:`TieColumns` of :func:`_tie_records`, of
        the ids :meth:`same_ids` gave; ``None`` when it made nothing."""
        self._thread.join()
        return self._made

    def close(self) -> None:
        """Stops the thread and waits for it (one query of a piece at most), so the file is let
        go of before the reading's caller removes or replaces it."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


class _Stopped(Exception):
    """The reading no longer wants what the thread makes (:meth:`TiesMadeAhead.close`)."""


def _keyed_tie_piece(got: tuple, first: int, keys: Any, by_row: np.ndarray) -> dict | None:
    """One piece of :func:`_keyed_tie_pieces` from its query's row ``got`` (the piece's ``fid``
    from ``first``), or ``None`` when it must be read row by row. Its marks and dates are not
    read yet (``marked``: whether it has a mark other than 0; ``dated``: a date)."""
    fid_text, plain, a_keys, b_keys, type_letters, strength_digits, context_keys, no_context, dated, marked = got
    if fid_text is None:
        return None
    fids = np.fromstring(fid_text, np.int64, sep=",")  # (row ids: integers)
    n = len(fids)
    if plain != n or fids[0] != first or not (fids[1:] > fids[:-1]).all():  # in the order of fid
        return None
    a_row, b_row = keys.rows(a_keys, n), keys.rows(b_keys, n)
    if a_row is None or b_row is None or (a_row < 0).any() or (b_row < 0).any():
        return None
    type_code = np.frombuffer(type_letters.encode("ascii"), np.uint8) - 65
    strength_code = np.frombuffer(strength_digits.encode("ascii"), np.uint8) - 48
    given = np.frombuffer(no_context.encode("ascii"), np.uint8) == 48  # '0': a context
    if (len(type_code) != n or (type_code >= len(TIE_TYPES)).any() or len(strength_code) != n
            or (strength_code > 3).any() or len(given) != n):
        return None
    context_row = np.full(n, -2, np.int64)
    if given.any():
        rows = keys.rows(context_keys, int(given.sum()))
        if rows is None or (rows < 0).any():
            return None
        context_row[given] = rows
        context = np.full(n, None, dtype=object)
        context[given] = by_row[rows]
        context = context.tolist()
    else:
        context = [None] * n
    return {"a": by_row[a_row].tolist(), "b": by_row[b_row].tolist(), "type": _TYPE_OBJECTS[type_code].tolist(),
            "context": context, "strength": _STRENGTH_OBJECTS[strength_code].tolist(), "since": [None] * n,
            "until": [None] * n, "mark": [0] * n, "a_row": a_row, "b_row": b_row, "context_row": context_row,
            "named": True, "dated": bool(dated), "marked": bool(marked)}


def _marked(con: sqlite3.Connection, piece: dict, lo: int, hi: int) -> dict | None:
    """``piece`` with its ties' opportunity marks as one digit each (:data:`_MARK_DIGITS`, in the
    order of ``fid``, checked); ``None`` when one is not 0 or 1 (or the rows are not the piece's)."""
    fid_text, digits = con.execute(f"SELECT group_concat(fid), group_concat({_MARK_DIGITS}, '') FROM ties"
                                   " WHERE fid BETWEEN ? AND ?", (lo, hi)).fetchone()
    n = len(piece["a"])
    if fid_text is None or len(digits) != n:
        return None
    fids = np.fromstring(fid_text, np.int64, sep=",")
    code = np.frombuffer(digits.encode("ascii"), np.uint8) - 48
    if len(fids) != n or fids[0] != lo or not (fids[1:] > fids[:-1]).all() or (code > 1).any():
        return None
    piece["mark"] = code.tolist()
    return piece


def _dated(con: sqlite3.Connection, piece: dict, lo: int, hi: int, shown: Path) -> dict | None:
    """``piece`` with its ties' dates, read row by row and each refused as :func:`_row_tie_pieces`
    refuses it; ``None`` when the rows are not the piece's."""
    rows = con.execute("SELECT since, until FROM ties WHERE fid BETWEEN ? AND ? ORDER BY fid", (lo, hi)).fetchall()
    a, b = piece["a"], piece["b"]
    if len(rows) != len(a):
        return None
    since, until = zip(*rows, strict=True)
    piece["since"] = [_tie_date(v, x, y, "since", shown) for v, x, y in zip(since, a, b, strict=True)]
    piece["until"] = [_tie_date(v, x, y, "until", shown) for v, x, y in zip(until, a, b, strict=True)]
    return piece


def _rows_of(node_ids: list) -> dict[str, int]:
    """Each id's row in ``node_ids`` (the last, for an id given twice), the ids that are strings only."""
    if set(map(type, node_ids)) <= {str}:
        return dict(zip(node_ids, range(len(node_ids)), strict=True))  # (in C: a third of the time of a comprehension)
    return {i: n for n, i in enumerate(node_ids) if type(i) is str}


def _objects(items: Any) -> np.ndarray:
    """``items`` as a one-dimensional numpy array of objects (each item one element)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _emptied(items: list):
    """The items of ``items`` in order, each let go by the list as it is handed out."""
    items.reverse()
    while items:
        yield items.pop()


def _shared_strings(node_ids: list) -> dict:
    """Each node id (the strings only) and each tie type, to itself: the string a record holds
    for a value equal to it (:func:`_tie_records`)."""
    same: dict[Any, Any] = (dict(zip(node_ids, node_ids, strict=True)) if set(map(type, node_ids)) <= {str}
                            else {i: i for i in node_ids if type(i) is str})
    same.update((t, t) for t in TIE_TYPES)
    return same


def _tie_records(pieces: Any, node_ids: list, shown: Path, into: dict | None = None) -> list[Tie]:
    """:class:`Tie` records of the pieces of :func:`_tie_pieces` (an iterator, or a list emptied as
    it is used), in file order, positionally.

    Each end, type and context that names a node or a tie type is that node's id string or the
    type's own string, not a copy made for the row (a city of a million young people has 3.9
    million ties: 7.8 million end strings of about 57 bytes each, 0.45 GB, and as many type
    strings again), and later look-ups of those strings find their hash already made. An
    ``opportunity`` that is not 0 or 1 (true or false) is refused with the tie named (the first
    in file order, once every piece is read: the dates' refusals come first).

    ``into``, when given, gets ``into["columns"]``: the records' columns and each end's and
    context's row as :class:`~socialmap.model.project.TieColumns` for :meth:`Project.build`'s
    column-wise check (the rows and the records' own values, gathered as the pieces go by).

    The ends and contexts that are nodes are picked by row from an array of the ids (numpy's
    take: a tenth of the time of ``map`` of a look-up per value; a piece with an end that is no
    node's id is looked up value by value, keeping that end as read), and a piece whose marks
    are all 0 or null is all unmarked without a look-up per tie. A piece ``named`` (of
    :func:`_keyed_tie_pieces`) has those strings already."""
    shared: list = []  # the look-up of the shared strings, made once a piece needs it
    by_row = _objects(node_ids)
    marks = _OPPORTUNITY.get
    if isinstance(pieces, list):
        pieces = _emptied(pieces)
    ties: list[Tie] = []
    bad_mark = None
    gathered: dict[str, list] | None = None
    if into is not None:
        gathered = {name: [] for name in ("a_row", "b_row", "context_row", "type", "strength", "since", "until",
                                          "opportunity")}
    for piece in pieces:
        a, b, mark = piece["a"], piece["b"], piece["mark"]
        a_row, b_row, context_row = (np.asarray(piece[name], np.int64) for name in ("a_row", "b_row", "context_row"))
        n = len(a)
        named = piece.get("named", False)
        if not named and not shared:
            shared.append(_shared_strings(node_ids).get)
        keep = None if named else shared[0]
        if not named:
            a = by_row[a_row].tolist() if n and a_row.min() >= 0 else list(map(keep, a, a))
            b = by_row[b_row].tolist() if n and b_row.min() >= 0 else list(map(keep, b, b))
        try:
            unmarked = set(mark) <= {0, None}  # (False and 0.0 are 0 too: unmarked, as _OPPORTUNITY says)
            opportunity = [False] * n if unmarked else list(map(marks, mark, repeat(None, n)))
        except TypeError:  # an unhashable value (not from SQLite): damaged
            unmarked, opportunity = False, [None] * n
        if bad_mark is None and not unmarked and None in opportunity:
            i = opportunity.index(None)
            bad_mark = (a[i], b[i], mark[i])
        kind, context = piece["type"], piece["context"]
        if not named:
            kind = list(map(keep, kind, kind))
            if (context_row >= 0).any():  # each context that is a node's id as that id's own string
                at_node = context_row >= 0
                context = _objects(context)
                context[at_node] = by_row[context_row[at_node]]
                context = list(map(keep, context.tolist(), context.tolist())) if (context_row == -1).any() \
                    else context.tolist()
            elif (context_row == -1).any():
                context = list(map(keep, context, context))
        if named and not piece["dated"] and unmarked:  # (the defaults: no dates, no mark; a third faster)
            ties += map(Tie, a, b, kind, context, piece["strength"])
        else:
            ties += map(Tie, a, b, kind, context, piece["strength"], piece["since"], piece["until"], opportunity)
        if gathered is not None:
            for name, values in (("a_row", [a_row]), ("b_row", [b_row]), ("context_row", [context_row]),
                                 ("type", kind), ("strength", piece["strength"]), ("since", piece["since"]),
                                 ("until", piece["until"]), ("opportunity", opportunity)):
                gathered[name] += values
        let_others_run()
    if bad_mark is not None:
        raise ProjectFileError(f"{shown}: tie {bad_mark[0]!r}-{bad_mark[1]!r}, field 'opportunity': "
                               f"{bad_mark[2]!r} is not 0 or 1 (true or false); the file was not changed")
    if gathered is not None:
        rows = {name: np.concatenate(gathered.pop(name) or [np.zeros(0, np.int64)])
                for name in ("a_row", "b_row", "context_row")}
        into["columns"] = TieColumns(node_ids, **rows, **gathered)
    return ties


def _tie_date(value: Any, a: str, b: str, name: str, shown: Path) -> dt.date | None:
    try:
        return _date_or_none(value)
    except ValueError:
        raise ProjectFileError(f"{shown}: tie {a!r}-{b!r}, field {name!r}: {value!r} is not a date (YYYY-MM-DD); "
                               "the file was not changed") from None


def _read_snapshots(con: sqlite3.Connection) -> dict[str, Snapshot]:
    """The saved snapshots (their compressed bytes as they are: opened only when used)."""
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'socialmap_snapshots'").fetchone() is None:
        return {}
    out = {}
    for name, taken, as_of, note, fmt, data in con.execute(
            "SELECT name, taken, as_of, note, format, data FROM socialmap_snapshots ORDER BY taken, name"):
        out[name] = Snapshot(name=name, taken=taken, as_of=dt.date.fromisoformat(as_of[:10]), note=note or "",
                             format=fmt, data=bytes(data))
    return out
