"""The link-scale model every generated number comes from.

An indicator's value in a cell is the England level for the period (interpolated between
dated anchors, with a winter cycle for sub-annual series) shifted on a link scale (logit for
proportions, log for rates, none for years) by the deprivation gradient, the council, the
sex and a persistent LSOA effect (docs/domain.md §8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logit

from demo.calibration import Anchors, Effect
from demo.framework import SEXES, IndicatorSpec, Period, mid_year
from demo.geography import Geography, rng_for

LSOA_SD = {"logit": 0.12, "log": 0.10, "identity": 0.8}
SYSTEM_NOISE = {"logit": 0.02, "log": 0.02, "identity": 0.1}
ICB_SPREAD = {"logit": 0.10, "log": 0.08, "identity": 0.6}


def to_link(scale: str, value, unit: float):
    value = np.asarray(value, dtype=float)
    if scale == "logit":
        return logit(np.clip(value / unit, 1e-6, 1 - 1e-6))
    if scale == "log":
        return np.log(value)
    return value


def from_link(scale: str, link, unit: float):
    link = np.asarray(link, dtype=float)
    if scale == "logit":
        return expit(link) * unit
    if scale == "log":
        return np.exp(link)
    return link


def unit_of(spec: IndicatorSpec) -> float:
    """What 1 means on the value scale of a proportion (100 for a percentage)."""
    return spec.multiplier if spec.scale == "logit" else 1.0


def contrast(spec: IndicatorSpec, effect: Effect, reference: float) -> float:
    """Link-scale distance between two groups symmetric about ``reference`` whose values
    differ by ``effect`` (a ratio, or a difference in points)."""
    kind, size = effect
    scale, unit = spec.scale, unit_of(spec)
    if (kind == "ratio" and size == 1.0) or (kind == "points" and size == 0.0):
        return 0.0  # no effect, whatever the scale
    if (scale, kind) in {("identity", "ratio"), ("log", "points")}:
        raise ValueError(f"{spec.code}: a {scale}-scale indicator takes no {kind} effects")
    if scale == "identity":
        return size
    if scale == "log":
        return float(np.log(size))
    centre = float(to_link(scale, reference, unit))

    def gap(distance: float) -> float:
        high = expit(centre + distance / 2) * unit
        low = expit(centre - distance / 2) * unit
        return high / low - size if kind == "ratio" else high - low - size

    return float(brentq(gap, -30.0, 30.0))


def council_offsets(spec: IndicatorSpec, geo: Geography, reference: float) -> dict[str, float]:
    """Link-scale offset of each council, given as ratios (rates) or points (years), or in
    the gradient's kind for proportions; none for a council the system's story leaves out."""
    effects = spec.council_effects or {}
    kind = {"log": "ratio", "identity": "points"}.get(spec.scale, spec.pattern.gradient[0])
    offsets = dict.fromkeys(geo.councils, 0.0)
    centre = float(to_link(spec.scale, reference, unit_of(spec)))
    for code in geo.councils:
        if code in effects:
            effect = effects[code]
            shifted = reference * effect if kind == "ratio" else reference + effect
            offsets[code] = float(to_link(spec.scale, shifted, unit_of(spec))) - centre
    return offsets


def gradient_slope(spec: IndicatorSpec, reference: float) -> float:
    """Link-scale change per IMD decile towards the most deprived (quintile centres 8 apart)."""
    return contrast(spec, spec.pattern.gradient, reference) / 8


def _gradient_centring(spec: IndicatorSpec, reference: float, slope: float) -> float:
    """Constant that keeps England's average (equal shares of every decile) at ``reference``."""
    shifts = slope * (5.5 - np.arange(1, 11))
    scale, unit = spec.scale, unit_of(spec)
    if scale == "identity" or slope == 0:
        return 0.0
    if scale == "log":
        return float(np.log(np.exp(shifts).mean()))
    centre = float(to_link(scale, reference, unit))
    return float(
        brentq(lambda c: expit(centre + shifts - c).mean() * unit - reference, -10.0, 10.0)
    )


@dataclass(frozen=True)
class LsoaEffects:
    """Persistent link-scale offsets of each LSOA (deprivation, council, local noise) and of
    each sex, relative to the England level."""

    lsoa: np.ndarray  # (LSOA,)
    sex: np.ndarray  # (sex,) in spec.sexes order


def lsoa_effects(spec: IndicatorSpec, geo: Geography, seed: int) -> LsoaEffects:
    reference = spec.england_value
    slope = gradient_slope(spec, reference)
    slopes = slope * geo.gradient_scale  # a council may have a wider gap than England's
    offsets = slopes * (5.5 - geo.decile) - _gradient_centring(spec, reference, slope)
    councils = council_offsets(spec, geo, reference)
    offsets = offsets + np.array([councils[code] for code in geo.council])
    noise = rng_for(seed, spec.code, "lsoa").normal(0.0, LSOA_SD[spec.scale], size=len(geo.lsoa))
    offsets = offsets + noise
    if spec.sexes == SEXES and not spec.pattern.female:
        half = contrast(spec, spec.pattern.sex, reference) / 2
        sex = np.array([half, -half])
    else:
        sex = np.zeros(len(spec.sexes))
    return LsoaEffects(offsets, sex)


def anchored(anchors: Anchors, periods: Sequence[Period]) -> np.ndarray:
    points = sorted((mid_year(label), value) for label, value in anchors)
    xs, ys = zip(*points, strict=True)
    return np.interp([period.mid for period in periods], xs, ys)


def with_season(spec: IndicatorSpec, level: np.ndarray, periods: Sequence[Period]):
    season = np.array([period.season for period in periods]) * spec.pattern.winter
    if spec.scale == "log":
        return level * (1 + season)
    return level + season


def england_levels(spec: IndicatorSpec, periods: Sequence[Period], sex: str = "Persons"):
    """England's value in each period (male/female anchors for sex-split years and gaps)."""
    pattern = spec.pattern
    if pattern.female:
        male = anchored(pattern.england, periods)
        female = anchored(pattern.female, periods)
        level = {"Male": male, "Female": female, "Persons": (male + female) / 2}[sex]
    else:
        level = anchored(pattern.england, periods)
    return with_season(spec, level, periods)
