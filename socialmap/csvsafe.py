"""Formula-safe CSV: no cell SocialMap writes can run as a spreadsheet formula, and every cell reads
back exactly as it was (OWASP, "CSV Injection").

A spreadsheet program opening a CSV file treats a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula (and a leading tab or carriage return can hide one), so a label such as
``=cmd|'/C calc'!A0`` in a file that a partner opens in Excel could run a program. OWASP's
remedy is to begin such a cell with an apostrophe, which spreadsheets take as "this is text".

The rule, the same in every CSV SocialMap writes (the CSV bundle ``nodes.csv``/``ties.csv`` and
its header, the tables of ``export csv``, the evidence figures):

- **written**: text that begins with ``= + - @``, a tab or a carriage return, after any number of
  apostrophes, gets one more apostrophe in front (``=1+1`` -> ``'=1+1``; ``'=x`` -> ``''=x``);
- **numbers stay numbers**: a cell that is a plain decimal number (``-2.3``, ``+5``, ``-1e-3``)
  is written as it is, so numeric columns stay numeric in a spreadsheet. Such a cell is a number
  to any spreadsheet, never a formula, so it cannot run anything;
- **read** (every CSV importer: the bundle, Kumu and Open Referral CSV): a cell of one or more
  apostrophes followed by one of those characters loses one apostrophe. So what was written is
  read back exactly, apostrophes of a label included. A hand-made CSV cell that really begins
  with ``'=`` reads as ``=``: the one spelling that cannot round-trip, and a spreadsheet shows it
  as ``=`` anyway.
"""

from __future__ import annotations

import csv
import re
from typing import Any

#: What a spreadsheet may run: these characters at the start, after any apostrophes.
_RISKY = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
#: A plain decimal number (no thousands separators, no words such as inf or nan).
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise(value: Any) -> Any:
    """``value`` as it goes into a CSV cell: text that could run as a formula gets a leading
    apostrophe; numbers and other text are unchanged.

    >>> [neutralise(v) for v in ("=1+1", "@SUM(A1)", "-2.5", "+44 7700 900123", "'=x", "Youth club", 3)]
    ["'=1+1", "'@SUM(A1)", '-2.5', "'+44 7700 900123", "''=x", 'Youth club', 3]
    """
    if not isinstance(value, str) or not _RISKY.match(value) or NUMBER.match(value):
        return value
    return "'" + value


def restore(text: Any) -> Any:
    """A CSV cell as it was before :func:`neutralise` (the inverse, for every value it writes).

    >>> [restore(c) for c in ("'=1+1", "''=x", "-2.5", "'quoted'", "'")]
    ['=1+1', "'=x", '-2.5', "'quoted'", "'"]
    """
    if isinstance(text, str) and _ESCAPED.match(text):
        return text[1:]
    return text


def restore_row(cells: list[str]) -> list[str]:
    """Every cell of a row read from CSV, restored (the row itself when no cell holds an
    apostrophe, as nearly every row: one search of the joined row, not a match per cell)."""
    if "'" not in "".join(cells):
        return cells
    return [restore(c) for c in cells]


class SafeWriter:
    """A :func:`csv.writer` whose every text cell goes through :func:`neutralise`."""

    def __init__(self, fh, **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(fh, **kwargs: Any) -> SafeWriter:
    """A formula-safe CSV writer (use it for every CSV a user may open in a spreadsheet)."""
    return SafeWriter(fh, **kwargs)
