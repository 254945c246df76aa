"""The JSON documents the map page is filled and updated with.

Every function returns plain dicts and lists ready for ``json.dumps``; the UI
passes them to the page's bridge (``resources/map_bridge.js``) with
``runJavaScript``. Nothing here is HTML: text from data travels as JSON
strings and the page shows it with ``textContent``.

Young people are drawn at their stored point, which is always the
deterministic pseudo-random point inside their home area (SPEC section 8);
adults have no location of their own and are not drawn.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from socialmap.model.dates import in_force, today
from socialmap.model.kinds import ORGANISATION, PERSON_KINDS, PLACE_KINDS, SERVICE, YOUNG_PERSON
from socialmap.model.project import Node, Project, Tie, tie_key

#: Node kinds drawn on the map, one GeoJSON layer each.
DRAWN_KINDS = (ORGANISATION, SERVICE, YOUNG_PERSON)
#: Tie classes drawn on the map, one layer each (SPEC section 3).
TIE_CLASSES = ("bonding", "bridging", "linking", "institutional", "unclassified")

#: Sequential palette for choropleths (ColorBrewer YlGnBu, 5 classes).
CHOROPLETH_COLOURS = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8")
NO_DATA_COLOUR = "#d9d9d9"

_ROUND = 6  # decimal places of a coordinate: about 0.1 m


def _coords(geom_mapping: Any) -> Any:
    if isinstance(geom_mapping, (list, tuple)):
        if geom_mapping and isinstance(geom_mapping[0], (int, float)):
            return [round(float(c), _ROUND) for c in geom_mapping]
        return [_coords(g) for g in geom_mapping]
    return geom_mapping


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a field value (dates as ISO text, NaN as null)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def area_feature(project: Project, code: str) -> dict[str, Any]:
    """One area as a GeoJSON feature with its code, name and census fields."""
    from shapely.geometry import mapping

    area = project.areas[code]
    geom = mapping(area.geometry)
    return {
        "type": "Feature",
        "id": area.code,
        "geometry": {"type": geom["type"], "coordinates": _coords(geom["coordinates"])},
        "properties": {
            "kind": "area",
            "id": area.code,
            "label": area.name,
            "imd_decile": area.imd_decile,
            "population_16_24": area.population_16_24,
        },
    }


def areas_payload(project: Project) -> dict[str, Any]:
    """Every area as one GeoJSON FeatureCollection."""
    return {"type": "FeatureCollection", "features": [area_feature(project, c) for c in project.areas]}


#: Fields shown in a node's popup, by kind (beyond its label and kind).
POPUP_FIELDS: dict[str, tuple[str, ...]] = {
    YOUNG_PERSON: ("area_code", "age", "neet", "activity"),
    ORGANISATION: ("org_type", "sector", "is_anchor", "years_in_area"),
    SERVICE: ("provider", "service_type", "commissioner", "contract_end"),
}


def node_feature(node: Node) -> dict[str, Any] | None:
    """A drawn node as a GeoJSON point feature, or ``None`` when it has no point."""
    if node.kind not in DRAWN_KINDS or node.lat is None or node.lon is None:
        return None
    props: dict[str, Any] = {"kind": node.kind, "id": node.id, "label": node.label}
    for name in POPUP_FIELDS[node.kind]:
        props[name] = _plain(getattr(node, name))
    return {
        "type": "Feature",
        "id": node.id,
        "geometry": {"type": "Point", "coordinates": [round(node.lon, _ROUND), round(node.lat, _ROUND)]},
        "properties": props,
    }


def nodes_payload(project: Project, kind: str) -> dict[str, Any]:
    """Every drawn node of ``kind`` as one GeoJSON FeatureCollection."""
    feats = []
    for node in project.nodes.values():
        if node.kind == kind:
            feat = node_feature(node)
            if feat is not None:
                feats.append(feat)
    return {"type": "FeatureCollection", "features": feats}


def group_key(node: Node, group_by: str) -> Any:
    """The group key of a person for the bonding/bridging split."""
    if group_by in ("area_code", "role", "age", "neet"):
        return getattr(node, group_by)
    return node.attrs.get(group_by)


def tie_class(project: Project, tie: Tie, group_by: str = "area_code") -> str:
    """The class of a tie (SPEC section 3; Putnam 2000, Szreter & Woolcock 2004).

    linking: a person tied to an organisation or service, or any ``mentor`` or
    ``worker`` tie; institutional: between organisations/services; the other
    person-person ties are bonding when both ends share the group key and
    bridging when both keys are known and differ, otherwise unclassified.
    """
    ka = project.nodes[tie.a].kind
    kb = project.nodes[tie.b].kind
    if ka in PLACE_KINDS and kb in PLACE_KINDS:
        return "institutional"
    if tie.type in ("mentor", "worker"):
        return "linking"
    if (ka in PERSON_KINDS) != (kb in PERSON_KINDS):
        return "linking"
    key_a = group_key(project.nodes[tie.a], group_by)
    key_b = group_key(project.nodes[tie.b], group_by)
    if key_a is None or key_b is None:
        return "unclassified"
    return "bonding" if key_a == key_b else "bridging"


def tie_record(project: Project, tie: Tie, tie_cls: str) -> dict[str, Any] | None:
    """One drawn tie: key ("a|b"), class and its two end points as [lat, lon].

    ``None`` when either end has no point (adults are not drawn).
    """
    na, nb = project.nodes[tie.a], project.nodes[tie.b]
    if na.lat is None or na.lon is None or nb.lat is None or nb.lon is None:
        return None
    return {
        "key": "|".join(tie.key),
        "cls": tie_cls,
        "ends": [[round(na.lat, _ROUND), round(na.lon, _ROUND)], [round(nb.lat, _ROUND), round(nb.lon, _ROUND)]],
    }


def ties_payload(
    project: Project,
    classes: Mapping[tuple[str, str], str] | None = None,
    *,
    group_by: str = "area_code",
    keys: Iterable[tuple[str, str]] | None = None,
    on: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Drawn ties (all of them, or those of ``keys``) in force on ``on`` (default today;
    :mod:`socialmap.model.dates`), with their classes: an ended tie is kept in the project
    but not drawn.

    ``classes`` maps a tie key to its class (from
    ``socialmap.analysis.classify_ties``); ties missing from it are
    classified with :func:`tie_class`.
    """
    on = on or today()
    if keys is not None:
        out = []
        for key in keys:
            tie = project.ties.get(key)
            if tie is None or not in_force(tie.since, tie.until, on):
                continue
            cls = (classes or {}).get(tie.key) or tie_class(project, tie, group_by)
            rec = tie_record(project, tie, cls)
            if rec is not None:
                out.append(rec)
        return out
    # Every tie: the same rules as tie_class, with each node looked up once
    # (a city-sized project has hundreds of thousands of ties).
    points: dict[str, list[float]] = {}
    is_place: dict[str, bool] = {}
    group: dict[str, Any] = {}
    for node in project.nodes.values():
        if node.lat is not None and node.lon is not None:
            points[node.id] = [round(node.lat, _ROUND), round(node.lon, _ROUND)]
        is_place[node.id] = node.kind in PLACE_KINDS
        group[node.id] = group_key(node, group_by)
    known = classes or {}
    out = []
    dated = project.has_dated_ties()
    for key, tie in project.ties.items():
        pa = points.get(tie.a)
        pb = points.get(tie.b)
        if pa is None or pb is None or (dated and not in_force(tie.since, tie.until, on)):
            continue
        cls = known.get(key)
        if cls is None:
            place_a, place_b = is_place[tie.a], is_place[tie.b]
            if place_a and place_b:
                cls = "institutional"
            elif place_a or place_b or tie.type in ("mentor", "worker"):
                cls = "linking"
            else:
                ga, gb = group[tie.a], group[tie.b]
                cls = "unclassified" if ga is None or gb is None else "bonding" if ga == gb else "bridging"
        out.append({"key": f"{key[0]}|{key[1]}", "cls": cls, "ends": [pa, pb]})
    return out


def tie_key_text(a: str, b: str) -> str:
    """The key of a tie as the page knows it."""
    return "|".join(tie_key(a, b))


def _fmt(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _legend_digits(width: float, whole: bool) -> int:
    """Decimals of the class bounds: none for classes 10 wide or more (or whole numbers in
    classes 1 wide or more), one for classes 1 to 10 wide, two below (so a legend reads
    "2.1 – 4.2", not "2.11 – 4.21")."""
    if width >= 10 or (whole and width >= 1):
        return 0
    return 1 if width >= 1 else 2


def choropleth(values: Mapping[str, Any], title: str, *, n_classes: int = 5,
               missing_label: str = "no data") -> dict[str, Any]:
    """Fill colours of areas by a measure, with the legend that explains them.

    Classes are equal-width intervals between the smallest and largest known
    value (one class when they are all equal); whole numbers get classes of
    whole numbers that do not overlap; other bounds have the same decimals, as
    few as the class width needs. Unknown values (None or NaN) are grey and
    listed as ``missing_label``.
    """
    known = {c: float(v) for c, v in values.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
    colours: dict[str, str] = {c: NO_DATA_COLOUR for c in values}
    entries: list[dict[str, str]] = []
    whole = [int(v) for v in known.values() if float(v).is_integer()]
    if known and len(whole) == len(known):
        # Whole numbers (an IMD decile, a population, services in an area, which an analysis
        # gives as floats): classes of whole numbers that do not overlap, so no legend reads
        # "2.80 – 4.60", nor "0 – 1", "1 – 2" leaving 1 in doubt.
        lo, hi = min(whole), max(whole)
        span = hi - lo + 1
        k = min(n_classes, span)
        bounds = [lo + (span * i) // k for i in range(k + 1)]
        palette = CHOROPLETH_COLOURS[:k] if k > 1 else CHOROPLETH_COLOURS[-1:]
        for code, v in known.items():
            idx = max(i for i in range(k) if bounds[i] <= v)
            colours[code] = palette[idx]
        for i in range(k):
            a, b = bounds[i], bounds[i + 1] - 1
            entries.append({"colour": palette[i], "label": f"{a:,}" if a == b else f"{a:,} – {b:,}"})
    elif known:
        lo, hi = min(known.values()), max(known.values())
        k = 1 if hi == lo else min(n_classes, len(CHOROPLETH_COLOURS))
        palette = CHOROPLETH_COLOURS[-k:] if k == 1 else CHOROPLETH_COLOURS[:k]
        width = (hi - lo) / k if k > 1 else 1.0
        for code, v in known.items():
            idx = 0 if k == 1 else min(int((v - lo) / width), k - 1)
            colours[code] = palette[idx]
        digits = _legend_digits(width, all(float(v).is_integer() for v in known.values()))
        if k == 1:
            digits = 0 if float(lo).is_integer() else 2
        for i in range(k):
            a = lo + i * width
            b = hi if i == k - 1 else lo + (i + 1) * width
            label = _fmt(lo, digits) if k == 1 else f"{_fmt(a, digits)} – {_fmt(b, digits)}"
            entries.append({"colour": palette[i], "label": label})
    if len(known) < len(values):
        entries.append({"colour": NO_DATA_COLOUR, "label": missing_label})
    return {"colours": colours, "legend": {"title": title, "entries": entries}}


#: Diverging colours of a change (ColorBrewer RdBu): losses red, gains blue, no change light grey.
LOSS_COLOURS = ("#fddbc7", "#ef8a62", "#b2182b")  # small to large
GAIN_COLOURS = ("#d1e5f0", "#67a9cf", "#2166ac")
NO_CHANGE_COLOUR = "#f7f7f7"


def change_style(values: Mapping[str, Any], title: str, *, positive_is_loss: bool = False,
                 missing_label: str = "no data") -> dict[str, Any]:
    """Fill colours of areas by a change: no change (0) light grey, losses in up to three reds and
    gains in up to three blues, each side in equal-width classes from 0 to its extreme, so an
    area that did not change never looks like one that did (a sequential scale from the
    smallest value gave the unchanged areas its darkest colour).

    ``positive_is_loss``: a positive value is the bad direction (ties lost, young people newly
    isolated); otherwise negative is (a fall in mean ties per young person).

    >>> style = change_style({"A": -0.3, "B": 0.0, "C": 0.1, "D": None}, "Change")
    >>> [style["colours"][c] for c in "ABCD"]
    ['#b2182b', '#f7f7f7', '#2166ac', '#d9d9d9']
    """
    known = {c: float(v) for c, v in values.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
    colours: dict[str, str] = {c: NO_DATA_COLOUR for c in values}
    eps = 1e-9
    neg = [v for v in known.values() if v < -eps]
    pos = [v for v in known.values() if v > eps]
    low_colours, high_colours = (GAIN_COLOURS, LOSS_COLOURS) if positive_is_loss else (LOSS_COLOURS, GAIN_COLOURS)
    low_word, high_word = ("gain", "loss") if positive_is_loss else ("fall", "rise")
    whole = all(float(v).is_integer() for v in known.values())

    def classes(extreme: float, palette) -> list[tuple[float, float, str]]:
        k = 1 if whole and extreme <= 1 else len(palette)
        width = extreme / k
        return [(i * width, (i + 1) * width, palette[i if k == len(palette) else -1]) for i in range(k)]

    high = classes(max(pos), high_colours) if pos else []
    low = classes(-min(neg), low_colours) if neg else []
    for code, v in known.items():
        if abs(v) <= eps:
            colours[code] = NO_CHANGE_COLOUR
            continue
        bands = high if v > 0 else low
        size = abs(v)
        colours[code] = next((c for a, b, c in bands if size <= b + eps), bands[-1][2])
    digits = 0 if whole else 2
    entries = []
    for a, b, colour in reversed(low):
        entries.append({"colour": colour, "label": f"{low_word} {_fmt(a, digits)} – {_fmt(b, digits)}"})
    if any(abs(v) <= eps for v in known.values()):
        entries.append({"colour": NO_CHANGE_COLOUR, "label": "no change"})
    for a, b, colour in high:
        entries.append({"colour": colour, "label": f"{high_word} {_fmt(a, digits)} – {_fmt(b, digits)}"})
    if len(known) < len(values):
        entries.append({"colour": NO_DATA_COLOUR, "label": missing_label})
    return {"colours": colours, "legend": {"title": title, "entries": entries}}


def gi_bin_style(bins: Mapping[str, Any], title: str = "NEET isolation hot and cold spots (Gi*)") -> dict[str, Any]:
    """Fill colours of areas by their Gi bin (-3..3, :data:`socialmap.disclosure.GI_BINS`; None: no
    Gi*), with a legend of the classes on the map (and 'Not significant') and their plain meaning
    on hover. A legend of all seven covered a third of a laptop's map."""
    from socialmap.disclosure import GI_BINS, GI_COLOURS

    colours = {code: GI_COLOURS[int(b)] for code, b in bins.items() if b is not None and b == b}
    present = {int(b) for b in bins.values() if b is not None and b == b} | {0}
    entries = [{"colour": GI_COLOURS[b], "label": GI_BINS[b][0], "title": GI_BINS[b][1]}
               for b in (3, 2, 1, 0, -1, -2, -3) if b in present]
    if any(b is None or b != b for b in bins.values()):
        entries.append({"colour": "#d9d9d9", "label": "no Gi* (see the area's note)"})
    return {"colours": colours, "legend": {"title": title, "entries": entries}}


def project_bounds(project: Project) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the areas and drawn nodes, or None."""
    xs: list[float] = []
    ys: list[float] = []
    for area in project.areas.values():
        minx, miny, maxx, maxy = area.geometry.bounds
        xs += [minx, maxx]
        ys += [miny, maxy]
    if not xs:
        for node in project.nodes.values():
            if node.lat is not None and node.lon is not None:
                xs.append(node.lon)
                ys.append(node.lat)
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def full_payload(project: Project, classes: Mapping[tuple[str, str], str] | None = None,
                 on: dt.date | None = None) -> dict[str, Any]:
    """Everything the page draws for a project, in one document."""
    return {
        "areas": areas_payload(project),
        "nodes": {kind: nodes_payload(project, kind) for kind in DRAWN_KINDS},
        "ties": ties_payload(project, classes, group_by=project.setting("group_by") or "area_code", on=on),
        "bounds": project_bounds(project),
    }
