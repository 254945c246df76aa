"""Commissioning scenarios: change types, exact expected impacts per area and
the criticality ranking of every service and organisation (SPEC section 4).

Pure Python (no Qt). See ``docs/scenarios.md`` for the model in plain words.
"""

from socialmap.scenarios.changes import (
    CHANGE_KINDS,
    Change,
    Close,
    Decommission,
    Relocate,
    Scenario,
    Transfer,
    change_from_dict,
    change_to_dict,
    parse_change,
    parse_changes,
    probability,
    probability_or_none,
)
from socialmap.scenarios.distance import projected_sites
from socialmap.scenarios.impact import (
    AREA_COLUMNS,
    RANK_COLUMNS,
    AppliedChanges,
    Cancelled,
    FlagThresholds,
    RankResult,
    ScenarioResult,
    apply_changes,
    evaluate,
    rank,
    scenario_base,
    top_ten_stability,
    validate_changes,
)

__all__ = [
    "AREA_COLUMNS",
    "AppliedChanges",
    "CHANGE_KINDS",
    "Cancelled",
    "Change",
    "Close",
    "Decommission",
    "FlagThresholds",
    "RANK_COLUMNS",
    "RankResult",
    "Relocate",
    "Scenario",
    "ScenarioResult",
    "Transfer",
    "apply_changes",
    "change_from_dict",
    "change_to_dict",
    "evaluate",
    "parse_change",
    "parse_changes",
    "probability",
    "probability_or_none",
    "projected_sites",
    "rank",
    "scenario_base",
    "top_ten_stability",
    "validate_changes",
]
