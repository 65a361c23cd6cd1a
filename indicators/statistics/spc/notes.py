"""What a page says beside a chart whose icons should not be read as a signal, and when a
series gets a run chart instead of SPC (too few points, or overlapping pooled periods)."""

from __future__ import annotations

from indicators.statistics.spc.core import MINIMUM_POINTS, TRIAL_LIMITS_BELOW

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


def chart_notes(trial_limits: bool, insufficient_variation: bool) -> tuple[str, ...]:
    notes = []
    if insufficient_variation:
        notes.append(INSUFFICIENT_VARIATION_NOTE)
    if trial_limits:
        notes.append(TRIAL_LIMITS_NOTE)
    return tuple(notes)


def periods_overlap(starts, ends) -> bool:
    """Whether any period of a series (in order) starts before the previous one ends, as
    rolling pooled periods (2021 - 23, 2022 - 24, …) do."""
    starts, ends = list(starts), list(ends)
    return any(start <= end for start, end in zip(starts[1:], ends[:-1], strict=True))
