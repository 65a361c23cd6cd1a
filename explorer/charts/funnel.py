"""The funnel plot: each area's value against its denominator within control limits around a
benchmark, and the same in words."""

from __future__ import annotations

from explorer.charts.style import CONFIG, PARENT_COLOUR, figure_layout, short_area_name
from indicators.chart_style import (
    GREY_3,
    GREY_5,
    MID_GREY,
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_LIGHT_BLUE,
    NHS_RED,
    SECONDARY_TEXT,
    TEXT,
)

FUNNEL_COLOURS = {
    "better": NHS_GREEN, "worse": NHS_RED, "higher": NHS_DARK_BLUE, "lower": NHS_LIGHT_BLUE,
    "within": MID_GREY, "not assessed": GREY_3,
}  # fmt: skip
LIMIT_STYLES = {"99.8%": (TEXT, "solid", 1.5), "95%": (SECONDARY_TEXT, "dash", 1.5)}
FUNNEL_X_TITLES = {"dsr": "Events × multiplier ÷ DSR (equivalent population)"}


def funnel_figure(
    rows: list[dict], *, limits: dict, benchmark_name: str, benchmark_value: float, unit: str,
    value_type: str, positions: list[str],
) -> dict:  # fmt: skip
    """Each area's value against its denominator, with the 95% and 99.8% control limits around
    the benchmark. Points take their shape from where they fall (triangles up above, down
    below, open between the 95% and 99.8% limits, circles within) and are named in the legend
    by that place, so colour only repeats what shape and text say.

    ``rows``: dicts with name, value, x, label, position, symbol and tone (better, worse,
    higher, lower, within or not assessed: the colour);
    ``limits``: for "95%" and "99.8%", lists x (x_upper where the upper line has its own),
    lower and upper; ``value_type``: the indicator's (a DSR's x is in events); ``positions``:
    the position texts in legend order."""
    data = []
    for line, (colour, dash, width) in LIMIT_STYLES.items():
        drawn = limits.get(line)
        if not drawn:
            continue
        for end, shown in (("lower", True), ("upper", False)):
            xs = drawn.get(f"x_{end}", drawn["x"])
            data.append(
                {
                    "type": "scatter", "mode": "lines", "name": f"{line} control limits",
                    "legendgroup": line, "showlegend": shown, "x": xs, "y": drawn[end],
                    "line": {"color": colour, "dash": dash, "width": width}, "hoverinfo": "skip",
                }
            )  # fmt: skip
    xs = [row["x"] for row in rows]
    if xs:
        data.append(
            {
                "type": "scatter", "mode": "lines",
                "name": f"Benchmark, {short_area_name(benchmark_name)}: {benchmark_value:.4g}",
                "x": [0, max(max(xs), max(limits.get("95%", {}).get("x") or [0])) * 1.02],
                "y": [benchmark_value, benchmark_value],
                "line": {"color": PARENT_COLOUR, "width": 2}, "hoverinfo": "skip",
            }
        )  # fmt: skip
    in_order = sorted(rows, key=lambda row: positions.index(row["position"]))
    for label in dict.fromkeys(row["label"] for row in in_order):
        members = [row for row in rows if row["label"] == label]
        first = members[0]
        colour = FUNNEL_COLOURS[first["tone"]]
        data.append(
            {
                "type": "scatter", "mode": "markers", "name": label,
                "x": [row["x"] for row in members], "y": [row["value"] for row in members],
                "text": [short_area_name(row["name"]) for row in members],
                "marker": {"symbol": first["symbol"], "size": 11, "color": colour,
                           "line": {"color": colour, "width": 2}},
                "hovertemplate": "%{text}<br>%{y:.4g}" + (f" {unit}" if unit else "")
                + f" at %{{x:,.0f}}<br>{label}<extra></extra>",
            }
        )  # fmt: skip
    values = [row["value"] for row in rows] + [benchmark_value]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, abs(benchmark_value) * 0.05, 1e-9)
    layout = figure_layout(
        height=460,
        xaxis={
            "title": {"text": FUNNEL_X_TITLES.get(value_type, "Denominator")},
            "rangemode": "tozero", "gridcolor": GREY_5,
            "automargin": True, "separatethousands": True,
        },
        yaxis={
            "title": {"text": unit}, "range": [max(low - pad, 0), high + pad],
            "gridcolor": GREY_5, "automargin": True,
        },
    )  # fmt: skip
    return {"data": data, "layout": layout, "config": CONFIG}


def funnel_description(*, indicator_name: str, area_type_name: str, benchmark_name: str) -> str:
    """The funnel chart in words, for people who cannot see it."""
    return (
        f"Funnel plot of {indicator_name} for each {area_type_name.lower()} area: its value "
        f"against its denominator, with 95% (dashed) and 99.8% (solid) control limits around "
        f"{benchmark_name} (the horizontal line). Areas above the limits are upward triangles "
        f"and areas below downward triangles, open between the 95% and 99.8% limits and filled "
        f"beyond 99.8%; areas within the limits are circles. The tables below have the same "
        f"data."
    )
