"""Benchmarking comparers (docs/methods.md §9), table-driven from its rules and hand checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.statistics.benchmark import (
    compare_by_quintile,
    compare_with_reference,
    compare_with_reference_two_levels,
    compare_with_target,
    compare_with_target_range,
    quintile_labels,
    rank_by_polarity,
    value_quintiles,
)
from indicators.statistics.common import StatisticsInputError

NAN = float("nan")

# --- §9.1 one level: an area with CI [45, 55] against reference R ------------------------------

ONE_LEVEL = [
    # reference, higher_better, lower_better, no_judgement
    (50, "Similar", "Similar", "Similar"),
    (45, "Similar", "Similar", "Similar"),  # limits are inclusive
    (55, "Similar", "Similar", "Similar"),
    (40, "Better", "Worse", "Higher"),  # L > R
    (60, "Worse", "Better", "Lower"),  # U < R
]


@pytest.mark.parametrize(
    ("reference", "polarity", "label"),
    [
        pytest.param(row[0], polarity, label, id=f"R={row[0]}-{polarity}")
        for row in ONE_LEVEL
        for polarity, label in zip(
            ("higher_better", "lower_better", "no_judgement"), row[1:], strict=True
        )
    ],
)
def test_one_level_comparison(reference, polarity, label):
    assert compare_with_reference(50, 45, 55, reference, polarity=polarity) == label


def test_one_level_worked_example_london_readmissions():
    # docs/methods.md §9.1: 12.5 (12.3–12.6) against England 12.1, low is good.
    assert compare_with_reference(12.5, 12.3, 12.6, 12.1, polarity="lower_better") == "Worse"


@pytest.mark.parametrize(
    ("value", "lower", "upper", "reference", "polarity"),
    [
        pytest.param(NAN, 45, 55, 40, "higher_better", id="missing-value"),
        pytest.param(50, NAN, 55, 40, "higher_better", id="missing-lower"),
        pytest.param(50, 45, None, 40, "higher_better", id="missing-upper"),
        pytest.param(50, 45, 55, NAN, "higher_better", id="missing-reference"),
        pytest.param(50, 45, 55, 40, "not_applicable", id="polarity-not-applicable"),
    ],
)
def test_one_level_not_compared(value, lower, upper, reference, polarity):
    assert compare_with_reference(value, lower, upper, reference, polarity=polarity) == (
        "Not compared"
    )


def test_one_level_is_vectorised_and_keeps_a_series_index():
    values = pd.Series([50.0, 50.0, 50.0, NAN], index=["E1", "E2", "E3", "E4"])

    labels = compare_with_reference(
        values,
        [45, 45, 45, 45],
        [55, 55, 55, 55],
        [40, 60, 40, 40],
        polarity=["higher_better", "higher_better", "lower_better", "lower_better"],
    )

    assert list(labels.index) == ["E1", "E2", "E3", "E4"]
    assert list(labels) == ["Better", "Worse", "Worse", "Not compared"]


def test_one_level_array_input_gives_an_array():
    labels = compare_with_reference(
        np.array([50.0, 50.0]), 45, 55, np.array([40.0, 50.0]), polarity="no_judgement"
    )

    assert isinstance(labels, np.ndarray)
    assert list(labels) == ["Higher", "Similar"]


# --- §9.2 two levels: value 50, 95% CI [45, 55], 99.8% CI [42, 58] ------------------------------

TWO_LEVELS = [
    # reference, higher_better, lower_better, no_judgement
    (50, "Similar", "Similar", "Similar"),
    (43, "Better 95%", "Worse 95%", "Higher 95%"),
    (42, "Better 95%", "Worse 95%", "Higher 95%"),  # on the 99.8% limit: still 95% only
    (40, "Better 99.8%", "Worse 99.8%", "Higher 99.8%"),
    (57, "Worse 95%", "Better 95%", "Lower 95%"),
    (58, "Worse 95%", "Better 95%", "Lower 95%"),
    (60, "Worse 99.8%", "Better 99.8%", "Lower 99.8%"),
]


@pytest.mark.parametrize(
    ("reference", "polarity", "label"),
    [
        pytest.param(row[0], polarity, label, id=f"R={row[0]}-{polarity}")
        for row in TWO_LEVELS
        for polarity, label in zip(
            ("higher_better", "lower_better", "no_judgement"), row[1:], strict=True
        )
    ],
)
def test_two_level_comparison(reference, polarity, label):
    assert compare_with_reference_two_levels(50, 45, 55, 42, 58, reference, polarity=polarity) == (
        label
    )


@pytest.mark.parametrize(
    "limits",
    [
        pytest.param((45, 55, NAN, 58), id="missing-99.8-lower"),
        pytest.param((45, 55, 42, NAN), id="missing-99.8-upper"),
        pytest.param((NAN, 55, 42, 58), id="missing-95-lower"),
    ],
)
def test_two_level_comparison_needs_both_intervals(limits):
    label = compare_with_reference_two_levels(50, *limits, 40, polarity="higher_better")

    assert label == "Not compared"


def test_two_level_comparison_is_vectorised():
    labels = compare_with_reference_two_levels(
        [50, 50, 50], 45, 55, 42, 58, [50, 43, 40], polarity="lower_better"
    )

    assert list(labels) == ["Similar", "Worse 95%", "Worse 99.8%"]


# --- §9.4 quintiles ---------------------------------------------------------------------------

QUINTILE_LABELS = {
    "higher_better": ["Worst", "Worse", "Middle", "Better", "Best"],
    "lower_better": ["Best", "Better", "Middle", "Worse", "Worst"],
    "no_judgement": ["Lowest", "Low", "Middle", "High", "Highest"],
}


@pytest.mark.parametrize(
    ("values", "quintiles"),
    [
        pytest.param(range(1, 11), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5], id="ten-values"),
        # docs/methods.md §9.4: NTILE gives {1,2}, {3,4}, {5}, {6}, {7}.
        pytest.param(range(1, 8), [1, 1, 2, 2, 3, 4, 5], id="seven-values"),
        pytest.param([30, 10, 50, 20, 40], [3, 1, 5, 2, 4], id="five-unsorted"),
        pytest.param([1, 2, NAN, 3, 4, 5], [1, 2, NAN, 3, 4, 5], id="missing-not-placed"),
        pytest.param([1, 2, 3, 4], [NAN] * 4, id="four-values-not-placed"),
        pytest.param([1, 2, 3, 4, NAN], [NAN] * 5, id="four-present-values-not-placed"),
        pytest.param([7, 7, 7, 7, 7], [1, 2, 3, 4, 5], id="ties-split-in-input-order"),
    ],
)
def test_value_quintiles_are_ntile_5(values, quintiles):
    np.testing.assert_array_equal(value_quintiles(list(values)), quintiles)


@pytest.mark.parametrize("polarity", QUINTILE_LABELS)
def test_quintile_labels_by_polarity(polarity):
    labels = quintile_labels([1, 2, 3, 4, 5, NAN], polarity=polarity)

    assert list(labels) == QUINTILE_LABELS[polarity] + ["Not compared"]


def test_quintiles_fewer_than_five_values_are_not_compared():
    labels = compare_by_quintile([3.0, 1.0, 2.0, 4.0], polarity="higher_better")

    assert list(labels) == ["Not compared"] * 4


def test_quintiles_are_computed_within_each_comparison_group():
    frame = pd.DataFrame(
        {
            "period": ["2023"] * 5 + ["2024"] * 6,
            "value": [5, 4, 3, 2, 1, 10, 20, 30, 40, 50, 60],
        },
        index=[f"area{i}" for i in range(11)],
    )

    labels = compare_by_quintile(frame.value, polarity="lower_better", groups=frame.period)

    assert list(labels.index) == list(frame.index)
    assert list(labels[:5]) == ["Worst", "Worse", "Middle", "Better", "Best"]
    assert list(labels[5:]) == ["Best", "Best", "Better", "Middle", "Worse", "Worst"]


def test_quintile_groups_can_be_several_columns():
    groups = pd.DataFrame({"sex": ["F"] * 5 + ["M"] * 5, "age": "All"})

    quintiles = value_quintiles([1, 2, 3, 4, 5, 50, 40, 30, 20, 10], groups=groups)

    np.testing.assert_array_equal(quintiles, [1, 2, 3, 4, 5, 5, 4, 3, 2, 1])


def test_quintiles_not_applicable_polarity_is_not_compared():
    labels = compare_by_quintile(range(10), polarity="not_applicable")

    assert set(labels) == {"Not compared"}


# --- §9.5 targets -----------------------------------------------------------------------------

SINGLE_TARGET = [
    # value, higher_better, lower_better (target 20, no CIs: never Amber)
    (25, "Green", "Red"),
    (20, "Green", "Green"),  # on the target meets it either way
    (15, "Red", "Green"),
]


@pytest.mark.parametrize(
    ("value", "polarity", "rag"),
    [
        pytest.param(row[0], polarity, rag, id=f"value={row[0]}-{polarity}")
        for row in SINGLE_TARGET
        for polarity, rag in zip(("higher_better", "lower_better"), row[1:], strict=True)
    ],
)
def test_single_value_target(value, polarity, rag):
    assert compare_with_target(value, target=20, polarity=polarity) == rag


TARGET_WITH_CIS = [
    # lower, upper, higher_better, lower_better (target 20)
    (20, 30, "Green", "Red"),  # L95 ≥ T
    (21, 30, "Green", "Red"),
    (10, 19, "Red", "Green"),  # U95 < T
    (10, 20, "Amber", "Amber"),  # U95 = T is not below the target
    (15, 25, "Amber", "Amber"),
]


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "rag"),
    [
        pytest.param(row[0], row[1], polarity, rag, id=f"CI={row[0]}-{row[1]}-{polarity}")
        for row in TARGET_WITH_CIS
        for polarity, rag in zip(("higher_better", "lower_better"), row[2:], strict=True)
    ],
)
def test_single_value_target_using_confidence_intervals(lower, upper, polarity, rag):
    value = (lower + upper) / 2
    result = compare_with_target(
        value,
        target=20,
        polarity=polarity,
        lower=lower,
        upper=upper,
        use_confidence_intervals=True,
    )

    assert result == rag


TARGET_RANGE = [
    # value, higher_better, lower_better (target range [5, 10])
    (4, "Red", "Green"),
    (5, "Amber", "Amber"),
    (7, "Amber", "Amber"),
    (10, "Green", "Red"),  # at the top of the range counts as beyond it
    (12, "Green", "Red"),
]


@pytest.mark.parametrize(
    ("value", "polarity", "rag"),
    [
        pytest.param(row[0], polarity, rag, id=f"value={row[0]}-{polarity}")
        for row in TARGET_RANGE
        for polarity, rag in zip(("higher_better", "lower_better"), row[1:], strict=True)
    ],
)
def test_range_target(value, polarity, rag):
    assert compare_with_target_range(value, target_lower=5, target_upper=10, polarity=polarity) == (
        rag
    )


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(
            lambda: compare_with_target(25, target=20, polarity="no_judgement"),
            "Not compared",
            id="single-no-judgement",
        ),
        pytest.param(
            lambda: compare_with_target(NAN, target=20, polarity="higher_better"),
            "Not compared",
            id="single-missing-value",
        ),
        pytest.param(
            lambda: compare_with_target(25, target=NAN, polarity="higher_better"),
            "Not compared",
            id="single-missing-target",
        ),
        pytest.param(
            lambda: compare_with_target(
                25,
                target=20,
                polarity="higher_better",
                lower=NAN,
                upper=30,
                use_confidence_intervals=True,
            ),
            "Not compared",
            id="single-missing-ci",
        ),
        pytest.param(
            lambda: compare_with_target_range(
                7, target_lower=5, target_upper=10, polarity="not_applicable"
            ),
            "Not compared",
            id="range-not-applicable",
        ),
        pytest.param(
            lambda: compare_with_target_range(
                NAN, target_lower=5, target_upper=10, polarity="lower_better"
            ),
            "Not compared",
            id="range-missing-value",
        ),
    ],
)
def test_target_not_compared(call, expected):
    assert call() == expected


def test_targets_are_vectorised_over_areas_and_targets():
    rag = compare_with_target(
        pd.Series([25.0, 15.0, NAN], index=["a", "b", "c"]),
        target=[20, 20, 20],
        polarity="higher_better",
    )

    assert rag.to_dict() == {"a": "Green", "b": "Red", "c": "Not compared"}


# --- invalid input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: compare_with_reference(50, 55, 45, 40, polarity="higher_better"),
            "lower limit",
            id="reversed-ci",
        ),
        pytest.param(
            lambda: compare_with_reference(50, 45, 55, 40, polarity="high_is_good"),
            "polarity",
            id="unknown-polarity",
        ),
        pytest.param(
            lambda: compare_with_reference([1, 2], [0, 1], [2, 3, 4], 1, polarity="no_judgement"),
            "matching lengths",
            id="length-mismatch",
        ),
        pytest.param(
            lambda: compare_with_reference_two_levels(
                50, 40, 60, 42, 58, 45, polarity="higher_better"
            ),
            "contain the 95%",
            id="99.8-narrower-than-95",
        ),
        pytest.param(
            lambda: compare_with_target(
                5, target=4, polarity="higher_better", use_confidence_intervals=True
            ),
            "lower and upper",
            id="cis-requested-but-missing",
        ),
        pytest.param(
            lambda: compare_with_target_range(
                5, target_lower=10, target_upper=5, polarity="higher_better"
            ),
            "target_lower",
            id="range-reversed",
        ),
        pytest.param(
            lambda: quintile_labels([0, 6], polarity="higher_better"),
            "1 to 5",
            id="quintile-out-of-range",
        ),
        pytest.param(
            lambda: value_quintiles([1, 2, 3], groups=[1, 2]),
            "one entry per value",
            id="groups-length",
        ),
        pytest.param(
            lambda: compare_with_reference(["a"], 1, 2, 1, polarity="higher_better"),
            "numeric",
            id="text-value",
        ),
    ],
)
def test_invalid_input_raises_with_a_message(call, message):
    with pytest.raises(StatisticsInputError, match=message):
        call()


# --- Rank among peers (comparator groups) ------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        ("higher_better", [3, 1, NAN, 1, 4]),
        ("lower_better", [2, 3, NAN, 3, 1]),
        ("no_judgement", [3, 1, NAN, 1, 4]),  # highest first, as the explorer ranks
    ],
)
def test_rank_by_polarity_shares_ties_and_skips_missing(polarity, expected):
    ranks = rank_by_polarity([50.0, 61.0, NAN, 61.0, 42.0], polarity=polarity)

    np.testing.assert_array_equal(ranks, expected)


def test_rank_by_polarity_refuses_an_unknown_polarity():
    with pytest.raises(StatisticsInputError, match="polarity"):
        rank_by_polarity([1.0], polarity="sideways")
