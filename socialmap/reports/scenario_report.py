"""The scenario impact report: what a planned commissioning change would do to
each area's social capital (SPEC section 4).

Contents: the change list in words, the headline expected losses, the areas
flagged as damaged with the reasons, before and after maps (bridging ties per
young person, with the flagged areas outlined and the services that go
marked), the table of every affected area, the criticality ranking of every
service and organisation, and the model's assumptions.

Scenario figures are *expected values* under the model's independence
assumptions (e.g. 0.5 of a tie), not counts of identifiable young people, and
are shown to one decimal. Counts of actual young people are suppressed
(``<5``) as everywhere.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from socialmap.model.labels import group_key_label
from socialmap.model.project import Project
from socialmap.reports.pdf import esc, fmt_number

#: Rows of the ranking shown for services and for organisations.
TOP_RANKED = 10


def _name(project: Project, node_id: str) -> str:
    node = project.nodes.get(node_id)
    return f"{node.label} ({node_id})" if node is not None and node.label != node_id else node_id


def describe_change(project: Project, change) -> str:
    """A change in plain words, naming services and organisations by label."""
    kind = change.kind
    if kind == "decommission":
        return f"Decommission {_name(project, change.service)}: the service and all its ties end."
    if kind == "transfer":
        travel = ("" if getattr(change, "staff_half_km", None) is None else
                  f", less with the distance between the two providers' sites (half at {change.staff_half_km:g} km)")
        return (f"Re-tender {_name(project, change.service)} to {_name(project, change.org)}: each of its staff "
                f"stays with probability {change.retention:g}{travel}.")
    if kind == "relocate":
        if getattr(change, "travel_model", "cliff") == "decay":
            return (f"Move {_name(project, change.service)} to {change.lat:.5f}, {change.lon:.5f}: each young person "
                    f"keeps attending with a chance that falls with their extra journey (half stop at "
                    f"{change.half_km:g} km more).")
        return (f"Move {_name(project, change.service)} to {change.lat:.5f}, {change.lon:.5f}: young people living "
                f"more than {change.max_travel_km:g} km away stop attending.")
    if kind == "close":
        return f"Close {_name(project, change.org)}, with its services; its staff lose their youth work and mentoring ties."
    return change.describe()


def site_points(project: Project, changes: list, removed: set[str]) -> tuple[list, list, list]:
    """``(lon, lat)`` of the services kept where they are, of the services and organisations that go,
    and of the new sites of relocated services that stay (each at its last site, drawn once)."""
    from socialmap.reports.maps import place_points

    new_site = {c.service: (c.lon, c.lat) for c in changes if c.kind == "relocate" and c.service not in removed}
    kept = place_points(project, "service", {n for n in project.nodes if n not in removed and n not in new_site})
    gone = place_points(project, "service", removed) + place_points(project, "organisation", removed)
    return kept, gone, list(new_site.values())


def _one(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    from socialmap.scenarios.impact import one_decimal

    return one_decimal(float(value))


def scenario_story(project: Project, changes: list, *, context_survival: float | None = None,
                   source: str | None = None) -> list[Any]:
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak

    from socialmap.analysis import analyse
    from socialmap.reports.charts import tornado_png
    from socialmap.reports.maps import PointLayer, area_map_png
    from socialmap.reports.pdf import bullets, image, paragraph, table
    from socialmap.scenarios import evaluate, rank
    from socialmap.scenarios.assumptions import ASSUMPTIONS

    result = evaluate(project, changes, context_survival=context_survival, sensitivity=True)
    sens = result.sensitivity
    areas = result.areas
    summary = result.summary
    before = analyse(project).areas
    names = {c: a.name for c, a in project.areas.items()}
    flagged = [c for c, f in zip(areas.index.tolist(), areas["flagged"].tolist(), strict=False) if f]
    removed = set(summary.get("removed", ()))

    story: list[Any] = [
        paragraph("Scenario impact report", "title"),
        paragraph("Expected effect of a commissioning change on young people's ties"
                  + (f" — {esc(source)}" if source else ""), "subtitle"),
        paragraph("The change", "h1"),
    ]
    story += bullets([esc(describe_change(project, c)) for c in changes])
    story.append(paragraph(f"Ties made at a service or organisation that goes survive with probability "
                           f"{result.context_survival:g}.", "small"))
    story.append(paragraph("What it would do", "h1"))
    th = summary["thresholds"]
    story += bullets([
        f"<b>{_one(summary['newly_isolated'])}</b> young people expected to become isolated (no bridging or linking "
        f"tie left), of whom <b>{_one(summary['newly_isolated_neet'])}</b> are NEET.",
        f"<b>{_one(summary['lost_bridging'])}</b> bridging ties expected to be lost "
        f"({summary['bridging_loss_pct']:.1f}% of all), <b>{_one(summary['lost_linking'])}</b> linking and "
        f"<b>{_one(summary['lost_bonding'])}</b> bonding ties.",
        f"<b>{len(flagged)}</b> of {len(areas)} areas flagged as damaged: expected newly isolated NEET young people "
        f"of at least {th['flag_newly_isolated_neet']:g}, a fall of at least {th['flag_bridging_loss_pct']:g}% in "
        f"bridging ties, or the nearest service moving further away to beyond {th['flag_nearest_service_km']:g} km.",
    ])
    ranges = sens.summary_ranges

    def span(pair) -> str:
        lo, hi = _one(pair[0]), _one(pair[1])
        return lo if lo == hi else f"{lo} to {hi}"

    story.append(paragraph(
        f"Across the plausible range of every assumption: <b>{span(ranges['newly_isolated'])}</b> young people "
        f"expected to become isolated ({span(ranges['newly_isolated_neet'])} NEET), and "
        f"{int(ranges['flagged_areas'][0])} to {int(ranges['flagged_areas'][1])} areas flagged.", "small"))
    story.append(paragraph("Flagged areas", "h2"))
    if flagged:
        rows = [[c, names.get(c, c), "; ".join(areas.at[c, "reasons"]), sens.robustness[c]] for c in flagged]
        story.append(table(["Code", "Area", "Why it is flagged", "How sure"], rows,
                           [2.0 * cm, 3.2 * cm, 7.0 * cm, 4.8 * cm]))
    else:
        story.append(paragraph("No area reaches a flag threshold."))
    maybe = [c for c in areas.index if not areas.at[c, "flagged"] and sens.flag_cases[c] == "some"]
    if maybe:
        story.append(paragraph("Flagged only under other assumptions", "h2"))
        story.append(table(["Code", "Area", "When it would be flagged"],
                           [[c, names.get(c, c), sens.robustness[c]] for c in maybe],
                           [2.2 * cm, 4.0 * cm, 10.8 * cm]))

    story.append(paragraph("How much the answer depends on the assumptions", "h2"))
    bars = [(ASSUMPTIONS[n].short[0].upper() + ASSUMPTIONS[n].short[1:]
             + f" ({ASSUMPTIONS[n].describe_value(ASSUMPTIONS[n].low)} to "
             f"{ASSUMPTIONS[n].describe_value(ASSUMPTIONS[n].high)})", lo, hi) for n, lo, hi in sens.tornado()]
    cases = {c.name: c for c in sens.cases}
    bars.append(("Every assumption at once", cases["all low"].newly_isolated, cases["all high"].newly_isolated))
    story.append(paragraph(
        "Expected newly isolated young people in all, with each assumption in turn at the low and the high end "
        "of its plausible range (the others central), and with all of them at once. The line is the central "
        "result. The flag thresholds move flags, not expected values, so they have no bar here; their effect "
        "is in the <i>How sure</i> column.", "small"))
    story.append(image(tornado_png(bars, float(summary["newly_isolated"])), 14.0))

    # before and after: mean bridging ties per young person
    yp = before["young_people"].astype(float)
    mean_before = before["mean_bridging"].astype(float)
    lost = areas["lost_bridging"].reindex(before.index).astype(float).fillna(0.0)
    mean_after = (mean_before * yp - lost) / yp.where(yp > 0)
    hi = float(max(mean_before.max(skipna=True) if mean_before.notna().any() else 1.0, 0.1))
    services_kept, services_gone, moved = site_points(project, changes, removed)
    common = dict(vmin=0.0, vmax=hi, legend="bridging ties per young person", cmap="PuBu", width_in=5.2)
    story.append(PageBreak())
    story.append(paragraph("Before and after", "h1"))
    story.append(paragraph("Mean bridging ties per young person in each area, before the change and expected "
                           "after it, on the same scale. Flagged areas are outlined in red.", "small"))
    story.append(image(area_map_png(project, mean_before.to_dict(), title="Before", layers=[
        PointLayer(services_kept + services_gone, "service", color="#41ab5d", edge="#00441b", size=14)], **common),
        12.5))
    story.append(image(area_map_png(project, mean_after.to_dict(), title="After (expected)", outline=set(flagged),
                                    outline_label="flagged area", layers=[
        PointLayer(services_kept, "service kept", color="#41ab5d", edge="#00441b", size=14),
        PointLayer(services_gone, "service or organisation that goes", color="#cb181d", marker="X", size=60,
                   edge="#67000d"),
        PointLayer(moved, "new site", color="#fdae6b", marker="D", size=40, edge="#7f2704")], **common), 12.5))

    story.append(PageBreak())
    story.append(paragraph("Every affected area", "h1"))
    touched = areas[(areas["lost_bonding"] + areas["lost_bridging"] + areas["lost_linking"] > 1e-9)
                    | areas["flagged"]
                    | (areas["nearest_service_km_after"].fillna(-1) != areas["nearest_service_km_before"].fillna(-1))]
    touched = touched.sort_values(["flagged", "newly_isolated", "lost_bridging"], ascending=False)
    rows = []
    for c, r in touched.iterrows():
        rows.append([c, names.get(c, c), _one(r["lost_bridging"]), _one(r["lost_linking"]), _one(r["lost_bonding"]),
                     _one(r["newly_isolated"]), _one(r["newly_isolated_neet"]), f"{_one(r['bridging_loss_pct'])}%",
                     f"{fmt_number(r['nearest_service_km_before'], 1)} → {fmt_number(r['nearest_service_km_after'], 1)}",
                     "yes" if r["flagged"] else ""])
    if rows:
        story.append(table(["Code", "Area", "Bridging lost", "Linking lost", "Bonding lost", "Newly isolated",
                            "of them NEET", "Bridging fall", "Nearest service km", "Flagged"], rows,
                           [1.6 * cm, 3.0 * cm, 1.5 * cm, 1.4 * cm, 1.5 * cm, 1.6 * cm, 1.4 * cm, 1.4 * cm,
                            2.1 * cm, 1.3 * cm]))
    else:
        story.append(paragraph("No area is affected."))
    story.append(paragraph("All figures are expected values: e.g. 0.5 means an even chance of one tie being lost.",
                           "small"))

    ranking = rank(project, stability=True)
    story.append(PageBreak())
    story.append(paragraph("Which services and organisations matter most", "h1"))
    story.append(paragraph("The criticality ranking: the expected effect of decommissioning each service, or closing "
                           "each organisation, on its own; most damaging first.", "small"))
    for title, frame in (("Services (if decommissioned)", ranking.services),
                         ("Organisations (if closed)", ranking.organisations)):
        story.append(paragraph(title, "h2"))
        rows = [[r["label"], _one(r["newly_isolated"]), _one(r["newly_isolated_neet"]), _one(r["lost_bridging"]),
                 _one(r["lost_linking"]), int(r["flagged_areas"])]
                for r in frame.head(TOP_RANKED).to_dict("records")]
        if rows:
            story.append(table(["Name", "Newly isolated", "of them NEET", "Bridging lost", "Linking lost",
                                "Flagged areas"], rows,
                               [6.0 * cm, 2.2 * cm, 2.0 * cm, 2.2 * cm, 2.2 * cm, 2.2 * cm]))
        else:
            story.append(paragraph("None in the project."))
        story.append(paragraph(esc(ranking.top_ten.describe(
            "services" if frame is ranking.services else "organisations")), "small"))

    key = project.setting("group_by")
    groups = {"area_code": "areas", "community": "communities"}.get(key, f"groups (by {esc(group_key_label(key))})")
    story.append(PageBreak())
    story.append(paragraph("Methods and assumptions", "h1"))
    story += bullets([
        "The changes are applied in order to a copy of the project; the project itself is not changed.",
        "A service's <b>staff</b> are the adults whose employment tie to its provider names the service as its "
        "context (all the provider's own staff when no employment tie names a context); staff who came with a "
        "service by an earlier transfer are staff of that service only. Staff who leave lose their "
        "youth work and mentoring ties.",
        f"A tie made at a service or organisation that goes (its <i>context</i>) survives with probability "
        f"{result.context_survival:g}; each transferred member of staff stays independently with the retention "
        "probability given.",
        "All impacts are <b>exact expected values</b> under these independence assumptions, computed without "
        "sampling, so the same input always gives the same report.",
        "Tie classes, isolation and nearest-service distance are as in the area report: linking ties join a person "
        "to a service, organisation, youth worker or mentor; bridging ties join young people from different "
        f"{groups}; a young person is isolated with neither.",
        f"Flag thresholds (project settings): newly isolated NEET ≥ {th['flag_newly_isolated_neet']:g}; bridging "
        f"fall ≥ {th['flag_bridging_loss_pct']:g}%; nearest service further away and beyond "
        f"{th['flag_nearest_service_km']:g} km.",
        "Sensitivity: every result was also worked out with each assumption below in turn at the low and the "
        "high end of its plausible range, and with all of them at their low ends and at their high ends (the "
        "low end is always the more damaging one). Ranges are the least and most over those cases; a flag "
        "'in every case' holds in all of them; where a flag depends on one assumption, the value where it "
        "changes is given, found on a grid of values across the range.",
        "Young people are never named; expected values are not counts of identifiable people.",
    ])
    story.append(paragraph("The assumptions, their ranges and their sources", "h2"))
    rows = []
    for n, a in ASSUMPTIONS.items():  # every default's source, used here or not
        used = sens.central.get(n)
        rows.append([a.label, "not used here" if n not in sens.assumptions else "as given" if used is None
                     else a.describe_value(used),
                     f"{a.describe_value(a.low)} to {a.describe_value(a.high)}", a.source])
    story.append(table(["Assumption", "Used", "Plausible range", "Source"], rows,
                       [4.4 * cm, 1.6 * cm, 2.2 * cm, 8.8 * cm]))
    return story


def write_scenario_report(project: Project, changes: list, path: str | os.PathLike, *,
                          context_survival: float | None = None, source: str | None = None) -> Path:
    """Write the scenario impact report for the ordered ``changes`` as a PDF."""
    from socialmap.reports.pdf import build_pdf

    return build_pdf(path, scenario_story(project, changes, context_survival=context_survival, source=source),
                     title="Scenario impact report", source=source)
