"""A snapshot: a named, dated, compressed copy of the network kept inside the project.

A snapshot holds the project as it stood (areas, nodes, ties with their
dates, settings and saved scenarios; not other snapshots) so that later
measures can be compared with it (``socialmap compare P.gpkg#NAME P.gpkg``).
The bytes are a complete SocialMap GeoPackage of that copy compressed with
zlib (format ``gpkg+zlib``; :mod:`socialmap.store.snapshots` makes and opens
them), so an old snapshot is read, and migrated, like any older project file.

Privacy: a snapshot holds the same personal data as the project (young
people's pseudonyms, areas and ties). It travels with the file, is encrypted
with it, and must be deleted with the project's other copies when a person's
data is erased; the snapshot list in the window shows who may still be in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SNAPSHOT_FORMAT = "gpkg+zlib"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One saved snapshot: ``taken`` is when it was saved (ISO timestamp, UTC), ``as_of``
    the date whose network it holds, ``data`` the compressed project file."""

    name: str
    taken: str
    as_of: dt.date
    data: bytes
    note: str = ""
    format: str = SNAPSHOT_FORMAT

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def snapshot_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a snapshot (None when it can): a name is written after ``#``
    in ``FILE#NAME`` and must survive a command line, so it is non-empty printable text
    without ``#`` or ``@`` and without surrounding spaces."""
    if not name or not name.strip():
        return "a snapshot needs a name"
    if name != name.strip():
        return "a snapshot name cannot start or end with a space"
    if any(c in name for c in "#@") or not name.isprintable():
        return "a snapshot name cannot hold '#', '@' or control characters"
    if len(name) > 100:
        return "a snapshot name is at most 100 characters"
    return None
