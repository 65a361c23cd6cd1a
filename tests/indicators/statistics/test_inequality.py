"""SII and RII (docs/methods.md §6) against reference/sii.csv, plus the behaviour callers rely on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.inequality import (
    slope_index_of_inequality,
    slope_index_of_inequality_by_group,
)
from tests import reference_data
from tests.reference_data import LEAST_SQUARES_RELATIVE, SIMULATED_SHARE_OF_WIDTH

VALUE_TYPES = {0: "normal", 1: "rate", 2: "proportion"}
SEED = 12345


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    return reference_data.frame("sii.csv")


@pytest.fixture(scope="module")
def inputs() -> pd.DataFrame:
    return reference_data.frame("sii_inputs.csv")


def case_inputs(case: pd.Series, inputs: pd.DataFrame) -> pd.DataFrame:
    # The two sii_r91_*_intercept cases reuse the inputs of sii_r91_area1 / sii_r91_area2.
    input_case = case.case_id.removesuffix("_intercept")
    return inputs[inputs.case_id == input_case].sort_values("quantile")


def case_options(case: pd.Series, confidence: float) -> dict:
    return {
        "value_type": VALUE_TYPES[int(case.value_type)],
        "transform": bool(case["transform"]),  # Series.transform is a method
        "multiplier": float(case.multiplier),
        "confidence": confidence,
        "seed": SEED,
    }


def run_case(case: pd.Series, inputs: pd.DataFrame, confidence: float, **overrides):
    rows = case_inputs(case, inputs)
    if case.se_input == "se":
        intervals = {"se": rows.se}
    else:
        intervals = {"lower": rows.lowercl, "upper": rows.uppercl}
    options = case_options(case, confidence) | overrides
    return slope_index_of_inequality(rows.population, rows.value, **intervals, **options)


def relative_error(actual: float, expected: float) -> float:
    return abs(actual - expected) / abs(expected)


def levels(case: pd.Series) -> list[tuple[int, float]]:
    return [(k, case[f"confidence_{k}"]) for k in (1, 2) if not math.isnan(case[f"confidence_{k}"])]


def case_levels(cases: pd.DataFrame, column_prefix: str):
    """(case, level, confidence) for every case and level that has the given columns."""
    for _, case in cases.iterrows():
        for k, confidence in levels(case):
            if not math.isnan(case[f"{column_prefix}_lowercl_{k}"]):
                yield case, k, confidence


def test_point_estimates_match_reference(cases, inputs, subtests):
    for _, case in cases.iterrows():
        with subtests.test(case.case_id):
            result = run_case(case, inputs, case.confidence_1)

            assert relative_error(result.sii, case.sii) <= LEAST_SQUARES_RELATIVE
            assert relative_error(result.rii, case.rii) <= LEAST_SQUARES_RELATIVE
            if not math.isnan(case.intercept):
                assert relative_error(result.intercept, case.intercept) <= LEAST_SQUARES_RELATIVE


def test_closed_form_sii_limits_match_analytic_columns(cases, inputs, subtests):
    for case, level, confidence in case_levels(cases, "analytic_sii"):
        with subtests.test(f"{case.case_id}@{confidence}"):
            result = run_case(case, inputs, confidence)

            assert result.ci_method == "closed form"
            for side in ("lower", "upper"):
                expected = case[f"analytic_sii_{side}cl_{level}"]
                actual = getattr(result, f"sii_{side}")
                assert relative_error(actual, expected) <= LEAST_SQUARES_RELATIVE


def assert_near_simulated_limits(result, case, level):
    for statistic in ("sii", "rii"):
        expected_lower = case[f"{statistic}_lowercl_{level}"]
        expected_upper = case[f"{statistic}_uppercl_{level}"]
        allowed = SIMULATED_SHARE_OF_WIDTH * (expected_upper - expected_lower)
        assert abs(getattr(result, f"{statistic}_lower") - expected_lower) <= allowed
        assert abs(getattr(result, f"{statistic}_upper") - expected_upper) <= allowed


def test_default_limits_agree_with_package_simulation(cases, inputs, subtests):
    for case, level, confidence in case_levels(cases, "sii"):
        with subtests.test(f"{case.case_id}@{confidence}"):
            result = run_case(case, inputs, confidence)

            assert result.reason is None
            assert_near_simulated_limits(result, case, level)


def test_seeded_simulation_agrees_with_package_simulation(cases, inputs, subtests):
    for case, level, confidence in case_levels(cases, "sii"):
        with subtests.test(f"{case.case_id}@{confidence}"):
            result = run_case(case, inputs, confidence, ci_method="simulation")

            assert result.ci_method == "simulation"
            assert_near_simulated_limits(result, case, level)


def test_grouped_entry_point_matches_one_area_at_a_time(cases, inputs):
    # Every reference case whose settings match r1 (normal, SE supplied, 95%) in one frame.
    same_settings = cases[
        (cases.value_type == 0) & (cases.se_input == "se") & (cases.n_quantiles == 10)
    ]
    frame = inputs[inputs.case_id.isin(same_settings.case_id)]

    grouped = slope_index_of_inequality_by_group(
        frame, group_columns=["case_id"], se_column="se", n_quantiles=10, seed=SEED
    ).set_index("case_id")

    assert list(grouped.index) == sorted(same_settings.case_id)
    for _, case in same_settings.iterrows():
        single = run_case(case, inputs, 0.95)
        row = grouped.loc[case.case_id]
        for field in ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper", "gap"):
            assert row[field] == pytest.approx(getattr(single, field), rel=1e-12)
        assert row["sii"] == pytest.approx(case.sii, rel=LEAST_SQUARES_RELATIVE)


def test_grouped_simulation_uses_the_same_seed_per_group_as_a_single_call(cases, inputs):
    case = cases[cases.case_id == "sii_r111_area1"].iloc[0]
    frame = inputs[inputs.case_id.isin(["sii_r111_area1", "sii_r111_area2"])]

    grouped = slope_index_of_inequality_by_group(
        frame,
        group_columns="case_id",
        lower_column="lowercl",
        upper_column="uppercl",
        n_quantiles=10,
        value_type="proportion",
        multiplier=100,
        repetitions=2000,
        seed=7,
    ).set_index("case_id")

    single = run_case(case, inputs, 0.95, repetitions=2000, seed=7)
    assert grouped.loc["sii_r111_area1", "sii_lower"] == single.sii_lower
    assert grouped.loc["sii_r111_area1", "rii_upper"] == single.rii_upper
    assert grouped.loc["sii_r111_area1", "ci_method"] == "simulation"


# Five equal quintiles with values 1..5: the midpoints are 0.1, 0.3, ..., 0.9, so the line is
# y = 0.5 + 5x; SII = 5, RII = 5.5/0.5 = 11, gap = 1 − 5 = −4, ratio = 1/5.
EQUAL_POPULATION = [1000] * 5
RISING_VALUES = [1.0, 2.0, 3.0, 4.0, 5.0]


def test_hand_checked_quintiles_read_most_deprived_first():
    result = slope_index_of_inequality(EQUAL_POPULATION, RISING_VALUES, se=[0.1] * 5)

    assert result.sii == pytest.approx(5)
    assert result.rii == pytest.approx(11)
    assert result.intercept == pytest.approx(0.5)
    assert result.gap == pytest.approx(-4)
    assert result.ratio == pytest.approx(0.2)
    assert result.sii_lower < result.sii < result.sii_upper
    assert result.rii_lower < result.rii < result.rii_upper
    assert result.reason is None


def test_negative_multiplier_flips_sii_and_inverts_rii():
    plain = slope_index_of_inequality(EQUAL_POPULATION, RISING_VALUES, se=[0.1] * 5)
    flipped = slope_index_of_inequality(
        EQUAL_POPULATION, RISING_VALUES, se=[0.1] * 5, multiplier=-1
    )

    assert flipped.sii == pytest.approx(-plain.sii)
    assert (flipped.sii_lower, flipped.sii_upper) == pytest.approx(
        (-plain.sii_upper, -plain.sii_lower)
    )
    assert flipped.rii == pytest.approx(1 / plain.rii)
    assert (flipped.rii_lower, flipped.rii_upper) == pytest.approx(
        (1 / plain.rii_upper, 1 / plain.rii_lower)
    )


def test_gap_is_in_the_units_of_the_sii():
    result = slope_index_of_inequality(
        EQUAL_POPULATION,
        [0.30, 0.25, 0.20, 0.15, 0.10],
        lower=[0.28, 0.23, 0.18, 0.13, 0.08],
        upper=[0.32, 0.27, 0.22, 0.17, 0.12],
        value_type="proportion",
        transform=True,
        multiplier=100,
    )

    assert result.gap == pytest.approx(20)
    assert result.ratio == pytest.approx(3)
    assert result.sii < 0  # lower among the least deprived


def test_zero_standard_errors_collapse_the_closed_form_limits():
    result = slope_index_of_inequality(EQUAL_POPULATION, RISING_VALUES, se=[0.0] * 5)

    assert result.sii_lower == pytest.approx(result.sii)
    assert result.sii_upper == pytest.approx(result.sii)
    assert result.rii_lower == pytest.approx(result.rii)


def test_simulation_is_reproducible_with_a_seed():
    options = {"se": [0.1] * 5, "value_type": "rate", "repetitions": 5000}
    first = slope_index_of_inequality(EQUAL_POPULATION, RISING_VALUES, seed=3, **options)
    again = slope_index_of_inequality(EQUAL_POPULATION, RISING_VALUES, seed=3, **options)
    other = slope_index_of_inequality(EQUAL_POPULATION, RISING_VALUES, seed=4, **options)

    assert first == again
    assert first.sii_lower != other.sii_lower
    assert first.ci_method == "simulation"


@pytest.mark.parametrize(
    ("population", "value", "reason"),
    [
        pytest.param([1000, 0, 1000, 1000, 1000], RISING_VALUES, "quantile 2 has no population",
                     id="zero-population"),
        pytest.param([1000, np.nan, 1000, 1000, 1000], RISING_VALUES,
                     "quantile 2 has no population", id="missing-population"),
        pytest.param(EQUAL_POPULATION, [1, 2, 3, np.nan, 5], "quantile 4 has no value",
                     id="missing-value"),
    ],
)  # fmt: skip
def test_unusable_quantile_gives_a_reason_not_an_exception(population, value, reason):
    result = slope_index_of_inequality(population, value, se=[0.1] * 5)

    assert result.reason == reason
    assert math.isnan(result.sii)
    assert math.isnan(result.rii_upper)


def test_missing_limits_keep_the_point_estimate():
    result = slope_index_of_inequality(
        EQUAL_POPULATION,
        RISING_VALUES,
        lower=[0.9, 1.9, np.nan, 3.9, 4.9],
        upper=[1.1, 2.1, np.nan, 4.1, 5.1],
    )

    assert result.sii == pytest.approx(5)
    assert math.isnan(result.sii_lower)
    assert result.reason == "quantile 3 has no usable standard error"


def test_transformed_rate_of_zero_gives_a_reason():
    result = slope_index_of_inequality(
        EQUAL_POPULATION,
        [0.0, 2, 3, 4, 5],
        lower=[0.0, 1.5, 2.5, 3.5, 4.5],
        upper=[0.5, 2.5, 3.5, 4.5, 5.5],
        value_type="rate",
        transform=True,
    )

    assert "quantile 1" in result.reason and "log" in result.reason
    assert math.isnan(result.sii)


def test_intercept_indistinguishable_from_zero_leaves_rii_limits_empty():
    result = slope_index_of_inequality(EQUAL_POPULATION, [0.0, 1, 2, 3, 4], se=[5.0] * 5)

    assert math.isfinite(result.sii_lower)
    assert math.isnan(result.rii_lower)
    assert result.reason is not None


def test_grouped_missing_quantile_only_affects_its_group():
    frame = pd.DataFrame(
        {
            "area": ["A"] * 5 + ["B"] * 4,
            "quantile": [1, 2, 3, 4, 5, 1, 2, 4, 5],
            "population": [1000] * 9,
            "value": [1.0, 2, 3, 4, 5, 1, 2, 4, 5],
            "se": [0.1] * 9,
        }
    )

    result = slope_index_of_inequality_by_group(
        frame, group_columns=["area"], se_column="se"
    ).set_index("area")

    assert result.loc["A", "sii"] == pytest.approx(5)
    assert pd.isna(result.loc["A", "reason"])
    assert math.isnan(result.loc["B", "sii"])
    assert result.loc["B", "reason"] == "quantile 3 is missing"


def test_grouped_handles_many_groups():
    rng = np.random.default_rng(0)
    n_groups = 20_000
    frame = pd.DataFrame(
        {
            "area": np.repeat(np.arange(n_groups), 5),
            "period": 2024,
            "quantile": np.tile(np.arange(1, 6), n_groups),
            "population": rng.integers(1000, 50_000, 5 * n_groups),
            "value": rng.uniform(50, 500, 5 * n_groups),
        }
    )
    frame["lower"] = frame.value * 0.9
    frame["upper"] = frame.value * 1.1

    result = slope_index_of_inequality_by_group(
        frame,
        group_columns=["area", "period"],
        lower_column="lower",
        upper_column="upper",
        value_type="rate",
        transform=True,
        multiplier=-1,
    )

    assert len(result) == n_groups
    assert result.reason.isna().all()
    assert (result.sii_lower <= result.sii).all() and (result.sii <= result.sii_upper).all()
    one = frame[frame.area == 123]
    single = slope_index_of_inequality(
        one.population,
        one.value,
        lower=one.lower,
        upper=one.upper,
        value_type="rate",
        transform=True,
        multiplier=-1,
    )
    assert result.loc[123, "rii_upper"] == pytest.approx(single.rii_upper, rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    population=st.lists(st.integers(1, 10**6), min_size=5, max_size=10),
    intercept=st.floats(1, 100),
    slope=st.floats(-50, 50),
)
def test_values_on_a_straight_line_are_fitted_exactly(population, intercept, slope):
    share = np.array(population) / sum(population)
    midpoint = np.cumsum(share) - share / 2
    values = intercept + slope * midpoint

    result = slope_index_of_inequality(population, values, se=np.ones(len(population)))

    assert result.sii == pytest.approx(slope, abs=1e-9 * (1 + abs(slope)))
    assert result.rii == pytest.approx((intercept + slope) / intercept, rel=1e-9)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"population": [1000, -1, 1000, 1000, 1000]}, "population", id="negative-pop"),
        pytest.param({"value_type": "proportion"}, "fractions", id="proportion-above-one"),
        pytest.param({"value": [1, 2, 3, 4]}, "one entry per quantile", id="length-mismatch"),
        pytest.param({"population": [1] * 4, "value": [1] * 4, "se": [1] * 4}, "5 to 100",
                     id="too-few-quantiles"),
        pytest.param({"se": None, "lower": [1] * 5, "upper": [0] * 5}, "lower limit",
                     id="limits-reversed"),
        pytest.param({"lower": [1] * 5, "upper": [2] * 5}, "not both", id="se-and-limits"),
        pytest.param({"transform": True, "value_type": "rate"}, "not se", id="transform-with-se"),
        pytest.param({"se": None, "lower": [0.5] * 5, "upper": [6] * 5, "transform": True},
                     "rates and proportions", id="transform-normal"),
        pytest.param({"value_type": "rate", "ci_method": "closed_form"}, "no closed-form",
                     id="closed-form-untransformed-rate"),
        pytest.param({"value_type": "ratio"}, "value_type", id="unknown-value-type"),
        pytest.param({"multiplier": 0}, "multiplier", id="zero-multiplier"),
        pytest.param({"confidence": 95}, "confidence", id="confidence-as-percent"),
        pytest.param({"se": [-0.1] * 5}, "se must not be negative", id="negative-se"),
        pytest.param({"value_type": "rate", "repetitions": 10}, "repetitions", id="few-reps"),
    ],
)  # fmt: skip
def test_invalid_input_raises_with_a_message(options, message):
    arguments = {"population": EQUAL_POPULATION, "value": RISING_VALUES, "se": [0.1] * 5}
    arguments |= options
    population, value = arguments.pop("population"), arguments.pop("value")

    with pytest.raises(StatisticsInputError, match=message):
        slope_index_of_inequality(population, value, **arguments)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"quantile": [1, 1, 3, 4, 5]}, "more than once", id="duplicate-quantile"),
        pytest.param({"quantile": [1, 2, 3, 4, 6]}, "1 to 5", id="quantile-out-of-range"),
    ],
)
def test_grouped_invalid_structure_raises(change, message):
    frame = pd.DataFrame(
        {"area": "A", "quantile": [1, 2, 3, 4, 5], "population": 1000.0, "value": RISING_VALUES}
    ).assign(se=0.1, **change)

    with pytest.raises(StatisticsInputError, match=message):
        slope_index_of_inequality_by_group(frame, group_columns="area", se_column="se")
