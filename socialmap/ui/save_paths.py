"""Where a save dialog starts and the file name it suggests.

Every save dialog (Save as, each export, each report) starts beside the project file once
it is saved, else in the user's documents folder (``QStandardPaths.DocumentsLocation``;
the home folder where there is none), never in ``/`` or the working folder, and suggests a
name a person would give the file: the project's name, what the file is, and the date,
"Millbrook sample project - evidence pack Millbrook College 2026-12-01.pdf".
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths

#: Characters that Windows, macOS or Linux refuse in a file name (and control characters).
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_name(text: str, limit: int = 150) -> str:
    """``text`` as a file name on any system: unsafe characters become '-', runs of spaces one
    space, no leading or trailing dots or spaces, at most ``limit`` characters."""
    name = _UNSAFE.sub("-", str(text))
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:limit].rstrip(" .") or "SocialMap"


def documents_folder() -> Path:
    """The user's documents folder, or their home folder when it has none (or it does not exist)."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if docs and Path(docs).is_dir():
        return Path(docs)
    return Path.home()


def start_folder(doc) -> Path:
    """Beside the open project's file once it has one, else the documents folder."""
    path = getattr(doc, "path", None)
    if path is not None and Path(path).parent.is_dir():
        return Path(path).parent
    return documents_folder()


def project_title(doc) -> str:
    """The project's name for file names: its file's stem, else its name (the sample), else
    'SocialMap project'."""
    path = getattr(doc, "path", None)
    if path is not None:
        return Path(path).stem
    name = getattr(doc, "name", None)
    return name or "SocialMap project"


def suggested_name(doc, what: str | None, suffix: str, *, day=None) -> str:
    """'<project> - <what> <date><suffix>', or '<project><suffix>' without ``what`` (Save as)."""
    from socialmap.model.dates import today

    title = project_title(doc)
    if what is None:
        return safe_file_name(title) + suffix
    day = day or today()
    return safe_file_name(f"{title} - {what} {day.isoformat()}") + suffix


def suggested_path(doc, what: str | None, suffix: str, *, day=None) -> str:
    """The start of a save dialog: :func:`start_folder` joined with :func:`suggested_name`."""
    return str(start_folder(doc) / suggested_name(doc, what, suffix, day=day))


def suffix_of(file_filter: str | None) -> str:
    """The first extension of a dialog filter: 'GEXF network (Gephi) (*.gexf)' gives '.gexf'."""
    match = re.search(r"\*(\.[A-Za-z0-9]+)", file_filter or "")
    return match.group(1).lower() if match else ""
