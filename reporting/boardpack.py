"""The PDF board pack: cover, summary table, then one section per indicator with its charts
and published narrative.

reportlab lays out the document; matplotlib draws the charts as PNG in-process. (Plotly's
static export needs kaleido and a headless Chrome on the server, which we do not want in a
web worker; matplotlib renders with no browser and no network.) Everything must read when
printed in greyscale: lines differ by dash, points by marker shape, and every icon has text.
"""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from django.utils import timezone
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from indicators.models import System
from indicators.statistics.spc import MINIMUM_POINTS
from reporting.selectors import DomainReport, IndicatorStatus, ReportingPeriod

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
NHS_BLUE = colors.HexColor("#005eb8")
TEXT = colors.HexColor("#212b32")
GRID = colors.HexColor("#aeb7bd")

_styles = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", parent=_styles["Title"], fontSize=26, leading=32,
                            alignment=TA_LEFT, textColor=TEXT),
    "subtitle": ParagraphStyle("subtitle", parent=_styles["Normal"], fontSize=14, leading=19),
    "h1": ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=17, leading=21,
                         textColor=TEXT, spaceAfter=6),
    "h2": ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=13, leading=16,
                         textColor=TEXT, spaceBefore=8, spaceAfter=4),
    "body": ParagraphStyle("body", parent=_styles["Normal"], fontSize=9.5, leading=13),
    "small": ParagraphStyle("small", parent=_styles["Normal"], fontSize=8, leading=10),
    "cell": ParagraphStyle("cell", parent=_styles["Normal"], fontSize=7.5, leading=9),
    "part": ParagraphStyle("part", parent=_styles["Normal"], fontSize=9.5, leading=13,
                           fontName="Helvetica-Bold", spaceBefore=4),
    "cell_bold": ParagraphStyle("cell_bold", parent=_styles["Normal"], fontSize=7.5, leading=9,
                                fontName="Helvetica-Bold"),
}  # fmt: skip

VARIATION_SHORT = {
    "common_cause": "Common cause",
    "improvement_high": "Improvement (high)",
    "improvement_low": "Improvement (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
}


def _text(value: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(value or ""), STYLES[style])


def format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    number = f"{value:,.1f}"
    return f"{number}{unit}" if unit == "%" else (f"{number} {unit}" if unit else number)


def value_with_ci(status: IndicatorStatus) -> str:
    latest = status.latest
    if latest is None or latest.value is None:
        return latest.value_note if latest and latest.value_note else "No data"
    unit = status.indicator.unit_label
    text = format_value(latest.value, unit)
    if latest.lower_95 is not None and latest.upper_95 is not None:
        text += f" ({latest.lower_95:,.1f} to {latest.upper_95:,.1f})"
    return text


def board_pack_pdf(
    *,
    system: System,
    domains: list[DomainReport],
    period: ReportingPeriod | None,
    whole_framework: bool,
    footnote: str = "",
) -> bytes:
    """The board pack as PDF bytes for the configured ``system`` (its framework title,
    headline area and benchmark); ``footnote`` says how small numbers were protected."""
    buffer = io.BytesIO()
    period_text = f"as it stood at {period.label}" if period else "latest data"
    scope = domains[0].domain.name if domains and not whole_framework else system.title
    benchmark = system.benchmark_area.name
    footer = f"{scope} board pack, {period_text}"
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm, title=f"Board pack: {scope}", author="Outcomes",
        subject=f"System outcomes, {period_text}",
    )  # fmt: skip

    def draw_footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(TEXT)
        canvas.drawString(MARGIN, 10 * mm, footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    story = _cover(system, scope, period_text, domains, whole_framework)
    if footnote:
        story.append(_text(f"Small numbers. {footnote}", "small"))
    story += _summary(domains, benchmark=benchmark)
    for report in domains:
        for status in report.statuses_attention_first:
            story += [
                PageBreak(),
                *_indicator_section(
                    status, report, headline=system.short_name, benchmark=benchmark
                ),
            ]
    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()


def _cover(system: System, scope, period_text, domains, whole_framework) -> list:
    benchmark = system.benchmark_area.name
    today = timezone.localdate()
    statuses = [status for report in domains for status in report.statuses]
    attention = [status for status in statuses if status.worse_and_worsening]
    story = [
        Spacer(1, 40 * mm),
        _text("Board pack", "subtitle"),
        Spacer(1, 4 * mm),
        _text(scope, "title"),
        Spacer(1, 6 * mm),
        _text(f"System outcomes, {period_text}", "subtitle"),
        _text(f"Produced on {today:%-d %B %Y}", "subtitle"),
        Spacer(1, 12 * mm),
        _text(
            f"{system.name}. {len(statuses)} indicator(s) in {len(domains)} domain(s). "
            f"Headline values are for {system.headline_area.name} (Persons), compared with "
            f"{benchmark} using 95% confidence intervals. SPC icons follow NHS England's "
            f"Making Data Count, from {MINIMUM_POINTS} points; fewer points, or overlapping "
            "pooled periods, give a run chart and no SPC verdict.",
        ),
        Spacer(1, 4 * mm),
    ]
    if attention:
        story.append(_text(f"Worse than {benchmark} and getting worse:", "h2"))
        story += [
            _text(f"- {status.indicator.code} {status.indicator.name}") for status in attention
        ]
    elif statuses:
        story.append(_text(f"No indicator is both worse than {benchmark} and getting worse."))
    if not whole_framework and domains:
        story += [
            Spacer(1, 4 * mm),
            _text(f"Reporting question: {domains[0].domain.reporting_question}"),
        ]
    return [*story, PageBreak()]


def _summary(domains: list[DomainReport], *, benchmark: str) -> list:
    story = [_text("Summary", "h1")]
    header = ["Code", "Indicator", "Latest value (95% CI)", "Period", benchmark,
              "SPC variation", "SPC assurance", "Direction"]  # fmt: skip
    widths = [13 * mm, 46 * mm, 30 * mm, 16 * mm, 15 * mm, 20 * mm, 20 * mm, 18 * mm]
    for report in domains:
        story.append(_text(report.domain.name, "h2"))
        if not report.statuses:
            story.append(_text("No published indicators in this domain."))
            continue
        rows = [[_text(cell, "cell_bold") for cell in header]]
        for status in report.statuses_attention_first:
            latest = status.latest
            flag = (
                f" (worse than {benchmark} and getting worse)" if status.worse_and_worsening else ""
            )
            rows.append(
                [
                    _text(status.indicator.code, "cell"),
                    _text(status.indicator.name + flag, "cell"),
                    _text(value_with_ci(status), "cell"),
                    _text(latest.period if latest else "–", "cell"),
                    _text(status.england or "–", "cell"),
                    _text(VARIATION_SHORT.get(status.variation.icon, status.variation.label)
                          if status.variation else "–", "cell"),
                    _text(status.assurance.label if status.assurance else "No target", "cell"),
                    _text(status.direction_label, "cell"),
                ]
            )  # fmt: skip
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        story.append(table)
    return story


def _indicator_section(
    status: IndicatorStatus, report: DomainReport, *, headline: str, benchmark: str
) -> list:
    indicator = status.indicator
    latest = status.latest
    target = status.target
    if target is None:
        target_text = "No target set"
    elif target.value is not None:
        target_text = (
            f"{format_value(target.value, indicator.unit_label)} by {target.target_period.label}"
        )
    else:
        target_text = (
            f"{format_value(target.range_lower, indicator.unit_label)} to "
            f"{format_value(target.range_upper, indicator.unit_label)} by {target.target_period.label}"
        )
    change = status.change_since_baseline
    facts = [
        ("Domain", report.domain.name),
        ("Owner", str(indicator.owner or "Not assigned")),
        ("Latest value (95% CI)", f"{value_with_ci(status)}, {latest.period if latest else 'no data'}"),
        (benchmark, f"{format_value(latest.england_value if latest else None, indicator.unit_label)}"
                    f" ({status.england or 'Not compared'})"),
        ("SPC variation", status.variation.label if status.variation
                          else status.spc_missing_reason),
        ("SPC assurance", status.assurance.label if status.assurance else "No target to assess"),
        ("Direction", f"{status.direction_label}"
                      + (f" ({status.direction_signal.source})" if status.direction_signal else "")),
        ("Recent trend", status.trend_label or "Not available at this period"),
        ("Baseline", f"{format_value(status.baseline.value, indicator.unit_label)} in "
                     f"{status.baseline.period.label}" if status.baseline else "No baseline"),
        ("Change since baseline", "–" if change is None else f"{change:+,.1f}"),
        ("Target", target_text),
        ("Gap to target", _gap_text(status)),
    ]  # fmt: skip
    if status.change_points:
        facts.append(("Change points", "; ".join(
            f"from {period}: {reason}" for period, reason in status.change_points
        )))  # fmt: skip
    table = Table(
        [[_text(key, "cell_bold"), _text(value, "cell")] for key, value in facts],
        colWidths=[38 * mm, CONTENT_WIDTH - 38 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    story = [
        _text(f"{indicator.code}  {indicator.name}", "h1"),
        _text(indicator.definition, "small"),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
    ]
    trend_periods = {point.period for point in status.points}
    if status.points:
        story.append(
            _png(trend_png(status, headline=headline, benchmark=benchmark), height=62 * mm)
        )
        story += _change_point_notes(status, trend_periods)
    if status.spc_points:
        story.append(_png(spc_png(status), height=58 * mm))
        story += _change_point_notes(status, {point["period"] for point in status.spc_points})
    story.append(CondPageBreak(40 * mm))
    story += _narrative(status)
    return story


def _change_point_notes(status: IndicatorStatus, periods: set[str]) -> list:
    """The footnote under a chart for each dotted change-point line drawn on it."""
    return [
        _text(f"Change point from {period}: {reason}", "small")
        for period, reason in status.change_points
        if period in periods
    ]


def _mark_change_points(axes, status: IndicatorStatus, positions: dict[str, int]) -> None:
    """A dotted vertical line at each change point; the footnote under the chart gives the
    period and the reason."""
    marked = [positions[period] for period, _ in status.change_points if period in positions]
    for number, position in enumerate(marked):
        axes.axvline(position, color="#212b32", linestyle=":", linewidth=1.3,
                     label="Change point (see note)" if number == 0 else None)  # fmt: skip


def _gap_text(status: IndicatorStatus) -> str:
    gap = status.target_gap
    if status.target is None:
        return "No target set"
    text = gap.label + (f" in {gap.period}" if gap.computed else "")
    if gap.approximate and gap.number:
        text += " (from counts rounded to the nearest 5 for disclosure control)"
    return text


def _narrative(status: IndicatorStatus) -> list:
    commentary = status.narrative
    if commentary is None:
        return [_text("Narrative", "h2"), _text("No published narrative for this period.")]
    author = (
        (commentary.author.get_full_name() or commentary.author.get_username())
        if commentary.author
        else "unknown"
    )
    published = commentary.published_at.date() if commentary.published_at else date.today()
    parts = [
        _text(f"Narrative for {commentary.period.label}", "h2"),
        _text(f"Published by {author} on {published:%-d %B %Y}.", "small"),
    ]
    for heading, text in (
        ("What the data shows", commentary.what_data_shows),
        ("Our contribution and what partners did", commentary.contribution),
        ("Limitations and external factors", commentary.limitations),
    ):
        if text:
            parts.append(KeepTogether([_text(heading, "part"), _text(text)]))
    return parts


def _png(data: bytes, *, height: float) -> Image:
    image = Image(io.BytesIO(data))
    scale = height / image.drawHeight
    image.drawHeight = height
    image.drawWidth = image.drawWidth * scale
    if image.drawWidth > CONTENT_WIDTH:
        image.drawHeight *= CONTENT_WIDTH / image.drawWidth
        image.drawWidth = CONTENT_WIDTH
    return image


def _figure() -> tuple[Figure, object]:
    figure = Figure(figsize=(7.2, 2.9), dpi=110)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=7)
    axes.grid(axis="y", color="#d8dde0", linewidth=0.5)
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
    axes.fill_between(x, lower, upper, facecolor="#d8dde0", edgecolor="#768692", hatch="///",
                      linewidth=0, label="95% confidence interval")  # fmt: skip
    axes.plot(x, [_nan(point.value) for point in status.points], color="#005eb8", marker="o",
              markersize=4, linewidth=2, label=headline)  # fmt: skip
    if any(point.england_value is not None for point in status.points):
        axes.plot(x, [_nan(point.england_value) for point in status.points], color="#425563",
                  linestyle="--", marker="s", markersize=3.5, linewidth=1.3, label=benchmark)  # fmt: skip
    target = status.target
    if target is not None:
        for value, name in ((target.value, "Target"), (target.range_lower, "Target range"),
                            (target.range_upper, None)):  # fmt: skip
            if value is not None:
                axes.axhline(value, color="#007f3b", linestyle=":", linewidth=1.6,
                             label=f"{name} ({target.target_period.label})" if name else None)  # fmt: skip
        trajectory = [point for point in target.trajectory if point["period"] in positions]
        if trajectory:
            axes.plot([positions[point["period"]] for point in trajectory],
                      [point["value"] for point in trajectory], color="#007f3b",
                      linestyle="-.", marker="^", markersize=4, linewidth=1.2,
                      label="Trajectory")  # fmt: skip
    if status.baseline is not None and status.baseline.period.label in positions:
        axes.plot([positions[status.baseline.period.label]], [status.baseline.value], marker="*",
                  markersize=11, color="#212b32", linestyle="none",
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
    axes.plot(x, [_nan(point["value"]) for point in points], color="#768692", marker="o",
              markersize=3, linewidth=1.2, label="Value")  # fmt: skip
    _mark_change_points(axes, status, {label: index for index, label in enumerate(labels)})
    if status.run_chart:
        axes.plot(x, [_nan(point["median"]) for point in points], color="#212b32",
                  linewidth=1.4, label="Median")  # fmt: skip
        title = f"Run chart ({status.spc_missing_reason})"
        return _finish(figure, axes, labels, title, status.indicator.unit_label)
    axes.plot(x, [_nan(point["mean"]) for point in points], color="#212b32", linewidth=1.4,
              label="Mean")  # fmt: skip
    axes.plot(x, [_nan(point["upper"]) for point in points], color="#425563", linestyle="--",
              linewidth=1, label="Process limits")  # fmt: skip
    axes.plot(x, [_nan(point["lower"]) for point in points], color="#425563", linestyle="--",
              linewidth=1)  # fmt: skip
    if status.target is not None and status.target.value is not None:
        axes.axhline(status.target.value, color="#007f3b", linestyle=":", linewidth=1.6,
                     label="Target")  # fmt: skip
    styles = {
        "special_cause_improvement": ("Improvement", "o", "#005eb8"),
        "special_cause_concern": ("Concern", "D", "#ed8b00"),
        "special_cause_neutral_high": ("Neutral", "s", "#330072"),
        "special_cause_neutral_low": ("Neutral", "s", "#330072"),
    }
    shown = set()
    for index, point in enumerate(points):
        style = styles.get(point["type"])
        if style and point["value"] is not None:
            name, marker, colour = style
            axes.plot([index], [point["value"]], marker=marker, markersize=7, color=colour,
                      markeredgecolor="#212b32", linestyle="none",
                      label=f"Special cause: {name.lower()}" if name not in shown else None)  # fmt: skip
            shown.add(name)
    icons = [signal.label for signal in (status.variation, status.assurance) if signal]
    title = "SPC (XmR) chart" + (f": {'; '.join(icons)}" if icons else "")
    return _finish(figure, axes, labels, title, status.indicator.unit_label)
