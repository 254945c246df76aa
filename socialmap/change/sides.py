"""One side of a comparison, written on the command line as one word.

Syntax (``docs/change-over-time.md``)::

    FILE                  the project file, its ties in force today
    FILE@DATE             the project file, its ties in force on DATE (YYYY-MM-DD)
    FILE#NAME             the snapshot NAME saved inside FILE, as of its own date
    FILE#NAME@DATE        that snapshot, its ties in force on DATE

A word naming an existing file is always that file, so a file whose name holds ``#`` or
``@`` is still read; otherwise the last ``@`` followed by a date gives the date and then
the last ``#`` the snapshot. Snapshot names can hold neither character
(:func:`socialmap.model.snapshots.snapshot_name_problem`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from socialmap.errors import InputError, Problem
from socialmap.model import Project
from socialmap.model.dates import today


@dataclass
class Side:
    """A project as it is measured for a comparison: ``project`` is the view of the ties in
    force on ``as_of``; ``record`` the whole project it came from (with every dated tie)."""

    text: str
    path: Path
    snapshot: str | None
    as_of: dt.date
    project: Project
    record: Project

    @property
    def label(self) -> str:
        where = self.path.name + (f"#{self.snapshot}" if self.snapshot else "")
        return f"{where}@{self.as_of.isoformat()}"


def parse_side(text: str) -> tuple[Path, str | None, dt.date | None]:
    """``(file, snapshot name or None, date or None)`` of a side's word (module docstring)."""
    if not text or not text.strip():
        raise InputError(Problem("an empty side: give FILE, FILE@DATE or FILE#SNAPSHOT"))
    if Path(text).is_file():
        return Path(text), None, None
    rest, date = text, None
    if "@" in rest:
        head, tail = rest.rsplit("@", 1)
        try:
            date = dt.date.fromisoformat(tail)
        except ValueError:
            raise InputError(Problem(f"{tail!r} after '@' is not a date (YYYY-MM-DD)", record=text)) from None
        rest = head
    name = None
    if "#" in rest and not Path(rest).is_file():
        rest, name = rest.rsplit("#", 1)
        if not name:
            raise InputError(Problem("no snapshot name after '#'", record=text))
    return Path(rest), name, date


def open_side(text: str, cache: dict[Path, Project] | None = None, passphrase=None) -> Side:
    """Read one side (``cache`` shares the loaded file between the two sides of one comparison;
    ``passphrase`` opens an encrypted ``.smx`` file: the passphrase, or a function of the path that
    gives it, as :func:`socialmap.store.open_project_file` takes)."""
    from socialmap.store import open_project_file
    from socialmap.store.snapshots import open_snapshot

    path, name, date = parse_side(text)
    key = path.resolve() if path.exists() else path
    project = (cache or {}).get(key)
    if project is None:
        project = open_project_file(path, passphrase).project  # missing or damaged: ProjectFileError naming it
        if cache is not None:
            cache[key] = project
    if name is not None:
        snap = project.snapshots.get(name)
        if snap is None:
            known = ", ".join(repr(s) for s in project.snapshots) or "none"
            raise InputError(Problem(f"no snapshot {name!r} in {path.name} (its snapshots: {known})", record=text))
        record = open_snapshot(snap, path.name)
        on = date or snap.as_of
    else:
        record = project
        on = date or today()
    return Side(text, path, name, on, record.in_force(on), record)


def project_side(project: Project, word: str = "", name: str = "project") -> Side:
    """A side within an open ``project`` (named ``name`` in labels): ``""`` (today), ``@DATE``,
    ``#SNAPSHOT`` or ``#SNAPSHOT@DATE``; any other word is read as a file (:func:`open_side`)."""
    from socialmap.store.snapshots import open_snapshot

    if word and word[0] not in "#@":
        return open_side(word)
    _, snapshot, date = parse_side(f"{name}{word}") if word else (None, None, None)
    if snapshot is not None:
        snap = project.snapshots.get(snapshot)
        if snap is None:
            known = ", ".join(repr(s) for s in project.snapshots) or "none"
            raise InputError(Problem(f"no snapshot {snapshot!r} in {name} (its snapshots: {known})", record=word))
        record = open_snapshot(snap, name)
        on = date or snap.as_of
    else:
        record, on = project, date or today()
    return Side(f"{name}{word}", Path(name), snapshot, on, record.in_force(on), record)


def latest_snapshot(project: Project) -> str | None:
    """The name of the snapshot saved last in ``project`` (None when there is none)."""
    if not project.snapshots:
        return None
    return max(project.snapshots.values(), key=lambda s: (s.taken, s.name)).name
