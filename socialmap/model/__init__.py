"""The domain model: areas, nodes, ties, settings (pure Python, no Qt)."""

from socialmap.model.kinds import (
    ADULT,
    NODE_KINDS,
    ORGANISATION,
    SERVICE,
    TIE_TYPES,
    YOUNG_PERSON,
)
from socialmap.model.project import (
    DEFAULT_SETTINGS,
    NODE_FIELDS,
    Area,
    Node,
    Project,
    Tie,
    tie_key,
)

__all__ = [
    "ADULT",
    "NODE_FIELDS",
    "NODE_KINDS",
    "ORGANISATION",
    "SERVICE",
    "TIE_TYPES",
    "YOUNG_PERSON",
    "DEFAULT_SETTINGS",
    "Area",
    "Node",
    "Project",
    "Tie",
    "tie_key",
]
