"""The board pack's words: page geometry, type styles, and the phrases its tables share
(values with their limits, targets, MDC icons beside their words)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from indicators.chart_style import GREY_3, GREY_5, TEXT
from reporting.pdf_icons import SignalIcon, with_mark
from reporting.selectors import IndicatorStatus

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
FOOTER_SPACE = 4 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
WIDE_CONTENT_WIDTH = PAGE_HEIGHT - 2 * MARGIN  # landscape
TEXT = colors.HexColor(TEXT)
GRID = colors.HexColor(GREY_3)
HEADER_FILL = colors.HexColor(GREY_5)

_styles = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", parent=_styles["Title"], fontSize=26, leading=32,
                            alignment=TA_LEFT, textColor=TEXT),
    "subtitle": ParagraphStyle("subtitle", parent=_styles["Normal"], fontSize=14, leading=19),
    "domain": ParagraphStyle("domain", parent=_styles["Heading1"], fontSize=12, leading=15,
                             textColor=TEXT, spaceAfter=2, keepWithNext=1),
    "h1": ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=17, leading=21,
                         textColor=TEXT, spaceAfter=6),
    "h2": ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=13, leading=16,
                         textColor=TEXT, spaceBefore=8, spaceAfter=4, keepWithNext=1),
    "body": ParagraphStyle("body", parent=_styles["Normal"], fontSize=9.5, leading=13),
    "small": ParagraphStyle("small", parent=_styles["Normal"], fontSize=8, leading=10),
    "cell": ParagraphStyle("cell", parent=_styles["Normal"], fontSize=7.5, leading=9),
    "part": ParagraphStyle("part", parent=_styles["Normal"], fontSize=9.5, leading=13,
                           fontName="Helvetica-Bold", spaceBefore=4),
    "cell_bold": ParagraphStyle("cell_bold", parent=_styles["Normal"], fontSize=7.5, leading=9,
                                fontName="Helvetica-Bold"),
    "contents_0": ParagraphStyle("contents_0", parent=_styles["Normal"], fontSize=10.5,
                                 leading=14, fontName="Helvetica-Bold", spaceBefore=5),
    "contents_1": ParagraphStyle("contents_1", parent=_styles["Normal"], fontSize=9, leading=11.5,
                                 leftIndent=12),
}  # fmt: skip
TABLE_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
]


def text(value: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(value or ""), STYLES[style])


def heading(value: str, style: str, *, key: str, level: int, contents: bool = True) -> Paragraph:
    """A heading that is also a PDF bookmark (and, with ``contents``, a contents line)."""
    paragraph = text(value, style)
    paragraph.outline = (level, value, key, contents)
    return paragraph


def format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    number = f"{value:,.1f}"
    return f"{number}{unit}" if unit == "%" else (f"{number} {unit}" if unit else number)


def value_with_ci(status: IndicatorStatus) -> str:
    latest = status.latest
    if latest is None or latest.value is None:
        return latest.value_note if latest and latest.value_note else "No data"
    unit = status.indicator.unit_label
    phrase = format_value(latest.value, unit)
    if latest.lower_95 is not None and latest.upper_95 is not None:
        phrase += f" ({latest.lower_95:,.1f} to {latest.upper_95:,.1f})"
    return phrase


def target_text(status: IndicatorStatus) -> str:
    target, unit = status.target, status.indicator.unit_label
    if target is None:
        return "No target set"
    if target.value is not None:
        return f"{format_value(target.value, unit)} by {target.target_period.label}"
    return (
        f"{format_value(target.range_lower, unit)} to {format_value(target.range_upper, unit)} "
        f"by {target.target_period.label}"
    )


def signal_cell(family: str, signal, missing: str):
    if signal is None:
        return text(missing, "cell")
    return with_mark(SignalIcon(family, signal.icon), text(signal.label, "cell"), mark_width=7 * mm)
