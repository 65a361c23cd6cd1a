"""What the roll-up takes and gives: an ``IndicatorSpec`` per indicator in, a ``RollUp`` out,
with the columns of its cells and of the ancestors it skipped."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ingest.schema import ALL_AGES, ESP2013_AGE_BANDS

BAND_NUMERATOR_COLUMNS = [f"numerator_{band}" for band in ESP2013_AGE_BANDS]
BAND_DENOMINATOR_COLUMNS = [f"denominator_{band}" for band in ESP2013_AGE_BANDS]
CELL_COLUMNS = [
    "indicator_code",
    "period_label",
    "area_code",
    "sex",
    "age",
    "category_type",
    "category",
    "numerator",
    "denominator",
    "published",  # False: an inequality-summary input the indicator does not publish
    *BAND_NUMERATOR_COLUMNS,  # DSR cells only; NaN otherwise
    *BAND_DENOMINATOR_COLUMNS,
]
SKIPPED_COLUMNS = [
    "indicator_code",
    "period_label",
    "area_code",
    "area_type",
    "small_areas_present",
    "small_areas_total",
    "reason",
]
PARTLY_COVERED = "partly covered"
REGISTRY_INCOMPLETE = "not all of its small areas are in the area registry"


@dataclass(frozen=True)
class IndicatorSpec:
    """What the roll-up and the statistics need to know about one indicator."""

    code: str
    value_type: str  # proportion, crude_rate, dsr, count, isr, mean, years, gap
    multiplier: float = 1
    breakdowns: tuple[str, ...] = ()  # from sex, age_band, imd_quintile, imd_decile, ethnic_group
    default_age: str = ALL_AGES  # the age label of every cell, e.g. "65+ yrs"

    def __post_init__(self):
        object.__setattr__(self, "breakdowns", tuple(self.breakdowns))


@dataclass(frozen=True, eq=False)
class RollUp:
    """The summed cells of every computed area, and the ancestors left out and why."""

    cells: pd.DataFrame  # CELL_COLUMNS
    skipped: pd.DataFrame  # SKIPPED_COLUMNS
    without_decile: tuple[str, ...] = ()  # the extract's small areas with no IMD decile
