"""From each area's sums to its cells: the headline, sex, deprivation quintile and decile,
and ethnic-group cells, with the DSR age bands beside them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.vocabulary import decile_label, decile_type, quintile_label, quintile_type
from ingest.rollup.codes import (
    DECILE,
    ETHNIC,
    FEMALE,
    HEADLINE,
    MALE,
    N_BANDS,
    N_FAMILIES,
    PERSONS,
    QUINTILE,
    ROLE_FEMALE_HEADLINE,
    ROLE_MALE,
    ROLE_MALE_HEADLINE,
    ROLE_PERSONS,
    SEX,
    group_keys,
    group_sum,
)
from ingest.rollup.frames import BAND_DENOMINATOR_COLUMNS, BAND_NUMERATOR_COLUMNS
from ingest.rollup.rows import CodedRows, IndicatorPeriods
from ingest.rollup.sums import AreaSums
from ingest.rollup.tree import TreeArrays
from ingest.schema import ETHNIC_TYPE


def _family_rows(sums: AreaSums, periods: IndicatorPeriods):
    """For each kind of cell, the summed rows that feed it and their category code."""
    headline = sums.role <= ROLE_FEMALE_HEADLINE
    male = (sums.role == ROLE_MALE_HEADLINE) | (sums.role == ROLE_MALE)
    with_decile = headline & (sums.decile > 0)
    # docs/domain.md: national quintile = ceil(decile / 2), 1 = most deprived.
    quintile = (sums.decile + 1) // 2
    yield HEADLINE, headline, np.zeros_like(sums.role)
    yield SEX, (sums.role != ROLE_PERSONS) & periods.sex[sums.ip], np.where(male, 1, 2)
    yield QUINTILE, with_decile, quintile
    yield DECILE, with_decile & periods.decile[sums.ip], sums.decile
    yield ETHNIC, headline & (sums.ethnic >= 0) & periods.ethnic[sums.ip], sums.ethnic


def cells_from_sums(sums: AreaSums, rows: CodedRows, periods: IndicatorPeriods, tree: TreeArrays):
    parts = [
        (np.flatnonzero(mask), family, category[mask])
        for family, mask, category in _family_rows(sums, periods)
    ]
    index = np.concatenate([part[0] for part in parts])
    family = np.concatenate([np.full(len(part[0]), part[1]) for part in parts])
    category = np.concatenate([part[2] for part in parts])
    n_categories = max(11, len(rows.ethnic_names))
    ids, (ip, area, family, category) = group_keys(
        [sums.ip[index], sums.area[index], family, category],
        [len(rows.ip_indicator), len(tree.codes), N_FAMILIES, n_categories],
    )
    n = len(ip)
    band = sums.band[index]
    cells = pd.DataFrame(
        {
            "indicator_code": np.array(rows.ip_indicator, dtype=object)[ip],
            "period_label": np.array(rows.ip_period, dtype=object)[ip],
            "area_code": tree.codes.to_numpy()[area],
            "sex": np.where(family == SEX, np.where(category == 1, MALE, FEMALE), PERSONS),
            "age": periods.default_age[ip],
            "category_type": np.array(
                [
                    "",
                    "",
                    quintile_type(tree.deprivation),
                    decile_type(tree.deprivation),
                    ETHNIC_TYPE,
                ]
            )[family],  # fmt: skip
            "category": _category_labels(family, category, rows.ethnic_names),
            "numerator": group_sum(ids, sums.numerator[index], n),
            "denominator": group_sum(ids, sums.denominator[index], n),
            "published": (family != QUINTILE) | periods.quintile[ip],
        }
    )
    numerators = _band_matrix(ids, band, sums.numerator[index], n)
    denominators = _band_matrix(ids, band, sums.denominator[index], n)
    outside = ~periods.dsr[ip][:, None] | ~_bands_given(rows)[ip]
    numerators[outside] = np.nan
    denominators[outside] = np.nan
    bands = pd.DataFrame(
        np.hstack([numerators, denominators]),
        columns=BAND_NUMERATOR_COLUMNS + BAND_DENOMINATOR_COLUMNS,
    )
    cells = pd.concat([cells, bands], axis=1)
    cells["family"], cells["category_code"] = family, category
    order = ["indicator_code", "period_label", "area_code", "family", "category_code"]
    cells = cells.sort_values(order, kind="stable", ignore_index=True)
    return cells.drop(columns=["family", "category_code"])


def _category_labels(family, category, ethnic_names: list[str]) -> np.ndarray:
    labels = np.full(len(family), "", dtype=object)
    for kind, label in ((QUINTILE, quintile_label), (DECILE, decile_label)):
        mask = family == kind
        table = np.array([""] + [label(code) for code in range(1, 11)], dtype=object)
        labels[mask] = table[category[mask]]
    ethnic = family == ETHNIC
    if ethnic.any():
        labels[ethnic] = np.array(ethnic_names, dtype=object)[category[ethnic]]
    return labels


def _band_matrix(ids, band, values, n) -> np.ndarray:
    """Sums per cell and ESP2013 band (cells × 19); rows of All ages sums go nowhere."""
    banded = band < N_BANDS
    flat = ids[banded] * N_BANDS + band[banded]
    sums = np.bincount(flat, weights=values[banded].astype(float), minlength=n * N_BANDS)
    return sums.astype(float).reshape(n, N_BANDS)


def _bands_given(rows: CodedRows) -> np.ndarray:
    """(ip × 19): whether the extract gives the band at all for the indicator × period."""
    given = np.zeros((len(rows.ip_indicator), N_BANDS + 1), dtype=bool)
    given[rows.ip, rows.band] = True
    return given[:, :N_BANDS]
