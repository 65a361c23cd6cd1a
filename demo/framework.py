"""The demo framework's indicators, with everything the generator knows about each, and the
periods each indicator's series covers."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from demo.calibration import (
    Calibration,
    Denominator,
    Engineered,
    Goal,
    LocalStory,
    Narrative,
    Pattern,
)
from indicators.periods import (
    ParsedPeriod,
    academic_year,
    calendar_year,
    financial_quarter,
    financial_year,
    month,
    parse_period_label,
    pooled_years,
)

SEXES = ("Male", "Female")
MONTHLY_YEARS = 3  # monthly series carry at most 3 years (36 points: enough for SPC)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    value_type: str
    multiplier: float
    polarity: str
    frequency: str
    ci_method: str
    breakdowns: frozenset[str]
    england_value: float
    england_period: str
    pattern: Pattern
    goal: Goal
    denominator: Denominator | None = None  # what proportions and crude rates are drawn from
    narrative: Narrative | None = None  # the owner's narrative, for a few indicators
    council_effects: dict[str, float] | None = None  # the system's councils' departures
    engineered: Engineered | None = None  # the system's engineered ICB series

    @property
    def from_counts(self) -> bool:
        """Computed by the pipeline from granular counts (the rest arrive as values)."""
        counted = {"proportion", "crude_rate", "dsr", "count"}
        return self.value_type in counted and self.ci_method != "none"

    @property
    def sexes(self) -> tuple[str, ...]:
        """Sexes of the granular cells: DSRs and indicators published by sex are split."""
        split = self.value_type == "dsr" or "sex" in self.breakdowns
        return SEXES if split else ("Persons",)

    @property
    def scale(self) -> str:
        """The link scale effects act on."""
        if self.value_type == "proportion":
            return "logit"
        if self.value_type in {"years", "gap"}:
            return "identity"
        return "log"

    @property
    def pooled(self) -> bool:
        """Published for rolling 3-year periods, as the England period ("2021-23") says."""
        if self.frequency != "annual":
            return False
        return parse_period_label(self.england_period).kind == "pooled_years"


def _goal(code: str, calibration: Calibration, story: LocalStory) -> Goal:
    goal = calibration.goals[code]
    if code in story.target_details:
        goal = Goal(**{**goal.__dict__, "detail": story.target_details[code]})
    return goal


def _narrative(code: str, calibration: Calibration, story: LocalStory) -> Narrative | None:
    narrative = calibration.narratives.get(code)
    if narrative is None:
        return None
    return Narrative(**{**narrative.__dict__, **story.narratives.get(code, {})})


def load_framework(
    fixtures_dir: Path, calibration: Calibration, story: LocalStory
) -> list[IndicatorSpec]:
    frame = pd.read_csv(fixtures_dir / "demo_framework.csv", dtype=str, keep_default_na=False)
    specs = []
    for row in frame.to_dict("records"):
        code = row["code"]
        pattern = calibration.patterns[code]
        specs.append(
            IndicatorSpec(
                code=code,
                name=row["name"],
                value_type=row["value_type"],
                multiplier=float(row["multiplier"]),
                polarity=row["polarity"],
                frequency=row["frequency"],
                ci_method=row["ci_method"],
                breakdowns=frozenset(part for part in row["breakdowns"].split(";") if part),
                england_value=float(row["england_value"]),
                england_period=row["england_period"],
                pattern=pattern,
                denominator=calibration.denominators.get(pattern.denominator),
                goal=_goal(code, calibration, story),
                narrative=_narrative(code, calibration, story),
                council_effects=story.council_effects.get(code),
                engineered=story.engineered.get(code),
            )
        )
    return specs


@dataclass(frozen=True)
class Period:
    parsed: ParsedPeriod
    mid: float  # decimal year of the mid-point
    years: float  # length in person-years per resident
    season: float  # mean of the winter profile over the months covered

    @property
    def label(self) -> str:
        return self.parsed.label

    @property
    def sortable(self) -> int:
        parsed = self.parsed
        if parsed.kind == "month":
            return parsed.start.year * 10000 + parsed.start.month * 100
        if parsed.kind == "quarter":
            start_year = parsed.start.year - (1 if parsed.start.month < 4 else 0)
            quarter = ((parsed.start.month - 4) % 12) // 3 + 1
            return start_year * 10000 + quarter * 100
        return parsed.start.year * 10000


def _decimal_year(day: date) -> float:
    length = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.timetuple().tm_yday - 0.5) / length


def period_from(parsed: ParsedPeriod, winter_profile: tuple[float, ...] = ()) -> Period:
    months = []
    year, number = parsed.start.year, parsed.start.month
    while (year, number) <= (parsed.end.year, parsed.end.month):
        months.append(number)
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    mid = (_decimal_year(parsed.start) + _decimal_year(parsed.end)) / 2
    season = 0.0
    if len(months) < 12 and winter_profile:
        season = float(np.array(winter_profile)[np.array(months) - 1].mean())
    return Period(parsed, mid, len(months) / 12, season)


def mid_year(label: str) -> float:
    return period_from(parse_period_label(label)).mid


def indicator_periods(spec: IndicatorSpec, *, years: int, today: date) -> list[Period]:
    """The indicator's periods, oldest first: ``years`` years at its frequency ending with the
    latest period complete before ``today`` (at most 3 years for monthly series, and
    ``years - 2`` rolling 3-year periods for pooled indicators, so they span ``years``)."""
    profile = spec.pattern.winter_profile
    if spec.frequency == "monthly":
        year, number = today.year, today.month
        parsed = []
        while len(parsed) < 12 * min(years, MONTHLY_YEARS):
            year, number = (year - 1, 12) if number == 1 else (year, number - 1)
            candidate = month(year, number)
            if candidate.end < today:
                parsed.append(candidate)
        return [period_from(item, profile) for item in reversed(parsed)]
    if spec.frequency == "quarterly":
        count = 4 * years
        start_year = today.year if today.month >= 4 else today.year - 1
        quarters = [
            financial_quarter(start_year - back, q)
            for back in range(0, years + 2)
            for q in (4, 3, 2, 1)
        ]
        complete = [item for item in quarters if item.end < today][:count]
        return [period_from(item, profile) for item in reversed(complete)]
    if spec.pooled:
        last = today.year - 1  # the latest calendar year complete before today
        ends = range(last - max(years - 2, 1) + 1, last + 1)
        return [period_from(pooled_years(end - 2, end), profile) for end in ends]
    if len(spec.england_period) == 4:
        make = calendar_year
    elif spec.pattern.academic:
        make = academic_year
    else:
        make = financial_year
    candidates = [make(year) for year in range(today.year - years - 2, today.year + 1)]
    complete = [item for item in candidates if item.end < today][-years:]
    return [period_from(item, profile) for item in complete]
