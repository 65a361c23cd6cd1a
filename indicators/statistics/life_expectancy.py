"""Life expectancy: Chiang II abridged life table with Silcocks confidence limits (§8).

Deaths and populations come in 20 age bands (0, 1–4, 5–9, …, 85–89, 90+) along the last
axis, one row (or any leading shape) per area. The method follows PHEindicatormethods 2.1.0
``phe_life_expectancy``, which Fingertips publishes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from indicators.statistics.common import StatisticsInputError, as_float_array, z_value
from indicators.statistics.intervals import Interval

START_AGES = np.array([0, 1, *range(5, 95, 5)], dtype=float)
START_AGES.flags.writeable = False
# Chiang II: a, the share of the band lived by those who die in it; 0.1 in the first year.
_SHARE_LIVED_BY_DYING = np.where(START_AGES == 0, 0.1, 0.5)
RADIX = 100_000
# PHEindicatormethods: no life table for an area of 5,000 people or fewer.
MINIMUM_TOTAL_POPULATION = 5000
# PHEindicatormethods: a 95% interval wider than 20 years means the value is not published.
MAXIMUM_95_HALF_WIDTH_YEARS = 10
NOT_CALCULATED_NOTE = (
    "life expectancy not calculated: a band has deaths < 0, population <= 0, deaths > "
    "population or is missing, or the total population is 5,000 or fewer"
)
VALUE_SUPPRESSED_NOTE = "value suppressed: the 95% confidence interval is wider than 20 years"


class LifeExpectancy(NamedTuple):
    """Life expectancy at each band's start age, in years, with its limits."""

    interval: Interval  # shape (..., 20)
    not_calculated: np.ndarray  # (...,): the whole area is NaN; NOT_CALCULATED_NOTE
    value_suppressed: np.ndarray  # (..., 20): value NaN, limits kept; VALUE_SUPPRESSED_NOTE


def life_expectancy(deaths, populations, *, confidence=0.95) -> LifeExpectancy:
    """Life expectancy at ages 0, 1, 5, …, 90 from deaths and populations in 20 bands.

    Areas with unusable bands, or with 5,000 people or fewer, are NaN and flagged rather than
    refused, so one poor area does not stop the rest.
    """
    z = z_value(confidence)
    deaths = as_float_array(deaths, "deaths")
    populations = as_float_array(populations, "populations")
    if deaths.shape[-1:] != (len(START_AGES),) or populations.shape[-1:] != deaths.shape[-1:]:
        raise StatisticsInputError(
            f"deaths and populations need {len(START_AGES)} age bands (0, 1, 5, …, 90) on the "
            f"last axis; got shapes {deaths.shape} and {populations.shape}"
        )
    deaths, populations = np.broadcast_arrays(deaths, populations)
    not_calculated = _unusable_areas(deaths, populations)
    # Stand-in bands for unusable areas keep the arithmetic quiet; their results are blanked.
    deaths = np.where(not_calculated[..., None], 1.0, deaths)
    populations = np.where(not_calculated[..., None], 1000.0, populations)

    expectancy, standard_error = _chiang_life_table(deaths, populations)
    half_width = z * standard_error
    lower, upper = expectancy - half_width, expectancy + half_width
    value_suppressed = z_value(0.95) * standard_error > MAXIMUM_95_HALF_WIDTH_YEARS
    value = np.where(value_suppressed, np.nan, expectancy)
    blank = not_calculated[..., None]
    value_suppressed &= ~blank
    interval = Interval(*(np.where(blank, np.nan, part) for part in (value, lower, upper)))
    return LifeExpectancy(interval, np.asarray(not_calculated), value_suppressed)


def _unusable_areas(deaths: np.ndarray, populations: np.ndarray) -> np.ndarray:
    bad_band = ~(
        np.isfinite(deaths)
        & np.isfinite(populations)
        & (deaths >= 0)
        & (populations > 0)
        & (deaths <= populations)
    )
    # An open-ended 90+ band with no deaths has no finite width (2/M), so no table either.
    no_deaths_at_90 = deaths[..., -1] == 0
    return (
        bad_band.any(axis=-1)
        | no_deaths_at_90
        | ~(populations.sum(axis=-1) > MINIMUM_TOTAL_POPULATION)
    )


def _chiang_life_table(deaths: np.ndarray, populations: np.ndarray):
    """Life expectancy and its Silcocks standard error at each start age."""
    a = _SHARE_LIVED_BY_DYING
    rate = deaths / populations
    widths = np.empty_like(rate)
    widths[..., :-1] = np.diff(START_AGES)
    widths[..., -1] = 2 / rate[..., -1]  # Chiang II: open-ended last band

    # Chiang II: q = M·n / (1 + M·n·(1 − a)); everyone dies in the last band, and in any band
    # whose deaths exceed what the band could hold.
    with np.errstate(divide="ignore"):
        probability_of_dying = rate * widths / (1 + rate * widths * (1 - a))
        probability_of_dying[deaths > populations / widths / a] = 1.0
    probability_of_dying[..., -1] = 1.0

    surviving = np.empty_like(rate)  # l, from a radix of 100,000
    surviving[..., 0] = RADIX
    surviving[..., 1:] = RADIX * np.cumprod(1 - probability_of_dying[..., :-1], axis=-1)
    surviving_next = np.zeros_like(rate)
    surviving_next[..., :-1] = surviving[..., 1:]
    dying = surviving - surviving_next
    years_lived = widths * (surviving_next + a * dying)  # L
    years_lived[..., -1] = surviving[..., -1] / rate[..., -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        expectancy = _sum_from_here(years_lived) / surviving  # e = T / l
    # PHEindicatormethods: e is 0, not 0/0, once no one survives (after a band with q = 1).
    expectancy[surviving == 0] = 0.0

    # Silcocks et al. 2001: var(q) = q²(1 − q)/D, and 4/(D·M²) for the open-ended band.
    with np.errstate(invalid="ignore", divide="ignore"):
        variance_q = np.where(
            dying == 0, 0.0, probability_of_dying**2 * (1 - probability_of_dying) / deaths
        )
    variance_q[..., -1] = 4 / (deaths[..., -1] * rate[..., -1] ** 2)
    expectancy_next = np.zeros_like(rate)
    expectancy_next[..., :-1] = expectancy[..., 1:]
    weighted = variance_q * surviving**2 * ((1 - a) * widths + expectancy_next) ** 2
    weighted[..., -1] = (surviving[..., -1] / 2) ** 2 * variance_q[..., -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        standard_error = np.sqrt(_sum_from_here(weighted)) / surviving
    return expectancy, standard_error


def _sum_from_here(values: np.ndarray) -> np.ndarray:
    """Σ_{j ≥ i} values_j along the last axis."""
    return np.cumsum(values[..., ::-1], axis=-1)[..., ::-1]
