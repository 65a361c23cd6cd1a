"""Benchmarking: how an area compares with a reference, its peers and a goal (docs/methods.md §9).

The statistical comparison (against England, the ICB, ...) and the comparison with a target
("compared to goal") are separate results, as Fingertips shows them side by side. Every
function is vectorised: values, limits, references, targets and polarity may be scalars or
arrays that broadcast together. Labels come back as a numpy array of strings, as a pandas
Series with the input's index when a Series was passed in, or as one string for scalars.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from indicators.statistics.common import StatisticsInputError, as_float_array
from indicators.vocabulary import HIGHER_BETTER, LOWER_BETTER, NO_JUDGEMENT, POLARITIES

# A comparison's polarity may also be "not applicable" (Fingertips'), which compares nothing.
NOT_APPLICABLE = "not_applicable"
COMPARISON_POLARITIES = (*POLARITIES, NOT_APPLICABLE)

NOT_COMPARED = "Not compared"
SIMILAR = "Similar"
# Fingertips: the word for "above" and "below" the comparator under each polarity.
_DIRECTION_WORDS = {
    HIGHER_BETTER: ("Better", "Worse"),
    LOWER_BETTER: ("Worse", "Better"),
    NO_JUDGEMENT: ("Higher", "Lower"),
}
# FingertipsNext quintile labels, Q1 (lowest values) to Q5.
_QUINTILE_WORDS = {
    HIGHER_BETTER: ("Worst", "Worse", "Middle", "Better", "Best"),
    LOWER_BETTER: ("Best", "Better", "Middle", "Worse", "Worst"),
    NO_JUDGEMENT: ("Lowest", "Low", "Middle", "High", "Highest"),
}
QUINTILE_MINIMUM_VALUES = 5

GREEN, AMBER, RED = "Green", "Amber", "Red"


# --- Against a reference value ------------------------------------------------------------------


def compare_with_reference(value, lower, upper, reference, *, polarity):
    """Better / Similar / Worse (or Higher / Similar / Lower) using the area's CI at one level.

    Pass the limits stored at the level wanted (95% or 99.8%). Similar when the CI contains the
    reference (inclusive); "Not compared" when the value, a limit or the reference is missing,
    or the polarity is not_applicable.
    """
    index = _series_index(value, lower, upper, reference)
    value, lower, upper, reference = _floats(
        value=value, lower=lower, upper=upper, reference=reference
    )
    _require_ordered(lower, upper, "lower limit must not be above the upper limit")
    # Fingertips method 1 / FingertipsNext CIOverlappingReferenceValue95 and ...998: the
    # comparator's own CI plays no part.
    direction = np.select([lower > reference, upper < reference], [1, -1], default=0)
    compared = _all_present(value, lower, upper, reference)
    labels = _direction_labels(direction, compared, _polarities(polarity, value.shape))
    return _with_index(labels, index)


def compare_with_reference_two_levels(
    value, lower_95, upper_95, lower_998, upper_998, reference, *, polarity
):
    """Five-class comparison using both the 95% and the 99.8% CI (Fingertips method 17).

    Labels: "Better 99.8%", "Better 95%", "Similar", "Worse 95%", "Worse 99.8%" (Higher/Lower
    for no_judgement), or "Not compared" if anything needed is missing.
    """
    index = _series_index(value, lower_95, upper_95, lower_998, upper_998, reference)
    value, lower_95, upper_95, lower_998, upper_998, reference = _floats(
        value=value,
        lower_95=lower_95,
        upper_95=upper_95,
        lower_998=lower_998,
        upper_998=upper_998,
        reference=reference,
    )
    _require_ordered(lower_95, upper_95, "95% lower limit must not be above its upper limit")
    _require_ordered(lower_998, lower_95, "the 99.8% interval must contain the 95% interval")
    _require_ordered(upper_95, upper_998, "the 99.8% interval must contain the 95% interval")
    # Fingertips method 17: the rows of docs/methods.md §9.2, checked top to bottom.
    conditions = [
        (lower_95 <= reference) & (reference <= upper_95),
        (lower_998 <= reference) & (reference <= lower_95),
        (upper_95 <= reference) & (reference <= upper_998),
        reference < lower_998,
        reference > upper_998,
    ]
    direction = np.select(conditions, [0, 1, -1, 1, -1], default=0)
    level = np.select(conditions[1:3], [" 95%", " 95%"], default=" 99.8%")
    compared = _all_present(value, lower_95, upper_95, lower_998, upper_998, reference)
    labels = _direction_labels(direction, compared, _polarities(polarity, value.shape), level)
    return _with_index(labels, index)


# --- Quintiles ---------------------------------------------------------------------------------


def value_quintiles(values, *, groups=None):
    """Quintile 1 (lowest values) to 5 of each value within its group, NaN where not placed.

    FingertipsNext: NTILE(5) over the values in ascending order, so the groups are of equal
    size with the first ones one larger when n is not a multiple of 5; tied values are split in
    input order. Missing values are not placed, and a group with fewer than 5 values is not
    placed at all. ``groups`` (e.g. period × sex × age) keeps comparison sets apart.
    """
    index = _series_index(values)
    values = as_float_array(values, "values")
    if values.ndim != 1:
        raise StatisticsInputError("values must be one-dimensional")
    if groups is None:
        groups = np.zeros(values.size)
    elif isinstance(groups, pd.DataFrame):
        groups = groups.groupby(list(groups.columns), dropna=False, sort=False).ngroup()
    groups = np.asarray(groups, dtype=object)
    if groups.shape != values.shape:
        raise StatisticsInputError("groups must have one entry per value")
    placed = ~np.isnan(values)
    frame = pd.DataFrame({"value": values[placed], "group": groups[placed]})
    by_group = frame.groupby("group", dropna=False, sort=False)["value"]
    rank = by_group.rank(method="first").to_numpy() - 1  # 0-based, ties in input order
    count = by_group.transform("size").to_numpy()
    size, remainder = count // 5, count % 5
    in_larger_tiles = remainder * (size + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tile = np.where(
            rank < in_larger_tiles,
            rank // (size + 1) + 1,
            remainder + (rank - in_larger_tiles) // size + 1,
        )
    tile = np.where(count >= QUINTILE_MINIMUM_VALUES, tile, np.nan)
    quintiles = np.full(values.size, np.nan)
    quintiles[placed] = tile
    return _with_index(quintiles, index)


def quintile_labels(quintiles, *, polarity):
    """Labels for quintiles 1–5 by polarity ("Worst" ... "Best"); NaN gives "Not compared"."""
    index = _series_index(quintiles)
    quintile = as_float_array(quintiles, "quintiles")
    outside = ~np.isnan(quintile) & ~np.isin(quintile, [1, 2, 3, 4, 5])
    if outside.any():
        raise StatisticsInputError("quintiles must be 1 to 5, or NaN where not placed")
    polarity = _polarities(polarity, quintile.shape)
    labels = np.full(quintile.shape, NOT_COMPARED, dtype=object)
    for name, words in _QUINTILE_WORDS.items():
        for number, word in enumerate(words, start=1):
            labels[(polarity == name) & (quintile == number)] = word
    return _with_index(labels.astype(str), index)


def compare_by_quintile(values, *, polarity, groups=None):
    """Quintile labels for each value within its comparison group, in one call."""
    return quintile_labels(value_quintiles(values, groups=groups), polarity=polarity)


# --- Targets -----------------------------------------------------------------------------------


def compare_with_target(
    value, *, target, polarity, lower=None, upper=None, use_confidence_intervals=False
):
    """RAG rating against a single-value target (Fingertips "compared to goal").

    Without CIs the rating is Green or Red only. With ``use_confidence_intervals`` it is Green
    or Red only when the 95% CI is wholly on one side of the target, Amber otherwise. The
    polarities no_judgement and not_applicable, and missing inputs, give "Not compared".
    """
    index = _series_index(value, target, lower, upper)
    value, target = _floats(value=value, target=target)
    polarity = _polarities(polarity, np.broadcast(value, target).shape)
    if use_confidence_intervals:
        if lower is None or upper is None:
            raise StatisticsInputError("use_confidence_intervals needs lower and upper limits")
        lower, upper = _floats(lower=lower, upper=upper)
        _require_ordered(lower, upper, "lower limit must not be above the upper limit")
        # Fingertips target comparer with CIs: L95 ≥ T is above the target, U95 < T below.
        direction = np.select([lower >= target, upper < target], [1, -1], default=0)
        compared = _all_present(value, target, lower, upper)
    else:
        # Fingertips target comparer: a value exactly on the target has met it.
        direction = np.where(
            polarity == LOWER_BETTER,
            np.where(value <= target, -1, 1),
            np.where(value >= target, 1, -1),
        )
        compared = _all_present(value, target)
    return _with_index(_rag_labels(direction, compared, polarity), index)


def compare_with_target_range(value, *, target_lower, target_upper, polarity):
    """RAG rating against a target range [target_lower, target_upper].

    Higher is better: below the range Red, at or above its top Green, otherwise Amber; lower is
    better: the other way round.
    """
    index = _series_index(value, target_lower, target_upper)
    value, target_lower, target_upper = _floats(
        value=value, target_lower=target_lower, target_upper=target_upper
    )
    _require_ordered(target_lower, target_upper, "target_lower must not be above target_upper")
    polarity = _polarities(polarity, np.broadcast(value, target_lower, target_upper).shape)
    direction = np.select([value < target_lower, value >= target_upper], [-1, 1], default=0)
    compared = _all_present(value, target_lower, target_upper)
    return _with_index(_rag_labels(direction, compared, polarity), index)


# --- Helpers -----------------------------------------------------------------------------------


def _floats(**arrays) -> list[np.ndarray]:
    converted = [as_float_array(array, name) for name, array in arrays.items()]
    try:
        return list(np.broadcast_arrays(*converted))
    except ValueError as error:
        names = ", ".join(arrays)
        raise StatisticsInputError(f"{names} must have matching lengths") from error


def _require_ordered(low, high, message: str) -> None:
    if np.any(low > high):  # NaN comparisons are False, so missing limits pass here
        raise StatisticsInputError(message)


def _all_present(*arrays) -> np.ndarray:
    return np.logical_and.reduce([~np.isnan(array) for array in arrays])


def _polarities(polarity, shape) -> np.ndarray:
    polarity = np.asarray(polarity, dtype=object)
    unknown = {str(name) for name in np.unique(polarity.astype(str))} - set(COMPARISON_POLARITIES)
    if unknown:
        raise StatisticsInputError(
            f"polarity must be one of {COMPARISON_POLARITIES}, got {', '.join(sorted(unknown))}"
        )
    try:
        return np.broadcast_to(polarity, shape)
    except ValueError as error:
        raise StatisticsInputError("polarity must be one value or one per comparison") from error


def _direction_labels(direction, compared, polarity, level="") -> np.ndarray:
    """Words for +1 (above), 0 (similar) and −1 (below) under each polarity, plus any level."""
    labels = np.full(direction.shape, NOT_COMPARED, dtype=object)
    for name, (above, below) in _DIRECTION_WORDS.items():
        this = compared & (polarity == name)
        labels[this & (direction == 0)] = SIMILAR
        labels[this & (direction == 1)] = above
        labels[this & (direction == -1)] = below
    moved = (direction != 0) & (labels != NOT_COMPARED)
    labels[moved] = labels[moved] + np.broadcast_to(level, direction.shape)[moved]
    return labels.astype(str)


def _rag_labels(direction, compared, polarity) -> np.ndarray:
    """Green for the good side of the target under the polarity, Red for the bad, else Amber."""
    good = np.where(polarity == LOWER_BETTER, -direction, direction)
    labels = np.select([good > 0, good < 0], [GREEN, RED], default=AMBER).astype(object)
    judged = compared & np.isin(polarity, (HIGHER_BETTER, LOWER_BETTER))
    labels[~judged] = NOT_COMPARED
    return labels.astype(str)


def _series_index(*inputs):
    for candidate in inputs:
        if isinstance(candidate, pd.Series):
            return candidate.index
    return None


def _with_index(result: np.ndarray, index):
    """A Series on the caller's index when a Series came in, a str for scalar input, else
    the plain array."""
    if index is not None and len(index) == result.size:
        return pd.Series(result, index=index)
    return result.item() if result.ndim == 0 else result


def rank_by_polarity(values, *, polarity) -> np.ndarray:
    """Rank 1 is the best value: the highest where higher is better or there is no judgement,
    the lowest where lower is better. Ties share the better rank ("1, 2, 2, 4"); a missing
    value (NaN) is not ranked (NaN back) and does not count against the others."""
    array = as_float_array(values, "values")
    if polarity not in (HIGHER_BETTER, LOWER_BETTER, NO_JUDGEMENT):
        raise StatisticsInputError(f"polarity must be one of the judgements, got {polarity!r}")
    ranks = np.full(array.shape, np.nan)
    present = ~np.isnan(array)
    key = array[present] if polarity == LOWER_BETTER else -array[present]
    ranks[present] = rankdata(key, method="min")
    return ranks
