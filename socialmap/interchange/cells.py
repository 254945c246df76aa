"""The one set of cell parsers every importer uses (CSV bundle, Kumu, Open Referral UK, areas files).

A cell arrives as text (CSV) or as a typed value (an ``.xlsx`` number, date or
boolean, a GeoPackage integer). Each parser returns the typed value or raises
:class:`BadValue` whose message says, in plain words, why the cell was refused.
Empty cells are the caller's business (:func:`is_blank`): the parsers are given
something.

Accepted spellings (documented for users in ``docs/interchange.md``):

- **numbers**: ``1200``, ``1200.5``, ``-3``, ``1e3``, with thousands separators
  (``1,200``, ``1,200.50``) and a leading pound sign (``£1,200``). A decimal
  comma (``2,5``) is refused rather than read as 25 or 2.5: the cell is
  ambiguous. ``nan`` and ``inf`` are refused.
- **whole numbers**: a number as above with no fraction (``17``, ``17.0``, ``1,200``).
- **yes/no**: ``true/false``, ``yes/no``, ``y/n``, ``t/f``, ``1/0`` in any
  case, and ``x`` (a ticked box) for yes.
- **dates**: ISO ``2027-03-31`` (a time after it is ignored), UK
  ``31/03/2027`` and ``31-03-2027`` (day first; one-digit day and month allowed).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

TRUE_WORDS = frozenset({"true", "yes", "y", "t", "1", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "f", "0"})
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_UK_DATE = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


class BadValue(ValueError):
    """A cell that does not parse; the message says why in plain words."""


def is_blank(value: Any) -> bool:
    """True for an empty cell: ``None``, NaN, or text that is only spaces."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _shown(value: Any) -> str:
    return repr(value.strip() if isinstance(value, str) else value)


def parse_number(value: Any) -> float:
    """A finite number from a cell (see the module docstring for the spellings)."""
    if type(value) is str:  # the common cell: text Python reads as a finite number as it is
        try:
            number = float(value)
        except ValueError:
            pass  # a pound sign, thousands separators, a decimal comma...: below
        else:
            if math.isfinite(number):  # the same number the steps below give (none of them applies)
                return number
    if isinstance(value, bool):
        raise BadValue(f"{value!r} is not a number")
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        clean = str(value).strip()
        if clean.startswith("£"):
            clean = clean[1:].strip()
        elif clean.startswith(("-£", "+£")):
            clean = clean[0] + clean[2:].strip()
        if _THOUSANDS.match(clean):
            clean = clean.replace(",", "")
        elif _DECIMAL_COMMA.match(clean):
            raise BadValue(f"{_shown(value)} is not a number: write decimals with a point "
                           f"({clean.replace(',', '.')}), not a comma")
        try:
            number = float(clean)
        except ValueError:
            raise BadValue(f"{_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise BadValue(f"{_shown(value)} is not a finite number")
    return number


def parse_int(value: Any) -> int:
    """A whole number from a cell (``17``, ``17.0``, ``1,200``)."""
    if type(value) is str and len(value) <= 15 and value.isascii() and value.isdigit():
        return int(value)  # plain digits (an age, a strength): what the steps below give, exactly
    try:
        number = parse_number(value)
    except BadValue:
        raise BadValue(f"{_shown(value)} is not a whole number") from None
    if not number.is_integer():
        raise BadValue(f"{_shown(value)} is not a whole number")
    return int(number)


def parse_bool(value: Any) -> bool:
    """Yes or no from a cell (see the module docstring for the spellings)."""
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    low = str(value).strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise BadValue(f"{_shown(value)} is not yes/no (use true/false, yes/no, y/n, t/f, 1/0, or x for yes)")


def parse_date(value: Any) -> dt.date:
    """A date from a cell: ISO ``2027-03-31`` or day-first ``31/03/2027`` / ``31-03-2027``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    clean = str(value).strip()
    m = _ISO_DATE.match(clean)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _UK_DATE.match(clean)
        if not m:
            raise BadValue(f"{_shown(value)} is not a date (use 2027-03-31, 31/03/2027 or 31-03-2027)")
        d, _, mo, y = m.groups()
        d, mo, y = int(d), int(mo), int(y)
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise BadValue(f"{_shown(value)} is not a real date (day first: 31/03/2027)") from None
