"""Which of a file's columns holds each field: header spellings, and the columns each kind
needs. A missing required column refuses the whole file (``ExtractRejected``)."""

from __future__ import annotations

import re

from ingest.parsing.table import ExtractRejected, RawTable
from ingest.validation.errors import quoted

# Header spellings, compared after lower-casing and dropping spaces, underscores and hyphens.
VALUES_HEADERS = {
    "indicator": ("indicatorid",),
    "area_code": ("areacode",),
    "area_name": ("areaname",),
    "area_type": ("areatype",),
    "parent_code": ("parentcode",),
    "sex": ("sex",),
    "age": ("age",),
    "category_type": ("categorytype",),
    "category": ("category",),
    "period": ("timeperiod",),
    "year": ("year",),  # FingertipsNext
    "value": ("value",),
    "lower_95": ("lowerci95.0limit", "lowerci95limit", "lowerci"),  # FingertipsNext: LowerCI
    "upper_95": ("upperci95.0limit", "upperci95limit", "upperci"),
    "lower_998": ("lowerci99.8limit",),
    "upper_998": ("upperci99.8limit",),
    "count": ("count",),
    "denominator": ("denominator",),
    "value_note": ("valuenote",),
}
VALUES_REQUIRED = {
    "indicator": "Indicator ID",
    "area_code": "Area Code",
    "sex": "Sex",
    "age": "Age",
    "period": "Time period",
    "value": "Value",
}
COUNTS_HEADERS = {
    "indicator": ("indicatorcode",),
    "period": ("period",),
    "area_code": ("areacode",),
    "sex": ("sex",),
    "age_band": ("ageband",),
    "numerator": ("numerator",),
    "denominator": ("denominator",),
    "ethnic_group": ("ethnicgroup",),
}
COUNTS_REQUIRED = {
    "indicator": "indicator_code",
    "period": "period",
    "area_code": "area_code",
    "sex": "sex",
    "age_band": "age_band",
    "numerator": "numerator",
    "denominator": "denominator",
}


def header_key(name: str) -> str:
    """A header name reduced so that 'Area Code', 'AreaCode' and 'area_code' agree."""
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def map_columns(raw: RawTable, headers: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Our field name → the file's column name, for each field the file has."""
    by_key: dict[str, list[str]] = {}
    for name in raw.frame.columns:
        by_key.setdefault(header_key(name), []).append(name)
    columns = {}
    for field_name, keys in headers.items():
        for key in keys:  # earlier spellings win: "Lower CI 95.0 limit" over "LowerCI"
            matches = by_key.get(key, [])
            if len(matches) > 1:
                raise ExtractRejected(
                    f"The columns {' and '.join(quoted(name) for name in matches)} look like the "
                    "same column; keep one of them."
                )
            if matches:
                columns[field_name] = matches[0]
                break
    return columns


def require_columns(
    raw: RawTable,
    columns: dict[str, str],
    required: dict[str, str],
    *,
    other_kind: dict[str, tuple[str, ...]],
    other_name: str,
) -> None:
    """Refuse the file, naming what is missing and what it has, if a required column is absent."""
    missing = [label for field_name, label in required.items() if field_name not in columns]
    if not missing:
        return
    present = list(raw.frame.columns)
    listed = ", ".join(quoted(name) for name in present[:30]) + (", …" if len(present) > 30 else "")
    hint = ""
    if len(map_columns(raw, other_kind)) >= 4:
        hint = f" It looks like a {other_name} extract: choose that kind when uploading."
    plural = "s" if len(missing) > 1 else ""
    raise ExtractRejected(
        f"The file is missing the required column{plural} {', '.join(missing)}. "
        f"Its columns are: {listed}.{hint}"
    )
