"""The error hierarchy: every error a user can see carries its record."""

from __future__ import annotations

from dataclasses import dataclass


class SocialMapError(Exception):
    """Base class of every error SocialMap reports to a user."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where it is and why it is refused."""

    reason: str
    file: str | None = None
    row: int | None = None
    field: str | None = None
    record: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.record:
            where.append(self.record)
        if self.field:
            where.append(f"field {self.field!r}")
        return one_line((", ".join(where) + ": " if where else "") + self.reason)


#: Control characters shown escaped in a message, so that data text (a label with a newline, an
#: escape sequence) can neither break a message into several lines nor drive the terminal.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)} | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
#: Longest message line; data text quoted in a reason (a 100,000-character cell) is cut.
MAX_LINE_CHARS = 600


def one_line(text: str) -> str:
    """``text`` as one printable line of at most :data:`MAX_LINE_CHARS` characters."""
    text = text.translate(_CONTROLS)
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 3] + "..."


class InputError(SocialMapError):
    """Bad input: one or more problems, each naming file, row, field and reason."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.summary())

    def summary(self) -> str:
        n = len(self.problems)
        if n == 1:
            return str(self.problems[0])
        return f"{n} problems; first: {self.problems[0]}"

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


def problems_of(exc: BaseException) -> list[Problem]:
    """Every problem an error reports: an :class:`InputError`'s own list, else one problem that
    names the error (what a dialog lists when a job fails)."""
    if isinstance(exc, InputError):
        return list(exc.problems)
    return [Problem(f"{type(exc).__name__}: {exc}")]


class ProjectFileError(SocialMapError):
    """A project file that cannot be opened or written (damaged, newer schema, unreadable)."""


class ProjectNeedsRepair(ProjectFileError):
    """A project file whose records break the project's rules (edited elsewhere, e.g. in QGIS):
    ``socialmap check`` lists the problems and the window opens it into its repair view."""
