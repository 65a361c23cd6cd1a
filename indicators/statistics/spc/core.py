"""The vectorised core of every XmR chart: the process limits of each rebase group, the
rules and the icons, over many series at once in a handful of numpy passes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.spc.icons import (
    assurance_icons,
    point_types,
    special_cause_labels,
    variation_icons,
)
from indicators.statistics.spc.rules import (
    part_of,
    run_ends_in_segments,
    trend_direction,
    trend_ends_in_segments,
    window_ends,
)

# NHSRplotthedots / MDC: process limits = mean ± 2.66 × MR̄ (3/1.128 rounded, as MDC uses)
LIMIT_MULTIPLIER = 2.66
# NHSRplotthedots: the "2σ" lines sit two-thirds of the way to the limits, 2 × (2.66 / 3)
NEAR_LIMIT_MULTIPLIER = 2 * (LIMIT_MULTIPLIER / 3)
# NHSRplotthedots: moving ranges strictly below 3.267 × MR̄ survive screening (D4 for n = 2)
SCREENING_MULTIPLIER = 3.267
# NHSRplotthedots: fix_after_n_points must be at least 12 (the Excel tool offers 12–20)
MINIMUM_FIXED_BASELINE = 12
# NHSRplotthedots short_group_warning: a group of fewer than 13 points has trial limits. The
# product shows no limits or icons at all below it (MINIMUM_POINTS): a run chart instead.
TRIAL_LIMITS_BELOW = 13
MINIMUM_POINTS = TRIAL_LIMITS_BELOW


@dataclass(frozen=True)
class XmrOptions:
    screen_outliers: bool
    fix_after_n_points: int | None
    two_in_three_counts_beyond_limits: bool
    run_length: int
    trend_length: int

    @classmethod
    def checked(cls, **options) -> XmrOptions:
        fix = options["fix_after_n_points"]
        if fix is not None and (
            isinstance(fix, bool)
            or not isinstance(fix, int | np.integer)
            or fix < MINIMUM_FIXED_BASELINE
        ):
            raise StatisticsInputError(
                f"fix_after_n_points must be None or an integer ≥ {MINIMUM_FIXED_BASELINE}, "
                f"got {fix!r}"
            )
        for name in ("run_length", "trend_length"):
            length = options[name]
            if isinstance(length, bool) or not isinstance(length, int | np.integer) or length < 2:
                raise StatisticsInputError(f"{name} must be an integer ≥ 2, got {length!r}")
        return cls(**options)


@dataclass(frozen=True, eq=False)
class XmrCore:
    segment: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    outside: np.ndarray
    trend: np.ndarray
    two_in_three: np.ndarray
    run: np.ndarray
    special_cause_type: np.ndarray
    point_type: np.ndarray
    segment_start: np.ndarray
    segment_size: np.ndarray
    segment_mean: np.ndarray
    segment_mr_bar: np.ndarray
    segment_lower: np.ndarray
    segment_upper: np.ndarray
    segment_trial: np.ndarray
    segment_flat: np.ndarray
    variation_icon: list[str]
    assurance_icon: list[str | None]
    series_trial: np.ndarray
    series_flat: np.ndarray


def xmr_core(
    values: np.ndarray,
    *,
    series_start: np.ndarray,
    rebase_flags: np.ndarray,
    polarity_sign: np.ndarray,
    target: np.ndarray,
    options: XmrOptions,
) -> XmrCore:
    """Limits, rules and icons for consecutive series (starting at ``series_start``)."""
    n = values.size
    series_of_point = np.cumsum(np.isin(np.arange(n), series_start)) - 1
    new_segment = rebase_flags.copy()
    new_segment[series_start] = True
    segment_start = np.flatnonzero(new_segment)
    segment = np.cumsum(new_segment) - 1
    position = np.arange(n) - segment_start[segment]
    segment_size = np.diff(np.r_[segment_start, n])

    # NHSRplotthedots: the baseline is the group's first fix_after_n_points points, else all
    fix = options.fix_after_n_points
    baseline = np.ones(n, dtype=bool) if fix is None else position < fix
    segment_mean = _r_mean_by_segment(values, baseline, segment, segment_start)

    # MRᵢ = |yᵢ − yᵢ₋₁| within a group's baseline; none for its first point
    moving_range = np.abs(np.diff(values, prepend=values[0]))
    has_moving_range = baseline & (position >= 1)
    mr_bar = _r_mean_by_segment(moving_range, has_moving_range, segment, segment_start)
    if options.screen_outliers:
        # NHSRplotthedots: keep MRs strictly < 3.267 × MR̄, then recompute MR̄ once
        with np.errstate(invalid="ignore"):
            kept = has_moving_range & (moving_range < SCREENING_MULTIPLIER * mr_bar[segment])
        mr_bar = _r_mean_by_segment(moving_range, kept, segment, segment_start)

    # NHSRplotthedots: limits = mean ± 2.66 × MR̄; "2σ" lines at mean ± 2 × (2.66/3) × MR̄
    segment_lower = segment_mean - LIMIT_MULTIPLIER * mr_bar
    segment_upper = segment_mean + LIMIT_MULTIPLIER * mr_bar
    mean = segment_mean[segment]
    lower = segment_lower[segment]
    upper = segment_upper[segment]
    near_lower = (segment_mean - NEAR_LIMIT_MULTIPLIER * mr_bar)[segment]
    near_upper = (segment_mean + NEAR_LIMIT_MULTIPLIER * mr_bar)[segment]

    # Comparisons with NaN limits are False, as R's NA comparisons fall through (§12.11)
    outside = (values > upper) | (values < lower)
    side = np.sign(values - mean).astype(int)
    beyond_two_sigma = (values < near_lower) | (values > near_upper)
    near = beyond_two_sigma & ~outside
    counted = beyond_two_sigma if options.two_in_three_counts_beyond_limits else near

    trend_end = trend_ends_in_segments(values, position, options.trend_length)
    trend = part_of(trend_end, length=options.trend_length)
    two_in_three = part_of(window_ends(counted.astype(int), side, position), length=3) & counted
    run = part_of(
        run_ends_in_segments(side, position, options.run_length), length=options.run_length
    )

    trend_sign = trend_direction(values, trend, position)
    high_low = np.select([outside, trend, two_in_three, run], [side, trend_sign, side, side], 0)
    special_cause_type = special_cause_labels(
        outside, trend, two_in_three, run, high_low, options.run_length, options.trend_length
    )
    point_polarity = polarity_sign[series_of_point]
    point_type = point_types(high_low, point_polarity)

    series_end = np.r_[series_start[1:], n] - 1
    variation_icon = variation_icons(point_type[series_end], high_low[series_end])
    assurance_icon = assurance_icons(target, lower[series_end], upper[series_end], polarity_sign)

    segment_trial = segment_size < TRIAL_LIMITS_BELOW
    # Zero spread after screening: limits are NaN (all MRs screened out) or equal the mean
    segment_flat = (segment_size >= 2) & ~(mr_bar > 0)
    series_of_segment = series_of_point[segment_start]
    series_count = series_start.size
    series_trial = np.bincount(series_of_segment, weights=segment_trial, minlength=series_count)
    series_flat = np.bincount(series_of_segment, weights=segment_flat, minlength=series_count)
    return XmrCore(
        segment=segment,
        mean=mean,
        lower=lower,
        upper=upper,
        outside=outside,
        trend=trend,
        two_in_three=two_in_three,
        run=run,
        special_cause_type=special_cause_type,
        point_type=point_type,
        segment_start=segment_start,
        segment_size=segment_size,
        segment_mean=segment_mean,
        segment_mr_bar=mr_bar,
        segment_lower=segment_lower,
        segment_upper=segment_upper,
        segment_trial=segment_trial,
        segment_flat=segment_flat,
        variation_icon=variation_icon,
        assurance_icon=assurance_icon,
        series_trial=series_trial > 0,
        series_flat=series_flat > 0,
    )


def _r_mean_by_segment(
    values: np.ndarray, mask: np.ndarray, segment: np.ndarray, starts: np.ndarray
) -> np.ndarray:
    """Mean of the masked values of each segment, NaN for none, computed as R's ``mean``.

    R sums in long double and adds a second-pass correction; matching it keeps a point that
    lies exactly on the mean (side 0) on the mean here too.
    """
    extended = values.astype(np.longdouble)
    count = np.add.reduceat(mask.astype(np.int64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.add.reduceat(np.where(mask, extended, 0), starts) / count
        correction = np.add.reduceat(np.where(mask, extended - mean[segment], 0), starts)
        mean = np.where(np.isfinite(mean), mean + correction / count, mean)
    return mean.astype(float)
