"""Building geography in tests: small areas ranked by a deprivation edition, as
``import_areas`` would write them (the shipped edition unless another is named)."""

from indicators.models import AreaDeprivation, DeprivationEdition
from indicators.vocabulary import DEFAULT_DEPRIVATION, DEFAULT_SMALL_AREAS


def edition_named(name=DEFAULT_DEPRIVATION, small_areas=DEFAULT_SMALL_AREAS) -> DeprivationEdition:
    edition, _ = DeprivationEdition.objects.get_or_create(
        name=name, defaults={"small_areas": small_areas}
    )
    return edition


def rank(area, decile, edition=None):
    """Make ``area`` a small area of the edition, with its decile; returns the area."""
    AreaDeprivation.objects.create(edition=edition or edition_named(), area=area, decile=decile)
    return area
