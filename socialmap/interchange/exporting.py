"""One entry point for every export, shared by the CLI and the desktop app.

:func:`export_project` writes through a temporary file or folder beside the
output and moves it into place only when complete, so a failed export leaves
nothing half-written and an existing output untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.faults import guard
from socialmap.model.project import Project
from socialmap.store import atomic


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


def atomic_file(out: Path, write: Callable[[Path], Any]) -> None:
    """``write(tmp)`` then move ``tmp`` onto ``out``; on failure remove ``tmp`` and leave ``out`` as it was
    (:func:`socialmap.store.atomic.write_file`)."""
    atomic.write_file(Path(out), write)


def atomic_files(outputs: list[tuple[Path, Callable[[Path], Any]]]) -> None:
    """Several files replaced as a unit: after a crash at any step, every output is new or every
    one is as it was (:func:`socialmap.store.atomic.write_files`, journalled)."""
    atomic.write_files([(Path(o), w) for o, w in outputs])


def atomic_folder(out: Path, write: Callable[[Path], Any]) -> None:
    """As :func:`atomic_file`, for an output folder, swapped in whole
    (:func:`socialmap.store.atomic.write_folder`)."""
    atomic.write_folder(Path(out), write)


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
    # a fault of the machine (a full disk, EIO, a read-only disk) is one line naming the output
    consequence = "the previous output is unchanged" if out.exists() else "nothing was written"
    with guard(out, "cannot be written", consequence):
        return list(spec.writer()(project, out, include_people=include_people, org=org, changes=changes,
                                  context_survival=context_survival, source=source, overwrite=overwrite,
                                  before=before, after=after, scenario=scenario, **extra))
