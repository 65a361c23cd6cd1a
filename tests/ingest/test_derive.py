"""Derived analytics: comparisons with England, parent and target; trends; SPC; SII."""

import pandas as pd
import pytest
from django.db import transaction

from indicators.models import (
    InequalitySummary,
    Observation,
    Period,
    SeriesAnalytics,
    Target,
)
from indicators.statistics.spc import MINIMUM_POINTS, POOLED_PERIODS_NOTE, TOO_FEW_POINTS_NOTE
from indicators.vocabulary import quintile_label
from ingest.derive import (
    analytics_derive,
    observations_apply,
    observations_derive,
    series_derive,
)
from ingest.schema import QUINTILE_TYPE
from ingest.writing import observations_incoming, observations_write
from tests.extracts import extract, values_frame
from tests.series import headline_series

YEARS = ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


@pytest.fixture
def series(framework, geography):
    """Smoking (lower is better): Bristol falling fast, England flat, the ICB in between;
    Bristol's quintiles in the latest year with a clear gradient."""
    rows = []
    for number, year in enumerate(YEARS):
        bristol = 20.0 - 1.5 * number
        rows += [
            ("PRV01", "E92000001", year, 14.0, 13.9, 14.1),
            ("PRV01", "E54000039", year, 16.0, 15.5, 16.5),
            ("PRV01", "E06000023", year, bristol, bristol - 0.6, bristol + 0.6),
        ]
    for quintile, value in zip(range(1, 6), [18.0, 14.0, 11.0, 9.0, 7.0], strict=True):
        rows.append(("PRV01", "E06000023", "2023/24", value, value - 1, value + 1, "Persons",
                     QUINTILE_TYPE, quintile_label(quintile)))  # fmt: skip
    frame = values_frame(rows)
    # Counts whose Wilson limits (which protected viewers see, and everything derived uses)
    # are about as narrow as the limits given.
    frame["denominator"] = 10_000.0
    frame["count"] = frame["value"] * 100
    with transaction.atomic():
        written = observations_write(observations_incoming(frame), extract=extract())
    return written


def derive():
    with transaction.atomic():
        return analytics_derive(indicator_ids=[Observation.objects.first().indicator_id])


def observation(area, year, category=""):
    return Observation.objects.get(area__code=area, period__label=year, category=category)


def test_comparisons_with_england_and_parent(series):
    derive()
    # 2018/19: Bristol 20 [19.4, 20.6] vs England 14, lower is better → Worse
    assert observation("E06000023", "2018/19").england_comparison == "Worse"
    # 2023/24: Bristol 12.5 [11.9, 13.1] vs England 14 → Better; vs ICB 16 → Better
    latest = observation("E06000023", "2023/24")
    assert (latest.england_comparison, latest.parent_comparison) == ("Better", "Better")
    # ICB 16 [15.5, 16.5] vs England → Worse; England is never compared with itself
    assert observation("E54000039", "2023/24").england_comparison == "Worse"
    assert observation("E92000001", "2023/24").england_comparison == ""
    # Quintile rows compare with England's same category, which England lacks here.
    assert (
        observation("E06000023", "2023/24", quintile_label(1)).england_comparison == "Not compared"
    )


def test_target_comparison(series, geography):
    Target.objects.create(
        indicator=Observation.objects.first().indicator, area=geography["bristol"], value=13.0,
        target_period=Period.objects.get(label="2023/24"), source="local_plan",
    )  # fmt: skip
    derive()
    assert observation("E06000023", "2023/24").target_comparison == "Green"  # 12.5 ≤ 13
    assert observation("E06000023", "2018/19").target_comparison == "Red"  # 20 > 13
    assert observation("E92000001", "2023/24").target_comparison == ""  # no target there


def test_series_trend_and_spc(series):
    summary = derive()
    assert summary.series >= 3
    bristol = SeriesAnalytics.objects.get(basis="shown", area__code="E06000023", category="")
    assert bristol.trend_marker == "decreasing"
    assert bristol.trend_label == "Decreasing and getting better"
    assert bristol.latest_period.label == "2023/24"
    assert len(bristol.spc_points) == 6 and bristol.spc_points[0]["period"] == "2018/19"
    # Six points: a run chart, no SPC verdict (see the tests below).
    assert bristol.spc_trial_limits and not bristol.spc_variation_label
    england = SeriesAnalytics.objects.get(basis="shown", area__code="E92000001")
    assert england.trend_marker == "no_significant_change"


def test_inequality_summary_across_quintiles(series):
    derive()
    summary = InequalitySummary.objects.get(basis="shown", area__code="E06000023")
    assert summary.category_type == QUINTILE_TYPE and summary.period.label == "2023/24"
    assert summary.gap == pytest.approx(18.0 - 7.0)
    assert summary.ratio == pytest.approx(18.0 / 7.0)
    # Values fall from most to least deprived, so the SII (least minus most deprived) is negative.
    assert summary.sii < 0 and summary.sii_lower <= summary.sii <= summary.sii_upper
    assert summary.note == ""


def test_missing_quintile_gives_a_reason(series):
    Observation.objects.filter(category=quintile_label(3)).delete()
    derive()
    summary = InequalitySummary.objects.get(basis="shown", area__code="E06000023")
    assert summary.sii is None and "3" in summary.note


def test_derive_replaces_earlier_results(series):
    derive()
    derive()
    assert (
        SeriesAnalytics.objects.filter(area__code="E06000023", category="").count() == 2
    )  # each basis
    assert InequalitySummary.objects.count() == 2  # each basis


def stored_state():
    observations = sorted(
        Observation.objects.values_list(
            "area__code", "period__label", "category", "value", "suppressed",
            "england_comparison", "parent_comparison", "target_comparison",
        )
    )  # fmt: skip
    series = sorted(
        SeriesAnalytics.objects.values_list(
            "area__code", "category", "basis", "latest_period__label", "trend_marker",
            "trend_reason", "spc_variation_label", "spc_points",
        )
    )  # fmt: skip
    summaries = sorted(
        InequalitySummary.objects.values_list("area__code", "basis", "sii", "rii", "note")
    )
    return observations, series, summaries


def test_deriving_before_the_write_stores_what_deriving_after_it_does(series):
    """The pipeline derives first and writes each new row once; the result must be the
    same as writing blank rows and deriving from what is stored."""
    derive()
    after = stored_state()
    frame = values_frame(
        [("PRV01", area, year, value, lower, upper)
         for area, year, value, lower, upper in Observation.objects.filter(category="")
         .values_list("area__code", "period__label", "value", "lower_95", "upper_95")]
    )  # fmt: skip
    # Counts whose Wilson limits (which protected viewers see, and everything derived uses)
    # are about as narrow as the limits given.
    frame["denominator"] = 10_000.0
    frame["count"] = frame["value"] * 100
    quintiles = Observation.objects.filter(category_type=QUINTILE_TYPE)
    quintile_rows = values_frame(
        [("PRV01", "E06000023", "2023/24", value, value - 1, value + 1, "Persons",
          QUINTILE_TYPE, category)
         for category, value in quintiles.values_list("category", "value")]
    )  # fmt: skip
    quintile_rows["denominator"] = 1000.0
    quintile_rows["count"] = quintile_rows["value"] * 10
    for model in (SeriesAnalytics, InequalitySummary, Observation):
        model.objects.all().delete()
    with transaction.atomic():
        observations_apply(pd.concat([frame, quintile_rows], ignore_index=True), extract=extract())
    assert stored_state() == after


def test_a_new_england_value_updates_only_the_rows_it_changes(series):
    derive()
    ours = Observation.objects.exclude(area__code="E92000001")
    before = dict(ours.values_list("pk", "england_comparison"))
    # England's 2023/24 value moves from 14 to 20: the ICB's 2023/24 value (16) turns from
    # Worse to Better than England; Bristol's (12.5) stays Better; nothing else changes.
    with transaction.atomic():
        _, derived = observations_apply(
            values_frame([("PRV01", "E92000001", "2023/24", 20.0, 19.9, 20.1)]),
            extract=extract("england.csv"),
        )
    after = dict(ours.values_list("pk", "england_comparison"))
    changed = {pk for pk in before if before[pk] != after[pk]}
    assert changed == {observation("E54000039", "2023/24").pk}
    assert derived.updated == 1
    assert observation("E54000039", "2023/24").england_comparison == "Better"


def test_the_series_step_reads_nothing_from_the_database(series, django_assert_num_queries):
    """observations_apply runs series_derive on another thread, outside the transaction: it
    must work from what observations_derive read."""
    with transaction.atomic():
        derivation = observations_derive([Observation.objects.first().indicator_id])
        with django_assert_num_queries(0):
            results = series_derive(derivation)
    assert (
        len(results.columns["indicator_id"]) >= 3 and len(results.summaries) == 2
    )  # one per basis


def test_derived_statistics_use_the_values_a_protected_viewer_sees(series):
    """An exact gap between two quintiles would pin both quintiles' counts: the summaries
    are computed from the values worked out from rounded counts (docs/disclosure.md)."""
    Observation.objects.filter(category=quintile_label(1)).update(count=1802, value=18.02)
    Observation.objects.filter(category=quintile_label(5)).update(count=698, value=6.98)
    derive()
    summary = InequalitySummary.objects.get(basis="shown", area__code="E06000023")
    shown_gap = 100 * (1800 - 700) / 10_000
    assert summary.gap == pytest.approx(shown_gap, rel=1e-12)


@pytest.mark.parametrize("points", [3, 5, 12, 13, 24])
def test_spc_limits_and_icons_only_from_thirteen_points(framework, geography, points):
    labels = [f"{year}/{(year + 1) % 100:02d}" for year in range(2000, 2000 + points)]
    series = headline_series(labels)
    assert [point["period"] for point in series.spc_points] == labels
    if points < MINIMUM_POINTS:
        assert series.spc_trial_limits and series.spc_notes == TOO_FEW_POINTS_NOTE
        assert not series.spc_variation_icon and not series.spc_assurance_icon
        assert all(point["lower"] is None and point["upper"] is None for point in series.spc_points)
        assert {point["median"] for point in series.spc_points} == {16.0}
    else:
        assert not series.spc_trial_limits and series.spc_variation_icon == "common_cause"
        assert all(point["lower"] is not None for point in series.spc_points)


def test_overlapping_pooled_periods_never_get_spc(framework, geography):
    labels = [f"{year} - {(year + 2) % 100:02d}" for year in range(2000, 2015)]
    series = headline_series(labels)
    assert len(series.spc_points) == 15
    assert series.spc_notes == POOLED_PERIODS_NOTE and not series.spc_variation_icon
    assert all(point["mean"] is None for point in series.spc_points)


def test_analysts_get_summaries_from_every_value_and_viewers_a_truthful_note(series):
    """Issue 16: a small quintile count hides the summary from protected roles only, and
    says why; analysts' summary is computed from every value."""
    Observation.objects.filter(category=quintile_label(3)).update(count=5, value=0.05)
    derive()
    shown = InequalitySummary.objects.get(area__code="E06000023", basis="shown")
    every = InequalitySummary.objects.get(area__code="E06000023", basis="all")
    assert shown.sii is None and shown.gap is None
    # Quintile 5 is suppressed too, to protect quintile 3: one note says it of both.
    assert shown.note.startswith("Not shown: quintiles 3 and 5 are suppressed to protect small")
    assert "no population" not in shown.note
    assert every.sii is not None and every.gap == pytest.approx(18.0 - 7.0)
    assert every.note == ""
