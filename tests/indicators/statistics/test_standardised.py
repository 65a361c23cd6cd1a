"""Directly and indirectly standardised rates against the reference vectors (§4, §5)."""

import numpy as np
import pytest

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.intervals import byar_count_interval, poisson_interval_method
from indicators.statistics.standardised import (
    AGE_BANDS_ESP2013,
    DSR_SUPPRESSED_NOTE,
    ESP1976,
    ESP2013,
    directly_standardised_rate,
    directly_standardised_rate_non_independent,
    expected_events,
    indirectly_standardised_rate,
    indirectly_standardised_ratio,
)
from tests import reference_data
from tests.reference_data import RELATIVE, assert_interval_matches, case_id, number

# --- DSR ------------------------------------------------------------------------------------


def dsr_for(row: dict[str, str], inputs: dict[str, list[dict[str, str]]]):
    bands = inputs[row["input_case_id"]]
    settings = {"confidence": float(row["confidence"]), "multiplier": float(row["multiplier"])}
    if row["independent_events"] == "True":
        return directly_standardised_rate(
            [number(band["count"]) for band in bands],
            [number(band["pop"]) for band in bands],
            standard_population=[number(band["stdpop"]) for band in bands],
            **settings,
        )
    # One input row per age band and event frequency: persons with that many events.
    frequencies = sorted({int(band["eventfreq"]) for band in bands})
    age_bands = list(dict.fromkeys(band["ageband"] for band in bands))
    persons = np.zeros((len(age_bands), len(frequencies)))
    populations, weights = {}, {}
    for band in bands:
        position = age_bands.index(band["ageband"])
        persons[position, frequencies.index(int(band["eventfreq"]))] = number(band["count"])
        populations[position], weights[position] = number(band["pop"]), number(band["stdpop"])
    return directly_standardised_rate_non_independent(
        persons,
        [populations[i] for i in range(len(age_bands))],
        frequencies,
        standard_population=[weights[i] for i in range(len(age_bands))],
        **settings,
    )


def test_dsr_matches_reference(subtests):
    inputs = reference_data.rows_by_case("dsr_inputs.csv")
    for row in reference_data.rows("dsr_dobson.csv"):
        with subtests.test(case_id(row)):
            result = dsr_for(row, inputs)
            assert float(result.total_events) == float(row["total_count"])
            assert bool(result.suppressed) == (row["value"] == "")
            assert_interval_matches(result.interval, row)


def test_esp2013_has_19_bands_summing_to_100000():
    assert len(ESP2013) == len(AGE_BANDS_ESP2013) == 19
    assert ESP2013.sum() == 100_000
    assert ESP1976.sum() == 100_000 and len(ESP1976) == 18
    with pytest.raises(ValueError):
        ESP2013[0] = 1  # a shared constant must not be changed by accident


def test_dsr_is_vectorised_over_areas():
    rng = np.random.default_rng(7)
    populations = rng.integers(200, 5000, size=(6, 19)).astype(float)
    events = rng.poisson(populations * 0.01).astype(float)
    events[2] = 0  # suppressed
    together = directly_standardised_rate(events, populations, confidence=0.998)
    assert together.interval.value.shape == (6,)
    for area in range(6):
        alone = directly_standardised_rate(events[area], populations[area], confidence=0.998)
        for part_together, part_alone in zip(together.interval, alone.interval, strict=True):
            np.testing.assert_allclose(part_together[area], part_alone, rtol=1e-13)
    assert list(together.suppressed) == [False, False, True, False, False, False]


def test_dsr_below_10_events_is_na_with_a_reason():
    populations = np.full(19, 1000.0)
    events = np.zeros(19)
    events[-1] = 9
    result = directly_standardised_rate(events, populations)
    assert np.isnan(result.interval).all()
    assert bool(result.suppressed) and float(result.total_events) == 9
    assert DSR_SUPPRESSED_NOTE == "dsr NA for total count < 10"
    events[-1] = 10
    assert np.isfinite(directly_standardised_rate(events, populations).interval).all()


def test_dsr_limits_use_byar_not_exact_at_10_events():
    # One band: the DSR is then a crude rate, and Dobson's limits reduce to Byar's.
    result = directly_standardised_rate([10.0], [1000.0], standard_population=[1.0])
    byar = byar_count_interval(10)
    assert float(result.interval.lower) == pytest.approx(float(byar.lower) / 1000 * 1e5)
    assert float(result.interval.upper) == pytest.approx(float(byar.upper) / 1000 * 1e5)


def test_dsr_missing_counts_are_zero():
    populations = np.full(19, 1000.0)
    events = np.full(19, 5.0)
    with_gap = events.copy()
    with_gap[3] = np.nan
    events[3] = 0
    gap = directly_standardised_rate(with_gap, populations).interval
    zero = directly_standardised_rate(events, populations).interval
    np.testing.assert_array_equal(gap, zero)


@pytest.mark.parametrize(
    ("events", "populations", "message"),
    [
        (np.full(19, -1.0), np.full(19, 100.0), "events must not be negative"),
        (np.full(19, 1.0), np.zeros(19), "populations must be above 0"),
        (np.full(19, 1.0), np.full(19, np.nan), "populations must be a finite number"),
        (np.full(18, 1.0), np.full(18, 100.0), "must share their age bands"),
        (np.full(19, np.inf), np.full(19, 100.0), "events must be a finite number"),
    ],
)
def test_dsr_refuses_invalid_input(events, populations, message):
    with pytest.raises(StatisticsInputError, match=message):
        directly_standardised_rate(events, populations)


def test_dsr_refuses_bad_confidence():
    with pytest.raises(StatisticsInputError, match="confidence must be a fraction"):
        directly_standardised_rate(np.ones(19), np.full(19, 100.0), confidence=1.5)


# --- ISR ------------------------------------------------------------------------------------

ISR_COLUMNS = ("count", "pop", "refcount", "refpop")


def isr_arguments(input_case: str, inputs=None):
    """Events, populations, reference events and reference populations of an input case."""
    bands = (inputs or reference_data.rows_by_case("isr_inputs.csv"))[input_case]
    return [[number(band[column]) for band in bands] for column in ISR_COLUMNS]


def test_isr_matches_reference(subtests):
    inputs = reference_data.rows_by_case("isr_inputs.csv")
    for row in reference_data.rows("isr.csv"):
        with subtests.test(case_id(row)):
            arguments = isr_arguments(row["input_case_id"], inputs)
            confidence = float(row["confidence"])
            if row["function"] == "calculate_ISRatio":
                result = indirectly_standardised_ratio(
                    *arguments, confidence=confidence, reference_value=float(row["refvalue"])
                )
            else:
                result = indirectly_standardised_rate(
                    *arguments, confidence=confidence, multiplier=float(row["rate_multiplier"])
                )
            expected = float(row["expected"])
            assert float(expected_events(*arguments[1:])) == pytest.approx(expected, rel=RELATIVE)
            assert poisson_interval_method(float(row["observed"])) == row["method"]
            assert_interval_matches(result, row)


def test_isr_accepts_observed_totals_instead_of_band_counts():
    events, populations, reference_events, reference_populations = isr_arguments("testdata_big")
    by_band = indirectly_standardised_ratio(
        events, populations, reference_events, reference_populations
    )
    by_total = indirectly_standardised_ratio(
        None, populations, reference_events, reference_populations, observed_events=895
    )
    np.testing.assert_allclose(by_band, by_total, rtol=1e-15)


def test_isr_is_vectorised_over_areas_with_a_shared_reference():
    events, populations, reference_events, reference_populations = isr_arguments("testdata_big")
    local_events = np.array([events, np.array(events) / 10, np.zeros(19)])
    local_populations = np.array([populations] * 3)
    result = indirectly_standardised_rate(
        local_events, local_populations, reference_events, reference_populations
    )
    assert result.value.shape == (3,)
    single = indirectly_standardised_rate(
        events, populations, reference_events, reference_populations
    )
    assert result.value[0] == pytest.approx(float(single.value), rel=1e-14)
    assert result.lower[2] == 0.0  # no suppression; zero observed gives a lower limit of 0


def with_band_changed(column: str, value: float, *, every_band: bool = False) -> list:
    arguments = [np.array(values) for values in isr_arguments("testdata_big")]
    changed = arguments[ISR_COLUMNS.index(column)]
    changed[slice(None) if every_band else 0] = value
    return arguments


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"column": "refpop", "value": 0.0}, "reference_populations must be above 0"),
        ({"column": "count", "value": -1.0}, "events must not be negative"),
        ({"column": "pop", "value": 0.0, "every_band": True}, "expected events must be above 0"),
    ],
    ids=["reference population 0", "negative events", "no local population"],
)
def test_isr_refuses_invalid_input(change, message):
    arguments = with_band_changed(**change)
    with pytest.raises(StatisticsInputError, match=message):
        indirectly_standardised_ratio(*arguments)


def test_isr_needs_events_or_observed_totals():
    _, populations, reference_events, reference_populations = isr_arguments("testdata_big")
    with pytest.raises(StatisticsInputError, match="give either events"):
        indirectly_standardised_ratio(None, populations, reference_events, reference_populations)
