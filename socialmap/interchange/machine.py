"""Tables as machine-readable exports write them (SPEC 11, privacy): numbers stay numbers.

A table that may leave the program (:mod:`socialmap.interchange.layers`) shows a suppressed count
as text (``<5``) and a withheld figure as a word, which is right for people but turns the column
into text for the programs that read the file: Gephi cannot rank by it, QGIS cannot draw a
graduated map of it. For CSV, GeoJSON, GraphML and GEXF such a column becomes a numeric column
with an empty value where the figure is suppressed, and a companion ``<name>_suppressed`` flag
(true there, false where the number is given; empty where the figure is missing anyway).

A figure derived from a suppressed count (a rate, a mean, a percentile) is withheld as an empty
cell in the public tables; an empty cell also means "no such figure" (no NEET young person, no
rate), so it gets the same companion flag, from the cells the table records as withheld
(``frame.attrs["withheld"]``: column -> index labels, set by
:func:`socialmap.disclosure.public_area_table` and
:func:`socialmap.interchange.layers.public_organisations`).
"""

from __future__ import annotations

import math
from typing import Any

#: Texts that stand for a suppressed or withheld figure in the public tables.
SUPPRESSION_MARKERS = frozenset({"<5", "withheld", "suppressed"})
FLAG_SUFFIX = "_suppressed"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        if value is pd.NA:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, float) and math.isnan(value)


def is_marker(value: Any) -> bool:
    """True for the text a public table puts in place of a suppressed or withheld figure.

    >>> [is_marker(v) for v in ("<5", "Withheld", "5", 3, None)]
    [True, True, False, False, False]
    """
    return isinstance(value, str) and value.strip().lower() in SUPPRESSION_MARKERS


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    if hasattr(value, "item"):
        return _number(value.item())
    return None


def numeric_with_flag(values: list[Any]) -> tuple[list[Any], list[Any]] | None:
    """``(numbers, flags)`` for a column of numbers and suppression markers, or ``None`` when the
    column holds other text (it stays as it is). Whole numbers come back as ``int``.

    >>> numeric_with_flag(["0", "<5", "12", None])
    ([0, None, 12, None], [False, True, False, None])
    >>> numeric_with_flag(["Youth club", "<5"]) is None
    True
    """
    numbers: list[Any] = []
    flags: list[Any] = []
    for value in values:
        if _missing(value):
            numbers.append(None)
            flags.append(None)
        elif is_marker(value):
            numbers.append(None)
            flags.append(True)
        else:
            n = _number(value)
            if n is None:
                return None
            numbers.append(int(n) if n.is_integer() and abs(n) < 2**53 else n)
            flags.append(False)
    return numbers, flags


def machine_readable(frame, counts: tuple[str, ...] = (), withheld=None):
    """A copy of ``frame`` in which the columns of figures that may be suppressed are numeric
    (nullable: ``Int64`` when whole, else ``Float64``), each followed by its ``<name>_suppressed``
    flag (nullable boolean). Those are the columns named in ``counts`` (counts of young people:
    flagged even where nothing is suppressed, so a file's columns do not depend on its data) and
    any other column of numbers in which a suppression marker appears; and the figures
    ``withheld`` names (column -> index labels of the cells withheld; by default
    ``frame.attrs["withheld"]``), flagged true there, false where a value is given. Other columns
    (text such as codes with leading zeros) are unchanged."""
    import pandas as pd

    if withheld is None:
        withheld = frame.attrs.get("withheld", {})
    out = {}
    for col in frame.columns:
        series = frame[col]
        if col in withheld and col not in counts:
            hidden = withheld[col]
            flags = [True if label in hidden else (None if _missing(v) else False)
                     for label, v in zip(frame.index, series.tolist(), strict=True)]
            out[col] = series
            out[f"{col}{FLAG_SUFFIX}"] = pd.Series(pd.array(flags, dtype="boolean"), index=frame.index)
            continue
        if series.dtype.kind != "O":
            out[col] = series
            if col in counts:
                flags = [None if _missing(v) else False for v in series.tolist()]
                out[f"{col}{FLAG_SUFFIX}"] = pd.Series(pd.array(flags, dtype="boolean"), index=frame.index)
            continue
        values = series.tolist()
        if col not in counts and not any(is_marker(v) for v in values):
            out[col] = series
            continue
        converted = numeric_with_flag(values)
        if converted is None:
            out[col] = series
            continue
        numbers, flags = converted
        whole = all(v is None or isinstance(v, int) for v in numbers)
        out[col] = pd.Series(pd.array(numbers, dtype="Int64" if whole else "Float64"), index=frame.index)
        out[f"{col}{FLAG_SUFFIX}"] = pd.Series(pd.array(flags, dtype="boolean"), index=frame.index)
    return pd.DataFrame(out, index=frame.index)
