"""Making and opening snapshots (:mod:`socialmap.model.snapshots`).

A snapshot's bytes are the project written as a complete GeoPackage (without
its own snapshots) and compressed with zlib; opening one decompresses it to a
temporary file and loads it with :func:`socialmap.store.load_project`, so a
snapshot taken under an older schema is migrated like any older file.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zlib
from pathlib import Path

from socialmap.errors import InputError, Problem, ProjectFileError
from socialmap.model import Project
from socialmap.model.dates import today
from socialmap.model.snapshots import SNAPSHOT_FORMAT, Snapshot, snapshot_name_problem


def make_snapshot(project: Project, name: str, *, as_of: dt.date | None = None, note: str = "") -> Snapshot:
    """A snapshot of ``project`` named ``name`` holding the network of ``as_of`` (default today).

    All ties are kept with their dates (the snapshot is a copy of the record, not of one
    day's view); ``as_of`` is the date the snapshot stands for when it is compared.
    """
    from socialmap.store.gpkg import _gc_paused, _write

    problem = snapshot_name_problem(name)
    if problem:
        raise InputError(Problem(problem, record=f"snapshot {name!r}", field="name"))
    with tempfile.TemporaryDirectory(prefix="socialmap-snapshot-") as folder:
        path = Path(folder) / "snapshot.gpkg"
        with _gc_paused():
            _write(project, path, None, with_snapshots=False)
        raw = path.read_bytes()
    return Snapshot(
        name=name,
        taken=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        as_of=as_of or today(),
        data=zlib.compress(raw, 6),
        note=note,
    )


def open_snapshot(snapshot: Snapshot, source: str = "project") -> Project:
    """The project held by ``snapshot`` (``source`` names the file it is in, for messages)."""
    from socialmap.store.gpkg import load_project

    where = f"{source}#{snapshot.name}"
    if snapshot.format != SNAPSHOT_FORMAT:
        raise ProjectFileError(f"{where}: snapshot format {snapshot.format!r} is not known to this SocialMap")
    try:
        raw = zlib.decompress(snapshot.data)
    except zlib.error as exc:
        raise ProjectFileError(f"{where}: the snapshot is damaged ({exc})") from None
    with tempfile.TemporaryDirectory(prefix="socialmap-snapshot-") as folder:
        path = Path(folder) / "snapshot.gpkg"
        path.write_bytes(raw)
        try:
            return load_project(path)
        except ProjectFileError as exc:
            raise ProjectFileError(str(exc).replace(str(path), where)) from None
