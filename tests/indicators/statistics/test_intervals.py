"""Proportions, crude rates and means against the reference vectors (docs/methods.md §1–§3)."""

import numpy as np
import pytest

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.intervals import (
    byar_count_interval,
    byar_exact_interval,
    exact_count_interval,
    mean_interval,
    mean_interval_from_summary,
    poisson_count_interval,
    poisson_interval_method,
    wilson_interval,
)
from tests import reference_data
from tests.reference_data import assert_interval_matches, case_id

# --- conformance with the reference vectors -------------------------------------------------


def test_wilson_matches_reference(subtests):
    for row in reference_data.rows("proportion_wilson.csv"):
        with subtests.test(case_id(row)):
            result = wilson_interval(
                float(row["numerator"]),
                float(row["denominator"]),
                confidence=float(row["confidence"]),
                multiplier=float(row["multiplier"]),
            )
            assert_interval_matches(result, row)


def test_rate_matches_reference(subtests):
    for row in reference_data.rows("rate_byars.csv"):
        with subtests.test(case_id(row)):
            numerator, confidence = float(row["numerator"]), float(row["confidence"])
            if row["case_id"].startswith("byars_fn_"):
                # The internal Byar functions on the count itself: no exact switch.
                result = byar_count_interval(numerator, confidence=confidence)
            else:
                result = byar_exact_interval(
                    numerator,
                    float(row["denominator"]),
                    confidence=confidence,
                    multiplier=float(row["multiplier"]),
                )
                assert poisson_interval_method(numerator) == row["method"]
            assert_interval_matches(result, row)


def test_mean_of_observations_matches_reference(subtests):
    observations = {
        case: [float(row["value"]) for row in rows]
        for case, rows in reference_data.rows_by_case("mean_inputs.csv").items()
    }
    for row in reference_data.rows("mean_t.csv"):
        with subtests.test(case_id(row)):
            result = mean_interval(
                observations[row["case_id"]], confidence=float(row["confidence"])
            )
            assert_interval_matches(result, row)


def test_mean_from_summary_matches_reference(subtests):
    for row in reference_data.rows("mean_t.csv"):
        with subtests.test(case_id(row)):
            n = int(row["n"])
            standard_deviation = float(row["stdev"]) if row["stdev"] else np.nan
            result = mean_interval_from_summary(
                n,
                float(row["value_sum"]) / n,
                standard_deviation,
                confidence=float(row["confidence"]),
            )
            assert_interval_matches(result, row)


# --- behaviour beyond the vectors -----------------------------------------------------------


def test_wilson_is_vectorised_and_keeps_the_input_shape():
    numerators = np.array([[0, 1], [5, 20]])
    denominators = np.array([[10, 100], [100, 20]])
    result = wilson_interval(numerators, denominators, confidence=0.998, multiplier=100)
    for part in result:
        assert part.shape == (2, 2)
    one_by_one = [
        wilson_interval(x, n, confidence=0.998, multiplier=100)
        for x, n in zip(numerators.ravel(), denominators.ravel(), strict=True)
    ]
    np.testing.assert_array_equal(result.lower.ravel(), [r.lower for r in one_by_one])


def test_scalars_broadcast_against_arrays():
    result = wilson_interval([1, 2, 3], 10)
    np.testing.assert_allclose(result.value, [0.1, 0.2, 0.3])
    assert wilson_interval(1, 10).value.shape == ()


def test_wilson_boundaries_are_exactly_0_and_1():
    result = wilson_interval([0, 7, 5000], [7, 7, 5000], confidence=0.998)
    assert result.lower[0] == 0.0
    assert result.upper[1] == 1.0
    assert result.upper[2] == 1.0


def test_wilson_agrees_with_statsmodels_at_any_level():
    from statsmodels.stats.proportion import proportion_confint

    numerators = np.array([1, 17, 250, 999])
    denominators = np.array([3, 40, 1000, 1000])
    for confidence in (0.8, 0.95, 0.99, 0.998):
        lower, upper = proportion_confint(
            numerators, denominators, alpha=1 - confidence, method="wilson"
        )
        result = wilson_interval(numerators, denominators, confidence=confidence)
        np.testing.assert_allclose(result.lower, lower, rtol=1e-12)
        np.testing.assert_allclose(result.upper, upper, rtol=1e-12)


def test_exact_limits_at_zero_events():
    result = exact_count_interval([0, 0], confidence=0.95)
    assert result.lower[0] == 0.0
    # -ln(α/2): 3.688879 at 95% and 6.907755 at 99.8% (docs/methods.md §2)
    assert result.upper[0] == pytest.approx(-np.log(0.025), rel=1e-12)
    assert exact_count_interval(0, confidence=0.998).upper == pytest.approx(-np.log(0.001))


def test_exact_limits_invert_the_poisson_distribution():
    from scipy.stats import poisson

    counts = np.arange(1, 10)
    result = exact_count_interval(counts, confidence=0.95)
    np.testing.assert_allclose(poisson.sf(counts - 1, result.lower), 0.025, rtol=1e-9)
    np.testing.assert_allclose(poisson.cdf(counts, result.upper), 0.025, rtol=1e-9)


def test_exact_limits_are_the_same_for_many_rows_as_for_few():
    counts = np.tile(np.arange(10.0), 20)  # over 64 rows: the distinct-count path
    many = exact_count_interval(counts)
    few = exact_count_interval(np.arange(10.0))
    np.testing.assert_array_equal(many.upper, np.tile(few.upper, 20))
    np.testing.assert_array_equal(many.lower, np.tile(few.lower, 20))


def test_rate_switches_method_per_row_at_10_events():
    counts = np.array([9, 10, 9, 10])
    mixed = byar_exact_interval(counts, 1000, multiplier=100_000)
    np.testing.assert_array_equal(mixed.lower[:2], mixed.lower[2:])
    exact = exact_count_interval(9)
    byar = byar_count_interval(10)
    assert mixed.lower[0] == pytest.approx(float(exact.lower) * 100, rel=1e-14)
    assert mixed.lower[1] == pytest.approx(float(byar.lower) * 100, rel=1e-14)
    assert list(poisson_interval_method(counts)) == ["Exact", "Byars", "Exact", "Byars"]
    count_limits = poisson_count_interval(counts)
    np.testing.assert_allclose(count_limits.lower, mixed.lower / 100, rtol=1e-14)


def test_byar_lower_limit_is_na_when_negative():
    result = byar_count_interval([1, 0], confidence=0.998)
    assert np.isnan(result.lower).all()
    assert np.isfinite(result.upper).all()


def test_rate_numerator_may_exceed_denominator():
    result = byar_exact_interval(250, 220, multiplier=100_000)
    assert result.value == pytest.approx(113636.36363636365)


def test_mean_of_one_observation_has_no_limits():
    result = mean_interval([42.0], confidence=0.95)
    assert float(result.value) == 42.0
    assert np.isnan(result.lower) and np.isnan(result.upper)


def test_mean_from_summary_is_vectorised():
    result = mean_interval_from_summary([1, 2, 4], [42.0, 2.0, 5.0], [np.nan, 2**0.5, 0.0])
    assert np.isnan(result.lower[0])
    assert result.lower[1] == pytest.approx(-10.706204736174694)
    assert result.lower[2] == result.upper[2] == 5.0


# --- invalid input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wilson_interval(-1, 10), "numerator must not be negative"),
        (lambda: wilson_interval(11, 10), "numerator must not be above the denominator"),
        (lambda: wilson_interval([1, 2], [10, 0]), "denominator must be above 0"),
        (lambda: wilson_interval(np.nan, 10), "numerator must be a finite number"),
        (lambda: wilson_interval(1, np.inf), "denominator must be a finite number"),
        (lambda: wilson_interval(1, 10, confidence=95), "confidence must be a fraction"),
        (lambda: wilson_interval(1, 10, confidence=0), "confidence must be a fraction"),
        (lambda: wilson_interval(1, 10, multiplier=0), "multiplier must be above 0"),
        (lambda: wilson_interval("one", 10), "numerator must be numeric"),
        (lambda: byar_exact_interval(-1, 10), "numerator must not be negative"),
        (lambda: byar_exact_interval(1, 0), "denominator must be above 0"),
        (lambda: byar_exact_interval(np.nan, 10), "numerator must be a finite number"),
        (lambda: byar_exact_interval(1, 10, confidence=1.0), "confidence must be a fraction"),
        (lambda: byar_count_interval(-3), "count must not be negative"),
        (lambda: exact_count_interval(np.nan), "count must be a finite number"),
        (lambda: mean_interval([]), "values must be a non-empty 1-D array"),
        (lambda: mean_interval([1.0, np.nan]), "values must be a finite number"),
        (lambda: mean_interval_from_summary(0, 1.0, 1.0), "observation_count must be"),
        (lambda: mean_interval_from_summary(3, 1.0, -1.0), "must not be negative"),
        (lambda: mean_interval_from_summary(3, 1.0, np.nan), "standard_deviation must be"),
        (lambda: mean_interval([1.0, 2.0], confidence=-0.5), "confidence must be a fraction"),
    ],
)
def test_invalid_input_is_refused_with_a_reason(call, message):
    with pytest.raises(StatisticsInputError, match=message):
        call()


def test_error_says_where_the_bad_row_is():
    with pytest.raises(StatisticsInputError, match=r"2 value\(s\), first at index 1"):
        wilson_interval([1, 5, 1, 9], [2, 3, 4, 8])
