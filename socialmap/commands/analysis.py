"""``analyse``, ``hotspots`` and ``anchors`` (SPEC section 9).

``--json`` prints the exact document of SPEC section 9 (counts exact).
Without it a readable table is printed that follows the disclosure rules of
:mod:`socialmap.disclosure` (counts of 1 to 4 young people as ``<5``, the cells
and figures that would give them back ``withheld``, hotspots as Gi bins of
Gi* on public rates) and in which no young person's id or label appears.
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
from socialmap.disclosure import WITHHELD, reach_figures


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


def _cell(disclosure, code: str, column: str, shown: str) -> str:
    """``shown``, or ``<5`` / ``withheld`` where the disclosure rules keep the cell back."""
    return disclosure.status(str(code), column) or shown


def cmd_analyse(args) -> int:
    from socialmap.analysis import analyse
    from socialmap.disclosure import protect_areas, public_totals
    from socialmap.model.labels import group_key_label

    on = as_of_date(args)
    project = open_project_as_of(args.project, on)
    result = analyse(project, args.group_by)
    if args.json:
        print_json(result.to_json())
        return 0
    s = result.summary
    disclosure = protect_areas(result.areas)
    totals = public_totals(result.areas, disclosure)
    print(
        f"{plain(args.project)}{as_of_note(project, on)}: {s['areas']} area{'' if s['areas'] == 1 else 's'}, {totals['young_people']} young people "
        f"({totals['neet']} NEET, {totals.get('not_known', 0)} activity not known), {s['adults']} adults; bonding/bridging by {plain(group_key_label(s['group_by']).lower())}"
    )
    print(
        f"isolated young people: {totals['isolated']} (NEET: {totals['neet_isolated']}); "
        f"mean bridging ties {_number(s['mean_bridging']) if totals['young_people'] != WITHHELD else WITHHELD}, "
        f"mean linking ties {_number(s['mean_linking']) if totals['young_people'] != WITHHELD else WITHHELD}"
    )
    ties = s["ties_by_class"]
    print("ties: " + ", ".join(f"{k} {v}" for k, v in ties.items()))
    print()
    headers = [
        "area", "name", "young people", "NEET", "not known", "isolated", "NEET isolated", "NEET isolation rate",
        "mean bridging", "mean linking", "E-I index", "EET connectedness", "services",
        "nearest service km", "anchors", "NEET with opportunity", "NEET opportunity share",
    ]
    rows = []
    for code, r in result.areas.iterrows():
        def cell(column: str, shown: str, code=code) -> str:
            return _cell(disclosure, code, column, shown)

        rows.append([
            plain(code),
            plain(project.areas[code].name),
            cell("young_people", _count(r["young_people"])),
            cell("neet", _count(r["neet"])),
            cell("not_known", _count(r["not_known"])),
            cell("isolated", _count(r["isolated"])),
            cell("neet_isolated", _count(r["neet_isolated"])),
            cell("neet_isolation_rate", _number(r["neet_isolation_rate"])),
            cell("mean_bridging", _number(r["mean_bridging"])),
            cell("mean_linking", _number(r["mean_linking"])),
            cell("ei_index", _number(r["ei_index"])),
            cell("eet_connectedness", _number(r["eet_connectedness"])),
            str(int(r["services_in_area"])),
            _number(r["nearest_service_km"]),
            str(int(r["anchors_in_area"])),
            cell("neet_with_opportunity", _count(r["neet_with_opportunity"])),
            cell("neet_opportunity_share", _number(r["neet_opportunity_share"])),
        ])
    print_table(headers, rows)
    print()
    _print_services(project, result.services)
    print()
    print(
        f"Counts of 1 to 4 young people are shown as <5; '{WITHHELD}' marks a figure kept back so that "
        "such a count cannot be worked out from it (a rate or mean made of it, a cell that the totals "
        "would give back, a service's exposure and friending bias when its NEET or EET attendees number "
        "1 to 4). Rules: docs/privacy.md; measures: docs/measures.md."
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
    from socialmap.analysis import area_isolation, hotspots, public_hotspots
    from socialmap.disclosure import GI_BINS, gi_label, hot_spot_reason, protect_areas

    on = as_of_date(args)
    project = open_project_as_of(args.project, on)
    if args.json:
        print_json(hotspots(project).to_json())
        return 0
    areas = area_isolation(project)
    disclosure = protect_areas(areas)
    result = public_hotspots(project)
    rows = []
    for code, r in result.areas.iterrows():
        reason = r["reason"] if isinstance(r["reason"], str) else ""
        if not reason and not disclosure.status(str(code), "neet_isolation_rate"):
            reason = hot_spot_reason(r["gi_bin"], areas.at[code, "neet_isolation_rate"])  # a 0% hot spot
        rows.append([
            plain(code),
            plain(project.areas[code].name),
            _cell(disclosure, code, "neet_isolation_rate", _number(areas.at[code, "neet_isolation_rate"])),
            plain(gi_label(r["gi_bin"]) if r["gi_bin"] is not None else "no Gi*"),
            plain(reason),
        ])
    print_table(["area", "name", "NEET isolation rate", "Gi* class", "note"], rows)
    print()
    n_hot = int(sum(1 for h in result.areas["hotspot"] if h is True))
    print(
        f"{n_hot} hotspot area{'' if n_hot == 1 else 's'} (hot spot at 95% or 99% confidence): Getis-Ord Gi* of "
        f"the NEET isolation rate, {result.weights}; {result.permutations} conditional permutations, seed "
        f"{result.seed}; confidence from the permutations' pseudo p-value (99%: p < 0.01, 95%: p < 0.05, 90%: p < 0.10)."
    )
    print("Classes: " + "; ".join(f"{label}: {meaning}" for label, meaning in (GI_BINS[b] for b in (3, 0, -3))) + ".")
    print(
        "A NEET isolation rate of '-' (no NEET young person there) counts as 0 in Gi*. A withheld rate enters "
        "Gi* as the midpoint of the range it could take, so the classes give nothing away (docs/privacy.md); "
        "exact z and p: --json (for further processing, not for publication)."
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
            # areas reached read <5 with a '<5' number of young people (4 areas would give 4 back)
            with_pct(reach_figures(r["young_people_reached"], r["areas_reached"])[0], r["young_people_reached_percentile"]),
            with_pct(reach_figures(r["young_people_reached"], r["areas_reached"])[1], r["areas_reached_percentile"]),
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
