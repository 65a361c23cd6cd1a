"""Published figures: an area's headline series, Fingertips-format value rows, and the
confidence limits a source would publish with them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from demo.framework import IndicatorSpec, Period
from demo.geography import Geography
from indicators.statistics.common import z_value
from indicators.statistics.intervals import (
    byar_exact_interval,
    byar_limits,
    switched_poisson_limits,
    wilson_interval,
)
from ingest.schema import ALL_AGES

Z95, Z998 = z_value(0.95), z_value(0.998)
VALUES_HEADER = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to Region value or percentiles",
    "Time period Sortable", "New data", "Compared to goal",
]  # fmt: skip


@dataclass(frozen=True)
class Headline:
    """An area's Persons value per period, as the pipeline would compute or a source gives it."""

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    count: np.ndarray  # events or numerator (NaN where not applicable)
    denominator: np.ndarray  # denominator or population (NaN where not applicable)


def blank(value) -> str:
    """A number as a CSV cell: integers without a decimal point, ten significant figures,
    and nothing for a missing or infinite value."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return str(int(value))
    if not np.isfinite(value):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(float(value), ".10g")


@dataclass
class ValueRow:
    spec: IndicatorSpec
    area: str
    period: Period
    value: float | None
    lower: float | None = None
    upper: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None
    count: float | None = None
    denominator: float | None = None
    sex: str = "Persons"
    category_type: str = ""
    category: str = ""
    note: str = ""

    def record(self, geo: Geography) -> list[str]:
        parent = geo.parent(self.area)
        return [
            self.spec.code,
            self.spec.name,
            parent,
            geo.name(parent) if parent else "",
            self.area,
            geo.name(self.area),
            geo.area_type(self.area),
            self.sex,
            ALL_AGES,
            self.category_type,
            self.category,
            self.period.label,
            blank(self.value),
            blank(self.lower),
            blank(self.upper),
            blank(self.lower_998),
            blank(self.upper_998),
            blank(self.count),
            blank(self.denominator),
            self.note,
            "",
            "",
            "",
            str(self.period.sortable),
            "",
            "",
        ]


def value_row(spec, area, period, sex, figures: dict, **labels) -> ValueRow:
    return ValueRow(
        spec=spec,
        area=area,
        period=period,
        sex=sex,
        value=figures.get("value"),
        lower=figures.get("lower"),
        upper=figures.get("upper"),
        lower_998=figures.get("lower_998"),
        upper_998=figures.get("upper_998"),
        count=figures.get("count"),
        denominator=figures.get("denominator"),
        note=figures.get("note", ""),
        **labels,
    )


def values_headline(
    rows: Sequence[ValueRow], periods: Sequence[Period], area: str, sex="Persons"
) -> Headline:
    """An area's headline series read back from generated value rows (NaN where blank)."""
    by_period = {
        row.period.label: row
        for row in rows
        if row.area == area and row.sex == sex and not row.category_type
    }

    def column(name):
        return np.array(
            [
                np.nan
                if getattr(by_period[p.label], name) is None
                else float(getattr(by_period[p.label], name))
                for p in periods
            ]
        )

    return Headline(
        column("value"),
        column("lower"),
        column("upper"),
        column("lower_998"),
        column("upper_998"),
        column("count"),
        column("denominator"),
    )


# --- limits as sources publish them ---------------------------------------------------------


def limits_dict(limits) -> dict:
    return dict(zip(("lower", "upper", "lower_998", "upper_998"), limits, strict=True))


def dsr_limits(value: float, events: float) -> tuple[float, float, float, float]:
    """Dobson-style limits for a DSR whose variance is close to value²/events."""
    observed = np.array([max(events, 1.0)])
    low95, high95 = byar_limits(observed, Z95)
    low998, high998 = byar_limits(observed, Z998)
    scale = value / observed[0]
    return (low95[0] * scale, high95[0] * scale, low998[0] * scale, high998[0] * scale)


def ratio_limits(observed: float, expected: float, unit: float):
    """Exact/Byar's limits on an observed count, divided by the expected count (ISR)."""
    counts = np.array([float(observed)])
    low95, high95 = switched_poisson_limits(counts, Z95, 0.05)
    low998, high998 = switched_poisson_limits(counts, Z998, 0.002)
    return tuple(float(part[0]) / expected * unit for part in (low95, high95, low998, high998))


def survey_limits(value: float, sample: float, unit: float):
    share = np.clip(value / unit, 1e-6, 1 - 1e-6)
    at95 = wilson_interval(share * sample, sample, multiplier=unit)
    at998 = wilson_interval(share * sample, sample, multiplier=unit, confidence=0.998)
    return float(at95.lower), float(at95.upper), float(at998.lower), float(at998.upper)


def normal_limits(value: float, se: float):
    return value - Z95 * se, value + Z95 * se, value - Z998 * se, value + Z998 * se


def counted(spec, count, denominator, population) -> dict:
    """A proportion's or crude rate's figures from its count, as the pipeline computes them."""
    method = wilson_interval if spec.value_type == "proportion" else byar_exact_interval
    at95 = method(count, denominator, multiplier=spec.multiplier)
    at998 = method(count, denominator, multiplier=spec.multiplier, confidence=0.998)
    return {
        "value": float(at95.value),
        "lower": float(at95.lower),
        "upper": float(at95.upper),
        "lower_998": float(at998.lower),
        "upper_998": float(at998.upper),
        "count": count,
        "denominator": denominator,
        "population": population,
    }
