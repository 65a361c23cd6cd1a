"""Inequality summaries (SII, RII, gap and ratio) across deprivation quintiles, withheld for
protected roles when a quintile is suppressed."""

from __future__ import annotations

import pandas as pd

from indicators.models import (
    AnalyticsBasis,
    InequalitySummary,
)
from indicators.statistics.inequality import slope_index_of_inequality_by_group
from indicators.vocabulary import is_deprivation_quintile_type
from ingest.derive.cells import float_or_none, text_or_blank


def _withheld_for_suppression(rows: pd.DataFrame, groups: list[str]) -> dict[tuple, str]:
    """For protected roles: the summaries with a suppressed quintile are withheld, and say
    truthfully which quintiles and why (one wording for a small count and a cell hidden to
    protect one, as everywhere)."""
    suppressed = rows[rows["suppressed"].astype(bool)]
    notes = {}
    for key, part in suppressed.groupby(groups, sort=False):
        numbers = sorted(int(number) for number in part["quantile"])
        which = " and ".join(map(str, numbers))
        which = f"quintiles {which} are" if len(numbers) > 1 else f"quintile {which} is"
        notes[key] = (
            f"Not shown: {which} suppressed to protect small numbers (disclosure control), "
            "and a summary without them would mislead"
        )
    return notes


def inequality_summaries(
    observations: pd.DataFrame, *, basis: str = AnalyticsBasis.ALL
) -> list[InequalitySummary]:
    """SII, RII, gap and ratio across national deprivation quintiles for each area and
    period, per edition (the quintile category type says which, and the summary keeps it).

    docs/design.md §4.4: populations are the denominators and values are on the indicator's own
    scale with multiplier 1 and no transform; the limits come from the quintiles' own 95%
    CIs (PHE "normal" value type), which has a closed form, so every summary is
    deterministic."""
    types = observations["category_type"]
    quintile_types = [kind for kind in types.unique() if is_deprivation_quintile_type(kind)]
    rows = observations[types.isin(quintile_types)].copy()
    if rows.empty:
        return []
    rows["quantile"] = rows["category"].str.extract(r"Quintile (\d)", expand=False).astype(float)
    rows = rows[rows["quantile"].between(1, 5)]
    groups = ["indicator_id", "area_id", "period_id", "sex", "age", "category_type"]
    table = slope_index_of_inequality_by_group(
        rows, group_columns=groups, quantile_column="quantile", population_column="denominator",
        value_column="value", lower_column="lower_95", upper_column="upper_95",
        value_type="normal", multiplier=1, confidence=0.95,
    )  # fmt: skip
    withheld = _withheld_for_suppression(rows, groups) if basis == AnalyticsBasis.SHOWN else {}
    summaries = []
    for row in table.itertuples(index=False):
        note = withheld.get(tuple(getattr(row, column) for column in groups))
        if note is not None:  # a summary without a suppressed quintile would mislead
            row = row._replace(sii=None, sii_lower=None, sii_upper=None, rii=None,
                               rii_lower=None, rii_upper=None, gap=None, ratio=None, reason=note)  # fmt: skip
        summaries.append(
            InequalitySummary(
                indicator_id=row.indicator_id, area_id=row.area_id, period_id=row.period_id,
                sex=row.sex, age=row.age, category_type=row.category_type,
                sii=float_or_none(row.sii), sii_lower=float_or_none(row.sii_lower), sii_upper=float_or_none(row.sii_upper),
                rii=float_or_none(row.rii), rii_lower=float_or_none(row.rii_lower), rii_upper=float_or_none(row.rii_upper),
                gap=float_or_none(row.gap), ratio=float_or_none(row.ratio), note=text_or_blank(row.reason)[:300],
                basis=basis,
            )
        )  # fmt: skip
    return summaries
