"""Kind A: Fingertips-format values (docs/design.md §4.3), in the classic download layout
(``Indicator ID, … Time period, Value, Lower CI 95.0 limit, …``) or the FingertipsNext layout
of ``healthdata.csv`` (``IndicatorId, Year, AgeID, SexID, AreaCode, …``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from indicators.vocabulary import is_deprivation_type
from ingest.parsing.table import RawTable
from ingest.schema import ETHNIC_TYPE, VALUES_COLUMNS
from ingest.validation.columns import (
    COUNTS_HEADERS,
    VALUES_HEADERS,
    VALUES_REQUIRED,
    map_columns,
    require_columns,
)
from ingest.validation.errors import quoted, short_list
from ingest.validation.fields import (
    MEASURE_LABELS,
    NEEDS_DENOMINATOR,
    VALUE_TYPE_NAMES,
    normalise_sex,
    number,
    parse_periods,
    periods_from_start_years,
    refuse_crossed_limits,
    refuse_negative,
)
from ingest.validation.registry import (
    IndicatorLookup,
    Registry,
    resolve_areas,
    resolve_indicators,
)
from ingest.validation.rows import RowChecker, Validated

# A gap (e.g. most minus least deprived) can run either way; so can its limits.
MAY_BE_NEGATIVE = {"gap"}
LIMITS = ("lower_95", "upper_95", "lower_998", "upper_998")
NO_VALUE_NOTE = "No value in the source file"


def validate_values(raw: RawTable, *, registry: Registry) -> Validated:
    """Check a Fingertips-format table (classic or FingertipsNext layout) into VALUES_COLUMNS."""
    columns = map_columns(raw, VALUES_HEADERS)
    fingertips_next = "period" not in columns and "year" in columns
    required = dict(VALUES_REQUIRED)
    if fingertips_next:
        required["year"] = required.pop("period")
    require_columns(raw, columns, required, other_kind=COUNTS_HEADERS, other_name="counts")
    rows = RowChecker(raw, columns)
    notes: list[str] = []

    indicators = resolve_indicators(rows, registry, by_fingertips_id=True)
    area_codes, new_areas = resolve_areas(rows, registry, may_create=registry.create_areas)
    sex = normalise_sex(rows)
    age = rows.text("age")
    rows.require("age", age == "", "Age is empty; Fingertips writes 'All ages' for everyone.")

    if categories_look_swapped(rows.text("category_type"), rows.text("category")):
        notes.append(swapped_categories_note(rows))
        rows.swap("category_type", "category")
    category_type, category = rows.text("category_type"), rows.text("category")
    rows.require(
        "category",
        (category_type != "") & (category == ""),
        "Category type is given but Category is empty.",
    )
    rows.require(
        "category_type",
        (category_type == "") & (category != ""),
        "Category is given but Category type is empty.",
    )

    if fingertips_next:
        period = periods_from_start_years(rows, indicators)
        notes.append(fingertips_next_note(indicators))
    else:
        period = parse_periods(rows, "period", indicators)

    measures = {name: number(rows, name) for name in MEASURE_LABELS if name != "numerator"}
    value_type = indicators.attribute("value_type")
    signed = np.isin(value_type, list(MAY_BE_NEGATIVE))
    for name, numbers in measures.items():
        allowed = signed if name in {"value", *LIMITS} else False
        refuse_negative(rows, name, numbers, allowed=allowed)
    refuse_crossed_limits(rows, "lower_95", "upper_95", measures, "95%")
    refuse_crossed_limits(rows, "lower_998", "upper_998", measures, "99.8%")

    value_note = rows.text("value_note")
    empty = rows.text("value") == ""
    # A blank value with a note was withheld by the source (suppressed); a blank value with no
    # note is kept as missing, with a note saying so, so nothing in the file is lost.
    suppressed = empty & (value_note != "")
    unexplained = empty & (value_note == "")
    if unexplained.any():
        value_note = np.where(unexplained, NO_VALUE_NOTE, value_note)
        notes.append(
            f"{int(unexplained.sum()):,} rows have no value and no value note; they are stored "
            f"as missing with the note '{NO_VALUE_NOTE}'."
        )
    count, denominator, value = measures["count"], measures["denominator"], measures["value"]
    rows.require(
        "count",
        (value_type == "proportion") & (count > denominator),
        lambda i: (
            f"Count {rows.raw('count', i)} is above the denominator "
            f"{rows.raw('denominator', i)}; a proportion cannot exceed 100%."
        ),
    )
    rows.require(
        "denominator",
        np.isin(value_type, list(NEEDS_DENOMINATOR)) & (denominator == 0) & ~np.isnan(value),
        lambda i: (
            f"Denominator is 0 but a value ({rows.raw('value', i)}) is given; a "
            f"{VALUE_TYPE_NAMES[value_type[i]]} needs a denominator above zero."
        ),
    )

    key = [indicators.codes, area_codes, period, sex, age, category_type, category]
    rows.refuse_duplicates(
        key, "indicator, area, period, sex, age and category", keep_exact_repeats=True
    )

    frame = pd.DataFrame(
        {
            "source_row": raw.source_rows,
            "indicator_code": np.asarray(indicators.codes),
            "area_code": np.asarray(area_codes),
            "period_label": np.asarray(period),
            "sex": np.asarray(sex),
            "age": np.asarray(age),
            "category_type": np.asarray(category_type),
            "category": np.asarray(category),
            **measures,
            "value_note": np.asarray(value_note),
            "suppressed": suppressed,
        }
    )
    return rows.result(frame[VALUES_COLUMNS], notes=notes, new_areas=new_areas)


# --- Swapped category columns (FingertipsNext) ---------------------------------------------

TYPE_WORDING = re.compile(
    r"\b(deciles|quintiles|groups|class|status|education|disability|sexuality|categories)\b"
    r"|\(national\)",
    re.IGNORECASE,
)


def categories_look_swapped(category_type: np.ndarray, category: np.ndarray) -> bool:
    """True when the Category column holds category types and Category type holds values.

    FingertipsNext's healthdata.csv swaps them. Two votes decide, and both must not
    disagree, so one odd file cannot swap good columns: type names read like type names
    ("Ethnic groups", "… deprivation deciles …"), and a type has several categories, so
    there are fewer distinct types than categories."""
    both = (category_type != "") & (category != "")
    if not both.any():
        return False
    types, values = pd.unique(category_type[both]), pd.unique(category[both])
    wording = np.sign(_type_like_share(values) - _type_like_share(types))
    counting = np.sign(len(types) - len(values))
    return bool(wording + counting > 0)


def _type_like_share(labels: np.ndarray) -> float:
    hits = sum(
        1
        for label in labels
        if label == ETHNIC_TYPE or is_deprivation_type(label) or TYPE_WORDING.search(label)
    )
    return hits / len(labels)


def swapped_categories_note(rows: RowChecker) -> str:
    """Say which columns were swapped, quoting what each holds (called before the swap)."""
    type_column, category_column = rows.column_name("category_type"), rows.column_name("category")
    types, values = rows.text("category"), rows.text("category_type")
    type_examples = ", ".join(quoted(text) for text in pd.unique(types[types != ""])[:2])
    value_examples = ", ".join(quoted(text) for text in pd.unique(values[values != ""])[:2])
    return (
        f"The {type_column} and {category_column} columns look swapped ({category_column} "
        f"holds category types such as {type_examples}; {type_column} holds categories such "
        f"as {value_examples}), as in FingertipsNext exports, so they were read the other way "
        "round."
    )


def fingertips_next_note(indicators: IndicatorLookup) -> str:
    """Say how Year became a period for each indicator, and which limits LowerCI/UpperCI are."""
    annual = [info for info in indicators.found() if info.frequency == "annual"]
    readings = [
        ("financial_year", "financial years", "2023 → 2023/24"),
        ("academic_year", "academic years", "2023 → 2023/24"),
        ("calendar_year", "calendar years", "2023 → 2023"),
    ]
    parts = []
    for kind, described, example in readings:
        codes = sorted(info.code for info in annual if info.period_kind == kind)
        if codes:
            parts.append(f"as {described} for {short_list(codes)} ({example})")
    how = "; ".join(parts) if parts else "by each indicator's period kind"
    return (
        "Read as the FingertipsNext layout (Year, LowerCI, UpperCI): Year was taken as the "
        f"start year of each period, read {how}; LowerCI and UpperCI were read as 95% "
        "confidence limits."
    )
