"""The naive baseline: a full re-analysis per scenario.

What the incremental evaluation (:func:`socialmap.scenarios.evaluate`) is
measured against in ``docs/performance.md``, and a cross-check of it in the
tests: for each scenario, start from a fresh copy of the project (no cached
arrays, tie classes, indexes or projections), rebuild all of them, and
compute every tie's survival and every young person's chance of isolation,
not only those the changes touch. Same model, same numbers, no reuse.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from socialmap.analysis.ties import BONDING, BRIDGING, LINKING
from socialmap.model import Project
from socialmap.scenarios.changes import Change, Close, Decommission, probability
from socialmap.scenarios.impact import Assumptions, _Applier, _build_base, _nearest_after


def naive_evaluate(
    project: Project, changes: Sequence[Change], context_survival: float | None = None
) -> dict[str, np.ndarray]:
    """Expected area impacts by full recomputation on a fresh copy of ``project``.

    Returns arrays per area (``project.areas`` order): ``lost_bonding``,
    ``lost_bridging``, ``lost_linking``, ``newly_isolated``,
    ``newly_isolated_neet``, ``nearest_service_km_after``.
    """
    s = probability(
        project.setting("context_survival") if context_survival is None else context_survival,
        "context_survival",
    )
    fresh = project.copy()  # nothing cached: everything below is rebuilt
    base = _build_base(fresh)
    state = _Applier(base, changes).run()
    m = len(base.tie_a)
    surv = np.ones(m)
    removed = np.zeros(len(base.kind), dtype=bool)
    removed[list(state.removed)] = True
    surv[removed[base.tie_a] | removed[base.tie_b]] = 0.0
    ctx = base.tie_context
    surv[(ctx >= 0) & removed[np.maximum(ctx, 0)]] *= s
    assumptions = Assumptions(s)
    keep = np.ones(len(base.kind))
    for person, k in state.keep_probabilities(assumptions).items():
        keep[person] = k
    prof = base.tie_professional
    surv[prof] *= keep[base.tie_a[prof]] * keep[base.tie_b[prof]]
    for event in state.relocations:
        surv[event.ties] *= event.survival(assumptions)
    loss = 1.0 - surv
    n_areas = base.n_areas
    out = {}
    person = np.concatenate([base.tie_a, base.tie_b])
    lost = np.concatenate([loss, loss])
    klass = np.concatenate([base.tie_class, base.tie_class])
    yp = base.yp[person]
    for name, code in (
        ("lost_bonding", BONDING),
        ("lost_bridging", BRIDGING),
        ("lost_linking", LINKING),
    ):
        sel = yp & (klass == code)
        out[name] = np.bincount(base.area[person[sel]], weights=lost[sel], minlength=n_areas)
    bl = yp & ((klass == BRIDGING) | (klass == LINKING))
    all_lost = np.ones(len(base.kind))
    np.multiply.at(all_lost, person[bl], lost[bl])
    candidates = base.yp & (base.bl_count > 0)
    newly = np.where(candidates, all_lost, 0.0)
    people = np.nonzero(candidates)[0]
    out["newly_isolated"] = np.bincount(base.area[people], weights=newly[people], minlength=n_areas)
    out["newly_isolated_neet"] = np.bincount(
        base.area[people], weights=(newly * base.neet)[people], minlength=n_areas
    )
    out["nearest_service_km_after"] = _nearest_after(base, state)
    return out


def compare_with_naive(project: Project, rank_samples: int = 5) -> dict[str, Any]:
    """Seconds of the incremental scenario and ranking against the naive baseline.

    The scenario is the decommissioning of the best-connected service (as in
    ``socialmap bench``). The naive ranking is ``rank_samples`` naive
    evaluations timed and scaled to the number of candidates (every service
    and organisation); running all of them would take minutes at city scale.
    """
    from socialmap.scenarios.impact import evaluate, rank, scenario_base

    services = [n.id for n in project.nodes.values() if n.kind == "service"]
    orgs = [n.id for n in project.nodes.values() if n.kind == "organisation"]
    best = max(services, key=project.degree)
    from socialmap.analysis import graph_arrays
    from socialmap.analysis.geography import geography

    # start cold, as after an edit: the analysis's shared views (graph arrays,
    # projected geography) are rebuilt and timed apart; the scenario's own
    # index (CSR, per-person counts, nearest services) is in the cold time
    project.touch()
    t0 = time.perf_counter()
    graph_arrays(project)
    geography(project)
    shared_views = time.perf_counter() - t0
    t0 = time.perf_counter()
    evaluate(project, [Decommission(best)])
    scenario_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    evaluate(project, [Decommission(best)])
    scenario_warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive_evaluate(project, [Decommission(best)])
    naive_scenario = time.perf_counter() - t0
    scenario_base(project)
    t0 = time.perf_counter()
    rank(project)
    rank_seconds = time.perf_counter() - t0
    sample = [Decommission(s) for s in services[:rank_samples]] + [
        Close(o) for o in orgs[:rank_samples]
    ]
    t0 = time.perf_counter()
    for change in sample:
        naive_evaluate(project, [change])
    per_candidate = (time.perf_counter() - t0) / max(len(sample), 1)
    naive_rank = per_candidate * (len(services) + len(orgs))
    return {
        "shared_views_s": shared_views,
        "scenario_cold_s": scenario_cold,
        "scenario_warm_s": scenario_warm,
        "naive_scenario_s": naive_scenario,
        "scenario_ratio": naive_scenario / scenario_cold,
        "rank_s": rank_seconds,
        "rank_candidates": len(services) + len(orgs),
        "naive_rank_s_estimated": naive_rank,
        "rank_ratio": naive_rank / rank_seconds,
    }
