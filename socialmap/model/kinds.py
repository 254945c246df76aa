"""Vocabulary of the domain model (SPEC section 2): node kinds, tie types and
which kinds each tie type may join."""

from __future__ import annotations

import re

YOUNG_PERSON = "young_person"
ADULT = "adult"
ORGANISATION = "organisation"
SERVICE = "service"

NODE_KINDS = (YOUNG_PERSON, ADULT, ORGANISATION, SERVICE)
PERSON_KINDS = frozenset({YOUNG_PERSON, ADULT})
PLACE_KINDS = frozenset({ORGANISATION, SERVICE})

ORG_TYPES = (
    "anchor",
    "service_provider",
    "social_enterprise",
    "charity",
    "school_college",
    "employer",
    "community_group",
    "public_body",
    "private_provider",
)
SECTORS = ("public", "social", "voluntary", "private")

#: A young person's activity, the four headline states of the DfE's NCCIS reporting
#: (NCCIS management information requirement, Appendix A "Current activity"): in education,
#: employment or training; NEET and available to the labour market or learning; NEET and not
#: available (young carer, teenage parent, illness, pregnancy...); current activity not known.
EET = "eet"
NEET_AVAILABLE = "neet_available"
NEET_NOT_AVAILABLE = "neet_not_available"
NOT_KNOWN = "not_known"
ACTIVITIES = (EET, NEET_AVAILABLE, NEET_NOT_AVAILABLE, NOT_KNOWN)
#: The activities in which a young person is NEET (``neet`` is derived from these).
NEET_ACTIVITIES = frozenset({NEET_AVAILABLE, NEET_NOT_AVAILABLE})
ACTIVITY_TITLES = {
    EET: "In education, employment or training",
    NEET_AVAILABLE: "NEET, available",
    NEET_NOT_AVAILABLE: "NEET, not available",
    NOT_KNOWN: "Not known",
}
_ACTIVITY_WORDS = {
    **{a: a for a in ACTIVITIES},
    "in_education_employment_or_training": EET,
    "neet_and_available": NEET_AVAILABLE,
    "neet_and_not_available": NEET_NOT_AVAILABLE,
    "neet_not_available_": NEET_NOT_AVAILABLE,
    "current_situation_not_known": NOT_KNOWN,
    "unknown": NOT_KNOWN,
    **{re.sub(r"[^a-z0-9]+", "_", t.lower()).strip("_"): a for a, t in ACTIVITY_TITLES.items()},
}


def activity_from_text(text: str) -> str | None:
    """One of :data:`ACTIVITIES` for the way people write it, or ``None`` when it is none of them.

    >>> [activity_from_text(t) for t in ("EET", "NEET, available", "neet not available", "Not known", "?")]
    ['eet', 'neet_available', 'neet_not_available', 'not_known', None]
    """
    return _ACTIVITY_WORDS.get(re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_"))


def neet_of(activity: str | None) -> bool | None:
    """``neet`` as derived from an activity: true for the two NEET states, ``None`` for no activity."""
    return None if activity is None else activity in NEET_ACTIVITIES

INFORMAL_TIE_TYPES = ("family", "friend", "peer", "neighbour")
PROFESSIONAL_TIE_TYPES = ("mentor", "worker")
TIE_TYPES = (
    *INFORMAL_TIE_TYPES,
    *PROFESSIONAL_TIE_TYPES,
    "attends",
    "member",
    "employs",
    "provides",
    "partner",
    "refers",
    "supplies",
)

_PERSON = PERSON_KINDS
_PLACE = PLACE_KINDS

#: For each tie type, the unordered pairs of endpoint kinds it may join.
TIE_ENDPOINTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **{t: (_PERSON, _PERSON) for t in INFORMAL_TIE_TYPES},
    **{t: (_PERSON, _PERSON) for t in PROFESSIONAL_TIE_TYPES},
    "attends": (_PERSON, frozenset({SERVICE})),
    "member": (_PERSON, frozenset({ORGANISATION})),
    "employs": (frozenset({ORGANISATION}), frozenset({ADULT})),
    "provides": (frozenset({ORGANISATION}), frozenset({SERVICE})),
    "partner": (_PLACE, _PLACE),
    "refers": (_PLACE, _PLACE),
    "supplies": (_PLACE, _PLACE),
}


def tie_fits(tie_type: str, kind_a: str, kind_b: str) -> bool:
    """True when a tie of ``tie_type`` may join nodes of ``kind_a`` and ``kind_b`` (either order)."""
    left, right = TIE_ENDPOINTS[tie_type]
    return (kind_a in left and kind_b in right) or (kind_b in left and kind_a in right)


def describe_endpoints(tie_type: str) -> str:
    """Plain words for the kinds a tie type joins, for error messages."""
    left, right = TIE_ENDPOINTS[tie_type]
    return f"{'/'.join(sorted(left))} and {'/'.join(sorted(right))}"


#: Node fields by kind, beyond id, kind and label (and lat/lon for places).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    YOUNG_PERSON: ("area_code", "age", "neet", "activity"),
    ADULT: ("area_code", "role", "in_work"),
    ORGANISATION: (
        "area_code",
        "org_type",
        "sector",
        "is_anchor",
        "employees_total",
        "employees_local",
        "spend_total",
        "spend_local",
        "years_in_area",
    ),
    SERVICE: (
        "area_code",
        "provider",
        "service_type",
        "commissioner",
        "contract_end",
        "annual_value",
        "hours_per_week",
    ),
}
