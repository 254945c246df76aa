"""Placing records by UK postcode with a lookup the user supplies (SPEC section 7).

The lookup is an extract of the ONS Postcode Directory (ONSPD) or the National
Statistics Postcode Lookup (NSPL), as a CSV file. Both are published by ONS
Geography with one row per postcode and, among many others, these columns
(names as the ONS publishes them, any letter case):

- the postcode: ``pcds`` (variable length, one space: ``M1 1AE``), ``pcd``
  / ``pcd7`` (7 characters, padded) or ``pcd2`` / ``pcd8`` (8 characters);
- ``lat`` and ``long``: the postcode's centroid in WGS84 degrees
  (``99.999999`` / ``0.000000`` when the postcode has no grid reference);
- the 2021 LSOA code ``lsoa21`` (``lsoa21cd`` in some releases) or the 2011
  one, ``lsoa11``.

Other extracts can name their columns with the ``*_field`` arguments
(``--postcode-field``, ``--lat-field``, ``--lon-field``, ``--lsoa-field``).

Privacy (SPEC section 8): a young person's postcode only chooses their home
area (``area_code``); the postcode and its point are never stored. An adult's
postcode likewise only sets their ``area_code``. Organisations and services are
placed at the postcode centroid when they have no coordinates of their own.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem

POSTCODE_NAMES = ("pcds", "pcd", "pcd7", "pcd2", "pcd8", "postcode", "post_code")
LAT_NAMES = ("lat", "latitude")
LON_NAMES = ("long", "lon", "longitude", "lng")
LSOA_NAMES = ("lsoa21", "lsoa21cd", "lsoa11", "lsoa11cd", "lsoa", "lsoa_code")
#: The ONS date of termination (``yyyymm``): set for a postcode no longer in use.
DOTERM_NAMES = ("doterm",)

#: The ONS marks a postcode with no grid reference with this latitude.
NO_GRID_LAT = 99.999999

# Outward code (area letters, district) then inward code (sector digit, unit letters).
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$")


def normalise_postcode(text: Any) -> str | None:
    """A postcode in its standard form (upper case, one space before the last three
    characters), or ``None`` when ``text`` is not shaped like a UK postcode.

    >>> normalise_postcode(" m1  1ae ")
    'M1 1AE'
    >>> normalise_postcode("SW1A1AA")
    'SW1A 1AA'
    >>> normalise_postcode("hello") is None
    True
    """
    if text is None:
        return None
    compact = re.sub(r"\s+", "", str(text)).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


@dataclass
class PostcodeLookup:
    """Postcode (normalised) to ``(lat, lon, lsoa_code)``; ``lat``/``lon`` are ``None``
    for a postcode the ONS gives no grid reference, ``lsoa_code`` ``None`` when absent."""

    source: str
    fields: dict[str, str | None]
    points: dict[str, tuple[float | None, float | None, str | None]] = field(default_factory=dict)
    #: postcodes the lookup marks terminated (``doterm`` set): still placed, with a warning
    terminated: set[str] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.points)

    def get(self, postcode: str) -> tuple[float | None, float | None, str | None] | None:
        key = normalise_postcode(postcode)
        return None if key is None else self.points.get(key)


def _choose(columns: list[str], given: str | None, names: tuple[str, ...], what: str, option: str,
            path: str, problems: list[Problem], required: bool = True) -> str | None:
    lower = {c.lower(): c for c in columns}
    if given is not None:
        if given.lower() in lower:
            return lower[given.lower()]
        problems.append(Problem(f"has no column {given!r} (given by {option}); its columns start "
                                f"{', '.join(columns[:12])}", file=path, field=given))
        return None
    for name in names:
        if name in lower:
            return lower[name]
    if required:
        problems.append(Problem(f"has no {what} column (looked for {', '.join(names)}); name it with {option}",
                                file=path))
    return None


def load_postcode_lookup(
    path: str | os.PathLike,
    postcode_field: str | None = None,
    lat_field: str | None = None,
    lon_field: str | None = None,
    lsoa_field: str | None = None,
) -> PostcodeLookup:
    """Read an ONSPD/NSPL extract (CSV) into a :class:`PostcodeLookup`.

    Only the four columns needed are read, so a full directory (2.7 million
    rows) loads in seconds. Raises :class:`InputError` for a missing file or
    column, or for rows whose postcode, latitude or longitude do not parse
    (each named by row; the header is row 1).
    """
    import numpy as np
    import pandas as pd

    where = str(path)
    path = Path(path)
    if not path.exists():
        raise InputError(Problem("no such postcode lookup file", file=where))
    if path.is_dir():
        raise InputError(Problem("is a folder; give the postcode lookup CSV file", file=where))
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns.tolist()
    except Exception as exc:  # pandas raises several parser errors
        raise InputError(Problem(f"cannot be read as CSV ({exc})", file=where)) from None
    header = [str(h).strip() for h in header]
    problems: list[Problem] = []
    pc = _choose(header, postcode_field, POSTCODE_NAMES, "postcode", "--postcode-field", where, problems)
    lat = _choose(header, lat_field, LAT_NAMES, "latitude", "--lat-field", where, problems)
    lon = _choose(header, lon_field, LON_NAMES, "longitude", "--lon-field", where, problems)
    lsoa = _choose(header, lsoa_field, LSOA_NAMES, "LSOA code", "--lsoa-field", where, problems, required=False)
    doterm = _choose(header, None, DOTERM_NAMES, "termination date", "", where, problems, required=False)
    if problems:
        raise InputError(problems)
    cols = [c for c in (pc, lat, lon, lsoa, doterm) if c]
    try:
        frame = pd.read_csv(path, usecols=cols, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:
        raise InputError(Problem(f"cannot be read as CSV ({exc})", file=where)) from None

    raw = frame[pc].str.replace(r"\s+", "", regex=True).str.upper()
    valid = raw.str.match(_POSTCODE.pattern)
    keys = raw.str[:-3] + " " + raw.str[-3:]
    lat_v = pd.to_numeric(frame[lat].str.strip(), errors="coerce").to_numpy(dtype=float)
    lon_v = pd.to_numeric(frame[lon].str.strip(), errors="coerce").to_numpy(dtype=float)
    rows = np.arange(len(frame)) + 2
    blank_pc = frame[pc].str.strip() == ""
    bad_pc = ~valid.to_numpy() & ~blank_pc.to_numpy()
    bad_lat = np.isnan(lat_v) & (frame[lat].str.strip() != "").to_numpy()
    bad_lon = np.isnan(lon_v) & (frame[lon].str.strip() != "").to_numpy()
    for i in np.nonzero(bad_pc)[0][:50]:
        problems.append(Problem(f"{frame[pc].iat[i]!r} is not a UK postcode", file=where, row=int(rows[i]), field=pc))
    for mask, col in ((bad_lat, lat), (bad_lon, lon)):
        for i in np.nonzero(mask)[0][:50]:
            problems.append(Problem(f"{frame[col].iat[i]!r} is not a number", file=where, row=int(rows[i]), field=col))
    if problems:
        raise InputError(problems)
    no_grid = np.isnan(lat_v) | np.isnan(lon_v) | (np.abs(lat_v - NO_GRID_LAT) < 1e-6) | (np.abs(lat_v) > 90) | (np.abs(lon_v) > 180)
    lsoa_v = frame[lsoa].str.strip().tolist() if lsoa else [None] * len(frame)
    lookup = PostcodeLookup(where, {"postcode": pc, "lat": lat, "lon": lon, "lsoa": lsoa, "doterm": doterm})
    if doterm:
        ended = (frame[doterm].str.strip() != "").to_numpy() & valid.to_numpy()
        lookup.terminated = set(keys[ended].tolist())
    keep = ~blank_pc.to_numpy()
    for key, la, lo, ng, ls, k in zip(keys.tolist(), lat_v.tolist(), lon_v.tolist(), no_grid.tolist(), lsoa_v, keep.tolist(), strict=False):
        if not k:
            continue
        lookup.points[key] = (None, None, ls or None) if ng else (la, lo, ls or None)
    if not lookup.points:
        raise InputError(Problem("has no postcodes in it", file=where))
    return lookup


def apply_postcodes(
    records: list[dict[str, Any]],
    lookup: PostcodeLookup,
    *,
    area_codes: set[str] | frozenset[str] | None = None,
    file: str | None = None,
    sheet: str | None = None,
) -> list[Problem]:
    """Place records that carry a postcode; return every problem (an empty list when all placed).

    Each record is a dict of node fields (``kind``, ``lat``, ``lon``,
    ``area_code``...) that may carry ``postcode``; ``_row``, ``_file`` and
    ``_sheet`` (optional) say where it came from, for the problems. The
    records are changed in place:

    - a ``young_person`` or ``adult`` gets ``area_code`` from the postcode's LSOA
      code when it has none (a given one that disagrees is reported), and
      ``postcode`` is removed from the record: it is never stored;
    - an ``organisation`` or ``service`` without both ``lat`` and ``lon`` gets the
      postcode's centroid, and ``area_code`` from the LSOA code when that is one
      of ``area_codes``; its normalised postcode stays in the record.

    A postcode that does not parse or is not in the lookup, one with no grid
    reference for a place, and (for people) an LSOA code that is not one of
    ``area_codes`` are each reported with the record's row and the
    ``postcode`` field.
    """
    problems: list[Problem] = []
    for rec in records:
        raw = rec.get("postcode")
        kind = rec.get("kind")
        person = kind in ("young_person", "adult")
        if person:
            rec.pop("postcode", None)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue

        def bad(reason: str, _rec=rec) -> None:
            problems.append(Problem(reason, file=_rec.get("_file", file), row=_rec.get("_row"), field="postcode",
                                    record=_rec.get("_record"), sheet=_rec.get("_sheet", sheet)))

        # never echo a person's postcode back in a message: it is personal data
        shown = "the postcode" if person else repr(str(raw).strip())
        key = normalise_postcode(raw)
        if key is None:
            bad(f"{shown} is not a UK postcode")
            continue
        hit = lookup.points.get(key)
        if hit is None:
            bad(f"{shown} is not in the postcode lookup {Path(lookup.source).name}")
            continue
        lat, lon, lsoa = hit
        if person:
            if lsoa is None:
                bad(f"{shown} has no LSOA code in the postcode lookup")
            elif area_codes is not None and lsoa not in area_codes:
                bad(f"{shown} lies in LSOA {lsoa}, which is not an area of this project")
            elif rec.get("area_code") not in (None, "") and rec["area_code"] != lsoa:
                bad(f"{shown} lies in LSOA {lsoa} but area_code says {rec['area_code']!r}")
            else:
                rec["area_code"] = lsoa
            continue
        rec["postcode"] = key
        if rec.get("lat") is None or rec.get("lon") is None:
            if lat is None:
                bad(f"{shown} has no grid reference in the postcode lookup (it cannot place a {kind or 'record'})")
                continue
            rec["lat"], rec["lon"] = lat, lon
        if lsoa is not None and rec.get("area_code") in (None, "") and area_codes is not None and lsoa in area_codes:
            rec["area_code"] = lsoa
    return problems
