"""The area summary: every indicator's latest value for the area, and the spine chart's rows."""

from __future__ import annotations

from dataclasses import dataclass

from explorer import selectors
from explorer.selectors import SummaryRow
from explorer.tables.rows import ReadByKey, add_note_markers


@dataclass
class SpineRow(ReadByKey):
    """An indicator on the area summary's spine chart."""

    name: str
    value: float | None
    england: float | None
    minimum: float | None
    q25: float | None
    q75: float | None
    maximum: float | None
    polarity: str
    label: str


@dataclass
class SummaryTable:
    """Every indicator's latest value for the area (``rows``), and those it has a value for
    as ``spine_rows``, for the chart."""

    rows: list[SummaryRow]
    spine_rows: list[SpineRow]
    notes: list[tuple[str, str]]


def summary_table(selection) -> SummaryTable:
    rows = selectors.area_summary(selection) if selection.area else []
    shown = [row for row in rows if row.observation is not None]
    return SummaryTable(
        rows=rows,
        spine_rows=[
            SpineRow(
                name=f"{row.indicator.code} {row.indicator.name}",
                value=row.observation.value,
                england=row.england,
                minimum=row.minimum,
                q25=row.q25,
                q75=row.q75,
                maximum=row.maximum,
                polarity=row.indicator.polarity,
                label=row.observation.england_comparison or "Not compared",
            )
            for row in shown
        ],
        notes=add_note_markers(shown),
    )
