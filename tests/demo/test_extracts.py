"""The demo-data generator for the shipped system: file contracts, coverage, realism of the
patterns, determinism."""

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demo.extracts import GRANULAR_ROW_BUDGET, generate_demo_extracts
from demo.systems import demo_system_resolve
from indicators.periods import parse_period_label
from indicators.statistics.intervals import wilson_interval
from indicators.statistics.spc import xmr_chart
from indicators.statistics.standardised import ESP2013, directly_standardised_rate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FRAMEWORK = pd.read_csv(FIXTURES / "demo_framework.csv", dtype=str, keep_default_na=False)
AREAS = pd.read_csv(FIXTURES / "areas.csv", dtype=str, keep_default_na=False)
LSOAS = AREAS[(AREAS["area_type"] == "lsoa") & (AREAS["parent_code"] == "E38000222")]  # BNSSG's
QUINTILE = dict(zip(LSOAS["code"], (LSOAS["imd_decile"].astype(int) + 1) // 2, strict=True))
# Each LSOA's council: the local authority among its further parents (docs/geography.md).
COUNCIL = {
    code: next(part for part in also_in.split("|") if part.startswith("E06"))
    for code, also_in in zip(LSOAS["code"], LSOAS["also_in"], strict=True)
}
ICBS = set(AREAS.loc[AREAS["area_type"] == "icb", "code"])
REGIONS = set(AREAS.loc[AREAS["area_type"] == "region", "code"])
BNSSG_AREAS = {"E54000039", "E38000222", "E06000023", "E06000024", "E06000025"} | set(
    AREAS.loc[AREAS["area_type"] == "locality", "code"]
)
BANDS = [
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
]  # fmt: skip

COUNTS_HEADER = "indicator_code,period,area_code,sex,age_band,numerator,denominator"
VALUES_HEADER = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,Age,"
    "Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
    "Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,"
    "Compared to England value or percentiles,Compared to Region value or percentiles,"
    "Time period Sortable,New data,Compared to goal"
)
BASELINES_HEADER = (
    "indicator_code,area_code,sex,baseline_period,baseline_value,baseline_lower_95,"
    "baseline_upper_95,target_value,target_lower,target_upper,target_period,target_source,"
    "target_source_detail"
)
NARRATIVES_HEADER = (
    "indicator_code,area_code,period,what_data_shows,contribution,limitations,status"
)
# Value types the pipeline computes from counts; INT03 (a count with no CI) arrives as values.
COUNT_BASED = {
    row["code"]
    for row in FRAMEWORK.to_dict("records")
    if row["value_type"] in {"proportion", "crude_rate", "dsr", "count"}
    and row["ci_method"] != "none"
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("demo")
    return generate_demo_extracts(out_dir=out_dir)


@pytest.fixture(scope="module")
def counts(demo):
    return {
        path.name[len("counts_") : -len(".csv")]: pd.read_csv(path, dtype={"period": str})
        for path, kind in demo.extracts
        if kind == "counts"
    }


@pytest.fixture(scope="module")
def values(demo):
    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False)
        for path, kind in demo.extracts
        if kind == "values"
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def baselines(demo):
    return pd.read_csv(demo.baselines_targets, dtype={"baseline_period": str})


def first_line(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        return handle.readline().rstrip("\n")


def headline_series(frame: pd.DataFrame) -> pd.DataFrame:
    """BNSSG-wide numerator and denominator per period, in file (date) order."""
    return frame.groupby("period", sort=False)[["numerator", "denominator"]].sum()


# --- contracts ------------------------------------------------------------------------------


def test_files_have_exactly_the_required_headers(demo):
    for path, kind in demo.extracts:
        assert first_line(path) == (COUNTS_HEADER if kind == "counts" else VALUES_HEADER), path
    assert first_line(demo.baselines_targets) == BASELINES_HEADER
    assert first_line(demo.narratives) == NARRATIVES_HEADER


def test_manifest_lists_values_first_then_one_counts_file_per_count_based_indicator(demo):
    kinds = [kind for _, kind in demo.extracts]
    assert kinds == sorted(kinds, key=lambda kind: kind != "values")
    counted = {path.name for path, kind in demo.extracts if kind == "counts"}
    assert counted == {f"counts_{code}.csv" for code in COUNT_BASED}
    assert len(COUNT_BASED) == 31 and "INT03" not in COUNT_BASED
    for path, _ in demo.extracts:
        lines = sum(1 for _ in path.open(encoding="utf-8")) - 1
        assert demo.row_counts[path.name] == lines


def test_total_granular_rows_stay_under_the_budget(demo, counts):
    total = sum(len(frame) for frame in counts.values())
    assert demo.granular_rows == total
    assert total < GRANULAR_ROW_BUDGET == 1_500_000


def test_every_period_label_parses_and_ends_at_the_latest_complete_period(counts, values):
    latest = {}
    for code, frame in counts.items():
        latest[code] = frame["period"].iloc[-1]
    bnssg = values[values["Area Code"] == "E54000039"]
    for code, frame in bnssg.groupby("Indicator ID"):
        latest[code] = frame["Time period"].iloc[-1]
    for label in set(latest.values()):
        parse_period_label(label)
    # today = 31 March 2026: the year to March 2026 and March 2026 itself are not complete.
    assert latest["CYP05"] == "2024/25"  # financial or academic year
    assert latest["LTC04"] == "2025"  # calendar year
    assert latest["OVR02"] == latest["MHL03"] == "2023 - 25"  # pooled 3 years
    assert latest["LTC02"] == latest["INT01"] == "2025/26 Q3"
    assert latest["AGE03"] == latest["INT03"] == "Feb 2026"
    assert counts["AGE03"]["period"].nunique() == 36  # monthly: 3 years
    assert counts["LTC02"]["period"].nunique() == counts["INT01"]["period"].nunique() == 20


# --- coverage -------------------------------------------------------------------------------


def test_every_indicator_has_england_regions_and_icbs_for_each_of_its_periods(counts, values):
    comparators = values[(values["Sex"] == "Persons") & (values["Category Type"] == "")]
    for code in FRAMEWORK["code"]:
        if code in counts:
            periods = set(counts[code]["period"])
        else:
            local = values[(values["Indicator ID"] == code) & (values["Area Code"] == "E54000039")]
            periods = set(local["Time period"])
        rows = comparators[comparators["Indicator ID"] == code]
        assert periods, code
        for period, frame in rows.groupby("Time period"):
            areas = set(frame["Area Code"])
            assert "E92000001" in areas and REGIONS <= areas, (code, period)
            # BNSSG's own ICB is computed by the pipeline from the LSOAs when count-based.
            assert areas & ICBS == (ICBS - {"E54000039"} if code in COUNT_BASED else ICBS)
        assert set(rows["Time period"]) == periods, code


def test_sex_rows_for_life_expectancy_comparators(values):
    england = values[(values["Area Code"] == "E92000001") & (values["Category Type"] == "")]
    for code in FRAMEWORK["code"]:
        sexes = set(england.loc[england["Indicator ID"] == code, "Sex"])
        expected = (
            {"Persons", "Male", "Female"} if code in {"OVR01", "OVR02", "OVR03"} else {"Persons"}
        )
        assert sexes == expected, code


def test_values_indicators_cover_every_bnssg_area_in_every_period(values):
    local = values[(values["Area Code"].isin(BNSSG_AREAS)) & (values["Category Type"] == "")]
    local = local[local["Sex"] == "Persons"]
    for code in set(FRAMEWORK["code"]) - COUNT_BASED:
        frame = local[local["Indicator ID"] == code]
        for period, rows in frame.groupby("Time period"):
            assert set(rows["Area Code"]) == BNSSG_AREAS, (code, period)
            by_area = rows.set_index("Area Code")["Value"]
            assert by_area["E38000222"] == by_area["E54000039"]  # one population
    assert not local["Indicator ID"].isin(COUNT_BASED).any()


def test_every_count_based_indicator_has_all_563_lsoas_in_every_period(counts):
    lsoas = set(LSOAS["code"])
    assert len(lsoas) == 563
    for code, frame in counts.items():
        for period, rows in frame.groupby("period"):
            assert set(rows["area_code"]) == lsoas, (code, period)


def test_dsr_rows_carry_every_esp2013_band_of_the_age_range(counts):
    dsr = FRAMEWORK.loc[FRAMEWORK["value_type"] == "dsr", "code"]
    all_ages = {"PRV05", "MHL05", "INT01"}
    for code in dsr:
        frame = counts[code]
        assert set(frame["sex"]) == {"Male", "Female"}, code
        cells = frame.groupby(["period", "area_code", "sex"], sort=False)["age_band"]
        first = next(iter(cells))[1].tolist()
        # A contiguous run of ESP2013 bands, the same in every cell; all 19 for all ages.
        start = BANDS.index(first[0])
        assert first == BANDS[start : start + len(first)], code
        assert (cells.size() == len(first)).all(), code
        assert (frame["age_band"].to_numpy().reshape(-1, len(first)) == first).all(), code
        assert (len(first) == 19) == (code in all_ages), code
    under_75 = counts["LTC01"]["age_band"].unique().tolist()
    assert under_75 == BANDS[:15]
    assert counts["AGE01"]["age_band"].unique().tolist() == BANDS[13:]


def test_other_count_rows_are_all_ages_with_sex_where_published(counts):
    published_by_sex = set(
        FRAMEWORK.loc[FRAMEWORK["breakdowns"].str.contains("sex"), "code"]
    ) | set(FRAMEWORK.loc[FRAMEWORK["value_type"] == "dsr", "code"])
    for code, frame in counts.items():
        expected = {"Male", "Female"} if code in published_by_sex else {"Persons"}
        assert set(frame["sex"]) == expected, code
        if code not in set(FRAMEWORK.loc[FRAMEWORK["value_type"] == "dsr", "code"]):
            assert set(frame["age_band"]) == {"All ages"}, code


def test_proportion_numerators_never_exceed_denominators(counts):
    proportions = FRAMEWORK.loc[FRAMEWORK["value_type"] == "proportion", "code"]
    for code in set(proportions) & set(counts):
        frame = counts[code]
        assert (frame["numerator"] >= 0).all() and (frame["denominator"] >= 0).all(), code
        assert (frame["numerator"] <= frame["denominator"]).all(), code


def test_values_rows_have_limits_around_the_value(values):
    numbers = values[values["Value"] != ""]
    for low, high in (
        ("Lower CI 95.0 limit", "Upper CI 95.0 limit"),
        ("Lower CI 99.8 limit", "Upper CI 99.8 limit"),
    ):
        given = numbers[numbers[low] != ""]
        value = given["Value"].astype(float)
        assert (given[low].astype(float) <= value + 1e-9).all()
        assert (value <= given[high].astype(float) + 1e-9).all()
    blank = values[values["Value"] == ""]
    assert (blank["Value note"] != "").all()  # a withheld value always says why


# --- the patterns of docs/domain.md §8 -----------------------------------------------------------


def quintile_rates(frame: pd.DataFrame, multiplier: float) -> pd.Series:
    sums = (
        frame.assign(q=frame["area_code"].map(QUINTILE))
        .groupby("q")[["numerator", "denominator"]]
        .sum()
    )
    return sums["numerator"] / sums["denominator"] * multiplier


def dsr_by(frame: pd.DataFrame, key: pd.Series) -> pd.Series:
    bands = list(dict.fromkeys(frame["age_band"]))
    weights = ESP2013[[BANDS.index(band) for band in bands]]
    result = {}
    for group, rows in frame.groupby(key):
        sums = rows.groupby("age_band")[["numerator", "denominator"]].sum().loc[bands]
        rate = directly_standardised_rate(
            sums["numerator"].to_numpy(),
            sums["denominator"].to_numpy(),
            standard_population=weights,
        )
        result[group] = float(rate.interval.value)
    return pd.Series(result)


def test_deprivation_gradient_holds_in_aggregate(counts):
    obesity = quintile_rates(counts["CYP05"], 100)  # Year 6 obesity: about 2x
    assert 1.6 < obesity[1] / obesity[5] < 3.0
    screening = quintile_rates(counts["LTC05"], 100)  # 8-15 points lower in Q1
    assert 8 < screening[5] - screening[1] < 20
    smoking = quintile_rates(counts["CYP01"], 100)  # smoking at delivery: 2-3x or more
    assert smoking[1] / smoking[5] > 2
    falls = counts["AGE01"]  # falls 65+: a shallow gradient, 1.2-1.4x
    rates = dsr_by(falls, falls["area_code"].map(QUINTILE))
    assert 1.1 < rates[1] / rates[5] < 1.7


def test_councils_differ_as_described(counts):
    alcohol = counts["PRV05"]
    by_council = dsr_by(alcohol, alcohol["area_code"].map(COUNCIL))
    assert by_council["E06000023"] > by_council["E06000024"] > by_council["E06000025"]
    falls = counts["AGE01"]
    by_council = dsr_by(falls, falls["area_code"].map(COUNCIL))
    assert by_council["E06000024"] > by_council["E06000025"]  # older North Somerset


def test_bnssg_alcohol_admissions_are_above_england(counts, values):
    bnssg = dsr_by(counts["PRV05"], counts["PRV05"]["period"])
    england = (
        values[(values["Indicator ID"] == "PRV05") & (values["Area Code"] == "E92000001")]
        .set_index("Time period")["Value"]
        .astype(float)
    )
    assert (bnssg > england.loc[bnssg.index] * 1.05).all()


def test_engineered_spc_signals_show_on_bnssg_headline_series(counts, values):
    hypertension = headline_series(counts["LTC02"])
    chart = xmr_chart(
        hypertension["numerator"] / hypertension["denominator"] * 100,
        polarity="higher_better",
        target=80,
    )
    assert chart.variation_icon == "improvement_high"

    flow = values[
        (values["Indicator ID"] == "INT03")
        & (values["Area Code"] == "E54000039")
        & (values["Sex"] == "Persons")
    ]["Value"].astype(float)
    assert xmr_chart(flow, polarity="lower_better").variation_icon == "concern_high"

    dementia = headline_series(counts["AGE03"])
    chart = xmr_chart(
        dementia["numerator"] / dementia["denominator"] * 100, polarity="higher_better", target=66.7
    )
    assert chart.assurance_icon == "inconsistent"  # hit and miss the national ambition


# --- baselines, targets, narratives ---------------------------------------------------------


def test_one_baseline_and_target_per_indicator_for_the_icb(baselines):
    assert sorted(baselines["indicator_code"]) == sorted(FRAMEWORK["code"])
    assert set(baselines["area_code"]) == {"E54000039"} and set(baselines["sex"]) == {"Persons"}
    single = baselines["target_value"].notna()
    ranged = baselines["target_lower"].notna() & baselines["target_upper"].notna()
    assert (single ^ ranged).all() and ranged.sum() >= 3
    assert (baselines.loc[ranged, "target_lower"] < baselines.loc[ranged, "target_upper"]).all()
    assert set(baselines["target_source"]) == {"national", "local_plan"}
    for label in baselines["target_period"]:
        parse_period_label(label)


def test_local_targets_improve_on_the_baseline_in_the_polarity_direction(baselines):
    polarity = FRAMEWORK.set_index("code")["polarity"]
    local = baselines[baselines["target_source"] == "local_plan"]
    for row in local.to_dict("records"):
        goal = row["target_value"]
        if np.isnan(goal):
            goal = (row["target_lower"] + row["target_upper"]) / 2
        if polarity[row["indicator_code"]] == "higher_better":
            assert goal > row["baseline_value"], row["indicator_code"]
        else:
            assert goal < row["baseline_value"], row["indicator_code"]


def test_count_based_baseline_is_what_the_pipeline_computes(counts, baselines):
    first = headline_series(counts["LTC02"]).iloc[0]
    expected = wilson_interval(first["numerator"], first["denominator"], multiplier=100)
    row = baselines.set_index("indicator_code").loc["LTC02"]
    assert row["baseline_period"] == counts["LTC02"]["period"].iloc[0]
    assert row["baseline_value"] == pytest.approx(float(expected.value))
    assert row["baseline_lower_95"] == pytest.approx(float(expected.lower))
    assert row["baseline_upper_95"] == pytest.approx(float(expected.upper))


def test_narratives_cover_several_domains_and_the_latest_period(demo, counts, values):
    narratives = pd.read_csv(demo.narratives)
    assert 6 <= len(narratives) <= 12
    assert len({code[:3] for code in narratives["indicator_code"]}) >= 6
    assert set(narratives["status"]) == {"published", "draft"}
    assert (narratives["status"] == "draft").sum() == 2
    for row in narratives.to_dict("records"):
        code = row["indicator_code"]
        if code in counts:
            latest = counts[code]["period"].iloc[-1]
        else:
            local = values[(values["Indicator ID"] == code) & (values["Area Code"] == "E54000039")]
            latest = local["Time period"].iloc[-1]
        assert row["period"] == latest
        assert row["what_data_shows"] and row["contribution"] and row["limitations"]


# --- determinism ----------------------------------------------------------------------------


SUBSET = ["LTC02", "OVR02", "INT03"]


def test_generation_is_deterministic_for_a_seed(tmp_path, demo):
    first = generate_demo_extracts(out_dir=tmp_path / "a", indicators=SUBSET)
    again = generate_demo_extracts(out_dir=tmp_path / "b", indicators=SUBSET)
    other = generate_demo_extracts(out_dir=tmp_path / "c", indicators=SUBSET, seed=7)
    for (path, _), (same, _), (different, _) in zip(
        first.extracts, again.extracts, other.extracts, strict=True
    ):
        assert path.read_bytes() == same.read_bytes()
        assert path.read_bytes() != different.read_bytes()
    # Each indicator draws from its own stream: a subset reproduces the full run's numbers.
    full = {path.name: path for path, _ in demo.extracts}
    subset = tmp_path / "a" / "counts_LTC02.csv"
    assert subset.read_bytes() == full["counts_LTC02.csv"].read_bytes()


def test_years_and_today_move_the_window(tmp_path):
    manifest = generate_demo_extracts(
        out_dir=tmp_path, indicators=["CYP05", "LTC02"], years=3, today=date(2025, 6, 30)
    )
    frames = {path.name: pd.read_csv(path, dtype={"period": str}) for path, _ in manifest.extracts}
    school_years = list(dict.fromkeys(frames["counts_CYP05.csv"]["period"]))
    assert school_years == ["2021/22", "2022/23", "2023/24"]  # 2024/25 ends in August 2025
    quarters = list(dict.fromkeys(frames["counts_LTC02.csv"]["period"]))
    assert len(quarters) == 12 and quarters[-1] == "2024/25 Q4"


def test_unknown_indicator_codes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="XYZ99"):
        generate_demo_extracts(out_dir=tmp_path, indicators=["XYZ99"])


# --- another system -------------------------------------------------------------------------

ESSEX = "E54000026"  # Mid and South Essex: 5 sub-ICB locations, no locality file
ESSEX_OWN_COUNCILS = {"E06000033", "E06000034"}  # Southend-on-Sea and Thurrock
ESSEX_COUNTY = "E10000012"  # Essex crosses into two other ICBs
DEMO_TRACES = ["BNSSG", "Bristol", "North Somerset", "South Gloucestershire", "E54000039",
               "E38000222", "AWP", "UHBW", "NBT", "Sirona", "SWAG"]  # fmt: skip


@pytest.fixture(scope="module")
def essex(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("essex")
    manifest = generate_demo_extracts(
        out_dir=out_dir,
        system=demo_system_resolve(ESSEX),
        indicators=["OVR02", "OVR03", "CYP05", "INT03", "INT04"],
        years=3,
    )
    return manifest, {path.name: pd.read_csv(path, dtype=str) for path, _ in manifest.extracts}


def test_another_icb_gets_data_for_its_own_lsoas(essex):
    _, files = essex
    sub_icbs = set(AREAS.loc[AREAS["parent_code"] == ESSEX, "code"])
    lsoas = set(AREAS.loc[AREAS["parent_code"].isin(sub_icbs), "code"])
    assert len(sub_icbs) == 5 and len(lsoas) == 705
    for period, rows in files["counts_CYP05.csv"].groupby("period"):
        assert set(rows["area_code"]) == lsoas, period


def test_another_icb_publishes_its_sub_icbs_as_localities_and_only_its_own_councils(essex):
    _, files = essex
    local = files["values_system.csv"]
    sub_icbs = set(AREAS.loc[AREAS["parent_code"] == ESSEX, "code"])
    for code, frame in local[local["Category Type"].isna()].groupby("Indicator ID"):
        assert set(frame["Area Code"]) == {ESSEX} | sub_icbs | ESSEX_OWN_COUNCILS, code
    assert ESSEX_COUNTY not in set(local["Area Code"])
    # The sub-ICB locations share the ICB's daily count of delayed discharges (each share
    # with its own noise, so they add up only roughly).
    flow = local[(local["Indicator ID"] == "INT03") & (local["Time period"] == "Feb 2026")]
    values = flow.set_index("Area Code")["Value"].astype(float)
    assert (values[sorted(sub_icbs)] > 0).all()
    assert values[sorted(sub_icbs)].sum() == pytest.approx(values[ESSEX], rel=0.1)
    assert files["values_comparators.csv"]["Area Code"].ne(ESSEX).all()


def test_another_icb_has_its_own_targets_and_narratives_naming_nothing_of_the_demo(essex):
    manifest, files = essex
    baselines = pd.read_csv(manifest.baselines_targets, dtype=str)
    assert set(baselines["area_code"]) == {ESSEX}
    narratives = pd.read_csv(manifest.narratives, dtype=str)
    assert set(narratives["indicator_code"]) == {"OVR02", "INT03"}
    assert narratives["what_data_shows"].str.startswith("MSE's value").all()
    # (The comparators name every ICB, the demo's among them, as any system's would.)
    own = [path for path, _ in manifest.extracts if path.name != "values_comparators.csv"]
    own += [manifest.baselines_targets, manifest.narratives]
    written = [path.read_text() for path in own]
    for trace in DEMO_TRACES:
        assert not any(trace in text for text in written), trace
