"""Confidence intervals for proportions, counts, crude rates and means (docs/methods.md §1–§3).

Every function takes arrays or scalars (broadcast together) and returns an ``Interval`` of
float arrays. The methods follow PHEindicatormethods 2.1.0 (``phe_proportion``, ``phe_rate``,
``phe_mean``), which is what OHID Fingertips publishes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import gammaincinv, stdtrit

from indicators.statistics.common import (
    StatisticsInputError,
    as_float_array,
    refuse_rows,
    require_finite,
    z_value,
)

# Fingertips: Byar's method from 10 events, the exact method below that.
EXACT_METHOD_BELOW = 10
EXACT = "Exact"
BYARS = "Byars"


class Interval(NamedTuple):
    """A point estimate and its confidence limits, as arrays of one shape."""

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


# --- input checks ---------------------------------------------------------------------------


def checked_multiplier(multiplier) -> np.ndarray:
    multiplier = as_float_array(multiplier, "multiplier")
    refuse_rows(~(np.isfinite(multiplier) & (multiplier > 0)), "multiplier must be above 0")
    return multiplier


def flat_broadcast(*arrays: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """Broadcast inputs together and flatten them, so in-place arithmetic works at any shape."""
    shape = np.broadcast_shapes(*(array.shape for array in arrays))
    return shape, [np.broadcast_to(array, shape).ravel() for array in arrays]


def shaped_interval(shape, value, lower, upper, multiplier=None) -> Interval:
    """Back to the callers' shape, scaled by the multiplier (skipped for the usual 1)."""
    parts = [np.asarray(part, dtype=float).reshape(shape) for part in (value, lower, upper)]
    if multiplier is None or np.all(multiplier == 1):
        return Interval(*parts)
    if np.broadcast_shapes(shape, multiplier.shape) == shape:
        # The parts are this call's own fresh arrays, so scale them without copying.
        return Interval(*(np.multiply(part, multiplier, out=part) for part in parts))
    return Interval(*(part * multiplier for part in parts))


def _checked_counts(count) -> np.ndarray:
    count = as_float_array(count, "count")
    require_finite(count, "count")
    refuse_rows(count < 0, "count must not be negative")
    return count


def _checked_numerator_denominator(numerator, denominator) -> tuple[np.ndarray, np.ndarray]:
    numerator = as_float_array(numerator, "numerator")
    denominator = as_float_array(denominator, "denominator")
    require_finite(numerator, "numerator")
    require_finite(denominator, "denominator")
    refuse_rows(numerator < 0, "numerator must not be negative")
    refuse_rows(denominator <= 0, "denominator must be above 0")
    return np.broadcast_arrays(numerator, denominator)


# --- proportions ----------------------------------------------------------------------------


def wilson_interval(numerator, denominator, *, confidence=0.95, multiplier=1) -> Interval:
    """Proportion x/n × multiplier with its Wilson score interval.

    x may be a non-integer (e.g. a weighted count). Raises ``StatisticsInputError`` for
    x < 0, n <= 0, x > n, or NaN/infinite input.
    """
    z = z_value(confidence)
    multiplier = checked_multiplier(multiplier)
    x = as_float_array(numerator, "numerator")
    n = as_float_array(denominator, "denominator")
    # One combined pass for the usual all-valid case; the slow path names the problem.
    if not np.all((x >= 0) & (x <= n) & (n > 0) & (n < np.inf)):
        x, n = _checked_numerator_denominator(x, n)
        refuse_rows(x > n, "numerator must not be above the denominator for a proportion")
    shape, (x, n) = flat_broadcast(x, n)

    z2 = z * z
    proportion = x / n
    # PHEindicatormethods phe_proportion: Wilson score, Newcombe 1998 (method 3)
    root = x * (1 - proportion)
    root *= 4
    root += z2
    np.sqrt(root, out=root)
    root *= z  # z·√(z² + 4x(1 − x/n))
    far_end = x * 2
    far_end += z2
    far_end += root  # 2x + z² + root
    upper = far_end / (2 * (n + z2))
    # lower = (2x + z² − root) / 2(n + z²), rearranged to 2x·p / (2x + z² + root): no
    # cancellation for small p, and exactly 0 at x = 0.
    lower = x * proportion
    lower *= 2
    lower /= far_end
    # Rounding can leave the upper limit ~1e-16 beyond 1, or below p when p is within 1e-16
    # of 1; in theory it is 1 at x = n (docs/methods.md §12.5) and never below p.
    np.minimum(upper, 1.0, out=upper)
    np.maximum(upper, proportion, out=upper)
    return shaped_interval(shape, proportion, lower, upper, multiplier)


# --- counts: exact (Garwood) and Byar's -----------------------------------------------------


def exact_count_interval(count, *, confidence=0.95) -> Interval:
    """Exact Poisson (Garwood, chi-squared) limits on a count; the lower limit at 0 is 0."""
    z_value(confidence)  # validates the level
    count = _checked_counts(count)
    lower, upper = _garwood_limits(count.ravel(), 1 - float(confidence))
    return shaped_interval(count.shape, count.copy(), lower, upper)


def _garwood_limits(count: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    # PHEindicatormethods phe_rate (exact): qchisq(α/2, 2x)/2 and qchisq(1 − α/2, 2x + 2)/2,
    # written as the inverse regularised gamma function, which is the same quantile.
    def limits(values):
        with np.errstate(invalid="ignore"):
            lower = gammaincinv(values, alpha / 2)
        # R's qchisq(p, df = 0) is 0, scipy's is NaN (docs/methods.md §12.1); for subnormal
        # (weighted) counts the limit underflows to 0 and scipy also returns NaN.
        lower[values < np.finfo(float).tiny] = 0.0
        return lower, gammaincinv(values + 1, 1 - alpha / 2)

    if count.size <= 64:
        return limits(count)
    # Counts below 10 repeat a lot: evaluate each distinct count once.
    distinct, position = np.unique(count, return_inverse=True)
    lower, upper = limits(distinct)
    return lower[position], upper[position]


def byar_count_interval(count, *, confidence=0.95) -> Interval:
    """Byar's approximate Poisson limits on a count, at any count (no exact switch).

    A negative lower limit (small counts at high confidence, e.g. 1 at 99.8%) is NaN, as is
    the lower limit at a count of 0.
    """
    z = z_value(confidence)
    count = _checked_counts(count)
    lower, upper = byar_limits(count.ravel(), z)
    return shaped_interval(count.shape, count.copy(), lower, upper)


def byar_limits(count: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's lower and upper limits on a flat array of counts, at critical value z."""
    # PHEindicatormethods byars_lower/byars_upper: Byar's approximation (Breslow & Day 1987)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = 1 - 1 / (9 * count) - z / (3 * np.sqrt(count))
        lower = count * base * base * base
    lower[~(lower >= 0)] = np.nan  # negative, or 0·∞ at a count of 0: undefined
    above = count + 1
    base = 1 - 1 / (9 * above) + z / (3 * np.sqrt(above))
    upper = above * base * base * base
    return lower, upper


def poisson_count_interval(count, *, confidence=0.95) -> Interval:
    """Limits on a count: exact below 10 events, Byar's from 10 (chosen per row)."""
    z = z_value(confidence)
    count = _checked_counts(count)
    lower, upper = switched_poisson_limits(count.ravel(), z, 1 - float(confidence))
    return shaped_interval(count.shape, count.copy(), lower, upper)


def switched_poisson_limits(count: np.ndarray, z: float, alpha: float):
    """Limits on a flat array of counts: exact (Garwood) below 10, Byar's from 10."""
    # Fingertips / PHEindicatormethods: exact for counts < 10, Byar's for 10 and above.
    small = count < EXACT_METHOD_BELOW
    lower, upper = byar_limits(np.where(small, EXACT_METHOD_BELOW, count), z)
    if small.any():
        lower[small], upper[small] = _garwood_limits(count[small], alpha)
    return lower, upper


def poisson_interval_method(count) -> np.ndarray:
    """Method label per row, "Exact" below 10 events or "Byars", as rates and ISRs choose."""
    count = as_float_array(count, "count")
    return np.where(count < EXACT_METHOD_BELOW, EXACT, BYARS)


# --- crude rates ----------------------------------------------------------------------------


def byar_exact_interval(numerator, denominator, *, confidence=0.95, multiplier=1) -> Interval:
    """Crude rate x/n × multiplier: exact limits below 10 events, Byar's from 10.

    The numerator may exceed the denominator. Raises ``StatisticsInputError`` for negative
    or non-finite counts and denominators of 0 or less.
    """
    z = z_value(confidence)
    multiplier = checked_multiplier(multiplier)
    x = as_float_array(numerator, "numerator")
    n = as_float_array(denominator, "denominator")
    if not np.all((x >= 0) & (x < np.inf) & (n > 0) & (n < np.inf)):
        _checked_numerator_denominator(x, n)
    shape, (x, n) = flat_broadcast(x, n)
    lower, upper = switched_poisson_limits(x, z, 1 - float(confidence))
    # PHEindicatormethods phe_rate: the limits on the count, divided by the denominator
    lower /= n
    upper /= n
    return shaped_interval(shape, x / n, lower, upper, multiplier)


# --- means ----------------------------------------------------------------------------------


def mean_interval_from_summary(
    observation_count, mean, standard_deviation, *, confidence=0.95
) -> Interval:
    """Mean with Student's t interval, from each group's N, mean and sample SD (N − 1).

    N = 1 gives NaN limits (its SD may be NaN); an SD of 0 collapses them onto the mean.
    """
    z_value(confidence)  # validates the level
    count = as_float_array(observation_count, "observation_count")
    mean = as_float_array(mean, "mean")
    sd = as_float_array(standard_deviation, "standard_deviation")
    require_finite(count, "observation_count")
    refuse_rows((count < 1) | (count != np.floor(count)), "observation_count must be 1, 2, 3, …")
    require_finite(mean, "mean")
    shape, (count, mean, sd) = flat_broadcast(count, mean, sd)
    single = count == 1
    require_finite(sd[~single], "standard_deviation")
    refuse_rows(sd < 0, "standard_deviation must not be negative")
    # PHEindicatormethods phe_mean: mean ∓ qt(1 − α/2, N − 1)·s/√N; at N = 1 qt is NaN
    t = stdtrit(np.maximum(count - 1, 1), 1 - (1 - float(confidence)) / 2)
    half_width = np.where(single, np.nan, t * sd / np.sqrt(count))
    return shaped_interval(shape, mean.copy(), mean - half_width, mean + half_width)


def mean_interval(values, *, confidence=0.95) -> Interval:
    """Mean of one group's observations (a 1-D array) with Student's t interval."""
    values = as_float_array(values, "values")
    if values.ndim != 1 or values.size == 0:
        raise StatisticsInputError("values must be a non-empty 1-D array of observations")
    require_finite(values, "values")
    sd = values.std(ddof=1) if values.size > 1 else np.nan
    return mean_interval_from_summary(values.size, values.mean(), sd, confidence=confidence)
