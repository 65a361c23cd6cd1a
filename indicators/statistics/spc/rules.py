"""The Making Data Count rules as NHSRplotthedots applies them: runs on one side of the mean,
trends, and two in three points near a limit, both within a chart's groups and on their own."""

from __future__ import annotations

import numpy as np

from indicators.statistics.common import StatisticsInputError, as_float_array


def run_ends(side, *, length: int = 7) -> np.ndarray:
    """±1 where a run of ``length`` points on one side of the mean ends (and while it lasts).

    ``side`` is sign(y − mean); a point on the mean (0) breaks a run (NHSRplotthedots).
    """
    side = np.sign(as_float_array(side, "side")).astype(int)
    return run_ends_in_segments(side, np.arange(side.size), length)


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
    return part_of(window_ends(near.astype(int), side, np.arange(near.size)), length=3)


def _consecutive_true(mask: np.ndarray) -> np.ndarray:
    """How many consecutive True values end at each position (0 where False)."""
    index = np.arange(mask.size)
    last_false = np.maximum.accumulate(np.where(mask, -1, index)) if mask.size else index
    return index - last_false


def run_ends_in_segments(side: np.ndarray, position: np.ndarray, length: int) -> np.ndarray:
    same_as_previous = (np.diff(side, prepend=0) == 0) & (position >= 1)
    streak = _consecutive_true(same_as_previous) + 1
    return np.where((side != 0) & (streak >= length), side, 0)


def trend_ends_in_segments(values: np.ndarray, position: np.ndarray, length: int) -> np.ndarray:
    step = np.where(position >= 1, np.sign(np.diff(values, prepend=values[:1])), 0)
    rising = _consecutive_true(step > 0) >= length - 1
    falling = _consecutive_true(step < 0) >= length - 1
    return rising.astype(int) - falling.astype(int)


def window_ends(counted: np.ndarray, side: np.ndarray, position: np.ndarray) -> np.ndarray:
    """1 where the 3 points ending here hold ≥ 2 counted points, all on one side of the mean."""
    ends = np.zeros(counted.size, dtype=int)
    if counted.size >= 3:
        count = counted[2:] + counted[1:-1] + counted[:-2]
        side_sum = side[2:] + side[1:-1] + side[:-2]
        ends[2:] = (count >= 2) & (np.abs(side_sum) == 3) & (position[2:] >= 2)
    return ends


def trend_direction(values: np.ndarray, trend: np.ndarray, position: np.ndarray) -> np.ndarray:
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
