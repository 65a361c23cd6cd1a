"""The system's own areas for the indicators a source publishes ready-made (life expectancy,
survey estimates, SII, ISR, system-flow counts and means): its ICB, sub-ICB locations,
councils and localities, with sex and IMD rows where published."""

from __future__ import annotations

import numpy as np

from demo.comparators import Context, sample_area, values_kind
from demo.figures import ValueRow, limits_dict, normal_limits, value_row
from demo.framework import SEXES, IndicatorSpec
from demo.geography import Geography, rng_for
from demo.model import (
    SYSTEM_NOISE,
    anchored,
    england_levels,
    from_link,
    gradient_slope,
    lsoa_effects,
    to_link,
    unit_of,
    with_season,
)
from indicators.vocabulary import decile_label, quintile_label
from ingest.schema import DECILE_TYPE, QUINTILE_TYPE

LIFE_EXPECTANCY_MINIMUM_POPULATION = 5000  # ONS/OHID: no life table below 5,000 residents
LIFE_EXPECTANCY_SMALL_NOTE = "Value not calculated: population below 5,000"
ENGLAND_RESIDENTS = 56_500_000  # mid-2021
SLOPE_INDEX = "OVR03"  # its areas' SIIs follow the slope of the life expectancy model


def _groups(spec: IndicatorSpec, geo: Geography):
    """(area code, category type, category, LSOA mask) for every published figure."""
    areas = geo.published()
    groups = [(code, "", "", geo.mask(code)) for code in areas]
    # Deprivation breakdowns for the ICB, its sub-ICB locations and its councils.
    localities = set(geo.localities) - set(geo.sub_icbs)
    deprivation_areas = [(code, geo.mask(code)) for code in areas if code not in localities]
    if "imd_quintile" in spec.breakdowns:
        for code, mask in deprivation_areas:
            for quintile in range(1, 6):
                groups.append(
                    (
                        code,
                        QUINTILE_TYPE,
                        quintile_label(quintile),
                        mask & (geo.quintile == quintile),
                    )
                )
    if "imd_decile" in spec.breakdowns:
        for code, mask in deprivation_areas:
            for decile in range(1, 11):
                groups.append(
                    (code, DECILE_TYPE, decile_label(decile), mask & (geo.decile == decile))
                )
    return groups


def local_value_rows(
    spec: IndicatorSpec, geo: Geography, seed: int, periods, life: IndicatorSpec | None = None
) -> list[ValueRow]:
    """The system's areas (and IMD groups) for a values indicator. ``life`` is the life
    expectancy indicator, whose LSOA model shapes the slope index of inequality."""
    if spec.code == SLOPE_INDEX:
        return _slope_index_rows(spec, geo, seed, periods, life)
    if spec.value_type in {"count", "mean"}:
        return _system_flow_rows(spec, geo, seed, periods)
    rng = rng_for(seed, spec.code, "local")
    kind = values_kind(spec)
    effects = lsoa_effects(spec, geo, seed)
    unit = unit_of(spec)
    sexes = ("Persons", *SEXES) if "sex" in spec.breakdowns else ("Persons",)
    groups = _groups(spec, geo)
    rows = []
    for sex in sexes:
        level = england_levels(spec, periods, sex)
        sex_shift = 0.0 if sex == "Persons" else float(effects.sex[SEXES.index(sex)])
        for k, period in enumerate(periods):
            population = geo.population_at(period.mid)
            population = (
                population.sum(axis=(1, 2))
                if sex == "Persons"
                else population[:, SEXES.index(sex)].sum(axis=1)
            )
            centre = to_link(spec.scale, level[k], unit)
            lsoa_values = from_link(spec.scale, centre + effects.lsoa + sex_shift, unit)
            published: dict[tuple[str, str], dict] = {}  # the ICB's figures
            for code, category_type, category, mask in groups:
                if not mask.any() or (sex != "Persons" and category_type):
                    continue  # no LSOAs in the group; sex × deprivation cells unpublished
                if geo.same_as_icb(code):
                    figures = published[(category_type, category)]  # the same population
                else:
                    size = float(population[mask].sum())
                    true_value = float((lsoa_values[mask] * population[mask]).sum() / size)
                    figures = sample_area(spec, kind, rng, true_value, size, Context())
                    too_small = size < LIFE_EXPECTANCY_MINIMUM_POPULATION
                    if spec.value_type == "years" and too_small:
                        figures = {"value": None, "note": LIFE_EXPECTANCY_SMALL_NOTE}
                if code == geo.icb:
                    published[(category_type, category)] = figures
                rows.append(
                    value_row(
                        spec,
                        code,
                        period,
                        sex,
                        figures,
                        category_type=category_type,
                        category=category,
                    )
                )
    return rows


def _slope_index_rows(spec, geo, seed, periods, life: IndicatorSpec) -> list[ValueRow]:
    """Each area's SII scales England's with the slope of its LSOAs' life expectancy (from
    the life expectancy model) across its own deprivation distribution."""
    rng = rng_for(seed, spec.code, "local")
    effects = lsoa_effects(life, geo, seed)
    national_slope = abs(gradient_slope(life, life.england_value)) * 10
    population = geo.population.sum(axis=(1, 2))
    areas = [(code, geo.mask(code)) for code in geo.published()]
    ratios = {}
    for code, mask in areas:
        order = np.argsort(geo.rank[mask], kind="stable")
        weights = population[mask][order]
        position = (np.cumsum(weights) - weights / 2) / weights.sum()
        values = effects.lsoa[mask][order]
        slope = np.polyfit(position, values, 1, w=np.sqrt(weights))[0]
        ratios[code] = abs(slope) / national_slope
    rows = []
    for sex in ("Persons", *SEXES):
        level = england_levels(spec, periods, sex)
        for k, period in enumerate(periods):
            icb_figures: dict = {}  # filled first: the ICB leads the published areas
            for code, mask in areas:
                if geo.same_as_icb(code):
                    figures = icb_figures
                else:
                    size = float(population[mask].sum())
                    se = spec.pattern.se_million * np.sqrt(1e6 / size)
                    value = rng.normal(level[k] * ratios[code], se)
                    figures = {"value": value, **limits_dict(normal_limits(value, se))}
                if code == geo.icb:
                    icb_figures = figures
                rows.append(value_row(spec, code, period, sex, figures))
    return rows


def _system_level(spec: IndicatorSpec, geo: Geography, rng, periods) -> np.ndarray:
    """The ICB's series: engineered where the system's story has one, else England's level
    (a count in proportion to the system's population), with period-to-period noise."""
    if spec.engineered:
        level = with_season(spec, anchored(spec.engineered.anchors, periods), periods)
        noise = spec.engineered.noise
    else:
        level = england_levels(spec, periods)
        if spec.value_type == "count":
            level = level * float(geo.population.sum()) / ENGLAND_RESIDENTS
        noise = spec.pattern.noise if spec.pattern.noise is not None else SYSTEM_NOISE["log"]
    return level * np.exp(rng.normal(0.0, noise, size=len(periods)))


def _system_flow_rows(spec, geo, seed, periods) -> list[ValueRow]:
    """Patients not meeting the criteria to reside (a daily mean count) and mean days from
    discharge-ready to discharge: the ICB's series split by council and locality; SPC
    limits replace CIs."""
    rng = rng_for(seed, spec.code, "local")
    level = _system_level(spec, geo, rng, periods)
    older = geo.population[:, :, 13:].sum(axis=(1, 2))  # delayed discharges are mostly 65+
    whole = [code for code in geo.published() if geo.same_as_icb(code)]
    children = [  # split from their parent: the localities, else the sub-ICB locations
        code
        for code in geo.published()
        if code not in whole and (code in geo.localities or code in geo.sub_icbs)
    ]
    effects = spec.council_effects or {}
    rows = []
    for k, period in enumerate(periods):
        values = {geo.icb: level[k], **dict.fromkeys(whole, level[k])}
        if spec.value_type == "count":
            shares = np.array([older[geo.council == code].sum() for code in geo.councils])
            shares = shares * np.exp(rng.normal(0.0, 0.05, size=len(geo.councils)))
            council_values = dict(zip(geo.councils, level[k] * shares / shares.sum(), strict=True))
            values.update({code: council_values[code] for code in geo.own_councils})
            for code in children:
                parent = geo.parent(code)
                siblings = [item for item in children if geo.parent(item) == parent]
                weights = np.array([older[geo.mask(item)].sum() for item in siblings])
                weights = weights * np.exp(rng.normal(0.0, 0.06, size=len(weights)))
                parent_value = {**council_values, **values}[parent]
                values[code] = parent_value * weights[siblings.index(code)] / weights.sum()
        else:
            for code in geo.own_councils:
                values[code] = level[k] * effects.get(code, 1.0) * np.exp(rng.normal(0.0, 0.04))
            for code in children:
                values[code] = values[geo.parent(code)] * np.exp(rng.normal(0.0, 0.06))
        for code, value in values.items():
            rows.append(value_row(spec, code, period, "Persons", {"value": round(float(value), 2)}))
    return rows
