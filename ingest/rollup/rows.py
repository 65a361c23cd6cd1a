"""The extract's rows as integer codes, what each indicator × period's method and published
breakdowns are, and which rows count as totals and which as parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingest.rollup.codes import (
    N_BANDS,
    PERSONS,
    ROLE_PERSONS,
    SEX_CODES,
    TOTAL_BAND,
    group_any,
    group_keys,
)
from ingest.rollup.frames import IndicatorSpec
from ingest.rollup.tree import TreeArrays
from ingest.schema import ALL_AGES, ESP2013_AGE_BANDS


@dataclass(eq=False)
class CodedRows:
    """The extract's rows as integer codes; ``ip`` numbers each indicator × period."""

    ip: np.ndarray
    unit: np.ndarray  # position of the small area in the tree
    sex: np.ndarray
    band: np.ndarray  # 0–18 for ESP2013 bands, TOTAL_BAND for All ages
    ethnic: np.ndarray  # -1 when the row has no ethnic group
    numerator: np.ndarray
    denominator: np.ndarray
    ip_indicator: list[str]
    ip_period: list[str]
    ethnic_names: list[str]

    def take(self, keep: np.ndarray) -> None:
        for name in ("ip", "unit", "sex", "band", "ethnic", "numerator", "denominator"):
            setattr(self, name, getattr(self, name)[keep])


def coded_rows(counts: pd.DataFrame, tree: TreeArrays, indicators) -> CodedRows:
    # Every text column is factorised once (pyarrow does it for "str" columns) and only its
    # distinct values are looked up: no per-row Python strings.
    indicator, indicator_names = _factorize(counts["indicator_code"])
    unknown = [code for code in indicator_names if code not in indicators]
    if unknown:
        raise ValueError(f"No indicator specification for {unknown[0]!r}")
    period, period_names = _factorize(counts["period_label"])
    ip, (ip_indicator, ip_period) = group_keys(
        [indicator, period], [len(indicator_names), len(period_names)]
    )
    area, area_names = _factorize(counts["area_code"])
    area_units = tree.codes.get_indexer(area_names)
    if (area_units < 0).any():
        raise ValueError(f"Area {area_names[area_units < 0][0]!r} is not in the area tree")
    # Per-row codes as narrow as they can be: a million rows of int64 is 8 MB a column,
    # and every copy of it costs time to allocate.
    unit = area_units.astype(np.int32)[area]
    sex = _codes(counts["sex"], list(SEX_CODES), "sex")
    band = _codes(counts["age_band"], [*ESP2013_AGE_BANDS, ALL_AGES], "age_band")
    ethnic, ethnic_names = _ethnic_codes(counts)
    return CodedRows(
        ip=ip.astype(np.int32),
        unit=unit,
        sex=sex,
        band=band,
        ethnic=ethnic,
        numerator=counts["numerator"].to_numpy(dtype=float),
        denominator=counts["denominator"].to_numpy(dtype=float),
        ip_indicator=[indicator_names[i] for i in ip_indicator],
        ip_period=[period_names[i] for i in ip_period],
        ethnic_names=ethnic_names,
    )


def _factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a text column; a missing value reads as ""."""
    if isinstance(column.dtype, pd.CategoricalDtype) and not column.hasnans:
        # Validation hands over codes already: keep them, dropping categories no row uses.
        codes = column.cat.codes.to_numpy()
        categories = np.asarray(column.cat.categories, dtype=object)
        used = np.bincount(codes, minlength=len(categories)) > 0
        if used.all():
            return codes, categories
        return (np.cumsum(used) - 1)[codes], categories[used]
    codes, uniques = pd.factorize(column.fillna(""))
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)


def _codes(column: pd.Series, labels: list[str], name: str) -> np.ndarray:
    codes, uniques = _factorize(column)
    positions = pd.Index(labels, dtype=object).get_indexer(uniques)
    if (positions < 0).any():
        raise ValueError(f"Unexpected {name} {uniques[positions < 0][0]!r}")
    return positions.astype(np.int8)[codes]  # a handful of labels


def _ethnic_codes(counts: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    if "ethnic_group" not in counts:
        return np.full(len(counts), -1, dtype=np.int32), []
    codes, uniques = _factorize(counts["ethnic_group"])
    # A blank group is no group (-1); the others are numbered in order of first appearance.
    named = uniques != ""
    renumber = np.where(named, np.cumsum(named) - 1, -1).astype(np.int32)
    return renumber[codes] if len(codes) else codes, list(uniques[named])


@dataclass(frozen=True, eq=False)
class IndicatorPeriods:
    """Per indicator × period (``ip``): the indicator's method and published breakdowns."""

    dsr: np.ndarray
    sex: np.ndarray
    quintile: np.ndarray
    decile: np.ndarray
    ethnic: np.ndarray
    default_age: np.ndarray

    @classmethod
    def from_specs(cls, codes: list[str], indicators: Mapping[str, IndicatorSpec]):
        specs = [indicators[code] for code in codes]

        def publishes(breakdown):
            return np.array([breakdown in spec.breakdowns for spec in specs], dtype=bool)

        return cls(
            dsr=np.array([spec.value_type == "dsr" for spec in specs], dtype=bool),
            sex=publishes("sex"),
            quintile=publishes("imd_quintile"),
            decile=publishes("imd_decile"),
            ethnic=publishes("ethnic_group"),
            default_age=np.array([spec.default_age for spec in specs], dtype=object),
        )


def check_ages_and_ethnic_groups(rows: CodedRows, periods: IndicatorPeriods) -> None:
    n_ip = len(rows.ip_indicator)
    all_ages_dsr = periods.dsr[rows.ip] & (rows.band == TOTAL_BAND)
    if all_ages_dsr.any():
        code = rows.ip_indicator[rows.ip[all_ages_dsr][0]]
        raise ValueError(
            f"Indicator {code} is a DSR: its counts need five-year age bands, not 'All ages'"
        )
    with_group = group_any(rows.ip, rows.ethnic >= 0, n_ip)
    without_group = group_any(rows.ip, rows.ethnic < 0, n_ip)
    mixed = with_group & without_group
    if mixed.any():
        # A blank group could be a total or "not known": summing either way could be wrong.
        code = rows.ip_indicator[np.flatnonzero(mixed)[0]]
        raise ValueError(f"Indicator {code}: some rows have an ethnic group and some do not")


def resolve_totals(rows: CodedRows, periods: IndicatorPeriods) -> np.ndarray:
    """Drop age-band rows under an All ages row, and return each row's role (ROLE_*)."""
    n_areas = int(rows.unit.max()) + 1
    sizes = [len(rows.ip_indicator), n_areas, 3, len(rows.ethnic_names) + 1]
    all_ages = rows.band == TOTAL_BAND
    if all_ages.any() and not all_ages.all():
        ids, groups = group_keys([rows.ip, rows.unit, rows.sex, rows.ethnic + 1], sizes)
        rows.take(all_ages | ~group_any(ids, all_ages, len(groups[0]))[ids])
    # Indicators that are not DSRs add their age bands together.
    rows.band = np.where(periods.dsr[rows.ip], rows.band, TOTAL_BAND)

    persons = rows.sex == SEX_CODES[PERSONS]
    has_persons = np.zeros(len(rows.ip), dtype=bool)
    if persons.any() and not persons.all():
        ids, groups = group_keys(
            [rows.ip, rows.unit, rows.band, rows.ethnic + 1],
            [sizes[0], n_areas, N_BANDS + 1, sizes[3]],
        )
        has_persons = group_any(ids, persons, len(groups[0]))[ids]
    # Persons → 0; Male/Female → 1/2 when they make the headline, 3/4 when a Persons row does.
    return np.where(persons, ROLE_PERSONS, rows.sex + 2 * has_persons.astype(np.int8))
