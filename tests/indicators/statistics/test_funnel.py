"""Funnel-plot limits and significance (docs/methods.md §7) against the reference funnel files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtri
from scipy.stats import chi2

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.funnel import (
    DSR_TOO_FEW_EVENTS,
    poisson_mean_at_limit,
    proportion_funnel_limits,
    proportion_funnel_significance,
    proportion_limits_at,
    rate_funnel_limits,
    rate_funnel_significance,
    ratio_funnel_limits,
    ratio_funnel_significance,
)
from tests import reference_data
from tests.reference_data import BISECTION_RELATIVE, FUNNEL_PROPORTION_ABSOLUTE, RELATIVE

LINES = ("lower_2s", "upper_2s", "lower_3s", "upper_3s")


def by_scenario(expected: pd.DataFrame, computed) -> list[tuple[pd.Series, pd.Series]]:
    """Each expected row beside the computed row at the same place in its scenario's table;
    ``computed(scenario)`` gives that table."""
    pairs = []
    for scenario, rows in expected.groupby("scenario", sort=False):
        table = computed(scenario)
        expected_rows = [row for _, row in rows.iterrows()]
        computed_rows = [row for _, row in table.iterrows()]
        pairs += zip(expected_rows, computed_rows, strict=True)
    return pairs


def assert_labels_match(subtests, labels, areas: pd.DataFrame, name) -> None:
    """Each area's label against its ``expected_significance``, a subtest each, named by
    ``name(index, area)``."""
    for position, (index, area) in enumerate(areas.iterrows()):
        with subtests.test(name(index, area)):
            assert labels[position] == area.expected_significance


# --- Proportions ---------------------------------------------------------------------------


def test_proportion_significance_matches_reference(subtests):
    areas = reference_data.frame("funnel_proportion_significance.csv")
    labels = proportion_funnel_significance(areas.numerator, areas.denominator)
    assert_labels_match(subtests, labels, areas, lambda index, area: f"{index}-{area.area}")


def test_proportion_limits_match_reference(subtests):
    areas = reference_data.frame("funnel_proportion_significance.csv")

    def limits(scenario: str) -> pd.DataFrame:
        # reference/README.md: all 303 areas, or only those with denominator < 31000.
        chosen = areas[areas.denominator < 31000] if scenario == "denominator_lt_31000" else areas
        return proportion_funnel_limits(chosen.numerator, chosen.denominator, multiplier=100)

    expected_limits = reference_data.frame("funnel_proportion_limits.csv")
    for expected, row in by_scenario(expected_limits, limits):
        with subtests.test(f"{expected.scenario}-n={expected.population:g}"):
            assert row.population == expected.population
            for column in ("lower_2s_limit", "upper_2s_limit", "lower_3s_limit", "upper_3s_limit"):
                assert row[column] == pytest.approx(
                    expected[column], abs=FUNNEL_PROPORTION_ABSOLUTE
                )
            assert row.baseline == pytest.approx(expected.baseline, abs=FUNNEL_PROPORTION_ABSOLUTE)


def wilson_bound(x, n, z, sign):
    return (2 * x + z**2 + sign * z * np.sqrt(z**2 + 4 * x * (1 - x / n))) / (2 * (n + z**2))


@settings(max_examples=60, deadline=None)
@given(
    baseline=st.floats(0.01, 0.99),
    population=st.floats(5, 1e6),
    tail=st.sampled_from([0.025, 0.001]),
)
def test_proportion_limits_are_the_wilson_interval_inverted(baseline, population, tail):
    lower, upper = proportion_limits_at(population, baseline=baseline, tail=tail)
    z = ndtri(1 - tail)

    # The lower limit is the proportion whose Wilson upper limit is the baseline, and so on.
    if lower > 0:
        assert wilson_bound(lower * population, population, z, +1) == pytest.approx(baseline)
    if upper < 1:
        assert wilson_bound(upper * population, population, z, -1) == pytest.approx(baseline)


def test_proportion_limits_are_clipped_to_the_multiplier_not_100():
    lower, upper = proportion_limits_at([1, 10], baseline=0.9, tail=0.001, multiplier=1000)

    assert lower[0] == 0
    assert upper[0] == 1000
    assert 0 < lower[1] < 900 < upper[1] <= 1000


def test_proportion_significance_hand_example():
    # Baseline 50% at n = 100: the 2s limits are 40.2%–59.8% and the 3s limits 34.5%–65.5%.
    labels = proportion_funnel_significance([70, 60, 55, 40, 30], [100] * 5, baseline=0.5)

    assert list(labels) == [
        "High (0.001)",
        "High (0.025)",
        "Not significant",
        "Low (0.025)",
        "Low (0.001)",
    ]


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        pytest.param([5, -1], [10, 10], "numerator must not be negative", id="negative"),
        pytest.param([5, 11], [10, 10], "exceed", id="numerator-above-denominator"),
        pytest.param([5, 1], [10, 0], "denominator must be positive", id="zero-denominator"),
        pytest.param([5, np.nan], [10, 10], "finite", id="missing-numerator"),
        pytest.param([5], [10, 10], "equal-length", id="length-mismatch"),
    ],
)
def test_proportion_funnel_rejects_invalid_input(numerator, denominator, message):
    with pytest.raises(StatisticsInputError, match=message):
        proportion_funnel_significance(numerator, denominator)


# --- Ratios --------------------------------------------------------------------------------


def test_ratio_significance_matches_reference(subtests):
    areas = reference_data.frame("funnel_ratio_significance.csv")
    labels = ratio_funnel_significance(areas.observed, areas.expected)
    assert_labels_match(
        subtests,
        labels,
        areas,
        lambda index, area: f"{index}-O={area.observed}-E={area.expected:.2f}",
    )


def test_ratio_limits_match_reference(subtests):
    areas = reference_data.frame("funnel_ratio_significance.csv")
    table = ratio_funnel_limits(areas.expected)
    expected_limits = reference_data.frame("funnel_ratio_limits.csv")
    pairs = zip(expected_limits.iterrows(), table.iterrows(), strict=True)
    for (_, expected), (_, row) in pairs:
        with subtests.test(f"obs={expected.observed_events}"):
            assert row.observed_events == expected.observed_events
            for line in LINES:
                for column in (f"{line}_exp_events", f"{line}_isr"):
                    assert row[column] == pytest.approx(expected[column], rel=RELATIVE)
                # The count form is the ratio minus 1, so its relative error is the ratio's
                # magnified near 0: compare it on the ratio scale, at the same tolerance.
                count = f"{line}_count"
                assert row[count] + 1 == pytest.approx(expected[count] + 1, rel=RELATIVE)


@pytest.mark.parametrize("observed", [1, 2, 9, 10, 55, 328, 1000])
@pytest.mark.parametrize("tail", [0.025, 0.001])
def test_bisection_is_within_1e4_of_the_exact_poisson_root(observed, tail):
    # Exact roots: P(X ≤ obs | m) = tail at m = χ²(1 − tail; 2obs + 2)/2, and
    # P(X ≥ obs | m) = tail at m = χ²(tail; 2obs)/2.
    upper = poisson_mean_at_limit(observed, tail=tail, side="upper")
    lower = poisson_mean_at_limit(observed, tail=tail, side="lower")

    assert upper == pytest.approx(chi2.ppf(1 - tail, 2 * observed + 2) / 2, rel=BISECTION_RELATIVE)
    assert lower == pytest.approx(chi2.ppf(tail, 2 * observed) / 2, rel=BISECTION_RELATIVE)


def test_ratio_significance_hand_examples():
    # Limits on O (95%; 99.8%): O = 0 exact upper 3.69; 6.91 (lower exactly 0). O = 2 exact
    # upper 7.22; 11.23. O = 20 Byar's lower 12.2; 8.9. O = 25 Byar's lower 16.2; 12.3.
    labels = ratio_funnel_significance([0, 2, 10, 20, 25], [5, 10, 10, 10, 10])

    assert list(labels) == [
        "Low (0.025)",
        "Low (0.025)",
        "Not significant",
        "High (0.025)",
        "High (0.001)",
    ]


# --- Rates ---------------------------------------------------------------------------------


def test_rate_significance_matches_reference(subtests):
    for scenario, areas in reference_data.frame("funnel_rate_significance.csv").groupby(
        "scenario", sort=False
    ):
        labels = rate_funnel_significance(
            areas["count"],
            areas.rate,
            rate_type=areas.rate_type.iloc[0],
            multiplier=areas.multiplier.iloc[0],
            denominator=areas["pop"],
        )
        assert_labels_match(
            subtests,
            labels,
            areas,
            lambda index, area, scenario=scenario: f"{scenario}-{index}-count={area['count']}",
        )


def rate_limits(scenario: str, inputs: pd.DataFrame) -> pd.DataFrame:
    """The three scenarios of testFunnels.R, as reference/README.md describes them."""
    areas = inputs.copy()
    options = {"multiplier": 1e5, "years_of_data": 3}
    if scenario == "S1":
        return rate_funnel_limits(areas.ev, areas.rate, rate_type="dsr", **options)
    busiest = areas.ev.idxmax()
    if scenario == "S2":
        areas.loc[busiest, "ev"] = 5
        return rate_funnel_limits(areas.ev, areas.rate, rate_type="crude", **options)
    areas["pop"] = 1e5 * areas.ev / areas.rate
    areas.loc[busiest, ["ev", "rate"]] = 0
    areas = areas[areas["pop"] > areas["pop"].max() / 2]
    return rate_funnel_limits(
        areas.ev, areas.rate, rate_type="crude", denominator=areas["pop"], **options
    )


def test_rate_limits_match_reference(subtests):
    inputs = reference_data.frame("funnel_rate_limits_inputs.csv")
    expected_limits = reference_data.frame("funnel_rate_limits.csv")
    # The scenario text starts with its short name: S1, S2 or S3.
    for expected, row in by_scenario(expected_limits, lambda text: rate_limits(text[:2], inputs)):
        with subtests.test(f"{expected.scenario[:2]}-{expected.Events}"):
            assert row.events == expected.Events
            for line in LINES:
                for column in (f"{line}_population_1_year", f"{line}_limit"):
                    assert row[column] == pytest.approx(expected[column], rel=RELATIVE)
            assert row.baseline == pytest.approx(expected.baseline, rel=RELATIVE)


def test_dsr_with_fewer_than_10_events_is_not_assessed():
    labels = rate_funnel_significance(
        [0, 9, 500, 400], [np.nan, 50.0, 120.0, 80.0], rate_type="dsr", multiplier=1e5
    )

    assert list(labels[:2]) == [DSR_TOO_FEW_EVENTS, DSR_TOO_FEW_EVENTS]
    assert labels[2].startswith("High") and labels[3].startswith("Low")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"rate_type": "crude"}, "need a denominator", id="crude-zero-no-denominator"),
        pytest.param({"rate_type": "isr"}, "rate_type", id="unknown-rate-type"),
        pytest.param({"multiplier": 0}, "multiplier", id="zero-multiplier"),
        pytest.param({"rate": [np.nan, 0.0, 80.0]}, "positive", id="zero-rate-with-events"),
        pytest.param({"events": [0, -3, 400]}, "negative", id="negative-events"),
    ],
)
def test_rate_funnel_rejects_invalid_input(options, message):
    arguments = {"events": [0, 500, 400], "rate": [np.nan, 120.0, 80.0], "rate_type": "dsr"}
    arguments |= {"multiplier": 1e5} | options
    events, rate = arguments.pop("events"), arguments.pop("rate")

    with pytest.raises(StatisticsInputError, match=message):
        rate_funnel_significance(events, rate, **arguments)


# --- A benchmark given (England's or a parent's value, as the explorer's funnel uses) --------


def test_proportion_limits_around_a_given_baseline_are_those_at_that_baseline():
    numerator, denominator = [200, 500, 800], [1000, 1000, 1000]

    table = proportion_funnel_limits(numerator, denominator, multiplier=100, baseline=0.4)
    pooled = proportion_funnel_limits(numerator, denominator, multiplier=100)

    assert set(table.baseline) == {40.0} and set(pooled.baseline) == {50.0}
    lower, upper = proportion_limits_at(table.population, baseline=0.4, tail=0.025, multiplier=100)
    np.testing.assert_allclose(table.lower_2s_limit, lower)
    np.testing.assert_allclose(table.upper_2s_limit, upper)


def test_rate_significance_against_a_given_baseline():
    # 100 per 100,000 expected in 100,000 people: 200 and 125 events above, 60 below.
    events = [200, 100, 125, 60]
    labels = rate_funnel_significance(
        events, events, rate_type="crude", multiplier=1e5, denominator=[1e5] * 4, baseline=1e-3
    )

    assert list(labels) == ["High (0.001)", "Not significant", "High (0.025)", "Low (0.001)"]
    # Against the areas' own average (121.25) the 125 is no longer high.
    pooled = rate_funnel_significance(
        events, events, rate_type="crude", multiplier=1e5, denominator=[1e5] * 4
    )
    assert pooled[2] == "Not significant"


def test_rate_limits_around_a_given_baseline():
    events = [200, 100, 125, 60]

    table = rate_funnel_limits(events, events, rate_type="crude", multiplier=1e5, baseline=1e-3)

    assert set(table.baseline) == {100.0}
    # Each limit point: a Poisson mean m at its events, at a population of m / baseline.
    mean = poisson_mean_at_limit(table.events, tail=0.025, side="upper")
    np.testing.assert_allclose(table.lower_2s_population_1_year, mean / 1e-3)
    np.testing.assert_allclose(table.lower_2s_limit, 1e-3 * table.events / mean * 1e5)
    with pytest.raises(StatisticsInputError, match="baseline"):
        rate_funnel_limits(events, events, rate_type="crude", multiplier=1e5, baseline=0)
