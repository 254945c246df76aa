"""What other programs keep in a project file, kept through a SocialMap save (SPEC 11, storage).

A project is a GeoPackage that QGIS and GDAL open and edit. Saving writes a complete new file
(:func:`socialmap.store.gpkg.save_project`); :func:`keep_foreign` then copies into it, from the
file it replaces, everything SocialMap does not own:

- every other table, view, index and trigger, row for row: QGIS's saved styles
  (``layer_styles``), projects saved in the file (``qgis_projects``), other layers with their
  spatial indexes, metadata (``gpkg_metadata``, ``gpkg_metadata_reference``), data-column
  descriptions, and their entries in ``gpkg_contents``, ``gpkg_geometry_columns``,
  ``gpkg_extensions`` and ``gpkg_spatial_ref_sys``;
- the extra columns a user added to the ``areas`` and ``nodes`` layers, with their values,
  matched to SocialMap's records by area code and node id.

:func:`settle_wal` deals with the write-ahead log another program may keep beside the file: it
is checkpointed into the file before the save, and a save is refused while another program
holds the file open for writing (the log would be stale beside the new file and corrupt it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from socialmap.errors import ProjectFileError

#: Tables a SocialMap save writes itself (the GeoPackage's own system tables are written by GDAL).
OWN_TABLES = frozenset({"areas", "nodes", "ties", "socialmap_meta", "socialmap_settings", "socialmap_scenarios",
                        "socialmap_snapshots"})
SYSTEM_TABLES = frozenset({"gpkg_spatial_ref_sys", "gpkg_contents", "gpkg_geometry_columns", "gpkg_tile_matrix_set",
                           "gpkg_tile_matrix", "gpkg_extensions", "gpkg_ogr_contents", "sqlite_sequence"})
#: The layer key columns that match an added column's values to SocialMap's records.
LAYER_KEYS = {"areas": "code", "nodes": "id"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _own(name: str) -> bool:
    return (name in OWN_TABLES or name in SYSTEM_TABLES or name.startswith("sqlite_")
            or any(name.startswith(f"rtree_{layer}_") for layer in ("areas", "nodes")))


def foreign_tables(con: sqlite3.Connection, schema: str = "main") -> list[str]:
    """The tables of the database that SocialMap does not own (shadow tables of a virtual table
    left out: they come with it)."""
    rows = con.execute(f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY rowid").fetchall()
    virtual = [n for n, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return [n for n, _ in rows if not _own(n) and not any(n.startswith(v + "_") for v in virtual)]


def _gpkg_geometry(blob):
    """The shapely geometry of a GeoPackage geometry blob (header, optional envelope, WKB)."""
    import shapely

    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    envelope = (0, 32, 48, 48, 64)[(blob[3] >> 1) & 0x07] if (blob[3] >> 1) & 0x07 < 5 else 0
    return shapely.from_wkb(bytes(blob[8 + envelope:]))


def gpkg_functions(con: sqlite3.Connection) -> None:
    """The SQL functions GDAL's spatial-index triggers call (ST_IsEmpty, ST_MinX...), which a plain
    SQLite connection lacks: without them no row of a GDAL-written layer can be updated."""
    def empty(blob):
        if blob is None:
            return None
        return 1 if len(blob) >= 4 and blob[3] & 0x10 else 0

    def bound(i):
        def f(blob):
            geom = _gpkg_geometry(blob)
            return None if geom is None or geom.is_empty else float(geom.bounds[i])
        return f

    con.create_function("ST_IsEmpty", 1, empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        con.create_function(name, 1, bound(i), deterministic=True)


def keep_foreign(old: Path, new: Path) -> list[str]:
    """Copy into ``new`` (just written) what ``old`` holds that SocialMap does not own; returns
    what was kept (``"table layer_styles"``, ``"column nodes.qgis_note"``...)."""
    kept: list[str] = []
    con = sqlite3.connect(_uri(new, "rw"), uri=True)
    gpkg_functions(con)
    try:
        try:
            con.execute("ATTACH DATABASE ? AS old", (_uri(old, "ro"),))
            if not con.execute("SELECT count(*) FROM old.sqlite_master WHERE name = 'gpkg_contents'").fetchone()[0]:
                return kept  # not a GeoPackage: nothing of ours to keep from
        except sqlite3.DatabaseError:
            return kept
        with con:
            present = {n for (n,) in con.execute("SELECT name FROM main.sqlite_master")}
            tables = [t for t in foreign_tables(con, "old") if t not in present]
            for name in tables:
                sql = con.execute("SELECT sql FROM old.sqlite_master WHERE name = ?", (name,)).fetchone()[0]
                con.execute(sql)
                con.execute(f"INSERT INTO main.{_q(name)} SELECT * FROM old.{_q(name)}")
                kept.append(f"table {name}")
            # their indexes, triggers and views (after the rows, so triggers do not fire on the copy)
            for kind in ("index", "view", "trigger"):
                for name, table, sql in con.execute(
                        "SELECT name, tbl_name, sql FROM old.sqlite_master WHERE type = ? AND sql IS NOT NULL "
                        "ORDER BY rowid", (kind,)).fetchall():
                    if name in present or (kind != "view" and table not in tables) or (kind == "view" and _own(name)):
                        continue
                    con.execute(sql)
                    if kind == "view":
                        kept.append(f"view {name}")
            if tables:
                marks = ",".join("?" * len(tables))
                for system in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_ogr_contents"):
                    if _has(con, "old", system) and _has(con, "main", system):
                        con.execute(f"INSERT OR IGNORE INTO main.{system} SELECT * FROM old.{system} "
                                    f"WHERE table_name IN ({marks})", tables)
                con.execute("INSERT OR IGNORE INTO main.gpkg_spatial_ref_sys SELECT * FROM old.gpkg_spatial_ref_sys "
                            "WHERE srs_id NOT IN (SELECT srs_id FROM main.gpkg_spatial_ref_sys)")
            if _has(con, "old", "gpkg_extensions"):
                if not _has(con, "main", "gpkg_extensions"):
                    con.execute(con.execute("SELECT sql FROM old.sqlite_master WHERE name = 'gpkg_extensions'")
                                .fetchone()[0])
                con.execute(
                    "INSERT INTO main.gpkg_extensions SELECT * FROM old.gpkg_extensions o WHERE NOT EXISTS ("
                    "SELECT 1 FROM main.gpkg_extensions m WHERE m.extension_name = o.extension_name AND "
                    "m.table_name IS o.table_name AND m.column_name IS o.column_name) AND (o.table_name IS NULL "
                    "OR o.table_name NOT IN ('areas', 'nodes', 'ties'))")
            for layer, key in LAYER_KEYS.items():
                kept += _keep_columns(con, layer, key)
    finally:
        con.close()
    return kept


def _has(con: sqlite3.Connection, schema: str, table: str) -> bool:
    return bool(con.execute(f"SELECT count(*) FROM {schema}.sqlite_master WHERE name = ?", (table,)).fetchone()[0])


def _keep_columns(con: sqlite3.Connection, layer: str, key: str) -> list[str]:
    if not (_has(con, "old", layer) and _has(con, "main", layer)):
        return []
    old_cols = con.execute(f"PRAGMA old.table_info({_q(layer)})").fetchall()
    new_names = {r[1] for r in con.execute(f"PRAGMA main.table_info({_q(layer)})")}
    if key not in {r[1] for r in old_cols}:
        return []
    kept = []
    for _, name, declared, *_ in old_cols:
        if name in new_names:
            continue
        con.execute(f"ALTER TABLE main.{_q(layer)} ADD COLUMN {_q(name)} {declared or ''}")
        con.execute(f"UPDATE main.{_q(layer)} SET {_q(name)} = (SELECT o.{_q(name)} FROM old.{_q(layer)} o "
                    f"WHERE o.{_q(key)} = main.{_q(layer)}.{_q(key)})")
        kept.append(f"column {layer}.{name}")
    return kept


def settle_wal(path: Path) -> None:
    """Before ``path`` is replaced: fold another program's write-ahead log into it, or refuse.

    A ``-wal`` beside the file holds commits not yet in it. A full checkpoint (``TRUNCATE``, not
    waiting) writes them in and empties the log; if another program holds the file open for
    writing (a QGIS editing session) the checkpoint cannot complete, and the save is refused:
    replacing the file under that program would leave its log beside the new file, to be
    played into it at the next open ("database disk image is malformed").
    """
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if not (wal.exists() or shm.exists()) or not path.exists():
        return
    try:
        con = sqlite3.connect(_uri(path, "rw"), uri=True, timeout=0)
        try:
            busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            con.close()
    except sqlite3.OperationalError:
        busy = 1
    if busy:
        raise ProjectFileError(
            f"{path}: is open for writing in another program (its write-ahead log {wal.name} is in use); "
            f"close the layers there (or stop editing in QGIS) and save again, or save under another name; "
            f"nothing was saved")


def drop_stale_wal(path: Path) -> None:
    """After ``path`` was replaced: a ``-wal``/``-shm`` left beside it belonged to the old file
    (settled by :func:`settle_wal`) and must not be played into the new one."""
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
