"""The disclosure policy (docs/domain.md §7) as pure functions."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import disclosure
from indicators.disclosure import (
    ROUNDED_NOTE,
    SUPPRESSED_NOTE,
    Method,
    primary_mask,
    primary_suppressed,
    protected_fields,
    round_count,
    suppression_flags,
)
from indicators.statistics.intervals import (
    byar_exact_interval,
    poisson_count_interval,
    wilson_interval,
)


@pytest.mark.parametrize(
    "count, shown", [(0, 0), (8, 10), (12, 10), (12.5, 15), (13, 15), (1002, 1000), (None, None)]
)
def test_counts_round_to_the_nearest_five(count, shown):
    assert round_count(count) == shown


@pytest.mark.parametrize("count", [1, 2, 7])
def test_counts_of_one_to_seven_are_suppressed_whatever_the_value_type(count):
    for value_type in ["count", "proportion", "crude_rate", "dsr", "years"]:
        assert primary_suppressed(value_type=value_type, count=count, denominator=1000)


@pytest.mark.parametrize("count", [0, 8, 500])
def test_zero_and_eight_or_more_are_not(count):
    assert not primary_suppressed(value_type="crude_rate", count=count, denominator=10_000)


def test_a_proportion_is_suppressed_when_the_rest_of_its_denominator_is_small():
    assert primary_suppressed(value_type="proportion", count=95, denominator=100)
    assert not primary_suppressed(value_type="proportion", count=92, denominator=100)
    assert not primary_suppressed(value_type="proportion", count=100, denominator=100)
    # Only proportions can be back-calculated that way.
    assert not primary_suppressed(value_type="crude_rate", count=95, denominator=100)


def test_a_count_indicator_without_a_count_column_uses_its_value():
    assert primary_suppressed(value_type="count", count=None, denominator=None, value=4)


def row(**fields):
    base = dict.fromkeys(disclosure.VALUE_FIELDS + disclosure.COUNT_FIELDS)
    return base | {"value_note": "", "suppressed": False} | fields


def test_the_row_and_the_array_forms_of_the_primary_rules_agree():
    """The pages check one row at a time, the pipeline whole arrays: the same rules."""
    cases = [
        (value_type, count, denominator, value)
        for value_type in ["count", "proportion", "crude_rate", "dsr"]
        for count in [None, 0, 1, 7, 8, 92, 95, 100]
        for denominator in [None, 0, 100, 1000]
        for value in [None, 4.0, 50.0]
    ]
    rows = [
        primary_suppressed(value_type=t, count=c, denominator=d, value=v) for t, c, d, v in cases
    ]
    nan = float("nan")
    arrays = primary_mask(
        value_type=np.array([t for t, _, _, _ in cases]),
        count=np.array([nan if c is None else c for _, c, _, _ in cases], dtype=float),
        denominator=np.array([nan if d is None else d for _, _, d, _ in cases], dtype=float),
        value=np.array([nan if v is None else v for _, _, _, v in cases], dtype=float),
    )
    assert arrays.tolist() == rows


def test_a_small_count_hides_every_number_and_says_why():
    shown = protected_fields(
        row(value=4.2, lower_95=1.1, upper_95=9.0, count=3, denominator=71_000),
        method=Method("crude_rate", "standard"), national=False,
    )  # fmt: skip
    assert all(shown[name] is None for name in ["value", "lower_95", "upper_95", "count"])
    assert shown["denominator"] is None
    assert shown["suppressed"] is True and shown["value_note"] == SUPPRESSED_NOTE
    assert shown["england_comparison"] == "" and shown["target_comparison"] == ""


def test_england_is_shown_unrounded():
    assert (
        protected_fields(row(value=3, count=3), method=Method("count", "standard"), national=True)
        == {}
    )


def test_other_counts_are_rounded_with_the_limits_of_the_rounded_count():
    shown = protected_fields(
        row(value=123, lower_95=102.0, upper_95=146.7, count=123),
        method=Method("count", "standard"), national=False,
    )  # fmt: skip
    assert shown["value"] == 125 and shown["count"] == 125
    limits = poisson_count_interval(125)
    assert (shown["lower_95"], shown["upper_95"]) == (limits.lower, limits.upper)
    assert shown["lower_998"] is None  # absent limits stay absent
    assert shown["value_note"] == ROUNDED_NOTE


def test_a_proportion_is_worked_out_from_its_rounded_counts():
    """Full precision beside exact counts would give the counts back (rule 4)."""
    shown = protected_fields(
        row(value=61.3, lower_95=58.0, upper_95=64.5, lower_998=55.0, upper_998=66.0,
            count=613, denominator=1002),
        method=Method("proportion", "standard", 100, "wilson"), national=False,
    )  # fmt: skip
    at_95 = wilson_interval(615, 1000, multiplier=100)
    at_998 = wilson_interval(615, 1000, confidence=0.998, multiplier=100)
    assert shown["count"] == 615 and shown["denominator"] == 1000
    assert shown["value"] == pytest.approx(61.5)
    assert (shown["lower_95"], shown["upper_95"]) == (at_95.lower, at_95.upper)
    assert (shown["lower_998"], shown["upper_998"]) == (at_998.lower, at_998.upper)


def test_a_crude_rate_uses_byars_limits_on_its_rounded_count():
    shown = protected_fields(
        row(value=13 / 70_001 * 100_000, lower_95=1.0, upper_95=9.0, count=13, denominator=70_001),
        method=Method("crude_rate", "standard", 100_000, "byar_exact"), national=False,
    )  # fmt: skip
    expected = byar_exact_interval(15, 70_000, multiplier=100_000)
    assert shown["value"] == pytest.approx(expected.value)
    assert (shown["lower_95"], shown["upper_95"]) == (expected.lower, expected.upper)


def test_a_dsr_keeps_its_rate_per_event_on_the_rounded_count():
    shown = protected_fields(
        row(value=240.0, lower_95=150.0, upper_95=360.0, count=24, denominator=10_000),
        method=Method("dsr", "standard", 100_000, "dobson"), national=False,
    )  # fmt: skip
    limits = poisson_count_interval(25)
    assert shown["value"] == pytest.approx(250.0)
    assert shown["lower_95"] == pytest.approx(10.0 * limits.lower)
    assert shown["upper_95"] == pytest.approx(10.0 * limits.upper)


def test_values_the_producer_supplied_with_their_limits_are_kept():
    shown = protected_fields(
        row(value=14.2, lower_95=12.0, upper_95=16.9, count=142, denominator=1003),
        method=Method("proportion", "standard", 100, "none"), national=False,
    )  # fmt: skip
    assert shown == {
        "count": 140, "denominator": 1005, "value": 14.2, "lower_95": 12.0, "upper_95": 16.9,
        "lower_998": None, "upper_998": None,
    }  # fmt: skip


def test_a_stored_flag_with_a_value_is_suppressed_with_the_same_note():
    shown = protected_fields(
        row(value=44.0, count=40, denominator=90, suppressed=True),
        method=Method("proportion", "standard"), national=False,
    )  # fmt: skip
    # One note for every suppressed cell: a small count looks like the cell hiding it.
    assert shown["value"] is None and shown["value_note"] == SUPPRESSED_NOTE


def test_the_producers_own_suppression_keeps_its_note():
    shown = protected_fields(
        row(suppressed=True, value_note="Value suppressed for disclosure control"),
        method=Method("proportion", "source"), national=False,
    )  # fmt: skip
    assert shown["value_note"] == "Value suppressed for disclosure control"


@pytest.mark.parametrize("rule", ["source", "none"])
def test_indicators_not_under_our_control_are_shown_as_given(rule):
    assert (
        protected_fields(row(value=3, count=3), method=Method("count", rule), national=False) == {}
    )


# --- Flags the pipeline stores ----------------------------------------------------------------


def cells(rows):
    defaults = {
        "indicator_id": 1, "period_id": 1, "area_id": 10, "parent_id": np.nan, "sex": "Persons",
        "age": "All ages", "category_type": "", "category": "", "value_type": "count",
        "rule": "standard", "is_england": False, "denominator": np.nan, "suppressed": False,
    }  # fmt: skip
    frame = pd.DataFrame([defaults | item for item in rows])
    if "value" not in frame:
        frame["value"] = frame["count"]
    return frame


def test_one_small_sex_is_protected_by_suppressing_the_other():
    frame = cells([{"sex": "Persons", "count": 40}, {"sex": "Male", "count": 5},
                   {"sex": "Female", "count": 35}])  # fmt: skip
    assert suppression_flags(frame).tolist() == [False, True, True]


def test_the_smallest_other_category_is_suppressed():
    frame = cells([
        {"count": 100},
        {"category_type": "IMD quintile", "category": "Q1", "count": 3},
        {"category_type": "IMD quintile", "category": "Q2", "count": 40},
        {"category_type": "IMD quintile", "category": "Q3", "count": 20},
        {"category_type": "IMD quintile", "category": "Q4", "count": 37},
    ])  # fmt: skip
    assert suppression_flags(frame).tolist() == [False, True, False, True, False]


def test_two_suppressed_cells_need_nothing_more():
    frame = cells([{"sex": "Persons", "count": 10}, {"sex": "Male", "count": 5},
                   {"sex": "Female", "count": 5}])  # fmt: skip
    assert suppression_flags(frame).tolist() == [False, True, True]


def test_child_areas_are_a_group_only_when_they_add_up_to_their_parent():
    adding = cells([{"area_id": 1, "count": 50}, {"area_id": 2, "parent_id": 1, "count": 4},
                    {"area_id": 3, "parent_id": 1, "count": 46}])  # fmt: skip
    assert suppression_flags(adding).tolist() == [False, True, True]
    not_adding = cells([{"area_id": 1, "count": 80}, {"area_id": 2, "parent_id": 1, "count": 4},
                        {"area_id": 3, "parent_id": 1, "count": 46}])  # fmt: skip
    assert suppression_flags(not_adding).tolist() == [False, True, False]


def test_england_and_uncontrolled_indicators_are_never_flagged():
    frame = cells([{"is_england": True, "count": 3}, {"rule": "none", "count": 3, "area_id": 11}])
    assert suppression_flags(frame).tolist() == [False, False]


def test_the_producers_suppression_stays_and_an_old_secondary_flag_is_lifted():
    frame = cells([
        {"count": np.nan, "value": np.nan, "suppressed": True, "value_type": "proportion"},
        {"count": 50, "value": 50, "suppressed": True, "area_id": 11},  # no longer needed
    ])  # fmt: skip
    assert suppression_flags(frame).tolist() == [True, False]


def test_secondary_suppression_carries_across_groups():
    # Male is small, so Female is suppressed too; Female is the total of its IMD cells, which
    # would give it back, so the smaller of those is suppressed as well.
    frame = cells([
        {"sex": "Persons", "count": 60},
        {"sex": "Male", "count": 6},
        {"sex": "Female", "count": 54},
        {"sex": "Female", "category_type": "IMD", "category": "Q1", "count": 30},
        {"sex": "Female", "category_type": "IMD", "category": "Q2", "count": 24},
    ])  # fmt: skip
    flags = suppression_flags(frame).tolist()
    assert flags[:3] == [False, True, True]
    assert flags[3:] == [False, True]


@given(
    st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=8),
)
def test_no_shown_total_ever_leaves_exactly_one_cell_to_derive(counts):
    frame = cells(
        [{"count": float(sum(counts))}]
        + [
            {"category_type": "IMD", "category": f"Q{number}", "count": float(count)}
            for number, count in enumerate(counts)
        ]
    )
    flags = suppression_flags(frame)
    # Never exactly one hidden cell among the members and their total (rule 5).
    assert flags.sum() != 1
    for flag, count in zip(flags[1:], counts, strict=True):
        if 1 <= count <= 7:
            assert flag


def test_a_parent_with_one_child_in_a_breakdown_is_suppressed_with_it():
    # Only area 3 has people in Q3; its Q3 is suppressed to protect its small Q1, and its
    # parent's Q3 (the same 20 people) would give it back.
    frame = cells([
        {"area_id": 1, "count": 110},
        {"area_id": 1, "category_type": "IMD", "category": "Q1", "count": 4},
        {"area_id": 1, "category_type": "IMD", "category": "Q2", "count": 86},
        {"area_id": 1, "category_type": "IMD", "category": "Q3", "count": 20},
        {"area_id": 2, "parent_id": 1, "count": 40},
        {"area_id": 2, "parent_id": 1, "category_type": "IMD", "category": "Q2", "count": 40},
        {"area_id": 3, "parent_id": 1, "count": 70},
        {"area_id": 3, "parent_id": 1, "category_type": "IMD", "category": "Q1", "count": 4},
        {"area_id": 3, "parent_id": 1, "category_type": "IMD", "category": "Q2", "count": 46},
        {"area_id": 3, "parent_id": 1, "category_type": "IMD", "category": "Q3", "count": 20},
    ])  # fmt: skip
    flags = suppression_flags(frame).tolist()
    assert flags[7] and flags[9]  # area 3: Q1 is small, Q3 the smallest other
    assert flags[1] and flags[3]  # the parent: Q1 is small, and Q3 is area 3's Q3
    assert not any(flags[4:6]) and not flags[0] and not flags[6]


def test_a_weighted_estimate_is_not_worked_out_again_from_its_sample_counts():
    """A value that is not its count over its denominator cannot give the counts back."""
    shown = protected_fields(
        row(value=21.7, lower_95=19.0, upper_95=24.5, count=150, denominator=1003),
        method=Method("proportion", "standard", 100, "wilson"), national=False,
    )  # fmt: skip
    assert (shown["value"], shown["lower_95"], shown["count"]) == (21.7, 19.0, 150)


def test_every_hierarchy_is_its_own_additive_group():
    """England's NHS regions and its ONS regions each add up to England; a small cell in
    one hierarchy needs a partner in that hierarchy, not in the other."""
    frame = cells([
        {"area_id": 1, "count": 100, "is_england": True},
        {"area_id": 2, "count": 5},   # NHS region, small
        {"area_id": 3, "count": 95},  # NHS region
        {"area_id": 4, "count": 40},  # ONS region
        {"area_id": 5, "count": 60},  # ONS region
    ])  # fmt: skip
    parents = pd.DataFrame(
        {"area_id": [2, 3, 4, 5], "parent_id": [1, 1, 1, 1], "child_type": [7, 7, 8, 8]}
    )
    assert suppression_flags(frame, area_parents=parents).tolist() == [
        False, True, True, False, False,
    ]  # fmt: skip
