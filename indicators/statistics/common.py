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


def require_finite(array: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(array)):
        raise StatisticsInputError(f"{name} must be finite numbers (no NaN or infinity)")
