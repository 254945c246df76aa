"""Static maps for the PDF reports, drawn with matplotlib (Agg) from the area polygons.

A choropleth of one value per area (grey where the value is missing or
withheld), optional outlines for chosen areas (hotspots, flagged areas,
areas reached) and points on top. No tiles, no network: the areas are the
map. Longitude is shrunk by cos(latitude) so shapes are not stretched.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
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
    layers, and ``labels`` (area code -> text, e.g. its name) written at each area's middle. Returns the PNG bytes; ``options`` are those of :func:`area_map_figure`."""
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
    missing_label: str = "no value / withheld",
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
    height_in = min(9.0, max(3.0, width_in * span_y * aspect / span_x))
    fig = Figure(figsize=(width_in, height_in + (0.4 if title else 0)), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.01, 0.02, 0.80 if values is not None else 0.98, 0.9 if title else 0.96])
    handles = []
    if values is not None:
        nums = np.array([_float(values.get(c)) for c in codes], dtype=float)
        known = ~np.isnan(nums)
        lo = vmin if vmin is not None else (float(np.nanmin(nums)) if known.any() else 0.0)
        hi = vmax if vmax is not None else (float(np.nanmax(nums)) if known.any() else 1.0)
        if hi <= lo:
            hi = lo + 1.0
        coll = PatchCollection([p for p, k in zip(patches, known, strict=False) if k], cmap=cmap, edgecolor="#5a5a5a",
                               linewidth=0.5)
        coll.set_array(nums[known])
        coll.set_clim(lo, hi)
        ax.add_collection(coll)
        if (~known).any():
            ax.add_collection(PatchCollection([p for p, k in zip(patches, known, strict=False) if not k], facecolor="#d9d9d9",
                                              edgecolor="#5a5a5a", linewidth=0.5, hatch="///"))
            handles.append(Patch(facecolor="#d9d9d9", edgecolor="#5a5a5a", hatch="///", label=missing_label))
        cax = fig.add_axes([0.84, 0.15, 0.025, 0.6])
        bar = fig.colorbar(coll, cax=cax)
        bar.set_label(legend, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    elif categories is not None:
        colours = palette or {}
        faces = [colours.get(categories.get(c, ""), "#f2f2f2") for c in codes]
        ax.add_collection(PatchCollection([PathPatch(_path(project.areas[c].geometry)) for c in codes],
                                          facecolor=faces, edgecolor="#7a7a7a", linewidth=0.5))
        present = set(categories.values())
        for label, colour in colours.items():
            if label in present:
                handles.append(Patch(facecolor=colour, edgecolor="#7a7a7a", label=label.replace("$", r"\$")))
    else:
        shaded = fill or set()
        faces = ["#9ecae1" if c in shaded else "#f2f2f2" for c in codes]
        ax.add_collection(PatchCollection([PathPatch(_path(project.areas[c].geometry)) for c in codes],
                                          facecolor=faces, edgecolor="#7a7a7a", linewidth=0.5))
        if shaded and fill_label:
            handles.append(Patch(facecolor="#9ecae1", edgecolor="#7a7a7a", label=fill_label))
    if outline:
        ax.add_collection(PatchCollection([PathPatch(_path(project.areas[c].geometry)) for c in codes if c in outline],
                                          facecolor="none", edgecolor=outline_color, linewidth=2.2))
        if outline_label:
            handles.append(Patch(facecolor="none", edgecolor=outline_color, linewidth=2.2, label=outline_label))
    for layer in layers or []:
        if not layer.points:
            continue
        xs, ys = zip(*layer.points, strict=False)
        ax.scatter(xs, ys, s=layer.size, c=layer.color, marker=layer.marker, edgecolors=layer.edge,
                   linewidths=0.8, zorder=5)
        handles.append(Line2D([], [], linestyle="", marker=layer.marker, markersize=6, markerfacecolor=layer.color,
                              markeredgecolor=layer.edge, label=layer.label.replace("$", r"\$")))
    if labels:
        from matplotlib import patheffects

        halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
        for c in codes:
            if c in labels:
                point = project.areas[c].geometry.representative_point()
                # matplotlib reads $...$ as mathematics: data text is shown as it is
                ax.text(point.x, point.y, labels[c].replace("$", r"\$"), fontsize=5.5, ha="center", va="center",
                        color="#1a1a1a", zorder=6, path_effects=halo, wrap=True)
    pad_x, pad_y = span_x * 0.03, span_y * 0.03
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)
    ax.set_aspect(aspect)
    ax.set_axis_off()
    if handles:
        # grow the figure by a strip at the bottom and put the key there, below the map
        columns = min(3, len(handles))
        strip_in = 0.2 * math.ceil(len(handles) / columns) + 0.15
        w, h = fig.get_size_inches()
        fig.set_size_inches(w, h + strip_in)
        scale, lift = h / (h + strip_in), strip_in / (h + strip_in)
        for axes in fig.axes:
            x0, y0, aw, ah = axes.get_position().bounds
            axes.set_position([x0, lift + y0 * scale, aw, ah * scale])
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=columns, fontsize=7,
                   frameon=False)
    if title:
        fig.suptitle(title, fontsize=10, x=0.02, ha="left", y=0.985)
    return fig


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
