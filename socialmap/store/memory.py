"""A project's GeoPackage made and read in memory, never as a file on disk.

An encrypted project (:mod:`socialmap.store.encrypted`) must never have its
plain GeoPackage touch the disk, not even as a temporary file. GDAL (through
pyogrio) writes each layer into its own in-memory file (``/vsimem/``, handed
back as bytes); SQLite then opens the areas GeoPackage from those bytes
(``sqlite3.Connection.deserialize``), copies the nodes layer into it with its
metadata rows, spatial index and triggers (GDAL writes the nodes layer empty and its rows go
in with SQLite, :mod:`socialmap.store.direct`, as in a file save), writes the ties and
SocialMap's own tables exactly as :func:`socialmap.store.gpkg.save_project` does, and hands
the whole database back as bytes (``Connection.serialize``). Reading is the
reverse: GDAL reads the areas from the bytes and SQLite reads the rest from a
deserialized copy. Every SQLite connection here keeps its temporary tables and
sorts in memory (``PRAGMA temp_store = MEMORY``; SQLite's default spills large
ones to a temporary file).

The bytes are the same GeoPackage a plain save writes: written to a file, GDAL
and QGIS open it, and :func:`socialmap.store.load_project` reads it back.
"""

from __future__ import annotations

import io
import os
import sqlite3
import warnings
from typing import Any

from socialmap.collection import collection_paused
from socialmap.errors import ProjectFileError
from socialmap.model.project import Project
from socialmap.store import gpkg

#: GeoPackage header of an SQLite file (every SQLite database starts with it).
SQLITE_HEADER = b"SQLite format 3\x00"
#: GDAL's own SQLite connections (the GeoPackage driver) keep temporary data in memory too.
_GDAL_PRAGMAS = {"OGR_SQLITE_PRAGMA": "temp_store=MEMORY"}


def _memory_connection() -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute("PRAGMA temp_store = MEMORY")
    return con


def _layer_bytes(frame, layer: str, geometry_type: str) -> bytes:
    """One layer written by GDAL as a GeoPackage in memory, as bytes."""
    import pyogrio

    buffer = io.BytesIO()
    previous = pyogrio.get_gdal_config_option("OGR_SQLITE_PRAGMA")
    pyogrio.set_gdal_config_options(_GDAL_PRAGMAS)
    try:
        pyogrio.write_dataframe(frame, buffer, layer=layer, driver="GPKG", geometry_type=geometry_type)
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_PRAGMA": previous})
    return buffer.getvalue()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_layer(con: sqlite3.Connection, schema: str, table: str) -> None:
    """Copy the feature table ``table`` of the attached GeoPackage ``schema`` into ``main``:
    the table and its rows, its rows of the ``gpkg_*`` metadata tables, its R-tree spatial
    index (GeoPackage extension ``gpkg_rtree_index``) and its triggers, as GDAL made them."""
    objects = con.execute(
        f"SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    main_tables = {r[0] for r in con.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
    rtree = f"rtree_{table}_"
    virtual = [name for kind, name, _t, sql in objects
               if kind == "table" and name.startswith(rtree) and sql.upper().startswith("CREATE VIRTUAL TABLE")]
    shadows = {f"{v}_{suffix}" for v in virtual for suffix in ("node", "parent", "rowid")}
    q = _quote(table)
    with con:
        # metadata tables the target lacks (none, for two GeoPackages GDAL wrote), then their rows
        for kind, name, _t, sql in objects:
            if kind == "table" and name.startswith("gpkg_") and name not in main_tables:
                con.execute(sql)
        for kind, name, _t, _sql in objects:
            if kind != "table" or not name.startswith("gpkg_"):
                continue
            columns = [r[1] for r in con.execute(f"PRAGMA {schema}.table_info({_quote(name)})")]
            if "table_name" in columns:
                con.execute(f"INSERT INTO main.{_quote(name)} SELECT * FROM {schema}.{_quote(name)} "
                            f"WHERE table_name = ?", (table,))
        create = next(sql for kind, name, _t, sql in objects if kind == "table" and name == table)
        con.execute(create)
        con.execute(f"INSERT INTO main.{q} SELECT * FROM {schema}.{q}")
        for name in virtual:
            sql = next(s for k, n, _t, s in objects if n == name)
            con.execute(sql)  # makes its shadow tables itself
            con.execute(f"INSERT INTO main.{_quote(name)} SELECT * FROM {schema}.{_quote(name)}")
        for kind, name, tbl, sql in objects:  # after the rows, so no trigger fires on the copy
            if kind in ("index", "trigger") and (tbl == table or tbl in virtual) and name not in shadows:
                con.execute(sql)


def project_bytes(project: Project, *, with_snapshots: bool = True) -> bytes:
    """The project as the bytes of its GeoPackage file, made entirely in memory (without its
    saved snapshots when ``with_snapshots`` is False: the content of a snapshot itself)."""
    from socialmap.store.direct import fill_nodes

    with collection_paused():
        areas = _layer_bytes(gpkg._areas_frame(project), "areas", "MultiPolygon")
        # the nodes' rows straight into SQLite, into the empty layer GDAL made (as a file save does)
        direct = gpkg._direct_nodes(project)
        frame = gpkg._nodes_frame(project) if direct is None else gpkg._nodes_layer_frame([])
        nodes = _layer_bytes(frame, "nodes", "Point")
        del frame
        con = _memory_connection()
        try:
            con.deserialize(areas)
            del areas
            con.execute("ATTACH DATABASE ':memory:' AS layer")
            con.deserialize(nodes, name="layer")
            del nodes
            _copy_layer(con, "layer", "nodes")
            con.execute("DETACH DATABASE layer")
            if direct is not None:
                fill_nodes(con, *direct)
                del direct
            gpkg._write_tables(con, project, with_snapshots=with_snapshots)
            return con.serialize()
        finally:
            con.close()


def load_project_bytes(data: bytes, shown: str | os.PathLike, *, preview: Any = None) -> Project:
    """The project in a GeoPackage held in memory as ``data``; ``shown`` names it in messages;
    ``preview`` as for :func:`socialmap.store.gpkg.read_records`.

    Damaged or newer content raises :class:`ProjectFileError`, as
    :func:`socialmap.store.load_project` does for a file; an older schema is migrated on a
    copy in memory (:func:`socialmap.store.gpkg.migrate`).
    """
    if data[:16] != SQLITE_HEADER:
        raise ProjectFileError(f"{shown}: not a GeoPackage project file (damaged, or another kind of file)")
    try:
        con = gpkg._connect_read_only(data)
    except sqlite3.Error as exc:
        raise ProjectFileError(f"{shown}: the file is damaged and cannot be read ({exc}); it was not changed") from None
    try:
        version = gpkg._schema_version(con, shown)
    finally:
        con.close()
    if version < gpkg.SCHEMA_VERSION:
        con = _memory_connection()
        try:
            con.deserialize(data)
            gpkg.migrate(con, version)
            data = con.serialize()
        except sqlite3.Error as exc:
            raise ProjectFileError(f"{shown}: the file is damaged and cannot be read ({exc}); it was not changed") from None
        finally:
            con.close()
    try:
        with collection_paused(), warnings.catch_warnings():
            # GDAL reads the bytes from an in-memory file pyogrio names without ".gpkg"
            warnings.filterwarnings("ignore", message=r".*has GPKG application_id, but non conformant file extension",
                                    category=RuntimeWarning)
            return gpkg._load(data, shown, preview)
    except ProjectFileError:
        raise
    except Exception as exc:  # any failure to decode means damaged content
        raise ProjectFileError(f"{shown}: the file is damaged and cannot be read ({exc}); it was not changed") from None
