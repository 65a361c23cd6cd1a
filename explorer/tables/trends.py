"""Trends: one line of values per area over time, in the order they are drawn."""

from __future__ import annotations

from dataclasses import dataclass, field

from explorer import selectors
from explorer.tables.no_data import require_values
from explorer.tables.rows import ReadByKey, ValueRow, add_note_markers
from indicators.vocabulary import ENGLAND_CODE


@dataclass
class TrendLine(ReadByKey):
    code: str
    name: str
    is_england: bool
    points: list[ValueRow] = field(default_factory=list)


@dataclass
class TrendTable:
    """One line per area, in the order drawn (chosen areas first, England last), and the
    periods in order."""

    series: list[TrendLine]
    periods: list[str]
    notes: list[tuple[str, str]]


def trend_table(selection) -> TrendTable:
    observations = selectors.trend_observations(selection) if selection.indicator else []
    order = [area.code for area in selectors.trend_areas(selection)]
    series: dict[str, TrendLine] = {}
    periods: dict[str, str] = {}
    for observation in observations:
        area = observation.area
        line = series.setdefault(
            area.code, TrendLine(area.code, area.name, is_england=area.code == ENGLAND_CODE)
        )
        line.points.append(ValueRow.of(observation))
        periods[observation.period.label] = observation.period.sort_key
    ordered = sorted(
        series.values(),
        key=lambda line: (line.is_england, order.index(line.code) if line.code in order else 50),
    )
    points = [point for line in ordered for point in line.points]
    table = TrendTable(
        series=ordered,
        periods=sorted(periods, key=periods.get),
        notes=add_note_markers(points),
    )
    require_values(selection, rows=points, table=table)
    return table
