"""Properties every interval must have, whatever the (valid) input: Wilson, exact/Byar, Dobson."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.intervals import Interval, byar_exact_interval, wilson_interval
from indicators.statistics.standardised import directly_standardised_rate

EXAMPLES = settings(max_examples=200, deadline=None)

populations = st.one_of(
    st.integers(min_value=1, max_value=10**9).map(float),
    st.floats(min_value=1e-3, max_value=1e9, allow_nan=False),
)
counts = st.one_of(
    st.integers(min_value=0, max_value=30),  # around the switch from exact to Byar's at 10
    st.integers(min_value=0, max_value=10**8),
    st.floats(min_value=0, max_value=1e8, allow_nan=False),
).map(float)
multipliers = st.sampled_from([1, 100, 1000, 100_000])


@st.composite
def proportion_rows(draw):
    """Rows of (numerator, denominator), often exactly 0 or n, sometimes non-integer."""
    size = draw(st.integers(min_value=1, max_value=40))
    denominators = draw(st.lists(populations, min_size=size, max_size=size))
    fractions = draw(
        st.lists(
            st.one_of(st.just(0.0), st.just(1.0), st.floats(min_value=0, max_value=1)),
            min_size=size,
            max_size=size,
        )
    )
    numerators = [min(f * n, n) for f, n in zip(fractions, denominators, strict=True)]
    return np.array(numerators), np.array(denominators)


@st.composite
def rate_rows(draw):
    size = draw(st.integers(min_value=1, max_value=40))
    numerators = draw(st.lists(counts, min_size=size, max_size=size))
    denominators = draw(st.lists(populations, min_size=size, max_size=size))
    return np.array(numerators), np.array(denominators)


@st.composite
def dsr_areas(draw):
    """Areas × 19 age bands of events and populations, often near 10 events in all."""
    areas = draw(st.integers(min_value=1, max_value=6))
    populations = draw(arrays(float, (areas, 19), elements=st.integers(1, 200_000)))
    largest_count = draw(st.sampled_from([1, 3, 5_000]))
    events = draw(arrays(float, (areas, 19), elements=st.integers(0, largest_count)))
    return events, populations


def assert_ordered_and_nested(narrow, wide):
    """lower ≤ value ≤ upper, no NaN, and the 99.8% interval contains the 95% one — to within
    floating-point rounding (1e-12 of the scale), as the reference README allows: at x = n
    both upper limits are 1 in theory and can differ in the 16th digit."""
    scale = np.abs(np.array(wide))
    slack = 1e-12 * max(1.0, float(scale.max())) if scale.size else 0.0
    for interval in (narrow, wide):
        assert not np.isnan(np.array(interval)).any()
        assert np.all(interval.lower <= interval.value + slack)
        assert np.all(interval.value <= interval.upper + slack)
    assert np.all(wide.lower <= narrow.lower + slack)
    assert np.all(narrow.upper <= wide.upper + slack)


@EXAMPLES
@given(proportion_rows(), multipliers)
def test_wilson_intervals_are_ordered_nested_and_bounded(rows, multiplier):
    numerators, denominators = rows
    narrow = wilson_interval(numerators, denominators, confidence=0.95, multiplier=multiplier)
    wide = wilson_interval(numerators, denominators, confidence=0.998, multiplier=multiplier)
    assert_ordered_and_nested(narrow, wide)
    assert np.all(wide.lower >= 0) and np.all(wide.upper <= multiplier)
    assert np.all(wide.lower[numerators == 0] == 0)
    assert np.all(wide.upper[numerators == denominators] == multiplier)


@EXAMPLES
@given(rate_rows(), multipliers)
def test_rate_intervals_are_ordered_nested_and_non_negative(rows, multiplier):
    numerators, denominators = rows
    narrow = byar_exact_interval(numerators, denominators, confidence=0.95, multiplier=multiplier)
    wide = byar_exact_interval(numerators, denominators, confidence=0.998, multiplier=multiplier)
    assert_ordered_and_nested(narrow, wide)
    assert np.all(wide.lower >= 0)
    assert np.all(wide.lower[numerators == 0] == 0)


@EXAMPLES
@given(dsr_areas())
def test_dsr_intervals_are_ordered_nested_or_suppressed(areas):
    events, populations = areas
    narrow = directly_standardised_rate(events, populations, confidence=0.95)
    wide = directly_standardised_rate(events, populations, confidence=0.998)
    enough = events.sum(axis=1) >= 10
    np.testing.assert_array_equal(narrow.suppressed, ~enough)
    # Below 10 events every part is NaN; from 10 none is.
    assert np.isnan(np.array(wide.interval)[:, ~enough]).all()
    assert_ordered_and_nested(
        Interval(*(part[enough] for part in narrow.interval)),
        Interval(*(part[enough] for part in wide.interval)),
    )


# --- invalid input --------------------------------------------------------------------------

confidences_out_of_range = st.one_of(
    st.floats(max_value=0, allow_nan=False),
    st.floats(min_value=1, allow_nan=False),
    st.just(float("nan")),
)


@EXAMPLES
@given(proportion_rows(), st.data())
def test_wilson_names_what_is_wrong(rows, data):
    numerators, denominators = rows
    row = data.draw(st.integers(min_value=0, max_value=len(numerators) - 1))
    fault, message = data.draw(
        st.sampled_from(
            [
                ("negative numerator", "numerator must not be negative"),
                ("numerator above denominator", "numerator must not be above the denominator"),
                ("zero denominator", "denominator must be above 0"),
                ("missing numerator", "numerator must be a finite number"),
                ("missing denominator", "denominator must be a finite number"),
            ]
        )
    )
    numerators, denominators = numerators.copy(), denominators.copy()
    if fault == "negative numerator":
        numerators[row] = -data.draw(st.floats(min_value=1e-9, max_value=1e6))
    elif fault == "numerator above denominator":
        numerators[row] = denominators[row] * 1.5 + 1
    elif fault == "zero denominator":
        denominators[row] = data.draw(st.sampled_from([0.0, -1.0, -1e6]))
        numerators[row] = 0.0
    elif fault == "missing numerator":
        numerators[row] = np.nan
    else:
        denominators[row] = data.draw(st.sampled_from([np.nan, np.inf]))
    with pytest.raises(StatisticsInputError, match=message):
        wilson_interval(numerators, denominators)


@EXAMPLES
@given(rate_rows(), st.data())
def test_rate_names_what_is_wrong(rows, data):
    numerators, denominators = rows
    row = data.draw(st.integers(min_value=0, max_value=len(numerators) - 1))
    numerators, denominators = numerators.copy(), denominators.copy()
    fault = data.draw(st.sampled_from(["negative", "zero denominator", "missing"]))
    if fault == "negative":
        numerators[row] = -1.0
        message = "numerator must not be negative"
    elif fault == "zero denominator":
        denominators[row] = 0.0
        message = "denominator must be above 0"
    else:
        numerators[row] = np.nan
        message = "numerator must be a finite number"
    with pytest.raises(StatisticsInputError, match=message):
        byar_exact_interval(numerators, denominators)


@EXAMPLES
@given(dsr_areas(), st.data())
def test_dsr_names_what_is_wrong(areas, data):
    events, populations = areas
    area = data.draw(st.integers(min_value=0, max_value=len(events) - 1))
    band = data.draw(st.integers(min_value=0, max_value=18))
    fault = data.draw(st.sampled_from(["negative events", "empty band", "missing population"]))
    if fault == "negative events":
        events[area, band] = -1.0
        message = "events must not be negative"
    elif fault == "empty band":
        populations[area, band] = 0.0
        message = "populations must be above 0"
    else:
        populations[area, band] = np.nan
        message = "populations must be a finite number"
    with pytest.raises(StatisticsInputError, match=message):
        directly_standardised_rate(events, populations)


@EXAMPLES
@given(confidences_out_of_range)
def test_confidence_outside_0_to_1_is_refused(confidence):
    for call in (
        lambda: wilson_interval(1, 10, confidence=confidence),
        lambda: byar_exact_interval(1, 10, confidence=confidence),
        lambda: directly_standardised_rate(np.ones(19), np.ones(19), confidence=confidence),
    ):
        with pytest.raises(StatisticsInputError, match="confidence must be a fraction"):
            call()
