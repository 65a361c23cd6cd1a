"""What a chart's points and series are called: each point's special-cause label and type,
and the Making Data Count variation and assurance icons with their labels."""

from __future__ import annotations

import numpy as np

from indicators.statistics.spc.inputs import polarity_sign_of, target_value_of

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


def assurance_icon(
    *, target: float | None, lower_process_limit: float, upper_process_limit: float, polarity: str
) -> str | None:
    """``pass``, ``fail`` or ``inconsistent`` (hit and miss); None without a target or polarity.

    NHSRplotthedots: strict comparisons with the latest group's limits; NaN limits make both
    false, giving inconsistent.
    """
    icons = assurance_icons(
        np.array([target_value_of(target)]),
        np.array([float(lower_process_limit)]),
        np.array([float(upper_process_limit)]),
        np.array([polarity_sign_of(polarity)]),
    )
    return icons[0]


def special_cause_labels(outside, trend, two_in_three, run, high_low, run_length, trend_length):
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


def point_types(high_low: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    # NHSRplotthedots: high (+1) × improvement direction > 0 is improvement, < 0 concern
    oriented = high_low * polarity
    neutral = polarity == 0
    code = np.select(
        [oriented > 0, oriented < 0, neutral & (high_low > 0), neutral & (high_low < 0)],
        [1, 2, 3, 4],
        0,
    )
    return _POINT_TYPES[code]


def variation_icons(latest_point_type: np.ndarray, latest_high_low: np.ndarray) -> list[str]:
    """MDC variation icon from the latest point only (not the latest special-cause point)."""
    icons = []
    for point_type, high_low in zip(latest_point_type, latest_high_low, strict=True):
        if point_type == "common_cause":
            icons.append("common_cause")
        else:
            kind = point_type.removeprefix("special_cause_").split("_")[0]
            icons.append(f"{kind}_{'high' if high_low > 0 else 'low'}")
    return icons


def assurance_icons(target, lower, upper, polarity) -> list[str | None]:
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
