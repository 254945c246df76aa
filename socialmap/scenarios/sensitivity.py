"""How much a scenario's result depends on its assumptions (issue 17).

Every assumption that bears on a change list (:mod:`.assumptions`) is set
to the low and the high end of its plausible range, one at a time, and then
all of them together at their low ends and at their high ends. Each such
**case** is an exact expected-value evaluation like the central one.

They are cheap because the changes are applied once: which ties are at
risk, and through which events, does not depend on the values of the
assumptions, only each tie's survival does (:class:`~.impact._Exposure`).
So each case re-weighs the same few affected ties; nothing is rebuilt.

From the cases:

- each area's expected losses get a **range** (least and most over the
  cases; it always contains the central value, which is one of them);
- each area's flag gets its **robustness**: flagged in every case, in none,
  or in some, with the value of the assumption at which it changes
  ("flagged only if retention is below about 0.42"). Each expected loss is
  monotone in each assumption (a higher retention, context survival, travel
  limit or half-distance never loses more), so a flag changes at most once
  along one assumption's range: the crossing is found on a grid of
  :data:`GRID_POINTS` values from low to high and interpolated between the
  two grid values either side of it. For a flag threshold the crossing is
  exact: it is the area's own figure.
- the **tornado**: total expected newly isolated young people at the low
  and the high end of each assumption.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socialmap.scenarios.assumptions import ASSUMPTIONS, FLAG_ASSUMPTIONS
from socialmap.scenarios.changes import Close, Decommission, Relocate, Transfer

#: Values of each assumption evaluated from its low to its high end to place a flag's crossing.
GRID_POINTS = 9
#: Area figures that get a range.
RANGE_COLUMNS = (
    "lost_bonding",
    "lost_bridging",
    "lost_linking",
    "newly_isolated",
    "newly_isolated_neet",
    "bridging_loss_pct",
)
_EPS = 1e-9


def applicable_assumptions(changes: list) -> list[str]:
    """The assumptions that bear on ``changes``, in the order of :data:`ASSUMPTIONS`."""
    has = set(FLAG_ASSUMPTIONS)
    for c in changes:
        if isinstance(c, Transfer):
            has.add("retention")
            if c.staff_half_km is not None:
                has.add("staff_half_km")
        elif isinstance(c, Relocate):
            has.add("half_km" if c.travel_model == "decay" else "max_travel_km")
        elif isinstance(c, (Decommission, Close)):
            has.add("context_survival")
    return [name for name in ASSUMPTIONS if name in has]


def central_values(changes: list, context_survival: float, thresholds) -> dict[str, float | None]:
    """Each assumption's value in the central result; None when the changes give different ones."""

    def one(values: list[float]) -> float | None:
        return values[0] if values and all(v == values[0] for v in values) else None

    transfers = [c for c in changes if isinstance(c, Transfer)]
    moves = [c for c in changes if isinstance(c, Relocate)]
    return {
        "retention": one([c.retention for c in transfers]),
        "context_survival": context_survival,
        "max_travel_km": one([c.max_travel_km for c in moves if c.travel_model == "cliff"]),
        "half_km": one([c.half_km for c in moves if c.travel_model == "decay"]),
        "staff_half_km": one([c.staff_half_km for c in transfers if c.staff_half_km is not None]),
        "flag_newly_isolated_neet": thresholds.newly_isolated_neet,
        "flag_bridging_loss_pct": thresholds.bridging_loss_pct,
        "flag_nearest_service_km": thresholds.nearest_service_km,
    }


@dataclass
class SensitivityCase:
    """One setting of the assumptions and its totals."""

    name: str  # "central", "retention low", "all low"
    assumption: str | None  # the one varied; None for central, all low, all high
    setting: str  # "central", "low" or "high"
    values: dict[str, float]  # the varied assumptions' values
    newly_isolated: float = 0.0
    newly_isolated_neet: float = 0.0
    lost_bridging: float = 0.0
    lost_linking: float = 0.0
    lost_bonding: float = 0.0
    flagged_areas: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "assumption": self.assumption,
            "setting": self.setting,
            "values": dict(self.values),
            "newly_isolated": round(self.newly_isolated, 6),
            "newly_isolated_neet": round(self.newly_isolated_neet, 6),
            "lost_bridging": round(self.lost_bridging, 6),
            "lost_linking": round(self.lost_linking, 6),
            "lost_bonding": round(self.lost_bonding, 6),
            "flagged_areas": self.flagged_areas,
        }


@dataclass
class Sensitivity:
    """The cases of one scenario and what they say about each area.

    ``ranges``: DataFrame by area code with ``<figure>_low`` and
    ``<figure>_high`` for each of :data:`RANGE_COLUMNS`; ``flag_cases``:
    per area ``"all"``, ``"some"`` or ``"none"`` of the cases flag it;
    ``robustness``: the same in words, with the crossing values.
    """

    assumptions: list[str]
    central: dict[str, float | None]
    cases: list[SensitivityCase]
    ranges: pd.DataFrame
    flag_cases: pd.Series
    robustness: pd.Series
    summary_ranges: dict[str, list[float]] = field(default_factory=dict)

    def tornado(self) -> list[tuple[str, float, float]]:
        """``(assumption, total newly isolated at low, at high)`` for each assumption that moves
        expected losses, widest swing first (the flag thresholds move no expected value)."""
        out = []
        for name in self.assumptions:
            if name in FLAG_ASSUMPTIONS:
                continue
            by = {c.setting: c.newly_isolated for c in self.cases if c.assumption == name}
            if "low" in by and "high" in by:
                out.append((name, by["low"], by["high"]))
        return sorted(out, key=lambda t: -abs(t[2] - t[1]))

    def area_json(self, code: str) -> dict[str, Any]:
        r = self.ranges.loc[code]
        return {
            "ranges": {
                c: [round(float(r[f"{c}_low"]), 6), round(float(r[f"{c}_high"]), 6)]
                for c in RANGE_COLUMNS
            },
            "flag_cases": str(self.flag_cases[code]),
            "robustness": str(self.robustness[code]),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "assumptions": {
                name: {
                    "label": ASSUMPTIONS[name].label,
                    "central": self.central.get(name),
                    "low": ASSUMPTIONS[name].low,
                    "high": ASSUMPTIONS[name].high,
                    "default": ASSUMPTIONS[name].default,
                    "unit": ASSUMPTIONS[name].unit,
                    "source": ASSUMPTIONS[name].source,
                }
                for name in self.assumptions
            },
            "cases": [c.to_json() for c in self.cases],
        }


def _number(name: str, value: float) -> str:
    """A crossing value as read: 0.42, 2.35 km, 12.5%."""
    unit = ASSUMPTIONS[name].unit
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text + ("%" if unit == "%" else f" {unit}" if unit else "")


def compute_sensitivity(
    exposure,
    central,
    thresholds,
    changes: list,
    area_bridging: np.ndarray,
    before_km: np.ndarray,
    after_km: np.ndarray,
    area_codes: list[str],
    central_impact=None,
) -> Sensitivity:
    """Every case of :func:`applicable_assumptions` on an applied change list (see the module doc).

    ``exposure`` is the :class:`~.impact._Exposure` of the applied changes,
    ``central`` their :class:`~.impact.Assumptions` and ``thresholds`` the
    central :class:`~.impact.FlagThresholds`; ``after_km`` the nearest
    service after the changes (which no assumption moves).
    """
    from socialmap.scenarios.impact import _flag_masks, _loss_pct

    names = applicable_assumptions(changes)
    centre = central_values(changes, central.context_survival, thresholds)
    threshold_field = {
        "flag_newly_isolated_neet": "newly_isolated_neet",
        "flag_bridging_loss_pct": "bridging_loss_pct",
        "flag_nearest_service_km": "nearest_service_km",
    }

    def with_values(values: dict[str, float]):
        a = dataclasses.replace(
            central, **{k: v for k, v in values.items() if k not in FLAG_ASSUMPTIONS}
        )
        th = dataclasses.replace(
            thresholds, **{threshold_field[k]: v for k, v in values.items() if k in FLAG_ASSUMPTIONS}
        )
        return a, th

    cache: dict[tuple, Any] = {}
    fields = [f.name for f in dataclasses.fields(central)]

    def impact_at(a):
        key = tuple(getattr(a, f) for f in fields)
        if key not in cache:
            cache[key] = exposure.impact(a, count_affected=False)
        return cache[key]

    if central_impact is not None:
        cache[tuple(getattr(central, f) for f in fields)] = central_impact
    near_by_threshold: dict[float, np.ndarray] = {}

    def figures(impact) -> dict[str, np.ndarray]:
        pct = _loss_pct(impact.lost_bridging, area_bridging)
        return {
            "lost_bonding": impact.lost_bonding,
            "lost_bridging": impact.lost_bridging,
            "lost_linking": impact.lost_linking,
            "newly_isolated": impact.newly_isolated,
            "newly_isolated_neet": impact.newly_isolated_neet,
            "bridging_loss_pct": pct,
        }

    def flagged(fig: dict[str, np.ndarray], th) -> np.ndarray:
        iso = fig["newly_isolated_neet"] >= th.newly_isolated_neet - _EPS
        bri = fig["bridging_loss_pct"] >= th.bridging_loss_pct - _EPS
        near = near_by_threshold.get(th.nearest_service_km)
        if near is None:  # no assumption moves the sites: one mask per distance threshold
            zero = np.zeros(len(area_codes))
            near = _flag_masks(th, zero, zero, before_km, after_km)[2]
            near_by_threshold[th.nearest_service_km] = near
        return iso | bri | near

    specs: list[tuple[str, str | None, str, dict[str, float]]] = [("central", None, "central", {})]
    for n in names:
        specs.append((f"{n} low", n, "low", {n: ASSUMPTIONS[n].low}))
        specs.append((f"{n} high", n, "high", {n: ASSUMPTIONS[n].high}))
    specs.append(("all low", None, "low", {n: ASSUMPTIONS[n].low for n in names}))
    specs.append(("all high", None, "high", {n: ASSUMPTIONS[n].high for n in names}))

    cases: list[SensitivityCase] = []
    flags: list[np.ndarray] = []
    lows: dict[str, np.ndarray] = {}
    highs: dict[str, np.ndarray] = {}
    case_flags: dict[str, np.ndarray] = {}
    for name, assumption, setting, values in specs:
        a, th = with_values(values)
        fig = figures(impact_at(a))
        f = flagged(fig, th)
        flags.append(f)
        case_flags[name] = f
        for c in RANGE_COLUMNS:
            lows[c] = fig[c] if c not in lows else np.minimum(lows[c], fig[c])
            highs[c] = fig[c] if c not in highs else np.maximum(highs[c], fig[c])
        cases.append(
            SensitivityCase(
                name,
                assumption,
                setting,
                dict(values),
                float(fig["newly_isolated"].sum()),
                float(fig["newly_isolated_neet"].sum()),
                float(fig["lost_bridging"].sum()),
                float(fig["lost_linking"].sum()),
                float(fig["lost_bonding"].sum()),
                int(f.sum()),
            )
        )
    stack = np.vstack(flags) if flags else np.zeros((0, len(area_codes)), dtype=bool)
    every, some = stack.all(axis=0), stack.any(axis=0)
    central_flag = stack[0]
    central_fig = figures(impact_at(central))

    # where each flag changes along each assumption, for the areas whose flag does
    crossing: dict[str, np.ndarray] = {}
    for n in names:
        differs = (case_flags[f"{n} low"] != central_flag) | (case_flags[f"{n} high"] != central_flag)
        if not differs.any():
            continue
        if n in FLAG_ASSUMPTIONS:
            # exact: the flag for this reason holds while the threshold stays at or below
            # the area's figure (above it for the nearest-service distance)
            crossing[n] = (
                after_km if n == "flag_nearest_service_km" else central_fig[threshold_field[n]]
            )
            continue
        lo, hi = ASSUMPTIONS[n].low, ASSUMPTIONS[n].high
        grid = sorted(set(np.linspace(lo, hi, GRID_POINTS).tolist()) | (
            {centre[n]} if centre.get(n) is not None else set()))
        margins = []
        for x in grid:
            fig = figures(impact_at(with_values({n: x})[0]))
            margins.append(_margin(fig, thresholds))
        margins_arr = np.vstack(margins)  # (points, areas): >= 0 where flagged for these reasons
        crossing[n] = _interpolate(np.array(grid), margins_arr)

    robustness = np.where(every, "flagged in every case", "not flagged in any case").astype(object)
    for i in np.nonzero(some & ~every)[0]:
        robustness[i] = _robustness(i, names, case_flags, central_flag[i], crossing)
    index = pd.Index(area_codes, name="code")
    columns = [f"{c}_{end}" for c in RANGE_COLUMNS for end in ("low", "high")]
    ranges = pd.DataFrame(
        np.column_stack([(lows if end == "low" else highs)[c] for c in RANGE_COLUMNS for end in ("low", "high")])
        if len(area_codes)
        else np.zeros((0, len(columns))),
        index=index,
        columns=columns,
    )
    flag_cases = pd.Series(
        np.where(every, "all", np.where(some, "some", "none")), index=index, name="flag_cases"
    )
    totals = ("newly_isolated", "newly_isolated_neet", "lost_bridging", "lost_linking", "lost_bonding")
    summary_ranges = {
        t: [min(getattr(c, t) for c in cases), max(getattr(c, t) for c in cases)] for t in totals
    }
    summary_ranges["flagged_areas"] = [
        min(c.flagged_areas for c in cases),
        max(c.flagged_areas for c in cases),
    ]
    return Sensitivity(
        names,
        {n: centre.get(n) for n in names},
        cases,
        ranges,
        flag_cases,
        pd.Series(robustness.tolist(), index=index, name="robustness", dtype=object),
        summary_ranges,
    )


def _margin(fig: dict[str, np.ndarray], th) -> np.ndarray:
    """How far each area is past the flags the assumptions move (>= 0: flagged for them).

    The larger of the NEET isolation and the bridging-loss figures, each as a
    fraction of its threshold, less one; a zero threshold is always passed.
    """

    def past(value: np.ndarray, threshold: float) -> np.ndarray:
        if threshold <= 0:
            return np.full(len(value), np.inf)
        return value / threshold - 1.0

    return np.maximum(
        past(fig["newly_isolated_neet"], th.newly_isolated_neet),
        past(fig["bridging_loss_pct"], th.bridging_loss_pct),
    )


def _interpolate(grid: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """Per area, the value of the assumption where its margin crosses zero (NaN when it does not).

    The margin falls as the assumption rises (monotone); between the last
    grid value still flagged and the first not, the crossing is placed by
    linear interpolation of the margin.
    """
    out = np.full(margins.shape[1], np.nan)
    flagged = margins >= -_EPS
    for i in np.nonzero(flagged.any(axis=0) & ~flagged.all(axis=0))[0]:
        col, ok = margins[:, i], flagged[:, i]
        k = int(np.nonzero(ok)[0].max())  # last grid value flagged
        if k + 1 >= len(grid):
            continue
        m0, m1 = col[k], col[k + 1]
        t = 0.0 if not math.isfinite(m0 - m1) or m0 == m1 else m0 / (m0 - m1)
        out[i] = grid[k] + (grid[k + 1] - grid[k]) * min(max(t, 0.0), 1.0)
    return out


def _robustness(
    i: int,
    names: list[str],
    case_flags: dict[str, np.ndarray],
    central: bool,
    crossing: dict[str, np.ndarray],
) -> str:
    """In words, when the flag of an area flagged in some cases but not all holds."""
    parts = []
    for n in names:
        lo_f, hi_f = bool(case_flags[f"{n} low"][i]), bool(case_flags[f"{n} high"][i])
        if central and not hi_f:  # unflagged towards the high end
            parts.append(_part(n, crossing, i, above=True))
        elif not central and lo_f:  # flagged towards the low end
            parts.append(_part(n, crossing, i, above=False))
    if central:
        if parts:
            return "flagged unless " + " or ".join(parts)
        return "flagged unless every assumption is at the high end of its range"
    if parts:
        return "flagged only if " + " or ".join(parts)
    return "flagged only if every assumption is at the low end of its range"


def _part(n: str, crossing: dict[str, np.ndarray], i: int, above: bool) -> str:
    a = ASSUMPTIONS[n]
    value = crossing.get(n, np.full(i + 1, np.nan))[i]
    if value is None or not math.isfinite(value):
        setting = a.high if above else a.low
        return f"{a.short} is at its {'high' if above else 'low'} end ({_number(n, setting)})"
    if n in FLAG_ASSUMPTIONS:
        if n == "flag_nearest_service_km":  # flagged while threshold < distance after
            return f"{a.short} is {_number(n, value)} or more" if above else (
                f"{a.short} is below {_number(n, value)}")
        return f"{a.short} is above {_number(n, value)}" if above else (
            f"{a.short} is {_number(n, value)} or lower")
    word = "above" if above else "below"
    return f"{a.short} is {word} about {_number(n, value)}"


#: Rows of each ranking whose order is checked across the range.
TOP = 10


@dataclass
class TopTenStability:
    """Whether the top ten services and organisations of the criticality ranking keep their order.

    A ranking's candidates are single decommissionings and closures, so of
    the assumptions only context survival bears on them (no transfer, no
    relocation; the flag thresholds move the flagged-area counts, not the
    order). The ranking is made again at its low and high end.
    ``orders[table][setting]`` are the top ids at ``low``, ``central`` and
    ``high``.
    """

    low: float
    central: float
    high: float
    orders: dict[str, dict[str, list[str]]]

    def same_order(self, table: str) -> bool:
        o = self.orders[table]
        return o["low"] == o["central"] == o["high"]

    def describe(self, table: str, brief: bool = False) -> str:
        """One sentence: "Top ten services: the same order for context survival 0.35 to 0.65."
        When the order changes it lists the orders, unless ``brief``."""
        word = {"services": "services", "organisations": "organisations"}[table]
        n = len(self.orders[table]["central"])
        head = f"Top {'ten' if n == TOP else n} {word}"
        span = f"context survival {self.low:g} to {self.high:g}"
        if self.same_order(table):
            return f"{head}: the same order for {span}."
        if brief:
            return f"{head} change order across {span}."
        o = self.orders[table]
        changed = [f"at {v:g}: {', '.join(o[k])}" for k, v in (("low", self.low), ("high", self.high))
                   if o[k] != o["central"]]
        return f"{head} change order across {span} (central {self.central:g}: {', '.join(o['central'])}; " + (
            "; ".join(changed) + ")."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "assumption": "context_survival",
            "low": self.low,
            "central": self.central,
            "high": self.high,
            **{
                table: {"same_order": self.same_order(table), **self.orders[table]}
                for table in ("services", "organisations")
            },
        }
