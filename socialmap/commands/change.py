"""``compare`` and ``snapshot`` (issue 18; ``docs/change-over-time.md``).

``--json`` prints exact counts. The readable tables show counts of young people between 1
and 4 as ``<5``, withhold a change or rate made from such a count, and never show a young
person's id or label.
"""

from __future__ import annotations

import math
from typing import Any

from socialmap.commands.common import (
    as_of_date,
    ask_passphrase,
    open_project_with_passphrase,
    plain,
    print_json,
    print_table,
    suppress,
)
from socialmap.errors import InputError, Problem

WITHHELD = "withheld"
COUNTS = ("young_people", "neet", "isolated", "neet_isolated")
RATE_NUMERATOR = {"neet_isolation_rate": "neet_isolated"}


def _num(value: Any, digits: int = 2, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{float(value):+.{digits}f}" if signed else f"{float(value):.{digits}f}"
    return text.replace("-0.00", "0.00").replace("+0.00", "0.00")


def _shown_count(x: Any) -> bool:
    """Whether a count of young people may be shown as it is (0, 5 or more, or missing)."""
    return x is None or (isinstance(x, float) and math.isnan(x)) or not 1 <= int(x) <= 4


def _count_pair(row, name: str) -> str:
    b, a = row[f"{name}_before"], row[f"{name}_after"]
    text = f"{suppress(b) or '-'} > {suppress(a) or '-'}"
    if _shown_count(b) and _shown_count(a) and not (math.isnan(b) or math.isnan(a)):
        return f"{text} ({int(a - b):+d})"
    return f"{text} ({WITHHELD})" if not (math.isnan(b) or math.isnan(a)) else text


def _measure_change(row, name: str, digits: int = 2) -> str:
    num = RATE_NUMERATOR.get(name)
    if num and not (_shown_count(row[f"{num}_before"]) and _shown_count(row[f"{num}_after"])):
        return WITHHELD
    return f"{_num(row[f'{name}_before'], digits)} > {_num(row[f'{name}_after'], digits)}"


def resolve_scenario(name: str, *sides):
    """The saved scenario ``name`` from the first side's project that has it."""
    from socialmap.scenarios import Scenario

    for side in sides:
        if name in side.record.scenarios:
            return Scenario.load(side.record, name)
    known = sorted({s for side in sides for s in side.record.scenarios})
    raise InputError(Problem(f"no saved scenario {name!r} (saved: {', '.join(map(repr, known)) or 'none'})",
                             field="--scenario"))


def run_compare(before_text: str, after_text: str, scenario_name: str | None = None):
    """The two sides, their comparison and (with a scenario) the predicted-against-observed check."""
    from socialmap.change import compare_projects, open_side, predicted_against_observed

    cache: dict = {}
    before = open_side(before_text, cache, ask_passphrase)
    after = open_side(after_text, cache, ask_passphrase)
    change = compare_projects(before.project, after.project, before_label=before.label, after_label=after.label)
    check = None
    if scenario_name:
        scenario = resolve_scenario(scenario_name, after, before)
        try:
            check = predicted_against_observed(before.project, after.project, scenario, change)
        except InputError as exc:
            # a service's provider is a field, not a dated tie: a date of the project after a re-tender
            # already shows the new provider, which a snapshot from before the change does not
            raise InputError([Problem(f"scenario {scenario.name!r} cannot run on {before.label}: {p.reason}"
                                      + (" (a service's provider is not dated: compare from a snapshot taken "
                                         "before the change, FILE#SNAPSHOT)" if p.field == "org" else ""),
                                      record=p.record, field=p.field) for p in exc.problems]) from None
    return before, after, change, check


def cmd_compare(args) -> int:
    before, after, change, check = run_compare(args.before, args.after, args.scenario)
    if args.json:
        doc = change.to_json()
        if check is not None:
            doc["predicted_against_observed"] = check.to_json()
        print_json(doc)
        return 0
    s = change.summary
    print(plain(f"Change from {before.label} to {after.label}"))
    print(f"young people {suppress(s['young_people_before'])} > {suppress(s['young_people_after'])}; "
          f"isolated {suppress(s['isolated_before'])} > {suppress(s['isolated_after'])} "
          f"(NEET {suppress(s['neet_isolated_before'])} > {suppress(s['neet_isolated_after'])}); "
          f"newly isolated {suppress(s['newly_isolated'])} (NEET {suppress(s['newly_isolated_neet'])}), "
          f"no longer isolated {suppress(s['no_longer_isolated'])}")
    lost, gained = s["ties_lost_by_class"], s["ties_gained_by_class"]
    print("ties lost: " + ", ".join(f"{k} {v}" for k, v in lost.items()) + f" (total {s['ties_lost']})")
    print("ties gained: " + ", ".join(f"{k} {v}" for k, v in gained.items()) + f" (total {s['ties_gained']})")
    print()
    areas = change.areas
    moved = [code for code, r in areas.iterrows()
             if r["flagged"] or any(r[f"lost_{c}"] or r[f"gained_{c}"] for c in ("bonding", "bridging", "linking"))
             or r["newly_isolated"] or r["no_longer_isolated"]
             or any(not math.isnan(r[f"{m}_change"]) and abs(r[f"{m}_change"]) > 1e-9 for m in
                    ("young_people", "neet", "mean_bridging", "mean_linking", "nearest_service_km"))]
    if not moved:
        print("No area changed.")
    else:
        rows = []
        for code in moved:
            r = areas.loc[code]
            rows.append([plain(code), plain(change.area_names.get(code, "")), _count_pair(r, "young_people"),
                         _count_pair(r, "neet"), _count_pair(r, "isolated"), _count_pair(r, "neet_isolated"),
                         _measure_change(r, "neet_isolation_rate"), _measure_change(r, "mean_bridging"),
                         _measure_change(r, "mean_linking"), _measure_change(r, "ei_index"),
                         _measure_change(r, "eet_connectedness"), _measure_change(r, "nearest_service_km")])
        print_table(["area", "name", "young people", "NEET", "isolated", "NEET isolated", "NEET isolation rate",
                     "mean bridging", "mean linking", "E-I index", "EET connectedness", "nearest service km"], rows)
        print()
        rows = []
        for code in moved:
            r = areas.loc[code]
            rows.append([plain(code), *(str(int(r[f"lost_{c}"])) for c in ("bonding", "bridging", "linking")),
                         *(str(int(r[f"gained_{c}"])) for c in ("bonding", "bridging", "linking")),
                         suppress(r["newly_isolated"]), suppress(r["newly_isolated_neet"]),
                         suppress(r["no_longer_isolated"]), _num(r["bridging_loss_pct"], 1),
                         "FLAG" if r["flagged"] else ""])
        print_table(["area", "lost bonding", "lost bridging", "lost linking", "gained bonding", "gained bridging",
                     "gained linking", "newly isolated", "of them NEET", "no longer isolated", "bridging loss %",
                     "flagged"], rows)
        unchanged = len(areas) - len(moved)
        if unchanged:
            print(f"({unchanged} areas with no change not shown)")
    print()
    from socialmap.change.compare import reasons_for

    flagged = areas[areas["flagged"]]
    if len(flagged):
        th = change.thresholds
        print(f"Areas where the change passes the scenario thresholds ({len(flagged)}; newly isolated NEET >= "
              f"{th.newly_isolated_neet:g}, bridging loss >= {th.bridging_loss_pct:g}%, nearest service beyond "
              f"{th.nearest_service_km:g} km):")
        for code, r in flagged.iterrows():
            print(f"  {plain(code)} {plain(change.area_names.get(code, ''))}:")
            for reason in reasons_for(r, th, suppressed=True):
                print(f"    - {reason}")
    else:
        print("No area passes the scenario thresholds.")
    if check is not None:
        print()
        _print_check(check)
    print()
    print("Counts of 1 to 4 young people are shown as <5, and a change or rate made of such a count is "
          f"{WITHHELD}. Ties lost: in force before, not after (classed as before). See docs/change-over-time.md.")
    return 0


def _print_check(check) -> None:
    from socialmap.scenarios.impact import one_decimal

    sc = check.scenario
    print(plain(f"Predicted against observed: scenario {sc.name!r} (context survival {sc.context_survival:g})"))
    rows = []
    for code, r in check.areas.iterrows():
        if not any(r[f"predicted_{m}"] > 1e-9 or r[f"observed_{m}"] > 0 for m in
                   ("lost_bonding", "lost_bridging", "lost_linking", "newly_isolated")):
            continue
        observed_iso = r["observed_newly_isolated"]
        iso_ok = _shown_count(observed_iso)
        rows.append([plain(code)] + [
            cell for m in ("lost_bridging", "lost_linking") for cell in
            (one_decimal(r[f"predicted_{m}"]), str(int(r[f"observed_{m}"])), _num(r[f"ratio_{m}"]))
        ] + [one_decimal(r["predicted_newly_isolated"]), suppress(observed_iso),
             _num(r["ratio_newly_isolated"]) if iso_ok else WITHHELD])
    if rows:
        print_table(["area", "bridging predicted", "observed", "ratio", "linking predicted", "observed", "ratio",
                     "newly isolated predicted", "observed", "ratio"], rows)
    else:
        print("Nothing was predicted or observed to be lost.")
    t = check.summary
    print(f"Total: bridging {one_decimal(t['predicted_lost_bridging'])} predicted, {t['observed_lost_bridging']:g} "
          f"observed (ratio {_num(t['ratio_lost_bridging'])}); linking {one_decimal(t['predicted_lost_linking'])} "
          f"predicted, {t['observed_lost_linking']:g} observed (ratio {_num(t['ratio_lost_linking'])}); "
          f"bonding {one_decimal(t['predicted_lost_bonding'])} predicted, {t['observed_lost_bonding']:g} observed.")
    for name, what, unit in (("retention", "moved by the transfer kept their worker/mentor ties", "staff"),
                             ("context_survival", "ties made at a removed place are still in force", "ties")):
        e = check.calibration[name]
        assumed = "" if e["assumed"] is None else f", assumed {e['assumed']:g}"
        if e["cases"]:
            print(f"Estimated {name.replace('_', ' ')}: {e['estimate']:.2f} ({e['successes']} of {e['cases']} {unit} "
                  f"{what}; standard error {e['standard_error']:.2f}{assumed})")
        else:
            print(f"Estimated {name.replace('_', ' ')}: no cases in this change{assumed}")


def cmd_snapshot(args) -> int:
    """Save a named, dated snapshot inside the project (written atomically)."""
    import sys

    from socialmap.store import save_project_file
    from socialmap.store.snapshots import make_snapshot

    on = as_of_date(args)
    project, passphrase = open_project_with_passphrase(args.project)  # an encrypted project stays encrypted
    if args.name in project.snapshots and not args.force:
        raise InputError(Problem(f"a snapshot {args.name!r} is already saved (use --force to replace it)",
                                 record=f"snapshot {args.name!r}"))
    snap = make_snapshot(project, args.name, as_of=on, note=args.note or "")
    project.snapshots[snap.name] = snap
    save_project_file(project, args.project, passphrase)
    print(f"saved snapshot {plain(snap.name)!r} (as of {snap.as_of.isoformat()}, {snap.size_bytes / 1024:.0f} kB) "
          f"in {plain(args.project)}", file=sys.stderr)
    return 0
