"""Baselines, targets and owners' narratives for the system's ICB, written from the generated
numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from demo.figures import Headline, ValueRow, blank
from demo.framework import IndicatorSpec
from indicators.vocabulary import LOWER_BETTER, decile_label
from ingest.schema import DECILE_TYPE

BASELINES_HEADER = [
    "indicator_code", "area_code", "sex", "baseline_period", "baseline_value",
    "baseline_lower_95", "baseline_upper_95", "target_value", "target_lower", "target_upper",
    "target_period", "target_source", "target_source_detail",
]  # fmt: skip
NARRATIVES_HEADER = [
    "indicator_code", "area_code", "period", "what_data_shows", "contribution", "limitations",
    "status",
]  # fmt: skip
LIFE_EXPECTANCY = "OVR02"  # its narrative quotes the gap between deprivation deciles
GAP_RELATIVE_TO_BASELINE = "OVR03"  # its target range is relative to the baseline gap


def _rounded_target(value: float) -> float:
    return round(value, 0 if abs(value) >= 100 else 1)


def baseline_record(spec: IndicatorSpec, icb: str, periods, headline: Headline) -> list[str]:
    """The ICB's baseline (its first period, as computed or published) and its target: an
    absolute value, a change from the baseline (relative for rates), or a range."""
    goal = spec.goal
    baseline = float(headline.value[0])
    value = lower = upper = None
    if goal.value is not None:
        value = goal.value
    elif goal.change is not None:
        relative = spec.scale == "log"
        value = _rounded_target(
            baseline * (1 + goal.change) if relative else baseline + goal.change
        )
    elif spec.code == GAP_RELATIVE_TO_BASELINE:
        lower, upper = (
            _rounded_target(baseline + goal.lower),
            _rounded_target(baseline + goal.upper),
        )
    else:
        lower, upper = goal.lower, goal.upper
    return [
        spec.code,
        icb,
        "Persons",
        periods[0].label,
        blank(baseline),
        blank(float(headline.lower[0])),
        blank(float(headline.upper[0])),
        blank(value),
        blank(lower),
        blank(upper),
        goal.period,
        goal.source,
        goal.detail,
    ]


def _fmt(spec: IndicatorSpec, value: float) -> str:
    if spec.value_type == "proportion":
        return f"{value:.1f}%"
    if spec.value_type in {"years", "gap"}:
        return f"{value:.1f} years"
    if spec.value_type == "count":
        return f"{value:.0f}"
    return f"{value:,.1f} per {spec.multiplier:,.0f}"


def _against_england(spec: IndicatorSpec, headline: Headline, england: float) -> str:
    """How the latest value compares with England's: by its 95% CI, as Fingertips judges."""
    latest = float(headline.value[-1])
    if spec.value_type == "count":  # a national total: say what share of it we are
        return f"England's total was {england:,.0f}, of which we are {latest / england:.1%}"
    lower, upper = float(headline.lower[-1]), float(headline.upper[-1])
    if np.isfinite(lower) and np.isfinite(upper) and lower <= england <= upper:
        verdict = "similar to"
    elif (latest < england) == (spec.polarity == LOWER_BETTER):
        verdict = "better than"
    else:
        verdict = "worse than"
    return f"England was {_fmt(spec, england)}, so we are {verdict} England"


def narrative_record(
    spec, icb: str, short_name: str, periods, headline: Headline, england: Headline, **facts
) -> list[str]:
    """An owner's narrative for the latest period, written from the generated numbers;
    ``facts`` fill the indicator's own sentences (e.g. a deprivation gap)."""
    first, latest = float(headline.value[0]), float(headline.value[-1])
    better = (latest < first) if spec.polarity == LOWER_BETTER else (latest > first)
    moved = "fell" if latest < first else "rose"
    latest_label = periods[-1].label
    what = (
        f"{short_name}'s value {moved} from {_fmt(spec, first)} in {periods[0].label} to "
        f"{_fmt(spec, latest)} in {latest_label}"
    )
    if len(periods) > 2:
        what += f" ({_fmt(spec, float(headline.value[-2]))} in {periods[-2].label})"
    what += f"; {_against_england(spec, headline, float(england.value[-1]))}. "
    text = spec.narrative
    what += text.what.format(direction="improving" if better else "getting worse", **facts)
    return [spec.code, icb, latest_label, what, text.contribution, text.limitations, text.status]


def narrative_facts(spec, icb: str, periods, local: Sequence[ValueRow]) -> dict | None:
    """Figures a narrative quotes beyond the headline: life expectancy's gap between the most
    and least deprived national deciles the ICB has a value for (None: too few)."""
    if spec.code != LIFE_EXPECTANCY:
        return {}
    latest = {
        row.category: row.value
        for row in local
        if row.spec.code == LIFE_EXPECTANCY and row.area == icb and row.sex == "Persons"
        and row.category_type == DECILE_TYPE and row.period.label == periods[-1].label
        and row.value is not None
    }  # fmt: skip
    deciles = [decile for decile in range(1, 11) if decile_label(decile) in latest]
    if len(deciles) < 2:
        return None
    most, least = deciles[0], deciles[-1]
    return {
        "gap": latest[decile_label(least)] - latest[decile_label(most)],
        "most_deprived": most,
        "least_deprived": least,
    }
