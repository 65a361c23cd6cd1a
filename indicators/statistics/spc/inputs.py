"""The checks every SPC entry point makes on what it is given: a series of finite values,
a polarity, a target."""

from __future__ import annotations

import numpy as np

from indicators.statistics.common import StatisticsInputError, as_float_array
from indicators.vocabulary import POLARITIES, POLARITY_SIGN


def series_values_of(values, name: str = "values") -> np.ndarray:
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


def polarity_sign_of(polarity) -> int:
    try:
        return POLARITY_SIGN[polarity]
    except (KeyError, TypeError):
        raise StatisticsInputError(
            f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}"
        ) from None


def target_value_of(target) -> float:
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
