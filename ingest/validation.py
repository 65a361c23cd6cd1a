"""Validate step: check a RawTable row by row and turn it into a canonical frame.

Two entry points, one per extract kind (docs/design.md §4.3 and §4.4):

- ``validate_values`` reads Fingertips-format values, in the classic download layout
  (``Indicator ID, … Time period, Value, Lower CI 95.0 limit, …``) or the FingertipsNext
  layout of ``healthdata.csv`` (``IndicatorId, Year, AgeID, SexID, AreaCode, …``);
- ``validate_counts`` reads granular numerators and denominators.

Row problems never raise: each becomes a row of ``Validated.errors`` naming the file row, the
column, the offending text and what is wrong, and the caller fails the extract if there are
any. Only whole-file problems (missing columns) raise ``ExtractRejected``.

Checks work on whole columns, and anything costly (parsing a period or a number, looking up
a code) is done once per *distinct* value: a million-row extract repeats the same few
hundred codes and labels. No Django here: the caller builds the ``Registry`` from the
database.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.periods import KINDS, calendar_year, financial_year, parse_period_label
from ingest.parsing import CODE_TYPE, SHOWN_CHARACTERS, ExtractRejected, RawTable, cell_excerpt
from ingest.schema import (
    ALL_AGES,
    COUNTS_COLUMNS,
    DECILE_TYPE,
    ERROR_COLUMNS,
    ESP2013_AGE_BANDS,
    ETHNIC_TYPE,
    QUINTILE_TYPE,
    VALUES_COLUMNS,
)

NEW_AREA_COLUMNS = ["code", "name", "area_type", "parent_code"]

SEXES = {"persons": "Persons", "male": "Male", "female": "Female"}
# A rate or ratio divides by its denominator, so a zero one cannot carry events or a value.
NEEDS_DENOMINATOR = {"proportion", "crude_rate", "dsr", "isr"}
# A gap (e.g. most minus least deprived) can run either way; so can its limits.
MAY_BE_NEGATIVE = {"gap"}
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
# Plain decimal numbers only: no thousands separators, %, "inf" or "nan".
NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
YEAR = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True)
class IndicatorInfo:
    """What validation needs to know about one registered indicator."""

    code: str
    value_type: str  # proportion, crude_rate, dsr, isr, count, mean, years, gap
    polarity: str  # higher_better, lower_better, no_judgement
    frequency: str  # annual, quarterly, monthly
    period_kind: str | None  # financial_year, calendar_year, academic_year, quarter, month, …
    multiplier: float = 1
    fingertips_id: int | None = None


@dataclass
class Registry:
    """The indicators and areas an extract may name, built by the caller from the database."""

    indicators_by_code: dict[str, IndicatorInfo]
    indicators_by_fingertips_id: dict[str, IndicatorInfo]  # keyed by the id as text: "93356"
    area_codes: frozenset[str]
    create_areas: bool = False  # kind A: unknown areas with a name become Validated.new_areas
    # Fingertips downloads often hold indicators we do not track: with this set, their rows
    # are set aside and counted in a note instead of failing the extract.
    skip_unknown_indicators: bool = False

    @classmethod
    def build(
        cls,
        indicators: Iterable[IndicatorInfo],
        area_codes: Iterable[str],
        *,
        create_areas: bool = False,
        skip_unknown_indicators: bool = False,
    ) -> Registry:
        indicators = list(indicators)
        return cls(
            indicators_by_code={info.code: info for info in indicators},
            indicators_by_fingertips_id={
                str(info.fingertips_id): info for info in indicators if info.fingertips_id
            },
            area_codes=frozenset(area_codes),
            create_areas=create_areas,
            skip_unknown_indicators=skip_unknown_indicators,
        )


@dataclass
class Validated:
    """A validated extract: the rows that passed, every problem found, and what we assumed."""

    # VALUES_COLUMNS or COUNTS_COLUMNS; only the rows without errors. A counts frame's text
    # columns are categorical: a code per row into the column's distinct texts.
    frame: pd.DataFrame
    errors: pd.DataFrame  # ERROR_COLUMNS, one row per problem, in file order
    notes: list[str]  # what validation assumed (the parse step's own are in RawTable.notes)
    rows_read: int  # data rows in the file (blank rows aside), including rejected ones
    new_areas: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NEW_AREA_COLUMNS))


# Header spellings, compared after lower-casing and dropping spaces, underscores and hyphens.
VALUES_HEADERS = {
    "indicator": ("indicatorid",),
    "area_code": ("areacode",),
    "area_name": ("areaname",),
    "area_type": ("areatype",),
    "parent_code": ("parentcode",),
    "sex": ("sex",),
    "age": ("age",),
    "category_type": ("categorytype",),
    "category": ("category",),
    "period": ("timeperiod",),
    "year": ("year",),  # FingertipsNext
    "value": ("value",),
    "lower_95": ("lowerci95.0limit", "lowerci95limit", "lowerci"),  # FingertipsNext: LowerCI
    "upper_95": ("upperci95.0limit", "upperci95limit", "upperci"),
    "lower_998": ("lowerci99.8limit",),
    "upper_998": ("upperci99.8limit",),
    "count": ("count",),
    "denominator": ("denominator",),
    "value_note": ("valuenote",),
}
VALUES_REQUIRED = {
    "indicator": "Indicator ID",
    "area_code": "Area Code",
    "sex": "Sex",
    "age": "Age",
    "period": "Time period",
    "value": "Value",
}
COUNTS_HEADERS = {
    "indicator": ("indicatorcode",),
    "period": ("period",),
    "area_code": ("areacode",),
    "sex": ("sex",),
    "age_band": ("ageband",),
    "numerator": ("numerator",),
    "denominator": ("denominator",),
    "ethnic_group": ("ethnicgroup",),
}
COUNTS_REQUIRED = {
    "indicator": "indicator_code",
    "period": "period",
    "area_code": "area_code",
    "sex": "sex",
    "age_band": "age_band",
    "numerator": "numerator",
    "denominator": "denominator",
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
LIMITS = ("lower_95", "upper_95", "lower_998", "upper_998")
NO_VALUE_NOTE = "No value in the source file"


# --- Kind A: Fingertips-format values ------------------------------------------------------


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

    indicators = rows.resolve_indicators(registry, by_fingertips_id=True)
    area_codes, new_areas = rows.resolve_areas(registry, may_create=registry.create_areas)
    sex = rows.normalise_sex()
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
        period = rows.periods_from_start_years(indicators)
        notes.append(fingertips_next_note(indicators))
    else:
        period = rows.parse_periods("period", indicators)

    measures = {name: rows.number(name) for name in MEASURE_LABELS if name != "numerator"}
    value_type = indicators.attribute("value_type")
    signed = np.isin(value_type, list(MAY_BE_NEGATIVE))
    for name, numbers in measures.items():
        rows.refuse_negative(name, numbers, allowed=signed if name in {"value", *LIMITS} else False)
    rows.refuse_crossed_limits("lower_95", "upper_95", measures, "95%")
    rows.refuse_crossed_limits("lower_998", "upper_998", measures, "99.8%")

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


TYPE_WORDING = re.compile(
    r"\b(deciles|quintiles|groups|class|status|education|disability|sexuality|categories)\b"
    r"|\(national\)",
    re.IGNORECASE,
)
OUR_TYPES = {QUINTILE_TYPE, DECILE_TYPE, ETHNIC_TYPE}


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
    hits = sum(1 for label in labels if label in OUR_TYPES or TYPE_WORDING.search(label))
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
            parts.append(f"as {described} for {_short_list(codes)} ({example})")
    how = "; ".join(parts) if parts else "by each indicator's period kind"
    return (
        "Read as the FingertipsNext layout (Year, LowerCI, UpperCI): Year was taken as the "
        f"start year of each period, read {how}; LowerCI and UpperCI were read as 95% "
        "confidence limits."
    )


# --- Kind B: granular counts ---------------------------------------------------------------


def validate_counts(raw: RawTable, *, registry: Registry) -> Validated:
    """Check a granular counts table into COUNTS_COLUMNS."""
    columns = map_columns(raw, COUNTS_HEADERS)
    require_columns(raw, columns, COUNTS_REQUIRED, other_kind=VALUES_HEADERS, other_name="values")
    rows = RowChecker(raw, columns)

    indicators = rows.resolve_indicators(registry, by_fingertips_id=False)
    area_codes, _ = rows.resolve_areas(registry, may_create=False)
    sex = rows.normalise_sex()
    age_band = rows.normalise_age_bands()
    period = rows.parse_periods("period", indicators)
    ethnic_group = rows.text("ethnic_group")
    # Row conditions are decided once per indicator or distinct text, then spread to rows.
    value_type = indicators.named("value_type")  # for messages: a function of the row
    proportion = indicators.attribute_in("value_type", {"proportion"})
    all_ages = rows.is_one_of(age_band, {ALL_AGES})

    numerator, denominator = rows.number("numerator"), rows.number("denominator")
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
    rows.refuse_negative("numerator", numerator, allowed=False)
    rows.refuse_negative("denominator", denominator, allowed=False)
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
        total=rows.is_one_of(sex, {"Persons"}),
        message="This 'Persons' row has the same indicator, period, area, age band and ethnic "
        "group as Male or Female rows, so it would be counted twice. Give Male and Female, or "
        "Persons, not both.",
    )
    rows.refuse_duplicates(
        [*cell, sex, age_band], "indicator, period, area, sex, age band and ethnic group"
    )

    frame = pd.DataFrame(
        {
            "source_row": raw.source_rows,
            "indicator_code": rows.categorical(indicators.codes),
            "period_label": rows.categorical(period),
            "area_code": rows.categorical(area_codes),
            "sex": rows.categorical(sex),
            "age_band": rows.categorical(age_band),
            "numerator": numerator,
            "denominator": denominator,
            "ethnic_group": rows.categorical(ethnic_group),
        }
    )
    return rows.result(frame[COUNTS_COLUMNS], notes=[])


# --- Columns -------------------------------------------------------------------------------


def quoted(text: str) -> str:
    """A cell's text in quotes for a message, shortened as everywhere a value is echoed."""
    return repr(cell_excerpt(text))


def shortened(cells: pd.Series) -> pd.Series:
    """The error report's values through ``cell_excerpt``, calling it only for long ones (a
    failed extract can have a million errors)."""
    long = cells.str.len() > SHOWN_CHARACTERS
    if not long.any():
        return cells
    cells = cells.copy()
    cells[long] = cells[long].map(cell_excerpt)
    return cells


def header_key(name: str) -> str:
    """A header name reduced so that 'Area Code', 'AreaCode' and 'area_code' agree."""
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def map_columns(raw: RawTable, headers: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Our field name → the file's column name, for each field the file has."""
    by_key: dict[str, list[str]] = {}
    for name in raw.frame.columns:
        by_key.setdefault(header_key(name), []).append(name)
    columns = {}
    for field_name, keys in headers.items():
        for key in keys:  # earlier spellings win: "Lower CI 95.0 limit" over "LowerCI"
            matches = by_key.get(key, [])
            if len(matches) > 1:
                raise ExtractRejected(
                    f"The columns {' and '.join(quoted(name) for name in matches)} look like the "
                    "same column; keep one of them."
                )
            if matches:
                columns[field_name] = matches[0]
                break
    return columns


def require_columns(
    raw: RawTable,
    columns: dict[str, str],
    required: dict[str, str],
    *,
    other_kind: dict[str, tuple[str, ...]],
    other_name: str,
) -> None:
    """Refuse the file, naming what is missing and what it has, if a required column is absent."""
    missing = [label for field_name, label in required.items() if field_name not in columns]
    if not missing:
        return
    present = list(raw.frame.columns)
    listed = ", ".join(quoted(name) for name in present[:30]) + (", …" if len(present) > 30 else "")
    hint = ""
    if len(map_columns(raw, other_kind)) >= 4:
        hint = f" It looks like a {other_name} extract: choose that kind when uploading."
    plural = "s" if len(missing) > 1 else ""
    raise ExtractRejected(
        f"The file is missing the required column{plural} {', '.join(missing)}. "
        f"Its columns are: {listed}.{hint}"
    )


# --- Row checks ----------------------------------------------------------------------------


class Coded:
    """A column of texts as a code per row into its distinct texts (in order of first
    appearance), standing in for an object array of str: a million-row extract repeats a
    few hundred values, and building, hashing and holding a str per row is most of the
    cost of checking it. Indexing and comparing with one text work as on the array; numpy
    and pandas get the array itself (``np.asarray``) when they need it."""

    __slots__ = ("codes", "uniques", "_values")
    __hash__ = None  # compares elementwise, like an array

    def __init__(self, codes: np.ndarray, uniques: np.ndarray):
        self.codes, self.uniques, self._values = codes, uniques, None

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key):
        return self.uniques[self.codes[key]]

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if self._values is None:
            self._values = self.uniques[self.codes] if len(self.uniques) else self.uniques[:0]
        return self._values if dtype is None else self._values.astype(dtype)

    def __eq__(self, text) -> np.ndarray:
        return self._each(lambda value: value == text)

    def __ne__(self, text) -> np.ndarray:
        return self._each(lambda value: value != text)

    def isin(self, texts) -> np.ndarray:
        return self._each(lambda value: value in texts)

    def _each(self, test: Callable[[str], bool]) -> np.ndarray:
        """Per row, ``test`` of its text, decided once per distinct text."""
        return np.array([test(value) for value in self.uniques], dtype=bool)[self.codes]


@dataclass
class IndicatorLookup:
    """Each row's indicator: our code (the file's text when unknown) and its registry entry."""

    codes: Coded  # our code (str) per row
    index: np.ndarray  # int per row into ``infos``; -1 when unknown
    infos: list[IndicatorInfo]

    @property
    def known(self) -> np.ndarray:
        return self.index >= 0

    def attribute(self, name: str) -> np.ndarray:
        """An IndicatorInfo attribute per row ("" for unknown indicators)."""
        values = np.array([getattr(info, name) or "" for info in self.infos] + [""], dtype=object)
        return values[self.index]  # index -1 picks the trailing ""

    def named(self, name: str) -> Callable[[int], str]:
        """An IndicatorInfo attribute as a function of the row ("" for unknown indicators):
        for messages, which need it for a few rows only."""

        def at(row: int) -> str:
            index = self.index[row]
            return (getattr(self.infos[index], name) or "") if index >= 0 else ""

        return at

    def attribute_in(self, name: str, wanted: set[str]) -> np.ndarray:
        """Per row, whether the indicator's attribute is one of ``wanted`` (False if unknown):
        decided once per indicator, not once per row."""
        hits = [(getattr(info, name) or "") in wanted for info in self.infos] + [False]
        return np.array(hits, dtype=bool)[self.index]

    def found(self) -> list[IndicatorInfo]:
        return [self.infos[i] for i in np.unique(self.index[self.index >= 0])]


class RowChecker:
    """Reads the columns of one RawTable and collects row errors against them.

    It remembers the integer codes of every column it hands out (the parse step's, or
    those of a check's result), so grouping rows by several columns never hashes strings."""

    def __init__(self, raw: RawTable, columns: dict[str, str]):
        self.raw_table = raw
        self.columns = dict(columns)
        self.length = len(raw.frame)
        self.source_rows = np.asarray(raw.source_rows, dtype=np.int64)
        self.bad = np.zeros(self.length, dtype=bool)
        self.parts: list[pd.DataFrame] = []
        self.notes: list[str] = []  # what the checks assumed or set aside, for the report
        self.set_aside = np.zeros(self.length, dtype=bool)  # rows left out without an error
        self._texts: dict[str, Coded] = {}
        # id(array) → (array, codes, uniques), with ``uniques[codes]`` equal to the array
        self._codes: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # Reading ------------------------------------------------------------------------------

    def column_name(self, field_name: str) -> str:
        return self.columns.get(field_name, field_name)

    def text(self, field_name: str) -> Coded:
        """The column's cells as texts ("" everywhere if the file lacks it)."""
        if field_name not in self._texts:
            if field_name in self.columns:
                codes, uniques = self.raw_table.column_codes(self.columns[field_name])
            else:
                codes, uniques = np.zeros(self.length, dtype=CODE_TYPE), np.array([""], object)
            self._texts[field_name] = Coded(codes, uniques)
        return self._texts[field_name]

    def raw(self, field_name: str, i: int) -> str:
        """One cell's text as a message quotes it (shortened if long)."""
        return cell_excerpt(self.text(field_name)[i])

    def swap(self, first: str, second: str) -> None:
        """Read two fields from each other's columns (errors then name the right column)."""
        first_text, second_text = self.text(first), self.text(second)
        self._texts[first], self._texts[second] = second_text, first_text
        first_column, second_column = self.columns.get(first), self.columns.get(second)
        for field_name, column in ((first, second_column), (second, first_column)):
            if column is None:
                self.columns.pop(field_name, None)
            else:
                self.columns[field_name] = column

    def _remember(self, values: np.ndarray, codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
        self._codes[id(values)] = (values, codes, uniques)
        return values

    def coded(self, values: Coded | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(codes, uniques) of ``values``, codes in order of first appearance."""
        if isinstance(values, Coded):
            return values.codes, values.uniques
        known = self._codes.get(id(values))
        if known is None or known[0] is not values:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            self._remember(values, codes, np.asarray(uniques, dtype=object))
            known = self._codes[id(values)]
        return known[1], known[2]

    def codes_of(self, values: np.ndarray) -> np.ndarray:
        """Integer codes for ``values`` in order of first appearance (equal values, equal codes)."""
        return self.coded(values)[0]

    def is_empty(self, field_name: str) -> np.ndarray:
        """Per row, whether the field's cell is empty, without building its texts."""
        if field_name in self._texts or field_name not in self.columns:
            return self.is_one_of(self.text(field_name), {""})
        codes, uniques = self.raw_table.column_codes(self.columns[field_name])
        return np.asarray(uniques == "", dtype=bool)[codes]

    def is_one_of(self, values: np.ndarray, wanted: set[str]) -> np.ndarray:
        """Per row, whether the value is one of ``wanted``, decided once per distinct value."""
        codes, uniques = self.coded(values)
        hits = np.array([value in wanted for value in uniques], dtype=bool)
        return hits[codes] if len(codes) else np.zeros(0, dtype=bool)

    def categorical(self, values: np.ndarray) -> pd.Categorical:
        """``values`` as a pandas Categorical of its codes and distinct texts: no str per
        row, and the roll-up groups by the codes instead of hashing a million strings."""
        codes, uniques = self.coded(values)
        categories = pd.Index(uniques, dtype=object)
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))

    def groups(self, columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Group rows that agree on every column: (group id per row, first row of each group).

        Group ids count up in order of first appearance, which gives the first rows cheaply."""
        if self.length == 0:
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
        coded = [self.codes_of(column) for column in columns]
        sizes = [int(codes.max()) + 1 for codes in coded]
        group = coded[0]
        if len(coded) > 1 and math.prod(sizes) < 2**62:
            group, _ = pd.factorize(_mixed_radix(coded, sizes))
        else:
            for codes, size in zip(coded[1:], sizes[1:], strict=True):
                # Re-factorised each step so the numbers never overflow.
                group, _ = pd.factorize(group.astype(np.int64) * size + codes)
        group = np.asarray(group, dtype=np.int64)
        running_max = np.maximum.accumulate(group)
        is_first = np.empty(self.length, dtype=bool)
        is_first[0] = True
        is_first[1:] = group[1:] > running_max[:-1]
        return group, np.flatnonzero(is_first)

    def representatives(self, columns: list) -> tuple[np.ndarray, np.ndarray]:
        """Group rows that agree on every column: (group id per row, some row of each group),
        groups in no particular order. Where order does not matter this is cheaper than
        ``groups``: with few combinations, a table indexed by combination replaces hashing."""
        coded = [self.codes_of(column) for column in columns]
        sizes = [int(codes.max()) + 1 if len(codes) else 1 for codes in coded]
        combinations = math.prod(sizes)
        if self.length == 0 or combinations > self.length:
            return self.groups(columns)
        composite = _mixed_radix(coded, sizes)
        row_of = np.full(combinations, -1, dtype=np.int64)
        row_of[composite] = np.arange(self.length)  # some row of each combination present
        present = np.flatnonzero(row_of >= 0)
        number = np.zeros(combinations, dtype=CODE_TYPE)
        number[present] = np.arange(len(present))
        return number[composite], row_of[present]

    def all_distinct(self, columns: list[np.ndarray]) -> bool:
        """True when no two rows agree on every column, found without ``groups`` by ticking
        combinations off in a table when they are few enough (as in a counts extract);
        False when some rows may agree."""
        if self.length == 0:
            return True
        coded = [self.codes_of(column) for column in columns]
        sizes = [int(codes.max()) + 1 for codes in coded]
        combinations = math.prod(sizes)
        if combinations > DISTINCT_TABLE_PER_ROW * self.length:
            return False
        seen = np.zeros(combinations, dtype=bool)
        seen[_mixed_radix(coded, sizes)] = True
        return int(np.count_nonzero(seen)) == self.length

    # Recording ----------------------------------------------------------------------------

    def require(self, field_name: str, failing: np.ndarray, message: str | Callable) -> None:
        """Record an error on each failing row. ``message`` is a str, or a function of the
        row position for messages that quote other cells (called for failing rows only)."""
        failing = np.asarray(failing, dtype=bool)
        if not failing.any():
            return
        where = np.flatnonzero(failing)
        messages = [message(i) for i in where] if callable(message) else message
        self._record(field_name, where, messages)

    def _record(self, field_name: str, where: np.ndarray, messages) -> None:
        self.bad[where] = True
        self.parts.append(
            pd.DataFrame(
                {
                    "row": self.source_rows[where],
                    "column": self.column_name(field_name) if field_name else "",
                    "value": self.text(field_name)[where] if field_name else "",
                    "message": messages,
                }
            )
        )

    def per_distinct(self, field_name: str, check: Callable, *, also=()) -> Coded:
        """Apply ``check(text, *also_values) -> (result, message or None)`` once per distinct
        combination of the field's text and the ``also`` columns. Rows whose combination
        fails get an error with its message. Returns the result per row."""
        texts = self.text(field_name)
        if also:
            group, some = self.representatives([texts, *also])
            arguments = [(texts[row], *(a[row] for a in also)) for row in some]
        else:
            # One column: its codes are the groups, and its distinct texts (each used, in
            # order of first appearance) are what to check.
            group, uniques = self.coded(texts)
            arguments = [(text,) for text in uniques]
        results = np.empty(len(arguments), dtype=object)
        messages = np.empty(len(arguments), dtype=object)
        for position, argument in enumerate(arguments):
            results[position], messages[position] = check(*argument)
        failing = np.flatnonzero(pd.notna(messages)[group]) if len(arguments) else []
        if len(failing):
            self._record(field_name, failing, messages[group[failing]])
        if len(arguments) == 0:
            return Coded(np.zeros(0, dtype=CODE_TYPE), np.array([], dtype=object))
        merged, uniques = pd.factorize(results, use_na_sentinel=False)  # "male", "Male" → one
        if (merged == np.arange(len(merged))).all():  # nothing merged: the groups are the codes
            return Coded(np.asarray(group, dtype=CODE_TYPE), np.asarray(uniques, dtype=object))
        return Coded(merged.astype(CODE_TYPE)[group], np.asarray(uniques, dtype=object))

    # Checks -------------------------------------------------------------------------------

    def resolve_indicators(self, registry: Registry, *, by_fingertips_id: bool) -> IndicatorLookup:
        """Each row's indicator, from our code or (Fingertips files) the Fingertips id."""
        label = "Indicator ID" if by_fingertips_id else "Indicator code"

        def look_up(text: str):
            if not text:
                return text, f"{label} is empty."
            info = (
                registry.indicators_by_code.get(text)
                or registry.indicators_by_code.get(text.upper())
                or (registry.indicators_by_fingertips_id.get(text) if by_fingertips_id else None)
            )
            if info is None:
                if registry.skip_unknown_indicators:
                    skipped.add(text)
                    return text, None
                other = " or its Fingertips indicator ID" if by_fingertips_id else ""
                return text, (
                    f"Indicator {quoted(text)} is not in the registry: use one of our indicator "
                    f"codes (e.g. LTC01){other}, and add the indicator to the registry first if it "
                    "is new."
                )
            return info.code, None

        skipped: set[str] = set()
        codes = self.per_distinct("indicator", look_up)
        if skipped:
            set_aside = codes.isin(skipped)
            self.bad[set_aside] = True  # not errors: left out on the analyst's instruction
            self.set_aside |= set_aside
            self.notes.append(
                f"{int(set_aside.sum()):,} rows for {len(skipped)} indicator(s) not in the "
                f"registry were left out, as asked: {_short_list(sorted(skipped))}."
            )
        group, distinct = self.coded(codes)
        infos = [registry.indicators_by_code.get(code) for code in distinct]
        known = [info for info in infos if info is not None]
        position = {info.code: i for i, info in enumerate(known)}
        index_of_group = np.array(
            [position[info.code] if info is not None else -1 for info in infos], dtype=CODE_TYPE
        )
        index = index_of_group[group] if len(distinct) else np.array([], dtype=CODE_TYPE)
        return IndicatorLookup(codes=codes, index=index, infos=known)

    def resolve_areas(self, registry: Registry, *, may_create: bool):
        """Each row's area code, and a frame of new areas (kind A with ``may_create``: an
        unknown code whose row gives its Area Name and Area Type). Other unknown codes are
        errors."""
        unknown_codes: set[str] = set()

        def look_up(text: str):
            if not text:
                return text, "Area code is empty."
            if text in registry.area_codes:
                return text, None
            if text.upper() in registry.area_codes:
                return text.upper(), None
            unknown_codes.add(text)
            return text, None  # reported below, once we know whether it can be created

        codes = self.per_distinct("area_code", look_up)
        unknown = codes.isin(unknown_codes)
        new_areas = pd.DataFrame(columns=NEW_AREA_COLUMNS)
        if may_create:
            name, area_type = self.text("area_name"), self.text("area_type")
            creatable = unknown & (name != "") & (area_type != "")
            self.require(
                "area_code",
                unknown & ~creatable,
                lambda i: (
                    f"Area code {quoted(codes[i])} is not a known area, and the row has no Area "
                    "Name and Area Type to create it from."
                ),
            )
            found = pd.DataFrame(
                {
                    "code": codes[creatable],
                    "name": name[creatable],
                    "area_type": area_type[creatable],
                    "parent_code": self.text("parent_code")[creatable],
                }
            )
            new_areas = found.drop_duplicates("code", keep="first").reset_index(drop=True)
        else:
            hint = ""
            if "area_name" in self.columns and "area_type" in self.columns:
                hint = (
                    ", or upload again with 'create areas' to add it from this file's Area "
                    "Name and Area Type"
                )
            self.require(
                "area_code",
                unknown,
                lambda i: (
                    f"Area code {quoted(codes[i])} is not a known area. Add it to the areas list "
                    f"first (manage.py import_areas){hint}."
                ),
            )
        return codes, new_areas

    def normalise_sex(self) -> np.ndarray:
        def normalise(text: str):
            sex = SEXES.get(text.lower())
            if sex is None:
                shown = quoted(text) if text else "empty"
                return text, f"Sex is {shown}; it must be Persons, Male or Female."
            return sex, None

        return self.per_distinct("sex", normalise)

    def normalise_age_bands(self) -> np.ndarray:
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

        return self.per_distinct("age_band", normalise)

    def parse_periods(self, field_name: str, indicators: IndicatorLookup) -> Coded:
        """Canonical period labels, parsing each distinct (label, indicator period kind) once:
        the period kind settles whether 2023/24 is a financial or an academic year."""
        hints = {info.code: info.period_kind if info.period_kind in KINDS else ""
                 for info in indicators.infos}  # fmt: skip
        name = self.column_name(field_name)

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
        return self.per_distinct(
            field_name,
            lambda label, code: parse(label, hints.get(code, "")),
            also=(indicators.codes,),
        )

    def periods_from_start_years(self, indicators: IndicatorLookup) -> Coded:
        """FingertipsNext ``Year`` (a period's start year) → our label, by indicator period kind."""
        column = self.column_name("year")
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

        return self.per_distinct("year", label, also=(indicators.codes,))

    def number(self, field_name: str) -> np.ndarray:
        """The column as floats (NaN when empty); text that is not a number is an error.

        Not per_distinct: a Value column can hold a million distinct numbers, so this loop
        is kept as tight as it can be."""
        if field_name not in self.columns:
            return np.full(self.length, np.nan)
        codes, uniques = self.raw_table.column_codes(self.columns[field_name])
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
            self._record(field_name, failing, messages)
        return parsed[codes]

    def refuse_negative(self, field_name: str, numbers: np.ndarray, *, allowed) -> None:
        label = MEASURE_LABELS[field_name]
        self.require(
            field_name,
            (numbers < 0) & ~np.asarray(allowed, dtype=bool),
            lambda i: f"{label} {self.raw(field_name, i)} is negative; it cannot be below zero.",
        )

    def refuse_crossed_limits(self, lower: str, upper: str, measures, level: str) -> None:
        self.require(
            lower,
            measures[lower] > measures[upper],
            lambda i: (
                f"The lower {level} limit {self.raw(lower, i)} is above the upper {level} "
                f"limit {self.raw(upper, i)}."
            ),
        )

    def refuse_duplicates(
        self, key: list[np.ndarray], described: str, *, keep_exact_repeats: bool = False
    ) -> None:
        """Report every row after the first with the same key, naming the row it repeats.

        With ``keep_exact_repeats`` a row identical in every column to the one it repeats is
        kept once (with a note) rather than refused: nothing is lost by dropping a copy."""
        if self.all_distinct(key):
            return
        group, first_of_group = self.groups(key)
        first = first_of_group[group] if len(group) else group
        repeated = np.flatnonzero(first != np.arange(self.length))
        repeated = repeated[~self.set_aside[repeated]]
        if len(repeated) and keep_exact_repeats:
            identical = np.ones(len(repeated), dtype=bool)
            for column in self.raw_table.frame.columns:
                cells = self.raw_table.frame[column].to_numpy(dtype=object)
                identical &= cells[repeated] == cells[first[repeated]]
            if identical.any():
                self.bad[repeated[identical]] = True
                self.notes.append(
                    f"{int(identical.sum()):,} rows repeated an earlier row exactly and were "
                    "kept once."
                )
            repeated = repeated[~identical]
        if len(repeated) == 0:
            return
        originals = self.source_rows[first[repeated]]
        messages = [f"This row repeats row {row} (same {described})." for row in originals]
        self._record("", repeated, messages)

    def refuse_totals_beside_parts(
        self, field_name: str, cell: list[np.ndarray], *, total: np.ndarray, message: str
    ) -> None:
        """Refuse total rows (All ages, Persons) in a cell that also has rows for its parts."""
        if not total.any() or total.all():
            return
        group, some = self.representatives(cell)
        has_parts = np.zeros(len(some), dtype=bool)
        has_parts[group[~total]] = True
        self.require(field_name, total & has_parts[group], message)

    # Result -------------------------------------------------------------------------------

    def result(self, frame: pd.DataFrame, *, notes: list[str], new_areas=None) -> Validated:
        """The rows without errors (typed), and every error in file order."""
        errors = pd.concat([self.raw_table.errors, *self.parts], ignore_index=True)
        errors = errors.reindex(columns=ERROR_COLUMNS)
        if len(errors):
            errors = errors.sort_values("row", kind="stable").reset_index(drop=True)
        errors = errors.astype({"row": "int64", "column": "str", "value": "str", "message": "str"})
        errors["value"] = shortened(errors["value"])
        if self.bad.any():
            frame = frame[~self.bad].reset_index(drop=True)
        types = {}
        for column in frame.columns:
            if column == "source_row":
                types[column] = "int64"
            elif column == "suppressed":
                types[column] = "bool"
            elif isinstance(frame[column].dtype, pd.CategoricalDtype):
                continue  # texts as codes into their distinct values (counts extracts)
            elif frame[column].dtype.kind == "f":
                types[column] = "float64"
            else:
                types[column] = "str"
        if new_areas is None:
            new_areas = pd.DataFrame(columns=NEW_AREA_COLUMNS)
        return Validated(
            frame=frame.astype(types),
            errors=errors,
            notes=[*notes, *self.notes],
            rows_read=self.raw_table.rows_read,
            new_areas=new_areas.astype("str"),
        )


# all_distinct ticks combinations off in a table of up to this many bytes per row.
DISTINCT_TABLE_PER_ROW = 16


def _mixed_radix(coded: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """One integer per row numbering its combination of codes (the product of sizes must be
    below 2**62): int32 when the combinations fit, to halve the memory."""
    dtype = np.int32 if math.prod(sizes) < 2**31 else np.int64
    composite = np.zeros(len(coded[0]), dtype=dtype)
    for codes, size in zip(coded, sizes, strict=True):
        composite *= size
        composite += codes
    return composite


def _to_number(text: str) -> float:
    """A plain decimal number, or NaN for anything else (empty, "1,234", "12%", "inf")."""
    if NUMBER.match(text):
        number = float(text)
        if math.isfinite(number):
            return number
    return math.nan


def _short_list(codes: list[str], limit: int = 6) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" and {len(codes) - limit} more" if len(codes) > limit else "")
