"""The PDF board pack: cover, contents, the summary-icons table, then one section per indicator
with its charts, change points and published narrative.

reportlab lays out the document (``reporting.pdf_charts`` draws the charts, ``pdf_icons``
the Making Data Count icons as vector shapes). Every heading that matters is a PDF bookmark
and a line of the contents page with its page number; the summary table has landscape pages
of its own, so its nine columns stay readable. Everything must read when printed in
greyscale: lines differ by dash, points by marker shape, icons by shape and letter, and
every icon has its words.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from indicators.models import System
from indicators.statistics.spc import MINIMUM_POINTS
from reporting.pdf_icons import ComparisonMark, SignalIcon, with_mark
from reporting.pdf_sections import domain_opening, indicator_charts, indicator_section
from reporting.pdf_text import (
    FOOTER_SPACE,
    MARGIN,
    STYLES,
    TABLE_STYLE,
    TEXT,
    WIDE_CONTENT_WIDTH,
    format_value,
    heading,
    signal_cell,
    target_text,
    text,
    value_with_ci,
)
from reporting.selectors import DomainReport, IndicatorStatus, ReportingPeriod

# Progress reported while building: charts are most of the work, then the layout passes.
CHARTS_SHARE = 0.85

ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class BuiltPdf:
    content: bytes
    pages: int


class PackDocument(BaseDocTemplate):
    """Portrait pages, and landscape ones for the summary table, each with the running
    footer; headings carrying an ``outline`` become bookmarks and contents lines."""

    def __init__(self, buffer, *, footer: str, draft: bool = False, **metadata):
        super().__init__(buffer, pagesize=A4, **metadata)
        self.footer, self.draft = footer, draft
        self.addPageTemplates(
            [
                PageTemplate(id="portrait", frames=[_frame(A4)], onPage=self._draw_footer,
                             pagesize=A4),
                PageTemplate(id="landscape", frames=[_frame(landscape(A4))],
                             onPage=self._draw_footer, pagesize=landscape(A4)),
            ]
        )  # fmt: skip

    def _draw_footer(self, canvas, doc):
        width = canvas._pagesize[0]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(TEXT)
        canvas.drawString(MARGIN, 10 * mm, self.footer)
        canvas.drawRightString(width - MARGIN, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    def beforeDocument(self):
        self.canv.draft = self.draft  # read by ChartImage

    def afterFlowable(self, flowable):
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        level, title, key, contents = outline
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
        if contents:
            self.notify("TOCEntry", (level, title, self.page, key))


def _frame(pagesize) -> Frame:
    width, height = pagesize
    return Frame(
        MARGIN, MARGIN + FOOTER_SPACE, width - 2 * MARGIN, height - 2 * MARGIN - FOOTER_SPACE,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
    )  # fmt: skip


def board_pack_pdf(
    *,
    system: System,
    domains: list[DomainReport],
    period: ReportingPeriod | None,
    whole_framework: bool,
    footnote: str = "",
    on_progress: ProgressCallback | None = None,
) -> BuiltPdf:
    """The board pack for the configured ``system`` (its name, framework title, headline
    area and benchmark); ``footnote`` says how small numbers were protected, ``on_progress``
    hears (fraction done, what is being done) as it goes."""
    progress = on_progress or (lambda fraction, step: None)
    buffer = io.BytesIO()
    period_text = f"as it stood at {period.label}" if period else "latest data"
    scope = domains[0].domain.name if domains and not whole_framework else system.title
    benchmark = system.benchmark_area.name
    layout = {
        "footer": f"{scope} board pack, {period_text}", "title": f"Board pack: {scope}",
        "author": system.name, "subject": f"System outcomes, {period_text}",
        "creator": "Outcomes", "lang": "en-GB", "displayDocTitle": True,
    }  # fmt: skip
    statuses = [(report, status) for report in domains for status in report.statuses]
    charts = {}
    for done, (_, status) in enumerate(statuses, 1):
        charts[status.indicator.pk] = indicator_charts(
            status, headline=system.short_name, benchmark=benchmark
        )
        progress(CHARTS_SHARE * done / len(statuses), f"Drawing charts: {done} of {len(statuses)} indicators")  # fmt: skip
    progress(CHARTS_SHARE, "Laying out the pages and the contents")
    contents = TableOfContents(
        levelStyles=[STYLES["contents_0"], STYLES["contents_1"]], dotsMinLevel=0
    )

    def story() -> list:
        """A fresh story for each document (reportlab keeps layout state in flowables)."""
        flowables = _cover(system, scope, period_text, domains, whole_framework)
        if footnote:
            flowables.append(text(f"Small numbers. {footnote}", "small"))
        flowables += _contents(contents)
        flowables += _summary(domains, benchmark=benchmark)
        flowables.append(NextPageTemplate("portrait"))
        for report in domains:
            flowables += [PageBreak(), *domain_opening(report)]
            for number, status in enumerate(report.statuses_attention_first):
                if number:
                    flowables.append(PageBreak())
                flowables += indicator_section(
                    status, report, benchmark=benchmark, charts=charts[status.indicator.pk]
                )
        return flowables

    # The contents need the page numbers, which take reportlab two or three layout passes.
    # Those passes only measure the charts (a draft, thrown away); the charts are drawn once,
    # in a last pass that lays the pages out exactly as the draft's last pass did.
    PackDocument(io.BytesIO(), draft=True, **layout).multiBuild(story())
    progress(0.93, "Drawing the pages")
    document = PackDocument(buffer, **layout)
    contents.beforeBuild()  # keeps the draft's entries, with their page numbers
    document.build(story())
    return BuiltPdf(content=buffer.getvalue(), pages=document.page)


def _cover(system: System, scope, period_text, domains, whole_framework) -> list:
    benchmark = system.benchmark_area.name
    today = timezone.localdate()
    statuses = [status for report in domains for status in report.statuses]
    attention = [status for status in statuses if status.worse_and_worsening]
    story = [
        Spacer(1, 40 * mm),
        heading("Board pack", "subtitle", key="cover", level=0, contents=False),
        Spacer(1, 4 * mm),
        text(scope, "title"),
        Spacer(1, 6 * mm),
        text(f"System outcomes, {period_text}", "subtitle"),
        text(f"Produced on {today:%-d %B %Y}", "subtitle"),
        Spacer(1, 12 * mm),
        text(
            f"{system.name}. {len(statuses)} indicator(s) in {len(domains)} domain(s). "
            f"Headline values are for {system.headline_area.name} (Persons), compared with "
            f"{benchmark} using 95% confidence intervals. SPC icons follow NHS England's "
            f"Making Data Count, from {MINIMUM_POINTS} points; fewer points, or overlapping "
            "pooled periods, give a run chart and no SPC verdict.",
        ),
        Spacer(1, 4 * mm),
    ]
    if attention:
        story.append(text(f"Worse than {benchmark} and getting worse:", "h2"))
        story += [
            text(f"- {status.indicator.code} {status.indicator.name}") for status in attention
        ]
    elif statuses:
        story.append(text(f"No indicator is both worse than {benchmark} and getting worse."))
    if not whole_framework and domains:
        story += [
            Spacer(1, 4 * mm),
            text(f"Reporting question: {domains[0].domain.reporting_question}"),
        ]
    return story


def _contents(contents: TableOfContents) -> list:
    return [
        PageBreak(),
        heading("Contents", "h1", key="contents", level=0, contents=False),
        contents,
    ]


# --- The summary-icons table ----------------------------------------------------------------

SUMMARY_COLUMNS = [
    ("Indicator", 55), ("Latest value (95% CI), period", 31), ("Target", 22),
    ("SPC variation", 33), ("SPC assurance", 31), ("Compared with {benchmark}", 22),
    ("Recent trend", 24), ("Gap to target", 25), ("Owner", 22),
]  # fmt: skip


def _summary(domains: list[DomainReport], *, benchmark: str) -> list:
    story = [
        NextPageTemplate("landscape"),
        PageBreak(),
        heading("Summary: every indicator at a glance", "h1", key="summary", level=0),
        text(
            "Each indicator's latest value, its target, its Making Data Count variation and "
            f"assurance icons, how it compares with {benchmark}, its recent trend, how far it "
            "is from its target and who owns it. Indicators worse than "
            f"{benchmark} and getting worse come first in each domain. The gap to target is "
            'the number of people (or events) by which the latest value missed it; "About" '
            "marks a number worked out from counts rounded to the nearest 5 for disclosure "
            "control.",
            "small",
        ),
        Spacer(1, 2 * mm),
        _icon_key(),
    ]
    header = [text(title.format(benchmark=benchmark), "cell_bold") for title, _ in SUMMARY_COLUMNS]
    widths = [width * mm for _, width in SUMMARY_COLUMNS]
    for report in domains:
        story.append(
            heading(
                report.domain.name,
                "h2",
                key=f"summary-{report.domain.code}",
                level=1,
                contents=False,
            )  # fmt: skip
        )
        if not report.statuses:
            story.append(text("No published indicators in this domain."))
            continue
        rows = [header] + [
            _summary_row(status, benchmark) for status in report.statuses_attention_first
        ]
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(TABLE_STYLE))
        story.append(table)
    return story


def _summary_row(status: IndicatorStatus, benchmark: str) -> list:
    indicator, latest = status.indicator, status.latest
    name = f"<b>{escape(indicator.name)}</b> {escape(indicator.code)}"
    if status.worse_and_worsening:
        name += f"<br/><b>Worse than {escape(benchmark)} and getting worse</b>"
    england = status.england or "Not compared"
    england_value = latest.england_value if latest else None
    return [
        Paragraph(name, STYLES["cell"]),
        text(f"{value_with_ci(status)}, {latest.period}" if latest else "No data", "cell"),
        text(target_text(status), "cell"),
        signal_cell("variation", status.variation, status.spc_missing_reason),
        signal_cell("assurance", status.assurance, "No target to assess"),
        with_mark(
            ComparisonMark(england),
            text(
                england
                + (
                    f" ({format_value(england_value, indicator.unit_label)})"
                    if england_value is not None
                    else ""
                ),
                "cell",
            ),
            mark_width=4 * mm,
        ),  # fmt: skip
        text(status.trend_label or "Not available", "cell"),
        text(status.target_gap.label if status.target else "No target set", "cell"),
        text(str(indicator.owner or "Not assigned"), "cell"),
    ]


def _icon_key() -> Table:
    """What each icon and mark means, drawn as in the table."""
    entries = [
        (SignalIcon("variation", "improvement_high"), "Special cause improvement (H high, L low)"),
        (SignalIcon("variation", "concern_low"), "Special cause concern (H high, L low)"),
        (SignalIcon("variation", "neutral_high"), "Special cause, no better direction"),
        (SignalIcon("variation", "common_cause"), "Common cause variation"),
        (SignalIcon("assurance", "pass"), "Consistently hits target"),
        (SignalIcon("assurance", "fail"), "Consistently fails target"),
        (SignalIcon("assurance", "inconsistent"), "Hit and miss target"),
        (ComparisonMark("Better"), "Better than the benchmark"),
        (ComparisonMark("Similar"), "Similar to the benchmark"),
        (ComparisonMark("Worse"), "Worse than the benchmark"),
        (ComparisonMark("Higher"), "Higher (no better direction)"),
        (ComparisonMark("Lower"), "Lower (no better direction)"),
    ]
    cells = [with_mark(mark, text(words, "cell"), mark_width=7 * mm) for mark, words in entries]
    table = Table([cells[:6], cells[6:]], colWidths=[WIDE_CONTENT_WIDTH / 6] * 6)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))  # fmt: skip
    return table
