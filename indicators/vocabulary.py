"""Words every app shares, as plain constants and functions (no Django, so the pure
statistics and the pipeline steps use them too): England's code, the headline age, the
polarities, and the deprivation breakdowns' category types and labels.

A deprivation edition is data (``DeprivationEdition``); these build its names, so a
breakdown computed with IMD 2025 is stored as "IMD 2025 quintile (national)" and one computed
with IMD 2019 keeps "IMD 2019 quintile (national)" (docs/geography.md).
"""

from __future__ import annotations

import re

ENGLAND_CODE = "E92000001"  # the default benchmark area (ONS code)
ALL_AGES = "All ages"  # the age of a value not broken down by age

# An indicator's polarity: which direction is better (docs/methods.md).
HIGHER_BETTER, LOWER_BETTER, NO_JUDGEMENT = "higher_better", "lower_better", "no_judgement"
POLARITIES = (HIGHER_BETTER, LOWER_BETTER, NO_JUDGEMENT)
# +1 where higher is better, -1 where lower is, 0 where neither: a change times its sign
# is an improvement when positive.
POLARITY_SIGN = {HIGHER_BETTER: 1, LOWER_BETTER: -1, NO_JUDGEMENT: 0}

# The edition shipped in fixtures/areas.csv, used until an analyst loads another.
DEFAULT_DEPRIVATION = "IMD 2019"
DEFAULT_SMALL_AREAS = "LSOA 2011"

# The area type a deprivation index ranks: its small areas (LSOAs, of some vintage).
DEPRIVATION_AREA_TYPE = "lsoa"

_QUINTILE_SUFFIX = " quintile (national)"
_DECILE_SUFFIX = " decile (national)"
_DEPRIVATION_TYPE = re.compile(r"^(?P<edition>.+) (?P<tile>quintile|decile) \(national\)$")


def quintile_type(edition: str) -> str:
    """The category type of an edition's national quintiles, e.g. "IMD 2025 quintile (national)"."""
    return f"{edition}{_QUINTILE_SUFFIX}"


def decile_type(edition: str) -> str:
    return f"{edition}{_DECILE_SUFFIX}"


def is_deprivation_quintile_type(category_type: str) -> bool:
    """True for any edition's national quintiles (the inequality summaries' input)."""
    match = _DEPRIVATION_TYPE.match(category_type or "")
    return match is not None and match["tile"] == "quintile"


def is_deprivation_type(category_type: str) -> bool:
    return _DEPRIVATION_TYPE.match(category_type or "") is not None


def deprivation_edition_of(category_type: str) -> str | None:
    """The edition a deprivation category type was computed with: "IMD 2019" from "IMD 2019
    quintile (national)"; None for any other type."""
    match = _DEPRIVATION_TYPE.match(category_type or "")
    return None if match is None else match["edition"]


def quintile_of(decile: int | None) -> int | None:
    """docs/domain.md: national quintile = ceil(decile / 2), 1 = most deprived (Core20)."""
    return None if decile is None else (decile + 1) // 2


def quintile_label(quintile: int) -> str:
    return {1: "Quintile 1 (most deprived)", 5: "Quintile 5 (least deprived)"}.get(
        quintile, f"Quintile {quintile}"
    )


def decile_label(decile: int) -> str:
    return {1: "Decile 1 (most deprived)", 10: "Decile 10 (least deprived)"}.get(
        decile, f"Decile {decile}"
    )
