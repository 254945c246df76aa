"""Plain words for the codes of the vocabulary, for everything a person reads.

Files keep the codes of SPEC section 2 (``social_enterprise``, ``school_college``,
``young_person``, ``area_code``...): they are what the importers, the exports, the
CLI's ``--json`` and other tools read. The window, the map's popups, the CLI's
human tables and the PDF reports show these labels instead ("Social enterprise",
"School or college", "Young person", "Area"). This is the one mapping: the UI and
the reports import it, nothing keeps its own copy.

>>> value_label("org_type", "school_college"), value_label("type", "friend"), value_label("kind", "young_person")
('School or college', 'Friend', 'Young person')
>>> field_label("area_code"), field_label("neet_isolation_rate"), field_label("shoe_size")
('Area', 'NEET isolation rate', 'Shoe size')
>>> value_label("org_type", "something_new")  # not a code of the vocabulary: shown as it is
'something_new'
"""

from __future__ import annotations

from typing import Any

from socialmap.model.kinds import (
    ACTIVITY_TITLES,
    ADULT,
    ORG_TYPES,
    ORGANISATION,
    SECTORS,
    SERVICE,
    TIE_TYPES,
    YOUNG_PERSON,
)

#: A node kind (and the two other records a person selects) as one of them is called.
KIND_LABELS: dict[str, str] = {
    YOUNG_PERSON: "Young person", ADULT: "Adult", ORGANISATION: "Organisation", SERVICE: "Service",
    "area": "Area", "tie": "Tie",
}
#: The same, for many of them ("3 young people", a table's tab).
KIND_PLURALS: dict[str, str] = {
    YOUNG_PERSON: "Young people", ADULT: "Adults", ORGANISATION: "Organisations", SERVICE: "Services",
    "area": "Areas", "tie": "Ties",
}
ORG_TYPE_LABELS: dict[str, str] = {
    "anchor": "Anchor institution",
    "service_provider": "Service provider",
    "social_enterprise": "Social enterprise",
    "charity": "Charity",
    "school_college": "School or college",
    "employer": "Employer",
    "community_group": "Community group",
    "public_body": "Public body",
    "private_provider": "Private provider",
}
SECTOR_LABELS: dict[str, str] = {
    "public": "Public", "social": "Social", "voluntary": "Voluntary", "private": "Private",
}
TIE_TYPE_LABELS: dict[str, str] = {
    "family": "Family", "friend": "Friend", "peer": "Peer", "neighbour": "Neighbour",
    "mentor": "Mentor", "worker": "Worker", "attends": "Attends", "member": "Member",
    "employs": "Employs", "provides": "Provides", "partner": "Partner", "refers": "Refers",
    "supplies": "Supplies",
}
#: Tie classes (socialmap.analysis.ties.TIE_CLASSES).
TIE_CLASS_LABELS: dict[str, str] = {
    "bonding": "Bonding", "bridging": "Bridging", "linking": "Linking", "institutional": "Institutional",
    "unclassified": "Unclassified",
}

#: The coded fields and their values' labels.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "kind": KIND_LABELS,
    "org_type": ORG_TYPE_LABELS,
    "sector": SECTOR_LABELS,
    "type": TIE_TYPE_LABELS,
    "tie_type": TIE_TYPE_LABELS,
    "activity": ACTIVITY_TITLES,
    "tie_class": TIE_CLASS_LABELS,
}

#: Field, column and measure names as headers, form labels and legend titles.
FIELD_LABELS: dict[str, str] = {
    # records (SPEC section 2)
    "id": "Id", "kind": "Kind", "label": "Label", "lat": "Lat", "lon": "Lon", "area_code": "Area", "age": "Age",
    "neet": "NEET", "activity": "Activity", "role": "Role", "in_work": "In work", "org_type": "Type",
    "sector": "Sector", "is_anchor": "Anchor", "employees_total": "Staff", "employees_local": "Local staff",
    "spend_total": "Spend (£)", "spend_local": "Local spend (£)", "years_in_area": "Years in area",
    "provider": "Provider", "service_type": "Service type", "commissioner": "Commissioner",
    "contract_end": "Contract ends", "annual_value": "Annual value (£)", "hours_per_week": "Hours/week",
    "code": "Code", "name": "Name", "imd_decile": "IMD decile", "population_16_24": "Population 16-24",
    "a": "From", "b": "To", "type": "Type", "tie_type": "Tie type", "context": "Context",
    "strength": "Strength", "a_label": "From (label)", "b_label": "To (label)", "since": "Since",
    "until": "Ended (until)", "recorded": "First recorded", "updated": "Last updated", "postcode": "Postcode",
    "tie_class": "Tie class", "opportunity": "Opportunity",
    # area measures (docs/measures.md)
    "young_people": "Young people", "isolated": "Isolated", "neet_isolated": "NEET and isolated",
    "not_known": "Activity not known", "neet_isolation_rate": "NEET isolation rate",
    "mean_bridging": "Mean bridging ties", "mean_linking": "Mean linking ties", "ei_index": "E-I index",
    "eet_connectedness": "EET connectedness", "services_in_area": "Services in area",
    "nearest_service_km": "Nearest service (km)", "anchors_in_area": "Anchor institutions in area",
    "gi_class": "Hotspot class (Gi*)", "hotspot": "Hotspot", "hotspot_note": "Hotspot note",
    "bonding_ties": "Bonding ties", "bridging_ties": "Bridging ties", "linking_ties": "Linking ties",
    "neet_with_opportunity": "NEET with an opportunity within two hops",
    "neet_opportunity_share": "Share of NEET with an opportunity within two hops",
    # person measures
    "degree": "Ties", "bonding": "Bonding ties", "bridging": "Bridging ties", "linking": "Linking ties",
    "areas_reached": "Areas reached", "constraint": "Burt's constraint", "effective_size": "Effective size",
    "service_links": "Service links", "opportunity_ties": "Opportunity ties (within two steps)",
    "hops_to_opportunity": "Steps to an opportunity",
    # group keys
    "community": "Network community (Louvain)",
}
#: The group keys of the bonding/bridging split, as the analysis panel offers them.
GROUP_KEY_LABELS: dict[str, str] = {"area_code": "Home area", "community": "Network community (Louvain)"}


def value_label(field: str, value: Any) -> Any:
    """The label of ``value``, a code of the coded ``field`` (org_type, sector, type, kind,
    activity, tie_class); any other value (a number, free text, an unknown code) unchanged."""
    names = VALUE_LABELS.get(field)
    if names is None or not isinstance(value, str):
        return value
    return names.get(value, value)


def code_of(field: str, text: str) -> str:
    """The code a person meant by ``text`` in a cell of the coded ``field``: the code whose label
    it is (any case), or the text itself (a code typed as a code, or something the checks refuse).

    >>> code_of("kind", "young person"), code_of("kind", "Young person"), code_of("type", "mentor")
    ('young_person', 'young_person', 'mentor')
    """
    names = VALUE_LABELS.get(field, {})
    wanted = text.strip().lower()
    for code, label in names.items():
        if label.lower() == wanted:
            return code
    return text.strip()


def field_label(name: str) -> str:
    """The header of a field or measure: its label, else its name with spaces, capitalised."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def group_key_label(key: str | None) -> str:
    """A group key in words: 'Home area' for area_code, an imported attribute by its name."""
    if key is None or key == "area_code":
        return GROUP_KEY_LABELS["area_code"]
    return GROUP_KEY_LABELS.get(key, f"imported attribute '{key}'")


def choices(field: str, codes) -> list[tuple[str, str]]:
    """(label, code) pairs for a picker of ``field``'s codes: the label shown, the code kept."""
    return [(str(value_label(field, c)), c) for c in codes]


def org_type_choices() -> list[tuple[str, str]]:
    return choices("org_type", ORG_TYPES)


def sector_choices() -> list[tuple[str, str]]:
    return choices("sector", SECTORS)


def tie_type_choices(types=TIE_TYPES) -> list[tuple[str, str]]:
    return choices("type", types)
