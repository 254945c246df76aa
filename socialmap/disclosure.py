"""Disclosure control: what of the figures about young people may be shown to people.

Young people's data is about children (SPEC section 8, extended by issue 10).
Every human-facing output (the window, the CLI's tables, PDFs, CSV, GeoJSON
and HTML exports) takes the figures it shows through this module, so that no
combination of what the outputs publish gives back a count of 1 to 4 young
people. ``--json`` output is exact: it is for further processing, not for
publication, and says so.

The rules (``docs/privacy.md`` has worked examples):

1. **Primary suppression.** A count of young people from 1 to 4 reads ``<5``
   (0 and 5 or more are shown).
2. **Secondary suppression** (as ONS practice). The total of every count
   column of the area table is public (it is in the summaries and in
   ``socialmap info``), so where a column has suppressed cells their sum is
   known: total minus the cells shown. With one suppressed cell that is the
   cell; with several it can still pin them (two cells that sum to 2 are both
   1). For each column, cells shown are withheld too, smallest first, until
   every suppressed cell could still be any value its row allows given the total
   (:func:`column_adds_nothing`). A cell withheld this way reads ``withheld``;
   if no cell can be withheld, the column's total is withheld instead. The same
   goes for an area's own row: its counts bound each other (NEET <= young
   people...), and where a shown count would pin a ``<5`` one, the row's
   largest shown count is withheld (:func:`row_intervals`).
3. **Derived figures.** A figure computed from a withheld count is withheld
   with it: the NEET isolation rate (``neet_isolated / neet``; a rate of 0
   reveals nothing and stays), the means and indices of an area's young
   people when their number is withheld (a mean times the number of people
   is a tie count that the totals give back), EET connectedness when the
   number of NEET young people is withheld.
4. **Statistics of withheld values.** Getis-Ord Gi* shown to people is
   computed on *public* rates: each withheld rate is replaced by the midpoint
   of the range it could take given what is published
   (:func:`public_rates`), so the classes shown are a function of published
   figures alone and the Gi* back-solve finds nothing. People see the seven
   Gi bins (:func:`gi_bin`), never z to two decimals.
5. **One word.** A value kept back for privacy reads ``withheld`` everywhere
   (``<5`` for the count itself); a value that does not exist (no NEET young
   person, so no rate) is blank or ``-``, never ``withheld``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: What a value kept back for privacy reads, everywhere.
WITHHELD = "withheld"
#: What a count of 1 to 4 young people reads.
SMALL = "<5"
#: Why a value is withheld, for a tooltip or a note.
WITHHELD_REASON = ("withheld so that a count of 1 to 4 young people cannot be worked out from it "
                   "(docs/privacy.md)")

#: Area columns that count young people (suppressed 1..4 in anything a person reads), in the
#: order of the area table.
YOUNG_PEOPLE_COUNTS = ("young_people", "neet", "isolated", "neet_isolated", "neet_with_opportunity", "not_known")
#: A rate and the counts it is made of (numerator first): withheld when one of them is withheld
#: (a rate of 0 from a numerator of 0 reveals nothing the table does not show).
RATE_PARTS = {"neet_isolation_rate": ("neet_isolated", "neet"),
              "neet_opportunity_share": ("neet_with_opportunity", "neet")}
#: Figures about an area's young people (or its NEET young people): withheld when that number is.
DERIVED_FROM = {
    "mean_bridging": "young_people",
    "mean_linking": "young_people",
    "ei_index": "young_people",
    "eet_connectedness": "neet",
}
#: Figures of the area table withheld (NaN) when a count they are made of is.
DERIVED_FIGURES = (*RATE_PARTS, *DERIVED_FROM)
#: Within an area: ``(smaller, larger)`` pairs of counts (an attacker knows these too).
ROW_ORDER = (("neet_isolated", "neet"), ("neet", "young_people"),
             ("neet_isolated", "isolated"), ("isolated", "young_people"), ("neet_with_opportunity", "neet"),
             ("not_known", "young_people"))


def suppress(count: Any) -> str:
    """Small-number suppression: 1..4 as ``<5``; 0 and 5+ as the whole number; missing as ``""``.

    >>> [suppress(n) for n in (0, 1, 4, 5, None)]
    ['0', '<5', '<5', '5', '']
    """
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return ""
    n = int(round(float(count)))
    return SMALL if 1 <= n <= 4 else str(n)


def is_suppressed(count: Any) -> bool:
    """Whether ``count`` is a count of 1 to 4 (shown as ``<5``)."""
    return suppress(count) == SMALL


# --------------------------------------------------------------------------- secondary suppression

@dataclass(frozen=True)
class AreaDisclosure:
    """Which figures of the area table are withheld, and why (rules 1-3 of the module).

    Attributes
    ----------
    small
        Count column -> codes of areas whose count is 1..4 (read ``<5``).
    secondary
        Count column -> codes of areas whose count (0 or 5+) is withheld to protect the
        column's total (read ``withheld``).
    derived
        Figure -> codes of areas where it is withheld because a count it is made of is.
    totals_withheld
        Count columns whose total cannot be shown.
    """

    small: Mapping[str, frozenset[str]] = field(default_factory=dict)
    secondary: Mapping[str, frozenset[str]] = field(default_factory=dict)
    derived: Mapping[str, frozenset[str]] = field(default_factory=dict)
    totals_withheld: frozenset[str] = frozenset()

    def status(self, code: str, column: str) -> str | None:
        """``'<5'``, ``'withheld'`` or ``None`` (shown) for one cell."""
        if code in self.small.get(column, ()):
            return SMALL
        if code in self.secondary.get(column, ()) or code in self.derived.get(column, ()):
            return WITHHELD
        return None

    def withheld(self, code: str, column: str) -> bool:
        """Whether the cell is not shown as its value (``<5`` or ``withheld``)."""
        return self.status(code, column) is not None

    def hidden_cells(self) -> dict[str, frozenset[str]]:
        """Column -> codes of every cell not shown as its value."""
        out: dict[str, set[str]] = {}
        for part in (self.small, self.secondary, self.derived):
            for col, codes in part.items():
                out.setdefault(col, set()).update(codes)
        return {col: frozenset(codes) for col, codes in out.items()}


def row_intervals(disclosure: AreaDisclosure, code: str, values: Mapping[str, Any],
                  totals: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """The range of each count of one area as a reader of the public table can bound it from the
    row: a shown count is exact, ``<5`` is 1..4, ``withheld`` is 5 up to the column's total;
    narrowed by what holds in every area (NEET isolated <= NEET <= young people, NEET isolated <=
    isolated <= young people, and isolated young people who are not NEET <= young people who are
    not NEET).

    6 young people, 5 isolated, none of them NEET, and ``<5`` NEET: the 5 isolated are all among
    the 6 - NEET who are not NEET, so NEET is 1.

    >>> d = AreaDisclosure(small={"neet": frozenset({"A"})})
    >>> row = {"young_people": 6, "neet": 1, "isolated": 5, "neet_isolated": 0}
    >>> row_intervals(d, "A", row, {"young_people": 50, "neet": 9, "isolated": 20, "neet_isolated": 3})["neet"]
    (1, 1)
    """
    box: dict[str, list[int]] = {}
    for col in YOUNG_PEOPLE_COUNTS:
        if col not in values:
            box[col] = [0, totals.get(col, 10**9)]
            continue
        status = disclosure.status(code, col)
        if status == SMALL:
            box[col] = [1, 4]
        elif status == WITHHELD:
            box[col] = [5, max(5, totals.get(col, 10**9))]
        else:
            box[col] = [_whole(values[col])] * 2
    for _ in range(4):  # interval propagation; a few rounds reach the fixed point for five counts
        for smaller, larger in ROW_ORDER:
            small_, large = box[smaller], box[larger]
            small_[1] = min(small_[1], large[1])
            large[0] = max(large[0], small_[0])
        y, e, i, n = (box[c] for c in ("young_people", "neet", "isolated", "neet_isolated"))
        # isolated + NEET <= young people + NEET isolated
        i[1] = min(i[1], y[1] + n[1] - e[0])
        e[1] = min(e[1], y[1] + n[1] - i[0])
        y[0] = max(y[0], i[0] + e[0] - n[1])
        n[0] = max(n[0], i[0] + e[0] - y[1])
        k = box["not_known"]  # NEET and not known are disjoint (issue 15): NEET + not known <= young people
        e[1], k[1] = min(e[1], y[1] - k[0]), min(k[1], y[1] - e[0])
        y[0] = max(y[0], e[0] + k[0])
    return {col: (lo, max(lo, hi)) for col, (lo, hi) in box.items()}


def _whole(value: Any) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    return int(round(float(value)))


def protect_areas(areas, columns: Iterable[str] = YOUNG_PEOPLE_COUNTS) -> AreaDisclosure:
    """The :class:`AreaDisclosure` of an area table (a DataFrame indexed by area code with the
    count columns of :data:`YOUNG_PEOPLE_COUNTS`; other columns are ignored).

    Cells are withheld until, for every count shown as ``<5``,

    - its row leaves it free to be any of 1..4 (:func:`row_intervals`; else the row's largest
      shown count of 5 or more is withheld), and
    - its column's total adds nothing to what its row says (:func:`column_adds_nothing` over the
      withheld cells of the column; else the column's smallest shown count of 5 or more is
      withheld, and if none is left, the column's total).

    Choices go by size, then by code, so the same table always gives the same result.
    """
    codes = [str(c) for c in areas.index]
    columns = [c for c in YOUNG_PEOPLE_COUNTS if c in columns and c in areas.columns]
    counts = {col: dict(zip(codes, (_whole(v) for v in areas[col].tolist()), strict=True)) for col in columns}
    rows = {code: {col: counts[col][code] for col in columns} for code in codes}
    totals = {col: sum(counts[col].values()) for col in columns}
    small = {col: frozenset(c for c, n in counts[col].items() if 1 <= n <= 4) for col in columns}
    secondary: dict[str, set[str]] = {col: set() for col in columns}
    totals_withheld: set[str] = set()

    def current() -> AreaDisclosure:
        return AreaDisclosure(small, {k: frozenset(v) for k, v in secondary.items()})

    def shown_big(code: str, col: str, d: AreaDisclosure) -> bool:
        return counts[col][code] >= 5 and not d.withheld(code, col)

    def row_free(code: str) -> bool:
        d = current()
        ranges = row_intervals(d, code, rows[code], totals)
        return all(ranges[col] == (1, 4) for col in columns if code in small[col])

    with_small = sorted({c for col in columns for c in small[col]})
    changed = True
    while changed:
        changed = False
        for code in with_small:  # rows first
            while not row_free(code):
                d = current()
                options = sorted(((counts[col][code], col) for col in columns if shown_big(code, col, d)), reverse=True)
                if not options:
                    break  # every count of the row is small: nothing left to withhold
                secondary[options[0][1]].add(code)
                changed = True
        for col in columns:  # then the columns' totals
            if not small[col] or col in totals_withheld:
                continue
            added: list[str] = []
            while True:
                d = current()
                cells = sorted(small[col]) + sorted(secondary[col])
                boxes = [row_intervals(d, c, rows[c], totals)[col] for c in cells]
                residual = sum(counts[col][c] for c in cells)
                if column_adds_nothing(residual, boxes, [c in small[col] for c in cells]):
                    break
                candidates = sorted((counts[col][c], c) for c in codes if shown_big(c, col, d))
                if not candidates:
                    # withhold the total instead; the cells withheld for it are shown again (the
                    # rows are checked once more)
                    totals_withheld.add(col)
                    secondary[col].difference_update(added)
                    changed = True
                    break
                secondary[col].add(candidates[0][1])
                added.append(candidates[0][1])
                changed = True
    secondary_final = {k: frozenset(v) for k, v in secondary.items()}
    derived: dict[str, set[str]] = {}
    partial = AreaDisclosure(small, secondary_final)
    for rate, parts in RATE_PARTS.items():
        if rate not in areas.columns:
            continue
        numerator = parts[0]
        for code, value in zip(codes, areas[rate].tolist(), strict=True):
            hidden = any(partial.withheld(code, p) for p in parts if p in columns)
            if hidden and not (value == 0 and not partial.withheld(code, numerator)):
                derived.setdefault(rate, set()).add(code)
    for figure, count in DERIVED_FROM.items():
        if figure in areas.columns and count in columns:
            for code in codes:
                if partial.withheld(code, count):
                    derived.setdefault(figure, set()).add(code)
    return AreaDisclosure(small, secondary_final, {k: frozenset(v) for k, v in derived.items()},
                          frozenset(totals_withheld))


def column_adds_nothing(residual: int, boxes: list[tuple[int, int]], is_small: list[bool]) -> bool:
    """Whether knowing that the withheld cells of a column (each in its box, what its row says of
    it) sum to ``residual`` leaves every small cell free over its whole box.

    Cell *i* can take exactly the values from ``max(lo_i, R - sum of the others' highs)`` to
    ``min(hi_i, R - sum of the others' lows)``: one linear sum over boxes of whole numbers.

    Two cells of 1..4 summing to 5 could be (1, 4), (2, 3), (3, 2) or (4, 1); summing to 3 they
    are (1, 2) or (2, 1), so neither can be 3 or 4; one cell alone is its residual:

    >>> column_adds_nothing(5, [(1, 4), (1, 4)], [True, True]), column_adds_nothing(3, [(1, 4), (1, 4)], [True, True])
    (True, False)
    >>> column_adds_nothing(3, [(1, 4)], [True])
    False

    A shown cell of 9 withheld beside one of 3 (residual 12): the small one could be 1..4
    (the other 11..8):

    >>> column_adds_nothing(12, [(1, 4), (5, 400)], [True, False])
    True
    """
    low = sum(lo for lo, _ in boxes)
    high = sum(hi for _, hi in boxes)
    for (lo, hi), small_ in zip(boxes, is_small, strict=True):
        if small_ and (max(lo, residual - (high - hi)) > lo or min(hi, residual - (low - lo)) < hi):
            return False
    return True


def public_area_table(areas_frame, extra=None, *, disclosure: AreaDisclosure | None = None):
    """The per-area table as it may be shown: counts of young people as text (``<5`` for 1..4,
    ``withheld`` for secondary cells), derived figures withheld as NaN. ``extra`` (a frame indexed
    by area code, e.g. public hotspot classes) is joined on."""
    import numpy as np

    disclosure = disclosure or protect_areas(areas_frame)
    table = areas_frame.copy()
    codes = [str(c) for c in table.index]
    for col, hidden in disclosure.derived.items():
        if col in table.columns and hidden:
            mask = np.array([c in hidden for c in codes])
            table[col] = table[col].astype(float).where(~mask, np.nan)
    for col in YOUNG_PEOPLE_COUNTS:
        if col in table.columns:
            table[col] = [disclosure.status(c, col) or suppress(v) for c, v in zip(codes, table[col].tolist(), strict=True)]
    if extra is not None:
        table = table.join(extra, how="left")
    # which empty cells are withheld (not merely missing), for the machine-readable exports'
    # <name>_suppressed flags (socialmap.interchange.machine): every derived figure present
    table.attrs["withheld"] = {col: disclosure.derived.get(col, frozenset()) for col in DERIVED_FIGURES
                               if col in table.columns}
    return table


def public_totals(areas, disclosure: AreaDisclosure | None = None) -> dict[str, str]:
    """Each count column's total as it may be shown (text: ``<5``, a whole number, or
    ``withheld``)."""
    disclosure = disclosure or protect_areas(areas)
    out = {}
    for col in YOUNG_PEOPLE_COUNTS:
        if col in areas.columns:
            total = sum(_whole(v) for v in areas[col].tolist())
            out[col] = WITHHELD if col in disclosure.totals_withheld else suppress(total)
    return out


# --------------------------------------------------------------------------- Gi* on public rates

def public_rates(areas, disclosure: AreaDisclosure | None = None):
    """The NEET isolation rate of each area as a reader of the public table knows it: the rate
    where it is shown; where it is withheld, the midpoint of the range it could take given the
    published counts (``neet_isolated`` and ``neet`` each exact where shown, 1..4 where ``<5``,
    5 up to the bounds of the row where ``withheld``). A float Series indexed like ``areas``
    (NaN where the area has no NEET young person).

    An area of 6 NEET young people with ``<5`` of them isolated has a rate between 1/6 and 4/6:
    its public rate is 5/12 whatever the true count.
    """
    import pandas as pd

    disclosure = disclosure or protect_areas(areas)
    codes = [str(c) for c in areas.index]
    rate = areas["neet_isolation_rate"].astype(float).tolist()
    # the totals as published: one that is withheld bounds nothing
    totals = {col: (10**9 if col in disclosure.totals_withheld else sum(_whole(v) for v in areas[col].tolist()))
              for col in YOUNG_PEOPLE_COUNTS if col in areas.columns}
    out = []
    for i, code in enumerate(codes):
        if code not in disclosure.derived.get("neet_isolation_rate", ()):
            out.append(rate[i])
            continue
        row = {col: _whole(areas[col].iloc[i]) for col in totals}  # only the shown ones are used
        ranges = row_intervals(disclosure, code, row, totals)
        ni_lo, ni_hi = ranges["neet_isolated"]
        n_lo, n_hi = ranges["neet"]
        n_lo, ni_lo = max(n_lo, ni_lo, 1), max(ni_lo, 0)
        low = ni_lo / max(n_hi, 1)
        high = min(1.0, ni_hi / n_lo)
        out.append((low + high) / 2.0)
    return pd.Series(out, index=areas.index, dtype=float, name="neet_isolation_rate")


#: The seven Gi bins (as GIS users know them from ArcGIS's Hot Spot Analysis): class -> (label,
#: plain meaning).
GI_BINS = {
    3: ("Hot spot, 99% confidence",
        "NEET isolation is high here and in the neighbouring areas; as clustered as this by chance less than 1 time in 100"),
    2: ("Hot spot, 95% confidence",
        "NEET isolation is high here and in the neighbouring areas; as clustered as this by chance less than 1 time in 20"),
    1: ("Hot spot, 90% confidence",
        "NEET isolation is high here and in the neighbouring areas; as clustered as this by chance less than 1 time in 10"),
    0: ("Not significant", "no clustering of high or low NEET isolation that chance would not often give"),
    -1: ("Cold spot, 90% confidence",
         "NEET isolation is low here and in the neighbouring areas; as clustered as this by chance less than 1 time in 10"),
    -2: ("Cold spot, 95% confidence",
         "NEET isolation is low here and in the neighbouring areas; as clustered as this by chance less than 1 time in 20"),
    -3: ("Cold spot, 99% confidence",
         "NEET isolation is low here and in the neighbouring areas; as clustered as this by chance less than 1 time in 100"),
}
#: Colours of the Gi bins on maps (ColorBrewer RdBu, as GIS hot spot maps use).
GI_COLOURS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", 0: "#f7f7f7", -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac"}
#: The pseudo p-value each confidence level needs.
GI_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))


def gi_bin(z: Any, p: Any) -> int | None:
    """The Gi bin (-3..3) of a Gi* z and pseudo p-value, or None when Gi* is undefined.

    >>> [gi_bin(z, p) for z, p in ((2.9, 0.004), (2.0, 0.03), (1.5, 0.07), (1.0, 0.2), (-2.0, 0.02), (None, None))]
    [3, 2, 1, 0, -2, None]
    """
    if z is None or p is None:
        return None
    z, p = float(z), float(p)
    if math.isnan(z) or math.isnan(p):
        return None
    for level, threshold in GI_LEVELS:
        if p < threshold:
            return level if z > 0 else -level
    return 0


#: Why an area with a NEET isolation rate of 0 can be a hot spot (Gi* sums the area with its
#: neighbours): said beside it in the window, the CLI and the area report.
ZERO_RATE_HOT_SPOT = "its neighbours' rates are high"


def hot_spot_reason(bin_: int | None, rate: float | None) -> str:
    """:data:`ZERO_RATE_HOT_SPOT` for a hot spot (Gi bin 1 to 3) whose shown rate is 0, else ''.

    >>> hot_spot_reason(3, 0.0), hot_spot_reason(3, 0.5), hot_spot_reason(0, 0.0), hot_spot_reason(None, 0.0)
    ("its neighbours' rates are high", '', '', '')
    """
    if bin_ is None or bin_ != bin_ or int(bin_) < 1 or rate is None or rate != rate:
        return ""
    return ZERO_RATE_HOT_SPOT if float(rate) == 0 else ""


def gi_label(bin_: int | None, reason: str | None = None) -> str:
    """The words of a Gi bin; for an area without Gi*, 'no Gi*' and why."""
    if bin_ is None:
        return "no Gi*" + (f" ({reason})" if reason else "")
    return GI_BINS[int(bin_)][0]


# --------------------------------------------------------------------------- an organisation's reach

#: Bands of young people reached per area on a reach map: label -> (lowest, highest).
REACH_BANDS = {"<5 young people": (1, 4), "5–9": (5, 9), "10–19": (10, 19), "20 or more": (20, None)}
#: Bands a total of young people reached is shown in when it cannot be shown exactly.
TOTAL_BANDS = ((1, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, 199), (200, 499), (500, 999))
#: The one class of a reach map that shows which areas, not how many.
REACHED = "reached"


def _band_of(n: int, bands: Mapping[str, tuple[int, int | None]]) -> str:
    for label, (lo, hi) in bands.items():
        if n >= lo and (hi is None or n <= hi):
            return label
    raise ValueError(n)


def _total_band(n: int) -> tuple[int, int | None]:
    for lo, hi in TOTAL_BANDS:
        if lo <= n <= hi:
            return lo, hi
    return 1000, None


def _band_text(lo: int, hi: int | None) -> str:
    if (lo, hi) == (1, 4):
        return SMALL
    return f"{lo:,} or more" if hi is None else f"{lo:,}–{hi:,}"


@dataclass(frozen=True)
class ReachView:
    """An organisation's reach as it may be shown (:func:`protect_reach`).

    ``young_people`` and ``areas`` are the texts of the two figures (a number, ``<5``, a band such
    as ``10–19``, or ``withheld``); ``bands`` maps area code -> its class on the reach map (a band
    of :data:`REACH_BANDS`, or :data:`REACHED`), or is None when the map may not shade the areas;
    ``exact`` says whether the number of young people is shown as it is.
    """

    young_people: str
    areas: str
    bands: dict[str, str] | None
    exact: bool


def pinned_counts(total: tuple[int, int | None], boxes: list[tuple[int, int | None]]) -> bool:
    """Whether a reader who knows that counts in ``boxes`` (lowest, highest or None for no
    bound) sum to a total within ``total`` can tell any count of 1..4 exactly (the total
    included). One linear sum over boxes of whole numbers: each count can be any value from
    ``max(lo, T_lo - others' highs)`` to ``min(hi, T_hi - others' lows)``.

    >>> pinned_counts((13, 13), [(1, 4), (5, 9)])   # 13 = 4 + 9: the '<5' area has 4
    True
    >>> pinned_counts((12, 12), [(1, 4), (5, 9)])   # 3 + 9 or 4 + 8
    False
    >>> pinned_counts((1, 4), [(1, None)] * 4)      # '<5' young people in 4 areas: 1 each
    True
    """
    t_lo, t_hi = total
    big = 10**12
    lows = [lo for lo, _ in boxes]
    highs = [big if hi is None else hi for _, hi in boxes]
    t_hi = big if t_hi is None else t_hi
    sum_lo, sum_hi = sum(lows), sum(highs)
    for lo, hi in zip(lows, highs, strict=True):
        can_lo = max(lo, t_lo - (sum_hi - hi))
        can_hi = min(hi, t_hi - (sum_lo - lo))
        if can_lo == can_hi and 1 <= can_lo <= 4:
            return True
    total_lo, total_hi = max(t_lo, sum_lo), min(t_hi, sum_hi)
    return total_lo == total_hi and 1 <= total_lo <= 4


def protect_reach(per_area: Mapping[str, int]) -> ReachView:
    """The reach of an organisation (young people reached per home area) as it may be shown.

    Which view is shown must itself give nothing away, so it is chosen from what the view
    publishes, never from the exact number (a total banded only when it would pin an area would
    tell the reader that it does):

    1. no area has 1..4 of them: the number, the number of areas, each area in its band;
    2. else the number in a band (``<5``, ``5–9``, ``10–19``...), the number of areas (``<5``
       when the number is) and the bands, unless these pin a count of 1..4
       (:func:`pinned_counts`);
    3. else the number in a band and the areas shaded as one class, ``reached``, unless that pins
       one (4 areas reached by ``<5`` young people: 1 each);
    4. else both numbers withheld and no areas shaded.

    12 young people in areas of 3 and 9: an area has '<5', so the number is banded (else
    13 = 4 + 9 would give the '<5' area back, and 12 shown but 13 banded would tell which):

    >>> [protect_reach(c).young_people for c in ({"A": 3, "B": 9}, {"A": 4, "B": 9}, {"A": 6, "B": 9})]
    ['10–19', '10–19', '15']
    """
    counts = {c: int(n) for c, n in per_area.items() if n > 0}
    total, n_areas = sum(counts.values()), len(counts)
    if total == 0:
        return ReachView("0", "0", {}, True)
    bands = {c: _band_of(n, REACH_BANDS) for c, n in counts.items()}
    band_boxes = [REACH_BANDS[bands[c]] for c in counts]
    if all(lo >= 5 for lo, _ in band_boxes):
        return ReachView(str(total), str(n_areas), bands, True)
    banded_total = _total_band(total)
    total_text = _band_text(*banded_total)
    areas_text = SMALL if total <= 4 else str(n_areas)
    if not pinned_counts(banded_total, band_boxes):
        return ReachView(total_text, areas_text, bands, False)
    if not pinned_counts(banded_total, [(1, None)] * n_areas):
        return ReachView(total_text, areas_text, dict.fromkeys(counts, REACHED), False)
    return ReachView(WITHHELD, WITHHELD, None, False)


def reach_figures(young_people_reached: Any, areas_reached: Any) -> tuple[str, str]:
    """An organisation's young people reached and areas reached as a table may show them without
    a map: the number ``<5`` for 1..4, and then the areas ``<5`` too (they are at most the
    number: 4 areas reached by '<5' young people would mean 1 in each, and 4 in all).

    >>> reach_figures(3, 3), reach_figures(12, 4), reach_figures(0, 0)
    (('<5', '<5'), ('12', '4'), ('0', '0'))
    """
    people = suppress(young_people_reached)
    if people == SMALL:
        return SMALL, SMALL
    if areas_reached is None or (isinstance(areas_reached, float) and math.isnan(areas_reached)):
        return people, ""
    return people, str(int(areas_reached))
