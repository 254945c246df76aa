"""The anchor evidence pack for one organisation: its figures and percentiles,
a map of its reach, statements in plain words ready to paste into a bid, and
its methods and sources (SPEC sections 1 and 3); plus the figures as CSV.

The figures are those of :func:`socialmap.analysis.anchor_presence`; each
percentile is the organisation's percentile rank among the organisations of
the project that have the figure. Counts of young people of 1..4 are shown
as ``<5`` in the PDF, the statements and the CSV.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any

from socialmap.disclosure import REACHED, WITHHELD, ReachView, protect_reach
from socialmap.model.project import Project
from socialmap.privacy import spreadsheet_safe, suppress
from socialmap.reports.pdf import esc, fmt_number, fmt_pct

#: Each figure: its name in words, how to show its value, and whether it counts young people.
FIGURES = {
    "local_employment_share": ("Share of employees who live locally", "pct", False),
    "local_spend_share": ("Share of spend with local suppliers", "pct", False),
    "years_in_area": ("Years in the area", "number", False),
    "young_people_reached": ("Young people reached", "count", True),
    "areas_reached": ("Home areas of the young people reached", "number", False),
    "sole_link_young_people": ("Young people for whom it is the only institutional link", "count", True),
}


#: Bands of young people reached per area on the reach map (the first hides counts of 1..4), and
#: the one class shown when the bands with the total would give a count back (socialmap.disclosure).
REACH_PALETTE = {"<5 young people": "#deebf7", "5–9": "#9ecae1", "10–19": "#4292c6", "20 or more": "#08519c",
                 REACHED: "#6baed6"}


def reach_counts(project: Project, young_people) -> dict[str, int]:
    """Area code -> number of the given young people who live there (areas with none left out)."""
    counts: dict[str, int] = {}
    for yp in young_people:
        node = project.nodes.get(yp)
        if node is not None and node.area_code:
            counts[node.area_code] = counts.get(node.area_code, 0) + 1
    return counts


def reach_view(project: Project, org_id: str) -> ReachView:
    """The organisation's reach as the pack may show it (:func:`socialmap.disclosure.protect_reach`)."""
    from socialmap.analysis import reach

    return protect_reach(reach_counts(project, reach(project, org_id).get("young_people", ())))


def reach_bands(project: Project, young_people) -> dict[str, str]:
    """Area code -> band of the number of the given young people who live there (areas with none left
    out), or :data:`~socialmap.disclosure.REACHED` for all when bands and total would give a count back."""
    return protect_reach(reach_counts(project, young_people)).bands or {}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def evidence_figures(project: Project, org_id: str) -> list[dict[str, Any]]:
    """One row per figure: ``figure``, ``description``, ``value`` (as shown, suppressed),
    ``percentile`` (0..100 or None) and ``organisations_compared``."""
    from socialmap.analysis import anchor_presence

    frame = anchor_presence(project).organisations
    row = frame.loc[org_id]
    view = reach_view(project, org_id)
    rows = []
    for name, (words, how, counts_people) in FIGURES.items():
        value = row.get(name)
        value = None if _missing(value) else (value.item() if hasattr(value, "item") else value)
        pct = row.get(f"{name}_percentile")
        if name == "young_people_reached" and value is not None:
            shown = view.young_people  # with the reach map, the exact number could give an area's count back
            pct = pct if view.exact else None
        elif name == "areas_reached" and value is not None:
            shown = view.areas
            pct = None if view.areas in (WITHHELD, "<5") else pct
        elif value is None:
            shown = ""
        elif counts_people:
            shown = suppress(value)
        elif how == "pct":
            shown = f"{float(value):.4f}"
        else:
            shown = fmt_number(value)
        if shown == "<5":
            pct = None  # withheld with the count: percentiles across organisations would give it back
        compared = int(frame[name].notna().sum()) if name in frame.columns else 0
        rows.append({"figure": name, "description": words, "value": shown,
                     "percentile": None if _missing(pct) else round(float(pct), 1),
                     "organisations_compared": compared})
    return rows


def write_evidence_figures(project: Project, org_id: str, path: str | os.PathLike) -> Path:
    """The figures of the evidence pack as a CSV file (UTF-8 with byte-order mark, for Excel)."""
    path = Path(path)
    node = project.nodes[org_id]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["organisation_id", "organisation", "figure", "description", "value", "percentile",
                    "organisations_compared"])
        for r in evidence_figures(project, org_id):
            w.writerow([spreadsheet_safe(org_id), spreadsheet_safe(node.label), r["figure"], r["description"],
                        r["value"], "" if r["percentile"] is None else r["percentile"], r["organisations_compared"]])
    return path


def _ordinal_words(pct: float | None, n: int) -> str:
    if pct is None or n < 2:
        return ""
    if pct >= 90:
        return f", in the top tenth of the {n} organisations mapped"
    if pct >= 75:
        return f", in the top quarter of the {n} organisations mapped"
    if pct >= 50:
        return f", above the middle of the {n} organisations mapped"
    return ""


def statements(project: Project, org_id: str, figures: list[dict[str, Any]] | None = None) -> list[str]:
    """Plain-words statements about the organisation, ready to paste into a bid (plain text)."""
    node = project.nodes[org_id]
    figures = figures or evidence_figures(project, org_id)
    by = {f["figure"]: f for f in figures}
    name = node.label
    out = []
    emp = by["local_employment_share"]
    if emp["value"] and node.employees_total:
        local = node.employees_local or 0
        out.append(f"{name} employs {fmt_number(node.employees_total)} people, of whom {fmt_number(local)} "
                   f"({fmt_pct(float(emp['value']))}) live locally"
                   f"{_ordinal_words(emp['percentile'], emp['organisations_compared'])}.")
    spend = by["local_spend_share"]
    if spend["value"]:
        out.append(f"{fmt_pct(float(spend['value']))} of {name}'s spend goes to local suppliers"
                   f"{_ordinal_words(spend['percentile'], spend['organisations_compared'])}.")
    years = by["years_in_area"]
    if years["value"]:
        out.append(f"{name} has been part of the area for {years['value']} years"
                   f"{_ordinal_words(years['percentile'], years['organisations_compared'])}.")
    reached, areas = by["young_people_reached"], by["areas_reached"]
    if reached["value"] == WITHHELD:
        out.append(f"Through its own activities, its services and its staff, {name} reaches young people in this "
                   "project (how many is withheld: the numbers are small enough to identify them).")
    elif reached["value"] and reached["value"] != "0":
        many = "" if areas["value"] == "1" else "s"
        where = "" if areas["value"] in ("<5", WITHHELD, "") else \
            f" living in {areas['value']} different neighbourhood{many}"
        out.append(f"Through its own activities, its services and its staff, {name} reaches {reached['value']} young "
                   f"people{where}{_ordinal_words(reached['percentile'], reached['organisations_compared'])}.")
    sole = by["sole_link_young_people"]
    if sole["value"] and sole["value"] != "0":
        out.append(f"For {sole['value']} young people, {name} is their only link to any service or institution: "
                   "without it they would have none.")
    if not out:
        out.append(f"{name} has no recorded local employment, spend, years in the area or reach in this project yet.")
    return out


def evidence_story(project: Project, org_id: str, *, source: str | None = None) -> list[Any]:
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, PageBreak

    from socialmap.analysis import reach
    from socialmap.reports.maps import PointLayer, area_map_png, place_points
    from socialmap.reports.pdf import bullets, image, paragraph, table

    node = project.nodes[org_id]
    figures = evidence_figures(project, org_id)
    words = statements(project, org_id, figures)
    reached = reach(project, org_id)
    story: list[Any] = [
        paragraph("Anchor evidence pack", "title"),
        paragraph(esc(node.label) + (f" — {esc(source)}" if source else ""), "subtitle"),
    ]
    facts = [f"Organisation type: {esc((node.org_type or 'not recorded').replace('_', ' '))}",
             f"Sector: {esc(node.sector or 'not recorded')}",
             f"Anchor institution: {'yes' if node.is_anchor else 'no'}"]
    story.append(paragraph(" · ".join(facts), "small"))
    story.append(paragraph("Key figures", "h1"))
    rows = []
    for f in figures:
        how = FIGURES[f["figure"]][1]
        value = f["value"]
        if value and how == "pct":
            value = fmt_pct(float(value))
        kept_back = f["percentile"] is None and value and value not in ("0",) and (
            FIGURES[f["figure"]][2] or f["figure"] == "areas_reached")
        rows.append([f["description"], value or "not recorded",
                     WITHHELD if kept_back else "" if f["percentile"] is None else f"{f['percentile']:.0f}",
                     f["organisations_compared"]])
    story.append(table(["Figure", "Value", "Percentile", "Organisations compared"], rows,
                       [8.0 * cm, 3.0 * cm, 2.4 * cm, 3.4 * cm]))
    story.append(paragraph("A percentile of 80 means the organisation's figure is as high as or higher than 80% of "
                           "the organisations in this project that have the figure.", "small"))
    story.append(paragraph("Statements for a bid", "h1"))
    story.append(paragraph("Each sentence below stands on its own and can be pasted into an application.", "small"))
    for sentence in words:
        story.append(paragraph(esc(sentence), "quote"))
    story.append(PageBreak())
    story.append(paragraph("Reach", "h1"))
    layers = [
        PointLayer(place_points(project, "service", set(reached.get("services", ()))), "its services",
                   color="#41ab5d", edge="#00441b", size=24),
        PointLayer([(node.lon, node.lat)], node.label[:40], color="#d94801", marker="*", size=160,
                   edge="#7f2704"),
    ]
    view = protect_reach(reach_counts(project, reached.get("young_people", ())))
    bands = view.bands or {}
    png = area_map_png(project, None, categories=bands, palette=REACH_PALETTE, layers=layers)
    story.append(KeepTogether([image(png, 15.5)]))
    n_areas = len(bands)
    if view.bands is None:
        story.append(paragraph("The areas reached are not shaded: with so few young people, the map and the "
                               "figures together would show how many live in an area. Young people themselves "
                               "are not shown.", "small"))
    elif REACHED in bands.values():
        story.append(paragraph(f"Shaded: the {n_areas} area{'s' if n_areas != 1 else ''} where the young people it "
                               "reaches live (not by how many: with the total, that would give a small count "
                               "back). Young people themselves are not shown.", "small"))
    else:
        story.append(paragraph(f"Shaded: the {n_areas} area{'s' if n_areas != 1 else ''} where the young people it "
                               "reaches live, by how many live there (1 to 4 shown together as &lt;5). Young "
                               "people themselves are not shown.", "small"))
    story.append(paragraph("Methods and sources", "h1"))
    story += bullets([
        "An organisation <b>reaches</b> a young person through a tie to it (membership), through a service it "
        "provides (attendance), or through one of its staff (an adult it employs) who is the young person's "
        "youth worker or mentor.",
        "A young person is a <b>sole link</b> young person of an organisation when they have at least one linking "
        "tie and every one of them runs through that organisation (Szreter and Woolcock 2004 on linking social "
        "capital).",
        "Local employment share is local employees / all employees; local spend share is spend with local "
        "suppliers / all spend, as recorded for the organisation (after the anchor institution dashboards of "
        "CLES and Dubb, McKinley and Howard 2013).",
        "Percentile: the share of organisations in this project with a value less than or equal to this one "
        "(weak percentile rank), among those that have the figure.",
        f"Source: {esc(source) if source else 'the project'}; {len(project.nodes)} records and {len(project.ties)} "
        "ties. Counts of young people from 1 to 4 are shown as &lt;5; young people are never named.",
    ])
    return story


def write_evidence_pack(project: Project, org_id: str, path: str | os.PathLike, *, source: str | None = None) -> Path:
    """Write the evidence pack PDF for organisation ``org_id``."""
    from socialmap.errors import InputError, Problem
    from socialmap.reports.pdf import build_pdf

    node = project.nodes.get(org_id)
    if node is None or node.kind != "organisation":
        raise InputError(Problem(f"{org_id!r} is not an organisation of this project", field="org"))
    return build_pdf(path, evidence_story(project, org_id, source=source),
                     title=f"Anchor evidence pack: {node.label}", source=source)
