"""Static maps for the PDF reports, drawn with matplotlib (Agg) from the area polygons.

A choropleth of one value per area (grey where the value is missing or
withheld), optional outlines for chosen areas (hotspots, flagged areas,
areas reached) and points on top. No tiles, no network: the areas are the
map. Longitude is shrunk by cos(latitude) so shapes are not stretched.

Print furniture (issue 14): a title, area names inside their polygons where
they fit, the key in a strip below the map, a scale bar in km measured in the
analysis's metric projection (EPSG:27700 for British data, else the local
UTM zone: :func:`socialmap.analysis.geography.metric_crs_for_bounds`) and a
north arrow. Text from data is drawn with ``parse_math=False`` so matplotlib's
mathtext never reads a '$' in a name.
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from socialmap.model.project import Project


@dataclass
class PointLayer:
    """Points drawn on a map: ``(lon, lat)`` pairs with a marker style and a legend label."""

    points: list[tuple[float, float]]
    label: str
    color: str = "#2171b5"
    marker: str = "o"
    size: float = 28.0
    edge: str = "#08306b"


def _path(geom):
    """A matplotlib Path of a (multi)polygon, holes included."""
    import numpy as np
    from matplotlib.path import Path as MplPath

    polys = getattr(geom, "geoms", [geom])
    verts, codes = [], []
    for poly in polys:
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            verts.append(xy)
            codes.append(np.array([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def area_map_png(project: Project, values: dict[str, Any] | None = None, *, dpi: int = 150, **options) -> bytes:
    """A PNG of the project's areas: coloured by ``values`` (a continuous scale), or by
    ``categories`` (area code -> category, coloured by ``palette``, in its order in the legend),
    or with the ``fill`` areas shaded; ``outline`` areas drawn with a thick border; then point
    layers, and ``labels`` (area code -> text; by default every area's name) written inside each area
    where it fits. Returns the PNG bytes; ``options`` are those of :func:`area_map_figure`."""
    fig = area_map_figure(project, values, dpi=dpi, **options)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def area_map_figure(
    project: Project,
    values: dict[str, Any] | None = None,
    *,
    title: str = "",
    legend: str = "",
    cmap: str = "YlOrRd",
    vmin: float | None = None,
    vmax: float | None = None,
    outline: set[str] | None = None,
    outline_label: str = "",
    outline_color: str = "#b10026",
    fill: set[str] | None = None,
    fill_label: str = "",
    categories: dict[str, str] | None = None,
    palette: dict[str, str] | None = None,
    layers: list[PointLayer] | None = None,
    width_in: float = 7.0,
    dpi: int = 150,
    missing_label: str | None = None,
    labels: dict[str, str] | None = None,
):
    """The matplotlib Figure of :func:`area_map_png`. The key sits in a strip below the map, so it
    never covers an area (a flagged area in the corner was hidden under it)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PatchCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch

    codes = list(project.areas)
    patches = [PathPatch(_path(project.areas[c].geometry)) for c in codes]
    minx = min(project.areas[c].geometry.bounds[0] for c in codes) if codes else 0
    miny = min(project.areas[c].geometry.bounds[1] for c in codes) if codes else 0
    maxx = max(project.areas[c].geometry.bounds[2] for c in codes) if codes else 1
    maxy = max(project.areas[c].geometry.bounds[3] for c in codes) if codes else 1
    aspect = 1.0 / max(0.2, math.cos(math.radians((miny + maxy) / 2)))
    span_x, span_y = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    map_frac = 0.80 if values is not None else 0.98  # of the width: a colour bar takes the rest
    height_in = min(9.0, max(3.0, width_in * map_frac * 0.98 * span_y * aspect / span_x))
    fig = Figure(figsize=(width_in, height_in + (0.4 if title else 0)), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.01, 0.02, map_frac, 0.9 if title else 0.96])
    handles = []
    # the project's basemap under the areas (issue 14), the areas then drawn partly transparent
    backdrop = _basemap_backdrop(project, (minx, miny, maxx, maxy), int(width_in * map_frac * dpi))
    face_alpha = 0.55 if backdrop is not None else 1.0
    if values is not None:
        nums = np.array([_float(values.get(c)) for c in codes], dtype=float)
        known = ~np.isnan(nums)
        lo = vmin if vmin is not None else (float(np.nanmin(nums)) if known.any() else 0.0)
        hi = vmax if vmax is not None else (float(np.nanmax(nums)) if known.any() else 1.0)
        if hi <= lo:
            hi = lo + 1.0
        coll = PatchCollection([p for p, k in zip(patches, known, strict=False) if k], cmap=cmap, edgecolor="#5a5a5a",
                               linewidth=0.5, alpha=face_alpha)
        coll.set_array(nums[known])
        coll.set_clim(lo, hi)
        ax.add_collection(coll)
        if (~known).any():
            ax.add_collection(PatchCollection([p for p, k in zip(patches, known, strict=False) if not k], facecolor="#d9d9d9",
                                              edgecolor="#5a5a5a", linewidth=0.5, hatch="///", alpha=face_alpha))
            handles.append(Patch(facecolor="#d9d9d9", edgecolor="#5a5a5a", hatch="///",
                                 label=missing_label or "no value / withheld"))
        cax = fig.add_axes([0.84, 0.15, 0.025, 0.6])
        bar = fig.colorbar(coll, cax=cax)
        bar.set_label(legend, fontsize=8, parse_math=False)
        bar.ax.tick_params(labelsize=7)
    elif categories is not None:
        colours = palette or {}
        faces = [colours.get(categories.get(c, ""), "#f2f2f2") for c in codes]
        ax.add_collection(PatchCollection([PathPatch(_path(project.areas[c].geometry)) for c in codes],
                                          facecolor=faces, edgecolor="#7a7a7a", linewidth=0.5, alpha=face_alpha))
        present = set(categories.values())
        for label, colour in colours.items():
            if label in present:
                handles.append(Patch(facecolor=colour, edgecolor="#7a7a7a", label=label))
        if missing_label and any(c not in categories for c in codes):
            handles.append(Patch(facecolor="#f2f2f2", edgecolor="#7a7a7a", label=missing_label))
    else:
        shaded = fill or set()
        faces = ["#9ecae1" if c in shaded else "#f2f2f2" for c in codes]
        ax.add_collection(PatchCollection([PathPatch(_path(project.areas[c].geometry)) for c in codes],
                                          facecolor=faces, edgecolor="#7a7a7a", linewidth=0.5, alpha=face_alpha))
        if shaded and fill_label:
            handles.append(Patch(facecolor="#9ecae1", edgecolor="#7a7a7a", label=fill_label))
    if outline:
        ax.add_collection(PatchCollection([PathPatch(_path(project.areas[c].geometry)) for c in codes if c in outline],
                                          facecolor="none", edgecolor=outline_color, linewidth=2.2))
        if outline_label:
            handles.append(Patch(facecolor="none", edgecolor=outline_color, linewidth=2.2, label=outline_label))
    # the project's shown reference layers (roads, ward boundaries): over the areas, under the points
    reference, reference_notes = _reference_layers(project)
    for ref_layer in reference:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(ref_layer.lines, colors=ref_layer.colour, linewidths=0.7, alpha=0.85,
                                         zorder=3, gid="reference-layer"))
        handles.append(Line2D([], [], color=ref_layer.colour, linewidth=1.2, label=ref_layer.name))
    for layer in layers or []:
        if not layer.points:
            continue
        xs, ys = zip(*layer.points, strict=False)
        ax.scatter(xs, ys, s=layer.size, c=layer.color, marker=layer.marker, edgecolors=layer.edge,
                   linewidths=0.8, zorder=5)
        handles.append(Line2D([], [], linestyle="", marker=layer.marker, markersize=6, markerfacecolor=layer.color,
                              markeredgecolor=layer.edge, label=layer.label))
    if backdrop is not None:
        pixels, extent, credit = backdrop
        ax.imshow(pixels, extent=extent, origin="upper", zorder=0, interpolation="bilinear", gid="basemap")
        if credit:
            ax.text(0.995, 0.005, credit, transform=ax.transAxes, fontsize=5, ha="right", va="bottom", color="#333333",
                    parse_math=False, zorder=6, gid="basemap-attribution",
                    bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.0})
    pad_x, pad_y = span_x * 0.03, span_y * 0.03
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)
    ax.set_aspect(aspect)
    ax.set_axis_off()
    # grow the figure by a strip at the bottom for the key, the scale bar and the north arrow, so
    # none of them ever covers an area (a flagged area in the corner was hidden under the key)
    columns = min(3, len(handles)) if handles else 1
    while handles and columns > 1:  # the key keeps left of the north arrow and the scale bar
        trial = _key(fig, handles, columns)
        too_wide = trial.get_window_extent(fig.canvas.get_renderer()).width > KEY_WIDTH * fig.bbox.width
        trial.remove()
        if not too_wide:
            break
        columns -= 1
    rows = math.ceil(len(handles) / columns) if handles else 0
    strip_in = max(0.62, 0.2 * rows + 0.15)
    w, h = fig.get_size_inches()
    fig.set_size_inches(w, h + strip_in)
    scale, strip_frac = h / (h + strip_in), strip_in / (h + strip_in)
    for axes in fig.axes:
        x0, y0, aw, ah = axes.get_position().bounds
        axes.set_position([x0, strip_frac + y0 * scale, aw, ah * scale])
    if handles:
        _key(fig, handles, columns)
    ax.apply_aspect()
    unit = 0.62 / (h + strip_in)  # the lowest 0.62 in of the figure, where the bar and arrow go
    left = _scale_bar(fig, ax, unit)
    _north_arrow(fig, left - 0.05, unit)
    if title:
        fig.suptitle(title, fontsize=11, x=0.02, ha="left", y=0.985, parse_math=False, gid="map-title")
    if reference_notes:  # what of the reference layers was left out, in the map's lower left corner
        ax.text(0.005, 0.005, "\n".join(reference_notes), transform=ax.transAxes, fontsize=5, ha="left", va="bottom",
                color="#333333", parse_math=False, zorder=6, gid="reference-notes",
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.0})
    names = {c: project.areas[c].name or c for c in codes} if labels is None else labels
    _area_labels(fig, ax, project, [c for c in codes if c in names], names)
    return fig


def _reference_layers(project: Project):
    """The project's shown reference layers for a map (:func:`socialmap.mapview.reference.for_export`:
    lines and polygon boundaries, never points) and the notes of what was left out."""
    from socialmap.mapview.reference import for_export

    return for_export(project)


def _basemap_backdrop(project: Project, bounds: tuple[float, float, float, float], width_px: int):
    """``(pixels, (west, east, south, north), attribution)`` of the project's basemap under
    ``bounds`` (with the map's 3% margin), or None when it has none, it is switched off, or its
    file cannot be read (:func:`socialmap.mapview.basemap.mosaic`)."""
    from socialmap.mapview import basemap as bm

    archive = bm.project_basemap(project)
    if archive is None:
        return None
    west, south, east, north = bounds
    pad_x, pad_y = (east - west) * 0.03, (north - south) * 0.03
    try:
        made = bm.mosaic(archive, (west - pad_x, south - pad_y, east + pad_x, north + pad_y), max(256, width_px))
    finally:
        archive.close()
    if made is None:
        return None
    pixels, extent = made
    return pixels, extent, archive.info.attribution


def _key(fig, handles, columns: int):
    """The map's key in the strip below it; its labels (from data) drawn as typed, '$' included."""
    key = fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=columns, fontsize=7,
                     frameon=False)
    for text in key.get_texts():
        text.set_parse_math(False)
    return key


#: Share of the figure's width the key may take: the north arrow and the scale bar (at most a
#: quarter of the map's width) sit right of it.
KEY_WIDTH = 0.64

#: Lengths a scale bar may take, in km: 1, 2 and 5 times a power of ten.
_NICE_KM = [m * 10.0 ** e for e in range(-2, 5) for m in (1.0, 2.0, 5.0)]


def map_width_km(west: float, east: float, latitude: float) -> float:
    """Ground distance in km from ``west`` to ``east`` (degrees of longitude) along ``latitude``,
    measured in the metric projection the analysis uses (:func:`metric_crs_for_bounds`: the
    British National Grid for British data, else the local UTM zone)."""
    from socialmap.analysis.geography import metric_crs_for_bounds

    crs = metric_crs_for_bounds(west, latitude, east, latitude)
    xs, ys = _transformer(crs, threading.get_ident()).transform([west, east], [latitude, latitude])
    return math.hypot(xs[1] - xs[0], ys[1] - ys[0]) / 1000.0


def scale_bar_km(width_km: float) -> float:
    """The scale bar's length for a map ``width_km`` wide: the longest of 1, 2 or 5 times a power
    of ten that is at most a quarter of the width (so it reads at a glance and fits its strip)."""
    fits = [n for n in _NICE_KM if n <= width_km / 4.0]
    return fits[-1] if fits else _NICE_KM[0]


@lru_cache(maxsize=16)
def _transformer(crs: str, thread: int):
    # one per CRS and thread: a pyproj Transformer must not be shared between threads
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def _km_text(km: float) -> str:
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:g} km"


def _scale_bar(fig, ax, strip_frac: float) -> float:
    """A scale bar in km at the right of the bottom strip: two alternating black and white halves,
    its length in figure units from the map's own scale along its middle latitude."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = map_width_km(x0, x1, (y0 + y1) / 2.0)
    if not width_km > 0:
        return 0.97
    km = scale_bar_km(width_km)
    box = ax.get_position()
    length = box.width * km / width_km  # figure fraction
    right = 0.97
    left = right - length
    bottom = strip_frac * 0.30
    height = strip_frac * 0.10
    half = length / 2.0
    for i, face in enumerate(("#000000", "#ffffff")):
        fig.add_artist(Rectangle((left + i * half, bottom), half, height, transform=fig.transFigure,
                                 facecolor=face, edgecolor="#000000", linewidth=0.7,
                                 gid="scale-bar" if i == 0 else "scale-bar-half"))
    for x, text in ((left, "0"), (right, _km_text(km))):
        fig.text(x, bottom + height * 1.6, text, fontsize=7, ha="center", va="bottom", parse_math=False,
                 gid="scale-bar-label" if text != "0" else None)
    return left


def _north_arrow(fig, x: float, strip_frac: float) -> None:
    """A north arrow at ``x`` (figure fraction) in the strip: the map is drawn with north up
    (longitude across, latitude up)."""
    fig.add_artist(_arrow(fig, x, strip_frac))
    fig.text(x, strip_frac * 0.93, "N", fontsize=9, fontweight="bold", ha="center", va="top", gid="north-label")


def _arrow(fig, x: float, strip_frac: float):
    from matplotlib.patches import FancyArrow

    return FancyArrow(x, strip_frac * 0.12, 0, strip_frac * 0.52, width=0.004, head_width=0.02,
                      head_length=strip_frac * 0.22, length_includes_head=True, transform=fig.transFigure,
                      color="#000000", gid="north-arrow")


def _area_labels(fig, ax, project: Project, codes: list[str], names: dict[str, str]) -> None:
    """Each area's name (``names``: area code -> text) inside its polygon where it fits: at the centroid when that lies inside,
    else at a point surely inside (shapely ``representative_point``), at the largest font size of
    8, 7, 6 or 5 pt (on one line, else two) whose box lies wholly inside the area on the page;
    areas too small for any are left unlabelled. Names are drawn as plain text (no mathtext)."""
    import shapely
    from matplotlib import patheffects
    from shapely.affinity import affine_transform

    renderer = fig.canvas.get_renderer()
    a, b, c, d, e, f = ax.transData.get_matrix()[[0, 0, 1, 1, 0, 1], [0, 1, 0, 1, 2, 2]]
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for code in codes:
        area = project.areas[code]
        name = str(names[code]).strip()
        if not name:
            continue
        page = affine_transform(area.geometry, [a, b, c, d, e, f])  # data -> pixels
        px0, py0, px1, py1 = page.bounds
        if px1 - px0 < 12 or py1 - py0 < 6:
            continue
        centre = page.centroid
        anchor = centre if page.contains(centre) else page.representative_point()
        words = name.split()
        texts = [name]
        if len(words) > 1:
            cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
            texts.append(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]))
        x, y = ax.transData.inverted().transform((anchor.x, anchor.y))
        label = ax.text(x, y, "", ha="center", va="center", parse_math=False, color="#1a1a1a", zorder=4,
                        path_effects=halo, gid=f"area-label:{code}")
        placed = False
        for size in (8, 7, 6, 5):
            for text in texts:
                label.set_text(text)
                label.set_fontsize(size)
                ext = label.get_window_extent(renderer)
                pad = 1.5
                if page.contains(shapely.box(ext.x0 - pad, ext.y0 - pad, ext.x1 + pad, ext.y1 + pad)):
                    placed = True
                    break
            if placed:
                break
        if not placed:
            label.remove()


def _float(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def place_points(project: Project, kind: str, ids=None, *, anchors_only: bool | None = None) -> list[tuple[float, float]]:
    """``(lon, lat)`` of the organisations or services (optionally only ``ids``, or only anchors)."""
    out = []
    for n in project.nodes.values():
        if n.kind != kind or n.lat is None or n.lon is None:
            continue
        if ids is not None and n.id not in ids:
            continue
        if anchors_only is not None and bool(n.is_anchor) != anchors_only:
            continue
        out.append((n.lon, n.lat))
    return out
