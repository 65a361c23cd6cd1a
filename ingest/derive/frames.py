"""The frames the derive step reads from the database (observations, change points; the
columns of the registry it needs), and the derived columns it writes back to observations."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import connection

from indicators.models import (
    Area,
    ChangePoint,
    Observation,
)
from indicators.vocabulary import ENGLAND_CODE
from ingest.bulk import load_temp_table

SERIES = ["indicator_id", "area_id", "sex", "age", "category_type", "category"]
MATCH = ["indicator_id", "period_id", "sex", "age", "category_type", "category"]

PERIOD_COLUMNS = ["id", "sort_key", "label", "start", "end"]
INDICATOR_COLUMNS = [
    "id", "polarity", "value_type", "frequency", "disclosure_rule", "multiplier", "ci_method",
]  # fmt: skip
TARGET_COLUMNS = ["indicator_id", "area_id", "sex", "value", "range_lower", "range_upper"]
CHANGE_POINT_COLUMNS = ["indicator_id", "area_id", "period_id", "reason"]
OBSERVATION_COLUMNS = [
    "id", *SERIES, "period_id", "value", "lower_95", "upper_95", "count", "denominator",
    "suppressed", "england_comparison", "parent_comparison", "target_comparison",
]  # fmt: skip
KEY = [*MATCH, "area_id"]
TEXT_KEY = ["sex", "age", "category_type", "category"]
DERIVED_COMPARISONS = ["england_comparison", "parent_comparison", "target_comparison"]
INCOMING = -1  # the id of a row not stored yet


def change_points_frame(indicator_ids: list[int]) -> pd.DataFrame:
    """The indicators' change points (CHANGE_POINT_COLUMNS; area_id NaN: every area)."""
    rows = ChangePoint.objects.filter(indicator_id__in=indicator_ids).values_list(
        *CHANGE_POINT_COLUMNS
    )
    return pd.DataFrame.from_records(list(rows), columns=CHANGE_POINT_COLUMNS)


def observations_frame(indicator_ids: list[int], *, incoming=None) -> pd.DataFrame:
    """The indicators' stored observations (OBSERVATION_COLUMNS, plus each row's parent area
    and whether it is England's), with ``incoming`` rows in place of those they replace."""
    rows = Observation.objects.filter(indicator_id__in=indicator_ids).values_list(
        *OBSERVATION_COLUMNS
    )
    frame = pd.DataFrame.from_records(list(rows), columns=OBSERVATION_COLUMNS)
    if incoming is not None and len(incoming):
        new = incoming.reindex(columns=OBSERVATION_COLUMNS).assign(id=INCOMING)
        new = new.astype({column: object for column in TEXT_KEY})
        if len(frame):
            replaced = frame[KEY].merge(new[KEY].drop_duplicates(), how="left", indicator=True)
            frame = frame[(replaced["_merge"] == "left_only").to_numpy()]
        frame = pd.concat([frame, new], ignore_index=True) if len(frame) else new
    for column in ["value", "lower_95", "upper_95", "count", "denominator"]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["suppressed"] = frame["suppressed"].fillna(False).astype(bool)
    areas = pd.DataFrame(
        Area.objects.values_list("id", "parent_id", "code"), columns=["id", "parent_id", "code"]
    )
    frame["parent_id"] = frame["area_id"].map(areas.set_index("id")["parent_id"])
    england = areas.loc[areas["code"] == ENGLAND_CODE, "id"]
    frame["is_england"] = frame["area_id"].isin(england)
    return frame.reset_index(drop=True)


def derived_write(derived: pd.DataFrame, *, before: pd.DataFrame) -> int:
    """Update the stored observations whose suppression or comparisons changed from
    ``before`` (the same rows as stored); returns how many."""
    is_stored = derived["id"].to_numpy() != INCOMING
    changed = np.zeros(len(derived), dtype=bool)
    for column in ["suppressed", *DERIVED_COMPARISONS]:
        changed |= derived[column].to_numpy() != before[column].to_numpy()
    update = derived[is_stored & changed]
    if update.empty:
        return 0
    table = Observation._meta.db_table
    columns = [
        ("id", "bigint"), ("suppressed", "boolean"), ("england_comparison", "varchar(20)"),
        ("parent_comparison", "varchar(20)"), ("target_comparison", "varchar(20)"),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        load_temp_table(cursor, "derived_observations", columns, update)
        cursor.execute(
            f"""UPDATE {table} SET suppressed = d.suppressed,
                    england_comparison = d.england_comparison,
                    parent_comparison = d.parent_comparison, target_comparison = d.target_comparison
                FROM derived_observations d WHERE {table}.id = d.id"""
        )
        cursor.execute("DROP TABLE derived_observations")
    return len(update)
