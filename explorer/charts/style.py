"""What every explorer figure shares: the colours and their legend order, the font, the
layout and plotly's configuration, and small helpers for names, reference lines and error
bars."""

from __future__ import annotations

import math

from indicators.statistics.benchmark import NOT_COMPARED

SIGNIFICANCE_COLOURS = {
    "Better": "#007f3b",
    "Similar": "#ffb81c",
    "Worse": "#d5281b",
    "Higher": "#003087",
    "Lower": "#41b6e6",
    NOT_COMPARED: "#aeb7bd",
}
QUINTILE_COLOURS = {
    # Judgement: worst to best; no judgement: lowest to highest in one purple hue.
    "Worst": "#d5281b", "Worse": "#ed8b00", "Middle": "#ffb81c", "Better": "#78be20",
    "Best": "#007f3b",
    "Lowest": "#e3dcef", "Low": "#bfa9dd", "High": "#8a63c4", "Highest": "#4f2d8a",
}  # fmt: skip
LEGEND_ORDER = [
    "Better", "Similar", "Worse", "Higher", "Lower", "Best", "Worst", "Lowest", "Low", "Middle",
    "High", "Highest", NOT_COMPARED,
]  # fmt: skip
ENGLAND_COLOUR = "#212b32"
PARENT_COLOUR = "#330072"
FONT = {"family": "Frutiger W01, Arial, sans-serif", "size": 13, "color": "#212b32"}
CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def colour_for(label: str) -> str:
    return SIGNIFICANCE_COLOURS.get(label) or QUINTILE_COLOURS.get(label) or "#aeb7bd"


def short_area_name(name: str) -> str:
    """ICB names are long: "NHS Somewhere Integrated Care Board" → "Somewhere ICB"."""
    name = name.removeprefix("NHS ")
    return name.replace(" Integrated Care Board", " ICB")


def figure_layout(**extra) -> dict:
    layout = {
        "font": FONT,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
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
