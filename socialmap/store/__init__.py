"""Reading and writing project files (GeoPackage, plain or encrypted), atomic save, recovery copies.

:func:`open_project_file` and :func:`save_project_file` are the one way every
command and the window open and save a project: they read and write both plain
GeoPackages and encrypted ``.smx`` files (:mod:`socialmap.store.encrypted`).
"""

from socialmap.store.encrypted import (
    OpenedProject,
    PassphraseNeeded,
    WrongPassphrase,
    is_encrypted,
    open_project_file,
    save_project_file,
)
from socialmap.store.gpkg import SCHEMA_VERSION, load_project, read_schema_version, save_project

__all__ = [
    "SCHEMA_VERSION", "OpenedProject", "PassphraseNeeded", "WrongPassphrase", "is_encrypted", "load_project",
    "open_project_file", "read_schema_version", "save_project", "save_project_file",
]
