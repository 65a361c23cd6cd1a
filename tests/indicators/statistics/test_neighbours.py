"""Nearest neighbours (docs/nearest-neighbours.md), checked against distances worked by hand."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.neighbours import nearest_neighbours, standardise

# Four areas, two features in very different units. Worked by hand:
#   feature 1: 0, 0, 3, 0   → mean 0.75, population variance 6.75 / 4 = 1.6875
#   feature 2: 0, 10, 0, 30 → mean 10,   population variance 600 / 4 = 150
# From A: to B 10/√150 = 0.816, to C 3/√1.6875 = 2.309, to D 30/√150 = 2.449.
# Unstandardised, C (3 away) would be nearer than B (10 away): the units would decide.
CODES = ["A", "B", "C", "D"]
FEATURES = [[0, 0], [0, 10], [3, 0], [0, 30]]


def test_nearest_neighbour_is_the_one_worked_by_hand():
    neighbours = nearest_neighbours(CODES, FEATURES, area="A", k=3)

    assert [n.code for n in neighbours] == ["B", "C", "D"]
    assert [n.distance for n in neighbours] == pytest.approx(
        [10 / math.sqrt(150), 3 / math.sqrt(1.6875), 30 / math.sqrt(150)]
    )


def test_standardise_gives_population_z_scores():
    scores = standardise(FEATURES)

    assert scores[:, 0] == pytest.approx(np.array([-0.75, -0.75, 2.25, -0.75]) / math.sqrt(1.6875))
    assert scores[:, 1] == pytest.approx(np.array([-10, 0, -10, 20]) / math.sqrt(150))


def test_a_feature_the_same_everywhere_changes_nothing():
    with_constant = [row + [7] for row in FEATURES]

    assert standardise(with_constant)[:, 2].tolist() == [0, 0, 0, 0]
    assert nearest_neighbours(CODES, with_constant, area="A", k=3) == nearest_neighbours(
        CODES, FEATURES, area="A", k=3
    )


def test_same_inputs_in_any_row_order_give_the_same_members():
    generator = np.random.default_rng(2019)
    codes = [f"E540000{n:02d}" for n in range(40)]
    features = generator.normal(size=(40, 8))
    expected = nearest_neighbours(codes, features, area="E54000017")
    order = list(range(40))
    random.Random(7).shuffle(order)

    shuffled = nearest_neighbours([codes[i] for i in order], features[order], area="E54000017")

    # Same members in the same order; distances equal up to summation order.
    assert [n.code for n in shuffled] == [n.code for n in expected]
    assert [n.distance for n in shuffled] == pytest.approx([n.distance for n in expected])
    assert len(expected) == 10
    assert "E54000017" not in [n.code for n in expected]


def test_equal_distances_are_broken_by_area_code():
    # X sits between two areas the same distance away; input order puts the later code first.
    codes = ["X", "Z2", "Z1", "FAR"]
    features = [[0, 0], [1, 0], [-1, 0], [0, 5]]

    neighbours = nearest_neighbours(codes, features, area="X", k=2)

    assert [n.code for n in neighbours] == ["Z1", "Z2"]
    assert neighbours[0].distance == pytest.approx(neighbours[1].distance)


@pytest.mark.parametrize(("k", "expected"), [(1, ["B"]), (2, ["B", "C"]), (3, ["B", "C", "D"])])
def test_k_sets_how_many_neighbours(k, expected):
    assert [n.code for n in nearest_neighbours(CODES, FEATURES, area="A", k=k)] == expected


def test_k_larger_than_the_candidates_gives_all_the_others():
    assert [n.code for n in nearest_neighbours(CODES, FEATURES, area="A", k=10)] == [
        "B",
        "C",
        "D",
    ]


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_k_must_be_a_whole_number_of_one_or_more(k):
    with pytest.raises(StatisticsInputError, match="k must be"):
        nearest_neighbours(CODES, FEATURES, area="A", k=k)


@pytest.mark.parametrize(
    ("codes", "features", "area", "message"),
    [
        (CODES, FEATURES, "Q", "Q is not among"),
        (CODES, FEATURES[:3], "A", "one row per area"),
        (["A", "A", "C", "D"], FEATURES, "A", "only once"),
        (CODES, [[0, 0], [0, float("nan")], [3, 0], [0, 30]], "A", "every feature"),
    ],
)
def test_bad_input_is_refused_with_a_reason(codes, features, area, message):
    with pytest.raises(StatisticsInputError, match=message):
        nearest_neighbours(codes, features, area=area)
