"""Disclosure control: the one policy for small numbers (docs/disclosure.md), applied to every
output — pages, charts, tables, CSV, API and PDF — for every role but analyst.

Raw values are stored; the ``suppressed`` flag on an observation says it must never be shown
to a protected viewer. The pipeline sets the flag (primary and secondary suppression, below)
each time it derives an indicator; the display functions here check the primary rules again,
so a value stored before the flag was set is still protected. Only indicators whose
disclosure rule is *standard* are controlled here: *source* means the data producer applied
control before supply (suppressed values arrive blank), *none* means modelled or survey
estimates that need none.

Rules, below England level (England's own counts are shown as they are):

1. a count of 1–7 is suppressed; 0 stays 0; other counts and denominators are rounded to the
   nearest 5;
2. a proportion is suppressed when its numerator or its denominator minus numerator is 1–7;
3. any other value is suppressed when its count (events) is 1–7 (a DSR below 10 events is
   never calculated at all — the pipeline leaves it blank with its reason);
4. a value and its confidence limits are shown as computed from the *rounded* count and
   denominator (``rounded_basis``), so their precision cannot give the exact counts back;
5. secondary suppression: in every additive group (males and females to persons, the
   categories of a breakdown to the headline value, age bands to all ages, the child areas of
   a parent to the parent) no suppressed cell may be the only one suppressed among the
   members and their total, else it could be worked out by subtraction: the smallest other
   member is suppressed too, or, where there is none, the total;
6. every suppressed cell carries the same note, so a viewer cannot tell a small count from a
   cell suppressed to protect one.

The pipeline computes every derived statistic (trends, SPC, inequality summaries,
comparisons) from the values as rule 4 shows them (``disclosed_frame``), so nothing derived
carries more than the shown values do. This module is pure (numpy, pandas and
``indicators.statistics``); the Django side is ``indicators.selectors``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from indicators.statistics.intervals import (
    byar_exact_interval,
    poisson_count_interval,
    wilson_interval,
)
from indicators.vocabulary import ALL_AGES

SMALL_MIN, SMALL_MAX = 1, 7
ROUND_TO = 5
CONTROLLED_RULE = "standard"
PROPORTION = "proportion"
COUNT = "count"
CRUDE_RATE = "crude_rate"
PER_EVENT_TYPES = ("dsr", "isr")  # values that scale with their count of events
SOURCE_LIMITS = "none"  # ci_method: the producer supplied the value and its limits
VALUE_FIELDS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")
LIMIT_LEVELS = {
    "lower_95": (0.95, "lower"),
    "upper_95": (0.95, "upper"),
    "lower_998": (0.998, "lower"),
    "upper_998": (0.998, "upper"),
}
COUNT_FIELDS = ("count", "denominator")
COMPARISON_FIELDS = ("england_comparison", "parent_comparison", "target_comparison")

SUPPRESSED_NOTE = "Suppressed to protect small numbers (disclosure control)"
ROUNDED_NOTE = "Count rounded to the nearest 5 (disclosure control)"
FOOTNOTE = (
    "Small numbers are protected: below England level, counts of 1 to 7 (and values built on "
    "them) are suppressed, other counts are rounded to the nearest 5 and values and "
    "confidence intervals are worked out from the rounded counts, and a value that could be "
    "worked out from the ones shown is suppressed too. Trends, SPC charts and inequality "
    "summaries use the values as shown here."
)
ANALYST_FOOTNOTE = (
    "As an analyst you see small numbers unsuppressed and unrounded. Every other role sees "
    "counts of 1 to 7 suppressed, other counts below England level rounded to the nearest 5, "
    "and values worked out from the rounded counts; trends, SPC and inequality summaries are "
    "computed from those shown values."
)


class Method(NamedTuple):
    """What the policy needs to know of an indicator."""

    value_type: str
    rule: str
    multiplier: float = 1.0
    ci_method: str = ""


def is_small(number) -> bool:
    return number is not None and not _isnan(number) and SMALL_MIN <= number <= SMALL_MAX


def round_count(number):
    """0 stays 0; other counts to the nearest 5 (halves up), as HES/ECDS publish them."""
    if number is None or _isnan(number):
        return number
    return float(math.floor(number / ROUND_TO + 0.5) * ROUND_TO)


def round_counts(numbers) -> np.ndarray:
    """``round_count`` over an array (NaN stays NaN)."""
    return np.floor(np.asarray(numbers, dtype=float) / ROUND_TO + 0.5) * ROUND_TO


def values_are_counts(*, value_type: str, rule: str) -> bool:
    """Whether an indicator's values are themselves controlled counts, rounded below England
    level for a protected viewer."""
    return value_type == COUNT and rule == CONTROLLED_RULE


def primary_suppressed(*, value_type: str, count, denominator, value=None) -> bool:
    """Rules 1–3 for one sub-national value of a controlled indicator (a count indicator's
    value is its count when no count is given)."""
    if value_type == COUNT and (count is None or _isnan(count)):
        count = value
    if is_small(count):
        return True
    return (
        value_type == PROPORTION
        and count is not None
        and denominator is not None
        and is_small(denominator - count)
    )


# --- Rule 4: values from rounded counts --------------------------------------------------------


def rounded_basis(
    *, value_type, ci_method, multiplier, count, denominator, value, limits: Mapping
) -> dict[str, np.ndarray]:
    """Rule 4 over arrays of shown (unsuppressed) controlled sub-national rows: counts and
    denominators rounded, and the value and each limit in ``limits`` (name → array, NaN where
    absent) recomputed from the rounded numbers by the indicator's method.

    - proportions: Wilson score on the rounded numerator and denominator;
    - crude rates: exact below 10 events, Byar's from 10, on the rounded count;
    - counts: the rounded count with its Poisson limits;
    - DSRs and ISRs: the value per event times the rounded count, with the Poisson limits of
      the rounded count scaled the same way (Dobson's limits when every event weighs the
      same); the value per event says nothing of the count itself.

    Values the producer supplied with their own limits (ci_method "none"), proportions and
    rates that are not their count over their denominator (weighted estimates), and mean,
    years and gap values are not functions of the count and are kept; only their counts are
    rounded.
    Where a stored limit is absent it stays absent."""
    value_type = np.asarray(value_type, dtype=object)
    ci_method = np.asarray(ci_method, dtype=object)
    multiplier = np.asarray(multiplier, dtype=float)
    count = np.asarray(count, dtype=float)
    value = np.asarray(value, dtype=float)
    is_count = value_type == COUNT
    count = np.where(np.isnan(count) & is_count, value, count)
    shown_count = round_counts(count)
    shown_denominator = round_counts(denominator)
    result = {"count": shown_count, "denominator": shown_denominator, "value": value.copy()}
    result |= {name: np.asarray(limit, dtype=float).copy() for name, limit in limits.items()}
    computed = ci_method != SOURCE_LIMITS
    with np.errstate(divide="ignore", invalid="ignore"):
        # A value worked out from its counts (give or take a producer's rounding) would give
        # them back; one that is not (a weighted estimate, say) cannot.
        from_counts = np.isclose(value, count / np.asarray(denominator) * multiplier, rtol=0.01)
    usable = computed & from_counts & (shown_denominator > 0)
    proportion = (value_type == PROPORTION) & usable & (shown_count <= shown_denominator)
    rate = (value_type == CRUDE_RATE) & usable
    events = is_count & np.isfinite(shown_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_event = value / count
    scaled = np.isin(value_type, PER_EVENT_TYPES) & computed & (count > 0) & np.isfinite(per_event)

    methods = (
        (proportion, wilson_interval, True, None),
        (rate, byar_exact_interval, True, None),
        (events, poisson_count_interval, False, None),
        (scaled, poisson_count_interval, False, per_event),
    )
    for rows, interval, per_denominator, scale in methods:
        if not rows.any():
            continue
        factor = 1.0 if scale is None else scale[rows]
        given = (
            (shown_count[rows], shown_denominator[rows])
            if per_denominator
            else (shown_count[rows],)
        )
        extra = {"multiplier": multiplier[rows]} if per_denominator else {}
        at = {level: interval(*given, confidence=level, **extra) for level in (0.95, 0.998)}
        result["value"][rows] = at[0.95].value * factor
        for name, (level, end) in LIMIT_LEVELS.items():
            if name in result:
                limit = result[name]
                present = rows & np.isfinite(limit)
                limit[present] = (getattr(at[level], end) * factor)[present[rows]]
    return result


def protected_fields(row: Mapping, *, method: Method, national: bool) -> dict[str, object]:
    """What a protected viewer sees instead of the stored ``row`` (a mapping with the value
    fields, count, denominator, value note and suppressed flag): the fields to replace, or an
    empty dict when the row is shown as stored."""
    return protect_rows([row], methods=[method], national=[national])[0]


def protect_rows(
    rows: Sequence[Mapping], *, methods: Sequence[Method], national: Sequence[bool]
) -> list[dict[str, object]]:
    """``protected_fields`` for many rows at once (rule 4 runs once over all of them)."""
    replacements: list[dict[str, object]] = [{} for _ in rows]
    shown = []
    for position, (row, method, is_national) in enumerate(
        zip(rows, methods, national, strict=True)
    ):
        controlled = method.rule == CONTROLLED_RULE and not is_national
        primary = controlled and primary_suppressed(
            value_type=method.value_type,
            count=row.get("count"),
            denominator=row.get("denominator"),
            value=row.get("value"),
        )
        if primary or row.get("suppressed"):
            replacements[position] = _hidden(row)
        elif controlled:
            shown.append(position)
    if shown:
        _fill_rounded_basis(
            replacements, [rows[i] for i in shown], [methods[i] for i in shown], shown
        )
    return replacements


def _hidden(row: Mapping) -> dict[str, object]:
    # Suppressed before it reached us (the producer's own control): keep the producer's note.
    from_source = (row.get("value") is None or _isnan(row.get("value"))) and row.get("value_note")
    return {
        **dict.fromkeys(VALUE_FIELDS + COUNT_FIELDS),
        **dict.fromkeys(COMPARISON_FIELDS, ""),
        "value_note": row.get("value_note") if from_source else SUPPRESSED_NOTE,
        "suppressed": True,
    }


def _fill_rounded_basis(replacements, rows, methods, positions) -> None:
    def column(name):
        return np.array([_float(row.get(name)) for row in rows], dtype=float)

    limit_names = [name for name in LIMIT_LEVELS if any(name in row for row in rows)]
    basis = rounded_basis(
        value_type=[method.value_type for method in methods],
        ci_method=[method.ci_method for method in methods],
        multiplier=[method.multiplier for method in methods],
        count=column("count"),
        denominator=column("denominator"),
        value=column("value"),
        limits={name: column(name) for name in limit_names},
    )
    for index, (position, row, method) in enumerate(zip(positions, rows, methods, strict=True)):
        fields = {name: _optional(values[index]) for name, values in basis.items()}
        if method.value_type == COUNT and row.get("value") not in (None, 0):
            fields["value_note"] = row.get("value_note") or ROUNDED_NOTE
        replacements[position] = fields


def _float(number) -> float:
    return math.nan if number is None else float(number)


def _optional(number) -> float | None:
    return None if math.isnan(number) else float(number)


def _isnan(number) -> bool:
    return isinstance(number, float) and math.isnan(number)


def disclosed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rule 4 over the pipeline's frame (the columns of ``suppression_flags`` with the flag
    already derived, plus multiplier and ci_method): every shown controlled sub-national row
    with its rounded counts and the value and limits worked out from them."""
    rows = (
        (frame["rule"].to_numpy() == CONTROLLED_RULE)
        & ~frame["is_england"].to_numpy(dtype=bool)
        & ~frame["suppressed"].to_numpy(dtype=bool)
    )
    if not rows.any():
        return frame
    part = frame.loc[rows]
    basis = rounded_basis(
        value_type=part["value_type"].to_numpy(),
        ci_method=part["ci_method"].to_numpy(),
        multiplier=part["multiplier"].to_numpy(dtype=float),
        count=part["count"].to_numpy(dtype=float),
        denominator=part["denominator"].to_numpy(dtype=float),
        value=part["value"].to_numpy(dtype=float),
        limits={name: part[name].to_numpy(dtype=float) for name in LIMIT_LEVELS if name in frame},
    )
    frame = frame.copy()
    for name, values in basis.items():
        frame.loc[rows, name] = values
    return frame


# --- Flags set by the pipeline -------------------------------------------------------------
def primary_mask(
    *, value_type: np.ndarray, count: np.ndarray, denominator: np.ndarray, value: np.ndarray
) -> np.ndarray:
    """Rules 1–3 over arrays (NaN for a missing count, denominator or value)."""
    value_type = np.asarray(value_type)
    count = np.asarray(count, dtype=float)
    count = np.where(np.isnan(count) & (value_type == COUNT), np.asarray(value, float), count)
    denominator = np.asarray(denominator, dtype=float)
    small_count = (count >= SMALL_MIN) & (count <= SMALL_MAX)
    rest = denominator - count
    small_rest = (rest >= SMALL_MIN) & (rest <= SMALL_MAX)
    return small_count | ((value_type == PROPORTION) & small_rest)


GROUPINGS = {
    # name: (columns that identify the group, how a cell differs from the group's total)
    "sex": ["indicator_id", "period_id", "area_id", "age", "category_type", "category"],
    "category": ["indicator_id", "period_id", "area_id", "sex", "age", "category_type"],
    "age": ["indicator_id", "period_id", "area_id", "sex", "category_type", "category"],
    "area": ["indicator_id", "period_id", "parent_id", "sex", "age", "category_type", "category"],
}
MAX_ROUNDS = 25


def suppression_flags(frame: pd.DataFrame, area_parents: pd.DataFrame | None = None) -> np.ndarray:
    """Primary and secondary suppression for every row of ``frame``.

    Columns: indicator_id, period_id, area_id, parent_id, sex, age, category_type, category,
    value_type, rule, is_england, count, denominator, value and suppressed (as stored). A
    row stored as suppressed with no value (the producer's own suppression) stays so; every
    other flag is worked out afresh, so new data can lift an old secondary suppression.
    ``area_parents`` (area_id, parent_id), when given, lists every parent of each area in
    every hierarchy, in place of the frame's parent_id."""
    if frame.empty:
        return np.zeros(0, dtype=bool)
    controlled = (frame["rule"].to_numpy() == CONTROLLED_RULE) & ~frame["is_england"].to_numpy(
        dtype=bool
    )
    value_type = frame["value_type"].to_numpy()
    value = frame["value"].to_numpy(dtype=float)
    count = frame["count"].to_numpy(dtype=float)
    count = np.where(np.isnan(count) & (value_type == COUNT), value, count)
    flags = controlled & primary_mask(
        value_type=value_type,
        count=count,
        denominator=frame["denominator"].to_numpy(dtype=float),
        value=value,
    )
    from_source = frame["suppressed"].to_numpy(dtype=bool) & frame["value"].isna().to_numpy()
    flags |= from_source
    if not flags.any():
        return flags
    cells = _group_cells(frame.assign(count=count), area_parents)
    for _ in range(MAX_ROUNDS):
        extra = _secondary(cells, flags, count, controlled)
        if not extra.any():
            break
        flags |= extra
    return flags


def _group_cells(
    frame: pd.DataFrame, area_parents: pd.DataFrame | None = None
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each kind of additive group as three arrays over its members: the member's row
    position, the row position of the group's total, and a group number."""
    work = frame.assign(_pos=np.arange(len(frame)))
    headline = (work["category_type"] == "") & (work["category"] == "")
    # Males and females add up to persons.
    sexes = work[work["sex"].isin(["Male", "Female"])]
    persons = work[work["sex"] == "Persons"]
    groups = [_attach_total(sexes, persons, GROUPINGS["sex"])]
    # The categories of each breakdown add up to the area's headline value.
    categories = work[~headline]
    totals = work[headline].drop(columns=["category_type", "category"])
    members, total, _ = _attach_total(categories, totals, GROUPINGS["category"][:-1])
    breakdown = pd.factorize(work["category_type"].to_numpy()[members])[0]
    groups.append((members, total, total * (breakdown.max(initial=0) + 1) + breakdown))
    # Age bands add up to all ages, when they do (bands may overlap: checked on the counts).
    bands = work[work["age"] != ALL_AGES]
    all_ages = work[work["age"] == ALL_AGES].drop(columns=["age"])
    groups.append(_only_additive(_attach_total(bands, all_ages, GROUPINGS["age"]), work))
    # Child areas add up to their parent, in every hierarchy, when they do (checked on the
    # counts): one group per parent and kind of child (England's NHS regions and its ONS
    # regions are two groups).
    if area_parents is None:
        children = work[work["parent_id"].notna()].astype({"parent_id": "int64"})
        children = children.assign(child_type=0)
    else:
        links = area_parents.astype({"area_id": "int64", "parent_id": "int64"})
        children = work.drop(columns=["parent_id"]).merge(links, on="area_id")
    parents = work.drop(columns=["parent_id"]).rename(columns={"area_id": "parent_id"})
    keys = GROUPINGS["area"]
    merged = children[keys + ["_pos", "child_type"]].merge(
        parents[keys + ["_pos"]].rename(columns={"_pos": "_total"}), on=keys, how="inner"
    )
    total = merged["_total"].to_numpy()
    number = pd.factorize(pd.MultiIndex.from_arrays([total, merged["child_type"].to_numpy()]))[0]
    groups.append(_only_additive((merged["_pos"].to_numpy(), total, number), work))
    return [group for group in groups if len(group[0])]


def _attach_total(members, totals, keys):
    merged = members[keys + ["_pos"]].merge(
        totals[keys + ["_pos"]].rename(columns={"_pos": "_total"}), on=keys, how="inner"
    )
    total = merged["_total"].to_numpy()
    return merged["_pos"].to_numpy(), total, total


def _only_additive(group, work):
    """Keep the groups whose members' counts add up to their total's count."""
    members, totals, numbers = group
    if not len(members):
        return group
    count = work["count"].to_numpy(dtype=float)
    sums = pd.Series(count[members]).groupby(numbers).sum(min_count=1)
    total_of = pd.Series(totals).groupby(numbers).first()
    parent_counts = count[total_of.loc[sums.index].to_numpy()]
    additive = sums.index[np.isclose(sums.to_numpy(), parent_counts)]
    keep = np.isin(numbers, additive)
    return members[keep], totals[keep], numbers[keep]


def _secondary(cells, flags, count, controlled) -> np.ndarray:
    """One round of rule 5: in each group (members and their total) with exactly one
    suppressed cell, flag the smallest other member with a non-zero count, or the total
    where no member can be."""
    extra = np.zeros_like(flags)
    for members, totals, numbers in cells:
        frame = pd.DataFrame(
            {
                "member": members,
                "total": totals,
                "group": numbers,
                "flag": flags[members],
                "count": count[members],
                "eligible": controlled[members] & ~flags[members] & (count[members] > 0),
            }
        )
        suppressed = frame.groupby("group")["flag"].transform("sum") + flags[totals]
        exposed = frame[(suppressed == 1).to_numpy()]
        if exposed.empty:
            continue
        candidates = exposed[exposed["eligible"]]
        smallest = candidates.sort_values(["count", "member"]).drop_duplicates("group")
        extra[smallest["member"].to_numpy()] = True
        stranded = exposed.loc[~exposed["group"].isin(candidates["group"]), "total"].to_numpy()
        stranded = stranded[controlled[stranded] & ~flags[stranded] & (count[stranded] > 0)]
        extra[stranded] = True
    return extra & ~flags
