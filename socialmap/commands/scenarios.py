"""``scenario`` and ``rank`` (SPEC section 9)."""

from __future__ import annotations

import math

from socialmap.commands.common import (
    as_of_date,
    as_of_note,
    open_project_as_of,
    plain,
    print_json,
    print_table,
    suppress,
)
from socialmap.errors import InputError, Problem


def _one(x: float) -> str:
    """An expected value (not a count) with one decimal, halves rounded up (2.25 -> 2.3)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    from socialmap.scenarios.impact import one_decimal

    return one_decimal(float(x))


def _changes_from_args(args, project=None):
    from socialmap.scenarios import parse_changes
    from socialmap.scenarios.changes import (
        SETTINGS_RECORD,
        half_distance_km,
        setting_probability,
        travel_km,
        travel_model,
    )

    retention, travel = args.retention, args.max_travel_km
    model, half_km = getattr(args, "travel_model", None), getattr(args, "half_km", None)
    if project is not None:  # the project's own settings, checked as such (the user gave no option)
        retention = setting_probability(project, "retention") if retention is None else retention
        if travel is None:
            travel = travel_km(project.setting("max_travel_km"), SETTINGS_RECORD)
        if model is None:
            model = travel_model(project.setting("travel_model"), SETTINGS_RECORD)
        if half_km is None:
            half_km = half_distance_km(project.setting("half_km"), "half_km", SETTINGS_RECORD)
    return parse_changes(
        args.changes, retention, travel, model, half_km, getattr(args, "staff_half_km", None)
    )


def scenario_from_args(args, project):
    """The ordered changes and context survival of the scenario options, checked against ``project``.

    Shared by ``scenario`` and ``export scenario-report``. Raises InputError
    (exit 2) for an unparseable change, an unknown id or one of the wrong
    kind, or a number out of range.
    """
    from socialmap.scenarios import probability_or_none, validate_changes

    changes = _changes_from_args(args, project)
    if not changes:
        raise InputError(
            Problem("no changes given: use --decommission, --transfer, --relocate or --close")
        )
    survival = probability_or_none(args.context_survival, "context_survival")
    validate_changes(project, changes)
    return changes, survival


def cmd_scenario(args) -> int:
    from socialmap.scenarios import evaluate, probability_or_none
    from socialmap.scenarios.assumptions import ASSUMPTIONS

    # check the command line before the (possibly slow) project load
    _changes_from_args(args)
    probability_or_none(args.context_survival, "context_survival")
    on = as_of_date(args)
    project = open_project_as_of(args.project, on)
    changes, survival = scenario_from_args(args, project)
    result = evaluate(project, changes, survival, sensitivity=True)
    if args.json:
        print_json(result.to_json())
        return 0

    s = result.summary
    print(plain(f"Scenario on {args.project}{as_of_note(project, on)}: " + "; then ".join(s["changes"])))
    print(
        f"Ties made at a removed place survive with probability {result.context_survival:g}. "
        "Figures are expected values under the model's independence assumptions (not counts)."
    )
    print()
    areas = result.areas
    touched = areas[
        areas["flagged"]
        | (
            areas[["lost_bonding", "lost_bridging", "lost_linking", "newly_isolated"]].sum(axis=1)
            > 0
        )
        | (
            areas["nearest_service_km_after"].fillna(-1)
            != areas["nearest_service_km_before"].fillna(-1)
        )
    ]
    touched = touched.sort_values(
        ["flagged", "newly_isolated", "lost_bridging"], ascending=False, kind="stable"
    )
    young_by_area = _young_by_area(project)
    rows = []
    for code, r in touched.iterrows():
        area = project.areas[code]
        young = young_by_area.get(code, 0)
        rows.append(
            [
                code,
                area.name,
                suppress(young),
                _one(r["lost_bonding"]),
                _one(r["lost_bridging"]),
                _one(r["lost_linking"]),
                _one(r["newly_isolated"]),
                _one(r["newly_isolated_neet"]),
                _one(r["bridging_loss_pct"]),
                _one(r["nearest_service_km_before"]),
                _one(r["nearest_service_km_after"]),
                "FLAG" if r["flagged"] else "",
            ]
        )
    if rows:
        print_table(
            [
                "area",
                "name",
                "young people",
                "lost bonding",
                "lost bridging",
                "lost linking",
                "newly isolated",
                "of them NEET",
                "bridging loss %",
                "nearest km before",
                "after",
                "flagged",
            ],
            rows,
        )
        unaffected = len(areas) - len(touched)
        if unaffected:
            print(f"({unaffected} areas with no expected change not shown)")
    else:
        print("No area is affected.")
    print()
    flagged = areas[areas["flagged"]]
    sens = result.sensitivity
    if len(flagged):
        print(f"Flagged areas ({len(flagged)}):")
        for code, r in flagged.iterrows():
            print(f"  {plain(code)} {plain(project.areas[code].name)}: {sens.robustness[code]}")
            for reason in r["reasons"]:
                print(f"    - {reason}")
    else:
        print("No area is flagged.")
    maybe = [c for c in areas.index if not areas.at[c, "flagged"] and sens.flag_cases[c] == "some"]
    if maybe:
        print()
        print(f"Flagged under other assumptions ({len(maybe)}):")
        for code in maybe:
            print(f"  {plain(code)} {plain(project.areas[code].name)}: {sens.robustness[code]}")
    print()
    ranges = sens.summary_ranges
    print(
        f"Total: {_one(s['newly_isolated'])} young people expected to become isolated "
        f"({_one(s['newly_isolated_neet'])} NEET); expected ties lost: {_one(s['lost_bridging'])} bridging, "
        f"{_one(s['lost_linking'])} linking, {_one(s['lost_bonding'])} bonding; "
        f"young people with a tie at risk: {suppress(s['young_people_affected']) or '0'}."
    )
    print(
        f"Across the plausible range of every assumption: {_span(ranges['newly_isolated'])} expected "
        f"newly isolated ({_span(ranges['newly_isolated_neet'])} NEET), "
        f"{_span(ranges['flagged_areas'], whole=True)} flagged areas."
    )
    print("Assumptions (central value; low to high; see docs/scenarios.md for the sources):")
    for name in sens.assumptions:
        a = ASSUMPTIONS[name]
        central = sens.central.get(name)
        value = "as given per change" if central is None else a.describe_value(central)
        print(f"  {a.short}: {value}; {a.describe_value(a.low)} to {a.describe_value(a.high)}")
    return 0


def _span(pair, whole: bool = False) -> str:
    lo, hi = pair
    if whole:
        return f"{int(lo)}" if lo == hi else f"{int(lo)} to {int(hi)}"
    return _one(lo) if _one(lo) == _one(hi) else f"{_one(lo)} to {_one(hi)}"


def _young_by_area(project) -> dict[str, int]:
    out: dict[str, int] = {}
    for n in project.nodes.values():
        if n.kind == "young_person" and n.area_code is not None:
            out[n.area_code] = out.get(n.area_code, 0) + 1
    return out


def cmd_rank(args) -> int:
    from socialmap.scenarios import rank

    on = as_of_date(args)
    project = open_project_as_of(args.project, on)
    result = rank(project, stability=True)
    if args.json:
        print_json(result.to_json())
        return 0
    print(
        f"Criticality ranking of {args.project}{as_of_note(project, on)}: what each service's decommissioning and each "
        f"organisation's closure would do (expected values; ties made there survive with probability "
        f"{result.context_survival:g})."
    )
    headers = [
        "rank",
        "id",
        "label",
        "newly isolated",
        "of them NEET",
        "lost bridging",
        "lost linking",
        "flagged areas",
    ]
    for title, df in (
        ("Services (decommissioned)", result.services),
        ("Organisations (closed)", result.organisations),
    ):
        print()
        print(f"{title}: {len(df)}")
        rows = [
            [
                i + 1,
                r["id"],
                r["label"],
                _one(r["newly_isolated"]),
                _one(r["newly_isolated_neet"]),
                _one(r["lost_bridging"]),
                _one(r["lost_linking"]),
                str(int(r["flagged_areas"])),
            ]
            for i, r in enumerate(df.to_dict("records"))
        ]
        if rows:
            print_table(headers, rows)
    print()
    for table in ("services", "organisations"):
        print(plain(result.top_ten.describe(table)))
    return 0
