"""Figures of the areas of one type: compare areas' bars, and the map's choropleth with the
quintiles it may be coloured by."""

from __future__ import annotations

import numpy as np

from explorer.charts.style import (
    CONFIG,
    ENGLAND_COLOUR,
    PARENT_COLOUR,
    colour_for,
    figure_layout,
    gap_between,
    is_finite,
    ordered_labels,
    reference_line,
    short_area_name,
)
from indicators.chart_style import GREY_3, GREY_5, SECONDARY_TEXT, WHITE
from indicators.statistics.benchmark import quintile_labels, value_quintiles


def compare_areas_figure(
    rows: list[dict], *, unit: str, england: float | None = None, parent: tuple | None = None,
    highlight: str = "",
) -> dict:  # fmt: skip
    """Horizontal bars, one per area (sorted by value), with 95% error bars, coloured by the
    comparison with England; England and the parent area as reference lines.

    ``rows``: dicts with code, name, value, lower, upper, label. ``parent``: (name, value)."""
    plotted = sorted(
        (r for r in rows if is_finite(r["value"])), key=lambda r: (r["value"], r["code"])
    )
    data = []
    for label in ordered_labels(r["label"] for r in plotted):
        members = [r for r in plotted if r["label"] == label]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": [_bar_name(r, highlight) for r in members],
                "x": [r["value"] for r in members],
                "marker": {
                    "color": colour_for(label),
                    "line": {
                        "color": [
                            ENGLAND_COLOUR if r["code"] == highlight else colour_for(label)
                            for r in members
                        ],
                        "width": [3 if r["code"] == highlight else 1 for r in members],
                    },
                },
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "color": SECONDARY_TEXT,
                    "thickness": 1.5,
                    "array": [gap_between(r["upper"], r["value"]) for r in members],
                    "arrayminus": [gap_between(r["value"], r["lower"]) for r in members],
                },  # fmt: skip
                "hovertemplate": "%{y}: %{x}"
                + (f" {unit}" if unit else "")
                + f"<br>{label}<extra></extra>",
            }
        )
    shapes = []
    for name, value, colour, dash in [
        ("England", england, ENGLAND_COLOUR, "solid"),
        *([(parent[0], parent[1], PARENT_COLOUR, "dash")] if parent else []),
    ]:
        if is_finite(value):
            shapes.append(reference_line(value, name, colour, dash, vertical=True)[0])
            # The line is named in the legend (with its value), not over the bars.
            data.append(
                {
                    "type": "scatter", "mode": "lines", "x": [None], "y": [None],
                    "name": f"{short_area_name(name)}: {value:.4g}",
                    "line": {"color": colour, "width": 2, "dash": dash}, "hoverinfo": "skip",
                }
            )  # fmt: skip
    names = [_bar_name(r, highlight) for r in plotted]
    layout = figure_layout(
        height=max(320, 26 * len(plotted) + 140),
        barmode="overlay",
        xaxis={
            "title": {"text": unit},
            "zeroline": True,
            "gridcolor": GREY_5,
            "automargin": True,
        },
        yaxis={"categoryorder": "array", "categoryarray": names, "automargin": True},
        shapes=shapes,
    )
    return {"data": data, "layout": layout, "config": CONFIG}


def _bar_name(row: dict, highlight: str) -> str:
    name = short_area_name(row["name"])
    return f"<b>{name}</b>" if row["code"] == highlight else name


def quintile_classes(values: list, *, polarity: str) -> list[str]:
    """FingertipsNext quintiles (NTILE(5)) labelled by polarity; fewer than 5 values are not
    compared."""
    if not values:
        return []
    quintiles = value_quintiles(
        np.array([v if is_finite(v) else np.nan for v in values], dtype=float)
    )
    return [str(label) for label in quintile_labels(quintiles, polarity=polarity)]


def map_figure(rows: list[dict], *, geojson_url: str, topojson_url: str, unit: str) -> dict:
    """A choropleth on the boundary file (no base map, no tiles: nothing leaves the site).

    ``rows``: dicts with location (the boundary's code), name, value, label. One discrete
    colour per label, named on the colour bar."""
    labels = ordered_labels(r["label"] for r in rows)
    index = {label: number for number, label in enumerate(labels)}
    count = max(len(labels), 1)
    colourscale = []
    for label, number in index.items():
        colourscale += [
            [number / count, colour_for(label)],
            [(number + 1) / count, colour_for(label)],
        ]
    data = [
        {
            "type": "choropleth",
            "geojson": geojson_url,
            "locations": [r["location"] for r in rows],
            "z": [index[r["label"]] + 0.5 for r in rows],
            "zmin": 0,
            "zmax": count,
            "colorscale": colourscale or [[0, GREY_3], [1, GREY_3]],
            "marker": {"line": {"color": WHITE, "width": 0.6}},
            "text": [
                f"{short_area_name(r['name'])}<br>"
                + (
                    f"{r['value']:.4g}" + (f" {unit}" if unit else "")
                    if is_finite(r["value"])
                    else "No value"
                )
                + f"<br>{r['label']}"
                for r in rows
            ],
            "hovertemplate": "%{text}<extra></extra>",
            "colorbar": {
                "tickvals": [number + 0.5 for number in range(len(labels))],
                "ticktext": labels,
                "thickness": 14,
                "len": 0.8,
                "outlinewidth": 0,
            },  # fmt: skip
        }
    ]
    layout = figure_layout(
        height=560,
        geo={
            "visible": False,
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "showland": False,
            "showcountries": False,
            "showcoastlines": False,
            "showframe": False,
            "bgcolor": WHITE,
        },  # fmt: skip
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        dragmode=False,
    )
    # topojson_url: a folder holding an empty base map, so plotly.js fetches nothing remote.
    config = {**CONFIG, "scrollZoom": False, "topojsonURL": topojson_url}
    return {"data": data, "layout": layout, "config": config}
