"""Funnel-plot control limits and significance for proportions, ratios and rates (docs/methods.md §7).

The methods are PHEindicatormethods ``calculate_funnel_limits`` and
``assign_funnel_significance``. There are two control lines: 2s (95% two-sided, tail 0.025) and
3s (99.8% two-sided, tail 0.001). The limits tables have 100 x-axis points chosen by the
package's axis rule, so a chart drawn from them matches Fingertips-style funnels.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import chi2, poisson

from indicators.statistics.common import (
    StatisticsInputError,
    as_float_array,
    require_finite,
    require_non_negative,
)

# One-sided tail probability of each control line: 2s is 95% two-sided, 3s is 99.8%.
LINE_TAILS = {"2s": 0.025, "3s": 0.001}
RATE_TYPES = ("dsr", "crude")
AXIS_POINTS = 100

HIGH_3S = "High (0.001)"
HIGH_2S = "High (0.025)"
LOW_3S = "Low (0.001)"
LOW_2S = "Low (0.025)"
NOT_SIGNIFICANT = "Not significant"
DSR_TOO_FEW_EVENTS = "Not applicable for events less than 10 for dsrs"
# Fingertips and PHEindicatormethods: DSRs are not calculated from fewer than 10 events.
DSR_MINIMUM_EVENTS = 10
# PHEindicatormethods: exact Poisson limits below 10 events, Byar's approximation from 10.
EXACT_BELOW_EVENTS = 10


# --- Proportions -----------------------------------------------------------------------------


def proportion_limits_at(population, *, baseline: float, tail: float, multiplier: float = 1):
    """Lower and upper control limits for a proportion at population(s) n, clipped to [0, m].

    The lower limit is the proportion whose Wilson upper limit at n equals the baseline, the
    upper limit the one whose Wilson lower limit does (z = Φ⁻¹(1 − tail)).
    """
    n = as_float_array(population, "population")
    if np.any(n <= 0):
        raise StatisticsInputError("population must be positive")
    if multiplier <= 0:
        raise StatisticsInputError("multiplier must be positive")
    if not 0 <= baseline <= 1:
        raise StatisticsInputError(f"baseline must be a proportion from 0 to 1, got {baseline!r}")
    z2 = ndtri(1 - tail) ** 2
    # PHEindicatormethods calculate_funnel_limits: closed-form inverse of the Wilson interval.
    f = baseline * (n / z2 + 1)
    a = np.sqrt(
        (8 * baseline * (n / z2 + 1)) ** 2
        - 64
        * (1 / z2 + 1 / n)
        * baseline
        * (n * (baseline * (n / z2 + 2) - 1) + z2 * (baseline - 1))
    )
    d = 1 / z2 + 1 / n
    lower = (f - a / 8) / (d * n) * multiplier
    upper = (f + a / 8) / (d * n) * multiplier
    # Upstream clips to [0, 100] whatever the multiplier; docs/methods.md §7 says [0, multiplier].
    return np.clip(lower, 0, multiplier), np.clip(upper, 0, multiplier)


def proportion_funnel_limits(
    numerator, denominator, *, multiplier: float = 100, baseline: float | None = None
) -> pd.DataFrame:
    """The 100-point limits table for a proportion funnel, baseline Σnumerator / Σdenominator
    unless given (a proportion from 0 to 1, e.g. England's value, as Fingertips funnels use).

    Columns: population, lower_2s_limit, upper_2s_limit, lower_3s_limit, upper_3s_limit,
    baseline (all limits and the baseline × multiplier).
    """
    numerator, denominator = _proportion_inputs(numerator, denominator)
    if baseline is None:
        baseline = numerator.sum() / denominator.sum()
    points = _axis_points(*_axis_range(denominator), offset=0)
    table = {"population": points}
    for line, tail in LINE_TAILS.items():
        lower, upper = proportion_limits_at(
            points, baseline=baseline, tail=tail, multiplier=multiplier
        )
        table[f"lower_{line}_limit"] = lower
        table[f"upper_{line}_limit"] = upper
    table["baseline"] = np.full(points.size, baseline * multiplier)
    return pd.DataFrame(table)


def proportion_funnel_significance(numerator, denominator, *, baseline: float | None = None):
    """Funnel significance label per area; baseline defaults to Σnumerator / Σdenominator."""
    numerator, denominator = _proportion_inputs(numerator, denominator)
    if baseline is None:
        baseline = numerator.sum() / denominator.sum()
    proportion = numerator / denominator
    lower_2s, upper_2s = proportion_limits_at(denominator, baseline=baseline, tail=0.025)
    lower_3s, upper_3s = proportion_limits_at(denominator, baseline=baseline, tail=0.001)
    # PHEindicatormethods assign_funnel_significance: strict inequalities, in this order.
    return np.select(
        [
            proportion < lower_3s,
            proportion < lower_2s,
            proportion > upper_3s,
            proportion > upper_2s,
        ],
        [LOW_3S, LOW_2S, HIGH_3S, HIGH_2S],
        default=NOT_SIGNIFICANT,
    )


def _proportion_inputs(numerator, denominator):
    numerator = as_float_array(numerator, "numerator")
    denominator = as_float_array(denominator, "denominator")
    if numerator.shape != denominator.shape or numerator.ndim != 1 or numerator.size == 0:
        raise StatisticsInputError("numerator and denominator must be equal-length 1-D arrays")
    require_finite(numerator, "numerator")
    require_finite(denominator, "denominator")
    require_non_negative(numerator, "numerator")
    if np.any(denominator <= 0):
        raise StatisticsInputError("denominator must be positive")
    if np.any(numerator > denominator):
        raise StatisticsInputError("numerator must not exceed denominator for a proportion")
    return numerator, denominator


# --- Ratios (O/E) ------------------------------------------------------------------------------


def poisson_mean_at_limit(observed, *, tail: float, side: str) -> np.ndarray:
    """Poisson mean m at a funnel limit for observed count(s), by the package's bisection.

    side="upper" solves P(X ≤ obs | m) = tail (the large m behind a lower control line);
    side="lower" solves P(X ≥ obs | m) = tail (the small m behind an upper control line).
    """
    if side not in ("upper", "lower"):
        raise StatisticsInputError(f"side must be 'upper' or 'lower', got {side!r}")
    observed = as_float_array(observed, "observed")
    # PHEindicatormethods calculate_funnel_limits: bisection on v with m = (1 + obs)·v/(1 − v);
    # replicated step for step because an exact root differs by up to 4.7e-5 (docs/methods.md §7).
    v = np.full(observed.shape, 0.5)
    step = 0.5
    while step > 1e-7:
        step /= 2
        mean = (1 + observed) * v / (1 - v)
        if side == "lower":
            move_down = poisson.sf(observed - 1, mean) > tail
        else:
            move_down = poisson.cdf(observed, mean) < tail
        v = np.where(move_down, v - step, v + step)
    return (1 + observed) * v / (1 - v)


def ratio_funnel_limits(expected) -> pd.DataFrame:
    """The 100-point limits table for an O/E ratio funnel, x-axis built from expected counts.

    Columns: observed_events, then for each line (lower_2s, upper_2s, lower_3s, upper_3s)
    ``*_exp_events`` (the Poisson mean m), ``*_count`` (obs/m − 1) and ``*_isr`` (obs/m × 100).
    """
    expected = as_float_array(expected, "expected")
    require_finite(expected, "expected")
    if expected.ndim != 1 or expected.size == 0 or np.any(expected <= 0):
        raise StatisticsInputError("expected must be a non-empty 1-D array of positive counts")
    # The ratio variant of the axis rule uses exponent 1/(102 − j) rather than 1/(101 − j).
    observed = _axis_points(*_axis_range(expected), offset=1)
    table = {"observed_events": observed}
    for line, tail in LINE_TAILS.items():
        for bound, side in (("lower", "upper"), ("upper", "lower")):
            mean = poisson_mean_at_limit(observed, tail=tail, side=side)
            table[f"{bound}_{line}_exp_events"] = mean
            table[f"{bound}_{line}_count"] = observed / mean - 1
            table[f"{bound}_{line}_isr"] = observed / mean * 100
    order = ["observed_events"] + [
        f"{bound}_{line}_{form}"
        for line in LINE_TAILS
        for bound in ("lower", "upper")
        for form in ("exp_events", "count", "isr")
    ]
    return pd.DataFrame(table)[order]


def ratio_funnel_significance(observed, expected):
    """Funnel significance label per area for an observed/expected ratio."""
    observed = as_float_array(observed, "observed")
    expected = as_float_array(expected, "expected")
    if observed.shape != expected.shape:
        raise StatisticsInputError("observed and expected must have the same length")
    require_finite(observed, "observed")
    require_finite(expected, "expected")
    require_non_negative(observed, "observed")
    if np.any(expected <= 0):
        raise StatisticsInputError("expected must be positive")
    return _poisson_significance(observed, expected)


def _poisson_significance(observed, expected):
    limits = {
        line: _poisson_count_limits(observed, two_sided_tail=2 * tail)
        for line, tail in LINE_TAILS.items()
    }
    # PHEindicatormethods assign_funnel_significance: the area's own limits on O, over E.
    return np.select(
        [
            limits["3s"][0] / expected > 1,
            limits["2s"][0] / expected > 1,
            limits["3s"][1] / expected < 1,
            limits["2s"][1] / expected < 1,
        ],
        [HIGH_3S, HIGH_2S, LOW_3S, LOW_2S],
        default=NOT_SIGNIFICANT,
    )


def _poisson_count_limits(observed, *, two_sided_tail):
    """Limits on a count: exact (Garwood) below 10 events, Byar's from 10, lower 0 at O = 0."""
    alpha = two_sided_tail
    z = ndtri(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Garwood exact limits via χ²; scipy's χ² at df 0 is NaN, so O = 0 is set below.
        exact_lower = chi2.ppf(alpha / 2, 2 * observed) / 2
        exact_upper = chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2
        # Byar's approximation (Breslow and Day 1987).
        byar_lower = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
        following = observed + 1
        byar_upper = following * (1 - 1 / (9 * following) + z / (3 * np.sqrt(following))) ** 3
    exact = observed < EXACT_BELOW_EVENTS
    lower = np.where(observed == 0, 0.0, np.where(exact, exact_lower, byar_lower))
    upper = np.where(exact, exact_upper, byar_upper)
    return lower, upper


# --- Rates ---------------------------------------------------------------------------------------


def rate_funnel_limits(
    events,
    rate,
    *,
    rate_type: str,
    multiplier: float,
    years_of_data: float = 1,
    denominator=None,
    baseline: float | None = None,
) -> pd.DataFrame:
    """The 100-point limits table for a rate funnel; the x-axis is in events.

    Columns: events, then for each line ``*_population_1_year`` (m / baseline / years) and
    ``*_limit`` (the rate per multiplier), and baseline (the weighted average rate, unless
    ``baseline`` is given: a rate per person, i.e. a benchmark's value ÷ multiplier).
    """
    if years_of_data <= 0:
        raise StatisticsInputError("years_of_data must be positive")
    events, derived = _rate_inputs(events, rate, rate_type, multiplier, denominator)
    used = ~np.isnan(derived)
    if not used.any():
        raise StatisticsInputError("no area has a usable denominator for the funnel baseline")
    if baseline is None:
        baseline = events[used].sum() / derived[used].sum()
    elif not baseline > 0:
        raise StatisticsInputError(f"baseline must be a positive rate, got {baseline!r}")
    axis_min, axis_max = _axis_range(derived[used] / years_of_data)
    # docs/methods.md §7: the rate axis is the population axis turned back into events.
    first = math.floor(axis_min * years_of_data * baseline)
    last = math.ceil(axis_max * years_of_data * baseline)
    observed = _axis_points(first, last, offset=0)
    table = {"events": observed}
    for line, tail in LINE_TAILS.items():
        for bound, side in (("lower", "upper"), ("upper", "lower")):
            mean = poisson_mean_at_limit(observed, tail=tail, side=side)
            table[f"{bound}_{line}_population_1_year"] = mean / baseline / years_of_data
            table[f"{bound}_{line}_limit"] = baseline * observed / mean * multiplier
    table["baseline"] = np.full(observed.size, baseline * multiplier)
    return pd.DataFrame(table)


def rate_funnel_significance(
    events, rate, *, rate_type: str, multiplier: float, denominator=None,
    baseline: float | None = None,
) -> np.ndarray:  # fmt: skip
    """Funnel significance label per area for a DSR or crude rate, against the weighted
    average rate or a given ``baseline`` (a rate per person: a benchmark's value ÷ multiplier)."""
    events, derived = _rate_inputs(events, rate, rate_type, multiplier, denominator)
    used = ~np.isnan(derived)
    with np.errstate(invalid="ignore", divide="ignore"):
        if baseline is None:
            # NaN when no area has a derived denominator (DSRs with no events at all).
            baseline = events[used].sum() / derived[used].sum()
        labels = _poisson_significance(events, baseline * derived)
    if rate_type == "dsr":
        labels = np.where(events < DSR_MINIMUM_EVENTS, DSR_TOO_FEW_EVENTS, labels)
    return labels


def _rate_inputs(events, rate, rate_type, multiplier, denominator):
    """Events and the denominators implied by the rates (NaN where an area is left out)."""
    if rate_type not in RATE_TYPES:
        raise StatisticsInputError(f"rate_type must be one of {RATE_TYPES}, got {rate_type!r}")
    if not multiplier > 0:
        raise StatisticsInputError("multiplier must be positive")
    events = as_float_array(events, "events")
    rate = as_float_array(rate, "rate")
    if events.ndim != 1 or events.shape != rate.shape or events.size == 0:
        raise StatisticsInputError("events and rate must be equal-length 1-D arrays")
    require_finite(events, "events")
    require_non_negative(events, "events")
    with_events = events > 0
    if np.any(~(rate[with_events] > 0)):
        raise StatisticsInputError("rate must be a positive number wherever events > 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        # PHEindicatormethods: denominator = multiplier × events / rate, so DSRs work too.
        derived = np.where(with_events, multiplier * events / rate, np.nan)
    if rate_type == "crude" and not with_events.all():
        # A crude rate with no events keeps its real denominator; a DSR is left out.
        if denominator is None:
            raise StatisticsInputError("crude rates with 0 events need a denominator")
        denominator = as_float_array(denominator, "denominator")
        if denominator.shape != events.shape:
            raise StatisticsInputError("denominator must have one entry per area")
        if not np.all(denominator[~with_events] > 0):
            raise StatisticsInputError("denominator must be positive where events are 0")
        derived = np.where(with_events, derived, denominator)
    return events, derived


# --- X-axis points ---------------------------------------------------------------------------


def _axis_range(denominators: np.ndarray) -> tuple[float, float]:
    # PHEindicatormethods calculate_funnel_limits: start at 0 unless the areas are within 2×.
    low, high = float(np.min(denominators)), float(np.max(denominators))
    axis_min = 0.0 if high > 2 * low else _significant_floor(low)
    return axis_min, _significant_ceiling(high)


def _significant_floor(x: float) -> float:
    # PHEindicatormethods signif_floor: round 0.95x down to its leading digit.
    power = 10.0 ** (_digits(math.floor(0.95 * x)) - 1)
    return math.floor(0.95 * x / power) * power


def _significant_ceiling(x: float) -> float:
    # PHEindicatormethods signif_ceiling: round 1.05x up to its two leading digits.
    power = 10.0 ** (_digits(math.ceil(1.05 * x)) - 2)
    return math.ceil(1.05 * x / power) * power


def _digits(whole: int) -> int:
    return len(str(abs(int(whole))))


def _axis_points(axis_min: float, axis_max: float, *, offset: int) -> np.ndarray:
    """100 points from max(1, axis_min), spaced geometrically towards axis_max.

    ``offset`` is 0 for proportions and rates and 1 for ratios (exponent 1/(101 − j + offset)).
    Python's round is half-to-even like R's, which the stored axis points depend on.
    """
    points = [max(1, axis_min)]
    for j in range(2, AXIS_POINTS + 1):
        previous = points[-1]
        step = (axis_max / previous) ** (1 / (101 - j + offset)) * previous
        points.append(max(round(step), previous + 1))
    return np.array(points, dtype=float)
