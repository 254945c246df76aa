"""Dates of records and the rule for which ties are in force on a date.

A tie holds from its ``since`` date (inclusive) up to its ``until`` date
(exclusive): ``until`` is the first day on which the relationship no longer
holds, so **a tie ending on a date is not in force on that date**. A missing
``since`` means "since before anything was recorded", a missing ``until``
"still in force". The same half-open rule as a Python range or a SQL
``BETWEEN``-free interval query, so that the tie ended on the day a service
was re-tendered is already gone in the measures of that day, and consecutive
ties (one ``until`` = the next ``since``) never overlap.

Nodes carry ``recorded`` (the day the record was first entered) and
``updated`` (the day it was last changed): bookkeeping for the retention
review (records not updated for a long time), set by the model on add and
edit and by the importers. They do not decide whether a node is counted on
a date: the measures as of a date use the ties in force then over every node.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from socialmap.errors import InputError, Problem


def today() -> dt.date:
    """The local calendar date (one place, so tests can fix it)."""
    return dt.date.today()


def in_force(since: dt.date | None, until: dt.date | None, on: dt.date) -> bool:
    """Whether a tie with these dates is in force on ``on`` (``since <= on < until``).

    >>> import datetime as dt
    >>> d = dt.date(2025, 9, 1)
    >>> in_force(None, None, d), in_force(None, d, d), in_force(d, None, d)
    (True, False, True)
    >>> in_force(None, dt.date(2025, 9, 2), d), in_force(dt.date(2025, 9, 2), None, d)
    (True, False)
    """
    return (since is None or since <= on) and (until is None or on < until)


def parse_date(raw: Any, name: str = "date", record: str | None = None, file: str | None = None,
               row: int | None = None) -> dt.date | None:
    """An ISO date (``YYYY-MM-DD``; a longer ISO timestamp keeps its date) or ``None`` for empty.

    Raises :class:`InputError` naming ``name`` for anything else.
    """
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(Problem(f"{text!r} is not a date (YYYY-MM-DD)", file=file, row=row, field=name,
                                 record=record)) from None


def iso(value: dt.date | None) -> str | None:
    """``value`` as ``YYYY-MM-DD`` (``None`` stays ``None``)."""
    return None if value is None else value.isoformat()
