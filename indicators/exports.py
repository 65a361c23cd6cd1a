"""The export format (docs/design.md §4.5): observations as a Fingertips download, inequality summaries
as their own table. One writer serves the export command, the explorer's CSV and the API.

Text cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``)
are prefixed with an apostrophe; numbers are written with up to 15 significant digits, so
values round-trip exactly as they were given.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from indicators.models import AnalyticsBasis, InequalitySummary, Observation, SeriesAnalytics
from indicators.querysets import analytics_basis_of

EXPORT_HEADER = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to parent value or percentiles",
    "Time period Sortable", "New data", "Compared to goal",
]  # fmt: skip
INEQUALITY_HEADER = [
    "Indicator ID", "Area Code", "Area Name", "Time period", "Sex", "Age", "Category Type",
    "SII", "SII lower 95", "SII upper 95", "RII", "RII lower 95", "RII upper 95", "Gap", "Ratio",
    "Note",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text) -> str:
    """Neutralise spreadsheet formula injection in a text cell."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number(value) -> str:
    return "" if value is None else format(float(value), ".15g")


def observations_for_export(
    *, indicator_codes: Iterable[str] | None = None, area_codes: Iterable[str] | None = None,
    period_labels: Iterable[str] | None = None, base: QuerySet[Observation] | None = None,
) -> QuerySet[Observation]:  # fmt: skip
    """Observations in export order, ready for ``export_rows``; ``base`` is an already
    filtered queryset (the explorer passes exactly what a page shows)."""
    queryset = (
        (Observation.objects.all() if base is None else base)
        .select_related("indicator", "area", "area__area_type", "area__parent", "period")
        .order_by(
            "indicator__code", "period__sort_key", "area__code", "sex", "category_type", "category"
        )
    )
    if indicator_codes:
        queryset = queryset.filter(indicator__code__in=list(indicator_codes))
    if area_codes:
        queryset = queryset.filter(area__code__in=list(area_codes))
    if period_labels:
        queryset = queryset.filter(period__label__in=list(period_labels))
    return queryset


def latest_trends(observations: QuerySet[Observation]) -> dict[tuple, str]:
    """The recent-trend label of each series, keyed by series and its latest period: from
    the shown values when the observations are read for a protected viewer."""
    indicator_ids = observations.values("indicator_id").distinct()
    rows = SeriesAnalytics.objects.filter(
        indicator_id__in=indicator_ids, basis=analytics_basis_of(observations)
    ).values_list(
        "indicator_id", "area_id", "sex", "age", "category_type", "category", "latest_period_id",
        "trend_label",
    )  # fmt: skip
    return {tuple(row[:7]): row[7] for row in rows}


def export_rows(observations: QuerySet[Observation]) -> Iterator[list[str]]:
    trends = latest_trends(observations)
    for observation in observations.iterator(chunk_size=5000):
        area, parent, period = observation.area, observation.area.parent, observation.period
        key = (
            observation.indicator_id, observation.area_id, observation.sex, observation.age,
            observation.category_type, observation.category, observation.period_id,
        )  # fmt: skip
        yield [
            safe_text(observation.indicator.code),
            safe_text(observation.indicator.name),
            safe_text(parent.code if parent else ""),
            safe_text(parent.name if parent else ""),
            safe_text(area.code),
            safe_text(area.name),
            safe_text(area.area_type.name),
            safe_text(observation.sex),
            safe_text(observation.age),
            safe_text(observation.category_type),
            safe_text(observation.category),
            safe_text(period.label),
            number(observation.value),
            number(observation.lower_95),
            number(observation.upper_95),
            number(observation.lower_998),
            number(observation.upper_998),
            number(observation.count),
            number(observation.denominator),
            safe_text(observation.value_note),
            safe_text(trends.get(key, "")),
            safe_text(observation.england_comparison),
            safe_text(observation.parent_comparison),
            safe_text(period.sort_key[:8]),
            "",
            safe_text(observation.target_comparison),
        ]


def write_export_csv(stream, observations: QuerySet[Observation]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    count = 0
    for row in export_rows(observations):
        writer.writerow(row)
        count += 1
    return count


class _Line:
    """A file-like target for ``csv.writer`` that hands back the line it was given."""

    def write(self, text: str) -> str:
        return text


def export_csv_lines(observations: QuerySet[Observation], *, rows_per_chunk: int = 500):
    """The export CSV as encoded chunks of lines, for a streamed download: rows are read from
    a server-side cursor in batches and written as they come, so memory does not grow with
    the number of rows."""
    writer = csv.writer(_Line(), lineterminator="\n")
    lines = [writer.writerow(EXPORT_HEADER)]
    for row in export_rows(observations):
        lines.append(writer.writerow(row))
        if len(lines) >= rows_per_chunk:
            yield "".join(lines).encode()
            lines = []
    yield "".join(lines).encode()


def inequalities_for_export(
    *, indicator_codes=None, area_codes=None, period_labels=None
) -> QuerySet[InequalitySummary]:
    # The export command is an analyst's tool: summaries from every value.
    queryset = InequalitySummary.objects.filter(basis=AnalyticsBasis.ALL)
    queryset = queryset.select_related("indicator", "area", "period").order_by(
        "indicator__code", "period__sort_key", "area__code", "sex", "age"
    )
    if indicator_codes:
        queryset = queryset.filter(indicator__code__in=list(indicator_codes))
    if area_codes:
        queryset = queryset.filter(area__code__in=list(area_codes))
    if period_labels:
        queryset = queryset.filter(period__label__in=list(period_labels))
    return queryset


def write_inequalities_csv(stream, summaries: QuerySet[InequalitySummary]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(INEQUALITY_HEADER)
    count = 0
    for summary in summaries.iterator(chunk_size=5000):
        writer.writerow(
            [
                safe_text(summary.indicator.code), safe_text(summary.area.code),
                safe_text(summary.area.name), safe_text(summary.period.label), safe_text(summary.sex),
                safe_text(summary.age), safe_text(summary.category_type), number(summary.sii),
                number(summary.sii_lower), number(summary.sii_upper), number(summary.rii),
                number(summary.rii_lower), number(summary.rii_upper), number(summary.gap),
                number(summary.ratio), safe_text(summary.note),
            ]
        )  # fmt: skip
        count += 1
    return count
