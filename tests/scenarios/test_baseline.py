"""The incremental evaluation equals a full recomputation over every tie and person."""

from __future__ import annotations

import numpy as np
import pytest

from socialmap.scenarios import Close, Decommission, Relocate, Transfer, evaluate
from socialmap.scenarios.baseline import naive_evaluate

COLUMNS = ("lost_bonding", "lost_bridging", "lost_linking", "newly_isolated", "newly_isolated_neet")


@pytest.mark.parametrize(
    "changes",
    [
        [Decommission("s1")],
        [Close("o1")],
        [Transfer("s1", "o2", 0.3), Close("o1")],
        [Relocate("s2", 53.445, -2.275), Transfer("s2", "o3", 0.6), Decommission("s1")],
    ],
)
def test_naive_full_recomputation_matches_on_the_town(town, changes):
    inc = evaluate(town, changes, context_survival=0.35)
    full = naive_evaluate(town, changes, context_survival=0.35)
    for col in COLUMNS:
        np.testing.assert_allclose(inc.areas[col].to_numpy(), full[col], atol=1e-12, err_msg=col)
    np.testing.assert_allclose(
        inc.areas["nearest_service_km_after"].to_numpy(), full["nearest_service_km_after"]
    )


def test_naive_full_recomputation_matches_on_the_sample(sample_project):
    """Every service's decommissioning and every organisation's closure on the sample project."""
    for node in sample_project.nodes.values():
        if node.kind not in ("service", "organisation"):
            continue
        change = Decommission(node.id) if node.kind == "service" else Close(node.id)
        inc = evaluate(sample_project, [change])
        full = naive_evaluate(sample_project, [change])
        for col in COLUMNS:
            np.testing.assert_allclose(
                inc.areas[col].to_numpy(), full[col], atol=1e-9, err_msg=(node.id, col)
            )
