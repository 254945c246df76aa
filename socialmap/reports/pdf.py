"""PDF building blocks on reportlab: styles, escaped paragraphs, tables, images, page footer.

Everything is local: the fonts are the DejaVu Sans files that ship with
matplotlib (so any character in a name prints), and nothing is fetched.
Text from data goes through :func:`esc` before reportlab's mini-markup sees
it, so a label such as ``<b>`` or ``<img src=x>`` prints as those characters.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
INK = "#1b1b1b"
ACCENT = "#08306b"
SUPPRESSION_NOTE = "Counts of 1 to 4 young people are shown as <5 (small-number suppression)."

_registered = False


def _register_fonts() -> None:
    global _registered
    if _registered:
        return
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Oblique", str(folder / "DejaVuSans-Oblique.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, "DejaVuSans-Oblique")
    addMapping(FONT, 1, 1, FONT_BOLD)
    _registered = True


#: Longest data text (a label, a name) printed whole; longer text is cut with a note, so that no
#: paragraph or table cell can outgrow a page (ReportLab's LayoutError).
DATA_TEXT_CHARS = 300


def shorten(text: str, limit: int = DATA_TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters with a note saying so, or as it is when short enough.

    >>> shorten("x" * 400, 5)
    'xxxxx… [shortened: 400 characters]'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [shortened: {len(text):,} characters]"


def esc(value: Any) -> str:
    """Data text made safe for a reportlab Paragraph (and cut with a note past
    :data:`DATA_TEXT_CHARS` characters)."""
    return escape(shorten("" if value is None else str(value)))


def fmt_number(value: Any, digits: int = 2) -> str:
    """A number for a table: blank-free ("n/a" when missing), at most ``digits`` decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        import pandas as pd

        if value is pd.NA:
            return "n/a"
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "n/a"
        if value.is_integer() and abs(value) < 1e12:
            return f"{int(value):,}"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fmt_pct(share: Any) -> str:
    """A share 0..1 as a percentage, "n/a" when missing."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "n/a"
    return f"{100 * float(share):.0f}%"


def styles() -> dict[str, Any]:
    """The paragraph styles of every report."""
    _register_fonts()
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=colors.HexColor(INK),
                          spaceAfter=5)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10,
                                    spaceAfter=0, textColor=colors.white),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=25,
                                textColor=colors.HexColor(ACCENT), spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15,
                                   textColor=colors.HexColor("#444444"), spaceAfter=12),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=10,
                             spaceAfter=6, textColor=colors.HexColor(ACCENT)),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8,
                             spaceAfter=4),
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=10, borderPadding=6,
                                backColor=colors.HexColor("#f0f4fa"), spaceBefore=4, spaceAfter=8),
    }


def table(headers: list[str], rows: list[list[Any]], widths: list[float] | None = None, *,
          size: float = 8.0, zebra: bool = True):
    """A table with a dark header row; every cell is escaped text that wraps."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    st = styles()
    cell = ParagraphStyle("cell_sized", parent=st["cell"], fontSize=size, leading=size * 1.25)
    bold = ParagraphStyle("bold_sized", parent=st["cell_bold"], fontSize=size, leading=size * 1.25)
    texts = [[fmt_number(v) for v in r] for r in rows]
    if widths is not None:
        widths = fit_widths(headers, texts, widths, size)
    head = [Paragraph(esc(h), bold) for h in headers]
    body = [[Paragraph(esc(v), cell) for v in r] for r in texts]
    t = Table([head] + body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ACCENT)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if zebra:
        for i in range(1, len(body) + 1):
            if i % 2 == 0:
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f4f6f9")))
    t.setStyle(TableStyle(style))
    return t


_CELL_PADDING = 6.0  # left + right padding of a table cell, points


def fit_widths(headers: list[str], rows: list[list[str]], widths: list[float], size: float) -> list[float]:
    """Column widths, in the same total, in which no word has to be split across lines.

    Each column gets at least its widest word (header in bold) plus padding; the width it needs
    beyond what it was given is taken from the columns with room to spare, in proportion to that
    room. When the words cannot all fit, the widths are left as given (reportlab then splits).
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _register_fonts()
    need = []
    for j, header in enumerate(headers):
        words = [stringWidth(w, FONT_BOLD, size) for w in header.split()]
        words += [stringWidth(w, FONT, size) for r in rows if j < len(r) for w in str(r[j]).split()]
        need.append(max(words, default=0.0) + _CELL_PADDING + 0.5)
    total = float(sum(widths))
    if sum(need) > total or len(need) != len(widths):
        return list(widths)
    short = sum(max(n - w, 0.0) for n, w in zip(need, widths, strict=True))
    if short <= 0:
        return list(widths)
    room = [max(w - n, 0.0) for n, w in zip(need, widths, strict=True)]
    spare = sum(room)
    return [max(n, w) - (r / spare) * short if r > 0 else max(n, w)
            for n, w, r in zip(need, widths, room, strict=True)]


def image(png: bytes, width_cm: float):
    """A PNG as a flowable ``width_cm`` wide, keeping its proportions."""
    from reportlab.lib.units import cm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    return Image(io.BytesIO(png), width=width_cm * cm, height=width_cm * cm * h / w)


def paragraph(text: str, style: str = "body"):
    """A paragraph of *trusted* markup (our own words); put data through :func:`esc` first."""
    from reportlab.platypus import Paragraph

    return Paragraph(text, styles()[style])


def bullets(items: list[str], style: str = "bullet") -> list[Any]:
    from reportlab.platypus import Paragraph

    st = styles()[style]
    return [Paragraph(text, st, bulletText="•") for text in items]


def build_pdf(path: str | os.PathLike, story: list[Any], *, title: str, source: str | None = None) -> Path:
    """Lay ``story`` out on A4 with a footer (title, source, date, page, the suppression rule)."""
    _register_fonts()
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    made = dt.date.today().strftime("%d %B %Y")

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        left = shorten(f"SocialMap · {title}" + (f" · {source}" if source else ""), 110) + f" · {made}"
        canvas.drawString(2 * cm, 1.2 * cm, left)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"page {doc.page}")
        canvas.drawString(2 * cm, 0.8 * cm, SUPPRESSION_NOTE + " Young people are never named.")
        canvas.restoreState()

    path = Path(path)
    # into a file of ours, closed however the build ends: given a name, reportlab leaves its file
    # open when a write fails (a full disk), and the half-written file stays held until collected
    with open(path, "wb") as fh:
        doc = SimpleDocTemplate(fh, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
                                bottomMargin=2 * cm, title=title, author="SocialMap", subject=title,
                                creator="SocialMap", invariant=1)
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path
