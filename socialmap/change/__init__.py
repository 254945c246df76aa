"""Change over time: what a network looked like before and after, and what a scenario
predicted against what happened (issue 18; ``docs/change-over-time.md``).

Pure Python (no Qt). :mod:`~socialmap.change.compare` compares two projects area by
area; :mod:`~socialmap.change.sides` reads ``FILE``, ``FILE@DATE``, ``FILE#SNAPSHOT``;
:mod:`~socialmap.change.observed` sets a saved scenario's expected losses beside the
observed ones and estimates retention and context survival from what happened.
"""

from socialmap.change.compare import (
    CHANGE_MEASURES,
    COMPARED_MEASURES,
    ChangeResult,
    compare_projects,
)
from socialmap.change.observed import PredictionCheck, predicted_against_observed
from socialmap.change.sides import Side, open_side, parse_side

__all__ = [
    "CHANGE_MEASURES",
    "COMPARED_MEASURES",
    "ChangeResult",
    "PredictionCheck",
    "Side",
    "compare_projects",
    "open_side",
    "parse_side",
    "predicted_against_observed",
]
