"""Shared helpers for the statistics modules: critical values and input checks."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri


class StatisticsInputError(ValueError):
    """Input a statistic cannot be computed from; the message says what is wrong."""


def z_value(confidence: float) -> float:
    """Two-sided normal critical value, exact (1.959963984540054 at 95%, not 1.96)."""
    confidence = float(confidence)
    if not 0 < confidence < 1:
        raise StatisticsInputError(
            f"confidence must be a fraction between 0 and 1 (e.g. 0.95), got {confidence!r}"
        )
    return float(ndtri(1 - (1 - confidence) / 2))


def as_float_array(values, name: str) -> np.ndarray:
    """Coerce input to a float array, refusing text and other non-numeric input by name."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise StatisticsInputError(f"{name} must be numeric") from error
    return array


def require_non_negative(array: np.ndarray, name: str) -> None:
    if np.any(array < 0):
        raise StatisticsInputError(f"{name} must not be negative")


def refuse_rows(bad: np.ndarray, message: str) -> None:
    """Raise ``StatisticsInputError`` if any row is ``bad``, saying how many and where."""
    bad = np.asarray(bad)
    if not bad.any():
        return
    if bad.ndim == 0:
        raise StatisticsInputError(message)
    first = np.unravel_index(int(np.flatnonzero(bad)[0]), bad.shape)
    where = int(first[0]) if len(first) == 1 else tuple(int(i) for i in first)
    raise StatisticsInputError(f"{message} ({int(bad.sum())} value(s), first at index {where})")


def require_finite(array: np.ndarray, name: str) -> None:
    refuse_rows(~np.isfinite(array), f"{name} must be a finite number, not NaN or infinity")
