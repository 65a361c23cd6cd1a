"""Fingertips recent-trend marker (docs/methods.md §10), as legacy Fingertips computes it.

The marker looks at the five most recent valid points. The default test is a least-squares
slope weighted by each point's 95% CI; the "SPC for proportions" comparison method uses the
χ² test for trend in proportions instead. Either way the trend is significant only when χ²
exceeds the 99.8% critical value **and** the slope keeps its sign when each point in turn is
left out. Source: fingertips-open ``TrendMarkerCalculator`` and ``TrendRequest``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indicators.statistics.common import StatisticsInputError, as_float_array, z_value
from indicators.vocabulary import POLARITIES

# Fingertips: significant when χ² > 9.54953570608324 = z(0.998)², the 1-df χ² at 99.8%
CHI_SQUARE_THRESHOLD = z_value(0.998) ** 2
# Fingertips: SE = (U95 − L95) / 3.92, the 2 × 1.96 hard-coded upstream (kept to match)
CI_WIDTH_PER_SE = 3.92
# Fingertips: the marker uses the five most recent valid points
TREND_POINTS = 5

METHODS = ("ci_weighted", "proportions")
# Legacy Fingertips allows proportions and crude rates; FingertipsNext adds DSRs
TREND_VALUE_TYPES = ("proportion", "crude_rate", "dsr")

NO_SIGNIFICANT_CHANGE = "No significant change"
CANNOT_BE_CALCULATED = "Cannot be calculated"
_LABELS = {
    ("increasing", "higher_better"): "Increasing and getting better",
    ("increasing", "lower_better"): "Increasing and getting worse",
    ("increasing", "no_judgement"): "Increasing",
    ("decreasing", "higher_better"): "Decreasing and getting worse",
    ("decreasing", "lower_better"): "Decreasing and getting better",
    ("decreasing", "no_judgement"): "Decreasing",
}


@dataclass(frozen=True)
class RecentTrend:
    """A recent-trend marker and the statistics behind it.

    ``marker`` is ``increasing``, ``decreasing``, ``no_significant_change`` or
    ``cannot_be_calculated``; ``label`` is the Fingertips text for the polarity;
    ``direction`` is ``increasing``/``decreasing`` for a significant trend, else None;
    ``judgement`` is ``better``/``worse`` where the polarity allows one. ``reason`` says why a
    trend cannot be calculated. ``slope`` is in value units per period (CI-weighted) or
    log-odds per period (proportions); ``leave_one_out_slopes`` holds the all-points slope
    then the slopes without points 1…5. ``points_used`` are indices into the input arrays,
    oldest first. χ² is 0 when the trend cannot be calculated, as Fingertips reports it.
    """

    marker: str
    label: str
    direction: str | None
    judgement: str | None
    significant: bool
    reason: str | None
    method: str
    chi_square: float
    threshold: float
    slope: float | None
    leave_one_out_slopes: tuple[float, ...]
    points_used: tuple[int, ...]


def recent_trend(
    values,
    *,
    lower_ci95,
    upper_ci95,
    counts,
    denominators,
    polarity: str,
    method: str = "ci_weighted",
    value_type: str = "proportion",
    period_years: int = 1,
) -> RecentTrend:
    """Fingertips recent-trend marker of one indicator series.

    Arrays hold one entry per consecutive period, oldest first; a period with no data is
    NaN, never left out, because a gap breaks the run of valid data. ``values`` are the
    published values (a NaN value means suppressed); ``counts`` and ``denominators`` decide
    validity; the 95% limits weight the CI-weighted test. ``method`` is ``ci_weighted`` (every
    Fingertips comparison method except SPC for proportions) or ``proportions`` (χ² test for
    trend in proportions). ``polarity`` is ``higher_better``, ``lower_better`` or
    ``no_judgement``.

    Eligibility, as Fingertips ``TrendRequest``: a proportion, crude rate or DSR of
    single-year periods; at least 5 points; at least 5 valid points (value, count and
    denominator present, denominator > 0) in an unbroken run back from the most recent;
    no valid point with count = denominator; 5 of them with 95% CIs. Otherwise the result
    is "Cannot be calculated" with the reason.

    Deliberate difference from legacy Fingertips: on the proportions path the direction is
    taken from the logit slope. The legacy code reads a slope only the CI-weighted path sets,
    so it would label every significant rise there as Decreasing.
    """
    method = _choice(method, METHODS, "method")
    _choice(polarity, POLARITIES, "polarity")
    arrays = _series_arrays(
        values=values,
        lower_ci95=lower_ci95,
        upper_ci95=upper_ci95,
        counts=counts,
        denominators=denominators,
    )
    value, lower, upper, count, denominator = arrays

    reason = _ineligibility(value_type, period_years, value, count, denominator)
    used = None
    if reason is None:
        used, reason = _points_with_cis(value, count, denominator, lower, upper)
    if reason is None and method == "ci_weighted" and np.any(upper[used] == lower[used]):
        reason = "a 95% confidence interval has zero width, so the points cannot be weighted"
    if reason is None and method == "proportions" and np.any(count[used] == 0):
        reason = "a count is zero, so the test for trend in proportions cannot be applied"
    if reason is not None:
        return _cannot_be_calculated(reason, method)

    t = np.arange(1.0, TREND_POINTS + 1)
    if method == "ci_weighted":
        # Fingertips: SEᵢ = (U95ᵢ − L95ᵢ)/3.92 and weights wᵢ = 1/SEᵢ²
        weights = 1 / ((upper[used] - lower[used]) / CI_WIDTH_PER_SE) ** 2
        slopes, slope_se = _leave_one_out_slopes(t, value[used], weights)
        # Fingertips: χ² = (slope / SE(slope))² of the all-points fit
        chi_square = float((slopes[0] / slope_se) ** 2)
    else:
        chi_square = chi_square_for_trend_in_proportions(count[used], denominator[used])
        # Fingertips: leave-one-out check on the OLS slope of ln(Oᵢ/(Nᵢ − Oᵢ)) on t
        log_odds = np.log(count[used] / (denominator[used] - count[used]))
        slopes, _ = _leave_one_out_slopes(t, log_odds, np.ones(TREND_POINTS))

    # Fingertips: a slope ≥ 0 counts as positive; all six slopes must share a sign
    consistent = bool(np.all(slopes >= 0) or np.all(slopes < 0))
    significant = chi_square > CHI_SQUARE_THRESHOLD and consistent
    slope = float(slopes[0])
    if significant and slope != 0:
        direction = "increasing" if slope > 0 else "decreasing"
        marker, label = direction, _LABELS[direction, polarity]
    else:
        direction, marker, label = None, "no_significant_change", NO_SIGNIFICANT_CHANGE
    return RecentTrend(
        marker=marker,
        label=label,
        direction=direction,
        judgement=_judgement(direction, polarity),
        significant=significant,
        reason=None,
        method=method,
        chi_square=chi_square,
        threshold=CHI_SQUARE_THRESHOLD,
        slope=slope,
        leave_one_out_slopes=tuple(float(s) for s in slopes),
        points_used=tuple(int(i) for i in used),
    )


def recent_trend_for_shape(
    *,
    points: int,
    method: str = "ci_weighted",
    value_type: str = "proportion",
    period_years: int = 1,
) -> RecentTrend | None:
    """What ``recent_trend`` gives every series of ``points`` periods of this kind, whatever
    its values: "Cannot be calculated" when the value type, the period length or the number
    of points rules a trend out; None when the values decide. Lets a caller with thousands
    of series skip the ones that cannot have a trend."""
    method = _choice(method, METHODS, "method")
    reason = _shape_ineligibility(value_type, period_years, points)
    return None if reason is None else _cannot_be_calculated(reason, method)


def chi_square_for_trend_in_proportions(counts, denominators) -> float:
    """χ² test for trend in proportions over t = 1…k (the Fingertips SPC-for-proportions test).

    χ² = N·(N·ΣOᵢtᵢ − O·ΣNᵢtᵢ)² / (O·(N − O)·(N·ΣNᵢtᵢ² − (ΣNᵢtᵢ)²)).
    """
    observed = as_float_array(counts, "counts")
    total = as_float_array(denominators, "denominators")
    if observed.shape != total.shape or observed.ndim != 1:
        raise StatisticsInputError("counts and denominators must be 1-D arrays of equal length")
    if not (np.all(np.isfinite(observed)) and np.all(np.isfinite(total))):
        raise StatisticsInputError("counts and denominators must be finite")
    if np.any(observed < 0) or np.any(observed > total):
        raise StatisticsInputError("counts must lie between 0 and their denominators")
    t = np.arange(1.0, observed.size + 1)
    big_o, big_n = observed.sum(), total.sum()
    n_t = np.sum(total * t)
    spread = big_n * np.sum(total * t**2) - n_t**2
    if big_o == 0 or big_o == big_n or spread == 0:
        raise StatisticsInputError(
            "the test for trend in proportions needs 0 < total count < total denominator "
            "and at least two periods with a denominator"
        )
    # Fingertips TrendMarkerCalculator: χ² test for trend in proportions
    numerator = big_n * (big_n * np.sum(observed * t) - big_o * n_t) ** 2
    return float(numerator / (big_o * (big_n - big_o) * spread))


def _leave_one_out_slopes(t, y, weights) -> tuple[np.ndarray, float]:
    """Weighted LS slopes with all points, then each point left out (original t kept).

    Returns the six slopes and the all-points SE(slope) = √(S₀ / (S₀·S_tt − S_t²)).
    """
    # Row 0 keeps every point; row k drops point k by giving it zero weight
    w = np.vstack([weights, weights * (1 - np.eye(t.size))])
    s0, s_t, s_tt = w.sum(axis=1), w @ t, w @ t**2
    s_v, s_tv = w @ y, w @ (t * y)
    # Fingertips: slope = (S₀·S_tv − S_t·S_v) / (S₀·S_tt − S_t²)
    determinant = s0 * s_tt - s_t**2
    slopes = (s0 * s_tv - s_t * s_v) / determinant
    return slopes, float(np.sqrt(s0[0] / determinant[0]))


def _shape_ineligibility(value_type, period_years, points: int) -> str | None:
    if value_type not in TREND_VALUE_TYPES:
        return (
            "the recent trend is calculated only for proportions, crude rates and DSRs "
            f"(value type {value_type!r})"
        )
    if period_years != 1:
        return f"the recent trend needs single-year periods (these span {period_years} years)"
    if points < TREND_POINTS:
        return f"fewer than {TREND_POINTS} data points ({points})"
    return None


def _ineligibility(value_type, period_years, value, count, denominator) -> str | None:
    reason = _shape_ineligibility(value_type, period_years, value.size)
    if reason is not None:
        return reason
    run = _trailing_run(_valid_points(value, count, denominator))
    if run < TREND_POINTS:
        return (
            f"fewer than {TREND_POINTS} valid points in an unbroken run back from the most "
            f"recent period ({run}); missing or suppressed values break the run"
        )
    recent = slice(value.size - run, None)
    if np.any(count[recent] == denominator[recent]):
        return "a count equals its denominator"
    return None


def _points_with_cis(value, count, denominator, lower, upper):
    """Indices of the 5 most recent valid points that have 95% CIs, or the reason why not."""
    run = _trailing_run(_valid_points(value, count, denominator))
    candidates = np.arange(value.size - run, value.size)
    with_cis = candidates[np.isfinite(lower[candidates]) & np.isfinite(upper[candidates])]
    if with_cis.size < TREND_POINTS:
        return None, (
            f"fewer than {TREND_POINTS} recent valid points have 95% confidence intervals "
            f"({with_cis.size})"
        )
    return with_cis[-TREND_POINTS:], None


def _valid_points(value, count, denominator) -> np.ndarray:
    # Fingertips TrendRequest: value, count and denominator present, denominator > 0
    return np.isfinite(value) & np.isfinite(count) & (np.nan_to_num(denominator) > 0)


def _trailing_run(valid: np.ndarray) -> int:
    """Length of the run of True values that ends at the most recent point."""
    invalid = np.flatnonzero(~valid)
    return int(valid.size if invalid.size == 0 else valid.size - 1 - invalid[-1])


def _series_arrays(**named) -> list[np.ndarray]:
    arrays = []
    for name, data in named.items():
        array = as_float_array(data, name)
        if array.ndim != 1:
            raise StatisticsInputError(f"{name} must be one-dimensional")
        if np.isinf(array).any():
            raise StatisticsInputError(f"{name} must not be infinite (use NaN for missing)")
        arrays.append(array)
    lengths = {name: array.size for name, array in zip(named, arrays, strict=True)}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name} {size}" for name, size in lengths.items())
        raise StatisticsInputError(f"arrays must have the same length ({detail})")
    value, lower, upper, count, denominator = arrays
    if np.any(count < 0) or np.any(denominator < 0):
        raise StatisticsInputError("counts and denominators must not be negative")
    if np.any(lower > upper):
        raise StatisticsInputError("a lower 95% limit is above its upper limit")
    return [value, lower, upper, count, denominator]


def _cannot_be_calculated(reason: str, method: str) -> RecentTrend:
    return RecentTrend(
        marker="cannot_be_calculated",
        label=CANNOT_BE_CALCULATED,
        direction=None,
        judgement=None,
        significant=False,
        reason=reason,
        method=method,
        chi_square=0.0,
        threshold=CHI_SQUARE_THRESHOLD,
        slope=None,
        leave_one_out_slopes=(),
        points_used=(),
    )


def _judgement(direction: str | None, polarity: str) -> str | None:
    if direction is None or polarity == "no_judgement":
        return None
    rising_is_good = polarity == "higher_better"
    return "better" if (direction == "increasing") == rising_is_good else "worse"


def _choice(value, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise StatisticsInputError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value
