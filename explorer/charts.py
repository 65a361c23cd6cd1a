"""Plotly figures for the explorer, as plain dicts: pure functions of the rows a page shows.

Colours follow Fingertips' conventions (better green, similar amber, worse red; higher and
lower in two blues where there is no judgement; quintiles in one hue), and every colour has a
legend entry naming it, so no chart relies on colour alone; each page also has the same data
as a table.
"""

from __future__ import annotations

import math

import numpy as np

from indicators.statistics.benchmark import (
    NOT_COMPARED,
    compare_with_reference,
    quintile_labels,
    value_quintiles,
)

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


def _layout(**extra) -> dict:
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


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _ordered_labels(labels) -> list[str]:
    present = list(dict.fromkeys(labels))
    return sorted(
        present, key=lambda label: LEGEND_ORDER.index(label) if label in LEGEND_ORDER else 99
    )


def _reference_line(value, name, colour, dash, *, vertical: bool) -> tuple[dict, dict]:
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


# --- Compare areas ------------------------------------------------------------------------------


def compare_areas_figure(
    rows: list[dict], *, unit: str, england: float | None = None, parent: tuple | None = None,
    highlight: str = "",
) -> dict:  # fmt: skip
    """Horizontal bars, one per area (sorted by value), with 95% error bars, coloured by the
    comparison with England; England and the parent area as reference lines.

    ``rows``: dicts with code, name, value, lower, upper, label. ``parent``: (name, value)."""
    plotted = sorted(
        (r for r in rows if _finite(r["value"])), key=lambda r: (r["value"], r["code"])
    )
    data = []
    for label in _ordered_labels(r["label"] for r in plotted):
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
                    "color": "#4c6272",
                    "thickness": 1.5,
                    "array": [_gap(r["upper"], r["value"]) for r in members],
                    "arrayminus": [_gap(r["value"], r["lower"]) for r in members],
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
        if _finite(value):
            shapes.append(_reference_line(value, name, colour, dash, vertical=True)[0])
            # The line is named in the legend (with its value), not over the bars.
            data.append(
                {
                    "type": "scatter", "mode": "lines", "x": [None], "y": [None],
                    "name": f"{short_area_name(name)}: {value:.4g}",
                    "line": {"color": colour, "width": 2, "dash": dash}, "hoverinfo": "skip",
                }
            )  # fmt: skip
    names = [_bar_name(r, highlight) for r in plotted]
    layout = _layout(
        height=max(320, 26 * len(plotted) + 140),
        barmode="overlay",
        xaxis={
            "title": {"text": unit},
            "zeroline": True,
            "gridcolor": "#e8edee",
            "automargin": True,
        },
        yaxis={"categoryorder": "array", "categoryarray": names, "automargin": True},
        shapes=shapes,
    )
    return {"data": data, "layout": layout, "config": CONFIG}


def _bar_name(row: dict, highlight: str) -> str:
    name = short_area_name(row["name"])
    return f"<b>{name}</b>" if row["code"] == highlight else name


def _gap(high, low):
    return high - low if _finite(high) and _finite(low) else None


# --- Area summary: spine chart --------------------------------------------------------------------


def spine_positions(*, value, england, minimum, maximum, q25, q75, polarity) -> dict | None:
    """Positions (0 to 1) on a spine centred on England, better always to the right.

    Fingertips' spine: the half-width is the larger distance from England to the lowest or
    highest area, so England sits at 0.5; for lower-is-better indicators the axis is flipped.
    No judgement keeps higher values to the right."""
    if not all(_finite(v) for v in (england, minimum, maximum)):
        return None
    half_width = max(maximum - england, england - minimum)
    flip = -1 if polarity == "lower_better" else 1

    def position(number):
        if not _finite(number):
            return None
        if half_width == 0:
            return 0.5
        return 0.5 + flip * (number - england) / (2 * half_width)

    ends = sorted([position(minimum), position(maximum)])
    quartiles = sorted(p for p in (position(q25), position(q75)) if p is not None)
    return {
        "worst": ends[0],
        "best": ends[1],
        "inner_low": quartiles[0] if quartiles else ends[0],
        "inner_high": quartiles[-1] if quartiles else ends[1],
        "england": 0.5,
        "value": position(value),
    }


def spine_figure(rows: list[dict]) -> dict:
    """One row per indicator: the spread of areas (worst to best, interquartile darker),
    England in the middle, the area as a dot coloured by its comparison with England.

    ``rows``: dicts with name, value, england, minimum, q25, q75, maximum, polarity, label."""
    names, spans, markers = [], [], []
    for row in rows:
        positions = spine_positions(
            value=row["value"], england=row["england"], minimum=row["minimum"],
            maximum=row["maximum"], q25=row["q25"], q75=row["q75"], polarity=row["polarity"],
        )  # fmt: skip
        if positions is None:
            continue
        names.append(row["name"])
        spans.append(positions)
        if positions["value"] is not None:
            markers.append((row, positions["value"]))
    segments = [
        ("Lowest quarter of areas (worse side)", "worst", "inner_low", "#c8cfd3"),
        ("Middle half of areas", "inner_low", "inner_high", "#768692"),
        ("Highest quarter of areas (better side)", "inner_high", "best", "#c8cfd3"),
    ]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": names,
            "x": [span[end] - span[start] for span in spans],
            "base": [span[start] for span in spans],
            "marker": {"color": colour},
            "hoverinfo": "skip",
            "showlegend": index == 1,
        }  # fmt: skip
        for index, (name, start, end, colour) in enumerate(segments)
    ]
    for label in _ordered_labels(row["label"] for row, _ in markers):
        members = [(row, x) for row, x in markers if row["label"] == label]
        data.append(
            {
                "type": "scatter", "mode": "markers", "name": f"Area: {label}",
                "y": [row["name"] for row, _ in members], "x": [x for _, x in members],
                "marker": {"color": colour_for(label), "size": 13, "symbol": "circle",
                           "line": {"color": ENGLAND_COLOUR, "width": 1}},
                "text": [f"{row['value']:.4g} ({label})" for row, _ in members],
                "hovertemplate": "%{y}<br>%{text}<extra></extra>",
            }
        )  # fmt: skip
    shape, note = _reference_line(0.5, "England", ENGLAND_COLOUR, "solid", vertical=True)
    note["xanchor"] = "center"
    layout = _layout(
        height=max(320, 34 * len(names) + 140),
        barmode="overlay",
        xaxis={
            "range": [-0.02, 1.02],
            "tickvals": [0, 0.5, 1],
            "ticktext": ["Worse", "England", "Better"],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },  # fmt: skip
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        margin={"l": 10, "r": 40, "t": 60, "b": 40},
        shapes=[shape],
        annotations=[note],
    )
    return {"data": data, "layout": layout, "config": CONFIG}


# --- Inequalities ----------------------------------------------------------------------------------


def compare_with_area(rows: list[dict], *, area_value, polarity) -> list[str]:
    """FingertipsNext compares segments (sex, age, deprivation) with the same area's value."""
    if not rows:
        return []
    return [
        str(label)
        for label in np.atleast_1d(
            compare_with_reference(
                [r["value"] for r in rows], [r["lower"] for r in rows], [r["upper"] for r in rows],
                area_value if _finite(area_value) else np.nan, polarity=polarity,
            )
        )
    ]  # fmt: skip


def inequality_figure(rows: list[dict], *, unit: str, area_name: str, area_value) -> dict:
    """Bars by category with 95% error bars, coloured by comparison with the area's own value;
    the area's value as a line; Core20 (most deprived national quintile) marked.

    ``rows``: dicts with category, value, lower, upper, label, core20 (bool)."""
    data = []
    categories = [r["category"] for r in rows]
    for label in _ordered_labels(r["label"] for r in rows):
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
                "marker": {"color": "#768692", "pattern": {"shape": "/", "fgcolor": "#ffffff",
                                                           "fillmode": "overlay"}},
            }
        )  # fmt: skip
    shapes, annotations = [], []
    if _finite(area_value):
        shapes.append(_reference_line(area_value, "", ENGLAND_COLOUR, "dash", vertical=False)[0])
        data.append(
            {
                "type": "scatter", "mode": "lines", "x": [None], "y": [None],
                "name": f"Area average: {area_value:.4g}", "hoverinfo": "skip",
                "line": {"color": ENGLAND_COLOUR, "width": 2, "dash": "dash"},
            }
        )  # fmt: skip
    for row in rows:
        if row["core20"] and _finite(row["value"]):
            annotations.append(
                {"x": row["category"], "y": row["upper"] if _finite(row["upper"]) else row["value"],
                 "text": "Core20", "showarrow": False, "yanchor": "bottom", "font": {"size": 12}}
            )  # fmt: skip
    layout = _layout(
        height=380,
        xaxis={"categoryorder": "array", "categoryarray": categories, "automargin": True},
        yaxis={
            "title": {"text": unit},
            "gridcolor": "#e8edee",
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
        "error_y": {"type": "data", "symmetric": False, "color": "#4c6272",
                    "array": [_gap(r["upper"], r["value"]) for r in members],
                    "arrayminus": [_gap(r["value"], r["lower"]) for r in members]},
        "hovertemplate": "%{x}: %{y}" + (f" {unit}" if unit else "") + "<extra></extra>",
    }  # fmt: skip
    if hatched:
        trace["marker"]["pattern"] = {"shape": "/", "fgcolor": "#ffffff", "fillmode": "overlay"}
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
            "x": periods, "y": [r["gap"] for r in rows], "line": {"color": "#005eb8", "width": 3},
            "marker": {"symbol": "circle", "size": 8},
        },
        {
            "type": "scatter", "mode": "markers", "name": "Slope index of inequality (95% CI)",
            "x": periods, "y": [r["sii"] for r in rows],
            "marker": {"symbol": "diamond", "size": 10, "color": "#330072"},
            "error_y": {"type": "data", "symmetric": False, "color": "#330072",
                        "array": [_gap(r["sii_upper"], r["sii"]) for r in rows],
                        "arrayminus": [_gap(r["sii"], r["sii_lower"]) for r in rows]},
        },
    ]  # fmt: skip
    layout = _layout(
        height=340,
        xaxis={"type": "category", "automargin": True},
        yaxis={
            "title": {"text": unit},
            "gridcolor": "#e8edee",
            "zeroline": True,
            "automargin": True,
        },
    )
    return {"data": data, "layout": layout, "config": CONFIG}


# --- Trends -------------------------------------------------------------------------------------

TREND_COLOURS = ["#005eb8", "#d5281b", "#007f3b", "#330072", "#ed8b00", "#41b6e6", "#7c2855",
                 "#78be20", "#4c6272", "#ae2573"]  # fmt: skip


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
        band = [p for p in points if _finite(p["lower"]) and _finite(p["upper"])]
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
    layout = _layout(
        height=420,
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": periods,
            "automargin": True,
        },
        yaxis={"title": {"text": unit}, "gridcolor": "#e8edee", "automargin": True},
    )
    return {"data": data, "layout": layout, "config": CONFIG}


def _transparent(hex_colour: str, alpha: float = 0.15) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


# --- Map ----------------------------------------------------------------------------------------


def quintile_classes(values: list, *, polarity: str) -> list[str]:
    """FingertipsNext quintiles (NTILE(5)) labelled by polarity; fewer than 5 values are not
    compared."""
    if not values:
        return []
    quintiles = value_quintiles(
        np.array([v if _finite(v) else np.nan for v in values], dtype=float)
    )
    return [str(label) for label in quintile_labels(quintiles, polarity=polarity)]


def map_figure(rows: list[dict], *, geojson_url: str, topojson_url: str, unit: str) -> dict:
    """A choropleth on the boundary file (no base map, no tiles: nothing leaves the site).

    ``rows``: dicts with location (the boundary's code), name, value, label. One discrete
    colour per label, named on the colour bar."""
    labels = _ordered_labels(r["label"] for r in rows)
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
            "colorscale": colourscale or [[0, "#aeb7bd"], [1, "#aeb7bd"]],
            "marker": {"line": {"color": "#ffffff", "width": 0.6}},
            "text": [
                f"{short_area_name(r['name'])}<br>"
                + (
                    f"{r['value']:.4g}" + (f" {unit}" if unit else "")
                    if _finite(r["value"])
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
    layout = _layout(
        height=560,
        geo={
            "visible": False,
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "showland": False,
            "showcountries": False,
            "showcoastlines": False,
            "showframe": False,
            "bgcolor": "#ffffff",
        },  # fmt: skip
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        dragmode=False,
    )
    # topojson_url: a folder holding an empty base map, so plotly.js fetches nothing remote.
    config = {**CONFIG, "scrollZoom": False, "topojsonURL": topojson_url}
    return {"data": data, "layout": layout, "config": config}


# --- Funnel plot --------------------------------------------------------------------------------

FUNNEL_COLOURS = {
    "better": "#007f3b", "worse": "#d5281b", "higher": "#003087", "lower": "#41b6e6",
    "within": "#768692", "not assessed": "#aeb7bd",
}  # fmt: skip
LIMIT_STYLES = {"99.8%": ("#212b32", "solid", 1.5), "95%": ("#4c6272", "dash", 1.5)}
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
    layout = _layout(
        height=460,
        xaxis={
            "title": {"text": FUNNEL_X_TITLES.get(value_type, "Denominator")},
            "rangemode": "tozero", "gridcolor": "#e8edee",
            "automargin": True, "separatethousands": True,
        },
        yaxis={
            "title": {"text": unit}, "range": [max(low - pad, 0), high + pad],
            "gridcolor": "#e8edee", "automargin": True,
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
