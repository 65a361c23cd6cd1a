"""An attack on disclosure control, as a careful viewer with the CSV downloads would make it.

Pure (pandas, numpy, scipy and the project's pure statistics): it knows only what a
protected viewer downloads and the published rules (README, "Disclosure control"), never how
the policy is coded, so it attacks whatever policy is in place.

The unknowns are integers: each sub-national cell's count ``c`` and, where the row has one,
its denominator ``d``. What the viewer sees constrains them:

1. **Rounding.** A shown count R > 0 below England is a count rounded to the nearest 5 (halves
   up), so c ∈ [R − 2, R + 2], and c ≥ 8 since 1–7 would have been suppressed; R = 0 means
   c = 0. Denominators alike (without the ≥ 8). A shown count that is not a multiple of 5, or
   any count at England level (or of an uncontrolled indicator), is exact.
2. **Suppression.** A blank count is unknown: c ≥ 0. For a proportion, d ≥ c, and a shown
   proportion has d − c = 0 or ≥ 8 (1–7 would have been suppressed).
3. **Precision.** Every (c, d) pair the windows allow is put through the indicator's method
   (Wilson; exact below 10 events and Byar's from 10; Poisson limits for counts; for DSRs
   and ISRs the ratio (value − lower) / (upper − value), which depends on the count alone).
   The pairs that reproduce the shown value and limits (CSV: 15 significant digits) are
   all that remain; if none do, the values were made some other way and say nothing.
4. **Additive groups** (``Group``): a total's count is the sum of its members' (and the
   denominator too where flagged). Which groups are truly additive is the caller's to say.
5. **Pooled periods** (``PooledSeries``): "2021 - 23" is the sum of calendar years 2021–2023,
   each an unknown non-negative integer; a single year shown is its year.

For each target cell (a small count, or a proportion's small denominator − count) the attack
finds the least and greatest value over the integer points of the feasible set of its
connected component of constraints. A target is **pinned** when they are equal.

How, quickly: bound propagation gives outer bounds (collapsed bounds prove a pin); a few
mixed-integer solutions with different objectives give witnesses (two witnesses that differ
prove no pin); what is left is settled by linear programming bounds and, where those leave
at most ``MILP_WIDTH`` integer values (always, in a component of at most ``MILP_UNKNOWNS``
unknowns), by mixed-integer minimisation and maximisation. Targets the LP leaves wide in a
bigger component are counted as ``undecided``, not as pinned.
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from indicators.periods import PeriodLabelError, parse_period_label
from indicators.statistics.intervals import (
    byar_count_interval,
    byar_exact_interval,
    poisson_count_interval,
    wilson_interval,
)

COLUMNS = {
    "Indicator ID": "indicator", "Parent Code": "parent", "Area Code": "area",
    "Area Type": "area_type", "Sex": "sex", "Age": "age", "Category Type": "category_type",
    "Category": "category", "Time period": "period", "Value": "value",
    "Lower CI 95.0 limit": "lower_95", "Upper CI 95.0 limit": "upper_95",
    "Lower CI 99.8 limit": "lower_998", "Upper CI 99.8 limit": "upper_998",
    "Count": "count", "Denominator": "denominator", "Value note": "value_note",
}  # fmt: skip
TEXT_COLUMNS = [name for name in COLUMNS.values() if name not in
                {"value", "lower_95", "upper_95", "lower_998", "upper_998", "count", "denominator"}]  # fmt: skip
KEY = ["indicator", "area", "period", "sex", "age", "category_type", "category"]
NATIONAL_AREA_TYPE = "England"
ALL_AGES = "All ages"
ROUND_TO = 5
SMALL_MAX = 7
RELATIVE_TOLERANCE = 1e-9  # 15 significant digits in the CSV, with room for arithmetic
MILP_WIDTH = 3  # in a big component, settle by MILP only where the LP leaves this many values
MILP_UNKNOWNS = 5_000  # a component this small is always settled by MILP
WITNESSES = 4  # mixed-integer solutions per component, each with its own objective
TIME_LIMIT = 20.0  # seconds per MILP
COUNT, REST = "count", "denominator - count"


@dataclass(frozen=True)
class IndicatorInfo:
    """What the indicators endpoint (and the registry) say about an indicator."""

    value_type: str
    multiplier: float
    controlled: bool  # disclosure rule "standard"


@dataclass(frozen=True)
class Group:
    """Row ``total`` = Σ rows ``members`` (counts; denominators too if ``denominators``)."""

    total: int
    members: tuple[int, ...]
    kind: str
    denominators: bool = False


@dataclass(frozen=True)
class PooledSeries:
    """One cell's periods over the years: each row is the sum of its years' unknowns."""

    rows: tuple[int, ...]
    years: tuple[tuple[int, ...], ...]
    denominators: bool = False


@dataclass(frozen=True)
class Finding:
    row: int
    key: tuple
    quantity: str  # COUNT or REST
    low: int
    high: int
    true_value: int | None = None


@dataclass
class AttackResult:
    cells: int = 0  # sub-national rows of controlled indicators
    shown: int = 0
    suppressed: int = 0
    small: int = 0  # targets: truly small cells
    small_suppressed: int = 0
    pinned: list[Finding] = field(default_factory=list)
    narrowed: list[Finding] = field(default_factory=list)  # two values left
    infeasible: int = 0  # components with no solution: an assumption of the attack is wrong
    undecided: int = 0  # LP left more than MILP_WIDTH values in a big component: not proven
    seconds: float = 0.0
    components: int = 0
    largest_component: int = 0

    def summary(self) -> str:
        return (
            f"cells {self.cells}, shown {self.shown}, suppressed {self.suppressed}, small "
            f"{self.small} (suppressed {self.small_suppressed}), pinned {len(self.pinned)}, "
            f"narrowed to two values {len(self.narrowed)}, undecided {self.undecided}, "
            f"infeasible {self.infeasible}, "
            f"components attacked {self.components} (largest {self.largest_component} unknowns), "
            f"{self.seconds:.1f} s"
        )


# --- reading what the viewer downloaded -----------------------------------------------------


def read_export(text: str) -> pd.DataFrame:
    """The export CSV as a frame of the columns the attack uses (numbers as floats, NaN when
    blank; the apostrophe that guards formula-like text taken off)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    frame = pd.DataFrame(
        {short: [row[long] for row in rows] for long, short in COLUMNS.items()},
        columns=list(COLUMNS.values()),
    )
    for name in COLUMNS.values():
        if name in TEXT_COLUMNS:
            frame[name] = frame[name].map(_unguard)
        else:
            frame[name] = pd.to_numeric(frame[name].replace("", np.nan), errors="coerce")
    return frame


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def cell_keys(table: pd.DataFrame) -> list[tuple]:
    return list(table[KEY].itertuples(index=False, name=None))


def candidate_groups(table: pd.DataFrame) -> list[Group]:
    """Every group of rows that may add up, by the published structure: sexes to persons,
    a breakdown's categories to the headline, age bands to all ages, child areas to their
    parent. Whether each truly adds up is for the caller to decide."""
    work = table.reset_index(drop=True).assign(_row=np.arange(len(table)))
    groups: list[Group] = []

    def attach(members: pd.DataFrame, totals: pd.DataFrame, on: list[str], kind: str, by=()):
        merged = members.merge(
            totals[on + ["_row"]].rename(columns={"_row": "_total"}), on=on, how="inner"
        )
        for (total, *_), part in merged.groupby(["_total", *by], sort=False):
            groups.append(Group(int(total), tuple(int(row) for row in part["_row"]), kind))

    same = ["indicator", "period"]
    headline = work["category_type"] == ""
    sexes = work[work["sex"].isin(["Male", "Female"])]
    attach(sexes, work[work["sex"] == "Persons"],
           same + ["area", "age", "category_type", "category"], "sex")  # fmt: skip
    totals = work[headline].drop(columns=["category_type", "category"])
    attach(work[~headline], totals, same + ["area", "sex", "age"], "category",
           by=("category_type",))  # fmt: skip
    bands = work[work["age"] != ALL_AGES]
    all_ages = work[work["age"] == ALL_AGES].drop(columns=["age"])
    attach(bands, all_ages, same + ["area", "sex", "category_type", "category"], "age")
    children = work[work["parent"] != ""]
    parents = work.drop(columns=["parent"]).rename(columns={"area": "parent"})
    attach(children, parents, same + ["parent", "sex", "age", "category_type", "category"],
           "area")  # fmt: skip
    return groups


def period_years(label: str) -> tuple[int, ...] | None:
    """The calendar years a period covers when it is a calendar year or pooled years."""
    try:
        parsed = parse_period_label(label)
    except PeriodLabelError:
        return None
    if parsed.kind not in ("calendar_year", "pooled_years"):
        return None
    return tuple(range(parsed.start.year, parsed.end.year + 1))


def pooled_series(table: pd.DataFrame) -> list[PooledSeries]:
    """For each cell (all of its key but the period) shown for overlapping pooled periods,
    its rows and the calendar years each covers."""
    series = []
    years = {label: period_years(label) for label in pd.unique(table["period"])}
    cell = [name for name in KEY if name != "period"]
    work = table.reset_index(drop=True).assign(_row=np.arange(len(table)))
    work = work[work["period"].map(lambda label: years[label] is not None)]
    for _, part in work.groupby(cell, sort=False):
        spans = [years[label] for label in part["period"]]
        if len(part) < 2 or not any(len(span) > 1 for span in spans):
            continue
        covered = [year for span in spans for year in span]
        if len(set(covered)) == len(covered):
            continue  # no year in two periods: nothing links them
        series.append(PooledSeries(tuple(int(row) for row in part["_row"]), tuple(spans)))
    return series


def series_consistent(values: Sequence[float], years: Sequence[Sequence[int]]) -> bool:
    """Whether non-negative integer yearly values exist that add up to ``values`` (the true
    counts of one ``PooledSeries``): only then is pooling a fact the attacker may use."""
    if any(value is None or not np.isfinite(value) for value in values):
        return False
    distinct = sorted({year for span in years for year in span})
    matrix = np.array([[year in span for year in distinct] for span in years], dtype=float)
    result = milp(
        np.zeros(len(distinct)),
        constraints=LinearConstraint(matrix, values, values),
        integrality=np.ones(len(distinct)),
        bounds=Bounds(0, np.inf),
        options={"time_limit": TIME_LIMIT},
    )
    return result.status == 0


# --- the constraint system ------------------------------------------------------------------


class System:
    """Integer (and binary) unknowns with bounds and linear constraints lb ≤ a·x ≤ ub."""

    def __init__(self):
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def variable(self, lower: float, upper: float) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.lower) - 1

    def constrain(self, terms: Mapping[int, float], lower: float, upper: float) -> None:
        self.rows.append((dict(terms), lower, upper))

    def matrix(self) -> sparse.csr_array:
        data, row_index, column_index = [], [], []
        for number, (terms, _, _) in enumerate(self.rows):
            for variable, coefficient in terms.items():
                row_index.append(number)
                column_index.append(variable)
                data.append(coefficient)
        shape = (len(self.rows), len(self.lower))
        return sparse.csr_array((data, (row_index, column_index)), shape=shape)


def _window(shown: float, *, exact: bool, at_least: float = 0) -> tuple[float, float]:
    """The integers a shown (possibly rounded) number may stand for."""
    if exact or shown % ROUND_TO:
        return shown, shown
    if shown == 0:
        return 0.0, 0.0
    low, high = shown - ROUND_TO // 2, shown + ROUND_TO // 2
    return (max(low, at_least), high) if max(low, at_least) <= high else (low, high)


def _close(candidates: np.ndarray, shown: float) -> np.ndarray:
    if not np.isfinite(shown):
        return np.ones(candidates.shape, dtype=bool)
    return np.isclose(candidates, shown, rtol=RELATIVE_TOLERANCE, atol=1e-12)


def _ratio(value, lower, upper):
    with np.errstate(divide="ignore", invalid="ignore"):
        return (value - lower) / (upper - value)


def precise_pairs(row: Mapping, info: IndicatorInfo, counts, denominators) -> np.ndarray | None:
    """The (count, denominator) pairs among the candidates that reproduce the row's shown
    value and limits by the indicator's method, or None when the method is not one we can
    recompute (or nothing is shown to compare)."""
    if not np.isfinite(row["value"]):
        return None
    c, d = (grid.ravel() for grid in np.meshgrid(counts, denominators, indexing="ij"))
    shown_limits = [row[name] for name in ("lower_95", "upper_95", "lower_998", "upper_998")]
    kind = info.value_type
    if kind == "proportion":
        keep = (d > 0) & (c <= d)
        c, d = c[keep], d[keep]
        intervals = [
            wilson_interval(c, d, confidence=level, multiplier=info.multiplier)
            for level in (0.95, 0.998)
        ]
    elif kind == "crude_rate":
        keep = d > 0
        c, d = c[keep], d[keep]
        intervals = [
            byar_exact_interval(c, d, confidence=level, multiplier=info.multiplier)
            for level in (0.95, 0.998)
        ]
    elif kind == "count":
        if not np.isfinite(shown_limits).any():
            return None  # the value is the count, as rounded as the count
        intervals = [poisson_count_interval(c, confidence=level) for level in (0.95, 0.998)]
    elif kind in ("dsr", "isr"):
        # Dobson (DSR: Byar's on the count) and ISR (exact below 10, Byar's from 10) limits
        # sit around the value in the ratio of the count's own limits around the count.
        on_count = byar_count_interval if kind == "dsr" else poisson_count_interval
        keep = np.ones(len(c), dtype=bool)
        any_compared = False
        for level, (low, high) in zip(
            (0.95, 0.998), (shown_limits[:2], shown_limits[2:]), strict=True
        ):
            if not (np.isfinite(low) and np.isfinite(high)) or high == row["value"]:
                continue
            interval = on_count(c, confidence=level)
            shown = _ratio(row["value"], low, high)
            keep &= _close(_ratio(interval.value, interval.lower, interval.upper), shown)
            any_compared = True
        return np.column_stack([c[keep], d[keep]]) if any_compared else None
    else:
        return None
    if not len(c):
        return np.zeros((0, 2))
    keep = _close(intervals[0].value, row["value"])
    for interval, (low, high) in zip(intervals, (shown_limits[:2], shown_limits[2:]), strict=True):
        keep &= _close(interval.lower, low) & _close(interval.upper, high)
    return np.column_stack([c[keep], d[keep]])


def build_system(
    table: pd.DataFrame,
    *,
    indicators: Mapping[str, IndicatorInfo],
    groups: Iterable[Group],
    pooled: Iterable[PooledSeries] = (),
) -> tuple[System, np.ndarray, np.ndarray, AttackResult]:
    """The unknowns and constraints of rules 1–5; the count and denominator unknown of each
    row (−1 where it has none) and the summary counts so far."""
    system = System()
    n = len(table)
    count_of = np.full(n, -1)
    denominator_of = np.full(n, -1)
    result = AttackResult()
    big = _big_by_indicator(table)
    has_denominators = {
        code: info.value_type in ("proportion", "crude_rate", "dsr")
        or bool(table.loc[table["indicator"] == code, "denominator"].notna().any())
        for code, info in indicators.items()
    }
    for position, row in enumerate(table.to_dict("records")):
        info = indicators.get(row["indicator"])
        if info is None or not info.controlled:
            continue
        exact = row["area_type"] == NATIONAL_AREA_TYPE
        shown_count = row["count"]
        if info.value_type == "count" and not np.isfinite(shown_count):
            shown_count = row["value"]
        limit = big[row["indicator"]]
        if not exact:
            result.cells += 1
        if np.isfinite(shown_count):
            count_window = _window(shown_count, exact=exact, at_least=SMALL_MAX + 1)
            result.shown += not exact
        else:
            count_window = (0.0, limit)
            result.suppressed += not exact
        count_of[position] = system.variable(*count_window)
        shown_denominator = row["denominator"]
        if np.isfinite(shown_denominator):
            denominator_window = _window(shown_denominator, exact=exact)
        elif not np.isfinite(shown_count) and has_denominators[row["indicator"]]:
            denominator_window = (0.0, limit)
        else:
            denominator_window = None
        if denominator_window is not None:
            denominator_of[position] = system.variable(*denominator_window)
        c, d = count_of[position], denominator_of[position]
        if info.value_type == "proportion" and d >= 0:
            system.constrain({d: 1, c: -1}, 0, np.inf)
            if not exact and np.isfinite(shown_count):
                # d − c is 0 or at least 8: 1–7 would have been suppressed.
                some = system.variable(0, 1)
                system.constrain({d: 1, c: -1, some: -(SMALL_MAX + 1)}, 0, np.inf)
                system.constrain({d: 1, c: -1, some: -limit}, -np.inf, 0)
        if not exact and np.isfinite(shown_count):
            _add_precision(system, row, info, c, d, count_window, denominator_window)
    for group in groups:
        for unknowns, flagged in ((count_of, True), (denominator_of, group.denominators)):
            members = [unknowns[member] for member in group.members]
            if not flagged or unknowns[group.total] < 0 or min(members, default=-1) < 0:
                continue
            terms = defaultdict(float, {unknowns[group.total]: 1.0})
            for member in members:
                terms[member] -= 1.0
            system.constrain(terms, 0, 0)
    for series in pooled:
        for unknowns, flagged in ((count_of, True), (denominator_of, series.denominators)):
            if not flagged or min(unknowns[row] for row in series.rows) < 0:
                continue
            years = {
                year: system.variable(0, np.inf)
                for year in sorted({year for span in series.years for year in span})
            }
            for row, span in zip(series.rows, series.years, strict=True):
                terms = defaultdict(float, {unknowns[row]: 1.0})
                for year in span:
                    terms[years[year]] -= 1.0
                system.constrain(terms, 0, 0)
    return system, count_of, denominator_of, result


def _big_by_indicator(table: pd.DataFrame) -> dict[str, float]:
    """An upper bound for unknowns no shown number bounds: far above anything shown."""
    numbers = table[["count", "denominator", "value"]].max(axis=1, skipna=True)
    largest = numbers.groupby(table["indicator"]).max().fillna(0)
    return {code: float(10 * math.ceil(value) + 10_000) for code, value in largest.items()}


def _add_precision(system, row, info, c, d, count_window, denominator_window) -> None:
    counts = np.arange(count_window[0], count_window[1] + 1)
    if denominator_window is None:
        denominators = np.array([np.nan])
    else:
        denominators = np.arange(denominator_window[0], denominator_window[1] + 1)
    if not len(counts) or not len(denominators):
        return
    pairs = precise_pairs(row, info, counts, denominators)
    if pairs is None or not len(pairs) or len(pairs) == len(counts) * len(denominators):
        return  # nothing to compare, or made some other way, or no narrowing
    shown = (row["count"] if np.isfinite(row["count"]) else row["value"], row["denominator"])
    same_count = pairs[:, 0] == shown[0]
    if info.value_type in ("dsr", "isr", "count"):
        rounded_pair_matches = same_count.any()
    else:
        rounded_pair_matches = (same_count & (pairs[:, 1] == shown[1])).any()
    if rounded_pair_matches:
        return  # the values may have been made from the rounded numbers: nothing is learnt
    _restrict(system, c, pairs[:, 0])
    if d >= 0 and np.isfinite(pairs[:, 1]).all() and info.value_type != "dsr":
        if len(pairs) == 1:
            _restrict(system, d, pairs[:, 1])
        elif len(np.unique(pairs, axis=0)) != len(np.unique(pairs[:, 0])) * len(
            np.unique(pairs[:, 1])
        ):
            # Not a product of the two sets: choose one pair.
            choice = [system.variable(0, 1) for _ in pairs]
            system.constrain(dict.fromkeys(choice, 1.0), 1, 1)
            for unknown, column in ((c, 0), (d, 1)):
                terms = {
                    unknown: 1.0,
                    **{z: -value for z, value in zip(choice, pairs[:, column], strict=True)},
                }
                system.constrain(terms, 0, 0)
        else:
            _restrict(system, d, pairs[:, 1])


def _restrict(system: System, unknown: int, values: np.ndarray) -> None:
    """Narrow an unknown to ``values`` (bounds when they are a run, a choice otherwise)."""
    values = np.unique(values)
    system.lower[unknown] = max(system.lower[unknown], values.min())
    system.upper[unknown] = min(system.upper[unknown], values.max())
    if len(values) == values.max() - values.min() + 1:
        return
    choice = [system.variable(0, 1) for _ in values]
    system.constrain(dict.fromkeys(choice, 1.0), 1, 1)
    system.constrain({unknown: 1.0, **{z: -v for z, v in zip(choice, values, strict=True)}}, 0, 0)


# --- bounds, witnesses and the search -------------------------------------------------------


def propagate(matrix: sparse.csr_array, lb, ub, lower, upper, rounds: int = 200):
    """Outer bounds on integer unknowns by constraint propagation (sound: every integer
    solution lies within them)."""
    lower, upper = np.array(lower, float), np.array(upper, float)
    coo = matrix.tocoo()
    row, column, coefficient = coo.row, coo.col, coo.data
    positive = coefficient > 0
    for _ in range(rounds):
        with np.errstate(over="ignore", invalid="ignore"):
            low_part = np.where(positive, coefficient * lower[column], coefficient * upper[column])
            high_part = np.where(positive, coefficient * upper[column], coefficient * lower[column])
        minimum, min_infinite = _sums(row, low_part, matrix.shape[0])
        maximum, max_infinite = _sums(row, high_part, matrix.shape[0])
        # The others' least and greatest sums, per entry.
        own_low_infinite = ~np.isfinite(low_part)
        own_high_infinite = ~np.isfinite(high_part)
        others_min = np.where(
            min_infinite[row] - own_low_infinite > 0,
            -np.inf,
            minimum[row] - np.where(own_low_infinite, 0, low_part),
        )
        others_max = np.where(
            max_infinite[row] - own_high_infinite > 0,
            np.inf,
            maximum[row] - np.where(own_high_infinite, 0, high_part),
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            high_bound = ub[row] - others_min  # a_k·x_k is at most this
            low_bound = lb[row] - others_max  # and at least this
            implied_upper = np.where(positive, high_bound, low_bound) / coefficient
            implied_lower = np.where(positive, low_bound, high_bound) / coefficient
        implied_upper = np.where(np.isnan(implied_upper), np.inf, implied_upper)
        implied_lower = np.where(np.isnan(implied_lower), -np.inf, implied_lower)
        tighter_upper = np.full(len(upper), np.inf)
        np.minimum.at(tighter_upper, column, np.floor(implied_upper + 1e-7))
        tighter_lower = np.full(len(lower), -np.inf)
        np.maximum.at(tighter_lower, column, np.ceil(implied_lower - 1e-7))
        new_upper = np.minimum(upper, tighter_upper)
        new_lower = np.maximum(lower, tighter_lower)
        if np.array_equal(new_upper, upper) and np.array_equal(new_lower, lower):
            break
        lower, upper = new_lower, new_upper
    return lower, upper


def _sums(row, part, size):
    infinite = ~np.isfinite(part)
    total = np.bincount(row, weights=np.where(infinite, 0, part), minlength=size)
    return total, np.bincount(row, weights=infinite, minlength=size).astype(int)


def _objective(targets, size, weights) -> np.ndarray:
    objective = np.zeros(size)
    for (terms, _), weight in zip(targets, weights, strict=True):
        for unknown, coefficient in terms.items():
            objective[unknown] += weight * coefficient
    return objective


def _solve(objective, matrix, lb, ub, lower, upper, *, integer=True):
    if integer:
        answer = milp(
            objective,
            constraints=LinearConstraint(matrix, lb, ub) if matrix.shape[0] else (),
            integrality=np.ones(len(objective)),
            bounds=Bounds(lower, upper),
            options={"time_limit": TIME_LIMIT},
        )
        if answer.status == 2:
            raise Infeasible
        return answer.x if answer.status == 0 else None
    equality = lb == ub
    a_ub = sparse.vstack(
        [matrix[~equality & np.isfinite(ub)], -matrix[~equality & np.isfinite(lb)]]
    )
    b_ub = np.concatenate([ub[~equality & np.isfinite(ub)], -lb[~equality & np.isfinite(lb)]])
    answer = linprog(
        objective,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=matrix[equality] if equality.any() else None,
        b_eq=lb[equality] if equality.any() else None,
        bounds=np.column_stack([lower, upper]),
        method="highs",
    )
    if answer.status == 2:
        raise Infeasible
    return answer.x if answer.status == 0 else None


class Infeasible(Exception):
    """No point satisfies the constraints: the attack assumed something untrue."""


def attack(
    table: pd.DataFrame,
    *,
    indicators: Mapping[str, IndicatorInfo],
    groups: Iterable[Group],
    targets: Mapping[int, str],
    pooled: Iterable[PooledSeries] = (),
    true_values: Mapping[int, float] | None = None,
    seed: int = 0,
) -> AttackResult:
    """Attack ``table`` (from ``read_export``) at each ``targets`` row (COUNT or REST)."""
    started = time.perf_counter()
    result = _attack(table, indicators, groups, targets, pooled, true_values, seed)
    result.seconds = time.perf_counter() - started
    return result


def _attack(table, indicators, groups, targets, pooled, true_values, seed) -> AttackResult:
    system, count_of, denominator_of, result = build_system(
        table, indicators=indicators, groups=groups, pooled=pooled
    )
    keys = cell_keys(table)
    expressions = {}
    for row, quantity in targets.items():
        c, d = count_of[row], denominator_of[row]
        if c < 0 or (quantity == REST and d < 0):
            continue
        expressions[row] = ({c: 1.0} if quantity == COUNT else {d: 1.0, c: -1.0}, quantity)
    result.small = len(expressions)
    result.small_suppressed = sum(
        not np.isfinite(table["count"].iat[row])
        and not (indicators[table["indicator"].iat[row]].value_type == "count"
                 and np.isfinite(table["value"].iat[row]))
        for row in expressions
    )  # fmt: skip
    if not expressions:
        return result
    matrix = system.matrix()
    lb = np.array([low for _, low, _ in system.rows], float)
    ub = np.array([high for _, _, high in system.rows], float)
    lower, upper = propagate(matrix, lb, ub, system.lower, system.upper)
    size = len(system.lower)
    # Components: unknowns linked by a constraint.
    coo = matrix.tocoo()
    first = np.full(matrix.shape[0], -1)
    np.maximum.at(first, coo.row, coo.col)
    links = sparse.coo_array((np.ones(len(coo.col)), (coo.col, first[coo.row])), shape=(size, size))
    _, component = connected_components(links, directed=False)
    unknowns_of = _split(component, np.arange(size))
    constraints_of = _split(component[first[first >= 0]], np.flatnonzero(first >= 0))
    by_component = defaultdict(list)
    for row, (terms, _) in expressions.items():
        by_component[component[next(iter(terms))]].append(row)
    rng = np.random.default_rng(seed)
    for number, rows in by_component.items():
        try:
            _attack_component(
                result, rows, unknowns_of[number], constraints_of.get(number, np.zeros(0, int)),
                matrix, lb, ub, lower, upper, expressions, keys, true_values, rng,
            )  # fmt: skip
        except Infeasible:
            result.infeasible += 1
    return result


def _attack_component(
    result, rows, members, constraint_rows, matrix, lb, ub, lower, upper, expressions, keys,
    true_values, rng,
) -> None:  # fmt: skip
    """Settle each target ``rows`` of one component (its unknowns ``members``)."""
    local = {unknown: position for position, unknown in enumerate(members)}
    sub = matrix[constraint_rows][:, members]
    sub_lb, sub_ub = lb[constraint_rows], ub[constraint_rows]
    sub_lower, sub_upper = lower[members], upper[members]
    result.components += 1
    result.largest_component = max(result.largest_component, len(members))
    terms_of = {
        row: ({local[u]: a for u, a in expressions[row][0].items()}, expressions[row][1])
        for row in rows
    }

    if (sub_lower > sub_upper).any():
        raise Infeasible
    undecided = [row for row in rows if np.ptp(_outer(terms_of[row][0], sub_lower, sub_upper))]
    if not undecided:
        # A feasible point still has to exist for the collapsed bounds to mean a pin.
        _solve(np.zeros(len(members)), sub, sub_lb, sub_ub, sub_lower, sub_upper, integer=False)
    for row in rows:
        if row not in undecided:
            low, high = _outer(terms_of[row][0], sub_lower, sub_upper)
            _record(result, row, keys, terms_of[row][1], low, high, true_values)
    if not undecided:
        return
    seen = defaultdict(set)
    weight_sets = [np.ones(len(undecided)), -np.ones(len(undecided))]
    weight_sets += [rng.uniform(-1, 1, len(undecided)) for _ in range(WITNESSES - 2)]
    for weights in weight_sets:
        targets_here = [terms_of[row] for row in undecided]
        solution = _solve(
            _objective(targets_here, len(members), weights), sub, sub_lb, sub_ub,
            sub_lower, sub_upper,
        )  # fmt: skip
        if solution is None:
            continue
        for row in undecided:
            seen[row].add(_value(terms_of[row][0], solution))
    for row in undecided:
        low, high = _outer(terms_of[row][0], sub_lower, sub_upper)
        if len(seen[row]) > 1:
            if high - low == 1:
                _record(result, row, keys, terms_of[row][1], low, high, true_values)
            continue
        objective = _objective([terms_of[row]], len(members), [1.0])
        least = _solve(objective, sub, sub_lb, sub_ub, sub_lower, sub_upper, integer=False)
        most = _solve(-objective, sub, sub_lb, sub_ub, sub_lower, sub_upper, integer=False)
        if least is None or most is None:
            continue
        low = math.ceil(objective @ least - 1e-6)
        high = math.floor(objective @ most + 1e-6)
        if high - low + 1 > MILP_WIDTH and len(members) > MILP_UNKNOWNS:
            result.undecided += 1
            continue
        if high > low:
            least = _solve(objective, sub, sub_lb, sub_ub, sub_lower, sub_upper)
            most = _solve(-objective, sub, sub_lb, sub_ub, sub_lower, sub_upper)
            if least is None or most is None:
                result.undecided += 1
                continue
            low, high = _value(terms_of[row][0], least), _value(terms_of[row][0], most)
        _record(result, row, keys, terms_of[row][1], low, high, true_values)


def _value(terms: Mapping[int, float], solution: np.ndarray) -> int:
    return round(sum(a * solution[u] for u, a in terms.items()))


def _outer(terms: Mapping[int, float], lower: np.ndarray, upper: np.ndarray):
    """A target's outer bounds from its unknowns' bounds."""
    low = sum(a * (lower[u] if a > 0 else upper[u]) for u, a in terms.items())
    high = sum(a * (upper[u] if a > 0 else lower[u]) for u, a in terms.items())
    return low, high


def _split(labels: np.ndarray, items: np.ndarray) -> dict[int, np.ndarray]:
    """``items`` grouped by their ``labels``."""
    order = np.argsort(labels, kind="stable")
    labels, items = labels[order], items[order]
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]]) if len(labels) else []
    return {
        int(labels[start]): chunk
        for start, chunk in zip(starts, np.split(items, starts[1:]), strict=True)
    }


def _record(result, row, keys, quantity, low, high, true_values) -> None:
    truth = None if true_values is None else true_values.get(row)
    finding = Finding(row, keys[row], quantity, int(low), int(high), truth)
    if low == high:
        result.pinned.append(finding)
    elif high - low == 1:
        result.narrowed.append(finding)


def describe(findings: Sequence[Finding], limit: int = 25) -> str:
    lines = [
        f"{' | '.join(str(part) for part in finding.key)}: {finding.quantity} "
        + (
            f"= {finding.low}"
            if finding.low == finding.high
            else f"in {finding.low}..{finding.high}"
        )
        + ("" if finding.true_value is None else f" (true {finding.true_value:g})")
        for finding in findings[:limit]
    ]
    if len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more")
    return "\n".join(lines)
