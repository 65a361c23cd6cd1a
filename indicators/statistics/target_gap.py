"""Gap to target in people or events: how many more people (or fewer events) would have met
the target in a period — CVDPREVENT's "additional patients needed to meet target", which
turns a percentage gap into a number a board can plan for (README, "Gap to target").

- proportions: higher is better ``ceil(target / multiplier × denominator − numerator)`` more
  people; lower is better ``ceil(numerator − target / multiplier × denominator)`` fewer;
- crude rates: ``ceil(|value − target| / multiplier × denominator)`` fewer (or more) events;
- counts: ``ceil(|value − target|)``, the difference from the target count.

Rounded up, because the number must be enough to meet the target. Nothing is computed where
the number would not be honest: standardised rates and ratios (their value is not their count
over a population), means, years and gaps, modelled or survey estimates, values that are not
their count over their denominator, values with no denominator, and indicators with no better
direction. Each such case says why in a short phrase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indicators.statistics.benchmark import HIGHER_BETTER, LOWER_BETTER

PROPORTION, CRUDE_RATE, COUNT = "proportion", "crude_rate", "count"
MORE, FEWER, MET = "more", "fewer", "met"
PEOPLE, EVENTS = "people", "events"
# Why there is no number, by value type (the wording every output uses).
NOT_COMPUTED_FOR = {
    "dsr": "Not computed for standardised rates",
    "isr": "Not computed for standardised ratios",
    "mean": "Not computed for means",
    "years": "Not computed for values in years",
    "gap": "Not computed for gap indicators",
}
NO_TARGET = "No target set"
NO_POLARITY = "Not computed: the indicator has no better direction"
MODELLED = "Not computed for modelled or survey estimates"
NO_VALUE = "Not computed: no value for the period"
NO_DENOMINATOR = "Not computed: no denominator"
NO_COUNT = "Not computed: no numerator"
NOT_FROM_COUNTS = "Not computed: the value is not its count over its denominator"
# A value published to one decimal place still counts as worked out from its counts.
FROM_COUNTS_TOLERANCE = 0.01
# Products such as 56.7 / 100 × 1000 come out as 567.0000000000001; rounding to this many
# decimal places first keeps ceil from adding a person who is not needed.
DECIMALS = 6


@dataclass(frozen=True)
class TargetGap:
    """The gap at one period: ``number`` more or ``fewer`` people or events, ``met``, or no
    number and a ``note`` saying why. ``approximate`` when worked out from rounded counts."""

    direction: str = ""  # MORE, FEWER, MET, or "" when not computed
    number: int | None = None
    unit: str = ""  # PEOPLE or EVENTS
    period: str = ""
    approximate: bool = False
    note: str = ""

    @property
    def computed(self) -> bool:
        return bool(self.direction)

    @property
    def met(self) -> bool:
        return self.direction == MET

    @property
    def label(self) -> str:
        """One phrase for pages, tables and the board pack."""
        if self.direction == MET:
            return "Target met"
        if not self.direction:
            return self.note
        about = "About " if self.approximate else ""
        return f"{about}{self.number:,} {self.direction} {self.unit} needed to meet the target"


def people_to_target(numerator, denominator, *, target, multiplier, polarity) -> np.ndarray:
    """Proportions: people the numerator is short of (higher is better) or over (lower is
    better) the target, rounded up; 0 or less when the target is met. Vectorised."""
    numerator = np.asarray(numerator, dtype=float)
    needed = np.round(np.asarray(target, dtype=float) * denominator / multiplier, DECIMALS)
    gap = np.where(np.asarray(polarity) == HIGHER_BETTER, needed - numerator, numerator - needed)
    return np.ceil(np.round(gap, DECIMALS))


def events_to_target(value, denominator, *, target, multiplier, polarity) -> np.ndarray:
    """Crude rates: events to remove (lower is better) or add (higher is better) at the same
    population for the rate to reach the target, rounded up; 0 or less when met. Vectorised."""
    value = np.asarray(value, dtype=float)
    target = np.asarray(target, dtype=float)
    beyond = np.where(np.asarray(polarity) == HIGHER_BETTER, target - value, value - target)
    return np.ceil(np.round(beyond * np.asarray(denominator, dtype=float) / multiplier, DECIMALS))


def target_to_meet(*, value, lower, upper, polarity) -> float | None:
    """The single value to reach: the target, or for a range the end the RAG rating counts as
    met (Green: at or above its top when higher is better, below its bottom when lower)."""
    if value is not None:
        return float(value)
    if lower is None or upper is None:
        return None
    return float(upper if polarity == HIGHER_BETTER else lower)


def target_gap(
    *,
    value_type: str,
    polarity: str,
    multiplier: float,
    target: float | None,
    value: float | None,
    count: float | None,
    denominator: float | None,
    period: str = "",
    modelled: bool = False,
    round_to: int = 1,
) -> TargetGap:
    """The gap to ``target`` for one period's value. ``round_to`` above 1 (counts the viewer
    sees rounded) rounds the number up to a multiple of it and marks it approximate."""
    note = _not_computed(value_type, polarity, target, value, modelled)
    if not note and value_type in (PROPORTION, CRUDE_RATE):
        note = _counts_problem(value_type, value, count, denominator, multiplier)
    if note:
        return TargetGap(period=period, note=note)
    if value_type == PROPORTION:
        number = people_to_target(
            count, denominator, target=target, multiplier=multiplier, polarity=polarity
        )
        unit = PEOPLE
    elif value_type == CRUDE_RATE:
        number = events_to_target(
            value, denominator, target=target, multiplier=multiplier, polarity=polarity
        )
        unit = EVENTS
    else:
        number = events_to_target(value, 1, target=target, multiplier=1, polarity=polarity)
        unit = EVENTS
    number = int(number)
    if number <= 0:
        return TargetGap(direction=MET, unit=unit, period=period, approximate=round_to > 1)
    if round_to > 1:
        number = -(-number // round_to) * round_to
    return TargetGap(
        direction=MORE if polarity == HIGHER_BETTER else FEWER, number=number, unit=unit,
        period=period, approximate=round_to > 1,
    )  # fmt: skip


def _not_computed(value_type, polarity, target, value, modelled) -> str:
    if target is None:
        return NO_TARGET
    if value_type in NOT_COMPUTED_FOR:
        return NOT_COMPUTED_FOR[value_type]
    if value_type not in (PROPORTION, CRUDE_RATE, COUNT):
        return f"Not computed for {value_type} values"
    if polarity not in (HIGHER_BETTER, LOWER_BETTER):
        return NO_POLARITY
    if modelled:
        return MODELLED
    if value is None:
        return NO_VALUE
    return ""


def _counts_problem(value_type, value, count, denominator, multiplier) -> str:
    """Proportions need their numerator and denominator; rates their population (and, when
    the count is given, a value that is that count over the population)."""
    if not denominator:
        return NO_DENOMINATOR
    if count is None:
        return NO_COUNT if value_type == PROPORTION else ""
    if not np.isclose(value, count / denominator * multiplier, rtol=FROM_COUNTS_TOLERANCE):
        return NOT_FROM_COUNTS
    return ""
