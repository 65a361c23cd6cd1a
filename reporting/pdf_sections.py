"""The board pack's section for each domain and indicator: facts, charts with their change
points, and the published narrative."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Image, KeepTogether, Spacer, Table, TableStyle

from reporting.pdf_charts import spc_png, trend_png
from reporting.pdf_text import (
    CONTENT_WIDTH,
    GRID,
    format_value,
    heading,
    signal_cell,
    target_text,
    text,
    value_with_ci,
)
from reporting.selectors import DomainReport, IndicatorStatus


def domain_opening(report: DomainReport) -> list:
    story = [
        heading(
            f"Domain: {report.domain.name}", "domain", key=f"domain-{report.domain.code}", level=0
        ),  # fmt: skip
        text(report.domain.reporting_question, "small"),
        Spacer(1, 3 * mm),
    ]
    if not report.statuses:
        story.append(text("No published indicators in this domain."))
    return story


@dataclass(frozen=True)
class IndicatorCharts:
    """An indicator's charts as PNG, drawn once and laid out in every layout pass."""

    trend: bytes | None
    spc: bytes | None


def indicator_charts(status: IndicatorStatus, *, headline: str, benchmark: str) -> IndicatorCharts:
    return IndicatorCharts(
        trend=trend_png(status, headline=headline, benchmark=benchmark) if status.points else None,
        spc=spc_png(status) if status.spc_points else None,
    )


def indicator_section(
    status: IndicatorStatus, report: DomainReport, *, benchmark: str, charts: IndicatorCharts
) -> list:
    indicator = status.indicator
    latest = status.latest
    change = status.change_since_baseline
    variation = (
        signal_cell("variation", status.variation, "")
        if status.variation
        else text(status.spc_missing_reason, "cell")
    )
    facts = [
        ("Domain", report.domain.name),
        ("Owner", str(indicator.owner or "Not assigned")),
        ("Latest value (95% CI)", f"{value_with_ci(status)}, {latest.period if latest else 'no data'}"),
        (benchmark, f"{format_value(latest.england_value if latest else None, indicator.unit_label)}"
                    f" ({status.england or 'Not compared'})"),
        ("SPC variation", variation),
        ("SPC assurance", signal_cell("assurance", status.assurance, "No target to assess")),
        ("Direction", f"{status.direction_label}"
                      + (f" ({status.direction_signal.source})" if status.direction_signal else "")),
        ("Recent trend", status.trend_label or "Not available at this period"),
        ("Baseline", f"{format_value(status.baseline.value, indicator.unit_label)} in "
                     f"{status.baseline.period.label}" if status.baseline else "No baseline"),
        ("Change since baseline", "–" if change is None else f"{change:+,.1f}"),
        ("Target", target_text(status)),
        ("Gap to target", _gap_text(status)),
    ]  # fmt: skip
    if status.change_points:
        facts.append(("Change points", "; ".join(
            f"from {period}: {reason}" for period, reason in status.change_points
        )))  # fmt: skip
    table = Table(
        [
            [text(key, "cell_bold"), value if not isinstance(value, str) else text(value, "cell")]
            for key, value in facts
        ],
        colWidths=[38 * mm, CONTENT_WIDTH - 38 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    story = [
        heading(
            f"{indicator.code}  {indicator.name}", "h1", key=f"indicator-{indicator.code}", level=1
        ),  # fmt: skip
        text(indicator.definition, "small"),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
    ]
    if charts.trend:
        story.append(_png(charts.trend, height=62 * mm))
        story += _change_point_notes(status, {point.period for point in status.points})
    if charts.spc:
        story.append(_png(charts.spc, height=58 * mm))
        story += _change_point_notes(status, {point["period"] for point in status.spc_points})
    story.append(CondPageBreak(40 * mm))
    story += _narrative(status)
    return story


def _change_point_notes(status: IndicatorStatus, periods: set[str]) -> list:
    """The footnote under a chart for each dotted change-point line drawn on it."""
    return [
        text(f"Change point from {period}: {reason}", "small")
        for period, reason in status.change_points
        if period in periods
    ]


def _gap_text(status: IndicatorStatus) -> str:
    gap = status.target_gap
    if status.target is None:
        return "No target set"
    phrase = gap.label + (f" in {gap.period}" if gap.computed else "")
    if gap.approximate and gap.number:
        phrase += " (from counts rounded to the nearest 5 for disclosure control)"
    return phrase


def _narrative(status: IndicatorStatus) -> list:
    commentary = status.narrative
    if commentary is None:
        return [text("Narrative", "h2"), text("No published narrative for this period.")]
    author = (
        (commentary.author.get_full_name() or commentary.author.get_username())
        if commentary.author
        else "unknown"
    )
    published = commentary.published_at.date() if commentary.published_at else date.today()
    parts = [
        text(f"Narrative for {commentary.period.label}", "h2"),
        text(f"Published by {author} on {published:%-d %B %Y}.", "small"),
    ]
    for title, words in (
        ("What the data shows", commentary.what_data_shows),
        ("Our contribution and what partners did", commentary.contribution),
        ("Limitations and external factors", commentary.limitations),
    ):
        if words:
            parts.append(KeepTogether([text(title, "part"), text(words)]))
    return parts


class ChartImage(Image):
    """A chart that a draft layout pass measures but does not draw."""

    def draw(self):
        if not getattr(self.canv, "draft", False):
            super().draw()


def _png(data: bytes, *, height: float) -> Image:
    image = ChartImage(io.BytesIO(data))
    scale = height / image.drawHeight
    image.drawHeight = height
    image.drawWidth = image.drawWidth * scale
    if image.drawWidth > CONTENT_WIDTH:
        image.drawHeight *= CONTENT_WIDTH / image.drawWidth
        image.drawWidth = CONTENT_WIDTH
    return image
