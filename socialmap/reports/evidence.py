"""The anchor evidence pack for one organisation: its figures and percentiles,
a one-page summary first (absolute figures beside shares, percentiles in exact words with
their comparison group named), statements in plain words ready to paste into a bid, a
labelled map of its reach, its Local Multiplier 3 when one is saved, the user's own social
value measures, and its methods and sources (SPEC sections 1 and 3; issue 19); plus the
figures as CSV.

The figures are those of :func:`socialmap.analysis.anchor_presence`; each
percentile is the organisation's percentile rank among the organisations of
the project that have the figure. Counts of young people of 1..4 are shown
as ``<5`` in the PDF, the statements and the CSV.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from socialmap import csvsafe
from socialmap.disclosure import REACHED, WITHHELD, ReachView, protect_reach
from socialmap.model.labels import value_label
from socialmap.model.project import Project
from socialmap.privacy import suppress
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


def evidence_figures(project: Project, org_id: str, view: ReachView | None = None) -> list[dict[str, Any]]:
    """One row per figure: ``figure``, ``description``, ``value`` (as shown, suppressed),
    ``percentile`` (0..100 or None) and ``organisations_compared``. ``view``: the
    organisation's :func:`reach_view`, when the caller has it."""
    from socialmap.analysis import anchor_presence

    frame = anchor_presence(project).organisations
    row = frame.loc[org_id]
    view = reach_view(project, org_id) if view is None else view
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
        w = csvsafe.writer(fh)  # every text cell formula-safe (socialmap.csvsafe)
        w.writerow(["organisation_id", "organisation", "figure", "description", "value", "percentile",
                    "organisations_compared"])
        for r in evidence_figures(project, org_id):
            w.writerow([org_id, node.label, r["figure"], r["description"],
                        r["value"], "" if r["percentile"] is None else r["percentile"], r["organisations_compared"]])
    return path


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 50th.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 50, 100)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '50th', '100th']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def comparison_group(compared: int, total: int) -> str:
    """The organisations a percentile compares with, named.

    >>> comparison_group(30, 30), comparison_group(28, 30), comparison_group(1, 1)
    ('the 30 organisations in this project', 'the 28 organisations in this project that record it', 'the 1 organisation in this project')
    """
    noun = "organisation" if compared == 1 else "organisations"
    tail = "" if compared >= total else " that record it"
    return f"the {compared} {noun} in this project{tail}"


def percentile_words(pct: float | None, compared: int, total: int) -> str:
    """A percentile in exact words, with its comparison group; '' when there is nothing to compare.

    The percentile is the weak percentile rank (the share of the organisations compared whose
    figure is less than or equal to this one), so the 50th percentile is the middle and the
    100th the highest.

    >>> percentile_words(50.0, 30, 30)
    '50th percentile among the 30 organisations in this project: the middle (as high as or higher than half of them)'
    >>> percentile_words(93.3, 30, 30)
    '93rd percentile among the 30 organisations in this project: as high as or higher than 93% of them'
    >>> percentile_words(100.0, 30, 30)
    'the highest among the 30 organisations in this project (100th percentile)'
    """
    if pct is None or compared < 2:
        return ""
    group = comparison_group(compared, total)
    # rounded down, never up: 99.7 is not the highest, and a figure is never made to look better
    n = int(math.floor(pct + 1e-9))
    if n >= 100:
        return f"the highest among {group} (100th percentile)"
    if n == 50:
        return f"50th percentile among {group}: the middle (as high as or higher than half of them)"
    return f"{ordinal(n)} percentile among {group}: as high as or higher than {n}% of them"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _areas_words(shown: str, what: str = "home area") -> str:
    """The number of areas reached in a sentence: a number, or ``<5`` / a band as words.

    >>> _areas_words("1"), _areas_words("3", "different home area"), _areas_words("<5")
    ('1 home area', '3 different home areas', 'fewer than five home areas')
    """
    if shown == "<5":
        return f"fewer than five {what}s"
    try:
        return _plural(int(float(shown or 0)), what)
    except ValueError:
        return f"{shown} {what}s"


def _people_words(shown: str) -> str:
    """A suppressed count of young people in a sentence: '<5' reads 'fewer than five young people'."""
    if shown == "<5":
        return "fewer than five young people"
    return "1 young person" if shown == "1" else f"{shown} young people"


def statements(project: Project, org_id: str, figures: list[dict[str, Any]] | None = None) -> list[str]:
    """Plain-words statements about the organisation, ready to paste into a bid (plain text):
    absolute figures beside shares, and the comparison group of each percentile named."""
    node = project.nodes[org_id]
    figures = figures or evidence_figures(project, org_id)
    by = {f["figure"]: f for f in figures}
    total = sum(1 for n in project.nodes.values() if n.kind == "organisation")
    name = node.label

    def rank(f: dict[str, Any]) -> str:
        words = percentile_words(f["percentile"], f["organisations_compared"], total)
        return f" ({words})" if words else ""

    out = []
    emp = by["local_employment_share"]
    if emp["value"] and node.employees_total:
        local = node.employees_local or 0
        out.append(f"{name} employs {fmt_number(node.employees_total)} people, of whom {fmt_number(local)} "
                   f"({fmt_pct(float(emp['value']))}) live locally{rank(emp)}.")
    spend = by["local_spend_share"]
    if spend["value"] and node.spend_total:
        out.append(f"£{fmt_number(node.spend_local or 0)} of {name}'s £{fmt_number(node.spend_total)} spend "
                   f"({fmt_pct(float(spend['value']))}) goes to local suppliers{rank(spend)}.")
    years = by["years_in_area"]
    if years["value"]:
        out.append(f"{name} has been part of the area for {years['value']} years{rank(years)}.")
    reached, areas = by["young_people_reached"], by["areas_reached"]
    if reached["value"] == WITHHELD:
        out.append(f"Through its own activities, its services and its staff, {name} reaches young people in this "
                   "project (how many is withheld: the numbers are small enough to identify them).")
    elif reached["value"] and reached["value"] != "0":
        # the areas are left out where the reach view shows them as <5 or withheld (socialmap.disclosure)
        where = "" if areas["value"] in ("<5", WITHHELD, "") else \
            f" living in {_areas_words(areas['value'], 'different home area')}"
        out.append(f"Through its own activities, its services and its staff, {name} reaches "
                   f"{_people_words(reached['value'])}{where}{rank(reached)}.")
    sole = by["sole_link_young_people"]
    if sole["value"] and sole["value"] != "0":
        who = _people_words(sole["value"])
        out.append(f"For {who}, {name} is the only link to any service or institution: without it they would "
                   "have none.")
    lm3 = (project.settings.get("lm3") or {}).get(org_id)
    if lm3:
        out.append(f"Every £1 of {name}'s income is worth £{lm3['lm3']:.2f} to the local economy over three rounds "
                   f"of spending (Local Multiplier 3, nef): of £{fmt_number(lm3['round1']['income_gbp'])}, "
                   f"£{fmt_number(round(lm3['round2']['total_gbp']))} is spent locally and a further "
                   f"£{fmt_number(round(lm3['round3']['total_gbp']))} re-spent locally by its suppliers and staff.")
    if not out:
        out.append(f"{name} has no recorded local employment, spend, years in the area or reach in this project yet.")
    return out


def _lm3_section(project: Project, org_id: str) -> list[Any]:
    from reportlab.lib.units import cm

    from socialmap.reports.pdf import bullets, paragraph, table

    out = [paragraph("Local Multiplier 3 (LM3)", "h1")]
    doc = (project.settings.get("lm3") or {}).get(org_id)
    if not doc:
        out.append(paragraph("No LM3 is recorded for this organisation. Fill the templates of "
                             "<b>socialmap lm3 template DIR</b> and run <b>socialmap lm3 P.gpkg --org "
                             f"{esc(org_id)} --spend spend.csv --supplier-survey F --staff-survey F --save</b>."))
        return out
    r1, r2, r3 = doc["round1"]["income_gbp"], doc["round2"], doc["round3"]

    def money(v: float) -> str:
        return f"£{fmt_number(round(v))}"

    rows = [
        ["Round 1", "Income (or the contract's value)", money(r1), "100%"],
        ["Round 2", f"Spent with local suppliers ({money(r2['suppliers_local_gbp'])} of "
                    f"{money(r2['suppliers_total_gbp'])} spent with suppliers)", money(r2["suppliers_local_gbp"]),
         fmt_pct(r2["suppliers_local_gbp"] / r1)],
        ["", f"Paid to staff who live locally ({money(r2['staff_local_gbp'])} of {money(r2['staff_total_gbp'])} "
             "of pay)", money(r2["staff_local_gbp"]), fmt_pct(r2["staff_local_gbp"] / r1)],
        ["Round 3", f"Re-spent locally by local suppliers ({r3['suppliers_surveyed']} of {r3['local_suppliers']} "
                    "surveyed)", money(r3["suppliers_gbp"]), fmt_pct(r3["suppliers_gbp"] / r1)],
        ["", f"Re-spent locally by local staff ({_plural(r3['staff_respondents'], 'survey respondent')})",
         money(r3["staff_gbp"]), fmt_pct(r3["staff_gbp"] / r1)],
        ["Total", "Rounds 1 + 2 + 3", money(r1 + r2["total_gbp"] + r3["total_gbp"]),
         fmt_pct((r1 + r2["total_gbp"] + r3["total_gbp"]) / r1)],
    ]
    out.append(paragraph(f"<b>LM3 = {doc['lm3']:.2f}</b>: every £1 of income is worth £{doc['lm3']:.2f} to the local "
                         f"economy over three rounds of spending. Local means {esc(doc['local'])}."))
    out.append(table(["Round", "What", "£", "Of round 1"], rows, [2.0 * cm, 9.6 * cm, 2.8 * cm, 2.2 * cm]))
    out.append(paragraph("LM3 = (round 1 + round 2 + round 3) / round 1 (Sacks 2002, <i>The Money Trail</i>, "
                         "New Economics Foundation).", "small"))
    out.append(paragraph("Caveats", "h2"))
    out += bullets([esc(c) for c in doc["caveats"]])
    return out


def _social_value_section(project: Project, org_id: str, measures: list[dict[str, Any]] | None) -> list[Any]:
    from reportlab.lib.units import cm

    from socialmap.reports.pdf import paragraph, table
    from socialmap.reports.social_value import EVIDENCE, social_value_rows

    out = [paragraph("Social value: your measures", "h1")]
    if not measures:
        out.append(paragraph("No social value measures were given. SocialMap bundles no proxy values (the National "
                             "TOMs values are licensed): write your own table with <b>socialmap lm3 template "
                             "DIR</b> (social_value_measures.csv) and give it with <b>--measures FILE</b>."))
        return out
    rows = social_value_rows(project, org_id, measures)
    body = []
    for r in rows:
        body.append([r["code"], r["description"] + (f" ({r['unit']})" if r["unit"] else ""),
                     r["quantity"] or "-", f"£{fmt_number(r['proxy_value_gbp'])}",
                     "-" if r["value_gbp"] is None else f"£{fmt_number(round(r['value_gbp']))}",
                     r["source"], r["note"]])
    total = sum(r["value_gbp"] for r in rows if r["value_gbp"] is not None)
    out.append(paragraph(f"The proxy values and their sources are <b>the user's own</b>, not SocialMap's; SocialMap "
                         f"supplies the quantities it can evidence and multiplies. Total of the measures valued: "
                         f"<b>£{fmt_number(round(total))}</b>."))
    out.append(table(["Code", "Measure", "Quantity", "Your value per unit", "Value", "Your source", "Note"], body,
                     [1.4 * cm, 4.2 * cm, 1.8 * cm, 2.0 * cm, 2.0 * cm, 2.8 * cm, 2.6 * cm], size=7.5))
    used = sorted({r["evidence"] for r in rows if r["evidence"]})
    if used:
        out.append(paragraph("Quantities: " + "; ".join(f"<b>{esc(k)}</b>: {esc(EVIDENCE[k][0])}" for k in used)
                             + ".", "small"))
    return out


def evidence_story(project: Project, org_id: str, *, source: str | None = None,
                   measures: list[dict[str, Any]] | None = None) -> list[Any]:
    """The pack's flowables: a one-page summary first, then reach (a labelled map), LM3, the
    user's social value measures, the figures with percentiles, and methods."""
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, PageBreak

    from socialmap.analysis import reach
    from socialmap.reports.maps import PointLayer, area_map_png, place_points
    from socialmap.reports.pdf import bullets, image, paragraph, table

    node = project.nodes[org_id]
    reached = reach(project, org_id)
    view = protect_reach(reach_counts(project, reached.get("young_people", ())))
    figures = evidence_figures(project, org_id, view)  # (the reach made once for the figures and the map)
    words = statements(project, org_id, figures)
    total = sum(1 for n in project.nodes.values() if n.kind == "organisation")
    story: list[Any] = [
        paragraph("Anchor evidence pack", "title"),
        paragraph(esc(node.label) + (f" — {esc(source)}" if source else ""), "subtitle"),
    ]
    facts = [f"Organisation type: {esc(value_label('org_type', node.org_type) or 'not recorded')}",
             f"Sector: {esc(value_label('sector', node.sector) or 'not recorded')}",
             f"Anchor institution: {'yes' if node.is_anchor else 'no'}"]
    story.append(paragraph(" · ".join(facts), "small"))
    # ---- page 1: the summary a panel reads first
    story.append(paragraph("Summary", "h1"))
    summary_rows = _summary_rows(project, org_id, figures, reached, total)
    story.append(table(["", "Figure", "Compared with the organisations in this project"], summary_rows,
                       [4.6 * cm, 5.2 * cm, 6.8 * cm], size=8.0))
    story.append(paragraph(f"Percentiles compare with {comparison_group(total, total)} (or those of them that "
                           "record the figure): the 68th percentile means a figure as high as or higher than that of "
                           "68% of them; the 50th is the middle, the 100th the highest.", "small"))
    story.append(paragraph("Statements for a bid", "h2"))
    for sentence in words:
        story.append(paragraph(esc(sentence), "quote"))
    story.append(PageBreak())
    # ---- reach
    story.append(paragraph("Where the young people it reaches live", "h1"))
    layers = [
        PointLayer(place_points(project, "service", set(reached.get("services", ()))), "its services",
                   color="#41ab5d", edge="#00441b", size=24),
        PointLayer([(node.lon, node.lat)], node.label[:40], color="#d94801", marker="*", size=160,
                   edge="#7f2704"),
    ]
    bands = view.bands or {}
    labels = {c: project.areas[c].name for c in bands}
    png = area_map_png(project, None, categories=bands, palette=REACH_PALETTE, layers=layers, labels=labels,
                       title=f"Reach of {node.label}")
    story.append(KeepTogether([image(png, 15.5)]))
    n_areas = len(bands)
    if view.bands is None:
        story.append(paragraph("The areas reached are not shaded: with so few young people, the map and the "
                               "figures together would show how many live in an area. Young people themselves "
                               "are not shown.", "small"))
    elif REACHED in bands.values():
        story.append(paragraph(f"Shaded and named: the {_plural(n_areas, 'home area')} where the young people it "
                               "reaches live (not by how many: with the total, that would give a small count "
                               "back). Young people themselves are not shown.", "small"))
    else:
        story.append(paragraph(f"Shaded and named: the {_plural(n_areas, 'home area')} of the young people it "
                               "reaches, by how many live there (1 to 4 are shown together as &lt;5). Young people "
                               "themselves are never shown.", "small"))
    story += _reach_table(project, bands)
    story.append(PageBreak())
    story += _lm3_section(project, org_id)
    story += _social_value_section(project, org_id, measures)
    story.append(PageBreak())
    # ---- figures and methods
    story.append(paragraph("Key figures and percentiles", "h1"))
    rows = []
    for f in figures:
        how = FIGURES[f["figure"]][1]
        value = f["value"]
        if value and how == "pct":
            value = fmt_pct(float(value))
        kept_back = f["percentile"] is None and value and value not in ("0",) and (
            FIGURES[f["figure"]][2] or f["figure"] == "areas_reached")
        rows.append([f["description"], value or "not recorded",
                     WITHHELD if kept_back else "" if f["percentile"] is None
                     else ordinal(int(math.floor(f["percentile"] + 1e-9))),
                     f["organisations_compared"]])
    story.append(table(["Figure", "Value", "Percentile", "Organisations compared"], rows,
                       [8.0 * cm, 3.0 * cm, 2.4 * cm, 3.4 * cm]))
    story.append(paragraph("A percentile of 80 means the organisation's figure is as high as or higher than that of "
                           "80% of the organisations in this project that have the figure; the 50th percentile is the "
                           "middle. A count shown as &lt;5 goes without its percentile (withheld), which would give it "
                           "back.", "small"))
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
        "LM3: the Local Multiplier 3 of the New Economics Foundation (Sacks 2002, <i>The Money Trail</i>), as CLES "
        "used it in Manchester and Preston; see the caveats in its section.",
        "Social value: the user's own measures and proxy values; SocialMap bundles none.",
        f"Source: {esc(source) if source else 'the project'}; {len(project.nodes)} records and {len(project.ties)} "
        "ties. Counts of young people from 1 to 4 are shown as &lt;5; young people are never named.",
    ])
    return story


def _summary_rows(project: Project, org_id: str, figures: list[dict[str, Any]], reached: dict[str, list[str]],
                  total: int) -> list[list[str]]:
    """The first page's table: each figure as an absolute beside its share, and its percentile in words."""
    node = project.nodes[org_id]
    by = {f["figure"]: f for f in figures}

    def rank(name: str) -> str:
        f = by[name]
        return percentile_words(f["percentile"], f["organisations_compared"], total) or "-"

    rows = []
    emp = by["local_employment_share"]
    if emp["value"] and node.employees_total:
        rows.append(["Local employment", f"{fmt_number(node.employees_local or 0)} of {fmt_number(node.employees_total)} "
                     f"staff live locally ({fmt_pct(float(emp['value']))})", rank("local_employment_share")])
    else:
        rows.append(["Local employment", "not recorded", "-"])
    spend = by["local_spend_share"]
    if spend["value"] and node.spend_total:
        rows.append(["Local spend", f"£{fmt_number(node.spend_local or 0)} of £{fmt_number(node.spend_total)} "
                     f"({fmt_pct(float(spend['value']))})", rank("local_spend_share")])
    else:
        rows.append(["Local spend", "not recorded", "-"])
    years = by["years_in_area"]
    rows.append(["Years in the area", years["value"] or "not recorded", rank("years_in_area")])
    yp, areas = by["young_people_reached"], by["areas_reached"]
    neet = sum(1 for y in reached["young_people"] if project.nodes[y].neet)
    if yp["value"] == WITHHELD or areas["value"] == WITHHELD:
        rows.append(["Young people reached", "withheld: the numbers are small enough to identify them", "-"])
    else:
        rows.append(["Young people reached", f"{yp['value'] or '0'}, of whom {suppress(neet)} NEET, living in "
                     f"{_areas_words(areas['value'])}", rank("young_people_reached")])
    rows.append(["Only institutional link for", _people_words(by["sole_link_young_people"]["value"] or "0"),
                 rank("sole_link_young_people")])
    lm3 = (project.settings.get("lm3") or {}).get(org_id)
    rows.append(["Local Multiplier 3", f"{lm3['lm3']:.2f} (£{fmt_number(round(lm3['round1']['income_gbp']))} in, "
                 f"£{fmt_number(round(lm3['round1']['income_gbp'] + lm3['round2']['total_gbp'] + lm3['round3']['total_gbp']))} "
                 "over three rounds)" if lm3 else "not recorded (socialmap lm3 --save)", "-"])
    return rows


def _reach_table(project: Project, bands: dict[str, str]) -> list[Any]:
    """The home areas reached, named, each with its class on the map (a band such as ``<5 young
    people`` or ``5–9``, or ``reached``): never more than the map shows (socialmap.disclosure)."""
    from reportlab.lib.units import cm

    from socialmap.reports.pdf import paragraph, table

    if not bands:
        return []
    rank = {band: i for i, band in enumerate(REACH_PALETTE)}
    order = sorted(bands, key=lambda c: (-rank.get(bands[c], 0), project.areas[c].name))
    rows = [[project.areas[c].name, c, bands[c]] for c in order[:40]]
    out = [paragraph("Home areas reached", "h2"),
           table(["Area", "Code", "Young people reached who live there"], rows, [6.5 * cm, 3.0 * cm, 6.5 * cm])]
    if len(order) > 40:
        out.append(paragraph(f"40 of the {len(order)} areas reached, those with most young people first.", "small"))
    return out


def write_evidence_pack(project: Project, org_id: str, path: str | os.PathLike, *, source: str | None = None,
                        measures: list[dict[str, Any]] | None = None) -> Path:
    """Write the evidence pack PDF for organisation ``org_id``."""
    from socialmap.errors import InputError, Problem
    from socialmap.reports.pdf import build_pdf

    node = project.nodes.get(org_id)
    if node is None or node.kind != "organisation":
        raise InputError(Problem(f"{org_id!r} is not an organisation of this project", field="org"))
    if measures is None:
        measures = project.settings.get("social_value_measures") or None
    return build_pdf(path, evidence_story(project, org_id, source=source, measures=measures),
                     title=f"Anchor evidence pack: {node.label}", source=source)
