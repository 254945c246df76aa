"""``analyse``, ``hotspots`` and ``anchors`` (SPEC section 9).

``--json`` prints the exact document of SPEC section 9 (counts exact).
Without it a readable table is printed in which every count of young people
between 1 and 4 is shown as ``<5`` (SPEC section 8) and no young person's id
or label appears.
"""

from __future__ import annotations

import math
from typing import Any

from socialmap.commands.common import (
    as_of_date,
    as_of_note,
    open_project_as_of,
    plain,
    print_json,
    print_table,
    suppress,
)


def _number(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{float(value):.{digits}f}"
    # a small negative value rounds to "-0.00": show it as 0
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _count(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return suppress(int(value))


WITHHELD = "withheld"


def _rate(rate: Any, numerator: Any) -> str:
    """A rate for a table, withheld where the count of young people it is made of is shown
    as ``<5`` (else rate and denominator give the count back), as in the exports."""
    return WITHHELD if _count(numerator) == "<5" else _number(rate)


def cmd_analyse(args) -> int:
    from socialmap.analysis import analyse

    on = as_of_date(args)
    project = open_project_as_of(args.project, on)
    result = analyse(project, args.group_by)
    if args.json:
        print_json(result.to_json())
        return 0
    s = result.summary
    print(
        f"{plain(args.project)}{as_of_note(project, on)}: {s['areas']} area{'' if s['areas'] == 1 else 's'}, {_count(s['young_people'])} young people "
        f"({_count(s['neet'])} NEET), {s['adults']} adults; bonding/bridging by {plain(s['group_by'])}"
    )
    print(
        f"isolated young people: {_count(s['isolated'])} (NEET: {_count(s['neet_isolated'])}); "
        f"mean bridging ties {_number(s['mean_bridging'])}, mean linking ties {_number(s['mean_linking'])}"
    )
    ties = s["ties_by_class"]
    print("ties: " + ", ".join(f"{k} {v}" for k, v in ties.items()))
    print()
    headers = [
        "area", "name", "young people", "NEET", "isolated", "NEET isolated", "NEET isolation rate",
        "mean bridging", "mean linking", "E-I index", "EET connectedness", "services",
        "nearest service km", "anchors", "NEET with opportunity", "NEET opportunity share",
    ]
    rows = []
    for code, r in result.areas.iterrows():
        rows.append([
            plain(code),
            plain(project.areas[code].name),
            _count(r["young_people"]),
            _count(r["neet"]),
            _count(r["isolated"]),
            _count(r["neet_isolated"]),
            _rate(r["neet_isolation_rate"], r["neet_isolated"]),
            _number(r["mean_bridging"]),
            _number(r["mean_linking"]),
            _number(r["ei_index"]),
            _number(r["eet_connectedness"]),
            str(int(r["services_in_area"])),
            _number(r["nearest_service_km"]),
            str(int(r["anchors_in_area"])),
            _count(r["neet_with_opportunity"]),
            _rate(r["neet_opportunity_share"], r["neet_with_opportunity"]),
        ])
    print_table(headers, rows)
    print()
    _print_services(project, result.services)
    print()
    print(
        "Counts of 1 to 4 young people are shown as <5, and a rate made of such a count is "
        f"{WITHHELD}, as are a service's exposure and friending bias when its NEET or EET attendees "
        "number 1 to 4. Measures are explained in docs/measures.md."
    )
    return 0


def _print_services(project, services) -> None:
    """The services section: attendance, exposure and friending bias (after Chetty et al. 2022b)."""
    from socialmap.analysis.opportunity import service_figures_withheld

    rows = []
    for sid, r in services.iterrows():
        withheld = service_figures_withheld(int(r["neet_attendees"]), int(r["eet_attendees"]))
        rows.append([
            plain(sid),
            plain(project.nodes[sid].label),
            _count(r["attendees"]),
            _count(r["neet_attendees"]),
            WITHHELD if withheld and not math.isnan(r["exposure"]) else _number(r["exposure"]),
            WITHHELD if withheld and not math.isnan(r["friending_bias"]) else _number(r["friending_bias"]),
            plain(r["reason"] if isinstance(r["reason"], str) else ""),
        ])
    print("Services: exposure of NEET attendees to EET young people, and friending bias")
    print_table(["service", "name", "attendees", "NEET attendees", "exposure", "friending bias", "note"], rows)


def cmd_hotspots(args) -> int:
    from socialmap.analysis import area_isolation, hotspots

    on = as_of_date(args)
    project = open_project_as_of(args.project, on)
    result = hotspots(project)
    if args.json:
        print_json(result.to_json())
        return 0
    neet_isolated = area_isolation(project)["neet_isolated"]
    rows = []
    for code, r in result.areas.iterrows():
        flag = "-" if r["hotspot"] is None else ("HOTSPOT" if r["hotspot"] else "no")
        rows.append([
            plain(code),
            plain(project.areas[code].name),
            _rate(r["neet_isolation_rate"], neet_isolated[code]),
            _number(r["gi_z"]),
            _number(r["gi_p"], 3),
            flag,
            plain(r["reason"] if isinstance(r["reason"], str) else ""),
        ])
    print_table(["area", "name", "NEET isolation rate", "Gi* z", "pseudo p", "hotspot", "note"], rows)
    print()
    n_hot = int(sum(1 for h in result.areas["hotspot"] if h is True))
    print(
        f"{n_hot} hotspot area(s): Getis-Ord Gi* of the NEET isolation rate, {result.weights}; "
        f"{result.permutations} conditional permutations, seed {result.seed}; "
        f"hotspot when z > 0 and pseudo p < {result.alpha:g}; z and p both from the permutations."
    )
    print(
        "A NEET isolation rate of '-' (no NEET young person there) counts as 0 in Gi*; one made of 1 to 4 "
        f"isolated NEET young people is {WITHHELD} here (Gi* uses it)."
    )
    return 0


def cmd_anchors(args) -> int:
    from socialmap.analysis import anchor_presence

    on = as_of_date(args)
    project = open_project_as_of(args.project, on)
    result = anchor_presence(project)
    if args.json:
        print_json(result.to_json())
        return 0
    orgs = result.organisations.sort_values(
        ["is_anchor", "young_people_reached"], ascending=[False, False], kind="stable"
    )

    def with_pct(value: str, pct: Any) -> str:
        # a suppressed count keeps its percentile hidden too: the percentiles of the whole
        # table would otherwise give the suppressed counts back (8 organisations at 0, then
        # p40, p47, p63 and p70 for '<5' read as 1, 2, 3 and 4)
        if value in ("-", "<5"):
            return value
        return f"{value} (p{_number(pct, 0)})"

    rows = []
    for org_id, r in orgs.iterrows():
        rows.append([
            plain(org_id),
            plain(r["label"]),
            "yes" if r["is_anchor"] else "",
            with_pct(_number(r["local_employment_share"]), r["local_employment_share_percentile"]),
            with_pct(_number(r["local_spend_share"]), r["local_spend_share_percentile"]),
            with_pct(_number(r["years_in_area"], 0), r["years_in_area_percentile"]),
            with_pct(_count(r["young_people_reached"]), r["young_people_reached_percentile"]),
            with_pct(str(int(r["areas_reached"])), r["areas_reached_percentile"]),
            with_pct(_count(r["sole_link_young_people"]), r["sole_link_young_people_percentile"]),
        ])
    print_table(
        ["id", "organisation", "anchor", "local employment", "local spend", "years in area",
         "young people reached", "areas reached", "sole-link young people"],
        rows,
    )
    print()
    print(
        "(pNN): percentile among all organisations with a value. Counts of 1 to 4 young people are shown as <5, "
        "without their percentile."
    )
    return 0
