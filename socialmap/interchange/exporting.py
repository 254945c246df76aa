"""One entry point for every export, shared by the CLI and the desktop app.

:func:`export_project` writes through a temporary file or folder beside the
output and moves it into place only when complete, so a failed export leaves
nothing half-written and an existing output untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model.project import Project

FORMATS = ("graphml", "gexf", "geojson", "csv", "html", "report", "evidence", "scenario-report")
#: Formats written as a folder of files; the others are one file (plus a CSV for evidence).
FOLDER_FORMATS = ("geojson", "csv")
SUFFIXES = {"graphml": ".graphml", "gexf": ".gexf", "html": ".html", "report": ".pdf", "evidence": ".pdf",
            "scenario-report": ".pdf"}


def check_output_path(out: str | os.PathLike, overwrite: bool, *, folder: bool = False) -> Path:
    """``out`` as a Path, or an InputError when it cannot be written: an existing output without
    ``overwrite`` (``--force``), a folder where a file is to be written (``folder`` is True when the
    output is itself a folder), or a parent folder that does not exist."""
    path = Path(out)
    if path.is_dir() and not folder:
        raise InputError(Problem(f"{path} is a folder; give a file name"))
    if path.exists() and not overwrite:
        raise InputError(Problem(f"{path} already exists; give --force to overwrite it"))
    if not path.parent.exists() and str(path.parent) not in ("", "."):
        raise InputError(Problem(f"{path}: folder {path.parent} does not exist"))
    return path


def _usual_mode(path: Path, full: int) -> None:
    """Give ``path`` the permissions a newly created file or folder gets (``full`` less the umask):
    ``mkstemp``/``mkdtemp`` make them private (0600/0700)."""
    path.chmod(full & ~_umask())


def _umask() -> int:
    # read without changing it where the system says it (setting it, even briefly, would race with
    # files other threads are creating)
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_file(out: Path, write: Callable[[Path], Any]) -> None:
    """``write(tmp)`` then move ``tmp`` onto ``out``; on failure remove ``tmp`` and leave ``out`` as it was."""
    folder = out.parent if str(out.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    os.close(fd)
    try:
        write(Path(tmp))
        _usual_mode(Path(tmp), 0o666)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_files(outputs: list[tuple[Path, Callable[[Path], Any]]]) -> None:
    """Several files all or nothing: each ``write(tmp)`` to a temporary file beside its output, then
    every one moved into place. If a write fails, every temporary file is removed and no output is
    touched; if a move fails, the outputs already moved are taken back (an output that existed
    before is restored), so either every output is new or every one is as it was."""
    temps: list[Path] = []
    try:
        for out, write in outputs:
            folder = out.parent if str(out.parent) else Path(".")
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
            os.close(fd)
            temps.append(Path(tmp))
            write(Path(tmp))
            _usual_mode(Path(tmp), 0o666)
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise
    moved: list[tuple[Path, Path | None]] = []  # (output, where its previous version was put aside)
    try:
        for (out, _), tmp in zip(outputs, temps, strict=True):
            previous = None
            if out.exists():
                folder = out.parent if str(out.parent) else Path(".")
                fd, aside = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".old", dir=folder)
                os.close(fd)
                previous = Path(aside)
                os.replace(out, previous)
            moved.append((out, previous))
            os.replace(tmp, out)
    except BaseException:
        for out, previous in reversed(moved):
            if previous is not None:
                os.replace(previous, out)
            else:
                out.unlink(missing_ok=True)
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise
    for _, previous in moved:
        if previous is not None:
            previous.unlink(missing_ok=True)


def atomic_folder(out: Path, write: Callable[[Path], Any]) -> None:
    """As :func:`atomic_file`, for an output folder (an existing one is replaced only at the end)."""
    parent = out.parent if str(out.parent) else Path(".")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=parent))
    try:
        write(tmp)
        _usual_mode(tmp, 0o777)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            old.rmdir()
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def export_project(
    project: Project,
    fmt: str,
    out: str | os.PathLike,
    *,
    include_people: bool = False,
    org: str | None = None,
    changes: list | None = None,
    context_survival: float | None = None,
    source: str | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write ``project`` as ``fmt`` to ``out``; returns the paths written.

    ``org`` is the organisation of an ``evidence`` pack (its figures go to
    ``out`` with the suffix ``.csv`` as well); ``changes`` (parsed
    :mod:`socialmap.scenarios` changes) and ``context_survival`` are for a
    ``scenario-report``. Raises :class:`InputError` for a missing or wrong
    argument, or an existing output without ``overwrite``.
    """
    if fmt not in FORMATS:
        raise InputError(Problem(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}"))
    out = check_output_path(out, overwrite, folder=fmt in FOLDER_FORMATS)
    written = [out]
    if fmt == "graphml":
        from socialmap.interchange.writers.graph import write_graphml

        atomic_file(out, lambda p: write_graphml(project, p, include_people=include_people))
    elif fmt == "gexf":
        from socialmap.interchange.writers.graph import write_gexf

        atomic_file(out, lambda p: write_gexf(project, p, include_people=include_people))
    elif fmt == "html":
        from socialmap.interchange.writers.webmap import write_webmap

        title = f"SocialMap: {Path(source).stem}" if source else None
        atomic_file(out, lambda p: write_webmap(project, p, include_people=include_people, title=title))
    elif fmt == "geojson":
        from socialmap.interchange.writers.geojson import write_geojson_layers

        atomic_folder(out, lambda p: write_geojson_layers(project, p, include_people=include_people))
    elif fmt == "csv":
        from socialmap.interchange.writers.csv_tables import write_csv_tables

        atomic_folder(out, lambda p: write_csv_tables(project, p, include_people=include_people))
    elif fmt == "report":
        from socialmap.reports import write_area_report

        atomic_file(out, lambda p: write_area_report(project, p, source=source))
    elif fmt == "evidence":
        from socialmap.reports import write_evidence_figures, write_evidence_pack

        if not org:
            raise InputError(Problem("an evidence pack needs --org ID (the organisation it is for)", field="org"))
        node = project.nodes.get(org)
        if node is None or node.kind != "organisation":
            raise InputError(Problem(f"{org!r} is not an organisation of {source or 'the project'}", field="org"))
        figures = out.with_suffix(".csv")
        if figures == out:
            raise InputError(Problem(f"{out}: the pack and its figures ({figures.name}) would be the same file; "
                                     "name the pack .pdf"))
        if figures.exists() and not overwrite:
            raise InputError(Problem(f"{figures} already exists; give --force to overwrite it"))
        # the pack and its figures go together: both written, or neither
        atomic_files([(out, lambda p: write_evidence_pack(project, org, p, source=source)),
                      (figures, lambda p: write_evidence_figures(project, org, p))])
        written.append(figures)
    elif fmt == "scenario-report":
        from socialmap.reports import write_scenario_report
        from socialmap.scenarios import validate_changes

        if not changes:
            raise InputError(Problem("a scenario report needs at least one change (--decommission, --transfer, "
                                     "--relocate or --close)"))
        validate_changes(project, changes)
        atomic_file(out, lambda p: write_scenario_report(project, changes, p, context_survival=context_survival,
                                                         source=source))
    return written
