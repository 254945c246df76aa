"""The tables every export and report draws on, already made safe to share
(SPEC section 8): one row per area with its measures and hotspot result, one
per organisation with its fields and anchor figures, one per service.

Counts of young people are text with 1..4 shown as ``<5`` and the figures that
would give them back withheld (:mod:`socialmap.disclosure`); hotspots are the
Gi bins of Gi* on public rates, never z and p. Young people themselves never
appear here.
"""

from __future__ import annotations

from typing import Any

from socialmap.disclosure import protect_areas
from socialmap.model.kinds import KIND_FIELDS
from socialmap.model.project import Project
from socialmap.privacy import is_suppressed, public_area_table, suppress

#: Anchor figures that count young people (suppressed 1..4).
ANCHOR_COUNTS = ("young_people_reached", "sole_link_young_people")


def area_results(project: Project):
    """``(analysis, hotspots)`` for ``project``; hotspots (the public Gi*, with ``gi_bin``) is
    ``None`` when Gi* cannot run (fewer than two areas)."""
    from socialmap.analysis import analyse

    analysis = analyse(project)
    hot = None
    if len(project.areas) >= 2:
        from socialmap.analysis import public_hotspots

        hot = public_hotspots(project, analysis)
    return analysis, hot


def public_areas(project: Project, analysis=None, hot=None):
    """One row per area (index: code): name, IMD decile, the area measures (suppressed) and Gi*."""
    import pandas as pd

    if analysis is None:
        analysis, hot = area_results(project)
    frame = analysis.areas.copy()
    names = pd.DataFrame(
        {"name": [a.name for a in project.areas.values()],
         "imd_decile": pd.array([a.imd_decile for a in project.areas.values()], dtype="Int64")},
        index=list(project.areas))
    frame = names.join(frame, how="left")
    extra = None
    if hot is not None:
        from socialmap.disclosure import gi_label

        extra = hot.areas[["gi_bin", "hotspot"]].copy()
        extra["gi_class"] = [gi_label(b) if b is not None else "no Gi*" for b in extra["gi_bin"].tolist()]
    return public_area_table(frame, extra, disclosure=protect_areas(analysis.areas))


def _fields(node, names) -> dict[str, Any]:
    out: dict[str, Any] = {"id": node.id, "label": node.label}
    for name in names:
        value = getattr(node, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    out["lat"], out["lon"] = node.lat, node.lon
    return out


def public_organisations(project: Project, anchors=None):
    """One row per organisation: its fields, and its anchor figures with percentiles."""
    import pandas as pd

    rows = [_fields(n, KIND_FIELDS["organisation"]) for n in project.nodes.values() if n.kind == "organisation"]
    frame = pd.DataFrame(rows, columns=["id", "label", *KIND_FIELDS["organisation"], "lat", "lon"]).set_index("id")
    if anchors is None and len(frame):
        from socialmap.analysis import anchor_presence

        anchors = anchor_presence(project)
    if anchors is not None and len(frame):
        figures = anchors.organisations
        figures = figures.drop(columns=[c for c in figures.columns if c in frame.columns or c == "label"]).copy()
        if "areas_reached" in figures.columns and "young_people_reached" in figures.columns:
            # with a '<5' number of young people, the areas read <5 too (4 areas: 1 in each, 4 in all)
            small_reach = figures["young_people_reached"].map(is_suppressed)
            figures["areas_reached"] = figures["areas_reached"].astype(object).where(~small_reach, "<5")
            if "areas_reached_percentile" in figures.columns:
                figures["areas_reached_percentile"] = figures["areas_reached_percentile"].astype(float).where(~small_reach)
        withheld: dict[str, frozenset] = {}
        if "areas_reached_percentile" in figures.columns and "young_people_reached" in figures.columns:
            withheld["areas_reached_percentile"] = frozenset(figures.index[small_reach])
        for col in ANCHOR_COUNTS:
            if col in figures.columns:
                figures[col] = figures[col].map(suppress)
                pct = f"{col}_percentile"
                if pct in figures.columns:  # withheld with the count: the percentiles would give it back
                    figures[pct] = figures[pct].astype(float).where(figures[col] != "<5")
                    withheld[pct] = frozenset(figures.index[figures[col] == "<5"])
        frame = frame.join(figures, how="left")
        # the empty cells that are withheld, not missing: <name>_suppressed flags in machine exports
        frame.attrs["withheld"] = withheld
    return frame


def public_services(project: Project):
    """One row per service: its fields."""
    import pandas as pd

    rows = [_fields(n, KIND_FIELDS["service"]) for n in project.nodes.values() if n.kind == "service"]
    return pd.DataFrame(rows, columns=["id", "label", *KIND_FIELDS["service"], "lat", "lon"]).set_index("id")
