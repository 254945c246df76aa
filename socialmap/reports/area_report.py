"""The area and hotspot report: where young people, and NEET young people, are
isolated, and where that clusters (SPEC sections 1 and 3).

Contents: a summary in plain words, a map of the NEET isolation rate with the
Gi* hotspots outlined and the services and anchors marked, a map of the Gi
bins (hot and cold spots at 99, 95 and 90% confidence), the hotspot table,
the table of every area, and a methods appendix written from the results
themselves (how Gi* was run, with which weights, permutations and seed).
Figures follow :mod:`socialmap.disclosure`: counts of young people of 1..4
read ``<5``, the figures that would give them back read ``withheld``, and Gi*
is computed on public rates.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from socialmap.disclosure import (
    GI_BINS,
    GI_COLOURS,
    WITHHELD,
    gi_label,
    hot_spot_reason,
    protect_areas,
    public_totals,
)
from socialmap.model.labels import FIELD_LABELS, field_label, group_key_label
from socialmap.model.project import Project
from socialmap.privacy import suppress
from socialmap.reports.pdf import esc, fmt_pct

#: At most this many rows in the table of all areas (sorted by NEET isolation rate).
MAX_AREA_ROWS = 60


def _two(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{float(value):.{digits}f}"


#: Colours of the Gi bins on the map, by label.
GI_PALETTE = {GI_BINS[b][0]: GI_COLOURS[b] for b in (3, 2, 1, 0, -1, -2, -3)}


def _hotspot_codes(hot) -> list[str]:
    if hot is None:
        return []
    flags = hot.areas["hotspot"]
    return [c for c, f in zip(hot.areas.index.tolist(), flags.tolist(), strict=False) if f is True or f == True]  # noqa: E712


def _rate(value: Any, disclosure, code: str) -> str:
    if disclosure.withheld(code, "neet_isolation_rate"):
        return WITHHELD
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else fmt_pct(value)


def _derived(value: Any, disclosure, code: str, column: str) -> str:
    return WITHHELD if disclosure.withheld(code, column) else _two(value)


def area_report_story(project: Project, *, source: str | None = None) -> list[Any]:
    """The flowables of the report (for :func:`write_area_report`)."""
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak

    from socialmap.interchange.layers import area_results, public_areas
    from socialmap.reports.maps import PointLayer, area_map_png, place_points
    from socialmap.reports.pdf import bullets, image, paragraph, table

    analysis, hot = area_results(project)
    disclosure = protect_areas(analysis.areas)
    areas = public_areas(project, analysis, hot)
    raw = analysis.areas
    hot_codes = _hotspot_codes(hot)
    names = {c: a.name for c, a in project.areas.items()}
    # "a withheld number (of)" where secondary suppression keeps a total back
    totals = {k: (("a withheld number of" if k in ("young_people", "isolated") else "a withheld number")
                  if v == WITHHELD else f"<b>{esc(v)}</b>")
              for k, v in public_totals(raw, disclosure).items()}
    yp_total, neet_total = totals["young_people"], totals["neet"]
    iso_total, neet_iso_total = totals["isolated"], totals["neet_isolated"]
    story: list[Any] = [
        paragraph("Area and hotspot report", "title"),
        paragraph(f"NEET isolation by area{(' — ' + esc(source)) if source else ''}", "subtitle"),
        paragraph("Summary", "h1"),
    ]
    exact = {k: int(raw[k].sum()) for k in ("neet", "neet_isolated")}
    rate_total = (exact["neet_isolated"] / exact["neet"]
                  if exact["neet"] and all(t.strip("<b>/").isdigit() for t in (neet_total, neet_iso_total)) else None)
    key = analysis.group_by
    group_word = {"area_code": "area", "community": "community"}.get(key, f"group by {esc(group_key_label(key))}")
    summary = [
        f"The project covers <b>{len(project.areas)}</b> areas and {yp_total} young people, "
        f"of whom {neet_total} are not in education, employment or training (NEET).",
        f"{iso_total[0].upper() + iso_total[1:]} young people are <i>isolated</i>: they have no bridging tie (to "
        f"someone outside their own {group_word}) and no linking tie (to a service, organisation, youth worker or "
        f"mentor). Of the NEET young people, {neet_iso_total} are isolated"
        + (f" ({fmt_pct(rate_total)})." if rate_total is not None else "."),
    ]
    if hot is None:
        summary.append("Hotspots were not computed: the project has fewer than two areas.")
    elif hot_codes:
        listed = ", ".join(f"{esc(names[c])} ({esc(c)})" for c in hot_codes[:8])
        more = f" and {len(hot_codes) - 8} more" if len(hot_codes) > 8 else ""
        n_hot = len(hot_codes)
        summary.append(f"<b>{n_hot}</b> area{'s are' if n_hot != 1 else ' is a'} NEET isolation "
                       f"<b>hotspot{'s' if n_hot != 1 else ''}</b> (hot spot at 95% or 99% confidence, Getis–Ord "
                       f"Gi*): where high isolation among NEET young people clusters with high isolation next "
                       f"door: {listed}{more}.")
    else:
        summary.append("No area is a NEET isolation hotspot at 95% confidence or more (Getis–Ord Gi*).")
    story += bullets(summary)

    rate = {c: v for c, v in zip(areas.index.tolist(), areas["neet_isolation_rate"].tolist(), strict=False)}
    layers = [
        PointLayer(place_points(project, "service"), "service", color="#41ab5d", edge="#00441b", size=18),
        PointLayer(place_points(project, "organisation", anchors_only=True), "anchor organisation",
                   color="#2171b5", marker="s", size=30),
    ]
    story.append(paragraph("Where NEET young people are isolated", "h1"))
    story.append(image(area_map_png(project, rate, title="NEET isolation rate by area",
                                    legend="NEET isolation rate (share of NEET young people isolated)",
                                    vmin=0.0, vmax=1.0, outline=set(hot_codes), outline_label="hotspot (Gi*)",
                                    layers=layers), 16.5))
    story.append(paragraph("Grey hatched areas have no NEET young people, or between 1 and 4 isolated NEET young "
                           "people, whose rate is withheld so that the count cannot be worked out.", "small"))
    if hot is not None:
        bins = {c: gi_label(b) for c, b in zip(hot.areas.index.tolist(), hot.areas["gi_bin"].tolist(), strict=False)
                if b is not None}
        story.append(PageBreak())
        story.append(paragraph("Where isolation clusters: hot and cold spots", "h1"))
        story.append(image(area_map_png(project, None, categories=bins, palette=GI_PALETTE,
                                        title="Hot and cold spots of NEET isolation (Getis–Ord Gi*)",
                                        legend="Getis–Ord Gi* of the NEET isolation rate",
                                        missing_label="no Gi* (see the methods)"), 15.0))
        story.append(paragraph("A hot spot is an area where NEET isolation is high and is high in the neighbouring "
                               "areas too, more than chance would often give; a cold spot the same for low "
                               "isolation. The confidence says how rarely chance alone would cluster it so. "
                               "An area can be a hot spot with a rate of 0 when its neighbours' rates are high.",
                               "small"))
        story.append(paragraph("Hotspot areas", "h2"))
        if hot_codes:
            rows = []
            for c in hot_codes:
                # a withheld rate is not said to be 0 (socialmap.disclosure)
                note = "" if disclosure.withheld(c, "neet_isolation_rate") else \
                    hot_spot_reason(hot.areas.at[c, "gi_bin"], raw.at[c, "neet_isolation_rate"])
                rows.append([c, names[c], bins.get(c, ""), areas.at[c, "neet"], areas.at[c, "neet_isolated"],
                             _rate(areas.at[c, "neet_isolation_rate"], disclosure, c), note])
            story.append(table(["Code", "Area", "Class", "NEET", "NEET isolated", "Rate", "Note"], rows,
                               [2.0 * cm, 3.6 * cm, 3.6 * cm, 1.3 * cm, 1.9 * cm, 1.5 * cm, 3.0 * cm]))
        else:
            story.append(paragraph("None at 95% confidence or more."))

    story.append(PageBreak())
    story.append(paragraph("Every area", "h1"))
    order = areas.assign(_r=areas["neet_isolation_rate"].fillna(-1)).sort_values(["_r"], ascending=False)
    shown = order.index.tolist()[:MAX_AREA_ROWS]
    rows = []
    for c in shown:
        r = areas.loc[c]
        rows.append([c, names[c], r["young_people"], r["neet"], r["isolated"], r["neet_isolated"],
                     _rate(r["neet_isolation_rate"], disclosure, c),
                     _derived(r["mean_bridging"], disclosure, c, "mean_bridging"),
                     _derived(r["mean_linking"], disclosure, c, "mean_linking"),
                     _derived(r["eet_connectedness"], disclosure, c, "eet_connectedness"),
                     _two(r["nearest_service_km"], 1), "yes" if c in hot_codes else ""])
    story.append(table(["Code", "Area", "Young people", "NEET", "Isolated", "NEET isol.", "Rate", "Bridging",
                        "Linking", "EET conn.", "Service km", "Hotspot"], rows,
                       [1.9 * cm, 2.9 * cm, 1.35 * cm, 1.0 * cm, 1.1 * cm, 1.1 * cm, 1.15 * cm, 1.2 * cm, 1.1 * cm,
                        1.1 * cm, 1.25 * cm, 1.05 * cm], size=7.0))
    story.append(paragraph("Bridging and linking: mean ties per young person. EET conn.: EET connectedness of NEET "
                           "young people. Service km: distance to the nearest service.", "small"))
    if len(order) > MAX_AREA_ROWS:
        story.append(paragraph(f"The {MAX_AREA_ROWS} areas with the highest NEET isolation rate of {len(order)}; "
                               "export csv gives them all.", "small"))
    story.append(PageBreak())
    story += opportunity_section(project, analysis, areas, names)
    story.append(PageBreak())
    story += methods_appendix(project, analysis, hot, source)
    return story


def opportunity_section(project: Project, analysis, areas, names: dict[str, str]) -> list[Any]:
    """Access to opportunity: NEET young people with an opportunity within two hops, by area,
    and the services' exposure and friending bias (docs/measures.md section 6)."""
    from reportlab.lib.units import cm

    from socialmap.analysis.opportunity import service_figures_withheld
    from socialmap.reports.pdf import paragraph, table

    out = [paragraph("Access to opportunity", "h1"),
           paragraph("Whether NEET young people's networks reach someone in work, an employer, a school or a "
                     "college directly or through one person (a friend's parent in work, a club's youth worker).")]
    with_neet = [c for c in areas.index.tolist() if analysis.areas.at[c, "neet"] > 0]
    if with_neet:
        rows = [[c, names[c], areas.at[c, "neet"], areas.at[c, "neet_with_opportunity"],
                 fmt_pct(areas.at[c, "neet_opportunity_share"])] for c in with_neet[:MAX_AREA_ROWS]]
        out.append(table(["Code", "Area", "NEET", "NEET with an opportunity", "Share"], rows,
                         [2.2 * cm, 5.0 * cm, 1.8 * cm, 4.2 * cm, 2.0 * cm]))
        out.append(paragraph("Share: withheld (n/a) where 1 to 4 NEET young people have an opportunity within two "
                             "hops. Areas with no NEET young person are left out.", "small"))
    else:
        out.append(paragraph("No area has a NEET young person."))
    services = analysis.services
    out.append(paragraph("Which services bring NEET and EET young people together", "h2"))
    out.append(paragraph("Exposure: the share of EET young people among those a NEET attendee meets there. "
                         "Friending bias: 1 minus the share of NEET attendees' friendships made there that reach EET "
                         "young people, over that exposure; 0 is as often as they meet, 1 never (after Chetty et al. "
                         "2022b, Nature 608).", "small"))
    rows = []
    for sid, r in (services.iterrows() if services is not None else ()):
        hidden = service_figures_withheld(int(r["neet_attendees"]), int(r["eet_attendees"]))

        def shown(value: Any, hidden: bool = hidden) -> str:
            return "withheld" if hidden and not math.isnan(value) else _two(value)

        # table() escapes every cell itself
        rows.append([project.nodes[sid].label, suppress(r["attendees"]), suppress(r["neet_attendees"]),
                     shown(r["exposure"]), shown(r["friending_bias"]),
                     r["reason"] if isinstance(r["reason"], str) else ""])
    if rows:
        out.append(table(["Service", "Attendees", "NEET", "Exposure", "Friending bias", "Note"], rows[:MAX_AREA_ROWS],
                         [4.4 * cm, 1.7 * cm, 1.2 * cm, 1.7 * cm, 2.0 * cm, 6.0 * cm], size=7.0))
        out.append(paragraph("Withheld: the service's NEET or EET attendees number 1 to 4, which the figures with the "
                             "attendance would give back.", "small"))
    else:
        out.append(paragraph("The project has no services."))
    return out


def _source_words(source: str | None) -> str:
    """Where the data came from, for the methods: a project file, else what the window calls the project
    (the bundled sample), else that it is not saved yet."""
    if not source:
        return "Project not yet saved to a file"
    if source.lower().endswith((".gpkg", ".smx")):
        return f"Project file {esc(source)}"
    return f"Project: {esc(source)}"


def variable_words(variable: str) -> str:
    """The Gi* variable of a hotspot method in words: 'neet_isolation_rate (null as 0)' reads
    'the NEET isolation rate (an area without NEET young people counts as 0)'.

    >>> variable_words("neet_isolation_rate (null as 0)")
    'the NEET isolation rate (an area without NEET young people counts as 0)'
    """
    name, _, rest = str(variable).partition(" ")
    rest = rest.replace("(null as 0)", "(an area without NEET young people counts as 0)")
    return f"the {field_label(name)}" + (f" {rest}" if rest else "") if name in FIELD_LABELS else str(variable)


def methods_appendix(project: Project, analysis, hot, source: str | None) -> list[Any]:
    """How every figure in the report was made, from the results themselves."""
    from socialmap.reports.pdf import bullets, paragraph

    counts = project.counts()
    out = [paragraph("Methods and sources", "h1"), paragraph("Data", "h2")]
    out += bullets([
        f"{_source_words(source)}: {counts['areas']} areas, "
        f"{counts['nodes_by_kind']['organisation']} organisations, {counts['nodes_by_kind']['service']} services, "
        f"{counts['nodes_by_kind']['adult']} adults, {esc(public_totals(analysis.areas)['young_people'])} young people "
        f"and {counts['ties']} ties.",
        f"Bonding and bridging are judged by the group key <b>{esc(group_key_label(analysis.group_by))}</b> (the home "
        "area unless chosen otherwise). Distances are measured in "
        + (esc(analysis.metric_crs) if getattr(analysis, "metric_crs", None) else "a metric projection") + ".",
    ])
    out.append(paragraph("Measures", "h2"))
    out += bullets([
        "<b>Tie classes</b> (Putnam 2000; Szreter and Woolcock 2004): a <i>linking</i> tie joins a person to an "
        "organisation or service, or is a mentor or worker relationship; of the other person-to-person ties, "
        "<i>bonding</i> ones stay within a group and <i>bridging</i> ones cross groups.",
        "<b>Isolated</b>: a young person with no bridging and no linking tie. The <b>NEET isolation rate</b> of an "
        "area is the share of its NEET young people who are isolated.",
        "<b>EET connectedness</b> (after Chetty et al. 2022, Nature 608): twice the mean share of a NEET young "
        "person's friend and peer ties that reach a young person in education, employment or training; 1 means as "
        "often as not.",
        "<b>Nearest service</b>: straight-line distance from the area's centroid to the nearest service.",
    ])
    out.append(paragraph("Hotspots", "h2"))
    if hot is None:
        out.append(paragraph("Not computed: Gi* compares an area with its neighbours and needs at least two areas."))
    else:
        m = hot.method
        out += bullets([
            f"Statistic: {esc(m['statistic'])} (Getis and Ord 1992; Ord and Getis 1995) of "
            f"{esc(variable_words(m['variable']))}.",
            f"Spatial weights: {esc(m['weights'])}.",
            f"Inference: {m['permutations']} conditional permutations with random seed {m['seed']}. Classes: hot "
            "or cold spot at 99% confidence (pseudo p &lt; 0.01), 95% (p &lt; 0.05) or 90% (p &lt; 0.10), else not "
            "significant; a hotspot is a hot spot at 95% or more. The same project always gives the same result.",
            "Gi* here is computed on the published rates: a withheld rate enters as the midpoint of the range it "
            "could take given the published counts, so that the classes cannot give it back.",
        ] + ([f"Areas with no neighbour (islands), which have no Gi*: {esc(', '.join(m['islands']))}."]
             if m.get("islands") else []))
    out.append(paragraph("Privacy", "h2"))
    out += bullets([
        "Counts of young people from 1 to 4 are shown as &lt;5. A figure from which such a count could be worked "
        "out reads <i>withheld</i>: a rate or mean made of it, and a count kept back so that the totals cannot "
        "give it back by subtraction (secondary suppression). docs/privacy.md gives the rules.",
        "Young people are never named: maps show areas, not people.",
    ])
    return out


def write_area_report(project: Project, path: str | os.PathLike, *, source: str | None = None) -> Path:
    """Write the area and hotspot report as a PDF."""
    from socialmap.reports.pdf import build_pdf

    return build_pdf(path, area_report_story(project, source=source), title="Area and hotspot report", source=source)
