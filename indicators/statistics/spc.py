"""Making Data Count XmR charts, as NHSRplotthedots 0.2.2 computes them (docs/methods.md §11).

One computation serves both entry points: ``xmr_chart`` for one series and
``xmr_charts_by_series`` for a long DataFrame of many series. Both run the same vectorised
core over "segments" (one series × rebase group), so the ingest pipeline handles tens of
thousands of series in a handful of numpy passes rather than a Python loop per series.

Options mirror the known differences from the MDC Excel "Single Chart" tool (§11.6):

- ``screen_outliers`` (default True, as R): screen moving ranges ≥ 3.267 × MR̄ once. Excel
  does not screen; pass False to match it.
- ``two_in_three_counts_beyond_limits`` (default False, as R 0.2.2): MDC guidance since
  Nov 2023 counts points beyond 3σ towards two-in-three (NHSRplotthedots#194).
- ``run_length`` and ``trend_length`` (default 7, as R): Excel can use 6 (#195, #202).

Not offered, because they would change the meaning of a label rather than a threshold:
Excel's "improvement wins" for conflicting signals (R uses the §11.2 precedence, #200),
counting ties once, ``target ≥ UPL`` at equality, and 3/1.128 in place of 2.66.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.statistics.common import StatisticsInputError, as_float_array
from indicators.vocabulary import POLARITIES, POLARITY_SIGN

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


COMMON_CAUSE = "Common Cause"

VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement – high",
    "improvement_low": "Special cause improvement – low",
    "concern_high": "Special cause concern – high",
    "concern_low": "Special cause concern – low",
    "neutral_high": "Special cause variation – high",
    "neutral_low": "Special cause variation – low",
}
ASSURANCE_LABELS = {
    "pass": "Consistently hits target",
    "fail": "Consistently fails target",
    "inconsistent": "Hit and miss target",
}
INSUFFICIENT_VARIATION_NOTE = (
    "Insufficient variation: the moving ranges are all zero, so the process limits are "
    "missing or collapse onto the mean and the icons should not be relied on."
)
TOO_FEW_POINTS_NOTE = (
    f"Too few points for SPC limits (fewer than {MINIMUM_POINTS}): a run chart of the values "
    "and their median, with no variation or assurance icon."
)
POOLED_PERIODS_NOTE = (
    "Overlapping pooled periods are not independent points, so they get no SPC: a run chart "
    "of the values and their median, with no variation or assurance icon."
)
TRIAL_LIMITS_NOTE = (
    f"Trial limits: fewer than {TRIAL_LIMITS_BELOW} points, so the limits will be revised "
    "as more data arrive."
)


@dataclass(frozen=True)
class XmrGroup:
    """Limits of one rebase group (positions are 0-based indices into the series)."""

    start: int
    n: int
    mean: float
    mean_moving_range: float
    lower_process_limit: float
    upper_process_limit: float
    trial_limits: bool
    insufficient_variation: bool


@dataclass(frozen=True, eq=False)
class XmrChart:
    """An XmR chart: per-point arrays, one entry per input value, plus series-level icons.

    ``outside_limits``, ``trend``, ``two_in_three`` and ``run`` say which rules a point
    belongs to before precedence; ``special_cause_type`` is the one label that wins
    (``"Above UCL"``, ``"7 Point Trend (Increasing)"``, ``"2 in 3 Below CL"``,
    ``"7 Points Above CL"``, ``"Common Cause"``, …) and ``point_type`` is
    ``special_cause_improvement``, ``special_cause_concern``,
    ``special_cause_neutral_high``/``_low`` or ``common_cause``.
    """

    value: np.ndarray
    group: np.ndarray
    mean: np.ndarray
    lower_process_limit: np.ndarray
    upper_process_limit: np.ndarray
    outside_limits: np.ndarray
    trend: np.ndarray
    two_in_three: np.ndarray
    run: np.ndarray
    special_cause_type: np.ndarray
    point_type: np.ndarray
    groups: tuple[XmrGroup, ...]
    variation_icon: str
    variation_label: str
    assurance_icon: str | None
    assurance_label: str | None
    trial_limits: bool
    insufficient_variation: bool
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class XmrTables:
    """``xmr_charts_by_series`` output: one row per point, and one row per series."""

    points: pd.DataFrame
    series: pd.DataFrame


def xmr_chart(
    values,
    *,
    polarity: str,
    target: float | None = None,
    screen_outliers: bool = True,
    rebase_at: Iterable[int] = (),
    fix_after_n_points: int | None = None,
    two_in_three_counts_beyond_limits: bool = False,
    run_length: int = 7,
    trend_length: int = 7,
) -> XmrChart:
    """Making Data Count XmR chart of one series, values in date order, one per period.

    ``polarity`` is ``higher_better``, ``lower_better`` or ``no_judgement`` (the R package's
    increase, decrease and neutral). ``rebase_at`` lists the 0-based positions where a new
    rebase group starts (a recalculation point); each group gets its own mean, moving
    ranges, screening, limits and rules. ``fix_after_n_points`` (≥ 12) fixes each group's
    mean and limits on its first points. The variation icon comes from the latest point and
    the assurance icon from ``target`` against the latest group's limits.

    Degenerate series are computed exactly as NHSRplotthedots does, so the dashboard agrees
    with R and the reference set: when every moving range is zero the screening removes them
    all and the limits are NaN (no point is flagged; with a target the assurance is "Hit
    and miss"); when almost all are zero MR̄ screens to 0, the limits collapse onto the mean
    and every point off the mean is flagged. Either way ``insufficient_variation`` is True
    and ``notes`` carries a sentence for the page to show beside the icons, which should not
    be read as a signal. A group of one point has NaN limits and trial limits.
    """
    array = _series_values(values)
    n = array.size
    rebase_flags = np.zeros(n, dtype=bool)
    for position in rebase_at:
        if isinstance(position, bool) or not isinstance(position, int | np.integer):
            raise StatisticsInputError(f"rebase_at positions must be integers, got {position!r}")
        if not 0 <= position < n:
            raise StatisticsInputError(
                f"rebase_at position {position} is outside the series (0 to {n - 1})"
            )
        rebase_flags[position] = True
    core = _xmr_core(
        array,
        series_start=np.array([0]),
        rebase_flags=rebase_flags,
        polarity_sign=np.array([_polarity_sign(polarity)]),
        target=np.array([_target_value(target)]),
        options=_Options.checked(
            screen_outliers=screen_outliers,
            fix_after_n_points=fix_after_n_points,
            two_in_three_counts_beyond_limits=two_in_three_counts_beyond_limits,
            run_length=run_length,
            trend_length=trend_length,
        ),
    )
    groups = tuple(
        XmrGroup(
            start=int(start),
            n=int(size),
            mean=float(mean),
            mean_moving_range=float(mr_bar),
            lower_process_limit=float(lower),
            upper_process_limit=float(upper),
            trial_limits=bool(trial),
            insufficient_variation=bool(flat),
        )
        for start, size, mean, mr_bar, lower, upper, trial, flat in zip(
            core.segment_start,
            core.segment_size,
            core.segment_mean,
            core.segment_mr_bar,
            core.segment_lower,
            core.segment_upper,
            core.segment_trial,
            core.segment_flat,
            strict=True,
        )
    )
    return XmrChart(
        value=array.copy(),
        group=core.segment - core.segment[0],
        mean=core.mean,
        lower_process_limit=core.lower,
        upper_process_limit=core.upper,
        outside_limits=core.outside,
        trend=core.trend,
        two_in_three=core.two_in_three,
        run=core.run,
        special_cause_type=core.special_cause_type,
        point_type=core.point_type,
        groups=groups,
        variation_icon=core.variation_icon[0],
        variation_label=VARIATION_LABELS[core.variation_icon[0]],
        assurance_icon=core.assurance_icon[0],
        assurance_label=ASSURANCE_LABELS.get(core.assurance_icon[0]),
        trial_limits=bool(core.series_trial[0]),
        insufficient_variation=bool(core.series_flat[0]),
        notes=_notes(bool(core.series_trial[0]), bool(core.series_flat[0])),
    )


def xmr_charts_by_series(
    frame: pd.DataFrame,
    *,
    series_keys: Sequence[str],
    period_column: str,
    value_column: str,
    polarity: str | None = None,
    polarity_column: str | None = None,
    target_column: str | None = None,
    rebase_column: str | None = None,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    two_in_three_counts_beyond_limits: bool = False,
    run_length: int = 7,
    trend_length: int = 7,
) -> XmrTables:
    """``xmr_chart`` applied to every series of a long DataFrame, in one vectorised pass.

    Rows are sorted by ``series_keys`` then ``period_column``; each series needs one row per
    period and no missing values. Give either one ``polarity`` for all series or a
    ``polarity_column`` that is constant within each series. ``target_column`` is read from
    each series' latest row (NaN: no target), as NHSRplotthedots reads it. ``rebase_column``
    is true on the first point of each new rebase group.

    Returns ``points`` (keys, period, value, group, mean, limits, rule flags,
    special_cause_type, point_type) and ``series`` (keys, n_points, latest_period, the
    latest group's mean and limits, icons and their labels, trial_limits,
    insufficient_variation). Without a target or polarity the assurance icon and label are
    missing (NA).
    """
    keys = [series_keys] if isinstance(series_keys, str) else list(series_keys)
    if not keys:
        raise StatisticsInputError("series_keys must name at least one column")
    if (polarity is None) == (polarity_column is None):
        raise StatisticsInputError("give exactly one of polarity and polarity_column")
    wanted = [*keys, period_column, value_column]
    wanted += [c for c in (polarity_column, target_column, rebase_column) if c is not None]
    missing = [column for column in wanted if column not in frame.columns]
    if missing:
        raise StatisticsInputError(f"frame has no column(s) {', '.join(map(repr, missing))}")
    options = _Options.checked(
        screen_outliers=screen_outliers,
        fix_after_n_points=fix_after_n_points,
        two_in_three_counts_beyond_limits=two_in_three_counts_beyond_limits,
        run_length=run_length,
        trend_length=trend_length,
    )
    if frame.empty:
        raise StatisticsInputError("frame has no rows")

    ordered = frame.sort_values([*keys, period_column], kind="stable").reset_index(drop=True)
    if ordered[period_column].isna().any():
        raise StatisticsInputError(f"{period_column} has missing periods")
    if ordered.duplicated([*keys, period_column]).any():
        raise StatisticsInputError(f"a series has more than one row for the same {period_column}")
    values = _series_values(ordered[value_column].to_numpy(), name=value_column)
    series_id = ordered.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    series_start = np.flatnonzero(np.r_[True, series_id[1:] != series_id[:-1]])
    series_end = np.r_[series_start[1:], len(ordered)] - 1

    if polarity_column is None:
        polarity_sign = np.full(series_start.size, _polarity_sign(polarity))
    else:
        per_row = ordered[polarity_column]
        if (per_row.groupby(series_id).nunique(dropna=False) > 1).any():
            raise StatisticsInputError(f"{polarity_column} varies within a series")
        polarity_sign = np.array([_polarity_sign(p) for p in per_row.to_numpy()[series_start]])
    if target_column is None:
        target = np.full(series_start.size, np.nan)
    else:
        target = as_float_array(ordered[target_column].to_numpy()[series_end], target_column)
        if np.isinf(target).any():
            raise StatisticsInputError(f"{target_column} must be finite or missing")
    if rebase_column is None:
        rebase_flags = np.zeros(len(ordered), dtype=bool)
    else:
        rebase_flags = ordered[rebase_column].fillna(False).to_numpy(dtype=bool)

    core = _xmr_core(
        values,
        series_start=series_start,
        rebase_flags=rebase_flags,
        polarity_sign=polarity_sign,
        target=target,
        options=options,
    )
    first_segment = core.segment[series_start]
    points = ordered[[*keys, period_column, value_column]].copy()
    points["group"] = core.segment - first_segment[series_id]
    points["mean"] = core.mean
    points["lower_process_limit"] = core.lower
    points["upper_process_limit"] = core.upper
    points["outside_limits"] = core.outside
    points["trend"] = core.trend
    points["two_in_three"] = core.two_in_three
    points["run"] = core.run
    points["special_cause_type"] = core.special_cause_type
    points["point_type"] = core.point_type

    series = ordered.loc[series_end, keys].reset_index(drop=True)
    series["n_points"] = series_end - series_start + 1
    series["latest_period"] = ordered[period_column].to_numpy()[series_end]
    series["mean"] = core.mean[series_end]
    series["lower_process_limit"] = core.lower[series_end]
    series["upper_process_limit"] = core.upper[series_end]
    series["variation_icon"] = core.variation_icon
    series["variation_label"] = [VARIATION_LABELS[icon] for icon in core.variation_icon]
    series["assurance_icon"] = core.assurance_icon
    series["assurance_label"] = [ASSURANCE_LABELS.get(icon) for icon in core.assurance_icon]
    series["trial_limits"] = core.series_trial
    series["insufficient_variation"] = core.series_flat
    return XmrTables(points=points, series=series)


def assurance_icon(
    *, target: float | None, lower_process_limit: float, upper_process_limit: float, polarity: str
) -> str | None:
    """``pass``, ``fail`` or ``inconsistent`` (hit and miss); None without a target or polarity.

    NHSRplotthedots: strict comparisons with the latest group's limits; NaN limits make both
    false, giving inconsistent.
    """
    icons = _assurance_icons(
        np.array([_target_value(target)]),
        np.array([float(lower_process_limit)]),
        np.array([float(upper_process_limit)]),
        np.array([_polarity_sign(polarity)]),
    )
    return icons[0]


def run_ends(side, *, length: int = 7) -> np.ndarray:
    """±1 where a run of ``length`` points on one side of the mean ends (and while it lasts).

    ``side`` is sign(y − mean); a point on the mean (0) breaks a run (NHSRplotthedots).
    """
    side = np.sign(as_float_array(side, "side")).astype(int)
    return _run_ends_in_segments(side, np.arange(side.size), length)


def trend_ends(values, *, length: int = 7) -> np.ndarray:
    """±1 where ``length`` strictly rising (falling) points end: length − 1 differences > 0.

    A tie breaks a trend (NHSRplotthedots).
    """
    values = as_float_array(values, "values")
    step = np.sign(np.diff(values, prepend=np.nan))
    rising = _consecutive_true(step > 0) >= length - 1
    falling = _consecutive_true(step < 0) >= length - 1
    return rising.astype(int) - falling.astype(int)


def part_of(ends, *, length: int = 7) -> np.ndarray:
    """True for every point of a ``length``-point window that ends where ``ends`` is non-zero."""
    ends = np.asarray(ends) != 0
    marks = np.zeros(ends.size + 1, dtype=int)
    end_index = np.flatnonzero(ends)
    np.add.at(marks, np.maximum(end_index - length + 1, 0), 1)
    np.add.at(marks, end_index + 1, -1)
    return np.cumsum(marks[:-1]) > 0


def two_in_three_windows(near, side) -> np.ndarray:
    """True for every point of 3 consecutive points with ≥ 2 ``near`` and all on one side.

    NHSRplotthedots flags only the ``near`` points of such windows: ``windows & near``.
    """
    near = as_float_array(near, "near").astype(bool)
    side = np.sign(as_float_array(side, "side")).astype(int)
    if near.size != side.size:
        raise StatisticsInputError("near and side must have the same length")
    return part_of(_window_ends(near.astype(int), side, np.arange(near.size)), length=3)


# --- the vectorised core -------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    screen_outliers: bool
    fix_after_n_points: int | None
    two_in_three_counts_beyond_limits: bool
    run_length: int
    trend_length: int

    @classmethod
    def checked(cls, **options) -> _Options:
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
class _Core:
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


def _xmr_core(
    values: np.ndarray,
    *,
    series_start: np.ndarray,
    rebase_flags: np.ndarray,
    polarity_sign: np.ndarray,
    target: np.ndarray,
    options: _Options,
) -> _Core:
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

    trend_end = _trend_ends_in_segments(values, position, options.trend_length)
    trend = part_of(trend_end, length=options.trend_length)
    two_in_three = part_of(_window_ends(counted.astype(int), side, position), length=3) & counted
    run = part_of(
        _run_ends_in_segments(side, position, options.run_length), length=options.run_length
    )

    trend_sign = _trend_direction(values, trend, position)
    high_low = np.select([outside, trend, two_in_three, run], [side, trend_sign, side, side], 0)
    special_cause_type = _special_cause_labels(
        outside, trend, two_in_three, run, high_low, options.run_length, options.trend_length
    )
    point_polarity = polarity_sign[series_of_point]
    point_type = _point_types(high_low, point_polarity)

    series_end = np.r_[series_start[1:], n] - 1
    variation_icon = _variation_icons(point_type[series_end], high_low[series_end])
    assurance_icon = _assurance_icons(target, lower[series_end], upper[series_end], polarity_sign)

    segment_trial = segment_size < TRIAL_LIMITS_BELOW
    # Zero spread after screening: limits are NaN (all MRs screened out) or equal the mean
    segment_flat = (segment_size >= 2) & ~(mr_bar > 0)
    series_of_segment = series_of_point[segment_start]
    series_count = series_start.size
    series_trial = np.bincount(series_of_segment, weights=segment_trial, minlength=series_count)
    series_flat = np.bincount(series_of_segment, weights=segment_flat, minlength=series_count)
    return _Core(
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


def _consecutive_true(mask: np.ndarray) -> np.ndarray:
    """How many consecutive True values end at each position (0 where False)."""
    index = np.arange(mask.size)
    last_false = np.maximum.accumulate(np.where(mask, -1, index)) if mask.size else index
    return index - last_false


def _run_ends_in_segments(side: np.ndarray, position: np.ndarray, length: int) -> np.ndarray:
    same_as_previous = (np.diff(side, prepend=0) == 0) & (position >= 1)
    streak = _consecutive_true(same_as_previous) + 1
    return np.where((side != 0) & (streak >= length), side, 0)


def _trend_ends_in_segments(values: np.ndarray, position: np.ndarray, length: int) -> np.ndarray:
    step = np.where(position >= 1, np.sign(np.diff(values, prepend=values[:1])), 0)
    rising = _consecutive_true(step > 0) >= length - 1
    falling = _consecutive_true(step < 0) >= length - 1
    return rising.astype(int) - falling.astype(int)


def _window_ends(counted: np.ndarray, side: np.ndarray, position: np.ndarray) -> np.ndarray:
    """1 where the 3 points ending here hold ≥ 2 counted points, all on one side of the mean."""
    ends = np.zeros(counted.size, dtype=int)
    if counted.size >= 3:
        count = counted[2:] + counted[1:-1] + counted[:-2]
        side_sum = side[2:] + side[1:-1] + side[:-2]
        ends[2:] = (count >= 2) & (np.abs(side_sum) == 3) & (position[2:] >= 2)
    return ends


def _trend_direction(values: np.ndarray, trend: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Direction of each trend point, NHSRplotthedots-style.

    Use sign(yᵢ₊₁ − yᵢ) when the next point is also part of a trend, else sign(yᵢ − yᵢ₋₁),
    so a point between a rising and a falling trend takes the later one's direction. Where
    the right-hand difference is a tie (a rising trend ending on the value a falling one
    starts from) R would read 0 as "Decreasing"; we take the left-hand difference instead,
    which is the direction of the trend the point actually belongs to.
    """
    left = np.where(position >= 1, np.sign(np.diff(values, prepend=values[:1])), 0)
    right = np.r_[left[1:], 0]
    next_in_trend = np.r_[trend[1:] & (position[1:] >= 1), False]
    direction = np.where(next_in_trend & trend & (right != 0), right, left)
    return np.where(trend, direction, 0).astype(int)


def _special_cause_labels(outside, trend, two_in_three, run, high_low, run_length, trend_length):
    # NHSRplotthedots precedence: Astronomical > Trend > Two-in-three > Run > Common Cause
    rule = np.select([outside, trend, two_in_three, run], [1, 2, 3, 4], 0)
    labels = np.array(
        [
            COMMON_CAUSE,
            COMMON_CAUSE,
            "Above UCL",
            "Below LCL",
            f"{trend_length} Point Trend (Increasing)",
            f"{trend_length} Point Trend (Decreasing)",
            "2 in 3 Above CL",
            "2 in 3 Below CL",
            f"{run_length} Points Above CL",
            f"{run_length} Points Below CL",
        ],
        dtype=object,
    )
    # A look-up by code: building label strings point by point is slow for large frames
    return labels[2 * rule + (high_low < 0)]


_POINT_TYPES = np.array(
    [
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    ],
    dtype=object,
)


def _point_types(high_low: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    # NHSRplotthedots: high (+1) × improvement direction > 0 is improvement, < 0 concern
    oriented = high_low * polarity
    neutral = polarity == 0
    code = np.select(
        [oriented > 0, oriented < 0, neutral & (high_low > 0), neutral & (high_low < 0)],
        [1, 2, 3, 4],
        0,
    )
    return _POINT_TYPES[code]


def _variation_icons(latest_point_type: np.ndarray, latest_high_low: np.ndarray) -> list[str]:
    """MDC variation icon from the latest point only (not the latest special-cause point)."""
    icons = []
    for point_type, high_low in zip(latest_point_type, latest_high_low, strict=True):
        if point_type == "common_cause":
            icons.append("common_cause")
        else:
            kind = point_type.removeprefix("special_cause_").split("_")[0]
            icons.append(f"{kind}_{'high' if high_low > 0 else 'low'}")
    return icons


def _assurance_icons(target, lower, upper, polarity) -> list[str | None]:
    # NHSRplotthedots: strict comparisons; a NaN limit makes both False → inconsistent
    above = target > upper
    below = target < lower
    icons: list[str | None] = []
    for has_above, has_below, sign, goal in zip(above, below, polarity, target, strict=True):
        if sign == 0 or np.isnan(goal):
            icons.append(None)
        elif has_above:
            icons.append("fail" if sign > 0 else "pass")
        elif has_below:
            icons.append("pass" if sign > 0 else "fail")
        else:
            icons.append("inconsistent")
    return icons


def _notes(trial_limits: bool, insufficient_variation: bool) -> tuple[str, ...]:
    notes = []
    if insufficient_variation:
        notes.append(INSUFFICIENT_VARIATION_NOTE)
    if trial_limits:
        notes.append(TRIAL_LIMITS_NOTE)
    return tuple(notes)


def _series_values(values, name: str = "values") -> np.ndarray:
    array = as_float_array(values, name)
    if array.ndim != 1:
        raise StatisticsInputError(f"{name} must be one-dimensional")
    if array.size == 0:
        raise StatisticsInputError(f"{name} is empty: an XmR chart needs at least one point")
    if not np.all(np.isfinite(array)):
        raise StatisticsInputError(
            f"{name} must be finite numbers: drop or impute missing periods first (NaN or "
            "infinity found)"
        )
    return array


def _polarity_sign(polarity) -> int:
    try:
        return POLARITY_SIGN[polarity]
    except (KeyError, TypeError):
        raise StatisticsInputError(
            f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}"
        ) from None


def _target_value(target) -> float:
    """A finite target, or NaN for none (pandas stores a missing target as NaN)."""
    if target is None:
        return np.nan
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise StatisticsInputError(f"target must be a number or None, got {target!r}") from None
    if np.isinf(value):
        raise StatisticsInputError("target must be finite")
    return value


def periods_overlap(starts, ends) -> bool:
    """Whether any period of a series (in order) starts before the previous one ends, as
    rolling pooled periods (2021 - 23, 2022 - 24, …) do."""
    starts, ends = list(starts), list(ends)
    return any(start <= end for start, end in zip(starts[1:], ends[:-1], strict=True))
