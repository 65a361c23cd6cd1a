"""Disclosure control: the one policy for small numbers (DOMAIN.md §7), applied to every
output — pages, charts, tables, CSV, API and PDF — for every role but analyst.

Raw values are stored; the ``suppressed`` flag on an observation says it must never be shown
to a protected viewer. The pipeline sets the flag (primary and secondary suppression, below)
each time it derives an indicator; the display functions here check the primary rules again,
so a value stored before the flag was set is still protected. Only indicators whose
disclosure rule is *standard* are controlled here: *source* means the data producer applied
control before supply (suppressed values arrive blank), *none* means modelled or survey
estimates that need none.

Rules, below England level (England's own counts are shown as they are):

1. a count of 1–7 is suppressed; 0 stays 0; other counts are rounded to the nearest 5;
2. a proportion is suppressed when its numerator or its denominator minus numerator is 1–7;
3. any other value is suppressed when its count (events) is 1–7 (a DSR below 10 events is
   never calculated at all — the pipeline leaves it blank with its reason);
4. secondary suppression: where the cells of a group add up to a total that is shown (males
   and females to persons, the categories of a breakdown to the headline value, the child
   areas of a parent to the parent), one suppressed cell could be derived by subtraction, so
   the smallest other cell of the group is suppressed too.

This module is pure (numpy and pandas only); the Django side is ``indicators.selectors``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

SMALL_MIN, SMALL_MAX = 1, 7
ROUND_TO = 5
CONTROLLED_RULE = "standard"
PROPORTION = "proportion"
COUNT = "count"
VALUE_FIELDS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")
COUNT_FIELDS = ("count", "denominator")
COMPARISON_FIELDS = ("england_comparison", "parent_comparison", "target_comparison")

PRIMARY_NOTE = "Suppressed: fewer than 8 people (disclosure control)"
SECONDARY_NOTE = "Suppressed: could be worked out from other values shown (disclosure control)"
ROUNDED_NOTE = "Count rounded to the nearest 5 (disclosure control)"
FOOTNOTE = (
    "Small numbers are protected: below England level, counts of 1 to 7 (and values built on "
    "them) are suppressed, other counts are rounded to the nearest 5, and a value that could "
    "be worked out from the ones shown is suppressed too. Suppressed values are left out of "
    "trends, SPC charts and inequality summaries."
)
ANALYST_FOOTNOTE = (
    "As an analyst you see small numbers unsuppressed and unrounded. Every other role sees "
    "counts of 1 to 7 suppressed and other counts below England level rounded to the nearest 5."
)


def is_small(number) -> bool:
    return number is not None and not _isnan(number) and SMALL_MIN <= number <= SMALL_MAX


def round_count(number):
    """0 stays 0; other counts to the nearest 5 (halves up), as HES/ECDS publish them."""
    if number is None or _isnan(number):
        return number
    return float(math.floor(number / ROUND_TO + 0.5) * ROUND_TO)


def values_are_counts(*, value_type: str, rule: str) -> bool:
    """Whether an indicator's values are themselves controlled counts, rounded (and their
    exact limits hidden) below England level for a protected viewer."""
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


def protected_fields(
    row: Mapping, *, value_type: str, rule: str, national: bool
) -> dict[str, object]:
    """What a protected viewer sees instead of the stored ``row`` (a mapping with the value
    fields, count, denominator, value note and suppressed flag): the fields to replace,
    or an empty dict when the row is shown as stored."""
    controlled = rule == CONTROLLED_RULE and not national
    primary = controlled and primary_suppressed(
        value_type=value_type,
        count=row.get("count"),
        denominator=row.get("denominator"),
        value=row.get("value"),
    )
    if primary or row.get("suppressed"):
        if primary:
            note = PRIMARY_NOTE
        elif row.get("value") is None or _isnan(row.get("value")):
            # Suppressed before it reached us (the producer's own control): keep its note.
            note = row.get("value_note") or PRIMARY_NOTE
        else:
            note = SECONDARY_NOTE
        hidden = dict.fromkeys(VALUE_FIELDS + COUNT_FIELDS)
        return {
            **hidden,
            **dict.fromkeys(COMPARISON_FIELDS, ""),
            "value_note": note,
            "suppressed": True,
        }
    if not controlled:
        return {}
    replaced = {name: round_count(row.get(name)) for name in COUNT_FIELDS}
    if values_are_counts(value_type=value_type, rule=rule):
        # The value is the count itself; its exact limits would give the count away.
        replaced.update(dict.fromkeys(VALUE_FIELDS[1:]))
        replaced["value"] = round_count(row.get("value"))
        if row.get("value") not in (None, 0):
            replaced["value_note"] = row.get("value_note") or ROUNDED_NOTE
    return replaced


def _isnan(number) -> bool:
    return isinstance(number, float) and math.isnan(number)


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
MAX_ROUNDS = 10
ALL_AGES = "All ages"


def suppression_flags(frame: pd.DataFrame) -> np.ndarray:
    """Primary and secondary suppression for every row of ``frame``.

    Columns: indicator_id, period_id, area_id, parent_id, sex, age, category_type, category,
    value_type, rule, is_england, count, denominator, value and suppressed (as stored). A
    row stored as suppressed with no value (the producer's own suppression) stays so; every
    other flag is worked out afresh, so new data can lift an old secondary suppression."""
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
    cells = _group_cells(frame.assign(count=count))
    for _ in range(MAX_ROUNDS):
        extra = _secondary(cells, flags, count, controlled)
        if not extra.any():
            break
        flags |= extra
    return flags


def _group_cells(frame: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
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
    # Child areas add up to their parent, when they do (checked on the counts).
    children = work[work["parent_id"].notna()].astype({"parent_id": "int64"})
    parents = work.drop(columns=["parent_id"]).rename(columns={"area_id": "parent_id"})
    groups.append(_only_additive(_attach_total(children, parents, GROUPINGS["area"]), work))
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
    sums = pd.Series(count[members]).groupby(totals).sum(min_count=1)
    parent_counts = count[sums.index.to_numpy()]
    additive = sums.index[np.isclose(sums.to_numpy(), parent_counts)]
    keep = np.isin(totals, additive)
    return members[keep], totals[keep], numbers[keep]


def _secondary(cells, flags, count, controlled) -> np.ndarray:
    """One round: in each group with a shown total and exactly one suppressed member, flag
    the smallest shown member with a non-zero count."""
    extra = np.zeros_like(flags)
    for members, totals, numbers in cells:
        frame = pd.DataFrame(
            {
                "member": members,
                "group": numbers,
                "flag": flags[members],
                "count": count[members],
                "eligible": controlled[members] & ~flags[members] & (count[members] > 0),
            }
        )[~flags[totals]]
        suppressed = frame.groupby("group")["flag"].transform("sum")
        exposed = frame[(suppressed == 1) & frame["eligible"]]
        if exposed.empty:
            continue
        smallest = exposed.sort_values(["count", "member"]).drop_duplicates("group")
        extra[smallest["member"].to_numpy()] = True
    return extra & ~flags
