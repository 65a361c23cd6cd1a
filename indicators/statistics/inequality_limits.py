"""Confidence limits for the SII and RII of a fitted line (docs/methods.md §6): the closed
form (Fieller's interval for the RII of untransformed "normal" values) and PHEindicatormethods'
seeded simulation. ``indicators.statistics.inequality`` fits the line and chooses the method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LineFit:
    """A fitted line per group: β0 and β1, the hat-matrix rows that give them from y, the
    inverse of the scale it was fitted on, and the multiplier."""

    beta0: np.ndarray
    beta1: np.ndarray
    intercept_weights: np.ndarray
    slope_weights: np.ndarray
    g_inverse: Callable[[np.ndarray], np.ndarray]
    multiplier: float


def closed_form_limits(fit: LineFit, se, z, *, transform) -> dict[str, np.ndarray]:
    # docs/methods.md §6 closed form: β1 is linear in y, so sd(β1) = √Σ h1²·se² and the simulated
    # slope is exactly normal.
    variance = se**2
    slope_sd = np.sqrt((fit.slope_weights**2 * variance).sum(axis=1))
    slope_lower, slope_upper = fit.beta1 - z * slope_sd, fit.beta1 + z * slope_sd
    if transform:
        return _transformed_limits(fit, slope_lower, slope_upper)
    sii_lower, sii_upper = _ordered(slope_lower * fit.multiplier, slope_upper * fit.multiplier)
    rii_lower, rii_upper = _fieller_rii_limits(fit, variance, z)
    return {
        "sii_lower": sii_lower,
        "sii_upper": sii_upper,
        "rii_lower": rii_lower,
        "rii_upper": rii_upper,
    }


def _fieller_rii_limits(fit: LineFit, variance, z) -> tuple[np.ndarray, np.ndarray]:
    """RII limits for untransformed normal values: the limits §6's simulation converges to.

    RII − 1 = β1/β0 with (β0, β1) jointly normal, so P(β1/β0 ≤ t) = Φ((tβ0 − β1)/σ(t)) while
    β0 is clearly non-zero; its quantiles are the roots of Fieller's quadratic. When β0 is not
    clearly non-zero the ratio has no bounded limits and NaN is returned.
    """
    v00 = (fit.intercept_weights**2 * variance).sum(axis=1)
    v11 = (fit.slope_weights**2 * variance).sum(axis=1)
    v01 = (fit.intercept_weights * fit.slope_weights * variance).sum(axis=1)
    # Fieller (1954): (t·β0 − β1)² = z²·(v11 − 2t·v01 + t²·v00), a quadratic in t.
    a = fit.beta0**2 - z**2 * v00
    half_b = fit.beta0 * fit.beta1 - z**2 * v01
    c = fit.beta1**2 - z**2 * v11
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(half_b**2 - a * c)
        bounded = a > 0
        lower = np.where(bounded, 1 + (half_b - root) / a, np.nan)
        upper = np.where(bounded, 1 + (half_b + root) / a, np.nan)
        if fit.multiplier < 0:
            crosses_zero = (lower <= 0) & (upper >= 0)
            lower, upper = (
                np.where(crosses_zero, np.nan, 1 / upper),
                np.where(crosses_zero, np.nan, 1 / lower),
            )
    return _ordered(lower, upper)


def _transformed_limits(fit: LineFit, slope_lower, slope_upper) -> dict[str, np.ndarray]:
    # PHEindicatormethods phe_sii: map each slope limit s around the fitted midpoint m,
    # SII = g⁻¹(m + s/2) − g⁻¹(m − s/2) and RII = g⁻¹(m + s/2) / g⁻¹(m − s/2).
    middle = fit.beta0 + fit.beta1 / 2
    limits = {}
    for end, slope in (("a", slope_lower), ("b", slope_upper)):
        high, low = fit.g_inverse(middle + slope / 2), fit.g_inverse(middle - slope / 2)
        limits[f"sii_{end}"] = (high - low) * fit.multiplier
        limits[f"rii_{end}"] = high / low if fit.multiplier > 0 else low / high
    # docs/methods.md §12.7: the upstream swap rules can reverse the limits; report min, max.
    sii_lower, sii_upper = _ordered(limits["sii_a"], limits["sii_b"])
    rii_lower, rii_upper = _ordered(limits["rii_a"], limits["rii_b"])
    return {
        "sii_lower": sii_lower,
        "sii_upper": sii_upper,
        "rii_lower": rii_lower,
        "rii_upper": rii_upper,
    }


def simulated_limits(
    fit: LineFit, centre, se, confidence, *, rows, transform, repetitions, seed
) -> dict[str, np.ndarray]:
    """PHEindicatormethods phe_sii Monte Carlo limits, seeded afresh for every group."""
    n_groups, n_quantiles = centre.shape
    names = ("sii_lower", "sii_upper", "rii_lower", "rii_upper")
    limits = {name: np.full(n_groups, np.nan) for name in names}
    positions = _order_statistic_positions(repetitions, confidence)
    slope_lower = np.full(n_groups, np.nan)
    slope_upper = np.full(n_groups, np.nan)
    for row in rows:
        rng = np.random.default_rng(seed)
        draws = centre[row] + se[row] * rng.standard_normal((repetitions, n_quantiles))
        if transform:
            # Transformed: the draws stay on the g scale and only the slope is read off.
            slopes = draws @ fit.slope_weights[row]
            slope_lower[row], slope_upper[row] = _order_statistics(slopes, positions)
            continue
        values = fit.g_inverse(draws)
        beta0 = values @ fit.intercept_weights[row]
        beta1 = values @ fit.slope_weights[row]
        rii = (beta0 + beta1) / beta0
        rii = 1 / rii if fit.multiplier < 0 else rii
        sii_pair = _order_statistics(beta1 * fit.multiplier, positions)
        rii_pair = _order_statistics(rii, positions)
        limits["sii_lower"][row], limits["sii_upper"][row] = sii_pair
        limits["rii_lower"][row], limits["rii_upper"][row] = rii_pair
    if transform:
        return _transformed_limits(fit, slope_lower, slope_upper)
    return limits


def _order_statistic_positions(repetitions: int, confidence: float) -> tuple[int, int]:
    # PHEindicatormethods phe_sii: 1-based order statistics round(R(1 − c′)) and round(R·c′),
    # c′ = c + (1 − c)/2, with R's half-to-even rounding (Python's round does the same).
    upper_tail = confidence + (1 - confidence) / 2
    low = min(max(round(repetitions * (1 - upper_tail)), 1), repetitions)
    high = min(max(round(repetitions * upper_tail), 1), repetitions)
    return low - 1, high - 1


def _order_statistics(samples: np.ndarray, positions: tuple[int, int]) -> tuple[float, float]:
    ordered = np.partition(samples, positions)
    return ordered[positions[0]], ordered[positions[1]]


def _ordered(first, second) -> tuple[np.ndarray, np.ndarray]:
    return np.fmin(first, second), np.fmax(first, second)
