"""Reads for the board-facing pages: the framework's headline series as it stood at a period.

Reporting shows one series per indicator: the configured system's headline area (Persons, no
category, the indicator's default age), compared with its benchmark (England unless the
system says otherwise; ``indicators.system``). Pages only read what the
ingest pipeline stored (values, comparisons, SPC points and icons, trends, inequality
summaries); nothing statistical is computed here. Each read below is a fixed number of
queries whatever the number of indicators and periods.
"""

from __future__ import annotations

import copy
import statistics
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import F, Prefetch

from indicators import disclosure
from indicators.models import (
    Baseline,
    Commentary,
    CommentaryRevision,
    CommentaryStatus,
    Domain,
    Indicator,
    InequalitySummary,
    Observation,
    Period,
    Polarity,
    Programme,
    SeriesAnalytics,
    Sex,
    Target,
)
from indicators.selectors import (
    GroupRank,
    analytics_basis,
    default_group_ranks,
    disclose_rows,
    indicators_visible,
    indicators_visible_to,
    protects,
    target_gap_for,
)
from indicators.statistics.spc import (
    ASSURANCE_LABELS,
    MINIMUM_POINTS,
    POOLED_PERIODS_NOTE,
    TOO_FEW_POINTS_NOTE,
    VARIATION_LABELS,
    assurance_icon,
)
from indicators.statistics.target_gap import TargetGap
from indicators.system import deprivation_current, system_current

DIRECTIONS = {
    "improving": "Improving",
    "deteriorating": "Deteriorating",
    "no_change": "No significant change",
    "not_assessed": "Not assessed",
}
# Making Data Count's assurance wording (the icons' own), and the rest.
ASSURANCE_OUTCOMES = {**ASSURANCE_LABELS, "none": "No target or not assessed"}
ENGLAND_OUTCOMES = ("Better", "Similar", "Worse")
# Stored Fingertips trend markers (docs/methods.md §10) that carry a result.
CALCULATED_TREND_MARKERS = {"increasing", "decreasing", "no_significant_change"}


# --- Periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportingPeriod:
    label: str
    end: date


def reporting_periods() -> list[ReportingPeriod]:
    """Periods with a headline-area value, newest first (one per label: the label's
    latest end date, so "2023/24" means the framework as it stood at 31 March 2024)."""
    rows = (
        Period.objects.filter(
            observations__area_id=system_current().headline_area_id,
            observations__sex=Sex.PERSONS,
            observations__category_type="",
        )
        .values_list("label", "end", "sort_key")
        .distinct()
        .order_by("-end", "-sort_key")
    )
    seen: dict[str, ReportingPeriod] = {}
    for label, end, _ in rows:
        seen.setdefault(label, ReportingPeriod(label=label, end=end))
    return list(seen.values())


# --- One indicator's status ------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesPoint:
    """One period of the headline series, with England's value for the same period."""

    period: str
    sort_key: str
    end: date
    value: float | None
    lower_95: float | None
    upper_95: float | None
    count: float | None
    denominator: float | None
    value_note: str
    suppressed: bool
    england_comparison: str
    target_comparison: str
    england_value: float | None = None


@dataclass(frozen=True)
class Signal:
    """An SPC icon with its label, or a direction with where it came from."""

    icon: str
    label: str
    source: str = ""


@dataclass
class IndicatorStatus:
    """The headline series of one indicator as it stood at the chosen period."""

    indicator: Indicator
    points: list[SeriesPoint]
    spc_points: list[dict]
    variation: Signal | None
    assurance: Signal | None
    trend_label: str
    trend_marker: str
    spc_trial_limits: bool
    spc_notes: str
    baseline: Baseline | None
    target: Target | None
    narratives: list[Commentary] = field(default_factory=list)  # published, newest first
    inequalities: list[InequalitySummary] = field(default_factory=list)  # newest first
    group_rank: GroupRank | None = None  # the headline area among its default comparator group
    protect: bool = True  # the points are as a protected viewer sees them (rounded counts)

    @property
    def latest(self) -> SeriesPoint | None:
        with_value = [point for point in self.points if point.value is not None]
        return with_value[-1] if with_value else (self.points[-1] if self.points else None)

    @property
    def narrative(self) -> Commentary | None:
        return self.narratives[0] if self.narratives else None

    @property
    def narrative_first_line(self) -> str:
        if self.narrative is None:
            return ""
        lines = [line.strip() for line in self.narrative.what_data_shows.splitlines()]
        return next((line for line in lines if line), "")

    @property
    def inequality(self) -> InequalitySummary | None:
        return self.inequalities[0] if self.inequalities else None

    @property
    def direction(self) -> str:
        """improving / deteriorating / no_change / not_assessed: from SPC variation when the
        chart has at least MINIMUM_POINTS independent points, else from the recent trend when
        it can be calculated, else not assessed."""
        return _direction(self.direction_signal)

    @property
    def direction_signal(self) -> Signal | None:
        if self.variation and not self.spc_trial_limits:
            return self.variation
        if self.trend_marker in CALCULATED_TREND_MARKERS:
            return Signal(icon=self.trend_marker, label=self.trend_label, source="Recent trend")
        return None

    @property
    def change_points(self) -> list[tuple[str, str]]:
        """(period, reason) of each change point an analyst recorded in the shown series:
        the SPC limits (or the run chart's median) start a new phase there."""
        return [
            (point["period"], point["change_point"])
            for point in self.spc_points
            if point.get("change_point")
        ]

    @property
    def run_chart(self) -> bool:
        """Whether the series is shown as a run chart (values and median), not SPC."""
        return bool(self.spc_points) and self.spc_trial_limits

    @property
    def spc_missing_reason(self) -> str:
        """Why there is no SPC verdict, in a few words."""
        if not self.spc_points:
            return "No SPC: no series"
        if self.spc_notes == POOLED_PERIODS_NOTE:
            return "No SPC: overlapping pooled periods"
        return f"No SPC: fewer than {MINIMUM_POINTS} points"

    @property
    def direction_label(self) -> str:
        return DIRECTIONS[self.direction]

    @property
    def assurance_outcome(self) -> str:
        """The assurance icon (``pass``, ``inconsistent``, ``fail``) or ``none``."""
        return self.assurance.icon if self.assurance else "none"

    @property
    def england(self) -> str:
        return self.latest.england_comparison if self.latest else ""

    @property
    def worse_and_worsening(self) -> bool:
        return self.england == "Worse" and self.direction == "deteriorating"

    @property
    def change_since_baseline(self) -> float | None:
        latest = self.latest
        if self.baseline is None or latest is None or latest.value is None:
            return None
        return latest.value - self.baseline.value

    @cached_property
    def target_gap(self) -> TargetGap:
        """How many more people (or fewer events) would have met the target at the latest
        point, from the counts as the viewer sees them."""
        latest = self.latest
        return target_gap_for(
            indicator=self.indicator, target=self.target,
            period=latest.period if latest else "", value=latest.value if latest else None,
            count=latest.count if latest else None,
            denominator=latest.denominator if latest else None, protect=self.protect,
        )  # fmt: skip

    @property
    def change_is_better(self) -> bool | None:
        change = self.change_since_baseline
        if change is None or change == 0 or self.indicator.polarity == Polarity.NO_JUDGEMENT:
            return None
        return (change > 0) == (self.indicator.polarity == Polarity.HIGHER_BETTER)


def _direction(signal: Signal | None) -> str:
    if signal is None:
        return "not_assessed"
    if signal.icon.startswith("improvement") or signal.label.endswith("getting better"):
        return "improving"
    if signal.icon.startswith("concern") or signal.label.endswith("getting worse"):
        return "deteriorating"
    if signal.icon in {"common_cause", "no_significant_change"}:
        return "no_change"
    return "not_assessed"  # neutral special cause, or a trend on an indicator with no polarity


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


# --- Pages -----------------------------------------------------------------------------------


@dataclass
class DomainReport:
    domain: Domain
    statuses: list[IndicatorStatus]

    def count(self, attribute: str, value: str) -> int:
        return sum(1 for status in self.statuses if getattr(status, attribute) == value)

    @property
    def direction_counts(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.count("direction", key)) for key, label in DIRECTIONS.items()]

    @property
    def assurance_counts(self) -> list[tuple[str, str, int]]:
        return [
            (key, label, self.count("assurance_outcome", key))
            for key, label in ASSURANCE_OUTCOMES.items()
        ]

    @property
    def england_counts(self) -> list[tuple[str, int]]:
        counts = [(label, self.count("england", label)) for label in ENGLAND_OUTCOMES]
        other = len(self.statuses) - sum(number for _, number in counts)
        return [*counts, ("Not compared", other)]

    @property
    def worse_and_worsening(self) -> list[IndicatorStatus]:
        return [status for status in self.statuses if status.worse_and_worsening]

    @property
    def statuses_attention_first(self) -> list[IndicatorStatus]:
        return sorted(self.statuses, key=lambda status: not status.worse_and_worsening)


def framework_report(
    *, user, as_at: date | None = None, domain_code: str | None = None
) -> list[DomainReport]:
    """Every domain (or one) with the status of each indicator the user may see, at ``as_at``.

    Raises Domain.DoesNotExist for an unknown domain code. Nine queries at most."""
    return framework_report_for(protect=protects(user), as_at=as_at, domain_code=domain_code)


def framework_report_for(
    *, protect: bool, as_at: date | None = None, domain_code: str | None = None
) -> list[DomainReport]:
    """``framework_report`` for an audience rather than a user: protected viewers (published
    indicators, disclosed values) or analysts (every indicator and value). The board pack is
    built once per audience and served to everyone in it."""
    domains = Domain.objects.order_by("order", "code")
    if domain_code is not None:
        domains = domains.filter(code=domain_code)
    visible = (
        indicators_visible(analyst=not protect).select_related("owner", "domain").order_by("code")
    )
    domains = list(
        domains.prefetch_related(Prefetch("indicators", queryset=visible, to_attr="visible"))
    )
    if domain_code is not None and not domains:
        raise Domain.DoesNotExist(domain_code)
    indicators = [indicator for domain in domains for indicator in domain.visible]
    statuses = indicator_statuses(indicators, as_at=as_at, protect=protect)
    return [
        DomainReport(domain=domain, statuses=[statuses[item.pk] for item in domain.visible])
        for domain in domains
    ]


def indicator_report(*, indicator: Indicator, user) -> IndicatorStatus:
    """The indicator page's reads: the whole headline series, England, SPC, baseline,
    target, inequality summaries and published narrative history."""
    return indicator_statuses([indicator], with_inequalities=True, protect=protects(user))[
        indicator.pk
    ]


def narrative_editable_by(*, user, indicator: Indicator) -> bool:
    """Analysts (and admins) write narrative for any indicator; owners for the indicators their
    partner owns; nobody else."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    groups = set(user.groups.values_list("name", flat=True))
    if groups & {"analyst", "admin"}:
        return True
    if "owner" not in groups or indicator.owner_id is None:
        return False
    membership = getattr(user, "membership", None)
    return membership is not None and membership.partner_id == indicator.owner_id


def narratives_for_editing(*, indicator: Indicator) -> dict[str, Commentary]:
    """The headline area's narratives of an indicator (drafts too), keyed by period label,
    each with its revisions prefetched."""
    headline_id = system_current().headline_area_id
    return {
        commentary.period.label: commentary
        for commentary in Commentary.objects.filter(indicator=indicator, area_id=headline_id)
        .select_related("period", "author")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=CommentaryRevision.objects.select_related("editor"),
            )
        )
    }


def indicator_periods(*, indicator: Indicator) -> list[Period]:
    """Periods with a headline-area value for the indicator, newest first."""
    return list(
        Period.objects.filter(
            observations__indicator=indicator,
            observations__area_id=system_current().headline_area_id,
            observations__sex=Sex.PERSONS,
            observations__category_type="",
        )
        .distinct()
        .order_by("-sort_key")
    )


@dataclass
class ProgrammeReport:
    programme: Programme
    statuses: list[IndicatorStatus]


def programmes_list(*, user) -> list[Programme]:
    """Every programme with its lead partner and the indicators the user may see."""
    visible = indicators_visible_to(user).select_related("domain").order_by("code")
    return list(
        Programme.objects.select_related("lead_partner").prefetch_related(
            Prefetch("indicators", queryset=visible, to_attr="visible")
        )
    )


def programme_report(*, code: str, user) -> ProgrammeReport:
    """One programme and the latest status of each outcome it aims to move; raises
    Programme.DoesNotExist."""
    visible = indicators_visible_to(user).select_related("domain", "owner").order_by("code")
    programme = (
        Programme.objects.select_related("lead_partner")
        .prefetch_related(Prefetch("indicators", queryset=visible, to_attr="visible"))
        .get(code=code)
    )
    statuses = indicator_statuses(programme.visible, protect=protects(user))
    return ProgrammeReport(
        programme=programme, statuses=[statuses[item.pk] for item in programme.visible]
    )
