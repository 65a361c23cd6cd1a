"""One chart style for every page and the board pack: the NHS identity colours by name, what
they mean on a chart, and the plotly layout every page's figure starts from. The explorer's
and the reporting pages' plotly figures and the board pack's matplotlib charts and
reportlab icons all take their colours from here, so a chart looks the same on screen and
on paper.

Colours are the NHS identity palette (NHS design system, "Colour"); the meanings follow
NHS England's Making Data Count (blue improvement, orange concern, purple neither).
"""

NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41b6e6"
NHS_PURPLE = "#330072"
NHS_DARK_PINK = "#7c2855"
NHS_PINK = "#ae2573"
NHS_RED = "#d5281b"
NHS_ORANGE = "#ed8b00"
NHS_WARM_YELLOW = "#ffb81c"
NHS_GREEN = "#007f3b"
NHS_LIGHT_GREEN = "#78be20"
TEXT = "#212b32"  # NHS black
SECONDARY_TEXT = "#4c6272"
DARK_GREY = "#425563"
MID_GREY = "#768692"
GREY_3 = "#aeb7bd"
GREY_4 = "#d8dde0"
GREY_5 = "#e8edee"
WHITE = "#ffffff"
# Tints for no-judgement quintiles (one purple hue, lightest lowest) and spine-chart bands.
PURPLE_TINTS = ("#e3dcef", "#bfa9dd", "#8a63c4", "#4f2d8a")
BAND_GREY = "#c8cfd3"

# What the colours mean on a chart.
IMPROVEMENT = NHS_BLUE
CONCERN = NHS_ORANGE
NEUTRAL = NHS_PURPLE
COMMON_CAUSE = SECONDARY_TEXT
TARGET = NHS_GREEN
BENCHMARK = DARK_GREY
GRID = GREY_5

FONT_FAMILY = "Frutiger W01, Arial, sans-serif"
# The layout every page's plotly figure starts from (pages add their own margins and axes).
PLOTLY_LAYOUT = {
    "font": {"family": FONT_FAMILY, "color": TEXT},
    "paper_bgcolor": WHITE,
    "plot_bgcolor": WHITE,
}
