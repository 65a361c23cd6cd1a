"""Checks of one field at a time, shared by both layouts: sex, age band, period, and numbers.

Each reads its field from a ``RowChecker``, records an error on every row it cannot read,
and returns the field in our canonical form. Anything costly (parsing a period or a number)
is done once per distinct text.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np

from indicators.periods import KINDS, calendar_year, financial_year, parse_period_label
from ingest.parsing.table import SHOWN_CHARACTERS
from ingest.schema import ALL_AGES, ESP2013_AGE_BANDS
from ingest.validation.coded import Coded
from ingest.validation.errors import quoted
from ingest.validation.registry import IndicatorLookup
from ingest.validation.rows import RowChecker

SEXES = {"persons": "Persons", "male": "Male", "female": "Female"}
# A rate or ratio divides by its denominator, so a zero one cannot carry events or a value.
NEEDS_DENOMINATOR = {"proportion", "crude_rate", "dsr", "isr"}
VALUE_TYPE_NAMES = {
    "proportion": "proportion",
    "crude_rate": "crude rate",
    "dsr": "directly standardised rate",
    "isr": "indirectly standardised ratio",
    "count": "count",
    "mean": "mean",
    "years": "value in years",
    "gap": "gap",
}
MEASURE_LABELS = {
    "value": "Value",
    "lower_95": "Lower 95% limit",
    "upper_95": "Upper 95% limit",
    "lower_998": "Lower 99.8% limit",
    "upper_998": "Upper 99.8% limit",
    "count": "Count",
    "denominator": "Denominator",
    "numerator": "Numerator",
}
# Plain decimal numbers only: no thousands separators, %, "inf" or "nan".
NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
YEAR = re.compile(r"^[0-9]{4}$")


# --- Sex and age ---------------------------------------------------------------------------


def normalise_sex(rows: RowChecker) -> Coded:
    def normalise(text: str):
        sex = SEXES.get(text.lower())
        if sex is None:
            shown = quoted(text) if text else "empty"
            return text, f"Sex is {shown}; it must be Persons, Male or Female."
        return sex, None

    return rows.per_distinct("sex", normalise)


def normalise_age_bands(rows: RowChecker) -> Coded:
    bands = {band: band for band in ESP2013_AGE_BANDS} | {"allages": ALL_AGES}

    def normalise(text: str):
        band = bands.get(re.sub(r"\s+", "", text).lower())
        if band is None:
            shown = quoted(text) if text else "empty"
            return text, (
                f"Age band is {shown}; it must be a five-year band of the 2013 European "
                "Standard Population (0-4, 5-9, … 85-89, 90+) or 'All ages'."
            )
        return band, None

    return rows.per_distinct("age_band", normalise)


# --- Periods -------------------------------------------------------------------------------


def parse_periods(rows: RowChecker, field_name: str, indicators: IndicatorLookup) -> Coded:
    """Canonical period labels, parsing each distinct (label, indicator period kind) once:
    the period kind settles whether 2023/24 is a financial or an academic year."""
    hints = {info.code: info.period_kind if info.period_kind in KINDS else ""
             for info in indicators.infos}  # fmt: skip
    name = rows.column_name(field_name)

    @functools.cache
    def parse(label: str, hint: str):
        if not label:
            return label, f"{name} is empty."
        if len(label) > SHOWN_CHARACTERS:  # not a label; the parser's message quotes it
            return label, f"Cannot read the period {quoted(label)}."
        try:
            return parse_period_label(label, kind_hint=hint or None).label, None
        except (ValueError, OverflowError) as error:  # PeriodLabelError, or year 0
            return label, str(error) or f"Cannot read the period {label!r}."

    # Grouped by indicator, whose codes are known, rather than by a column of hints; an
    # unknown indicator (reported already) gives no hint.
    return rows.per_distinct(
        field_name,
        lambda label, code: parse(label, hints.get(code, "")),
        also=(indicators.codes,),
    )


def periods_from_start_years(rows: RowChecker, indicators: IndicatorLookup) -> Coded:
    """FingertipsNext ``Year`` (a period's start year) → our label, by indicator period kind."""
    column = rows.column_name("year")
    infos = {info.code: info for info in indicators.infos}

    def label(year: str, code: str):
        if not YEAR.match(year):
            shown = quoted(year) if year else "empty"
            return year, f"{column} is {shown}; it must be a four-digit year such as 2023."
        info = infos.get(code)
        if info is None:
            return year, None  # the unknown indicator is reported already
        start = int(year)
        if not 1800 <= start <= 2200:
            return year, f"{column} {year} is not a plausible year for public health data."
        if info.frequency == "annual":
            if info.period_kind in {"financial_year", "academic_year"}:
                return financial_year(start).label, None  # both are labelled 2023/24
            if info.period_kind == "calendar_year":
                return calendar_year(start).label, None
        if not info.period_kind:
            return year, (
                f"Indicator {info.code} has no period kind recorded, so {column} {year} "
                f"could mean {year} or {financial_year(start).label}. Record whether it is "
                "reported by financial or calendar year, or give a 'Time period' column."
            )
        return year, (
            f"Indicator {info.code} is reported by {info.period_kind.replace('_', ' ')} "
            f"({info.frequency}), which a single {column} cannot express. Give a "
            "'Time period' column with labels such as 2023/24 Q2 or Mar 2024 instead."
        )

    return rows.per_distinct("year", label, also=(indicators.codes,))


# --- Numbers -------------------------------------------------------------------------------


def number(rows: RowChecker, field_name: str) -> np.ndarray:
    """The column as floats (NaN when empty); text that is not a number is an error.

    Not per_distinct: a Value column can hold a million distinct numbers, so this loop
    is kept as tight as it can be."""
    if field_name not in rows.columns:
        return np.full(rows.length, np.nan)
    codes, uniques = rows.raw_table.column_codes(rows.columns[field_name])
    parsed = np.array([_to_number(text) for text in uniques], dtype=float)
    invalid = np.isnan(parsed) & (uniques != "")
    failing = np.flatnonzero(invalid[codes])
    if len(failing):
        label = MEASURE_LABELS[field_name]
        messages = [
            f"{label} {quoted(text)} is not a number. Write plain digits such as 1234.5, "
            "with no thousands separators, % signs or words."
            for text in uniques[codes[failing]]
        ]
        rows.record(field_name, failing, messages)
    return parsed[codes]


def refuse_negative(rows: RowChecker, field_name: str, numbers: np.ndarray, *, allowed) -> None:
    label = MEASURE_LABELS[field_name]
    rows.require(
        field_name,
        (numbers < 0) & ~np.asarray(allowed, dtype=bool),
        lambda i: f"{label} {rows.raw(field_name, i)} is negative; it cannot be below zero.",
    )


def refuse_crossed_limits(rows: RowChecker, lower: str, upper: str, measures, level: str) -> None:
    rows.require(
        lower,
        measures[lower] > measures[upper],
        lambda i: (
            f"The lower {level} limit {rows.raw(lower, i)} is above the upper {level} "
            f"limit {rows.raw(upper, i)}."
        ),
    )


def _to_number(text: str) -> float:
    """A plain decimal number, or NaN for anything else (empty, "1,234", "12%", "inf")."""
    if NUMBER.match(text):
        value = float(text)
        if math.isfinite(value):
            return value
    return math.nan
