"""The periods the board can report at, and those an indicator has headline values for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from indicators.models import (
    Indicator,
    Period,
    Sex,
)
from indicators.system import system_current


@dataclass(frozen=True)
class ReportingPeriod:
    label: str
    end: date


def reporting_periods() -> list[ReportingPeriod]:
    """Periods with a headline-area value, newest first (one per label: the label's
    latest end date, so "2023/24" means the framework as it stood at 31 March 2024)."""
    rows = (
        Period.objects.filter(
            observations__area_id=system_current().headline_area_id,
            observations__sex=Sex.PERSONS,
            observations__category_type="",
        )
        .values_list("label", "end", "sort_key")
        .distinct()
        .order_by("-end", "-sort_key")
    )
    seen: dict[str, ReportingPeriod] = {}
    for label, end, _ in rows:
        seen.setdefault(label, ReportingPeriod(label=label, end=end))
    return list(seen.values())


def indicator_periods(*, indicator: Indicator) -> list[Period]:
    """Periods with a headline-area value for the indicator, newest first."""
    return list(
        Period.objects.filter(
            observations__indicator=indicator,
            observations__area_id=system_current().headline_area_id,
            observations__sex=Sex.PERSONS,
            observations__category_type="",
        )
        .distinct()
        .order_by("-sort_key")
    )
