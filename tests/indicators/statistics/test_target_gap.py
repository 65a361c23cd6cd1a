"""Gap to target in people or events, on cases worked out by hand."""

import numpy as np
import pytest

from indicators.statistics.target_gap import (
    EVENTS,
    FEWER,
    MORE,
    NO_COUNT,
    NO_DENOMINATOR,
    NO_POLARITY,
    NO_TARGET,
    NO_VALUE,
    NOT_FROM_COUNTS,
    PEOPLE,
    TargetGap,
    people_to_target,
    target_gap,
    target_to_meet,
)


def proportion(count, denominator, target, polarity="higher_better", **extra):
    return target_gap(
        value_type="proportion", polarity=polarity, multiplier=100, target=target,
        value=count / denominator * 100, count=count, denominator=denominator, **extra,
    )  # fmt: skip


def rate(value, denominator, target, polarity="lower_better", count=None, **extra):
    return target_gap(
        value_type="crude_rate", polarity=polarity, multiplier=100_000, target=target,
        value=value, count=count, denominator=denominator, **extra,
    )  # fmt: skip


def test_proportion_higher_is_better_counts_the_people_short_of_the_target():
    # 80% of 1,000 is 800; 750 have it, so 50 more.
    gap = proportion(750, 1000, 80)
    assert (gap.direction, gap.number, gap.unit) == (MORE, 50, PEOPLE)
    assert gap.label == "50 more people needed to meet the target"


def test_proportion_rounds_up_a_part_person():
    # 80% of 999 is 799.2: 799 people fall short by a fraction, so 800 are needed: 5 more.
    assert proportion(795, 999, 80).number == 5


def test_proportion_exactly_at_the_target_is_met():
    gap = proportion(800, 1000, 80)
    assert gap.met and gap.number is None and gap.label == "Target met"


def test_proportion_one_person_short_needs_one():
    assert proportion(799, 1000, 80).number == 1


def test_float_error_in_target_times_denominator_adds_no_one():
    # 56.7 / 100 × 1000 is 567.0000000000001 in floating point; 567 is the target: 7 more.
    assert proportion(560, 1000, 56.7).number == 7
    assert proportion(567, 1000, 56.7).met
    # 57 / 100 × 100 is 56.99999999999999; lower is better, 60 of 100 against 57%: 3 fewer.
    assert proportion(60, 100, 57, polarity="lower_better").number == 3


def test_proportion_lower_is_better_counts_the_people_over_the_target():
    # 30% of 999 is 299.7; 305 have it; 299 would meet it: 6 fewer (not 5: 300 > 299.7).
    gap = proportion(305, 999, 30, polarity="lower_better")
    assert (gap.direction, gap.number) == (FEWER, 6)
    assert proportion(299, 999, 30, polarity="lower_better").met
    assert proportion(300, 1000, 30, polarity="lower_better").met  # exactly at the target


def test_crude_rate_lower_is_better_counts_the_events_to_remove():
    # 550 per 100,000 against 500 in 250,000 people: 50 / 100,000 × 250,000 = 125 fewer.
    gap = rate(550, 250_000, 500, count=1375)
    assert (gap.direction, gap.number, gap.unit) == (FEWER, 125, EVENTS)
    assert gap.label == "125 fewer events needed to meet the target"
    # 0.3 per 100,000 over in 250,000 people is 0.75 of an event: one.
    assert rate(500.3, 250_000, 500).number == 1
    assert rate(500, 250_000, 500).met and rate(480, 250_000, 500).met


def test_crude_rate_higher_is_better_counts_the_events_to_add():
    # 40 per 1,000 against 45 in 12,345: 5 / 1,000 × 12,345 = 61.725, so 62 more.
    gap = target_gap(
        value_type="crude_rate", polarity="higher_better", multiplier=1000, target=45,
        value=40, count=None, denominator=12_345,
    )  # fmt: skip
    assert (gap.direction, gap.number) == (MORE, 62)


def test_count_is_its_difference_from_the_target_count():
    def count(value, target, polarity):
        return target_gap(
            value_type="count", polarity=polarity, multiplier=1, target=target, value=value,
            count=value, denominator=None,
        )  # fmt: skip

    over = count(130, 100, "lower_better")
    assert (over.direction, over.number, over.unit) == (FEWER, 30, EVENTS)
    under = count(70, 100, "higher_better")
    assert (under.direction, under.number) == (MORE, 30)
    assert count(100, 100, "lower_better").met and count(100, 100, "higher_better").met


def test_rounded_counts_give_an_approximate_number_rounded_up_to_5():
    gap = proportion(1230, 2345, 60, round_to=5)  # 1,407 − 1,230 = 177 → about 180
    assert (gap.number, gap.approximate) == (180, True)
    assert gap.label == "About 180 more people needed to meet the target"
    assert proportion(1406, 2345, 60, round_to=5).number == 5  # 1 short is about 5, not 0
    assert proportion(1410, 2345, 60, round_to=5).met


@pytest.mark.parametrize(
    ("value_type", "note"),
    [
        ("dsr", "Not computed for standardised rates"),
        ("isr", "Not computed for standardised ratios"),
        ("mean", "Not computed for means"),
        ("years", "Not computed for values in years"),
        ("gap", "Not computed for gap indicators"),
    ],
)
def test_values_that_are_not_counts_over_a_population_say_why(value_type, note):
    gap = target_gap(
        value_type=value_type, polarity="lower_better", multiplier=100_000, target=300,
        value=345, count=120, denominator=40_000,
    )  # fmt: skip
    assert not gap.computed and gap.number is None and gap.label == note


def test_other_reasons_for_no_number():
    assert proportion(750, 1000, None).note == NO_TARGET
    assert proportion(750, 1000, 80, polarity="no_judgement").note == NO_POLARITY
    modelled = proportion(750, 1000, 80, modelled=True)
    assert modelled.note == "Not computed for modelled or survey estimates"
    common = {"value_type": "proportion", "polarity": "higher_better", "multiplier": 100,
              "target": 80}  # fmt: skip
    assert target_gap(**common, value=None, count=None, denominator=None).note == NO_VALUE
    assert target_gap(**common, value=75, count=750, denominator=None).note == NO_DENOMINATOR
    assert target_gap(**common, value=75, count=None, denominator=1000).note == NO_COUNT
    # A weighted estimate of 75% whose raw counts say 60%: counts would not give its gap.
    assert target_gap(**common, value=75, count=600, denominator=1000).note == NOT_FROM_COUNTS
    # Published to one decimal place, the value still counts as worked out from its counts.
    assert target_gap(**common, value=75.1, count=750, denominator=999).number == 50


def test_a_target_range_is_met_at_the_end_the_rag_rating_calls_green():
    assert target_to_meet(value=None, lower=70, upper=80, polarity="higher_better") == 80
    assert target_to_meet(value=None, lower=70, upper=80, polarity="lower_better") == 70
    assert target_to_meet(value=75, lower=None, upper=None, polarity="lower_better") == 75


def test_arithmetic_is_vectorised_over_both_polarities():
    gaps = people_to_target(
        [750, 305, 800], [1000, 999, 1000], target=[80, 30, 80], multiplier=100,
        polarity=["higher_better", "lower_better", "higher_better"],
    )  # fmt: skip
    np.testing.assert_array_equal(gaps, [50, 6, 0])


def test_period_is_carried_for_the_outputs():
    assert proportion(750, 1000, 80, period="2023/24") == TargetGap(
        direction=MORE, number=50, unit=PEOPLE, period="2023/24"
    )
