"""The formats SocialMap reads and writes, found in one place.

Every module of :mod:`socialmap.interchange.readers` and
:mod:`socialmap.interchange.writers` declares the formats it serves in a
module-level ``FORMATS`` tuple of :class:`ImportFormat` / :class:`ExportFormat`:
name, title, file patterns, the function that reads or writes, and the options
it takes. This registry finds them by walking those two packages (as GDAL finds
its drivers and pyogrio its engines), and the CLI's ``socialmap import``/``export``
sub-commands and the window's File ▸ Import, File ▸ Export and Reports menus are
built from it: a new format is one new module, and appears everywhere.

The reading and writing functions are named as ``"module:function"`` and imported
only when a format is used, so building the command line stays quick.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from socialmap.errors import InputError, Problem


@dataclass(frozen=True)
class Option:
    """One command-line option of a format (its ``argparse.add_argument`` arguments).

    ``flags`` are the option strings (``("--kind-map",)``) or, for a positional argument, its
    destination alone (``("file",)``). ``dest`` is where the value goes (derived from the flags
    when not given).
    """

    flags: tuple[str, ...]
    help: str | None = None
    metavar: str | None = None
    action: str | None = None
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] | None = None
    dest: str | None = None

    @property
    def name(self) -> str:
        if self.dest:
            return self.dest
        long = next((f for f in self.flags if f.startswith("--")), self.flags[0])
        return long.lstrip("-").replace("-", "_")

    @property
    def positional(self) -> bool:
        return not self.flags[0].startswith("-")

    def add_to(self, parser) -> None:
        kwargs: dict[str, Any] = {"help": self.help}
        if self.action:
            kwargs["action"] = self.action
        else:
            kwargs["metavar"] = self.metavar
            if self.choices:
                kwargs["choices"] = list(self.choices)
        if self.default is not None:
            kwargs["default"] = self.default
        if self.positional:
            parser.add_argument(self.flags[0], **kwargs)
        else:
            if self.required:
                kwargs["required"] = True
            if self.dest:
                kwargs["dest"] = self.dest
            parser.add_argument(*self.flags, **kwargs)


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class ImportFormat:
    """A format ``socialmap import NAME`` reads and File ▸ Import offers.

    ``read`` names a function called as ``read(**values, lookup=..., areas=..., existing=...)``,
    ``values`` being the format's own options (its ``source`` and ``options``, by name), and
    returning an :class:`~socialmap.interchange.merge.ImportBatch`. ``what`` names the option
    whose value names the input in messages. ``assign_areas``: organisations and services
    standing in an area get its code (not for the canonical bundle, read back as written).
    ``second`` is the option of a second file the import window offers (Kumu's Connections
    CSV, the bundle's ties.csv), with its label there.
    """

    name: str
    title: str
    help: str
    patterns: tuple[str, ...]
    read: str
    options: tuple[Option, ...] = ()
    what: str = "source"
    folder: bool = False
    assign_areas: bool = True
    placeholder: str = ""
    second: tuple[str, str] | None = None
    order: int = 100

    def reader(self) -> Callable[..., Any]:
        return _resolve(self.read)

    def file_filter(self) -> str:
        """The file dialog filter (``"Kumu map (*.xlsx *.csv)"``)."""
        return f"{self.title} ({' '.join(self.patterns)})" if self.patterns else ""


@dataclass(frozen=True)
class ExportFormat:
    """A format ``socialmap export NAME`` writes and File ▸ Export (or Reports) offers.

    ``write`` names a function called as ``write(project, out, **arguments)`` (``out`` checked
    already, ``arguments`` those of :func:`socialmap.interchange.exporting.export_project`)
    that writes atomically and returns the paths written. ``folder``: the output is a folder.
    ``menu`` is ``"export"`` (File ▸ Export), ``"report"`` (the Reports menu) or ``""`` (the
    command line only). ``people``: the export can include young people (``--include-people``).
    """

    name: str
    title: str
    help: str
    write: str
    patterns: tuple[str, ...] = ()
    folder: bool = False
    menu: str = "export"
    people: bool = True
    order: int = 100
    suffix: str = field(default="")

    def writer(self) -> Callable[..., Any]:
        return _resolve(self.write)

    def file_filter(self) -> str | None:
        return f"{self.title.rstrip('…')} ({' '.join(self.patterns)})" if self.patterns else None


def _declared(package: str, kind: type) -> list[Any]:
    found = []
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"{package}.{info.name}")
        for item in getattr(module, "FORMATS", ()):
            if isinstance(item, kind):
                found.append(item)
    names = [f.name for f in found]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:  # a programming error, caught by the tests
        raise RuntimeError(f"formats declared twice: {', '.join(dupes)}")
    return sorted(found, key=lambda f: (f.order, f.name))


@functools.cache
def import_formats() -> tuple[ImportFormat, ...]:
    """Every import format, in menu order."""
    return tuple(_declared("socialmap.interchange.readers", ImportFormat))


@functools.cache
def export_formats() -> tuple[ExportFormat, ...]:
    """Every export format (reports included), in menu order."""
    return tuple(_declared("socialmap.interchange.writers", ExportFormat))


def import_format(name: str) -> ImportFormat:
    for fmt in import_formats():
        if fmt.name == name:
            return fmt
    raise InputError(Problem(f"unknown import format {name!r}; expected one of "
                             f"{', '.join(f.name for f in import_formats())}"))


def export_format(name: str) -> ExportFormat:
    for fmt in export_formats():
        if fmt.name == name:
            return fmt
    raise InputError(Problem(f"unknown export format {name!r}; expected one of "
                             f"{', '.join(f.name for f in export_formats())}"))
