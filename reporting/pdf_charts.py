"""The board pack's charts, drawn by matplotlib as PNG in-process.

Plotly's static export needs kaleido and a headless Chrome on the server, which we do not
want in a worker; matplotlib renders with no browser and no network. Everything must read
when printed in greyscale: lines differ by dash, points by marker shape.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from indicators.chart_style import (
    DARK_GREY,
    GREY_4,
    MID_GREY,
    NHS_BLUE,
    NHS_GREEN,
    NHS_ORANGE,
    NHS_PURPLE,
    TEXT,
)
from reporting.selectors import IndicatorStatus


def _mark_change_points(axes, status: IndicatorStatus, positions: dict[str, int]) -> None:
    """A dotted vertical line at each change point; the footnote under the chart gives the
    period and the reason."""
    marked = [positions[period] for period, _ in status.change_points if period in positions]
    for number, position in enumerate(marked):
        axes.axvline(position, color=TEXT, linestyle=":", linewidth=1.3,
                     label="Change point (see note)" if number == 0 else None)  # fmt: skip


def _figure() -> tuple[Figure, object]:
    figure = Figure(figsize=(7.2, 2.9), dpi=110)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=7)
    axes.grid(axis="y", color=GREY_4, linewidth=0.5)
    return figure, axes


def _finish(figure: Figure, axes, labels: list[str], title: str, unit: str) -> bytes:
    # At most six labels, so quarter and month labels ("2023/24 Q2") never overlap in print.
    step = max(1, -(-len(labels) // 6))
    axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=0, fontsize=7)
    axes.set_ylabel(unit or "Value", fontsize=8)
    axes.set_title(title, fontsize=9, loc="left")
    axes.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    # Fixed margins (legend on the right) instead of tight_layout, which draws the figure twice.
    figure.subplots_adjust(left=0.09, right=0.74, top=0.88, bottom=0.12)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _nan(value):
    return float("nan") if value is None else value


def trend_png(status: IndicatorStatus, *, headline: str, benchmark: str) -> bytes:
    """Trend: hatched grey CI band, solid line with circles for the headline area, dashed line
    with squares for the benchmark, dotted target, dash-dot trajectory, a star at the baseline."""
    indicator = status.indicator
    labels = [point.period for point in status.points]
    positions = {label: index for index, label in enumerate(labels)}
    x = list(range(len(labels)))
    figure, axes = _figure()
    lower = [_nan(point.lower_95) for point in status.points]
    upper = [_nan(point.upper_95) for point in status.points]
    axes.fill_between(x, lower, upper, facecolor=GREY_4, edgecolor=MID_GREY, hatch="///",
                      linewidth=0, label="95% confidence interval")  # fmt: skip
    axes.plot(x, [_nan(point.value) for point in status.points], color=NHS_BLUE, marker="o",
              markersize=4, linewidth=2, label=headline)  # fmt: skip
    if any(point.england_value is not None for point in status.points):
        axes.plot(x, [_nan(point.england_value) for point in status.points], color=DARK_GREY,
                  linestyle="--", marker="s", markersize=3.5, linewidth=1.3, label=benchmark)  # fmt: skip
    target = status.target
    if target is not None:
        for value, name in ((target.value, "Target"), (target.range_lower, "Target range"),
                            (target.range_upper, None)):  # fmt: skip
            if value is not None:
                axes.axhline(value, color=NHS_GREEN, linestyle=":", linewidth=1.6,
                             label=f"{name} ({target.target_period.label})" if name else None)  # fmt: skip
        trajectory = [point for point in target.trajectory if point["period"] in positions]
        if trajectory:
            axes.plot([positions[point["period"]] for point in trajectory],
                      [point["value"] for point in trajectory], color=NHS_GREEN,
                      linestyle="-.", marker="^", markersize=4, linewidth=1.2,
                      label="Trajectory")  # fmt: skip
    if status.baseline is not None and status.baseline.period.label in positions:
        axes.plot([positions[status.baseline.period.label]], [status.baseline.value], marker="*",
                  markersize=11, color=TEXT, linestyle="none",
                  label=f"Baseline ({status.baseline.period.label})")  # fmt: skip
    _mark_change_points(axes, status, positions)
    return _finish(figure, axes, labels, "Trend with 95% confidence interval", indicator.unit_label)


def spc_png(status: IndicatorStatus) -> bytes:
    """XmR: grey values, solid mean, dashed process limits, dotted target; special-cause
    points as large filled circles (improvement), diamonds (concern) or squares (neutral)."""
    points = status.spc_points
    labels = [point["period"] for point in points]
    x = list(range(len(labels)))
    figure, axes = _figure()
    axes.plot(x, [_nan(point["value"]) for point in points], color=MID_GREY, marker="o",
              markersize=3, linewidth=1.2, label="Value")  # fmt: skip
    _mark_change_points(axes, status, {label: index for index, label in enumerate(labels)})
    if status.run_chart:
        axes.plot(x, [_nan(point["median"]) for point in points], color=TEXT,
                  linewidth=1.4, label="Median")  # fmt: skip
        title = f"Run chart ({status.spc_missing_reason})"
        return _finish(figure, axes, labels, title, status.indicator.unit_label)
    axes.plot(x, [_nan(point["mean"]) for point in points], color=TEXT, linewidth=1.4,
              label="Mean")  # fmt: skip
    axes.plot(x, [_nan(point["upper"]) for point in points], color=DARK_GREY, linestyle="--",
              linewidth=1, label="Process limits")  # fmt: skip
    axes.plot(x, [_nan(point["lower"]) for point in points], color=DARK_GREY, linestyle="--",
              linewidth=1)  # fmt: skip
    if status.target is not None and status.target.value is not None:
        axes.axhline(status.target.value, color=NHS_GREEN, linestyle=":", linewidth=1.6,
                     label="Target")  # fmt: skip
    styles = {
        "special_cause_improvement": ("Improvement", "o", NHS_BLUE),
        "special_cause_concern": ("Concern", "D", NHS_ORANGE),
        "special_cause_neutral_high": ("Neutral", "s", NHS_PURPLE),
        "special_cause_neutral_low": ("Neutral", "s", NHS_PURPLE),
    }
    shown = set()
    for index, point in enumerate(points):
        style = styles.get(point["type"])
        if style and point["value"] is not None:
            name, marker, colour = style
            axes.plot([index], [point["value"]], marker=marker, markersize=7, color=colour,
                      markeredgecolor=TEXT, linestyle="none",
                      label=f"Special cause: {name.lower()}" if name not in shown else None)  # fmt: skip
            shown.add(name)
    icons = [signal.label for signal in (status.variation, status.assurance) if signal]
    title = "SPC (XmR) chart" + (f": {'; '.join(icons)}" if icons else "")
    return _finish(figure, axes, labels, title, status.indicator.unit_label)
