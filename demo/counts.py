"""Granular counts (docs/design.md §4.4): numerators and denominators for every LSOA of the
system, per period, sex and, for DSRs, ESP2013 band.

Numerators are drawn binomially (proportions) or as Poisson events (rates) around the
link-scale model. Two conventions for DSRs:

- An age-restricted DSR (under 75, 65+, 10-24, under 19…) gives only the bands of its age
  range. The roll-up treats a band an extract never gives as outside the range and the
  pipeline standardises over the ESP2013 weights of the bands given, as PHE does; giving all
  19 bands would standardise an under-75 rate over the whole population and dilute it.
- Quarterly DSRs are annualised: their denominators are person-years (population ÷ 4), so
  a quarter's rate sits on the same scale as the annual England value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from demo.figures import Headline
from demo.framework import IndicatorSpec, Period
from demo.geography import Geography, rng_for
from demo.model import (
    SYSTEM_NOISE,
    anchored,
    england_levels,
    lsoa_effects,
    to_link,
    unit_of,
    with_season,
)
from indicators.statistics.intervals import byar_exact_interval, wilson_interval
from indicators.statistics.standardised import ESP2013, directly_standardised_rate
from ingest.schema import ALL_AGES, ESP2013_AGE_BANDS

COUNTS_HEADER = [
    "indicator_code", "period", "area_code", "sex", "age_band", "numerator", "denominator",
]  # fmt: skip
BANDS = len(ESP2013_AGE_BANDS)


@dataclass(frozen=True)
class Counts:
    """Generated cells: arrays shaped (period, LSOA, sex, band); band has size 1 unless DSR."""

    spec: IndicatorSpec
    periods: list[Period]
    numerator: np.ndarray
    denominator: np.ndarray
    bands: tuple[str, ...] = (ALL_AGES,)  # the age_band labels along the last axis


def _expected_denominators(spec: IndicatorSpec, geo: Geography, periods: Sequence[Period]):
    recipe = spec.denominator
    per_resident = np.array(recipe.per_resident)
    prevalence = recipe.deprivation_ratio ** ((5.5 - geo.decile) / 8)
    prevalence /= (recipe.deprivation_ratio ** ((5.5 - np.arange(1, 11)) / 8)).mean()
    expected = []
    for period in periods:
        population = geo.population_at(period.mid)
        if spec.sexes == ("Persons",):
            population = population.sum(axis=1, keepdims=True)
        cell = (population * per_resident).sum(axis=2) * prevalence[:, None]
        expected.append(cell * (period.years if recipe.flow else 1.0))
    return np.array(expected)[..., None]  # (period, LSOA, sex, 1)


def _engineered_shift(spec, level, link, denominators):
    """Logit shift that moves the system's expected proportion to ``level`` (an engineered
    series)."""
    unit = unit_of(spec)

    def gap(shift):
        return (expit(link + shift) * denominators).sum() / denominators.sum() * unit - level

    return float(brentq(gap, -10.0, 10.0))


def dsr_bands(spec: IndicatorSpec) -> np.ndarray:
    """Boolean mask of the ESP2013 bands in a DSR indicator's age range."""
    if spec.pattern.age_range is None:
        return np.ones(BANDS, dtype=bool)
    first, last = (ESP2013_AGE_BANDS.index(band) for band in spec.pattern.age_range)
    return (np.arange(BANDS) >= first) & (np.arange(BANDS) <= last)


def generate_counts(spec: IndicatorSpec, geo: Geography, seed: int, periods) -> Counts:
    pattern = spec.pattern
    if spec.engineered and spec.scale != "logit":
        raise ValueError(f"{spec.code}: engineered series are for proportions only")
    effects = lsoa_effects(spec, geo, seed)
    rng = rng_for(seed, spec.code, "counts")
    level = england_levels(spec, periods)
    engineered_level = None
    noise = pattern.noise if pattern.noise is not None else SYSTEM_NOISE[spec.scale]
    if spec.engineered:
        engineered_level = with_season(spec, anchored(spec.engineered.anchors, periods), periods)
        noise = spec.engineered.noise
    shocks = rng.normal(0.0, noise, size=len(periods))
    base = effects.lsoa[:, None, None] + effects.sex[None, :, None]  # (LSOA, sex, 1)

    if spec.value_type == "dsr":
        in_range = dsr_bands(spec)
        # Age-specific rates scaled so that the DSR over the range's ESP2013 weights is the
        # England level.
        shape = np.array(pattern.ages)[in_range]
        weights = ESP2013[in_range]
        shape = shape / ((shape * weights).sum() / weights.sum())
        numerators, denominators = [], []
        for k, period in enumerate(periods):
            person_years = geo.population_at(period.mid)[:, :, in_range] * period.years
            population = np.maximum(np.rint(person_years), 1).astype(np.int64)
            rate = level[k] / spec.multiplier * shape[None, None, :] * np.exp(base + shocks[k])
            numerators.append(rng.poisson(rate * population))
            denominators.append(population)
        labels = tuple(np.array(ESP2013_AGE_BANDS)[in_range])
        return Counts(spec, list(periods), np.array(numerators), np.array(denominators), labels)

    expected = _expected_denominators(spec, geo, periods)
    # A cell may have nobody in it (no births in an LSOA that quarter): 0/0 is a valid row.
    denominators = rng.poisson(expected)
    numerators = np.empty_like(denominators)
    for k in range(len(periods)):
        if spec.scale == "logit":
            link = to_link("logit", level[k], unit_of(spec)) + base
            if engineered_level is not None:
                link = link + _engineered_shift(spec, engineered_level[k], link, denominators[k])
            numerators[k] = rng.binomial(denominators[k], expit(link + shocks[k]))
        else:  # crude rate per `multiplier`
            rate = level[k] / spec.multiplier * np.exp(base + shocks[k])
            numerators[k] = rng.poisson(rate * denominators[k])
    return Counts(spec, list(periods), numerators, denominators)


def counts_frame(counts: Counts, geo: Geography) -> pd.DataFrame:
    """The counts as docs/design.md §4.4 rows: period, LSOA, sex, band order."""
    spec = counts.spec
    periods, lsoas, sexes, bands = counts.numerator.shape
    assert sexes == len(spec.sexes)
    band_labels = np.array(counts.bands, dtype=object)
    size = periods * lsoas * sexes * bands
    return pd.DataFrame(
        {
            "indicator_code": np.full(size, spec.code, dtype=object),
            "period": np.repeat(
                np.array([period.label for period in counts.periods], dtype=object),
                lsoas * sexes * bands,
            ),
            "area_code": np.tile(np.repeat(geo.lsoa.astype(object), sexes * bands), periods),
            "sex": np.tile(np.repeat(np.array(spec.sexes, dtype=object), bands), periods * lsoas),
            "age_band": np.tile(band_labels, periods * lsoas * sexes),
            "numerator": counts.numerator.ravel(),
            "denominator": counts.denominator.ravel(),
        },
        columns=COUNTS_HEADER,
    )


def counts_headline(counts: Counts, mask: np.ndarray | None = None) -> Headline:
    """The value the pipeline computes for the LSOAs in ``mask`` (all the system's by
    default). Like ``ingest.compute`` the method follows the value type: Wilson for
    proportions, exact/Byar's for crude rates, Dobson for DSRs."""
    spec = counts.spec
    numerator = counts.numerator if mask is None else counts.numerator[:, mask]
    denominator = counts.denominator if mask is None else counts.denominator[:, mask]
    if spec.value_type == "dsr":
        events = numerator.sum(axis=(1, 2)).astype(float)
        population = denominator.sum(axis=(1, 2)).astype(float)
        weights = ESP2013[dsr_bands(spec)]
        at95 = directly_standardised_rate(
            events, population, standard_population=weights, multiplier=spec.multiplier
        )
        at998 = directly_standardised_rate(
            events,
            population,
            standard_population=weights,
            multiplier=spec.multiplier,
            confidence=0.998,
        )
        return Headline(
            *at95.interval,
            at998.interval.lower,
            at998.interval.upper,
            events.sum(axis=1),
            population.sum(axis=1),
        )
    x = numerator.sum(axis=(1, 2, 3)).astype(float)
    n = denominator.sum(axis=(1, 2, 3)).astype(float)
    method = wilson_interval if spec.value_type == "proportion" else byar_exact_interval
    at95 = method(x, n, multiplier=spec.multiplier)
    at998 = method(x, n, multiplier=spec.multiplier, confidence=0.998)
    return Headline(*at95, at998.lower, at998.upper, x, n)
