"""Making Data Count XmR charts (docs/methods.md §11) against the NHSRplotthedots reference set."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.spc import (
    ASSURANCE_LABELS,
    INSUFFICIENT_VARIATION_NOTE,
    TRIAL_LIMITS_NOTE,
    VARIATION_LABELS,
    assurance_icon,
    part_of,
    run_ends,
    trend_ends,
    two_in_three_windows,
    xmr_chart,
    xmr_charts_by_series,
)
from tests import reference_data
from tests.reference_data import (
    PRINTED_PRECISION,
    SPC_ASSURANCE_ICON,
    SPC_LIMITS,
    SPC_POLARITY,
)

NOISY = [10, 8, 12, 9, 11, 10, 8, 12, 9, 11, 10, 8, 12, 11, 9]


@pytest.fixture(scope="module")
def reference():
    return reference_data.spc_cases()


@pytest.fixture(scope="module")
def cases(reference):
    return reference["cases"]


def chart_for(case):
    given = case["input"]
    rebase = given["rebase_at_index_1based"]
    return xmr_chart(
        given["values"],
        polarity=SPC_POLARITY[given["improvement_direction"]],
        target=given["target"],
        screen_outliers=given["screen_outliers"],
        rebase_at=[] if rebase is None else [rebase - 1],
        fix_after_n_points=given["fix_after_n_points"],
    )


def assert_limit(actual, expected):
    # null in the reference means NaN
    if expected is None:
        assert math.isnan(actual)
    else:
        assert math.isclose(actual, expected, rel_tol=SPC_LIMITS, abs_tol=SPC_LIMITS), (
            actual,
            expected,
        )


# --- conformance: every reference case -----------------------------------------------------


def test_reference_case(cases, subtests):
    for case in cases:
        with subtests.test(case["id"]):
            assert_reference_case(case)


def assert_reference_case(case):
    expected = case["expected_computed_by_package_code"]
    chart = chart_for(case)

    assert len(chart.groups) == len(expected["groups"])
    for group, want in zip(chart.groups, expected["groups"], strict=True):
        assert group.start == want["start_index"] - 1
        assert group.n == want["n"]
        assert_limit(group.mean, want["mean"])
        assert_limit(group.lower_process_limit, want["lpl"])
        assert_limit(group.upper_process_limit, want["upl"])
    assert_limit(chart.groups[0].mean, expected["mean"])
    assert_limit(chart.groups[0].lower_process_limit, expected["lpl"])
    assert_limit(chart.groups[0].upper_process_limit, expected["upl"])

    flagged = [i + 1 for i, kind in enumerate(chart.special_cause_type) if kind != "Common Cause"]
    assert flagged == expected["special_cause_indices_1based"]
    assert list(chart.special_cause_type) == expected["special_cause_type"]
    assert list(chart.point_type) == expected["point_type"]
    assert chart.point_type[-1] == expected["latest_point_type"]
    assert chart.variation_icon == expected["variation_icon"]
    assert chart.assurance_icon == expected["assurance_icon"]


def test_upstream_assertions_at_printed_precision(cases, subtests):
    numeric = [case for case in cases if "mean" in (case["asserted_by_source"] or {})]
    assert numeric
    for case in numeric:
        with subtests.test(case["id"]):
            asserted = case["asserted_by_source"]
            group = chart_for(case).groups[0]
            for name, actual in [
                ("mean", group.mean),
                ("lpl", group.lower_process_limit),
                ("upl", group.upper_process_limit),
            ]:
                assert math.isclose(
                    actual, asserted[name], rel_tol=PRINTED_PRECISION, abs_tol=PRINTED_PRECISION
                )


def rule_cases(reference, prefix: str) -> list[dict]:
    """The upstream unit cases of the rule helper whose name starts with ``prefix``."""
    (name,) = [key for key in reference["rule_unit_cases"] if key.startswith(prefix)]
    cases = [case for case in reference["rule_unit_cases"][name] if "in" in case or "close" in case]
    assert cases, name
    return cases


def test_rule_unit_run_ends(reference, subtests):
    for number, case in enumerate(rule_cases(reference, "ptd_seven_point_one_side_mean")):
        with subtests.test(number):
            # R's helper returns 1 for a run on either side; run_ends keeps the side's sign
            assert np.abs(run_ends(case["in"])).tolist() == case["out"]


def test_rule_unit_part_of_seven(reference, subtests):
    for number, case in enumerate(rule_cases(reference, "ptd_part_of_seven_trend")):
        with subtests.test(number):
            assert part_of(case["in"], length=7).astype(int).tolist() == case["out"]


def test_rule_unit_trend_ends(reference, subtests):
    for number, case in enumerate(rule_cases(reference, "ptd_seven_point_trend")):
        with subtests.test(number):
            assert trend_ends(case["in"]).tolist() == case["out"]


def test_rule_unit_two_in_three_windows(reference, subtests):
    for number, case in enumerate(rule_cases(reference, "ptd_two_in_three")):
        with subtests.test(number):
            windows = two_in_three_windows(case["close"], case["rtm"])
            assert windows.astype(int).tolist() == case["out"]


def test_rule_unit_only_near_points_of_two_in_three_are_flagged(reference, subtests):
    for number, case in enumerate(rule_cases(reference, "ptd_part_of_two_in_three")):
        with subtests.test(number):
            flagged = two_in_three_windows(case["close"], case["rtm"]) & np.array(
                case["close"], bool
            )
            assert flagged.astype(int).tolist() == case["out"]


@pytest.mark.parametrize("direction", ["increase", "decrease", "neutral"])
def test_assurance_unit_cases(reference, direction):
    assurance = reference["assurance_unit_cases"]
    icons = [
        assurance_icon(
            target=row["target"],
            lower_process_limit=row["lpl"],
            upper_process_limit=row["upl"],
            polarity=SPC_POLARITY[direction],
        )
        for row in assurance["rows"]
    ]
    assert icons == [SPC_ASSURANCE_ICON.get(kind) for kind in assurance[direction]]


def test_assurance_without_target_is_none():
    icon = assurance_icon(
        target=None, lower_process_limit=1, upper_process_limit=3, polarity="higher_better"
    )
    assert icon is None


def test_rebase_flag_starts_the_new_group():
    # rebase_unit_cases: flag c(rep(0,10),1,rep(0,9)) → groups c(rep(0,10), rep(1,10))
    chart = xmr_chart(np.arange(20.0) % 5, polarity="higher_better", rebase_at=[10])
    assert chart.group.tolist() == [0] * 10 + [1] * 10


@pytest.mark.parametrize(
    ("rebase_dates", "expected_groups"),
    [
        # rebase_unit_cases "dates_vector": the same dates rebase both facets
        (
            {"a": ["2020-01-03", "2020-01-08"], "b": ["2020-01-03", "2020-01-08"]},
            {"a": [0, 1, 1, 1, 1, 1, 2, 2, 2, 2], "b": [0, 1, 1, 1, 1, 1, 2, 2, 2, 2]},
        ),
        # rebase_unit_cases "named_list": a different date per facet
        (
            {"a": ["2020-01-03"], "b": ["2020-01-08"]},
            {"a": [0] + [1] * 9, "b": [0] * 6 + [1] * 4},
        ),
    ],
    ids=["dates_vector", "named_list"],
)
def test_rebase_dates_by_facet(rebase_dates, expected_groups):
    dates = pd.date_range("2020-01-02", "2020-01-11")
    frame = pd.concat(
        pd.DataFrame({"facet": facet, "period": dates, "value": np.arange(10.0) % 3})
        for facet in ("a", "b")
    )
    frame["rebase"] = [
        period in pd.to_datetime(rebase_dates[facet])
        for facet, period in zip(frame.facet, frame.period, strict=True)
    ]
    points = xmr_charts_by_series(
        frame,
        series_keys=["facet"],
        period_column="period",
        value_column="value",
        polarity="higher_better",
        rebase_column="rebase",
    ).points
    for facet, groups in expected_groups.items():
        assert points.loc[points.facet == facet, "group"].tolist() == groups


def test_assurance_uses_the_latest_rebase_group():
    # rebase_rule: the last row's limits decide, whichever group came first
    values = NOISY[:13] + [v + 30 for v in NOISY[:13]]
    chart = xmr_chart(values, polarity="higher_better", target=25, rebase_at=[13])
    assert chart.groups[0].upper_process_limit < 25 < chart.groups[1].lower_process_limit
    assert chart.assurance_icon == "pass"
    assert chart.assurance_label == "Consistently hits target"


# --- polarity and icons --------------------------------------------------------------------


SHIFT_UP = NOISY + [v + 8 for v in NOISY[:8]]


@pytest.mark.parametrize(
    ("polarity", "point_type", "icon", "label"),
    [
        ("higher_better", "special_cause_improvement", "improvement_high", "improvement – high"),
        ("lower_better", "special_cause_concern", "concern_high", "concern – high"),
        ("no_judgement", "special_cause_neutral_high", "neutral_high", "variation – high"),
    ],
)
def test_a_shift_up_by_polarity(polarity, point_type, icon, label):
    chart = xmr_chart(SHIFT_UP, polarity=polarity)
    assert chart.point_type[-1] == point_type
    assert chart.variation_icon == icon
    assert chart.variation_label == f"Special cause {label}"


@pytest.mark.parametrize(
    ("polarity", "target", "icon"),
    [
        ("higher_better", 2, "pass"),
        ("higher_better", 20, "fail"),
        ("higher_better", 10, "inconsistent"),
        ("lower_better", 2, "fail"),
        ("lower_better", 20, "pass"),
        ("lower_better", 10, "inconsistent"),
        ("no_judgement", 2, None),
    ],
)
def test_assurance_by_polarity(polarity, target, icon):
    chart = xmr_chart(NOISY, polarity=polarity, target=target)
    assert chart.assurance_icon == icon
    assert chart.assurance_label == ASSURANCE_LABELS.get(icon)


def test_a_target_on_the_limit_is_hit_and_miss():
    # NHSRplotthedots compares strictly (MDC's description reads "target ≥ UPL")
    upper = xmr_chart(NOISY, polarity="higher_better").groups[0].upper_process_limit
    chart = xmr_chart(NOISY, polarity="higher_better", target=upper)
    assert chart.assurance_icon == "inconsistent"


def test_every_icon_has_a_label():
    assert set(VARIATION_LABELS) == {
        "common_cause",
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
        "neutral_high",
        "neutral_low",
    }
    assert VARIATION_LABELS["common_cause"] == "Common cause variation"
    assert ASSURANCE_LABELS == {
        "pass": "Consistently hits target",
        "fail": "Consistently fails target",
        "inconsistent": "Hit and miss target",
    }


def test_variation_icon_comes_from_the_latest_point_not_the_latest_signal():
    values = NOISY + [30] + NOISY[:3]
    chart = xmr_chart(values, polarity="higher_better")
    assert chart.point_type[len(NOISY)] == "special_cause_improvement"
    assert chart.variation_icon == "common_cause"


# --- limits, screening and baselines -------------------------------------------------------


def test_screening_changes_the_moving_range_not_the_mean():
    values = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    screened = xmr_chart(values, polarity="higher_better").groups[0]
    excel = xmr_chart(values, polarity="higher_better", screen_outliers=False).groups[0]
    assert screened.mean == excel.mean
    # 17 MRs: 15 of 1 and two of 8 or 9 (MR̄ = 32/17); 3.267 × MR̄ = 6.15 drops the big two
    assert excel.mean_moving_range == pytest.approx(32 / 17, rel=1e-12)
    assert screened.mean_moving_range == pytest.approx(1.0, rel=1e-12)
    assert screened.upper_process_limit == pytest.approx(screened.mean + 2.66, rel=1e-12)


def test_screening_is_a_single_pass():
    # After the 100 is dropped, 3.267 × the new MR̄ would drop the 20s too; R does not iterate
    values = [0, 1] * 10 + [21, 1, 0, 100, 0, 1, 0]
    chart = xmr_chart(values, polarity="higher_better")
    moving_ranges = np.abs(np.diff(values))
    first_bar = moving_ranges.mean()
    kept = moving_ranges[moving_ranges < 3.267 * first_bar]
    assert 20 in kept and 100 not in kept
    assert chart.groups[0].mean_moving_range == pytest.approx(kept.mean(), rel=1e-12)
    assert 20 >= 3.267 * kept.mean()


def test_fixed_baseline_ignores_later_points():
    base = list(NOISY[:12])
    fixed = xmr_chart(base + [50, 60, 70], polarity="higher_better", fix_after_n_points=12)
    alone = xmr_chart(base, polarity="higher_better")
    assert fixed.groups[0].mean == alone.groups[0].mean
    assert fixed.groups[0].upper_process_limit == alone.groups[0].upper_process_limit
    assert list(fixed.special_cause_type[-3:]) == ["Above UCL"] * 3


def test_each_rebase_group_is_independent():
    first, second = NOISY[:10], [v + 20 for v in NOISY[:10]]
    chart = xmr_chart(first + second, polarity="higher_better", rebase_at=[10])
    for group, values in zip(chart.groups, (first, second), strict=True):
        alone = xmr_chart(values, polarity="higher_better").groups[0]
        assert group.mean == alone.mean
        assert group.upper_process_limit == alone.upper_process_limit
    assert chart.mean[:10].tolist() == [chart.groups[0].mean] * 10
    assert chart.mean[10:].tolist() == [chart.groups[1].mean] * 10


def test_runs_do_not_carry_across_a_rebase():
    # Four points above the mean end group 0 and four start group 1: never seven in a row
    values = [0, 0, 0, 0, 0, 0, 5, 5, 5, 5] + [5, 5, 5, 5, 0, 0, 0, 0, 0, 0]
    together = xmr_chart(values, polarity="higher_better", screen_outliers=False)
    rebased = xmr_chart(values, polarity="higher_better", rebase_at=[10], screen_outliers=False)
    assert together.run[6:14].all()
    assert not rebased.run.any()


def test_a_rebase_at_the_first_point_changes_nothing():
    chart = xmr_chart(NOISY, polarity="higher_better", rebase_at=[0])
    assert len(chart.groups) == 1 and chart.group.tolist() == [0] * len(NOISY)


# --- precedence and rule options -----------------------------------------------------------


def test_precedence_astronomical_over_trend():
    values = [0, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]  # issue #200's toy series
    chart = xmr_chart(values, polarity="higher_better")
    assert chart.trend[0] and chart.outside_limits[0]
    assert chart.special_cause_type[0] == "Below LCL"
    assert chart.special_cause_type[7] == "Above UCL"


def test_precedence_trend_over_run_and_trend_direction_per_point():
    values = [0, 10] * 5 + [3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3]
    chart = xmr_chart(values, polarity="higher_better")
    assert chart.run[13:21].all() and chart.trend[13:21].all()
    assert list(chart.special_cause_type[10:17]) == ["7 Point Trend (Increasing)"] * 7
    assert list(chart.special_cause_type[17:]) == ["7 Point Trend (Decreasing)"] * 7
    # Point 16 (the first 9) tops a rising trend; the next point, a tie, starts a falling
    # one. R would read the tie as "Decreasing"; we keep the direction of its own trend.
    assert chart.point_type[16] == "special_cause_improvement"


def test_precedence_two_in_three_over_run():
    values = NOISY + [11, 15.5, 11, 15.5, 11, 11, 11]
    chart = xmr_chart(values, polarity="lower_better")
    assert chart.run[15:].all()
    assert chart.two_in_three[[16, 18]].all() and chart.two_in_three.sum() == 2
    assert list(chart.special_cause_type[15:]) == [
        "7 Points Above CL",
        "2 in 3 Above CL",
        "7 Points Above CL",
        "2 in 3 Above CL",
        "7 Points Above CL",
        "7 Points Above CL",
        "7 Points Above CL",
    ]
    assert set(chart.point_type[15:]) == {"special_cause_concern"}


def test_a_point_beyond_the_limits_counts_towards_two_in_three_only_when_asked():
    # synthetic_2of3_one_beyond_3_sigma: 17.5 is beyond 2σ, 21 beyond 3σ (§11.6 item 2)
    values = NOISY + [17.5, 12, 21]
    r_rule = xmr_chart(values, polarity="higher_better")
    mdc_2023 = xmr_chart(values, polarity="higher_better", two_in_three_counts_beyond_limits=True)
    assert r_rule.special_cause_type[15] == "Common Cause"
    assert mdc_2023.special_cause_type[15] == "2 in 3 Above CL"
    assert mdc_2023.special_cause_type[16] == "Common Cause"
    assert mdc_2023.special_cause_type[17] == "Above UCL"


def test_run_and_trend_length_options():
    run_of_six = NOISY + [12, 11, 11, 11, 11, 11]
    assert not xmr_chart(run_of_six, polarity="higher_better").run.any()
    six = xmr_chart(run_of_six, polarity="higher_better", run_length=6)
    assert list(six.special_cause_type[-6:]) == ["6 Points Above CL"] * 6

    trend_of_six = NOISY + [8.2, 8.6, 9, 9.4, 9.8, 10.2]
    assert not xmr_chart(trend_of_six, polarity="higher_better").trend.any()
    six = xmr_chart(trend_of_six, polarity="higher_better", trend_length=6)
    assert list(six.special_cause_type[-6:]) == ["6 Point Trend (Increasing)"] * 6


# --- degenerate and short series -----------------------------------------------------------


def test_constant_series_has_no_limits_and_says_so():
    chart = xmr_chart([100.0] * 15, polarity="higher_better", target=95)
    group = chart.groups[0]
    assert group.mean == 100
    assert math.isnan(group.mean_moving_range)
    assert np.isnan(chart.lower_process_limit).all() and np.isnan(chart.upper_process_limit).all()
    assert set(chart.special_cause_type) == {"Common Cause"}
    assert chart.variation_icon == "common_cause"
    assert chart.assurance_icon == "inconsistent"  # NaN limits: both comparisons are false
    assert chart.insufficient_variation and group.insufficient_variation
    assert chart.notes == (INSUFFICIENT_VARIATION_NOTE,)


def test_mostly_zero_moving_ranges_collapse_the_limits_and_flag_every_point():
    values = [0.0] * 10 + [5.0] + [0.0] * 9
    chart = xmr_chart(values, polarity="higher_better")
    group = chart.groups[0]
    assert group.mean_moving_range == 0
    assert group.lower_process_limit == group.upper_process_limit == group.mean == 0.25
    assert chart.outside_limits.all()
    assert chart.insufficient_variation
    assert INSUFFICIENT_VARIATION_NOTE in chart.notes


def test_a_varied_series_has_no_notes():
    chart = xmr_chart(NOISY, polarity="higher_better")
    assert not chart.insufficient_variation and not chart.trial_limits and chart.notes == ()


@pytest.mark.parametrize(("n", "trial"), [(5, True), (12, True), (13, False), (15, False)])
def test_trial_limits_below_thirteen_points(n, trial):
    chart = xmr_chart((NOISY * 2)[:n], polarity="higher_better")
    assert chart.trial_limits is trial
    assert chart.groups[0].trial_limits is trial
    assert (TRIAL_LIMITS_NOTE in chart.notes) is trial


def test_trial_limits_flag_a_short_rebase_group():
    chart = xmr_chart(NOISY + NOISY[:5], polarity="higher_better", rebase_at=[15])
    assert [group.trial_limits for group in chart.groups] == [False, True]
    assert chart.trial_limits


def test_a_single_point_has_no_limits():
    chart = xmr_chart([4.0], polarity="higher_better", target=3)
    assert chart.mean.tolist() == [4.0]
    assert math.isnan(chart.groups[0].upper_process_limit)
    assert chart.trial_limits and not chart.insufficient_variation
    assert chart.point_type.tolist() == ["common_cause"]
    assert chart.assurance_icon == "inconsistent"


def test_a_point_exactly_on_an_r_style_mean_is_on_the_mean():
    # Naive summation gives 0.1 + 0.2 + 0.3 = 0.6000000000000001; R's mean is exactly 0.2
    chart = xmr_chart([0.1, 0.2, 0.3], polarity="higher_better")
    assert chart.groups[0].mean == 0.2


# --- many series at once -------------------------------------------------------------------


def reference_frame(cases):
    frames = []
    for case in cases:
        given = case["input"]
        n = len(given["values"])
        rebase = np.zeros(n, dtype=bool)
        if given["rebase_at_index_1based"] is not None:
            rebase[given["rebase_at_index_1based"] - 1] = True
        frames.append(
            pd.DataFrame(
                {
                    "case": case["id"],
                    "period": pd.date_range("2020-01-02", periods=n),
                    "value": given["values"],
                    "polarity": SPC_POLARITY[given["improvement_direction"]],
                    "target": np.nan if given["target"] is None else given["target"],
                    "rebase": rebase,
                }
            )
        )
    # Shuffle the rows: the helper must sort by series and period itself
    return pd.concat(frames).sample(frac=1, random_state=1)


def test_by_series_matches_the_reference_cases(cases):
    cases = [
        case
        for case in cases
        if case["input"]["screen_outliers"] and case["input"]["fix_after_n_points"] is None
    ]
    tables = xmr_charts_by_series(
        reference_frame(cases),
        series_keys=["case"],
        period_column="period",
        value_column="value",
        polarity_column="polarity",
        target_column="target",
        rebase_column="rebase",
    )
    assert len(tables.series) == len(cases)
    for case in cases:
        expected = case["expected_computed_by_package_code"]
        points = tables.points[tables.points.case == case["id"]]
        assert points.value.tolist() == case["input"]["values"]
        assert points.special_cause_type.tolist() == expected["special_cause_type"]
        assert points.point_type.tolist() == expected["point_type"]
        latest_group = expected["groups"][-1]
        series = tables.series.set_index("case").loc[case["id"]]
        assert series.n_points == len(case["input"]["values"])
        assert_limit(series.upper_process_limit, latest_group["upl"])
        assert_limit(series.lower_process_limit, latest_group["lpl"])
        assert series.variation_icon == expected["variation_icon"]
        assert series.variation_label == VARIATION_LABELS[expected["variation_icon"]]
        if expected["assurance_icon"] is None:
            assert pd.isna(series.assurance_icon) and pd.isna(series.assurance_label)
        else:
            assert series.assurance_icon == expected["assurance_icon"]


def test_by_series_agrees_with_one_series_at_a_time():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "indicator": np.repeat(["a", "b", "c"], 30),
            "area": np.tile(np.repeat(["x", "y"], 15), 3),
            "period": np.tile(np.arange(15), 6),
            "value": rng.normal(size=90).round(1),
        }
    )
    tables = xmr_charts_by_series(
        frame,
        series_keys=["indicator", "area"],
        period_column="period",
        value_column="value",
        polarity="lower_better",
        screen_outliers=False,
        fix_after_n_points=12,
    )
    assert len(tables.series) == 6
    for (indicator, area), rows in frame.groupby(["indicator", "area"]):
        chart = xmr_chart(
            rows.value, polarity="lower_better", screen_outliers=False, fix_after_n_points=12
        )
        points = tables.points[
            (tables.points.indicator == indicator) & (tables.points.area == area)
        ]
        np.testing.assert_array_equal(points.upper_process_limit, chart.upper_process_limit)
        np.testing.assert_array_equal(points.special_cause_type, chart.special_cause_type)
        series = tables.series[
            (tables.series.indicator == indicator) & (tables.series.area == area)
        ]
        assert series.variation_icon.item() == chart.variation_icon
        assert series.trial_limits.item() == chart.trial_limits


def test_by_series_is_fast_for_many_series():
    rng = np.random.default_rng(1)
    series_count, length = 20_000, 24
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.arange(series_count), length),
            "period": np.tile(np.arange(length), series_count),
            "value": rng.normal(size=series_count * length),
        }
    )
    tables = xmr_charts_by_series(
        frame,
        series_keys=["series"],
        period_column="period",
        value_column="value",
        polarity="higher_better",
    )
    assert len(tables.points) == series_count * length
    assert len(tables.series) == series_count


# --- invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ([], {}, "empty"),
        ([1, np.nan, 2], {}, "finite"),
        ([1, np.inf], {}, "finite"),
        (["a", "b"], {}, "numeric"),
        ([[1, 2], [3, 4]], {}, "one-dimensional"),
        ([1, 2, 3], {"polarity": "increase"}, "polarity"),
        ([1, 2, 3], {"rebase_at": [3]}, "rebase_at"),
        ([1, 2, 3], {"rebase_at": [1.5]}, "rebase_at"),
        ([1, 2, 3], {"fix_after_n_points": 11}, "fix_after_n_points"),
        ([1, 2, 3], {"run_length": 1}, "run_length"),
        ([1, 2, 3], {"target": np.inf}, "target"),
        ([1, 2, 3], {"target": "high"}, "target"),
    ],
)
def test_invalid_input(values, options, message):
    options = {"polarity": "higher_better", **options}
    with pytest.raises(StatisticsInputError, match=message):
        xmr_chart(values, **options)


def test_by_series_refuses_duplicate_periods_and_missing_columns():
    frame = pd.DataFrame({"s": [1, 1], "period": [1, 1], "value": [1.0, 2.0]})
    options = {"series_keys": ["s"], "period_column": "period", "polarity": "higher_better"}
    with pytest.raises(StatisticsInputError, match="more than one row"):
        xmr_charts_by_series(frame, value_column="value", **options)
    with pytest.raises(StatisticsInputError, match="no column"):
        xmr_charts_by_series(frame, value_column="rate", **options)


def test_by_series_refuses_a_polarity_that_varies_within_a_series():
    frame = pd.DataFrame(
        {"s": [1, 1], "period": [1, 2], "value": [1.0, 2.0], "p": ["higher_better", "lower_better"]}
    )
    with pytest.raises(StatisticsInputError, match="varies"):
        xmr_charts_by_series(
            frame,
            series_keys=["s"],
            period_column="period",
            value_column="value",
            polarity_column="p",
        )


# --- properties ----------------------------------------------------------------------------

SERIES_VALUES = st.lists(
    st.integers(min_value=-50, max_value=50).map(float), min_size=1, max_size=40
)
SWAPPED = {
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
    "common_cause": "common_cause",
}


@settings(max_examples=60, deadline=None)
@given(SERIES_VALUES)
def test_polarity_swaps_improvement_and_concern_only(values):
    higher = xmr_chart(values, polarity="higher_better")
    lower = xmr_chart(values, polarity="lower_better")
    neutral = xmr_chart(values, polarity="no_judgement")
    assert list(higher.special_cause_type) == list(lower.special_cause_type)
    assert [SWAPPED[p] for p in higher.point_type] == list(lower.point_type)
    special = neutral.special_cause_type != "Common Cause"
    assert (neutral.point_type[special] != "common_cause").all()


@settings(max_examples=60, deadline=None)
@given(SERIES_VALUES)
def test_screening_never_widens_the_limits(values):
    screened = xmr_chart(values, polarity="higher_better").groups[0]
    unscreened = xmr_chart(values, polarity="higher_better", screen_outliers=False).groups[0]
    assert screened.mean == unscreened.mean
    if not math.isnan(screened.mean_moving_range):
        assert screened.mean_moving_range <= unscreened.mean_moving_range
