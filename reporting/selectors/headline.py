"""Each indicator's headline status read from what the pipeline stored: its series with
the benchmark's values, SPC signals as they stood at the period, baseline, target, published
narrative and inequality summaries."""

from __future__ import annotations

import copy
import statistics
from datetime import date

from django.db.models import F

from indicators import disclosure
from indicators.models import (
    Baseline,
    Commentary,
    CommentaryStatus,
    Indicator,
    InequalitySummary,
    Observation,
    SeriesAnalytics,
    Sex,
    Target,
)
from indicators.selectors import (
    analytics_basis,
    default_group_ranks,
    disclose_rows,
)
from indicators.statistics.spc import (
    ASSURANCE_LABELS,
    MINIMUM_POINTS,
    POOLED_PERIODS_NOTE,
    TOO_FEW_POINTS_NOTE,
    VARIATION_LABELS,
    assurance_icon,
)
from indicators.system import deprivation_current, system_current
from reporting.selectors.status import IndicatorStatus, SeriesPoint, Signal


def variation_icon_for_point(point: dict) -> str:
    """The MDC variation icon a stored SPC point gives when it is the latest point (§11.4)."""
    kind = point.get("type") or ""
    rule = point.get("rule") or ""
    high = "Above" in rule or "Increasing" in rule
    if kind == "special_cause_improvement":
        return "improvement_high" if high else "improvement_low"
    if kind == "special_cause_concern":
        return "concern_high" if high else "concern_low"
    if kind.startswith("special_cause_neutral"):
        return kind.removeprefix("special_cause_")
    return "common_cause"


def _run_points(points: list[dict]) -> list[dict]:
    """SPC points as a run chart: each value with the median of its phase (the values since
    the last change point), and no limits."""
    phases: dict[str, list[float]] = {}
    for point in points:
        if point["value"] is not None:
            phases.setdefault(point.get("phase_start", ""), []).append(point["value"])
    medians = {phase: statistics.median(values) for phase, values in phases.items()}
    blank = {"mean": None, "lower": None, "upper": None, "type": "", "rule": ""}
    return [
        point | blank | {"median": medians.get(point.get("phase_start", ""))} for point in points
    ]


def _signals_at(
    analytics: SeriesAnalytics | None, indicator: Indicator, target: Target | None, points
) -> tuple[Signal | None, Signal | None, list[dict], bool, str, str, str]:
    """SPC icons, SPC points, trial-limit flag, notes and trend as they stood at the latest of
    ``points``. At the latest stored period these are the stored results; at an earlier
    period, the stored point for that period (its type and limits, from the whole chart)."""
    if analytics is None:
        return None, None, [], False, "", "", ""
    shown = {point.period for point in points}
    spc_points = [point for point in analytics.spc_points if point["period"] in shown]
    is_latest = bool(points) and points[-1].period == (
        analytics.spc_points[-1]["period"] if analytics.spc_points else None
    )
    too_few_then = not is_latest and 0 < len(spc_points) < MINIMUM_POINTS
    if analytics.spc_trial_limits or too_few_then:
        # No verdict from a run chart or from too few points as it stood then (a series
        # derived before run charts existed still has trial-limit icons: not shown).
        series = analytics.spc_points if is_latest else spc_points
        note = analytics.spc_notes if analytics.spc_trial_limits else TOO_FEW_POINTS_NOTE
        if note not in (POOLED_PERIODS_NOTE, TOO_FEW_POINTS_NOTE):
            note = TOO_FEW_POINTS_NOTE
        trend = (analytics.trend_marker, analytics.trend_label) if is_latest else ("", "")
        return None, None, _run_points(series), True, note, *trend
    if is_latest or not analytics.spc_points:
        variation = (
            Signal(analytics.spc_variation_icon, analytics.spc_variation_label, "SPC variation")
            if analytics.spc_variation_icon
            else None
        )
        assurance = (
            Signal(analytics.spc_assurance_icon, analytics.spc_assurance_label, "SPC assurance")
            if analytics.spc_assurance_icon
            else None
        )
        return (
            variation, assurance, analytics.spc_points, analytics.spc_trial_limits,
            analytics.spc_notes, analytics.trend_marker, analytics.trend_label,
        )  # fmt: skip
    if not spc_points:
        return None, None, [], False, "", "", ""
    last = spc_points[-1]
    icon = variation_icon_for_point(last)
    variation = Signal(icon, VARIATION_LABELS[icon], "SPC variation")
    assurance = None
    if target is not None and target.value is not None and last["lower"] is not None:
        found = assurance_icon(
            target=target.value, lower_process_limit=last["lower"],
            upper_process_limit=last["upper"], polarity=indicator.polarity,
        )  # fmt: skip
        if found:
            assurance = Signal(found, ASSURANCE_LABELS[found], "SPC assurance")
    # The recent trend is stored for the latest period only.
    return variation, assurance, spc_points, False, "", "", ""


def indicator_statuses(
    indicators: list[Indicator],
    *,
    as_at: date | None = None,
    with_inequalities: bool = False,
    protect: bool = True,
) -> dict[int, IndicatorStatus]:
    """Each indicator's headline status at ``as_at`` (None: the latest data), keyed by id.

    Six queries (seven with inequalities) whatever the number of indicators and periods,
    one of them the ranks among the default comparator group."""
    ids = [indicator.pk for indicator in indicators]
    if not ids:
        return {}
    system = system_current()
    headline_id, benchmark_id = system.headline_area_id, system.benchmark_area_id
    period_filter = {"period__end__lte": as_at} if as_at else {}
    observations = (
        Observation.objects.filter(
            indicator_id__in=ids,
            area_id__in=[headline_id, benchmark_id],
            sex=Sex.PERSONS,
            category_type="",
            category="",
            age=F("indicator__default_age"),
            **period_filter,
        )  # fmt: skip
        .values(
            "indicator_id",
            "area_id",
            "period__label",
            "period__sort_key",
            "period__end",
            "value",
            "lower_95",
            "upper_95",
            "count",
            "denominator",
            "value_note",
            "suppressed",
            "england_comparison",
            "target_comparison",
        )  # fmt: skip
        .order_by("indicator_id", "period__sort_key")
    )
    england: dict[tuple[int, str], float | None] = {}
    headline: dict[int, list[dict]] = {}
    for row in observations:
        if row["area_id"] == headline_id:
            headline.setdefault(row["indicator_id"], []).append(row)
        else:
            england[(row["indicator_id"], row["period__sort_key"])] = row["value"]
    analytics = {
        row.indicator_id: row
        for row in SeriesAnalytics.objects.filter(
            indicator_id__in=ids,
            area_id=headline_id,
            sex=Sex.PERSONS,
            category_type="",
            category="",
            basis=analytics_basis(protect),
        )  # fmt: skip
    }
    baselines = {
        row.indicator_id: row
        for row in Baseline.objects.filter(
            indicator_id__in=ids, area_id=headline_id, sex=Sex.PERSONS
        ).select_related("period")
    }
    targets = {
        row.indicator_id: row
        for row in Target.objects.filter(
            indicator_id__in=ids, area_id=headline_id, sex=Sex.PERSONS
        ).select_related("target_period")
    }
    narratives: dict[int, list[Commentary]] = {}
    for commentary in (
        Commentary.objects.filter(
            indicator_id__in=ids,
            area_id=headline_id,
            status=CommentaryStatus.PUBLISHED,
            **period_filter,
        )  # fmt: skip
        .select_related("period", "author")
        .order_by("-period__sort_key", "-published_at")
    ):
        narratives.setdefault(commentary.indicator_id, []).append(commentary)
    inequalities: dict[int, list[InequalitySummary]] = {}
    if with_inequalities:
        for summary in (
            InequalitySummary.objects.filter(
                indicator_id__in=ids,
                area_id=headline_id,
                sex=Sex.PERSONS,
                category_type=deprivation_current().quintile_type,
                basis=analytics_basis(protect),
                **period_filter,
            )  # fmt: skip
            .select_related("period")
            .order_by("-period__sort_key")
        ):
            inequalities.setdefault(summary.indicator_id, []).append(summary)

    ranks = default_group_ranks(
        indicators=indicators, area=system.headline_area, as_at=as_at, protect=protect
    )
    statuses = {}
    for indicator in indicators:
        rows = headline.get(indicator.pk, [])
        shown = disclose_rows(rows, indicator=indicator, national=False, protect=protect)
        points = [_series_point(row, england) for row in shown]
        target = targets.get(indicator.pk)
        variation, assurance, spc_points, trial, notes, marker, trend = _signals_at(
            analytics.get(indicator.pk), indicator, target, points
        )
        statuses[indicator.pk] = IndicatorStatus(
            indicator=indicator, points=points, spc_points=spc_points, variation=variation,
            assurance=assurance, trend_label=trend, trend_marker=marker,
            spc_trial_limits=trial, spc_notes=notes,
            baseline=_disclosed_baseline(
                baselines.get(indicator.pk), rows, shown, indicator=indicator, protect=protect
            ),
            target=target, narratives=narratives.get(indicator.pk, []),
            inequalities=inequalities.get(indicator.pk, []),
            group_rank=ranks.get(indicator.pk), protect=protect,
        )  # fmt: skip
    return statuses


def _series_point(row: dict, england: dict) -> SeriesPoint:
    return SeriesPoint(
        period=row["period__label"], sort_key=row["period__sort_key"], end=row["period__end"],
        value=row["value"], lower_95=row["lower_95"], upper_95=row["upper_95"],
        count=row["count"], denominator=row["denominator"], value_note=row["value_note"],
        suppressed=row["suppressed"],
        england_comparison=row["england_comparison"] or "Not compared",
        target_comparison=row["target_comparison"] or "Not compared",
        england_value=england.get((row["indicator_id"], row["period__sort_key"])),
    )  # fmt: skip


def _disclosed_baseline(baseline, rows: list[dict], shown: list[dict], *, indicator, protect):
    """A baseline taken from the headline series is shown as that period's value is shown
    (counts rounded, values from rounded counts); a count set by hand is rounded like the
    counts; any other baseline set by hand is shown as set."""
    if not protect or baseline is None:
        return baseline
    shown_baseline = copy.copy(baseline)
    for raw, seen in zip(rows, shown, strict=True):
        if raw["period__label"] == baseline.period.label and raw["value"] == baseline.value:
            if seen["value"] is None:
                return None
            shown_baseline.value = seen["value"]
            shown_baseline.lower_95, shown_baseline.upper_95 = seen["lower_95"], seen["upper_95"]
            return shown_baseline
    if disclosure.values_are_counts(
        value_type=indicator.value_type, rule=indicator.disclosure_rule
    ):
        shown_baseline.value = disclosure.round_count(baseline.value)
        shown_baseline.lower_95 = shown_baseline.upper_95 = None
    return shown_baseline
