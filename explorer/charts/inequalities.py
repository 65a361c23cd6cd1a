"""Figures of one area's inequalities: its breakdown's groups compared with the area's own
value, and the gap and slope index of inequality over time."""

from __future__ import annotations

import numpy as np

from explorer.charts.style import (
    CONFIG,
    ENGLAND_COLOUR,
    colour_for,
    figure_layout,
    gap_between,
    is_finite,
    ordered_labels,
    reference_line,
)
from indicators.chart_style import GREY_5, MID_GREY, NHS_BLUE, NHS_PURPLE, SECONDARY_TEXT, WHITE
from indicators.statistics.benchmark import NOT_COMPARED, compare_with_reference


def compare_with_area(rows: list[dict], *, area_value, polarity) -> list[str]:
    """FingertipsNext compares segments (sex, age, deprivation) with the same area's value."""
    if not rows:
        return []
    return [
        str(label)
        for label in np.atleast_1d(
            compare_with_reference(
                [r["value"] for r in rows], [r["lower"] for r in rows], [r["upper"] for r in rows],
                area_value if is_finite(area_value) else np.nan, polarity=polarity,
            )
        )
    ]  # fmt: skip


def inequality_figure(rows: list[dict], *, unit: str, area_name: str, area_value) -> dict:
    """Bars by category with 95% error bars, coloured by comparison with the area's own value;
    the area's value as a line; Core20 (most deprived national quintile) marked.

    ``rows``: dicts with category, value, lower, upper, label, core20 (bool)."""
    data = []
    categories = [r["category"] for r in rows]
    for label in ordered_labels(r["label"] for r in rows):
        members = [r for r in rows if r["label"] == label]
        # Core20 bars are hatched in a trace of their own, kept out of the legend: a legend
        # swatch takes its first bar's look, and would say "worse" means hatched.
        plain = [r for r in members if not r["core20"]]
        core20 = [r for r in members if r["core20"]]
        data.append(_category_bars(plain, label, unit, name=_versus_area(label, area_name)))
        if core20:
            data.append(_category_bars(core20, label, unit, hatched=True))
    if any(r["core20"] for r in rows):
        data.append(
            {
                "type": "bar", "x": [None], "y": [None], "hoverinfo": "skip",
                "name": "Core20: most deprived fifth nationally",
                "marker": {"color": MID_GREY, "pattern": {"shape": "/", "fgcolor": WHITE,
                                                           "fillmode": "overlay"}},
            }
        )  # fmt: skip
    shapes, annotations = [], []
    if is_finite(area_value):
        shapes.append(reference_line(area_value, "", ENGLAND_COLOUR, "dash", vertical=False)[0])
        data.append(
            {
                "type": "scatter", "mode": "lines", "x": [None], "y": [None],
                "name": f"Area average: {area_value:.4g}", "hoverinfo": "skip",
                "line": {"color": ENGLAND_COLOUR, "width": 2, "dash": "dash"},
            }
        )  # fmt: skip
    for row in rows:
        if row["core20"] and is_finite(row["value"]):
            annotations.append(
                {"x": row["category"], "y": row["upper"] if is_finite(row["upper"]) else row["value"],
                 "text": "Core20", "showarrow": False, "yanchor": "bottom", "font": {"size": 12}}
            )  # fmt: skip
    layout = figure_layout(
        height=380,
        xaxis={"categoryorder": "array", "categoryarray": categories, "automargin": True},
        yaxis={
            "title": {"text": unit},
            "gridcolor": GREY_5,
            "automargin": True,
            "rangemode": "tozero",
        },
        shapes=shapes,
        annotations=annotations,
    )
    return {"data": data, "layout": layout, "config": CONFIG}


def _category_bars(members, label, unit, *, name=None, hatched=False) -> dict:
    """One colour's bars, with 95% error bars. Without members it is a legend entry only."""
    members = members or [{"category": None, "value": None, "upper": None, "lower": None}]
    trace = {
        "type": "bar", "name": name or label, "legendgroup": label, "showlegend": not hatched,
        "x": [r["category"] for r in members], "y": [r["value"] for r in members],
        "marker": {"color": colour_for(label)},
        "error_y": {"type": "data", "symmetric": False, "color": SECONDARY_TEXT,
                    "array": [gap_between(r["upper"], r["value"]) for r in members],
                    "arrayminus": [gap_between(r["value"], r["lower"]) for r in members]},
        "hovertemplate": "%{x}: %{y}" + (f" {unit}" if unit else "") + "<extra></extra>",
    }  # fmt: skip
    if hatched:
        trace["marker"]["pattern"] = {"shape": "/", "fgcolor": WHITE, "fillmode": "overlay"}
    return trace


def _versus_area(label: str, area_name: str) -> str:
    # Short legend names, so the legend fits a phone screen; the caption names the area.
    return {"Similar": "Similar to area average", NOT_COMPARED: NOT_COMPARED}.get(
        label, f"{label} than area average"
    )


def inequality_over_time_figure(rows: list[dict], *, unit: str) -> dict:
    """The gap between the most and least deprived quintiles, and the SII with its 95% limits,
    period by period. ``rows``: dicts with period, gap, sii, sii_lower, sii_upper."""
    periods = [r["period"] for r in rows]
    data = [
        {
            "type": "scatter", "mode": "lines+markers", "name": "Gap: most minus least deprived quintile",
            "x": periods, "y": [r["gap"] for r in rows], "line": {"color": NHS_BLUE, "width": 3},
            "marker": {"symbol": "circle", "size": 8},
        },
        {
            "type": "scatter", "mode": "markers", "name": "Slope index of inequality (95% CI)",
            "x": periods, "y": [r["sii"] for r in rows],
            "marker": {"symbol": "diamond", "size": 10, "color": NHS_PURPLE},
            "error_y": {"type": "data", "symmetric": False, "color": NHS_PURPLE,
                        "array": [gap_between(r["sii_upper"], r["sii"]) for r in rows],
                        "arrayminus": [gap_between(r["sii"], r["sii_lower"]) for r in rows]},
        },
    ]  # fmt: skip
    layout = figure_layout(
        height=340,
        xaxis={"type": "category", "automargin": True},
        yaxis={
            "title": {"text": unit},
            "gridcolor": GREY_5,
            "zeroline": True,
            "automargin": True,
        },
    )
    return {"data": data, "layout": layout, "config": CONFIG}
