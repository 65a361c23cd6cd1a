"""Pure functions from selector output to plotly figures, data tables and sparklines.

Nothing here queries the database or computes statistics: the figures draw stored values,
limits and SPC points. Colour is never the only signal: lines differ by dash and markers by
symbol, so a chart still reads in greyscale (and the same data is always in a table)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from dataclasses import dataclass, field

import plotly.graph_objects as go

from indicators.chart_style import (
    CONCERN,
    DARK_GREY,
    IMPROVEMENT,
    MID_GREY,
    NEUTRAL,
    NHS_BLUE,
    PLOTLY_LAYOUT,
    TARGET,
    TEXT,
)
from indicators.exports import safe_text
from indicators.vocabulary import deprivation_edition_of
from reporting.selectors import IndicatorStatus

BAND_FILL = "rgba(118, 134, 146, 0.25)"  # MID_GREY at a quarter

SPECIAL_CAUSE_STYLES = {
    # point type → (legend name, colour, marker symbol)
    "special_cause_improvement": ("Special cause: improvement", IMPROVEMENT, "circle"),
    "special_cause_concern": ("Special cause: concern", CONCERN, "diamond"),
    "special_cause_neutral_high": ("Special cause: neutral (high)", NEUTRAL, "square"),
    "special_cause_neutral_low": ("Special cause: neutral (low)", NEUTRAL, "square"),
}


TITLE_LINE = 88  # characters of a 16px title that fit a full-width chart on a laptop


def _layout(title: str, unit: str) -> dict:
    # Plotly never wraps a title: it runs off the chart. Break it between words, and give
    # each extra line room above the plot.
    lines = textwrap.wrap(title, TITLE_LINE) or [""]
    return PLOTLY_LAYOUT | {
        "title": {"text": "<br>".join(lines), "font": {"size": 16}},
        "margin": {"l": 56, "r": 16, "t": 48 + 20 * (len(lines) - 1), "b": 40},
        # No axis title: the slanted period labels say what they are, and a title under
        # them would sit on the legend.
        "xaxis": {"type": "category", "automargin": True},
        "yaxis": {"title": {"text": unit or "Value"}, "automargin": True},
        "legend": {"orientation": "h", "y": -0.25, "x": 0},
        "hovermode": "x unified",
        "height": 420,
    }


def trend_chart(status: IndicatorStatus, *, headline: str, benchmark: str) -> go.Figure:
    """The headline series over time: 95% CI band, the benchmark (England unless the system
    says otherwise), target or range, trajectory and the baseline marker. ``headline`` and
    ``benchmark`` are the names the legend and title use (the configured system's)."""
    indicator = status.indicator
    periods = [point.period for point in status.points]
    figure = go.Figure(
        layout=_layout(f"{indicator.name}: {headline} and {benchmark}", indicator.unit_label)
    )
    if any(point.lower_95 is not None for point in status.points):
        figure.add_trace(
            go.Scatter(
                x=periods, y=[point.upper_95 for point in status.points], mode="lines",
                line={"width": 0}, hoverinfo="skip", showlegend=False, name="Upper 95% limit",
            )
        )  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=periods, y=[point.lower_95 for point in status.points], mode="lines",
                line={"width": 0}, fill="tonexty", fillcolor=BAND_FILL,
                name="95% confidence interval",
            )
        )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=periods, y=[point.value for point in status.points], mode="lines+markers",
            name=headline, line={"color": NHS_BLUE, "width": 3},
            marker={"symbol": "circle", "size": 7},
        )
    )  # fmt: skip
    if any(point.england_value is not None for point in status.points):
        figure.add_trace(
            go.Scatter(
                x=periods, y=[point.england_value for point in status.points],
                mode="lines+markers", name=benchmark,
                line={"color": DARK_GREY, "dash": "dash", "width": 2},
                marker={"symbol": "square", "size": 6},
            )
        )  # fmt: skip
    target = status.target
    if target is not None and periods:
        label = f"by {target.target_period.label}"
        if target.value is not None:
            figure.add_trace(
                go.Scatter(
                    x=periods, y=[target.value] * len(periods), mode="lines",
                    name=f"Target {label}", line={"color": TARGET, "dash": "dot", "width": 2},
                )
            )  # fmt: skip
        else:
            for edge, value in (("bottom", target.range_lower), ("top", target.range_upper)):
                figure.add_trace(
                    go.Scatter(
                        x=periods, y=[value] * len(periods), mode="lines",
                        name=f"Target range {edge} {label}",
                        line={"color": TARGET, "dash": "dot", "width": 2},
                    )
                )  # fmt: skip
        if target.trajectory:
            figure.add_trace(
                go.Scatter(
                    x=[point["period"] for point in target.trajectory],
                    y=[point["value"] for point in target.trajectory],
                    mode="lines+markers", name="Trajectory to target",
                    line={"color": TARGET, "dash": "dashdot", "width": 2},
                    marker={"symbol": "triangle-up", "size": 7},
                )
            )  # fmt: skip
    if status.baseline is not None:
        figure.add_trace(
            go.Scatter(
                x=[status.baseline.period.label], y=[status.baseline.value], mode="markers",
                name=f"Baseline ({status.baseline.period.label})",
                marker={"symbol": "star", "size": 14, "color": TEXT},
            )
        )  # fmt: skip
    _mark_change_points(figure, status, periods)
    return figure


def spc_chart(status: IndicatorStatus) -> go.Figure:
    """The XmR chart: values, mean, process limits, target and special-cause points; or, for
    a series with no SPC verdict, the run chart: values and their median."""
    indicator = status.indicator
    points = status.spc_points
    periods = [point["period"] for point in points]
    if status.run_chart:
        return run_chart(status)
    icons = " · ".join(
        signal.label for signal in (status.variation, status.assurance) if signal is not None
    )
    title = f"SPC chart: {indicator.name}" + (f" ({icons})" if icons else "")
    figure = _values_and_centre(status, title, centre="mean")
    for key, name in (("upper", "Upper process limit"), ("lower", "Lower process limit")):
        figure.add_trace(
            go.Scatter(
                x=periods, y=[point[key] for point in points], mode="lines", name=name,
                line={"color": DARK_GREY, "dash": "dash", "width": 1.5},
            )
        )  # fmt: skip
    if status.target is not None and status.target.value is not None and periods:
        figure.add_trace(
            go.Scatter(
                x=periods, y=[status.target.value] * len(periods), mode="lines", name="Target",
                line={"color": TARGET, "dash": "dot", "width": 2},
            )
        )  # fmt: skip
    for point_type, (name, colour, symbol) in SPECIAL_CAUSE_STYLES.items():
        flagged = [point for point in points if point["type"] == point_type]
        if flagged:
            figure.add_trace(
                go.Scatter(
                    x=[point["period"] for point in flagged],
                    y=[point["value"] for point in flagged], mode="markers", name=name,
                    text=[point["rule"] for point in flagged],
                    marker={"symbol": symbol, "size": 12, "color": colour,
                            "line": {"color": TEXT, "width": 1}},
                )
            )  # fmt: skip
    return figure


def run_chart(status: IndicatorStatus) -> go.Figure:
    """Values and their median, titled with why there are no process limits."""
    title = f"Run chart: {status.indicator.name} ({status.spc_missing_reason})"
    return _values_and_centre(status, title, centre="median")


def _values_and_centre(status: IndicatorStatus, title: str, *, centre: str) -> go.Figure:
    """The SPC points' values and their centre line (the mean, or a run chart's median)."""
    points = status.spc_points
    periods = [point["period"] for point in points]
    figure = go.Figure(layout=_layout(title, status.indicator.unit_label))
    figure.add_trace(
        go.Scatter(
            x=periods, y=[point["value"] for point in points], mode="lines+markers",
            name="Value", line={"color": MID_GREY, "width": 2},
            marker={"symbol": "circle", "size": 6, "color": MID_GREY},
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=periods, y=[point[centre] for point in points], mode="lines",
            name=centre.capitalize(), line={"color": TEXT, "width": 2},
        )
    )  # fmt: skip
    _mark_change_points(figure, status, periods)
    return figure


def _mark_change_points(figure: go.Figure, status: IndicatorStatus, periods: list[str]) -> None:
    """A dotted vertical line at each change point on the chart, labelled "Change point"
    with the analyst's reason on hover; the page lists the same change points as text."""
    for period, reason in status.change_points:
        if period not in periods:
            continue
        figure.add_shape(
            type="line", xref="x", yref="paper", x0=period, x1=period, y0=0, y1=1,
            line={"color": TEXT, "dash": "dot", "width": 1.5},
            name=f"Change point from {period}",
        )  # fmt: skip
        figure.add_annotation(
            x=period, xref="x", y=1, yref="paper", yanchor="bottom", showarrow=False,
            text="Change point", font={"size": 11},
            hovertext=f"Change point from {period}: {reason}",
        )  # fmt: skip


def figure_as_dict(figure: go.Figure) -> dict:
    """Plain JSON-ready data for ``json_script`` (plotly may hold numpy arrays)."""
    return json.loads(figure.to_json())


# --- Sparklines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sparkline:
    points: str  # SVG polyline points
    last_x: float
    last_y: float
    description: str


def sparkline(
    values: list[float | None], *, periods: list[str], width: int = 120, height: int = 32
) -> Sparkline | None:
    """An inline SVG sparkline (drawn without JavaScript), or None with fewer than 2 values."""
    known = [(index, value) for index, value in enumerate(values) if value is not None]
    if len(known) < 2:
        return None
    low = min(value for _, value in known)
    high = max(value for _, value in known)
    span = (high - low) or 1.0
    step = (width - 6) / max(len(values) - 1, 1)
    coordinates = [
        (3 + index * step, 3 + (height - 6) * (1 - (value - low) / span)) for index, value in known
    ]
    first_index, first_value = known[0]
    last_index, last_value = known[-1]
    return Sparkline(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates),
        last_x=round(coordinates[-1][0], 1),
        last_y=round(coordinates[-1][1], 1),
        description=(
            f"{len(known)} periods, from {_plain(first_value)} in {periods[first_index]} "
            f"to {_plain(last_value)} in {periods[last_index]}"
        ),
    )


def _plain(value: float) -> str:
    return f"{value:,.1f}"


# --- Tables: the same data as each chart, for the page and the CSV download -----------------


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list]
    # Decimal places of a column's numbers where not one: {column index: places}.
    places: dict[int, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[list[tuple]]:
        """Each row as (value, decimal places) pairs, for the page's table."""
        return [
            [(value, self.places.get(index, 1)) for index, value in enumerate(row)]
            for row in self.rows
        ]


def _whole(number: float | None) -> float | int | None:
    """A count held as a float (94845.0) as the whole number it is, so that tables and CSVs
    show 94,845; a fractional count (a modelled estimate) stays as it is."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def trend_table(status: IndicatorStatus, *, headline: str, benchmark: str) -> Table:
    unit = status.indicator.unit_label
    suffix = f" ({unit})" if unit else ""
    return Table(
        caption=(
            f"{status.indicator.name}: {headline} values with 95% confidence intervals "
            f"and {benchmark}"
        ),
        headers=[
            "Period", f"Value{suffix}", "Lower 95% limit", "Upper 95% limit", "Count",
            "Denominator", f"{benchmark}{suffix}", f"Compared with {benchmark}",
            "Compared with target",
            "Value note",
        ],
        rows=[
            [
                point.period, point.value, point.lower_95, point.upper_95, _whole(point.count),
                _whole(point.denominator), point.england_value, point.england_comparison,
                point.target_comparison, point.value_note,
            ]
            for point in status.points
        ],
    )  # fmt: skip


def spc_table(status: IndicatorStatus, *, headline: str, benchmark: str) -> Table:
    if status.run_chart:
        return Table(
            caption=f"{status.indicator.name}: run chart points and median "
            f"({status.spc_missing_reason})",
            headers=["Period", "Value", "Median", "Phase starts", "Change point"],
            rows=[
                [point["period"], point["value"], point["median"], *_phase(point)]
                for point in status.spc_points
            ],
        )
    return Table(
        caption=f"{status.indicator.name}: SPC (XmR) chart points, mean and process limits",
        headers=[
            "Period", "Value", "Mean", "Lower process limit", "Upper process limit",
            "Point type", "Special-cause rule", "Phase starts", "Change point",
        ],
        rows=[
            [
                point["period"], point["value"], point["mean"], point["lower"], point["upper"],
                POINT_TYPE_LABELS.get(point["type"], point["type"]), point["rule"],
                *_phase(point),
            ]
            for point in status.spc_points
        ],
    )  # fmt: skip


def _phase(point: dict) -> tuple[str, str]:
    """The first period of the point's SPC phase and, on a phase's first point, the reason
    an analyst gave for the change point there."""
    return point.get("phase_start", ""), point.get("change_point", "")


def inequality_table(status: IndicatorStatus, *, headline: str, benchmark: str) -> Table:
    editions = {deprivation_edition_of(summary.category_type) for summary in status.inequalities}
    deprivation = " / ".join(sorted(edition for edition in editions if edition)) or "deprivation"
    return Table(
        caption=(
            f"{status.indicator.name}: inequality between the most and least deprived "
            f"national {deprivation} quintiles in {headline}"
        ),
        headers=[
            "Period", "Gap (Q1 − Q5)", "Ratio (Q1 ÷ Q5)", "SII", "SII lower 95% limit",
            "SII upper 95% limit", "RII", "RII lower 95% limit", "RII upper 95% limit", "Note",
        ],
        rows=[
            [
                summary.period.label, summary.gap, summary.ratio, summary.sii,
                summary.sii_lower, summary.sii_upper, summary.rii, summary.rii_lower,
                summary.rii_upper, summary.note,
            ]
            for summary in status.inequalities
        ],
        places={2: 2, 6: 2, 7: 2, 8: 2},  # ratios: 0.80, 1.29
    )  # fmt: skip


POINT_TYPE_LABELS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause improvement",
    "special_cause_concern": "Special cause concern",
    "special_cause_neutral_high": "Special cause (neutral, high)",
    "special_cause_neutral_low": "Special cause (neutral, low)",
}


def csv_safe(cell) -> str | float | int:
    """Text cells go through the export writer's formula neutralising (one rule for every
    CSV the site writes); numbers we wrote ourselves stay numbers, so -1.5 stays -1.5."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return cell
    return safe_text(cell)


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(header) for header in table.headers])
    for row in table.rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()
