"""Each observation compared with England, with its parent area and with its target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.statistics.benchmark import (
    compare_with_reference,
    compare_with_target,
    compare_with_target_range,
)
from ingest.derive.frames import MATCH


def comparisons_frame(observations: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """england_comparison, parent_comparison and target_comparison for every observation
    (indexed as ``observations``)."""
    frame = observations
    england = frame.loc[frame["is_england"], MATCH + ["value"]].rename(
        columns={"value": "england_value"}
    )
    merged = frame.merge(england, on=MATCH, how="left")
    parents = frame[MATCH + ["area_id", "value"]].rename(
        columns={"area_id": "parent_id", "value": "parent_value"}
    )
    merged = merged.merge(parents, on=MATCH + ["parent_id"], how="left")
    england_label = compare_with_reference(
        merged["value"].to_numpy(), merged["lower_95"].to_numpy(), merged["upper_95"].to_numpy(),
        merged["england_value"].to_numpy(), polarity=merged["polarity"].to_numpy(),
    )  # fmt: skip
    parent_label = compare_with_reference(
        merged["value"].to_numpy(), merged["lower_95"].to_numpy(), merged["upper_95"].to_numpy(),
        merged["parent_value"].to_numpy(), polarity=merged["polarity"].to_numpy(),
    )  # fmt: skip
    # Fingertips never benchmarks an area against itself; an area with no parent has none.
    england_label = np.where(merged["is_england"], "", england_label)
    parent_label = np.where(merged["parent_id"].isna(), "", parent_label)
    return pd.DataFrame(
        {
            "england_comparison": england_label,
            "parent_comparison": parent_label,
            "target_comparison": target_labels(merged, targets),
        },
        index=frame.index,
    )


def target_labels(frame: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    """RAG against the area's target, for headline values (no category) of the target's sex.
    ``targets``: the indicators' targets (TARGET_COLUMNS)."""
    targets = targets.rename(columns={"value": "target_value"})
    labels = np.full(len(frame), "", dtype=object)
    if targets.empty:
        return labels
    merged = frame[["indicator_id", "area_id", "sex", "category_type", "value", "polarity"]].merge(
        targets, on=["indicator_id", "area_id", "sex"], how="left"
    )
    headline = (merged["category_type"] == "").to_numpy()
    single = headline & merged["target_value"].notna().to_numpy()
    ranged = headline & merged["range_lower"].notna().to_numpy()
    if single.any():
        labels[single] = compare_with_target(
            merged.loc[single, "value"].to_numpy(),
            target=merged.loc[single, "target_value"].to_numpy(),
            polarity=merged.loc[single, "polarity"].to_numpy(),
        )
    if ranged.any():
        labels[ranged] = compare_with_target_range(
            merged.loc[ranged, "value"].to_numpy(),
            target_lower=merged.loc[ranged, "range_lower"].to_numpy(),
            target_upper=merged.loc[ranged, "range_upper"].to_numpy(),
            polarity=merged.loc[ranged, "polarity"].to_numpy(),
        )
    return labels
