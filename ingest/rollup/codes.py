"""The integer codes the roll-up sums by (sexes, age bands, a row's role, kinds of cell), and
grouping and summing rows by such codes without a Python string per row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingest.schema import ESP2013_AGE_BANDS

PERSONS, MALE, FEMALE = "Persons", "Male", "Female"

# Integer codes used while summing. Bands 0–18 are ESP2013's; TOTAL_BAND is an "All ages" row
# or, for indicators that are not DSRs, every row once its age bands are added together.
N_BANDS = len(ESP2013_AGE_BANDS)
TOTAL_BAND = N_BANDS
SEX_CODES = {PERSONS: 0, MALE: 1, FEMALE: 2}
# A row's part in the sums: Persons (headline only), Male/Female also in the headline (no
# Persons row in its cell), or Male/Female in the sex breakdown only.
ROLE_PERSONS, ROLE_MALE_HEADLINE, ROLE_FEMALE_HEADLINE, ROLE_MALE, ROLE_FEMALE = range(5)
N_ROLES = 5
HEADLINE, SEX, QUINTILE, DECILE, ETHNIC = range(5)
N_FAMILIES = 5


def group_keys(keys: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dense group ids for rows keyed by small non-negative integer codes, and each group's
    codes (groups in order of first appearance)."""
    if np.prod([float(size) for size in sizes]) >= 2**62:
        raise ValueError("Too many distinct keys to roll up in one pass")
    composite = np.zeros(len(keys[0]), dtype=np.int64)
    for key, size in zip(keys, sizes, strict=True):
        composite *= size
        composite += key
    ids, uniques = pd.factorize(composite)
    decoded, rest = [], np.asarray(uniques, dtype=np.int64)
    for size in reversed(sizes):
        decoded.append(rest % size)
        rest = rest // size
    return ids, decoded[::-1]


def group_sum(ids: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum per group, skipping NaN; NaN where a group has no number at all."""
    finite = np.isfinite(values)
    if finite.all():  # as usual: no copy with the NaNs zeroed
        return np.bincount(ids, weights=values, minlength=size).astype(float)
    total = np.bincount(ids, weights=np.where(finite, values, 0.0), minlength=size)
    total[np.bincount(ids[finite], minlength=size) == 0] = np.nan
    return total


def group_any(ids: np.ndarray, flags: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(ids[flags], minlength=size) > 0
