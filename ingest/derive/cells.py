"""Frame cells as the plain values derived rows store: None for a missing number, "" for
missing text."""

from __future__ import annotations

import numpy as np
import pandas as pd


def floats_or_none(series: pd.Series) -> list[float | None]:
    array = series.to_numpy(dtype=float)
    return [None if np.isnan(item) else float(item) for item in array]


def text_or_blank(item) -> str:
    return (
        ""
        if item is None or (isinstance(item, float) and np.isnan(item)) or item is pd.NA
        else str(item)
    )


def float_or_none(item) -> float | None:
    return None if item is None or pd.isna(item) else float(item)
