"""Boundary files for the map, and where each area is drawn in them.

A boundary file may use a newer code than the registry for the same area (the 2023 ICB and
2024 NHS region files do for four areas): such codes are the area's aliases (``AreaAlias``,
docs/geography.md), and an area is drawn under whichever of its codes the file has."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

BOUNDARY_DIR = Path(__file__).resolve().parent / "static" / "explorer" / "boundaries"
BOUNDARY_FILES = {
    "icb": "icb_2023.geojson",
    "region": "nhs_regions_2024.geojson",
    "local_authority": "county_ua_2023.geojson",
}


def boundary_location(area_code: str, aliases: Iterable[str], drawable: frozenset[str]) -> str:
    """The code the boundary file draws the area under: its own, else the first of its
    aliases the file has (its own when neither is drawn)."""
    if area_code in drawable:
        return area_code
    return next((alias for alias in sorted(aliases) if alias in drawable), area_code)


@cache
def boundary_codes(area_type_code: str) -> frozenset[str]:
    """The codes the boundary file for an area type draws (empty if it has none)."""
    name = BOUNDARY_FILES.get(area_type_code)
    if name is None:
        return frozenset()
    features = json.loads((BOUNDARY_DIR / name).read_text(encoding="utf-8"))["features"]
    return frozenset(feature["id"] for feature in features)
