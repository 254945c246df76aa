"""The change report: what happened to each area's social capital between two states of
the network, for a commissioner ("what happened in the year after service X was
re-tendered"; issue 18).

Contents: the two sides and, when a saved scenario is given, the change it described;
the headline changes (young people, isolation, ties lost and gained by class); the areas
where the observed change passes the scenario thresholds, with the reasons; maps of mean
linking ties per young person before and after on one scale, and difference maps of the
change in mean linking and mean bridging ties (a diverging scale centred on no change,
services that went marked); every changed area; the scenario's predicted losses against
the observed ones with retention and context survival estimated from what happened;
methods.

Counts of young people between 1 and 4 read ``<5`` and a change made from such a count is
withheld, as in every report; no young person is named.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from socialmap.privacy import suppress
from socialmap.reports.pdf import esc, fmt_number

WITHHELD = "withheld"


def _count_change(row, name: str) -> str:
    b, a = row[f"{name}_before"], row[f"{name}_after"]
    if any(isinstance(x, float) and math.isnan(x) for x in (b, a)):
        return f"{suppress(b) or '-'} → {suppress(a) or '-'}"
    shown = not (1 <= int(b) <= 4 or 1 <= int(a) <= 4)
    change = f" ({int(a - b):+d})" if shown else f" ({WITHHELD})"
    return f"{suppress(b)} → {suppress(a)}{change}"


def _signed(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{float(value):+.{digits}f}"
    return "0.00" if float(text) == 0 else text


def _services(project) -> set[str]:
    return {n.id for n in project.nodes.values() if n.kind == "service"}


def change_story(before, after, change, check=None) -> list[Any]:
    """The report's flowables. ``before``/``after`` are :class:`socialmap.change.Side` objects,
    ``change`` their :class:`~socialmap.change.ChangeResult`, ``check`` an optional
    :class:`~socialmap.change.PredictionCheck`."""
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak

    from socialmap.change.compare import reasons_for
    from socialmap.reports.maps import PointLayer, area_map_png, place_points
    from socialmap.reports.pdf import bullets, image, paragraph, table
    from socialmap.reports.scenario_report import describe_change

    areas, s, th = change.areas, change.summary, change.thresholds
    names = change.area_names
    map_project = after.project if len(after.project.areas) else before.project
    story: list[Any] = [paragraph("Change report", "title")]
    if check is not None:
        story.append(paragraph(f"What happened after “{esc(check.scenario.name)}”", "subtitle"))
    else:
        story.append(paragraph("What happened to young people's ties between two dates", "subtitle"))
    story.append(paragraph("What is compared", "h1"))
    story += bullets([f"<b>Before</b>: {esc(before.label)}" + (f" (snapshot “{esc(before.snapshot)}”)"
                                                                if before.snapshot else ""),
                      f"<b>After</b>: {esc(after.label)}" + (f" (snapshot “{esc(after.snapshot)}”)"
                                                              if after.snapshot else "")])
    if check is not None:
        story.append(paragraph("The change that was planned", "h2"))
        story += bullets([esc(describe_change(before.project, c)) for c in check.scenario.changes])

    lost, gained = s["ties_lost_by_class"], s["ties_gained_by_class"]
    flagged = [c for c in areas.index if areas.at[c, "flagged"]]
    story.append(paragraph("What happened", "h1"))
    story += bullets([
        f"Young people recorded: <b>{suppress(s['young_people_before'])}</b> before, "
        f"<b>{suppress(s['young_people_after'])}</b> after; isolated (no bridging or linking tie): "
        f"{suppress(s['isolated_before'])} → {suppress(s['isolated_after'])}, NEET and isolated "
        f"{suppress(s['neet_isolated_before'])} → {suppress(s['neet_isolated_after'])}.",
        f"<b>{suppress(s['newly_isolated']) or '0'}</b> young people became isolated (of them NEET: "
        f"{suppress(s['newly_isolated_neet']) or '0'}); {suppress(s['no_longer_isolated']) or '0'} are no longer isolated.",
        f"Ties lost: <b>{lost['bridging']}</b> bridging, <b>{lost['linking']}</b> linking, {lost['bonding']} bonding, "
        f"{lost['institutional']} between organisations. Ties gained: {gained['bridging']} bridging, "
        f"{gained['linking']} linking, {gained['bonding']} bonding.",
        f"<b>{len(flagged)}</b> of {len(areas)} areas pass the scenario thresholds: at least "
        f"{th.newly_isolated_neet:g} NEET young person newly isolated, bridging ties down by at least "
        f"{th.bridging_loss_pct:g}%, or the nearest service farther away and beyond {th.nearest_service_km:g} km.",
    ])
    story.append(paragraph("Areas that pass the thresholds", "h2"))
    if flagged:
        rows = [[c, names.get(c, c), "; ".join(reasons_for(areas.loc[c], th, suppressed=True))] for c in flagged]
        story.append(table(["Code", "Area", "Why"], rows, [2.2 * cm, 4.0 * cm, 10.8 * cm]))
    else:
        story.append(paragraph("No area passes a threshold."))

    gone = _services(before.project) - _services(after.project)
    gone_points = place_points(before.project, "service", gone)
    kept_points = place_points(after.project, "service", _services(after.project))
    linking_b = areas["mean_linking_before"].to_dict()
    linking_a = areas["mean_linking_after"].to_dict()
    hi = max([v for v in [*linking_b.values(), *linking_a.values()] if not math.isnan(v)] or [1.0])
    same = dict(vmin=0.0, vmax=float(max(hi, 0.1)), legend="linking ties per young person", cmap="PuBu",
                width_in=5.2)
    story.append(PageBreak())
    story.append(paragraph("Before and after", "h1"))
    story.append(paragraph("Mean linking ties per young person (to services, organisations, youth workers and "
                           "mentors) in each area, before and after, on the same scale.", "small"))
    story.append(image(area_map_png(map_project, linking_b, title="Before", **same), 12.5))
    story.append(image(area_map_png(map_project, linking_a, title="After", outline=set(flagged),
                                    outline_label="passes a threshold", layers=[
        PointLayer(kept_points, "service", color="#41ab5d", edge="#00441b", size=14),
        PointLayer(gone_points, "service that went", color="#cb181d", marker="X", size=60, edge="#67000d")],
        **same), 12.5))
    story.append(PageBreak())
    story.append(paragraph("Difference", "h1"))
    story.append(paragraph("Change in mean linking and mean bridging ties per young person, after minus before: "
                           "red where ties were lost, blue where they were gained, white for no change.", "small"))
    for name, title in (("mean_linking_change", "Change in linking ties per young person"),
                        ("mean_bridging_change", "Change in bridging ties per young person")):
        values = areas[name].to_dict()
        top = max([abs(v) for v in values.values() if not math.isnan(v)] or [0.0])
        top = max(top, 0.05)
        story.append(image(area_map_png(map_project, values, title=title, vmin=-top, vmax=top, cmap="RdBu",
                                        legend="after − before", outline=set(flagged),
                                        outline_label="passes a threshold", width_in=5.2), 12.5))

    story.append(PageBreak())
    story.append(paragraph("Every area that changed", "h1"))
    changed = [c for c in areas.index if areas.at[c, "flagged"]
               or any(areas.at[c, f"{p}_{k}"] for p in ("lost", "gained") for k in ("bonding", "bridging", "linking"))
               or areas.at[c, "newly_isolated"] or areas.at[c, "no_longer_isolated"]]
    rows = []
    for c in changed:
        r = areas.loc[c]
        rows.append([c, names.get(c, c), _count_change(r, "young_people"), _count_change(r, "isolated"),
                     suppress(r["newly_isolated"]) or "0", suppress(r["no_longer_isolated"]) or "0",
                     f"{int(r['lost_bridging'])} / {int(r['gained_bridging'])}",
                     f"{int(r['lost_linking'])} / {int(r['gained_linking'])}",
                     f"{int(r['lost_bonding'])} / {int(r['gained_bonding'])}",
                     f"{fmt_number(r['nearest_service_km_before'], 1)} → {fmt_number(r['nearest_service_km_after'], 1)}",
                     "yes" if r["flagged"] else ""])
    if rows:
        story.append(table(["Code", "Area", "Young people", "Isolated", "Newly isolated", "No longer",
                            "Bridging lost / gained", "Linking lost / gained", "Bonding lost / gained",
                            "Nearest service km", "Passes"], rows,
                           [1.6 * cm, 2.6 * cm, 1.9 * cm, 1.9 * cm, 1.3 * cm, 1.2 * cm, 1.5 * cm, 1.5 * cm, 1.5 * cm,
                            1.8 * cm, 1.1 * cm]))
    else:
        story.append(paragraph("No area changed."))

    if check is not None:
        from socialmap.scenarios.impact import one_decimal

        story.append(PageBreak())
        story.append(paragraph("Predicted against observed", "h1"))
        story.append(paragraph("The scenario's expected losses (computed on the network before) beside the losses "
                               "observed. A ratio near 1 means the scenario's assumptions matched what happened; the "
                               "observed losses include everything that ended, not only what the change caused.",
                               "small"))
        rows = []
        for c, r in check.areas.iterrows():
            if not any(r[f"predicted_{m}"] > 1e-9 or r[f"observed_{m}"] > 0
                       for m in ("lost_bonding", "lost_bridging", "lost_linking", "newly_isolated")):
                continue
            iso = r["observed_newly_isolated"]
            iso_shown = not 1 <= int(iso) <= 4
            rows.append([c, names.get(c, c),
                         f"{one_decimal(r['predicted_lost_bridging'])} / {int(r['observed_lost_bridging'])}",
                         fmt_number(r["ratio_lost_bridging"], 2),
                         f"{one_decimal(r['predicted_lost_linking'])} / {int(r['observed_lost_linking'])}",
                         fmt_number(r["ratio_lost_linking"], 2),
                         f"{one_decimal(r['predicted_newly_isolated'])} / {suppress(iso) or '0'}",
                         fmt_number(r["ratio_newly_isolated"], 2) if iso_shown else WITHHELD])
        if rows:
            story.append(table(["Code", "Area", "Bridging lost: predicted / observed", "Ratio",
                                "Linking lost: predicted / observed", "Ratio",
                                "Newly isolated: predicted / observed", "Ratio"], rows,
                               [1.6 * cm, 3.0 * cm, 2.4 * cm, 1.3 * cm, 2.4 * cm, 1.3 * cm, 2.6 * cm, 1.4 * cm]))
        t = check.summary
        story += bullets([
            f"In total: linking ties {one_decimal(t['predicted_lost_linking'])} expected, "
            f"{t['observed_lost_linking']:g} lost; bridging {one_decimal(t['predicted_lost_bridging'])} expected, "
            f"{t['observed_lost_bridging']:g} lost; bonding {one_decimal(t['predicted_lost_bonding'])} expected, "
            f"{t['observed_lost_bonding']:g} lost."])
        story.append(paragraph("What this history says about the assumptions", "h2"))
        lines = []
        for key, what in (("retention", "staff moved by the transfer who kept their youth work or mentoring ties"),
                          ("context_survival", "ties made at a place that went that are still in force")):
            e = check.calibration[key]
            assumed = "" if e["assumed"] is None else f"; the scenario assumed {e['assumed']:g}"
            if e["cases"]:
                lines.append(f"<b>{key.replace('_', ' ').capitalize()}</b>: {e['estimate']:.2f} — {e['successes']} "
                             f"of {e['cases']} {what} (standard error {e['standard_error']:.2f}{assumed}).")
            else:
                lines.append(f"<b>{key.replace('_', ' ').capitalize()}</b>: no cases in this change{assumed}.")
        story += bullets(lines)
        story.append(paragraph("An estimate from a few cases is weak evidence; use it for the project's defaults "
                               "only over several changes.", "small"))

    story.append(PageBreak())
    story.append(paragraph("Methods", "h1"))
    story += bullets([
        "Each side is the network of one day: the ties in force on that date (a tie is in force from its start date, "
        "inclusive, to its end date, exclusive: a tie that ended on the date no longer counts), or a snapshot saved "
        "in the project.",
        "A tie is <b>lost</b> when it is in force before and not after (classed as it was before), <b>gained</b> "
        "the other way round (classed as after). Area figures count a tie once for each of its young people's home "
        "areas, as in the scenario report.",
        "A young person is <b>newly isolated</b> when they are on both sides, had a bridging or linking tie before "
        "and have neither after; they are counted in their home area after. NEET as recorded before.",
        f"Thresholds (the project's scenario settings): newly isolated NEET ≥ {th.newly_isolated_neet:g}; bridging "
        f"ties lost ≥ {th.bridging_loss_pct:g}% of the area's bridging ties before; nearest service farther away and "
        f"beyond {th.nearest_service_km:g} km.",
        "Counts of 1 to 4 young people are shown as <5 and a change made from such a count is withheld; young "
        "people are never named.",
    ])
    return story


def write_change_report(before, after, change, path: str | os.PathLike, check=None) -> Path:
    """Write the change report (PDF) of two :class:`~socialmap.change.Side` objects."""
    from socialmap.reports.pdf import build_pdf

    return build_pdf(path, change_story(before, after, change, check), title="Change report",
                     source=f"{before.label} → {after.label}")
