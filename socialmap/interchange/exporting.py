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


def __getattr__(name: str) -> Any:
    # the format lists, derived from the registry (socialmap.interchange.registry) when first asked
    from socialmap.interchange.registry import export_formats

    if name == "FORMATS":
        return tuple(f.name for f in export_formats())
    if name == "FOLDER_FORMATS":  # written as a folder of files; the others are one file
        return tuple(f.name for f in export_formats() if f.folder)
    if name == "SUFFIXES":
        return {f.name: f.suffix for f in export_formats() if f.suffix}
    raise AttributeError(name)


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
    before: str | None = None,
    after: str | None = None,
    scenario: str | None = None,
    measures: list | None = None,
) -> list[Path]:
    """Write ``project`` as ``fmt`` to ``out``; returns the paths written.

    ``measures`` (read by :func:`socialmap.interchange.lm3_files.read_measures`) are the user's
    social value measures for an ``evidence`` pack. ``org`` is the organisation of an ``evidence`` pack (its figures go to
    ``out`` with the suffix ``.csv`` as well); ``changes`` (parsed
    :mod:`socialmap.scenarios` changes) and ``context_survival`` are for a
    ``scenario-report``; ``before``, ``after`` and ``scenario`` (sides and a saved scenario's
    name) for a ``change-report``. Raises :class:`InputError` for a missing or wrong
    argument, or an existing output without ``overwrite``.
    """
    from socialmap.interchange.registry import export_format

    spec = export_format(fmt)
    out = check_output_path(out, overwrite, folder=spec.folder)
    extra = {} if measures is None else {"measures": measures}
    return list(spec.writer()(project, out, include_people=include_people, org=org, changes=changes,
                              context_survival=context_survival, source=source, overwrite=overwrite,
                              before=before, after=after, scenario=scenario, **extra))
