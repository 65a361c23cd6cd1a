"""Read the registry into the plain structures the pure pipeline steps take.

Validation, roll-up and compute import no Django: the pipeline hands them these snapshots.
"""

from __future__ import annotations

from django.db.models import Count

from indicators.models import Area, AreaType, Indicator, Observation
from ingest.rollup import AreaTree, IndicatorSpec
from ingest.validation import IndicatorInfo, Registry

FREQUENCY_PERIOD_KIND = {"monthly": "month", "quarterly": "quarter", "annual": "financial_year"}
# Fingertips "Area Type" texts for --create-areas.
FINGERTIPS_AREA_TYPES = {
    "england": "england", "country": "england", "region": "ons_region",
    "nhs region": "region", "nhs regions": "region", "regions": "ons_region",
    "county & ua": "local_authority", "counties & uas": "local_authority",
    "counties and unitary authorities": "local_authority", "upper tier local authority": "local_authority",
    "ua": "local_authority", "icb": "icb", "integrated care board": "icb",
    "nhs integrated care boards": "icb", "sub-icb": "sub_icb", "nhs sub integrated care boards": "sub_icb",
    "pcn": "pcn", "gp": "practice", "gps": "practice", "gp practice": "practice", "lsoa": "lsoa",
}  # fmt: skip


def indicator_period_kinds() -> dict[int, str]:
    """Each indicator's usual period kind: the commonest among its stored values, else what
    its frequency suggests (annual indicators are taken as financial years)."""
    kinds: dict[int, str] = {}
    counts = (
        Observation.objects.values("indicator_id", "period__kind")
        .annotate(n=Count("id"))
        .order_by("indicator_id", "-n")
    )
    for row in counts:
        kinds.setdefault(row["indicator_id"], row["period__kind"])
    return kinds


def validation_registry(
    *, create_areas: bool = False, skip_unknown_indicators: bool = False
) -> Registry:
    kinds = indicator_period_kinds()
    infos = [
        IndicatorInfo(
            code=indicator.code,
            value_type=indicator.value_type,
            polarity=indicator.polarity,
            frequency=indicator.frequency,
            period_kind=kinds.get(indicator.pk, FREQUENCY_PERIOD_KIND[indicator.frequency]),
            multiplier=indicator.multiplier,
            fingertips_id=indicator.fingertips_id,
        )
        for indicator in Indicator.objects.all()
    ]
    return Registry.build(
        infos,
        Area.objects.values_list("code", flat=True),
        create_areas=create_areas,
        skip_unknown_indicators=skip_unknown_indicators,
    )


def indicator_specs() -> dict[str, IndicatorSpec]:
    return {
        indicator.code: IndicatorSpec(
            code=indicator.code,
            value_type=indicator.value_type,
            multiplier=indicator.multiplier,
            breakdowns=tuple(indicator.breakdowns),
            default_age=indicator.default_age,
        )
        for indicator in Indicator.objects.all()
    }


def area_tree() -> AreaTree:
    return AreaTree.from_records(
        Area.objects.values_list("code", "parent__code", "area_type__code", "imd2019_decile")
    )


def area_type_for_fingertips_names() -> dict[str, AreaType]:
    types = {area_type.code: area_type for area_type in AreaType.objects.all()}
    mapped = {name: types[code] for name, code in FINGERTIPS_AREA_TYPES.items() if code in types}
    mapped |= {code: area_type for code, area_type in types.items()}
    mapped |= {area_type.name.lower(): area_type for area_type in types.values()}
    return mapped
