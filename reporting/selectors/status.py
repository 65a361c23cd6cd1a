"""One indicator's headline status as it stood at a period (``IndicatorStatus``), with the
words its direction, assurance and England comparison are counted under."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from indicators.models import (
    Baseline,
    Commentary,
    Indicator,
    InequalitySummary,
    Polarity,
    Target,
)
from indicators.selectors import (
    GroupRank,
    target_gap_for,
)
from indicators.statistics.spc import (
    ASSURANCE_LABELS,
    MINIMUM_POINTS,
    POOLED_PERIODS_NOTE,
)
from indicators.statistics.target_gap import TargetGap

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
