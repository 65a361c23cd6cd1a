"""The trends figure: one line per area over time with its 95% interval as a band, and
England dashed."""

from __future__ import annotations

from explorer.charts.style import (
    CONFIG,
    ENGLAND_COLOUR,
    figure_layout,
    is_finite,
    short_area_name,
)
from indicators.chart_style import (
    GREY_5,
    NHS_BLUE,
    NHS_DARK_PINK,
    NHS_GREEN,
    NHS_LIGHT_BLUE,
    NHS_LIGHT_GREEN,
    NHS_ORANGE,
    NHS_PINK,
    NHS_PURPLE,
    NHS_RED,
    SECONDARY_TEXT,
)

TREND_COLOURS = [NHS_BLUE, NHS_RED, NHS_GREEN, NHS_PURPLE, NHS_ORANGE, NHS_LIGHT_BLUE, NHS_DARK_PINK,
                 NHS_LIGHT_GREEN, SECONDARY_TEXT, NHS_PINK]  # fmt: skip


def trend_figure(series: list[dict], *, unit: str, periods: list[str]) -> dict:
    """One line per area over time with its 95% CI as a shaded band; England as a dashed line.

    ``series``: dicts with name, code, is_england, points (dicts with period, value, lower,
    upper), in the order to draw."""
    data = []
    colour_index = 0
    for line in series:
        if line["is_england"]:
            colour, dash = ENGLAND_COLOUR, "dash"
        else:
            colour, dash = TREND_COLOURS[colour_index % len(TREND_COLOURS)], "solid"
            colour_index += 1
        points = line["points"]
        name = short_area_name(line["name"])
        band = [p for p in points if is_finite(p["lower"]) and is_finite(p["upper"])]
        if band and not line["is_england"]:
            data.append(
                {
                    "type": "scatter", "mode": "lines", "name": f"{name} 95% CI",
                    "x": [p["period"] for p in band] + [p["period"] for p in reversed(band)],
                    "y": [p["upper"] for p in band] + [p["lower"] for p in reversed(band)],
                    "fill": "toself", "fillcolor": _transparent(colour), "line": {"width": 0},
                    "hoverinfo": "skip", "showlegend": False, "legendgroup": line["code"],
                }
            )  # fmt: skip
        data.append(
            {
                "type": "scatter", "mode": "lines+markers", "name": name, "legendgroup": line["code"],
                "x": [p["period"] for p in points], "y": [p["value"] for p in points],
                "line": {"color": colour, "width": 3, "dash": dash},
                "marker": {"size": 7, "symbol": ["circle", "square", "diamond", "triangle-up",
                                                 "x", "cross"][colour_index % 6]},
                "hovertemplate": f"{name}<br>%{{x}}: %{{y}}" + (f" {unit}" if unit else "") + "<extra></extra>",
            }
        )  # fmt: skip
    layout = figure_layout(
        height=420,
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": periods,
            "automargin": True,
        },
        yaxis={"title": {"text": unit}, "gridcolor": GREY_5, "automargin": True},
    )
    return {"data": data, "layout": layout, "config": CONFIG}


def _transparent(hex_colour: str, alpha: float = 0.15) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
