"""The column names that pass between the ingest pipeline's steps.

parse → validate produce a *values frame* (Fingertips format, kind A) or a *counts frame*
(granular, kind B); roll up + compute turn a counts frame into a values frame; write stores a
values frame as observations. Every frame keeps ``source_row`` (the row number in the file as
an analyst would count it: the header is row 1) so errors can point at the file.
"""

from indicators.vocabulary import (  # noqa: F401 (ALL_AGES: what the steps share)
    ALL_AGES,
    DEFAULT_DEPRIVATION,
    decile_type,
    quintile_type,
)

# Kind A, after parsing and validation: one row per observation.
VALUES_COLUMNS = [
    "source_row",
    "indicator_code",  # our code (a Fingertips id in the file is resolved to it)
    "area_code",
    "period_label",  # canonical label from indicators.periods.parse_period_label
    "sex",  # Persons / Male / Female
    "age",  # e.g. "All ages", "65+ yrs"
    "category_type",  # "" for the headline value
    "category",  # "" for the headline value
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "count",
    "denominator",
    "value_note",
    "suppressed",  # bool: the source withheld the value (blank value with a note)
]

# Kind B, after parsing and validation: one row per indicator × period × small area × cell.
COUNTS_COLUMNS = [
    "source_row",
    "indicator_code",
    "period_label",
    "area_code",
    "sex",  # Persons / Male / Female
    "age_band",  # "0-4" … "85-89", "90+", or "All ages"
    "numerator",
    "denominator",
    "ethnic_group",  # "" when the extract has no ethnic_group column
]

# The row-level error report: one row per problem.
ERROR_COLUMNS = ["row", "column", "value", "message"]

ESP2013_AGE_BANDS = [
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
]  # fmt: skip

# The shipped edition's category types; an extract is broken down by the system's edition
# (``DeprivationEdition``), whose names ``indicators.vocabulary`` builds.
QUINTILE_TYPE = quintile_type(DEFAULT_DEPRIVATION)
DECILE_TYPE = decile_type(DEFAULT_DEPRIVATION)
ETHNIC_TYPE = "Ethnic group"
