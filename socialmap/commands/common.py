"""Small helpers shared by the command handlers."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model import Project
from socialmap.privacy import suppress  # noqa: F401 - one rule, re-exported for the commands


def open_project(path: str) -> Project:
    from socialmap.store import load_project

    return load_project(path)


def as_of_date(args):
    """The ``--as-of`` date of a command (None: today), or InputError naming the option."""
    from socialmap.model.dates import parse_date

    return parse_date(getattr(args, "as_of", None), "--as-of")


def open_project_as_of(path: str, on=None) -> Project:
    """The project in ``path`` with only the ties in force on ``on`` (default today), for the
    measures (:meth:`socialmap.model.Project.in_force`). Never saved: a view, not the file."""
    return open_project(path).in_force(on)


def as_of_note(project: Project, on) -> str:
    """' (ties in force on DATE)' when a date was asked for or the project has dated ties, else ''."""
    if on is None and not project.has_dated_ties():
        return ""
    from socialmap.model.dates import today

    return f" (ties in force on {(on or today()).isoformat()})"


def check_output(out: str | None, force: bool, what: str = "output", folder: bool = False) -> Path:
    """The output path, refusing to overwrite an existing file without ``--force``, and a folder
    where a file is to be written (``folder`` True when the output is itself a folder)."""
    from socialmap.interchange.exporting import check_output_path

    if not out:
        raise InputError(Problem(f"no {what} file given"))
    return check_output_path(out, force, folder=folder)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _clean(value.item())
    return value


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (NaN and infinities as null)."""
    json.dump(_clean(document), sys.stdout, ensure_ascii=False, indent=1, default=str)
    sys.stdout.write("\n")


def plain(text: Any) -> str:
    """Data text made safe for a terminal: control characters (escape sequences, bells, newlines)
    shown as U+FFFD, so a label can neither drive the terminal nor break a table's lines."""
    return "".join(c if c.isprintable() else "\ufffd" for c in str(text))


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned text table on stdout (every cell through :func:`plain`)."""
    text = [[("" if v is None else plain(f"{v:.3g}" if isinstance(v, float) else v)) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in text]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in text:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
