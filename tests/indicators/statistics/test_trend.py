"""Fingertips recent-trend marker (docs/methods.md §10) against the fingertips-open test series."""

import math

import numpy as np
import pytest

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.trend import (
    CHI_SQUARE_THRESHOLD,
    chi_square_for_trend_in_proportions,
    recent_trend,
    recent_trend_for_shape,
)
from tests import reference_data
from tests.reference_data import ABSOLUTE_AT_ZERO, CHI_SQUARE_RELATIVE, SIX_DECIMAL_PLACES

CASES_FILE = "recent_trend_cases.csv"

# Expected results from the reference README (TrendMarkerCalculatorTest.cs and recomputation):
# χ² at full precision, the leave-one-out slopes at 6 dp, significance and marker.
EXPECTED = {
    ("set1", "ci_weighted"): {
        "chi_square": 46.7653157921,
        "slopes": (1.751566, 2.048019, 1.569783, 1.747842, 1.628263, 1.990169),
        "marker": "increasing",
    },
    ("set1", "proportions"): {
        "chi_square": 47.8966767076,
        "slopes": (0.065250, 0.074566, 0.058406, 0.065250, 0.060680, 0.075907),
        "marker": "increasing",
    },
    ("set2", "ci_weighted"): {
        "chi_square": 0.4642430851,
        "slopes": (-0.259981, -0.141948, -0.326756, -0.266799, -0.495826, 0.202537),
        "marker": "no_significant_change",
    },
    ("set2", "proportions"): {
        "chi_square": 0.4002640633,
        "slopes": None,  # the README gives only "signs differ"
        "marker": "no_significant_change",
    },
    ("set3_count_equals_denominator", "ci_weighted"): {
        "chi_square": 0.0,
        "slopes": (),
        "marker": "cannot_be_calculated",
    },
    ("set3_count_equals_denominator", "proportions"): {
        "chi_square": 0.0,
        "slopes": (),
        "marker": "cannot_be_calculated",
    },
}
LABELS = {
    "increasing": "Increasing",
    "no_significant_change": "No significant change",
    "cannot_be_calculated": "Cannot be calculated",
}


def series(case):
    """One reference series, oldest year first, as arrays."""
    cases = reference_data.frame(CASES_FILE)
    rows = cases[cases.case == case].sort_values("year")
    return {
        "values": rows.value.to_numpy(),
        "lower_ci95": rows.lower_ci95.to_numpy(),
        "upper_ci95": rows.upper_ci95.to_numpy(),
        "counts": rows["count"].to_numpy(),
        "denominators": rows.denominator.to_numpy(),
    }


def trend_of(data, **options):
    data = dict(data)
    options = {"polarity": "no_judgement", **options}
    return recent_trend(data.pop("values"), **data, **options)


def test_every_reference_series_has_expected_results():
    assert {case for case, _ in EXPECTED} == set(reference_data.frame(CASES_FILE).case)


def test_threshold_is_the_998_chi_square_critical_value():
    assert CHI_SQUARE_THRESHOLD == pytest.approx(9.54953570608324, rel=1e-14)


@pytest.mark.parametrize(
    ("case", "method"), list(EXPECTED), ids=[f"{case}-{method}" for case, method in EXPECTED]
)
def test_reference_case(case, method):
    expected = EXPECTED[case, method]
    result = trend_of(series(case), method=method)
    assert math.isclose(
        result.chi_square,
        expected["chi_square"],
        rel_tol=CHI_SQUARE_RELATIVE,
        abs_tol=ABSOLUTE_AT_ZERO,
    )
    assert round(result.chi_square, 2) == round(expected["chi_square"], 2)
    assert result.marker == expected["marker"]
    assert result.label == LABELS[expected["marker"]]
    assert result.significant is (expected["marker"] == "increasing")
    if expected["slopes"] is not None:
        assert result.leave_one_out_slopes == pytest.approx(
            expected["slopes"], abs=SIX_DECIMAL_PLACES
        )
    if expected["marker"] == "cannot_be_calculated":
        assert result.reason == "a count equals its denominator"
        assert result.slope is None
    else:
        assert result.reason is None
        assert result.points_used == (0, 1, 2, 3, 4)


def test_set2_proportions_fails_the_leave_one_out_check():
    slopes = trend_of(series("set2"), method="proportions").leave_one_out_slopes
    assert any(s < 0 for s in slopes) and any(s >= 0 for s in slopes)


@pytest.mark.parametrize(
    ("polarity", "label", "judgement"),
    [
        ("higher_better", "Increasing and getting better", "better"),
        ("lower_better", "Increasing and getting worse", "worse"),
        ("no_judgement", "Increasing", None),
    ],
)
@pytest.mark.parametrize("method", ["ci_weighted", "proportions"])
def test_set1_labels_by_polarity(polarity, label, judgement, method):
    result = trend_of(series("set1"), polarity=polarity, method=method)
    assert (result.label, result.direction, result.judgement) == (label, "increasing", judgement)


@pytest.mark.parametrize("polarity", ["higher_better", "lower_better", "no_judgement"])
def test_set2_is_no_significant_change_whatever_the_polarity(polarity):
    result = trend_of(series("set2"), polarity=polarity)
    assert (result.label, result.direction, result.judgement) == (
        "No significant change",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("polarity", "label"),
    [
        ("higher_better", "Decreasing and getting worse"),
        ("lower_better", "Decreasing and getting better"),
        ("no_judgement", "Decreasing"),
    ],
)
def test_a_falling_series_is_decreasing(polarity, label):
    falling = {name: array[::-1] for name, array in series("set1").items()}
    result = trend_of(falling, polarity=polarity)
    assert result.label == label
    assert result.marker == "decreasing"
    assert result.chi_square == pytest.approx(46.7653157921, rel=CHI_SQUARE_RELATIVE)


def test_proportions_direction_follows_the_logit_slope():
    # Legacy Fingertips would call this rise "Decreasing" (§10); we take the logit slope
    falling = {name: array[::-1] for name, array in series("set1").items()}
    assert trend_of(series("set1"), method="proportions").direction == "increasing"
    assert trend_of(falling, method="proportions").direction == "decreasing"


def test_chi_square_for_trend_in_proportions_directly():
    data = series("set1")
    chi_square = chi_square_for_trend_in_proportions(data["counts"], data["denominators"])
    assert chi_square == pytest.approx(47.8966767076, rel=CHI_SQUARE_RELATIVE)


def test_a_significant_chi_square_can_fail_the_leave_one_out_check():
    # One late jump: χ² is large, but without the last point the slope turns negative
    values = np.array([12.0, 10, 10, 10, 30])
    data = {
        "values": values,
        "lower_ci95": values - 0.5,
        "upper_ci95": values + 0.5,
        "counts": values * 10,
        "denominators": np.full(5, 1000.0),
    }
    result = trend_of(data, polarity="higher_better")
    assert result.chi_square > CHI_SQUARE_THRESHOLD
    assert result.leave_one_out_slopes[5] < 0 < result.leave_one_out_slopes[0]
    assert not result.significant
    assert result.label == "No significant change"


def test_a_zero_slope_counts_as_positive():
    # Dropping the last point leaves a flat line (slope 0): still the same sign as the rest
    values = np.array([10.0, 10, 10, 10, 30])
    data = {
        "values": values,
        "lower_ci95": values - 0.5,
        "upper_ci95": values + 0.5,
        "counts": values * 10,
        "denominators": np.full(5, 1000.0),
    }
    result = trend_of(data, polarity="higher_better")
    assert result.leave_one_out_slopes[5] == pytest.approx(0, abs=1e-12)
    assert result.significant and result.label == "Increasing and getting better"


def test_only_the_five_most_recent_valid_points_are_used():
    data = series("set1")
    longer = {name: np.r_[array[:2], array] for name, array in data.items()}
    result = trend_of(longer)
    assert result.points_used == (2, 3, 4, 5, 6)
    assert result.chi_square == pytest.approx(46.7653157921, rel=CHI_SQUARE_RELATIVE)


def with_point(data, position, **changes):
    changed = {name: array.astype(float) for name, array in data.items()}
    for name, value in changes.items():
        changed[name][position] = value
    return changed


def six_years():
    """Six valid years: one spare before the five the marker needs."""
    return {name: np.r_[array[:1], array] for name, array in series("set1").items()}


@pytest.mark.parametrize(
    ("data", "options", "reason"),
    [
        (lambda: {k: v[1:] for k, v in series("set1").items()}, {}, "fewer than 5 data points"),
        (lambda: with_point(six_years(), 2, values=np.nan), {}, "unbroken run"),
        (lambda: with_point(six_years(), 2, counts=np.nan), {}, "unbroken run"),
        (lambda: with_point(six_years(), 2, denominators=0), {}, "unbroken run"),
        (lambda: with_point(series("set1"), 4, lower_ci95=np.nan), {}, "confidence intervals"),
        (lambda: with_point(series("set1"), 3, upper_ci95=28.63), {}, "zero width"),
        (
            lambda: with_point(series("set1"), 3, counts=0),
            {"method": "proportions"},
            "count is zero",
        ),
        (lambda: with_point(series("set1"), 3, counts=44064), {}, "count equals its denominator"),
        (lambda: series("set1"), {"value_type": "mean"}, "proportions, crude rates and DSRs"),
        (lambda: series("set1"), {"period_years": 3}, "single-year periods"),
    ],
    ids=[
        "four_points",
        "suppressed_value",
        "missing_count",
        "zero_denominator",
        "missing_ci",
        "zero_width_ci",
        "zero_count_for_proportions",
        "count_equals_denominator",
        "value_type",
        "multi_year_periods",
    ],
)
def test_cannot_be_calculated_with_a_reason(data, options, reason):
    result = trend_of(data(), **options)
    assert result.marker == "cannot_be_calculated"
    assert result.label == "Cannot be calculated"
    assert reason in result.reason
    assert result.chi_square == 0
    assert not result.significant and result.direction is None


def test_a_gap_before_five_recent_valid_points_does_not_matter():
    result = trend_of(with_point(six_years(), 0, values=np.nan))
    assert result.points_used == (1, 2, 3, 4, 5)
    assert result.label == "Increasing"


def test_a_point_without_cis_is_skipped_not_a_break():
    # Valid data need value, count and denominator; the CI filter picks from the valid run
    result = trend_of(with_point(six_years(), 3, lower_ci95=np.nan))
    assert result.points_used == (0, 1, 2, 4, 5)


def test_a_zero_count_is_fine_for_the_ci_weighted_test():
    data = with_point(series("set1"), 0, counts=0)
    assert trend_of(data).label == "Increasing"


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        ({"counts": [1, 2, 3]}, {}, "same length"),
        ({"values": [1, 2, np.inf, 4, 5]}, {}, "infinite"),
        ({"counts": [1, -2, 3, 4, 5]}, {}, "negative"),
        ({"lower_ci95": [30, 0, 0, 0, 0]}, {}, "above its upper"),
        ({"values": ["a"] * 5}, {}, "numeric"),
        ({}, {"method": "spc"}, "method"),
        ({}, {"polarity": "up"}, "polarity"),
    ],
)
def test_invalid_input(change, options, message):
    data = {**series("set1"), **{k: np.array(v) for k, v in change.items()}}
    with pytest.raises(StatisticsInputError, match=message):
        trend_of(data, **options)


def test_proportions_test_refuses_counts_above_denominators():
    with pytest.raises(StatisticsInputError, match="between 0 and their denominators"):
        chi_square_for_trend_in_proportions([5, 12], [10, 10])


@pytest.mark.parametrize("value_type", ["proportion", "crude_rate", "dsr", "other"])
@pytest.mark.parametrize("period_years", [0, 1])
@pytest.mark.parametrize("points", [1, 4, 5, 6])
@pytest.mark.parametrize("method", ["ci_weighted", "proportions"])
def test_the_shape_answer_is_what_every_series_of_that_shape_gets(
    value_type, period_years, points, method
):
    """recent_trend_for_shape lets derive skip series; it must never answer for values."""
    shape = {"method": method, "value_type": value_type, "period_years": period_years}
    answer = recent_trend_for_shape(points=points, **shape)
    data = {name: values[-points:] for name, values in series("set1").items()}
    full = trend_of(data, **shape)
    if value_type == "other" or period_years != 1 or points < 5:
        assert answer == full and answer.marker == "cannot_be_calculated"
    else:
        assert answer is None and full.marker != "cannot_be_calculated"
