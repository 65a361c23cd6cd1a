"""Boundary files for the map, and the codes that differ between them and the registry."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

BOUNDARY_DIR = Path(__file__).resolve().parent / "static" / "explorer" / "boundaries"
BOUNDARY_FILES = {
    "icb": "icb_2023.geojson",
    "region": "nhs_regions_2024.geojson",
    "local_authority": "county_ua_2023.geojson",
}
# The registry follows Fingertips' areas.csv; the 2023 ICB and 2024 NHS region boundaries use
# newer codes for four areas (shared/data/README.md, "Code vintages differ").
BOUNDARY_CODE_ALIASES = {
    "E54000052": "E54000063",  # NHS Surrey Heartlands ICB
    "E54000053": "E54000064",  # NHS Sussex ICB
    "E40000007": "E40000013",  # East of England NHS region
    "E40000010": "E40000014",  # North West NHS region
}


def boundary_code(area_code: str) -> str:
    return BOUNDARY_CODE_ALIASES.get(area_code, area_code)


@cache
def boundary_codes(area_type_code: str) -> frozenset[str]:
    """The codes the boundary file for an area type draws (empty if it has none)."""
    name = BOUNDARY_FILES.get(area_type_code)
    if name is None:
        return frozenset()
    features = json.loads((BOUNDARY_DIR / name).read_text(encoding="utf-8"))["features"]
    return frozenset(feature["id"] for feature in features)
