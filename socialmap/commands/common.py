"""Small helpers shared by the command handlers."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from socialmap.collection import kept_apart
from socialmap.errors import InputError, Problem
from socialmap.model import Project
from socialmap.privacy import suppress  # noqa: F401 - one rule, re-exported for the commands

#: Where the command line reads an encrypted project's passphrase (socialmap.store.encrypted).
PASSPHRASE_ENV = "SOCIALMAP_PASSPHRASE"


def open_project(path: str) -> Project:
    """The project in ``path``, plain or encrypted (passphrase from :func:`ask_passphrase`)."""
    return open_project_with_passphrase(path).project


def open_project_with_passphrase(path: str):
    """The project in ``path`` and the passphrase it is encrypted with (``None`` if plain):
    a :class:`socialmap.store.OpenedProject`, for commands that write the project back."""
    from socialmap.store import open_project_file

    with kept_apart():  # the records live until the command ends (socialmap.collection)
        opened = open_project_file(path, ask_passphrase)
    for note in opened.project.notes:  # an earlier schema, upgraded as it was read (said once)
        print(f"socialmap: note: {plain(note)}", file=sys.stderr)
    return opened


def ask_passphrase(path: Path, *, variable: str = PASSPHRASE_ENV, prompt: str | None = None,
                   confirm: bool = False) -> str:
    """An encrypted project's passphrase: from the environment ``variable``
    (``SOCIALMAP_PASSPHRASE``), else asked on the terminal without echo (twice when
    ``confirm``), and only when standard input is one; otherwise a one-line error saying to set
    the variable."""
    value = os.environ.get(variable)
    if value is not None:
        if not value:
            raise InputError(Problem(f"{variable} is set but empty", file=str(path)))
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        raise InputError(Problem(f"the project is encrypted: set {variable} to its passphrase "
                                 "(there is no terminal to ask on)", file=str(path)))
    import getpass

    text = prompt or f"Passphrase for {path}: "
    try:
        value = getpass.getpass(text)
        if confirm and getpass.getpass("The same passphrase again: ") != value:
            raise InputError(Problem("the two passphrases differ; nothing was written", file=str(path)))
    except EOFError:
        raise InputError(Problem("no passphrase given", file=str(path))) from None
    if not value:
        raise InputError(Problem("no passphrase given", file=str(path)))
    return value


def new_passphrase(path: Path, *, variable: str = PASSPHRASE_ENV) -> str:
    """The passphrase to protect ``path`` with: from the environment ``variable``, else asked
    twice on the terminal; refused when too weak (:func:`socialmap.store.encrypted.check_new_passphrase`)."""
    from socialmap.store.encrypted import check_new_passphrase

    value = ask_passphrase(path, variable=variable, prompt=f"New passphrase for {path}: ", confirm=True)
    why = check_new_passphrase(value)
    if why:
        raise InputError(Problem(f"{why}; nothing was written", file=str(path)))
    return value


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
