"""Kind B: granular numerators and denominators per small area, sex, age band and,
optionally, ethnic group (docs/design.md §4.4)."""

from __future__ import annotations

import pandas as pd

from ingest.parsing.table import RawTable
from ingest.schema import ALL_AGES, COUNTS_COLUMNS
from ingest.validation.columns import (
    COUNTS_HEADERS,
    COUNTS_REQUIRED,
    VALUES_HEADERS,
    map_columns,
    require_columns,
)
from ingest.validation.fields import (
    NEEDS_DENOMINATOR,
    VALUE_TYPE_NAMES,
    normalise_age_bands,
    normalise_sex,
    number,
    parse_periods,
    refuse_negative,
)
from ingest.validation.registry import Registry, resolve_areas, resolve_indicators
from ingest.validation.rows import RowChecker, Validated


def validate_counts(raw: RawTable, *, registry: Registry) -> Validated:
    """Check a granular counts table into COUNTS_COLUMNS."""
    columns = map_columns(raw, COUNTS_HEADERS)
    require_columns(raw, columns, COUNTS_REQUIRED, other_kind=VALUES_HEADERS, other_name="values")
    rows = RowChecker(raw, columns)

    indicators = resolve_indicators(rows, registry, by_fingertips_id=False)
    area_codes, _ = resolve_areas(rows, registry, may_create=False)
    sex = normalise_sex(rows)
    age_band = normalise_age_bands(rows)
    period = parse_periods(rows, "period", indicators)
    ethnic_group = rows.text("ethnic_group")
    # Row conditions are decided once per indicator or distinct text, then spread to rows.
    value_type = indicators.named("value_type")  # for messages: a function of the row
    proportion = indicators.attribute_in("value_type", {"proportion"})
    all_ages = rows.codes.is_one_of(age_band, {ALL_AGES})

    numerator, denominator = number(rows, "numerator"), number(rows, "denominator")
    rows.require("numerator", rows.is_empty("numerator"), "Numerator is empty.")
    rows.require(
        "denominator",
        rows.is_empty("denominator")
        & indicators.known
        & ~indicators.attribute_in("value_type", {"count"}),
        lambda i: (
            f"Denominator is empty; indicator {indicators.codes[i]} is a "
            f"{VALUE_TYPE_NAMES[value_type(i)]}, so it needs one."
        ),
    )
    refuse_negative(rows, "numerator", numerator, allowed=False)
    refuse_negative(rows, "denominator", denominator, allowed=False)
    # A zero denominator is fine for an empty cell (no people, no events: 0/0 rolls up to
    # nothing); with events it is impossible.
    zero_denominator = indicators.attribute_in("value_type", NEEDS_DENOMINATOR) & (denominator == 0)
    rows.require(
        "denominator",
        zero_denominator & (numerator > 0),
        lambda i: (
            f"Denominator is 0 but the numerator is {rows.raw('numerator', i)}; a "
            f"{VALUE_TYPE_NAMES[value_type(i)]} needs a population to divide by."
        ),
    )
    rows.require(
        "numerator",
        proportion & (numerator > denominator) & ~zero_denominator,
        lambda i: (
            f"Numerator {rows.raw('numerator', i)} is above the denominator "
            f"{rows.raw('denominator', i)}; a proportion cannot exceed 100%."
        ),
    )
    rows.require(
        "age_band",
        indicators.attribute_in("value_type", {"dsr"}) & all_ages,
        lambda i: (
            f"Indicator {indicators.codes[i]} is a directly standardised rate, so its counts "
            "must be by five-year age band (0-4 … 90+) to apply the European Standard "
            "Population weights; an 'All ages' row cannot be used."
        ),
    )
    cell = [indicators.codes, period, area_codes, ethnic_group]
    rows.refuse_totals_beside_parts(
        "age_band",
        [*cell, sex],
        total=all_ages,
        message="This 'All ages' row has the same indicator, period, area, sex and ethnic group "
        "as rows by age band, so it would be counted twice. Give age bands or All ages, not both.",
    )
    rows.refuse_totals_beside_parts(
        "sex",
        [*cell, age_band],
        total=rows.codes.is_one_of(sex, {"Persons"}),
        message="This 'Persons' row has the same indicator, period, area, age band and ethnic "
        "group as Male or Female rows, so it would be counted twice. Give Male and Female, or "
        "Persons, not both.",
    )
    rows.refuse_duplicates(
        [*cell, sex, age_band], "indicator, period, area, sex, age band and ethnic group"
    )

    categorical = rows.codes.categorical
    frame = pd.DataFrame(
        {
            "source_row": raw.source_rows,
            "indicator_code": categorical(indicators.codes),
            "period_label": categorical(period),
            "area_code": categorical(area_codes),
            "sex": categorical(sex),
            "age_band": categorical(age_band),
            "numerator": numerator,
            "denominator": denominator,
            "ethnic_group": categorical(ethnic_group),
        }
    )
    return rows.result(frame[COUNTS_COLUMNS], notes=[])
