"""Nearest neighbours: the areas most like a given area on a set of features
(docs/nearest-neighbours.md).

The method, in the order it is applied:

1. **Candidates.** One row per area of a single type (ICBs with ICBs, upper-tier local
   authorities with upper-tier local authorities), one column per feature; every value present.
2. **Standardise.** Each feature becomes a z-score over all candidates:
   ``z = (x - mean) / sd``, with the population standard deviation (divide by n). Features in
   different units (a share, a mean decile) then weigh the same. A feature that is the same for
   every candidate carries no information and standardises to 0.
3. **Distance.** Euclidean distance between the area's z-scores and each other candidate's.
4. **Nearest k.** The k candidates with the smallest distance, the area itself excluded; when
   fewer than k others exist, all of them. Equal distances (to 9 decimal places, so that
   floating-point noise cannot reorder them) are broken by area code, ascending, so the same
   inputs always give the same members in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indicators.statistics.common import StatisticsInputError, as_float_array, require_finite

DEFAULT_K = 10
# Distances equal to this many decimal places are ties, broken by area code.
TIE_DECIMALS = 9


@dataclass(frozen=True)
class Neighbour:
    code: str
    distance: float


def standardise(features) -> np.ndarray:
    """Z-scores of each column over all rows (population standard deviation)."""
    array = as_float_array(features, "features")
    if array.ndim != 2:
        raise StatisticsInputError("features must be a table: one row per area.")
    require_finite(array, "features (every area needs a value for every feature)")
    spread = array.std(axis=0)
    centred = array - array.mean(axis=0)
    # A constant column: every area is at the mean, so its z-score is 0, not 0/0.
    return np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 0)


def nearest_neighbours(
    codes: Sequence[str], features, *, area: str, k: int = DEFAULT_K
) -> list[Neighbour]:
    """The k areas nearest to ``area``, nearest first (see the module docstring).

    ``codes`` names the rows of ``features`` (areas × features), all candidates of one area type.
    """
    codes = list(codes)
    array = as_float_array(features, "features")
    if array.ndim != 2 or array.shape[0] != len(codes):
        raise StatisticsInputError("features must have one row per area code.")
    if len(set(codes)) != len(codes):
        raise StatisticsInputError("Each area code may appear only once.")
    if area not in codes:
        raise StatisticsInputError(f"{area} is not among the candidate areas.")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise StatisticsInputError("k must be a whole number of 1 or more.")

    scores = standardise(array)
    target = codes.index(area)
    distances = np.sqrt(((scores - scores[target]) ** 2).sum(axis=1))
    others = [index for index in range(len(codes)) if index != target]
    others.sort(key=lambda index: (round(float(distances[index]), TIE_DECIMALS), codes[index]))
    return [Neighbour(codes[index], float(distances[index])) for index in others[:k]]
