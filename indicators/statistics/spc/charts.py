"""The two entry points: ``xmr_chart`` for one series and ``xmr_charts_by_series`` for a
long DataFrame of many, each run through the one vectorised core."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.statistics.common import StatisticsInputError, as_float_array
from indicators.statistics.spc.core import XmrOptions, xmr_core
from indicators.statistics.spc.icons import ASSURANCE_LABELS, VARIATION_LABELS
from indicators.statistics.spc.inputs import polarity_sign_of, series_values_of, target_value_of
from indicators.statistics.spc.notes import chart_notes


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
    array = series_values_of(values)
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
    core = xmr_core(
        array,
        series_start=np.array([0]),
        rebase_flags=rebase_flags,
        polarity_sign=np.array([polarity_sign_of(polarity)]),
        target=np.array([target_value_of(target)]),
        options=XmrOptions.checked(
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
        notes=chart_notes(bool(core.series_trial[0]), bool(core.series_flat[0])),
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
    options = XmrOptions.checked(
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
    values = series_values_of(ordered[value_column].to_numpy(), name=value_column)
    series_id = ordered.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    series_start = np.flatnonzero(np.r_[True, series_id[1:] != series_id[:-1]])
    series_end = np.r_[series_start[1:], len(ordered)] - 1

    if polarity_column is None:
        polarity_sign = np.full(series_start.size, polarity_sign_of(polarity))
    else:
        per_row = ordered[polarity_column]
        if (per_row.groupby(series_id).nunique(dropna=False) > 1).any():
            raise StatisticsInputError(f"{polarity_column} varies within a series")
        polarity_sign = np.array([polarity_sign_of(p) for p in per_row.to_numpy()[series_start]])
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

    core = xmr_core(
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
