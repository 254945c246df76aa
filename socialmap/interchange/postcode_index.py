"""A postcode lookup indexed once, so that finding a postcode in the full directory is instant.

The lookup is the user's ONS Postcode Directory (ONSPD) or National Statistics Postcode
Lookup (NSPL) extract, a CSV file with the columns described in
:mod:`socialmap.interchange.postcodes` (``pcds``/``pcd``/..., ``lat``, ``long``, ``lsoa21``...).
The full NSPL has about 2.7 million rows: reading it takes seconds and its points as a Python
dict hold hundreds of megabytes, too slow and too big to do at each search. So it is read
once, in chunks, into a small SQLite file (``postcode`` the primary key of a ``WITHOUT ROWID``
table: a lookup or a prefix range is one B-tree descent, well under a millisecond at 2.7
million rows) in the user's cache folder, and read from there afterwards. The index records
the CSV's path, size and modification time and is rebuilt when the file changes.

The index file is written through :func:`socialmap.store.atomic.write_file`: an interrupted
build leaves the previous index (or none), never half of one.

Privacy (SPEC section 8): this module finds where a postcode is; it stores nothing in a
project. The window uses it to pan the map (a postcode searched for is never stored) and to
place an organisation or service by its postcode.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from socialmap.errors import InputError, Problem
from socialmap.interchange.postcodes import (
    _POSTCODE,
    LAT_NAMES,
    LON_NAMES,
    LSOA_NAMES,
    NO_GRID_LAT,
    POSTCODE_NAMES,
    _choose,
    normalise_postcode,
)

#: Bumped when the index's layout changes (an index of another version is rebuilt).
INDEX_VERSION = 1
#: Rows read from the CSV at a time while building.
CHUNK_ROWS = 200_000
#: A partial postcode as typed: outward code, then optionally the start of the inward code.
_PARTIAL = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9][A-Z]{0,2})?$")


class Cancelled(Exception):
    """The build was cancelled (the workers know a cancelled job by this name)."""


@dataclass(frozen=True, slots=True)
class PostcodePoint:
    """A postcode's centroid (WGS84 degrees; ``None`` when the ONS gives it no grid
    reference) and its LSOA code (``None`` when the lookup has none)."""

    postcode: str
    lat: float | None
    lon: float | None
    lsoa_code: str | None


def cache_dir() -> Path:
    """The folder SocialMap keeps rebuildable files in: ``$SOCIALMAP_CACHE_DIR`` if set, else
    the platform's user cache folder (``%LOCALAPPDATA%``, ``~/Library/Caches``,
    ``$XDG_CACHE_HOME`` or ``~/.cache``) with ``socialmap`` under it."""
    given = os.environ.get("SOCIALMAP_CACHE_DIR")
    if given:
        return Path(given)
    if sys.platform.startswith("win") and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "socialmap" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "socialmap"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "socialmap"


def index_path(source: str | os.PathLike) -> Path:
    """Where the index of the lookup ``source`` is kept (one file per lookup path)."""
    key = hashlib.sha256(str(Path(source).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return cache_dir() / "postcodes" / f"{key}.sqlite"


def _stamp(source: Path) -> dict[str, str]:
    st = source.stat()
    return {"version": str(INDEX_VERSION), "source": str(source.resolve()), "size": str(st.st_size),
            "mtime_ns": str(st.st_mtime_ns)}


def _check_source(source: Path, where: str) -> None:
    if not source.exists():
        raise InputError(Problem("no such postcode lookup file", file=where))
    if source.is_dir():
        raise InputError(Problem("is a folder; give the postcode lookup CSV file", file=where))


def is_current(source: str | os.PathLike) -> bool:
    """Whether the index of ``source`` exists and was made from the file as it is now."""
    source = Path(source)
    target = index_path(source)
    if not source.is_file() or not target.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return all(meta.get(k) == v for k, v in _stamp(source).items())


def build_index(source: str | os.PathLike, progress: Callable[[float], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> Path:
    """Read the lookup CSV ``source`` into its SQLite index (:func:`index_path`) and return the
    index's path.

    Columns are found as :func:`socialmap.interchange.postcodes.load_postcode_lookup` finds
    them. A postcode that does not parse, or a latitude or longitude that is not a number,
    refuses the file with every such row named (the header is row 1; at most 50 of each);
    nothing is written then. Blank postcodes are skipped; the ONS's "no grid reference"
    rows (latitude 99.999999) are kept with no point.
    """
    import numpy as np
    import pandas as pd

    from socialmap.store.atomic import write_file

    where = str(source)
    source = Path(source)
    _check_source(source, where)
    try:
        header = [str(h).strip() for h in pd.read_csv(source, nrows=0, encoding="utf-8-sig").columns]
    except Exception as exc:  # pandas raises several parser errors
        raise InputError(Problem(f"cannot be read as CSV ({exc})", file=where)) from None
    problems: list[Problem] = []
    pc = _choose(header, None, POSTCODE_NAMES, "postcode", "a column named pcds", where, problems)
    lat = _choose(header, None, LAT_NAMES, "latitude", "a column named lat", where, problems)
    lon = _choose(header, None, LON_NAMES, "longitude", "a column named long", where, problems)
    lsoa = _choose(header, None, LSOA_NAMES, "LSOA code", "", where, problems, required=False)
    if problems:
        raise InputError(problems)
    stamp = _stamp(source)
    total_bytes = max(int(stamp["size"]), 1)
    target = index_path(source)
    target.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            con.execute("CREATE TABLE postcode (postcode TEXT PRIMARY KEY, lat REAL, lon REAL, lsoa TEXT) WITHOUT ROWID")
            # rows are appended to a plain table, then moved into the B-tree in postcode order:
            # inserting 2.6 million keys in file order straight into it took twice as long
            con.execute("CREATE TEMP TABLE staging (postcode TEXT, lat REAL, lon REAL, lsoa TEXT)")
            cols = [c for c in (pc, lat, lon, lsoa) if c]
            first_row = 2
            count = 0
            with open(source, "rb") as raw_file:
                reader = pd.read_csv(raw_file, usecols=cols, dtype=str, keep_default_na=False,
                                     encoding="utf-8-sig", chunksize=CHUNK_ROWS)
                for frame in reader:
                    if cancelled is not None and cancelled():
                        raise Cancelled("building the postcode index was cancelled")
                    text = frame[pc].str.replace(r"\s+", "", regex=True).str.upper()
                    blank = (text == "").to_numpy()
                    valid = text.str.match(_POSTCODE.pattern).to_numpy()
                    lat_t, lon_t = frame[lat].str.strip(), frame[lon].str.strip()
                    lat_v = pd.to_numeric(lat_t, errors="coerce").to_numpy(dtype=float)
                    lon_v = pd.to_numeric(lon_t, errors="coerce").to_numpy(dtype=float)
                    rows = np.arange(len(frame)) + first_row
                    for i in np.nonzero(~valid & ~blank)[0][:50]:
                        problems.append(Problem(f"{frame[pc].iat[i]!r} is not a UK postcode", file=where,
                                                row=int(rows[i]), field=pc))
                    for values, texts, col in ((lat_v, lat_t, lat), (lon_v, lon_t, lon)):
                        for i in np.nonzero(np.isnan(values) & (texts != "").to_numpy())[0][:50]:
                            problems.append(Problem(f"{texts.iat[i]!r} is not a number", file=where,
                                                    row=int(rows[i]), field=col))
                    if len(problems) >= 50:
                        raise InputError(problems[:50])
                    first_row += len(frame)
                    if problems:
                        continue  # every bad row of the file is reported, nothing is kept
                    keep = valid & ~blank
                    no_grid = (np.isnan(lat_v) | np.isnan(lon_v) | (np.abs(lat_v - NO_GRID_LAT) < 1e-6)
                               | (np.abs(lat_v) > 90) | (np.abs(lon_v) > 180))
                    keys = (text.str[:-3] + " " + text.str[-3:]).to_numpy()[keep]
                    la = np.where(no_grid, np.nan, lat_v)[keep]
                    lo = np.where(no_grid, np.nan, lon_v)[keep]
                    ls = (frame[lsoa].str.strip().to_numpy()[keep] if lsoa else np.full(len(keys), ""))
                    con.executemany(
                        "INSERT INTO staging VALUES (?, ?, ?, ?)",
                        zip(keys.tolist(), [None if v != v else v for v in la.tolist()],
                            [None if v != v else v for v in lo.tolist()], [s or None for s in ls.tolist()],
                            strict=True))
                    count += len(keys)
                    if progress is not None:
                        progress(min(raw_file.tell() / total_bytes, 1.0))
            if problems:
                raise InputError(problems)
            if not count:
                raise InputError(Problem("has no postcodes in it", file=where))
            # a postcode listed twice keeps its last row, as a dictionary of the rows would
            con.execute("INSERT OR REPLACE INTO postcode SELECT postcode, lat, lon, lsoa FROM staging "
                        "ORDER BY postcode, rowid")
            con.execute("DROP TABLE staging")
            count = con.execute("SELECT count(*) FROM postcode").fetchone()[0]
            con.executemany("INSERT INTO meta VALUES (?, ?)",
                            [*stamp.items(), ("rows", str(count)), ("postcode_field", pc)])
            con.commit()
        finally:
            con.close()

    write_file(target, write)
    return target


class PostcodeIndex:
    """An opened index: :meth:`get` a postcode, :meth:`complete` a partial one."""

    def __init__(self, source: str | os.PathLike) -> None:
        self.source = Path(source)
        self.path = index_path(self.source)
        self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.rows = int(dict(self._con.execute("SELECT key, value FROM meta").fetchall()).get("rows", 0))

    def close(self) -> None:
        self._con.close()

    def get(self, text: str) -> PostcodePoint | None:
        """The postcode ``text`` (any case and spacing), or ``None`` when it is not one or not
        in the lookup."""
        key = normalise_postcode(text)
        if key is None:
            return None
        row = self._con.execute("SELECT postcode, lat, lon, lsoa FROM postcode WHERE postcode = ?", (key,)).fetchone()
        return None if row is None else PostcodePoint(*row)

    def complete(self, text: str, limit: int = 6) -> list[PostcodePoint]:
        """Postcodes that start as ``text`` does (``"M1 1"`` -> ``M1 1AE``, ...), in order; the
        postcode itself when ``text`` is a whole one; none when it is not shaped like a
        postcode's start."""
        whole = self.get(text)
        if whole is not None:
            return [whole]
        prefix = re.sub(r"\s+", " ", str(text).strip().upper())
        if not _PARTIAL.match(prefix):
            return []
        if " " not in prefix:
            prefix += " "  # an outward code as typed: "M1" is M1 1.., not M11 ...
        rows = self._con.execute(
            "SELECT postcode, lat, lon, lsoa FROM postcode WHERE postcode >= ? AND postcode < ? ORDER BY postcode LIMIT ?",
            (prefix, prefix + "\uffff", int(limit))).fetchall()
        return [PostcodePoint(*r) for r in rows]


def open_index(source: str | os.PathLike, progress: Callable[[float], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> PostcodeIndex:
    """The index of the lookup ``source``, built first when missing or out of date."""
    where = str(source)
    _check_source(Path(source), where)
    if not is_current(source):
        build_index(source, progress, cancelled)
    try:
        return PostcodeIndex(source)
    except sqlite3.Error as exc:
        raise InputError(Problem(f"its index {index_path(source)} cannot be read ({exc})", file=where)) from None
