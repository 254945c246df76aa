"""Charts for the PDF reports (matplotlib, Agg; no window, no network)."""

from __future__ import annotations

import io


def tornado_png(
    bars: list[tuple[str, float, float]],
    central: float,
    *,
    xlabel: str = "expected newly isolated young people",
    width_in: float = 6.0,
    dpi: int = 150,
) -> bytes:
    """A tornado chart as PNG bytes: one bar per assumption from its low-end to its high-end result.

    ``bars`` are ``(label, value at the assumption's low end, value at its
    high end)``, drawn top to bottom in the order given (widest first reads
    as a tornado); ``central`` is the central result, drawn as a line. The
    low end is shaded dark and the high end light, each bar labelled with
    its two values.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = max(len(bars), 1)
    fig = Figure(figsize=(width_in, 0.55 * n + 1.1), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.36, 0.8 / (0.55 * n + 1.1), 0.6, 1 - 1.1 / (0.55 * n + 1.1)))
    for i, (_label, low, high) in enumerate(bars):
        y = n - 1 - i
        ax.barh(y, low - central, left=central, height=0.6, color="#2b8cbe", edgecolor="#084081")
        ax.barh(y, high - central, left=central, height=0.6, color="#a6bddb", edgecolor="#084081")
        for value, side in ((low, low < high), (high, high <= low)):
            ax.annotate(
                f"{value:.1f}",
                (value, y),
                xytext=(-4 if side else 4, 0),
                textcoords="offset points",
                ha="right" if side else "left",
                va="center",
                fontsize=7,
            )
    ax.axvline(central, color="#252525", linewidth=1)
    ax.set_yticks(range(n))
    ax.set_yticklabels([b[0] for b in reversed(bars)] if bars else [""], fontsize=8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    lo = min([central] + [min(b[1], b[2]) for b in bars])
    hi = max([central] + [max(b[1], b[2]) for b in bars])
    pad = (hi - lo) * 0.25 or 0.5
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(-0.6, n - 0.4)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color="#2b8cbe", label="low end of the range"),
            Patch(color="#a6bddb", label="high end"),
        ],
        fontsize=7,
        loc="lower right",
        frameon=False,
        bbox_to_anchor=(1.0, 1.0),
        ncol=2,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
