"""Predicted against observed: a saved scenario's expected losses beside what happened.

Given the network before a change (``before``, as measured on a date or in a snapshot),
the network after it, and the scenario that was run before the change, per area:

- ``predicted_lost_<class>`` (bonding, bridging, linking) and ``predicted_newly_isolated``:
  the scenario's exact expected values on ``before`` (SPEC section 4);
- ``observed_lost_<class>`` and ``observed_newly_isolated``: what the comparison found
  (:func:`socialmap.change.compare.compare_projects`): every tie in force before and not
  after, whatever ended it;
- ``ratio_<...>``: observed / predicted (null where nothing was predicted).

A ratio near 1 says the scenario's assumptions matched this service's history; far from 1
they did not (or other things happened too: the observed losses are all losses).

Calibration, from the cases the scenario put at risk:

- **retention**: of the staff a transfer moved (the service's staff by the rule of SPEC
  section 4, with at least one ``worker``/``mentor`` tie before), the share who kept at
  least one of those ties after: the maximum-likelihood estimate of ``R`` under the
  scenario model (each stays independently with probability ``R``);
- **context survival**: of the ties whose context was removed (decommissioned or closed)
  and that nothing else put at risk (no end removed, no end a member of staff the change
  affected), the share still in force after: the estimate of ``S``.

Each estimate comes with ``cases``, the number of people or ties it rests on (a binomial
proportion from 4 cases is little evidence; the standard error ``sqrt(p(1-p)/n)`` is
given too), and the value the scenario assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socialmap.change.compare import ChangeResult, compare_projects
from socialmap.model import Project
from socialmap.model.project import tie_key
from socialmap.scenarios import Scenario, Transfer, apply_changes, evaluate, scenario_base

LOSS_MEASURES = ("lost_bonding", "lost_bridging", "lost_linking", "newly_isolated")


@dataclass
class PredictionCheck:
    """Per area ``areas`` (predicted, observed, ratio of each loss), totals and the calibration."""

    scenario: Scenario
    areas: pd.DataFrame
    summary: dict[str, Any]
    calibration: dict[str, dict[str, Any]]
    change: ChangeResult

    def to_json(self) -> dict[str, Any]:
        areas = {}
        for code, row in self.areas.iterrows():
            areas[str(code)] = {k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 6))
                                for k, v in row.items()}
        return {"scenario": self.scenario.to_dict(), "areas": areas, "summary": self.summary,
                "calibration": self.calibration}


def _ratio(observed: float, predicted: float) -> float:
    return observed / predicted if predicted > 1e-9 else float("nan")


def _estimate(successes: int, cases: int, assumed: float | None) -> dict[str, Any]:
    p = successes / cases if cases else None
    return {
        "estimate": None if p is None else round(p, 6),
        "cases": cases,
        "successes": successes,
        "standard_error": None if p is None else round(math.sqrt(p * (1 - p) / cases), 6),
        "assumed": assumed,
    }


def calibrate(before: Project, after: Project, scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Retention and context survival estimated from what happened (module docstring)."""
    base = scenario_base(before)
    state = apply_changes(before, scenario.changes)
    ids = base.ids
    in_after = after.ties
    moved = [p for p, keep in state.keep.items() if 0.0 < keep < 1.0]
    stayed = cases = 0
    for p in moved:
        lo, hi = base.prof_ptr[p], base.prof_ptr[p + 1]
        ties = base.prof_ties[lo:hi]
        if len(ties) == 0:
            continue
        cases += 1
        if any(tie_key(str(ids[base.tie_a[t]]), str(ids[base.tie_b[t]])) in in_after for t in ties.tolist()):
            stayed += 1
    transfers = [c for c in scenario.changes if isinstance(c, Transfer)]
    assumed_r = transfers[0].retention if len(transfers) == 1 else None
    removed = np.zeros(len(ids), dtype=bool)
    if state.removed:
        removed[list(state.removed)] = True
    at_staff = np.zeros(len(ids), dtype=bool)
    if state.keep:
        at_staff[list(state.keep)] = True
    ctx = base.tie_context
    candidates = np.nonzero((ctx >= 0) & removed[np.maximum(ctx, 0)])[0]
    survived = ctx_cases = 0
    for t in candidates.tolist():
        a, b = int(base.tie_a[t]), int(base.tie_b[t])
        if removed[a] or removed[b]:
            continue
        if at_staff[a] or at_staff[b]:  # a staff member's ties hang on what happened to their job
            continue
        ctx_cases += 1
        if tie_key(str(ids[a]), str(ids[b])) in in_after:
            survived += 1
    return {
        "retention": _estimate(stayed, cases, assumed_r),
        "context_survival": _estimate(survived, ctx_cases, scenario.context_survival),
    }


def predicted_against_observed(before: Project, after: Project, scenario: Scenario,
                               change: ChangeResult | None = None) -> PredictionCheck:
    """The scenario's expected losses on ``before`` beside the losses from ``before`` to ``after``.

    ``change`` is the comparison of the two when it is already made.
    """
    predicted = evaluate(before, scenario.changes, scenario.context_survival)
    change = change or compare_projects(before, after)
    codes = list(change.areas.index)
    frame = pd.DataFrame(index=pd.Index(codes, name="code", dtype=object))
    totals: dict[str, Any] = {}
    for m in LOSS_MEASURES:
        p = predicted.areas[m].reindex(codes).fillna(0.0).astype(np.float64)
        o = change.areas[m].reindex(codes).fillna(0).astype(np.float64)
        frame[f"predicted_{m}"] = p.to_numpy()
        frame[f"observed_{m}"] = o.to_numpy()
        frame[f"ratio_{m}"] = [_ratio(x, y) for x, y in zip(o.to_numpy(), p.to_numpy(), strict=True)]
        tp, to = float(p.sum()), float(o.sum())
        totals[f"predicted_{m}"] = round(tp, 6)
        totals[f"observed_{m}"] = round(to, 6)
        r = _ratio(to, tp)
        totals[f"ratio_{m}"] = None if math.isnan(r) else round(r, 6)
    return PredictionCheck(scenario, frame, totals, calibrate(before, after, scenario), change)
