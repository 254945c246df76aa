"""Making and opening snapshots (:mod:`socialmap.model.snapshots`).

A snapshot's bytes are the project written as a complete GeoPackage (without
its own snapshots) and compressed with zlib; opening one decompresses it and
loads it, so a snapshot taken under an older schema is migrated like any older
file. Both are done in memory (:mod:`socialmap.store.memory`): a snapshot of an
encrypted project never lands unencrypted on disk, not even as a temporary file.
"""

from __future__ import annotations

import datetime as dt
import zlib

from socialmap.errors import InputError, Problem, ProjectFileError
from socialmap.model import Project
from socialmap.model.dates import today
from socialmap.model.snapshots import SNAPSHOT_FORMAT, Snapshot, snapshot_name_problem


def make_snapshot(project: Project, name: str, *, as_of: dt.date | None = None, note: str = "") -> Snapshot:
    """A snapshot of ``project`` named ``name`` holding the network of ``as_of`` (default today).

    All ties are kept with their dates (the snapshot is a copy of the record, not of one
    day's view); ``as_of`` is the date the snapshot stands for when it is compared.
    """
    from socialmap.store.memory import project_bytes

    problem = snapshot_name_problem(name)
    if problem:
        raise InputError(Problem(problem, record=f"snapshot {name!r}", field="name"))
    raw = project_bytes(project, with_snapshots=False)
    return Snapshot(
        name=name,
        taken=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        as_of=as_of or today(),
        data=zlib.compress(raw, 6),
        note=note,
    )


def open_snapshot(snapshot: Snapshot, source: str = "project") -> Project:
    """The project held by ``snapshot`` (``source`` names the file it is in, for messages)."""
    from socialmap.store.memory import load_project_bytes

    where = f"{source}#{snapshot.name}"
    if snapshot.format != SNAPSHOT_FORMAT:
        raise ProjectFileError(f"{where}: snapshot format {snapshot.format!r} is not known to this SocialMap")
    try:
        raw = zlib.decompress(snapshot.data)
    except zlib.error as exc:
        raise ProjectFileError(f"{where}: the snapshot is damaged ({exc})") from None
    return load_project_bytes(raw, where)


def erase_from_snapshots(project: Project, ids: set[str], needles: set[str] | None = None) -> list[str]:
    """Erase the people ``ids`` (and every mention of ``needles``: their ids and pseudonyms) from
    each snapshot of ``project`` that holds them, each made anew from its project with them
    erased (:func:`socialmap.model.erasure.erase_person`); returns the names of the snapshots
    changed. A snapshot keeps its name, date, time taken and note.
    """
    from dataclasses import replace

    from socialmap.model.erasure import erase_person
    from socialmap.store.memory import project_bytes

    changed = []
    for name, snapshot in list(project.snapshots.items()):
        held = open_snapshot(snapshot)
        present = [i for i in ids if i in held.nodes]
        mentioned = bool(needles) and any(n.encode() in zlib.decompress(snapshot.data) for n in needles)
        if not present and not mentioned:
            continue
        for ident in present:
            erase_person(held, ident)
        if not present:  # only a mention (a saved scenario of the snapshot, say)
            from socialmap.model.erasure import scrub

            held.scenarios = {k: (scrub(v, needles)[0] or {}) for k, v in held.scenarios.items()}
        raw = project_bytes(held, with_snapshots=False)
        project.snapshots[name] = replace(snapshot, data=zlib.compress(raw, 6))
        changed.append(name)
    return changed
