"""Making Data Count icons and comparison marks for the board pack, drawn as vector shapes.

The same shapes and letters as the pages' icons (templates/reporting/icons.html): variation
is a circle for improvement, a diamond for concern, a square for neutral special cause and an
open circle for common cause, lettered H or L (high or low) or ~; assurance is a circle P
(consistently hits), a diamond F (consistently fails) or a dashed open circle ? (hit and
miss). Each is always followed by its words, so a greyscale print loses nothing but colour.
The comparison with the benchmark is a triangle up (better), down (worse), a circle
(similar), or an open triangle up or down (higher or lower, for indicators with no better
direction), again with its word.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from indicators.chart_style import NHS_BLUE, NHS_ORANGE, NHS_PURPLE, SECONDARY_TEXT, TEXT

INK = colors.HexColor(TEXT)
IMPROVEMENT = colors.HexColor(NHS_BLUE)
CONCERN = colors.HexColor(NHS_ORANGE)
NEUTRAL = colors.HexColor(NHS_PURPLE)
COMMON = colors.HexColor(SECONDARY_TEXT)
ICON_SIZE = 5.6 * mm


class SignalIcon(Flowable):
    """One MDC icon: ``family`` is "variation" or "assurance", ``icon`` the stored icon name
    (``improvement_high``, ``concern_low``, ``common_cause``, ``pass``, ``fail``...)."""

    def __init__(self, family: str, icon: str, size: float = ICON_SIZE):
        super().__init__()
        self.family, self.icon, self.size = family, icon, size
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        shape, fill, letter, dashed = _icon_parts(self.family, self.icon)
        canvas, size = self.canv, self.size
        middle = size / 2
        canvas.saveState()
        canvas.setLineWidth(0.8)
        canvas.setStrokeColor(INK if fill is not None else COMMON)
        if dashed:
            canvas.setDash(2, 1.5)
        canvas.setFillColor(fill or colors.white)
        if shape == "circle":
            canvas.circle(middle, middle, size * 0.46, stroke=1, fill=1)
        elif shape == "diamond":
            _polygon(canvas, [(middle, 0), (size, middle), (middle, size), (0, middle)], fill=True)
        else:
            canvas.rect(size * 0.06, size * 0.06, size * 0.88, size * 0.88, stroke=1, fill=1)
        canvas.setDash()
        # White letters on the dark fills; dark letters on orange and on white.
        canvas.setFillColor(colors.white if fill in (IMPROVEMENT, NEUTRAL) else INK)
        canvas.setFont("Helvetica-Bold", size * 0.55)
        canvas.drawCentredString(middle, middle - size * 0.19, letter)
        canvas.restoreState()


def _icon_parts(family: str, icon: str) -> tuple[str, colors.Color | None, str, bool]:
    """(shape, fill or None for open, letter, dashed outline) of an icon."""
    if family == "assurance":
        return {
            "pass": ("circle", IMPROVEMENT, "P", False),
            "fail": ("diamond", CONCERN, "F", False),
        }.get(icon, ("circle", None, "?", True))
    letter = "H" if icon.endswith("high") else "L" if icon.endswith("low") else "~"
    if icon.startswith("improvement"):
        return "circle", IMPROVEMENT, letter, False
    if icon.startswith("concern"):
        return "diamond", CONCERN, letter, False
    if icon.startswith("neutral"):
        return "square", NEUTRAL, letter, False
    return "circle", None, "~", False


class ComparisonMark(Flowable):
    """The comparison with the benchmark as a small shape (see the module docstring)."""

    SIZE = 2.8 * mm

    def __init__(self, comparison: str):
        super().__init__()
        self.comparison = comparison
        self.width = self.height = self.SIZE

    def wrap(self, available_width, available_height):
        return self.SIZE, self.SIZE

    def draw(self):
        canvas, size = self.canv, self.SIZE
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.7)
        canvas.setFillColor(INK)
        filled = self.comparison in {"Better", "Worse", "Similar"}
        if self.comparison == "Similar":
            canvas.circle(size / 2, size / 2, size * 0.4, stroke=1, fill=1)
        elif self.comparison in {"Better", "Higher", "Worse", "Lower"}:
            up = self.comparison in {"Better", "Higher"}
            tip, base = (size, 0) if up else (0, size)
            _polygon(canvas, [(0, base), (size, base), (size / 2, tip)], fill=filled)
        canvas.restoreState()


def _polygon(canvas, points: list[tuple[float, float]], *, fill: bool) -> None:
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=1, fill=1 if fill else 0)


def with_mark(mark: Flowable | None, text: Paragraph, *, mark_width: float) -> Table:
    """A mark and its words side by side, as one cell of a table."""
    table = Table([[mark or "", text]], colWidths=[mark_width, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 2),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table
