"""Comparator values (Fingertips format): England, the NHS regions and the ICBs at every
period of every indicator, calibrated on the framework's England value.

Each other ICB's value sits on the indicator's link scale, shifted by its mean IMD decile and
a persistent draw; its published figures are then drawn around it the way its source would
publish them. The system's own ICB joins its region's and England's sums but is never
written here: the pipeline computes it from the counts, or the system's values carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from demo.figures import (
    Headline,
    ValueRow,
    counted,
    dsr_limits,
    limits_dict,
    normal_limits,
    ratio_limits,
    survey_limits,
    value_row,
)
from demo.framework import SEXES, IndicatorSpec, Period
from demo.geography import POPULATION_GROWTH, RESIDENTS_PER_LSOA, Geography, rng_for
from demo.model import ICB_SPREAD, england_levels, from_link, gradient_slope, to_link, unit_of
from indicators.statistics.intervals import wilson_interval
from indicators.vocabulary import ENGLAND_CODE

# Per-resident scale of the denominators a comparator area reports, for kinds whose
# denominator does not come from the system's own counts.
SMI_CPA_PER_RESIDENT = 0.0022  # adults on the Care Programme Approach
OVERALL_EMPLOYMENT = 75.0  # % of people aged 16-64 (APS)
SMI_EXPECTED_DEATHS_PER_RESIDENT = 9e-5  # 3 years of under-75 deaths expected at general rates


@dataclass(frozen=True)
class Context:
    """What a comparator draw needs beyond its own truth: the system's figures and totals."""

    system: dict[str, float] | None = None
    system_population: float = 0.0
    england_population: float = 0.0


def comparator_rows(
    spec: IndicatorSpec,
    geo: Geography,
    seed: int,
    periods: Sequence[Period],
    system: dict[str, Headline],
    profiles: dict[str, tuple[int, float]],
) -> list[ValueRow]:
    """England, the NHS regions and the other ICBs for every period (Persons, plus sex where
    England is calibrated by sex). ``system`` holds the system's own headline per sex and
    ``profiles`` each ICB's LSOA count and mean IMD decile."""
    rng = rng_for(seed, spec.code, "comparators")
    populations = {code: lsoas * RESIDENTS_PER_LSOA for code, (lsoas, _) in profiles.items()}
    populations[geo.icb] = float(geo.population.sum())
    codes = [code for code in profiles if code != geo.icb]
    size = np.array([populations[code] for code in codes])
    mean_decile = np.array([profiles[code][1] for code in codes])
    pattern = spec.pattern
    slope = gradient_slope(spec, spec.england_value)
    spread = pattern.spread if pattern.spread is not None else ICB_SPREAD[spec.scale]
    persistent = slope * (5.5 - mean_decile) + rng.normal(0.0, spread, size=len(codes))
    sexes = ("Persons", *SEXES) if pattern.female else ("Persons",)
    england_population = sum(populations.values())
    rows: list[ValueRow] = []
    for sex in sexes:
        level = england_levels(spec, periods, sex)
        for k, period in enumerate(periods):
            growth = (1 + POPULATION_GROWTH) ** (period.mid - 2021.5)
            context = Context(
                system=_headline_at(system.get(sex), k),
                system_population=populations[geo.icb] * growth,
                england_population=england_population * growth,
            )
            truth = _centred_truth(spec, level[k], persistent, size)
            rows += _comparators_for_period(
                spec, geo, rng, period, sex, codes, size * growth, truth, level[k], context
            )
    return rows


def _headline_at(headline: Headline | None, k: int) -> dict[str, float] | None:
    if headline is None:
        return None
    return {name: float(getattr(headline, name)[k]) for name in Headline.__dataclass_fields__}


def _centred_truth(spec, level, offsets, size) -> np.ndarray:
    """ICB values with the given link-scale offsets, centred so their population-weighted
    mean is England's ``level``."""
    scale, unit = spec.scale, unit_of(spec)
    centre = float(to_link(scale, level, unit))
    weights = size / size.sum()
    if scale == "identity":
        return centre + offsets - float((weights * offsets).sum())

    def gap(shift):
        return (weights * from_link(scale, centre + offsets + shift, unit)).sum() - level

    return from_link(scale, centre + offsets + brentq(gap, -10.0, 10.0), unit)


def _comparators_for_period(
    spec, geo, rng, period, sex, codes, populations, truth, england, context: Context
) -> list[ValueRow]:
    kind = values_kind(spec)
    icb = {}  # code -> dict of value, limits, count, denominator, population
    for code, population, true_value in zip(codes, populations, truth, strict=True):
        icb[code] = sample_area(spec, kind, rng, true_value, population, context)
    if context.system is not None:
        icb[geo.icb] = {**context.system, "population": context.system_population}
    rows = []
    for code in codes:
        rows.append(value_row(spec, code, period, sex, icb[code]))
    for region, members in geo.regions.items():
        parts = [icb[code] for code in members if code in icb]
        rows.append(value_row(spec, region, period, sex, _combine(spec, kind, parts, None)))
    england_figures = _combine(spec, kind, list(icb.values()), england)
    rows.append(value_row(spec, ENGLAND_CODE, period, sex, england_figures))
    return rows


def values_kind(spec: IndicatorSpec) -> str:
    """How a source publishes the indicator's figures, which decides how they are drawn."""
    if spec.value_type == "proportion":
        if spec.ci_method == "none":
            return "modelled" if spec.pattern.modelled else "survey"
        return "proportion"
    if spec.value_type == "gap" and spec.ci_method == "wilson":
        return "gap_wilson"
    if spec.value_type in {"years", "gap"}:
        return "normal"
    return spec.value_type  # crude_rate, dsr, isr, count, mean


def sample_area(spec, kind, rng, true_value, population, context: Context) -> dict:
    """One area's published figures, drawn around its true value. Count-based kinds scale
    their denominators and events per resident from the system's own counts."""
    unit = unit_of(spec)
    system, system_population = context.system, context.system_population
    if kind in {"proportion", "crude_rate", "dsr"}:
        per_resident = system["denominator"] / system_population
        denominator = max(round(per_resident * population), 1)
        if kind == "proportion":
            count = rng.binomial(denominator, min(true_value / unit, 1.0))
        elif kind == "crude_rate":
            count = rng.poisson(true_value / spec.multiplier * denominator)
        else:
            expected = (
                system["count"] / system_population * population * true_value / system["value"]
            )
            count = rng.poisson(expected)
            value = true_value * count / expected
            return {
                "value": value,
                "count": count,
                "denominator": denominator,
                "population": population,
                **limits_dict(dsr_limits(value, count)),
            }
        return counted(spec, count, denominator, population)
    if kind == "isr":
        expected = SMI_EXPECTED_DEATHS_PER_RESIDENT * population
        observed = rng.poisson(expected * true_value / spec.multiplier)
        value = observed / expected * spec.multiplier
        limits = ratio_limits(observed, expected, spec.multiplier)
        return {
            "value": value,
            "count": observed,
            "denominator": round(expected, 1),
            "population": population,
            **limits_dict(limits),
        }
    if kind == "survey":
        sample = spec.pattern.sample_million * population / 1e6
        share = np.clip(true_value / unit, 0.001, 0.999)
        value = (
            float(np.clip(rng.normal(share, np.sqrt(share * (1 - share) / sample)), 0.001, 0.999))
            * unit
        )
        return {
            "value": value,
            "population": population,
            **limits_dict(survey_limits(value, sample, unit)),
        }
    if kind == "modelled":
        value = true_value * np.exp(rng.normal(0.0, 0.02))
        return {"value": value, "population": population}
    if kind == "gap_wilson":
        cpa = max(round(SMI_CPA_PER_RESIDENT * population), 1)
        employed = rng.binomial(cpa, np.clip((OVERALL_EMPLOYMENT - true_value) / 100, 0.01, 0.99))
        return _gap_from_employed(employed, cpa, population)
    if kind == "normal":
        se = spec.pattern.se_million * np.sqrt(1e6 / population)
        value = rng.normal(true_value, se)
        return {
            "value": value,
            "population": population,
            "se": se,
            **limits_dict(normal_limits(value, se)),
        }
    if kind == "count":  # a national total: the area's share of it
        share = population / context.england_population
        return {
            "value": true_value * share * np.exp(rng.normal(0.0, 0.04)),
            "population": population,
        }
    return {"value": true_value * np.exp(rng.normal(0.0, 0.03)), "population": population}  # mean


def _gap_from_employed(employed, cpa, population) -> dict:
    at95 = wilson_interval(employed, cpa, multiplier=100)
    at998 = wilson_interval(employed, cpa, multiplier=100, confidence=0.998)
    value = OVERALL_EMPLOYMENT - float(at95.value)
    return {
        "value": value,
        "lower": OVERALL_EMPLOYMENT - float(at95.upper),
        "upper": OVERALL_EMPLOYMENT - float(at95.lower),
        "lower_998": OVERALL_EMPLOYMENT - float(at998.upper),
        "upper_998": OVERALL_EMPLOYMENT - float(at998.lower),
        "count": employed,
        "denominator": cpa,
        "population": population,
    }


def _combine(spec, kind, parts: list[dict], england: float | None) -> dict:
    """A region or England from its ICBs: sums where counts add up, else weighted means."""
    population = sum(part["population"] for part in parts)
    if kind in {"proportion", "crude_rate"}:
        count = sum(part["count"] for part in parts)
        denominator = sum(part["denominator"] for part in parts)
        return counted(spec, count, denominator, population)
    if kind == "gap_wilson":
        employed = sum(part["count"] for part in parts)
        cpa = sum(part["denominator"] for part in parts)
        return _gap_from_employed(employed, cpa, population)
    if kind == "dsr":
        events = sum(part["count"] for part in parts)
        value = sum(part["value"] * part["population"] for part in parts) / population
        denominator = sum(part["denominator"] for part in parts)
        return {
            "value": value,
            "count": events,
            "denominator": denominator,
            "population": population,
            **limits_dict(dsr_limits(value, events)),
        }
    if kind == "isr":
        observed = sum(part["count"] for part in parts)
        expected = sum(part["denominator"] for part in parts)
        value = observed / expected * spec.multiplier
        return {
            "value": value,
            "count": observed,
            "denominator": round(expected, 1),
            "population": population,
            **limits_dict(ratio_limits(observed, expected, spec.multiplier)),
        }
    if kind == "count":  # England too is the sum of its ICBs
        return {"value": sum(part["value"] for part in parts), "population": population}
    weighted = sum(part["value"] * part["population"] for part in parts) / population
    value = weighted if england is None else england
    if kind == "survey":
        sample = spec.pattern.sample_million * population / 1e6
        return {
            "value": value,
            "population": population,
            **limits_dict(survey_limits(value, sample, unit_of(spec))),
        }
    if kind == "normal":
        se = spec.pattern.se_million * np.sqrt(1e6 / population)
        return {"value": value, "population": population, **limits_dict(normal_limits(value, se))}
    return {"value": value, "population": population}
