"""Compute values and confidence limits for rolled-up cells, by each indicator's method.

docs/methods.md: proportions with Wilson score limits (§1); crude rates and counts with exact limits
below 10 events and Byar's from 10 (§2); DSRs with Dobson limits on the ESP2013 bands, not
calculated below 10 events (§4). Every statistic runs once per value type over all its rows,
at 95% and 99.8%. Mean, years, gap and ISR values cannot be made from numerator and
denominator counts alone, so cells of those indicators are a ValueError for the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from indicators.statistics.intervals import (
    byar_exact_interval,
    poisson_count_interval,
    wilson_interval,
)
from indicators.statistics.standardised import ESP2013, directly_standardised_rate
from ingest.rollup import BAND_DENOMINATOR_COLUMNS, BAND_NUMERATOR_COLUMNS, IndicatorSpec
from ingest.schema import VALUES_COLUMNS

LEVELS = (0.95, 0.998)
FEWER_THAN_10_EVENTS = "Not calculated: fewer than 10 events"
NO_DENOMINATOR = "Not calculated: denominator is 0"
NO_BAND_POPULATION = "Not calculated: no population in an age band"


class Computed(NamedTuple):
    """Values and limits for some rows, NaN where not calculated, with the reason."""

    value: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    note: np.ndarray

    @classmethod
    def blank(cls, n: int) -> Computed:
        nan = np.full(n, np.nan)
        return cls(nan, nan.copy(), nan.copy(), nan.copy(), nan.copy(), np.full(n, "", object))

    def fill(self, where: np.ndarray, intervals) -> None:
        """Put (95%, 99.8%) intervals into the rows ``where``."""
        at_95, at_998 = intervals
        self.value[where] = at_95.value
        self.lower_95[where], self.upper_95[where] = at_95.lower, at_95.upper
        self.lower_998[where], self.upper_998[where] = at_998.lower, at_998.upper


# --- the methods, each over all rows of its value type --------------------------------------


def _proportions(cells: pd.DataFrame, multiplier: np.ndarray) -> Computed:
    numerator, denominator = _counts(cells, need_denominator=True)
    _refuse(cells, numerator > denominator, "a numerator above its denominator")
    result, usable = _with_denominator(numerator, denominator)
    # docs/methods.md §1: Wilson score interval, × multiplier
    result.fill(
        usable,
        [
            wilson_interval(
                numerator[usable], denominator[usable], confidence=c, multiplier=multiplier[usable]
            )
            for c in LEVELS
        ],
    )
    return result


def _crude_rates(cells: pd.DataFrame, multiplier: np.ndarray) -> Computed:
    numerator, denominator = _counts(cells, need_denominator=True)
    result, usable = _with_denominator(numerator, denominator)
    # docs/methods.md §2: exact limits below 10 events, Byar's from 10, × multiplier
    result.fill(
        usable,
        [
            byar_exact_interval(
                numerator[usable], denominator[usable], confidence=c, multiplier=multiplier[usable]
            )
            for c in LEVELS
        ],
    )
    return result


def _event_counts(cells: pd.DataFrame, multiplier: np.ndarray) -> Computed:
    numerator, _ = _counts(cells, need_denominator=False)
    result = Computed.blank(len(cells))
    # docs/methods.md §2: a count is its own value; exact limits below 10, Byar's from 10
    everywhere = np.ones(len(cells), dtype=bool)
    result.fill(everywhere, [poisson_count_interval(numerator, confidence=c) for c in LEVELS])
    return result


def _dsrs(cells: pd.DataFrame, multiplier: np.ndarray) -> Computed:
    events = cells[BAND_NUMERATOR_COLUMNS].to_numpy(dtype=float)
    populations = cells[BAND_DENOMINATOR_COLUMNS].to_numpy(dtype=float)
    given = np.isfinite(populations)  # bands outside the indicator's age range are NaN
    _refuse(cells, ~given.any(axis=1), "no age bands (a DSR needs five-year bands)")
    _refuse(cells, (np.nan_to_num(events) < 0).any(axis=1), "a negative count")
    result = Computed.blank(len(cells))
    total_events = np.nansum(events, axis=1)
    few = total_events < 10
    empty_band = (np.where(given, populations, 1) <= 0).any(axis=1)
    result.note[few] = FEWER_THAN_10_EVENTS
    result.note[empty_band & ~few] = NO_BAND_POPULATION
    # One call per set of age bands given (normally one per indicator), on the rows that can
    # be computed; the standard population is ESP2013 restricted to those bands.
    pattern = given @ (1 << np.arange(given.shape[1]))
    for bands in np.unique(pattern[~empty_band]):
        rows = (pattern == bands) & ~empty_band
        mask = given[np.flatnonzero(rows)[0]]
        result.fill(
            rows,
            [
                directly_standardised_rate(
                    events[rows][:, mask],
                    populations[rows][:, mask],
                    standard_population=ESP2013[mask],
                    confidence=c,
                    multiplier=multiplier[rows],
                ).interval
                for c in LEVELS
            ],
        )
    return result


METHODS = {
    "proportion": _proportions,
    "crude_rate": _crude_rates,
    "count": _event_counts,
    "dsr": _dsrs,
}


# --- helpers --------------------------------------------------------------------------------


def _counts(cells: pd.DataFrame, *, need_denominator: bool) -> tuple[np.ndarray, np.ndarray]:
    numerator = cells["numerator"].to_numpy(dtype=float)
    denominator = cells["denominator"].to_numpy(dtype=float)
    _refuse(cells, ~np.isfinite(numerator), "a missing numerator")
    _refuse(cells, numerator < 0, "a negative numerator")
    if need_denominator:
        _refuse(cells, ~np.isfinite(denominator), "a missing denominator")
        _refuse(cells, denominator < 0, "a negative denominator")
    return numerator, denominator


def _with_denominator(numerator, denominator) -> tuple[Computed, np.ndarray]:
    """A blank result noting the rows with nothing to divide by, and the other rows."""
    result = Computed.blank(len(numerator))
    usable = denominator > 0
    result.note[~usable] = NO_DENOMINATOR
    return result, usable


def _refuse(cells: pd.DataFrame, bad: np.ndarray, problem: str) -> None:
    if bad.any():
        first = cells.iloc[int(np.flatnonzero(bad)[0])]
        raise ValueError(
            f"Indicator {first['indicator_code']}: {int(bad.sum())} cell(s) with {problem}, "
            f"e.g. area {first['area_code']}, {first['period_label']}"
        )


def _value_types(cells: pd.DataFrame, indicators: Mapping[str, IndicatorSpec]) -> np.ndarray:
    codes = pd.unique(cells["indicator_code"])
    missing = [code for code in codes if code not in indicators]
    if missing:
        raise ValueError(f"No indicator specification for {missing[0]!r}")
    wrong = [code for code in codes if indicators[code].value_type not in METHODS]
    if wrong:
        spec = indicators[wrong[0]]
        raise ValueError(
            f"Indicator {spec.code} is a {spec.value_type!r} indicator: its values cannot be "
            "computed from numerator and denominator counts; supply them as indicator values "
            "(Fingertips format) instead"
        )
    return cells["indicator_code"].map({code: indicators[code].value_type for code in codes})


# --- the step -------------------------------------------------------------------------------


def compute_values(cells: pd.DataFrame, *, indicators: Mapping[str, IndicatorSpec]) -> pd.DataFrame:
    """Values frame (VALUES_COLUMNS, then ``published``) for ``roll_up`` cells, row for row.

    Raises ValueError naming the indicator for a value type that needs more than counts
    (mean, years, gap, isr) and for counts no method accepts (a proportion above 1, ...).
    """
    result = Computed.blank(len(cells))
    if len(cells):
        value_type = _value_types(cells, indicators).to_numpy()
        multiplier = cells["indicator_code"].map(
            {code: float(spec.multiplier) for code, spec in indicators.items()}
        )
        for name, method in METHODS.items():
            rows = value_type == name
            if rows.any():
                part = method(cells[rows], multiplier.to_numpy(dtype=float)[rows])
                for column, values in zip(Computed._fields, part, strict=True):
                    getattr(result, column)[rows] = values
    values = pd.DataFrame(
        {
            "source_row": pd.array([pd.NA] * len(cells), dtype="Int64"),
            **{
                column: cells[column].to_numpy()
                for column in (
                    "indicator_code",
                    "area_code",
                    "period_label",
                    "sex",
                    "age",
                    "category_type",
                    "category",
                )  # fmt: skip
            },
            "value": result.value,
            "lower_95": result.lower_95,
            "upper_95": result.upper_95,
            "lower_998": result.lower_998,
            "upper_998": result.upper_998,
            "count": cells["numerator"].to_numpy(dtype=float),
            "denominator": cells["denominator"].to_numpy(dtype=float),
            "value_note": result.note,
            "suppressed": np.zeros(len(cells), dtype=bool),
            "published": cells["published"].to_numpy(dtype=bool),
        }
    )
    return values[[*VALUES_COLUMNS, "published"]]
