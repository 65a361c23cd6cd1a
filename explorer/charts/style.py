"""What every explorer figure shares: the colours and their legend order, the font, the
layout and plotly's configuration, and small helpers for names, reference lines and error
bars."""

from __future__ import annotations

import math

from indicators.chart_style import (
    GREY_3,
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_LIGHT_BLUE,
    NHS_LIGHT_GREEN,
    NHS_ORANGE,
    NHS_PURPLE,
    NHS_RED,
    NHS_WARM_YELLOW,
    PLOTLY_LAYOUT,
    PURPLE_TINTS,
    TEXT,
)
from indicators.statistics.benchmark import NOT_COMPARED

SIGNIFICANCE_COLOURS = {
    "Better": NHS_GREEN,
    "Similar": NHS_WARM_YELLOW,
    "Worse": NHS_RED,
    "Higher": NHS_DARK_BLUE,
    "Lower": NHS_LIGHT_BLUE,
    NOT_COMPARED: GREY_3,
}
QUINTILE_COLOURS = {
    # Judgement: worst to best; no judgement: lowest to highest in one purple hue.
    "Worst": NHS_RED, "Worse": NHS_ORANGE, "Middle": NHS_WARM_YELLOW, "Better": NHS_LIGHT_GREEN,
    "Best": NHS_GREEN,
    "Lowest": PURPLE_TINTS[0], "Low": PURPLE_TINTS[1], "High": PURPLE_TINTS[2], "Highest": PURPLE_TINTS[3],
}  # fmt: skip
LEGEND_ORDER = [
    "Better", "Similar", "Worse", "Higher", "Lower", "Best", "Worst", "Lowest", "Low", "Middle",
    "High", "Highest", NOT_COMPARED,
]  # fmt: skip
ENGLAND_COLOUR = TEXT
PARENT_COLOUR = NHS_PURPLE
FONT = PLOTLY_LAYOUT["font"] | {"size": 13}
CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def colour_for(label: str) -> str:
    return SIGNIFICANCE_COLOURS.get(label) or QUINTILE_COLOURS.get(label) or GREY_3


def short_area_name(name: str) -> str:
    """ICB names are long: "NHS Somewhere Integrated Care Board" → "Somewhere ICB"."""
    name = name.removeprefix("NHS ")
    return name.replace(" Integrated Care Board", " ICB")


def figure_layout(**extra) -> dict:
    layout = PLOTLY_LAYOUT | {
        "font": FONT,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 40},
        "legend": {"orientation": "h", "y": 1.01, "yanchor": "bottom", "x": 0},
        "hoverlabel": {"font": {"size": 13}},
    }
    layout.update(extra)
    return layout


def is_finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def ordered_labels(labels) -> list[str]:
    present = list(dict.fromkeys(labels))
    return sorted(
        present, key=lambda label: LEGEND_ORDER.index(label) if label in LEGEND_ORDER else 99
    )


def reference_line(value, name, colour, dash, *, vertical: bool) -> tuple[dict, dict]:
    axis = "x" if vertical else "y"
    other = "y" if vertical else "x"
    shape = {
        "type": "line", "xref": axis if vertical else "paper", "yref": "paper" if vertical else axis,
        f"{axis}0": value, f"{axis}1": value, f"{other}0": 0, f"{other}1": 1,
        "line": {"color": colour, "width": 2, "dash": dash},
    }  # fmt: skip
    annotation = {
        "xref": axis if vertical else "paper", "yref": "paper" if vertical else axis,
        axis: value, other: 1, "text": name, "showarrow": False, "yanchor": "bottom",
        "xanchor": "left" if vertical else "right", "font": {"size": 12, "color": colour},
    }  # fmt: skip
    return shape, annotation


def gap_between(high, low):
    return high - low if is_finite(high) and is_finite(low) else None
