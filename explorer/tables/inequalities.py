"""Inequalities: one area's values by sex, age band or deprivation, each compared with the
area's own value, and its inequality summary period by period."""

from __future__ import annotations

from dataclasses import dataclass

from explorer import charts, selectors
from explorer.selectors import natural_key
from explorer.tables.no_data import require_values
from explorer.tables.rows import ReadByKey, ValueRow, add_note_markers, polarity_of
from indicators.models import Observation
from indicators.vocabulary import decile_label, quintile_label

# Core20: the most deprived fifth nationally, i.e. quintile 1 or deciles 1 and 2.
CORE20_CATEGORIES = {quintile_label(1), decile_label(1), decile_label(2)}
SEX_ORDER = ["Male", "Female", "Persons"]


@dataclass
class BreakdownRow(ValueRow):
    """A group of an area's breakdown (a sex, an age band, a deprivation quintile...):
    ``category`` names the group, ``label`` is its comparison with the area's own value."""

    core20: bool = False


@dataclass
class GapRow(ReadByKey):
    """A period's inequality summary: the gap and ratio between the most and least deprived
    quintiles, the slope (SII) and relative (RII) indices with their 95% limits."""

    period: str
    gap: float | None
    ratio: float | None
    sii: float | None
    sii_lower: float | None
    sii_upper: float | None
    rii: float | None
    rii_lower: float | None
    rii_upper: float | None
    note: str


@dataclass
class InequalityTable:
    """The area's own value (``headline``) and its breakdown's groups, in order."""

    rows: list[BreakdownRow]
    headline: ValueRow | None
    notes: list[tuple[str, str]]


def inequality_table(selection) -> InequalityTable:
    """One area's values by sex, age band or deprivation (Core20 marked), each compared with
    the area's own value."""
    observations = (
        list(selectors.inequality_observations(selection))
        if selection.area and selection.period
        else []
    )
    headline = next(
        (
            ValueRow.of(o)
            for o in observations
            if not o.category_type and o.sex == selection.sex and o.age == selection.age
        ),
        None,
    )
    rows = [
        BreakdownRow.of(
            observation, category=group, core20=observation.category in CORE20_CATEGORIES
        )
        for group, observation in _breakdown_groups(observations, selection)
    ]
    versus_area = charts.compare_with_area(
        rows,
        area_value=headline.value if headline else None,
        polarity=polarity_of(selection.indicator),
    )
    for row, label in zip(rows, versus_area, strict=True):
        row.label = label
    table = InequalityTable(rows=rows, headline=headline, notes=add_note_markers(rows))
    require_values(selection, rows=rows, table=table)
    return table


def _breakdown_groups(observations, selection) -> list[tuple[str, Observation]]:
    """(group name, observation) of each group of the breakdown, in order."""
    if selection.breakdown == "sex":
        groups = [(o.sex, o) for o in observations if not o.category_type]
        return sorted(groups, key=lambda group: SEX_ORDER.index(group[0]))
    if selection.breakdown == "age_band":
        groups = [
            (o.age, o) for o in observations if not o.category_type and o.sex == selection.sex
        ]
    else:
        groups = [(o.category, o) for o in observations if o.category_type]
    return sorted(groups, key=lambda group: natural_key(group[0]))


def inequality_gap_rows(selection) -> list[GapRow]:
    """The area's inequality summary in every period (none for a breakdown other than
    deprivation)."""
    summaries = selectors.inequality_summaries(selection) if selection.area else []
    return [
        GapRow(
            period=s.period.label, gap=s.gap, ratio=s.ratio, sii=s.sii, sii_lower=s.sii_lower,
            sii_upper=s.sii_upper, rii=s.rii, rii_lower=s.rii_lower, rii_upper=s.rii_upper,
            note=s.note,
        )
        for s in summaries
    ]  # fmt: skip
