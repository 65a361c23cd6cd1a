"""Directly and indirectly standardised rates (docs/methods.md §4 and §5).

Age bands run along the last axis: ``events[..., band]``, one row (or any leading shape) per
area and period. Results are ``Interval`` arrays over the leading shape. The methods follow
PHEindicatormethods 2.1.0 (``calculate_dsr``, ``calculate_ISRatio``, ``calculate_ISRate``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from indicators.statistics.common import (
    StatisticsInputError,
    as_float_array,
    refuse_rows,
    require_finite,
    z_value,
)
from indicators.statistics.intervals import (
    Interval,
    byar_limits,
    checked_multiplier,
    flat_broadcast,
    shaped_interval,
    switched_poisson_limits,
)

AGE_BANDS_ESP2013 = (
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
)  # fmt: skip
# European Standard Population 2013 (Eurostat), the weights Fingertips standardises to.
ESP2013 = np.array(
    [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
     7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000],
    dtype=float,
)  # fmt: skip
ESP2013.flags.writeable = False
# European Standard Population 1976: 18 bands, the last 85+; only for older publications.
ESP1976 = np.array(
    [8000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000,
     7000, 6000, 5000, 4000, 3000, 2000, 1000, 1000],
    dtype=float,
)  # fmt: skip
ESP1976.flags.writeable = False

# PHEindicatormethods calculate_dsr: no DSR is published below 10 events.
DSR_MINIMUM_EVENTS = 10
DSR_SUPPRESSED_NOTE = "dsr NA for total count < 10"
DOBSON = "Dobson"
DOBSON_NON_INDEPENDENT = "Dobson, with confidence adjusted for non-independent events"


class StandardisedRate(NamedTuple):
    """A DSR and its Dobson limits, NaN where ``suppressed`` (fewer than 10 events)."""

    interval: Interval
    total_events: np.ndarray
    suppressed: np.ndarray  # reason: DSR_SUPPRESSED_NOTE


# --- directly standardised rates ------------------------------------------------------------


def directly_standardised_rate(
    events, populations, *, standard_population=ESP2013, confidence=0.95, multiplier=100_000
) -> StandardisedRate:
    """DSR per ``multiplier`` with Dobson limits; bands on the last axis, NaN events = 0.

    Raises ``StatisticsInputError`` for negative events, populations that are missing or
    not above 0, or band counts that do not match the standard population.
    """
    events = _checked_band_counts(events, "events")
    return _dobson_rate(events, events, populations, standard_population, confidence, multiplier)


def directly_standardised_rate_non_independent(
    persons,
    populations,
    event_frequencies,
    *,
    standard_population=ESP2013,
    confidence=0.95,
    multiplier=100_000,
) -> StandardisedRate:
    """DSR for events a person can have more than once (e.g. repeat admissions).

    ``persons[..., band, k]`` counts the persons with ``event_frequencies[k]`` events in the
    band (NaN = 0). The Dobson variance is inflated by the squared frequencies.
    """
    persons = _checked_band_counts(persons, "persons")
    frequencies = as_float_array(event_frequencies, "event_frequencies")
    require_finite(frequencies, "event_frequencies")
    refuse_rows(frequencies < 1, "event_frequencies must be 1 or more")
    if persons.ndim < 2 or persons.shape[-1] != frequencies.shape[-1]:
        raise StatisticsInputError(
            "persons must have age bands then event frequencies on its last two axes, "
            f"one column per frequency ({frequencies.shape[-1]}); got shape {persons.shape}"
        )
    # PHEindicatormethods calculate_dsr(independent_events = FALSE): var = Σ_f f²·var_f,
    # so each person counts f times in the rate and f² times in the variance.
    events = persons @ frequencies
    variance_events = persons @ (frequencies * frequencies)
    return _dobson_rate(
        events, variance_events, populations, standard_population, confidence, multiplier
    )


def _dobson_rate(events, variance_events, populations, standard_population, confidence, scale):
    z = z_value(confidence)
    multiplier = checked_multiplier(scale)
    populations = as_float_array(populations, "populations")
    require_finite(populations, "populations")
    refuse_rows(populations <= 0, "populations must be above 0 in every age band")
    weights = as_float_array(standard_population, "standard_population")
    require_finite(weights, "standard_population")
    refuse_rows(weights < 0, "standard_population must not be negative")
    bands = {events.shape[-1:], populations.shape[-1:], weights.shape[-1:]} - {(1,), ()}
    if len(bands) > 1:
        raise StatisticsInputError(
            f"events, populations and standard_population must share their age bands (last "
            f"axis); got shapes {events.shape}, {populations.shape} and {weights.shape}"
        )
    refuse_rows(weights.sum(axis=-1) <= 0, "standard_population must not be all 0")

    # PHEindicatormethods calculate_dsr: DSR = Σ(xᵢwᵢ/nᵢ)/Σw; var = Σ(xᵢ(wᵢ/nᵢ)²)/(Σw)²
    weight_per_person = weights / populations
    total_weight = weights.sum(axis=-1)
    rate = np.einsum("...i,...i->...", events, weight_per_person) / total_weight
    variance = np.einsum(
        "...i,...i,...i->...", variance_events, weight_per_person, weight_per_person
    ) / (total_weight * total_weight)
    total_events = events.sum(axis=-1)

    shape, (rate, variance, total_events) = flat_broadcast(
        np.asarray(rate), np.asarray(variance), np.asarray(total_events)
    )
    suppressed = total_events < DSR_MINIMUM_EVENTS
    # Dobson et al. 1991: Byar's limits on the total count O (never exact), mapped to the DSR
    # as DSR + √(var/O)·(O_L − O); rows below 10 events get a harmless O and are blanked.
    observed = np.where(suppressed, DSR_MINIMUM_EVENTS, total_events)
    lower_count, upper_count = byar_limits(observed, z)
    spread = np.sqrt(variance / observed)
    lower = np.where(suppressed, np.nan, rate + spread * (lower_count - observed))
    upper = np.where(suppressed, np.nan, rate + spread * (upper_count - observed))
    rate = np.where(suppressed, np.nan, rate)
    return StandardisedRate(
        interval=shaped_interval(shape, rate, lower, upper, multiplier),
        total_events=total_events.reshape(shape).copy(),
        suppressed=suppressed.reshape(shape),
    )


def _checked_band_counts(counts, name: str) -> np.ndarray:
    counts = as_float_array(counts, name)
    if counts.ndim == 0:
        raise StatisticsInputError(f"{name} must have age bands along the last axis")
    # PHEindicatormethods: a missing count in a band means no events there.
    counts = np.nan_to_num(counts, nan=0.0, posinf=np.inf, neginf=-np.inf)
    require_finite(counts, name)
    refuse_rows(counts < 0, f"{name} must not be negative")
    return counts


# --- indirectly standardised ratios and rates -----------------------------------------------


def expected_events(populations, reference_events, reference_populations) -> np.ndarray:
    """E = Σ (reference rate in band × local population), bands on the last axis.

    Missing local populations and missing reference events count as 0.
    """
    populations = _checked_band_counts(populations, "populations")
    reference_events = _checked_band_counts(reference_events, "reference_events")
    reference_populations = as_float_array(reference_populations, "reference_populations")
    require_finite(reference_populations, "reference_populations")
    refuse_rows(reference_populations <= 0, "reference_populations must be above 0")
    # PHEindicatormethods calculate_ISRatio: expected = Σ (x_ref / n_ref) · n
    return np.einsum("...i,...i->...", reference_events / reference_populations, populations)


def indirectly_standardised_ratio(
    events,
    populations,
    reference_events,
    reference_populations,
    *,
    observed_events=None,
    confidence=0.95,
    reference_value=1,
) -> Interval:
    """Observed / expected × ``reference_value`` (1 for a ratio, 100 for an SMR-style figure).

    Limits on the observed count: exact below 10 events, Byar's from 10; no suppression.
    Pass ``observed_events`` (per area) to use known totals instead of summing ``events``.
    """
    reference_value = checked_multiplier(reference_value)
    observed, expected = _observed_and_expected(
        events, populations, reference_events, reference_populations, observed_events
    )
    return _isr_interval(observed, expected, confidence, reference_value)


def indirectly_standardised_rate(
    events,
    populations,
    reference_events,
    reference_populations,
    *,
    observed_events=None,
    confidence=0.95,
    multiplier=100_000,
) -> Interval:
    """Observed / expected × the reference crude rate per ``multiplier``.

    Limits on the observed count: exact below 10 events, Byar's from 10; no suppression.
    """
    multiplier = checked_multiplier(multiplier)
    observed, expected = _observed_and_expected(
        events, populations, reference_events, reference_populations, observed_events
    )
    # PHEindicatormethods calculate_ISRate: the reference rate is Σx_ref / Σn_ref
    reference_events = np.nan_to_num(as_float_array(reference_events, "reference_events"))
    reference_rate = reference_events.sum(axis=-1) / np.sum(
        as_float_array(reference_populations, "reference_populations"), axis=-1
    )
    return _isr_interval(observed, expected, confidence, reference_rate * multiplier)


def _observed_and_expected(events, populations, reference_events, reference_populations, total):
    expected = expected_events(populations, reference_events, reference_populations)
    if total is None:
        if events is None:
            raise StatisticsInputError("give either events by age band or observed_events")
        observed = _checked_band_counts(events, "events").sum(axis=-1)
    else:
        observed = as_float_array(total, "observed_events")
        require_finite(observed, "observed_events")
        refuse_rows(observed < 0, "observed_events must not be negative")
    refuse_rows(
        expected <= 0,
        "expected events must be above 0 (no reference events, or no local population, in "
        "any age band)",
    )
    return observed, expected


def _isr_interval(observed, expected, confidence, scale) -> Interval:
    z = z_value(confidence)
    shape, (observed, expected) = flat_broadcast(np.asarray(observed), np.asarray(expected))
    # PHEindicatormethods calculate_ISRatio: O/E, limits O_L/E and O_U/E (exact if O < 10)
    lower, upper = switched_poisson_limits(observed, z, 1 - float(confidence))
    return shaped_interval(
        shape, observed / expected, lower / expected, upper / expected, np.asarray(scale)
    )
