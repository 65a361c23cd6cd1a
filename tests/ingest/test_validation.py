"""Validate step: the real Fingertips files, every rule with a small inline file, and a
property test that malformed input only ever produces errors or a whole-file refusal."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.validation.fields as validation  # the period parser is called there
from ingest.parsing import ExtractRejected, read_table
from ingest.schema import COUNTS_COLUMNS, ERROR_COLUMNS, VALUES_COLUMNS
from ingest.validation import (
    IndicatorInfo,
    Registry,
    Validated,
    categories_look_swapped,
    validate_counts,
    validate_values,
)

DATA = Path(__file__).parent / "data"
AREAS = ["E92000001", "E06000023", "E01014485", "E01014486"]
INDICATORS = [
    IndicatorInfo("PRV01", "proportion", "lower_better", "annual", "financial_year", 100, 93085),
    IndicatorInfo("OVR04", "dsr", "lower_better", "annual", "calendar_year", 100000),
    IndicatorInfo("HPR01", "crude_rate", "lower_better", "annual", "calendar_year", 100000, 93356),
    IndicatorInfo("GAP01", "gap", "lower_better", "annual", "calendar_year", 1),
    IndicatorInfo("CYP05", "proportion", "lower_better", "annual", "academic_year", 100, 92033),
    IndicatorInfo("INT03", "count", "lower_better", "quarterly", "quarter", 1, 91040),
]
REGISTRY = Registry.build(INDICATORS, AREAS)
FINGERTIPS_HEADER = (
    "Indicator ID,Area Code,Area Name,Area Type,Sex,Age,Category Type,Category,Time period,"
    "Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note"
)
COUNTS_HEADER = "indicator_code,period,area_code,sex,age_band,numerator,denominator"


def table(text: str, filename: str = "extract.csv"):
    return read_table(text.encode("utf-8"), filename=filename, max_bytes=10_000_000)


def values(*rows: str, registry: Registry = REGISTRY, header: str = FINGERTIPS_HEADER):
    return validate_values(table("\n".join([header, *rows]) + "\n"), registry=registry)


def counts(*rows: str, header: str = COUNTS_HEADER, registry: Registry = REGISTRY):
    return validate_counts(table("\n".join([header, *rows]) + "\n"), registry=registry)


def only_error(result: Validated) -> pd.Series:
    assert len(result.errors) == 1, result.errors.to_dict("records")
    return result.errors.iloc[0]


# --- Real files -----------------------------------------------------------------------------


def test_fingertips_download_validates_cleanly_with_suppressed_rows():
    raw = read_table(
        (DATA / "indicators-CountyUA.data.csv").read_bytes(),
        filename="indicators-CountyUA.data.csv",
        max_bytes=10_000_000,
    )
    registry = Registry.build(INDICATORS, set(raw.frame["Area Code"]))
    result = validate_values(raw, registry=registry)
    assert result.errors.empty
    assert result.rows_read == 852
    frame = result.frame
    assert list(frame.columns) == VALUES_COLUMNS
    assert set(frame["indicator_code"]) == {"HPR01"}  # Indicator ID 93356 is its Fingertips id
    assert set(frame["period_label"]) == {"2015", "2016", "2017"}
    england_2015 = frame.iloc[0]
    assert england_2015["value"] == float("94.7261896202678")  # stored exactly as given
    assert england_2015["count"] == 51897
    suppressed = frame[frame["suppressed"]]
    assert len(suppressed) == 10
    assert suppressed["value"].isna().all()
    assert set(suppressed["area_code"]) == {"E06000053", "E09000001"}
    deciles = frame[frame["category_type"] != ""]
    assert len(deciles) == 60
    assert "Most deprived decile (IMD2015)" in set(deciles["category"])
    assert frame["lower_998"].isna().all()
    assert result.notes == []


def test_fingertips_download_can_create_the_areas_it_names():
    raw = read_table(
        (DATA / "indicators-CountyUA.data.csv").read_bytes(),
        filename="indicators-CountyUA.data.csv",
        max_bytes=10_000_000,
    )
    registry = Registry.build(INDICATORS, ["E92000001"], create_areas=True)
    result = validate_values(raw, registry=registry)
    assert result.errors.empty
    assert len(result.new_areas) == 161
    bristol = result.new_areas.set_index("code").loc["E06000023"]
    assert bristol.to_dict() == {
        "name": "Bristol", "area_type": "County & UA", "parent_code": "E12000009",
    }  # fmt: skip


def healthdata_registry(area_codes) -> Registry:
    """A registry like the one the pipeline builds for the real indicators in healthdata.csv."""
    # Value types, frequencies and period types as in shared/data/fingertips/indicators.csv.
    infos = [
        IndicatorInfo("CYP01", "proportion", "lower_better", "annual", "financial_year", 100, 93085),
        IndicatorInfo("CYP05", "proportion", "lower_better", "annual", "academic_year", 100, 92033),
        IndicatorInfo("TEEN1", "crude_rate", "lower_better", "annual", "calendar_year", 1000, 20401),
        IndicatorInfo("HCHK1", "proportion", "higher_better", "quarterly", "quarter", 100, 91040),
    ]  # fmt: skip
    return Registry.build(infos, area_codes)


@pytest.fixture(scope="module")
def healthdata_result():
    raw = read_table(
        (DATA / "healthdata.csv").read_bytes(), filename="healthdata.csv", max_bytes=10_000_000
    )
    wanted = raw.frame["IndicatorId"].isin(["93085", "92033", "20401", "91040"]).to_numpy()
    raw.frame = raw.frame[wanted].reset_index(drop=True)
    raw.source_rows = raw.source_rows[wanted]
    raw.distinct = {}
    registry = healthdata_registry(set(raw.frame["AreaCode"]))
    return validate_values(raw, registry=registry)


def test_healthdata_year_becomes_the_indicators_own_period(healthdata_result):
    frame = healthdata_result.frame
    england = frame[(frame["area_code"] == "E92000001") & (frame["category_type"] == "")]
    smoking = england[england["indicator_code"] == "CYP01"].set_index("period_label")["value"]
    # Year 2022 and 2023 of a financial-year indicator: 2022/23 and 2023/24 (README: 8.8, 7.4)
    assert smoking["2022/23"] == 8.8
    assert smoking["2023/24"] == 7.4
    conceptions = england[england["indicator_code"] == "TEEN1"]
    assert set(conceptions["period_label"]) <= {str(year) for year in range(2018, 2025)}
    assert any("2023 → 2023/24" in note and "CYP01" in note for note in healthdata_result.notes)
    assert any("LowerCI and UpperCI were read as 95%" in note for note in healthdata_result.notes)
    assert frame["lower_95"].notna().any()


def test_healthdata_swapped_category_columns_are_read_back_the_right_way(healthdata_result):
    frame = healthdata_result.frame
    decile_rows = frame[frame["category_type"].str.contains("deprivation deciles")]
    assert len(decile_rows) > 0
    assert "Most deprived decile (IMD2019)" in set(decile_rows["category"])
    assert "County & UA deprivation deciles in England (IMD2019, 4/21 geography)" in set(
        frame["category_type"]
    )
    swap_note = next(note for note in healthdata_result.notes if "look swapped" in note)
    assert "Category holds category types" in swap_note


def test_healthdata_problems_are_reported_not_raised(healthdata_result):
    errors = healthdata_result.errors
    messages = errors["message"]
    # A quarterly indicator cannot be placed from a Year alone.
    assert messages.str.startswith("Indicator HCHK1 is reported by quarter").sum() == 1166
    # No value-note column in this layout: blank values are kept as missing, with a note.
    frame = healthdata_result.frame
    assert (frame["value_note"] == "No value in the source file").any()
    assert any("have no value and no value note" in note for note in healthdata_result.notes)
    # The upstream file repeats some rows word for word: kept once, and said so.
    assert any("repeated an earlier row exactly" in note for note in healthdata_result.notes)
    assert not messages.str.startswith("Value is empty").any()


# --- Kind A: Fingertips-format values ---------------------------------------------------------


def test_a_valid_values_file_gives_canonical_typed_rows():
    result = values(
        "93085,E06000023,Bristol,UA,persons,All ages,,,2023/24,10.5,9.1,12.0,120,1143,",
        "PRV01,E06000023,Bristol,UA,FEMALE,All ages,,,2022/23,11,,,,,",
    )
    assert result.errors.empty
    frame = result.frame
    assert frame["indicator_code"].tolist() == ["PRV01", "PRV01"]
    assert frame["sex"].tolist() == ["Persons", "Female"]
    assert frame["source_row"].tolist() == [2, 3]
    assert frame.iloc[0][["value", "lower_95", "upper_95", "count", "denominator"]].tolist() == [
        10.5, 9.1, 12.0, 120, 1143,
    ]  # fmt: skip
    assert frame.dtypes["value"] == np.float64
    assert frame.dtypes["suppressed"] == np.dtype(bool)
    assert frame.dtypes["indicator_code"] == "str"
    assert np.isnan(frame.iloc[1]["lower_95"])


def test_a_blank_value_without_a_note_is_kept_as_missing_with_a_note():
    result = values("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,,,,,,")
    assert result.errors.empty
    row = result.frame.iloc[0]
    assert np.isnan(row["value"]) and not row["suppressed"]
    assert row["value_note"] == "No value in the source file"


def test_exact_repeats_are_kept_once_but_conflicting_ones_refused():
    repeat = "PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,10,,,,,"
    result = values(repeat, repeat)
    assert result.errors.empty and len(result.frame) == 1
    assert any("repeated an earlier row exactly" in note for note in result.notes)
    result = values(repeat, repeat.replace(",10,", ",11,"))
    assert only_error(result)["message"].startswith("This row repeats row 2")


def test_unknown_indicators_can_be_set_aside_on_request():
    import dataclasses

    registry = dataclasses.replace(REGISTRY, skip_unknown_indicators=True)
    result = values(
        "PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,10,,,,,",
        "99999,E06000023,Bristol,UA,Persons,All ages,,,2023/24,10,,,,,",
        registry=registry,
    )
    assert result.errors.empty and result.frame["indicator_code"].tolist() == ["PRV01"]
    assert any(
        "1 rows for 1 indicator(s) not in the registry were left out" in note
        for note in result.notes
    )


def test_only_the_six_required_columns_are_needed():
    result = values(
        "PRV01,E06000023,Persons,All ages,2023/24,10.5",
        header="Indicator ID,Area Code,Sex,Age,Time period,Value",
    )
    assert result.errors.empty
    assert result.frame.iloc[0]["category_type"] == ""
    assert np.isnan(result.frame.iloc[0]["count"])


def test_missing_required_columns_reject_the_file_naming_them():
    with pytest.raises(ExtractRejected) as caught:
        values("PRV01,E06000023,10", header="Indicator ID,Area Code,Value")
    message = caught.value.message
    assert "missing the required columns Sex, Age, Time period" in message
    assert "'Indicator ID', 'Area Code', 'Value'" in message


def test_a_counts_file_uploaded_as_values_gets_a_hint():
    with pytest.raises(ExtractRejected) as caught:
        values("PRV01,2023/24,E01014485,Male,0-4,1,10", header=COUNTS_HEADER)
    assert "looks like a counts extract" in caught.value.message


def test_unknown_indicator_and_unknown_area_are_row_errors():
    result = values(
        "99999,E06000023,Bristol,UA,Persons,All ages,,,2023/24,1,,,,,",
        "PRV01,E06099999,Nowhere,UA,Persons,All ages,,,2023/24,1,,,,,",
    )
    errors = result.errors
    assert errors["row"].tolist() == [2, 3]
    assert errors["column"].tolist() == ["Indicator ID", "Area Code"]
    assert errors["value"].tolist() == ["99999", "E06099999"]
    assert "not in the registry" in errors.iloc[0]["message"]
    assert "is not a known area" in errors.iloc[1]["message"]
    assert "'create areas'" in errors.iloc[1]["message"]
    assert result.frame.empty


def test_create_areas_collects_named_unknown_areas_and_refuses_unnamed_ones():
    registry = Registry.build(INDICATORS, AREAS, create_areas=True)
    result = values(
        "PRV01,E06099999,Newtown,County & UA,Persons,All ages,,,2023/24,1,,,,,",
        "PRV01,E06099999,Newtown,County & UA,Male,All ages,,,2023/24,1,,,,,",
        "PRV01,E06088888,,,Persons,All ages,,,2023/24,1,,,,,",
        registry=registry,
    )
    assert result.new_areas.to_dict("records") == [
        {"code": "E06099999", "name": "Newtown", "area_type": "County & UA", "parent_code": ""}
    ]
    error = only_error(result)
    assert error["row"] == 4
    assert "no Area Name and Area Type to create it from" in error["message"]


@pytest.mark.parametrize(
    "cells, column, message",
    [
        ("PRV01,,Bristol,UA,Persons,All ages,,,2023/24,1,,,,,", "Area Code", "Area code is empty."),
        ("PRV01,E06000023,Bristol,UA,M,All ages,,,2023/24,1,,,,,", "Sex",
         "Sex is 'M'; it must be Persons, Male or Female."),
        ("PRV01,E06000023,Bristol,UA,Persons,,,,2023/24,1,,,,,", "Age", "Age is empty"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/25,1,,,,,", "Time period",
         "Cannot read the period '2023/25'"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,,1,,,,,", "Time period",
         "Time period is empty."),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,12%,,,,,", "Value",
         "Value '12%' is not a number"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,nan,,,,,", "Value",
         "Value 'nan' is not a number"),
        ('PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,1,,,"1,200",2000,', "Count",
         "Count '1,200' is not a number"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,-1,,,,,", "Value",
         "Value -1 is negative"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,1,-0.5,2,,,", "Lower CI 95.0 limit",
         "Lower 95% limit -0.5 is negative"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,1,,,-3,10,", "Count",
         "Count -3 is negative"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,5,6,4,,,", "Lower CI 95.0 limit",
         "The lower 95% limit 6 is above the upper 95% limit 4."),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,120,,,12,10,", "Count",
         "Count 12 is above the denominator 10; a proportion cannot exceed 100%."),
        ("HPR01,E06000023,Bristol,UA,Persons,All ages,,,2023,5,,,3,0,", "Denominator",
         "Denominator is 0 but a value (5) is given"),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,Ethnic group,,2023/24,1,,,,,", "Category",
         "Category type is given but Category is empty."),
        ("PRV01,E06000023,Bristol,UA,Persons,All ages,,Chinese,2023/24,1,,,,,", "Category Type",
         "Category is given but Category type is empty."),
    ],
)  # fmt: skip
def test_each_values_rule_reports_the_row_column_and_value(cells, column, message):
    result = values(cells)
    error = only_error(result)
    assert error["row"] == 2
    assert error["column"] == column
    assert error["message"].startswith(message)
    assert result.frame.empty


def test_a_gap_may_be_negative():
    result = values("GAP01,E06000023,Bristol,UA,Persons,All ages,,,2023,-2.5,-3.1,-1.9,,,")
    assert result.errors.empty
    assert result.frame.iloc[0]["value"] == -2.5


def test_an_empty_value_with_a_note_is_suppressed():
    result = values(
        "PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,,,,,,Suppressed: small numbers"
    )
    assert result.errors.empty
    row = result.frame.iloc[0]
    assert row["suppressed"]
    assert np.isnan(row["value"])
    assert row["value_note"] == "Suppressed: small numbers"


def test_duplicates_name_the_row_they_repeat():
    result = values(
        "PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,1,,,,,",
        "PRV01,E06000023,Bristol,UA,Male,All ages,,,2023/24,1,,,,,",
        "93085,E06000023,Bristol,UA,persons,All ages,,,2023/24,2,,,,,",  # same key, other spelling
        "PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,3,,,,,",
        "PRV01,E06000023,Bristol,UA,Persons,All ages,Ethnic group,Chinese,2023/24,3,,,,,",
    )
    errors = result.errors
    assert errors["row"].tolist() == [4, 5]
    assert errors["message"].tolist() == [
        "This row repeats row 2 (same indicator, area, period, sex, age and category).",
        "This row repeats row 2 (same indicator, area, period, sex, age and category).",
    ]
    assert result.frame["source_row"].tolist() == [2, 3, 6]


def test_an_academic_year_indicator_keeps_its_label():
    result = values("CYP05,E06000023,Bristol,UA,Persons,All ages,,,2023/24,21.3,,,,,")
    assert result.errors.empty
    assert result.frame.iloc[0]["period_label"] == "2023/24"


def test_each_distinct_period_label_is_parsed_once(monkeypatch):
    calls = []
    real = validation.parse_period_label

    def counting(label, *, kind_hint=None):
        calls.append(label)
        return real(label, kind_hint=kind_hint)

    monkeypatch.setattr(validation, "parse_period_label", counting)
    rows = [
        f"PRV01,{area},Bristol,UA,{sex},All ages,,,{period},1,,,,,"
        for area in AREAS
        for sex in ("Persons", "Male", "Female")
        for period in ("2022/23", "2023/24")
    ]
    result = values(*rows)
    assert result.errors.empty
    assert sorted(calls) == ["2022/23", "2023/24"]


# --- FingertipsNext layout, inline --------------------------------------------------------------

NEXT_HEADER = (
    "IndicatorId,Year,AgeID,SexID,AreaCode,Count,Value,LowerCI,UpperCI,Denominator,Trend,Sex,"
    "Age,CategoryType,Category"
)


def test_fingertips_next_year_maps_by_period_kind_and_limits_are_95_percent():
    result = values(
        "93085,2023,1,4,E06000023,120,10.5,9.1,12.0,1143,,Persons,All ages,,",
        "93356,2023,1,4,E06000023,50,20.1,15,25,250000,,Persons,All ages,,",
        "92033,2023,1,4,E06000023,50,20.1,15,25,250,,Persons,All ages,,",
        header=NEXT_HEADER,
    )
    assert result.errors.empty
    frame = result.frame
    assert frame["period_label"].tolist() == ["2023/24", "2023", "2023/24"]
    assert frame.iloc[0][["lower_95", "upper_95"]].tolist() == [9.1, 12.0]
    note = next(note for note in result.notes if note.startswith("Read as the FingertipsNext"))
    assert "financial years for PRV01" in note
    assert "calendar years for HPR01" in note
    assert "academic years for CYP05" in note


def test_fingertips_next_year_cannot_place_a_quarterly_indicator_or_a_bad_year():
    result = values(
        "91040,2023,1,4,E06000023,5,1,,,,,Persons,All ages,,",
        "93085,23,1,4,E06000023,5,1,,,100,,Persons,All ages,,",
        header=NEXT_HEADER,
    )
    errors = result.errors
    assert errors["column"].tolist() == ["Year", "Year"]
    assert "which a single Year cannot express" in errors.iloc[0]["message"]
    assert errors.iloc[1]["message"] == "Year is '23'; it must be a four-digit year such as 2023."


def test_fingertips_next_year_needs_a_period_kind():
    registry = Registry.build(
        [IndicatorInfo("PRV09", "proportion", "lower_better", "annual", None, 100, 4242)], AREAS
    )
    result = values(
        "4242,2023,1,4,E06000023,5,1,,,100,,Persons,All ages,,",
        header=NEXT_HEADER,
        registry=registry,
    )
    assert "could mean 2023 or 2023/24" in only_error(result)["message"]


def test_fingertips_next_swapped_categories_are_swapped_back_with_a_note():
    result = values(
        "93085,2023,1,4,E06000023,1,1,,,100,,Persons,All ages,Chinese,Ethnic groups",
        "93085,2023,1,4,E06000023,1,1,,,100,,Persons,All ages,Indian,Ethnic groups",
        "93085,2023,1,4,E06000023,1,1,,,100,,Persons,All ages,"
        'Most deprived decile (IMD2019),"""County & UA deprivation deciles (IMD2019, 4/21)"""',
        header=NEXT_HEADER,
    )
    assert result.errors.empty
    frame = result.frame
    assert frame["category_type"].tolist() == [
        "Ethnic groups", "Ethnic groups", "County & UA deprivation deciles (IMD2019, 4/21)",
    ]  # fmt: skip
    assert frame["category"].tolist() == ["Chinese", "Indian", "Most deprived decile (IMD2019)"]
    assert any("look swapped" in note for note in result.notes)


def test_categories_in_the_right_order_are_left_alone():
    result = values(
        "PRV01,E06000023,Bristol,UA,Persons,All ages,Ethnic groups,Chinese,2023/24,1,,,,,",
        "PRV01,E06000023,Bristol,UA,Persons,All ages,Ethnic groups,Indian,2023/24,1,,,,,",
    )
    assert result.frame["category_type"].tolist() == ["Ethnic groups", "Ethnic groups"]
    assert result.notes == []


@pytest.mark.parametrize(
    "types, categories, swapped",
    [
        (["Chinese", "Indian", "Most deprived decile"], ["Ethnic groups"] * 2 + ["IMD deciles"], True),
        (["Ethnic groups", "Ethnic groups"], ["Chinese", "Indian"], False),
        # Yes/No under three types: counting says swapped, wording says not; left alone.
        (["Disability", "Disability", "Working status", "Working status"],
         ["Yes", "No", "Yes", "No"], False),
        (["", ""], ["", ""], False),
    ],
)  # fmt: skip
def test_category_swap_needs_both_votes(types, categories, swapped):
    types, categories = np.array(types, dtype=object), np.array(categories, dtype=object)
    assert categories_look_swapped(types, categories) is swapped


# --- Kind B: granular counts ----------------------------------------------------------------


def test_a_valid_counts_file_gives_canonical_typed_rows():
    result = counts(
        "PRV01,2023/24,E01014485,Male,0-4,3,120",
        "prv01,2023/24,E01014485,female,  0 - 4 ,0,0",
        "OVR04,2023,E01014486,Female,90 +,2,31",
    )
    assert result.errors.empty, result.errors.to_dict("records")
    frame = result.frame
    assert list(frame.columns) == COUNTS_COLUMNS
    assert frame["indicator_code"].tolist() == ["PRV01", "PRV01", "OVR04"]
    assert frame["period_label"].tolist() == ["2023/24", "2023/24", "2023"]
    assert frame["sex"].tolist() == ["Male", "Female", "Female"]
    assert frame["age_band"].tolist() == ["0-4", "0-4", "90+"]
    assert frame["numerator"].tolist() == [3.0, 0.0, 2.0]
    assert frame["ethnic_group"].tolist() == ["", "", ""]
    assert frame.dtypes["numerator"] == np.float64
    assert isinstance(frame.dtypes["ethnic_group"], pd.CategoricalDtype)
    assert result.new_areas.empty


def test_counts_headers_match_whatever_their_case_and_spacing():
    result = counts(
        "PRV01,2023/24,E01014485,Male,All ages,3,120,White British",
        header="Indicator Code,Period,AREA_CODE,Sex,Age band,Numerator,Denominator,Ethnic group",
    )
    assert result.errors.empty
    assert result.frame.iloc[0]["ethnic_group"] == "White British"


def test_missing_counts_columns_reject_the_file():
    with pytest.raises(ExtractRejected) as caught:
        counts("PRV01,2023/24,E01014485,3", header="indicator_code,period,area_code,numerator")
    assert "sex, age_band, denominator" in caught.value.message


def test_a_fingertips_file_uploaded_as_counts_gets_a_hint():
    with pytest.raises(ExtractRejected) as caught:
        counts(
            "PRV01,E06000023,Bristol,UA,Persons,All ages,,,2023/24,1,,,,,", header=FINGERTIPS_HEADER
        )
    assert "looks like a values extract" in caught.value.message


@pytest.mark.parametrize(
    "cells, column, message",
    [
        ("PRV01,2023/24,E01014485,Male,0-4,12,10", "numerator",
         "Numerator 12 is above the denominator 10; a proportion cannot exceed 100%."),
        ("HPR01,2023,E01014485,Male,0-4,3,0", "denominator",
         "Denominator is 0 but the numerator is 3; a crude rate needs a population to divide by."),
        ("PRV01,2023/24,E01014485,Male,0-4,3,0", "denominator",
         "Denominator is 0 but the numerator is 3"),
        ("OVR04,2023,E01014485,Male,All ages,3,1000", "age_band",
         "Indicator OVR04 is a directly standardised rate, so its counts must be by five-year age band"),
        ("PRV01,2023/24,E01014485,Male,85+,1,10", "age_band", "Age band is '85+'"),
        ("PRV01,2023/24,E01014485,Male,0-4,-1,10", "numerator", "Numerator -1 is negative"),
        ("PRV01,2023/24,E01014485,Male,0-4,1,ten", "denominator", "Denominator 'ten' is not a number"),
        ("PRV01,2023/24,E01014485,Male,0-4,,10", "numerator", "Numerator is empty."),
        ("PRV01,2023/24,E01014485,Male,0-4,1,", "denominator",
         "Denominator is empty; indicator PRV01 is a proportion, so it needs one."),
        ("93085,2023/24,E01014485,Male,0-4,1,10", "indicator_code", "Indicator '93085' is not in"),
        ("PRV01,2023/24,E01099999,Male,0-4,1,10", "area_code", "Area code 'E01099999' is not a known"),
        ("PRV01,next year,E01014485,Male,0-4,1,10", "period", "Cannot read the period 'next year'"),
        ("PRV01,2023/24,E01014485,X,0-4,1,10", "sex", "Sex is 'X'"),
    ],
)  # fmt: skip
def test_each_counts_rule_reports_the_row_column_and_value(cells, column, message):
    result = counts(cells)
    error = only_error(result)
    assert error["row"] == 2
    assert error["column"] == column
    assert error["message"].startswith(message)
    assert result.frame.empty


def test_an_empty_cell_with_no_population_is_fine():
    result = counts("HPR01,2023,E01014485,Male,90+,0,0", "PRV01,2023/24,E01014485,Male,90+,0,0")
    assert result.errors.empty


def test_a_count_indicator_needs_no_denominator():
    result = counts("INT03,2023/24 Q2,E01014485,Persons,All ages,17,")
    assert result.errors.empty
    assert np.isnan(result.frame.iloc[0]["denominator"])
    assert result.frame.iloc[0]["period_label"] == "2023/24 Q2"


def test_counts_duplicates_consider_the_ethnic_group():
    header = COUNTS_HEADER + ",ethnic_group"
    result = counts(
        "PRV01,2023/24,E01014485,Male,0-4,1,10,White British",
        "PRV01,2023/24,E01014485,Male,0-4,1,10,Asian",
        "PRV01,2023/24,E01014485,MALE,0-4,2,20,White British",
        header=header,
    )
    error = only_error(result)
    assert error["row"] == 4
    assert error["message"] == (
        "This row repeats row 2 (same indicator, period, area, sex, age band and ethnic group)."
    )


def test_all_ages_beside_age_bands_would_count_twice():
    result = counts(
        "PRV01,2023/24,E01014485,Male,0-4,1,10",
        "PRV01,2023/24,E01014485,Male,All ages,5,100",
        "PRV01,2023/24,E01014486,Male,All ages,5,100",  # another area: fine
    )
    error = only_error(result)
    assert (error["row"], error["column"]) == (3, "age_band")
    assert "would be counted twice" in error["message"]


def test_persons_beside_male_and_female_would_count_twice():
    result = counts(
        "PRV01,2023/24,E01014485,Male,0-4,1,10",
        "PRV01,2023/24,E01014485,Persons,0-4,2,20",
    )
    error = only_error(result)
    assert (error["row"], error["column"]) == (3, "sex")


def test_every_bad_row_is_reported_and_kept_out_of_the_frame():
    result = counts(
        "PRV01,2023/24,E01014485,Male,0-4,1,10",
        "PRV01,2023/24,E01014485,Female,0-4,11,10",
        "PRV01,2023/24,E01014486,Female,0-4,1,10,extra",
        "PRV01,bad,E01099999,Female,0-4,x,10",
    )
    assert list(result.errors.columns) == ERROR_COLUMNS
    assert result.errors.dtypes["row"] == np.int64
    assert result.errors["row"].tolist() == [3, 4, 5, 5, 5]  # in file order
    assert result.frame["source_row"].tolist() == [2]
    assert result.rows_read == 4


def test_an_xlsx_counts_file_with_a_formula_is_rejected_as_non_numeric():
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COUNTS_HEADER.split(","))
    sheet.append(["PRV01", "2023/24", "E01014485", "Male", "0-4", "=1+1", 10])
    sheet.append(["PRV01", "2023/24", "E01014485", "Female", "0-4", 3, 10.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    raw = read_table(buffer.getvalue(), filename="counts.xlsx", max_bytes=10_000_000)
    result = validate_counts(raw, registry=REGISTRY)
    error = only_error(result)
    assert (error["row"], error["column"], error["value"]) == (2, "numerator", "=1+1")
    assert "is not a number" in error["message"]
    assert result.frame["numerator"].tolist() == [3.0]


# --- Malformed input never escapes as anything but errors or ExtractRejected -------------------

CELL_TEXT = st.sampled_from(
    ["", " ", "PRV01", "93085", "OVR04", "E01014485", "E06000023", "2023/24", "2023", "Male",
     "persons", "All ages", "0-4", "90+", "12", "-3", "1e400", "nan", "0", '"', '""', ",", "\n",
     "\r\n", "é", "\ufeff", "2023/25", "0000", "9999/00", "=1+1", "Ethnic groups", "Chinese"]
) | st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=6)  # fmt: skip
HEADER_NAMES = (
    COUNTS_HEADER.split(",")
    + FINGERTIPS_HEADER.split(",")
    + ["Year", "IndicatorId", "AreaCode", "LowerCI", "ethnic_group", "", "Value"]
)


def csv_text(rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text

    return "\n".join(",".join(cell(text) for text in row) for row in rows)


def check_everything(data: bytes, filename: str) -> None:
    try:
        raw = read_table(data, filename=filename, max_bytes=100_000)
    except ExtractRejected as rejected:
        assert rejected.message
        return
    registry = Registry.build(INDICATORS, AREAS, create_areas=True)
    for validate in (validate_values, validate_counts):
        try:
            result = validate(raw, registry=registry)
        except ExtractRejected as rejected:
            assert rejected.message
            continue
        assert list(result.errors.columns) == ERROR_COLUMNS
        accepted = set(result.frame["source_row"])
        rejected_rows = set(result.errors["row"])
        assert not accepted & rejected_rows
        assert set(raw.source_rows) <= accepted | rejected_rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), filename=st.sampled_from(["x.csv", "x.xlsx", "x.txt"]))
def test_random_bytes_only_ever_give_errors_or_a_refusal(data, filename):
    check_everything(data, filename)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.sampled_from(HEADER_NAMES), min_size=1, max_size=16, unique=True),
    rows=st.lists(st.lists(CELL_TEXT, max_size=18), min_size=1, max_size=8),
    mangle=st.sampled_from(["none", "crlf", "unclosed quote", "bom", "cp1252"]),
)
def test_malformed_csv_only_ever_gives_errors_or_a_refusal(header, rows, mangle):
    text = csv_text([header, *rows])
    if mangle == "crlf":
        text = text.replace("\n", "\r\n", 1)
    elif mangle == "unclosed quote":
        text += ',"open'
    elif mangle == "bom":
        text = "\ufeff" + text
    data = text.encode("cp1252", errors="replace") if mangle == "cp1252" else text.encode()
    check_everything(data, "extract.csv")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(CELL_TEXT, min_size=7, max_size=8), min_size=1, max_size=10))
def test_plausible_counts_files_only_ever_give_errors_or_a_refusal(rows):
    check_everything(csv_text([COUNTS_HEADER.split(","), *rows]).encode(), "extract.csv")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(CELL_TEXT, min_size=14, max_size=16), min_size=1, max_size=10),
    header=st.sampled_from([FINGERTIPS_HEADER, NEXT_HEADER]),
)
def test_plausible_values_files_only_ever_give_errors_or_a_refusal(rows, header):
    check_everything(csv_text([header.split(","), *rows]).encode(), "extract.csv")


def test_an_implausible_fingertips_next_year_is_a_row_error():
    # Found by hypothesis: year 0 cannot be a date, so it must be refused, not crash.
    header = "IndicatorId,Year,AgeID,SexID,AreaCode,Count,Value,LowerCI,UpperCI,Denominator,Trend,Sex,Age,CategoryType,Category"
    result = values("PRV01,0000,1,4,E06000023,,10,,,,,Persons,All ages,,", header=header)
    assert "not a plausible year" in only_error(result)["message"]
