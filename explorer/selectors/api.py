"""The JSON API's reads: indicators, areas, observations and inequality summaries, narrowed
by the API's validated filters and disclosed as the user may see them."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from indicators.exports import observations_for_export
from indicators.models import Area, AreaDeprivation, Indicator, InequalitySummary, Observation
from indicators.selectors import analytics_basis, indicators_visible_to, protects
from indicators.system import deprivation_current

# The query-string filters of the API's data and inequality endpoints, and their lookups.
API_FILTER_LOOKUPS = [
    ("domain", "indicator__domain__code"), ("indicator", "indicator__code__in"),
    ("area_type", "area__area_type__code"), ("parent", "area__parent__code"),
    ("area", "area__code__in"), ("group", "area__comparator_groups__code"),
    ("period", "period__label"), ("sex", "sex"), ("age", "age"),
]  # fmt: skip


def api_indicators(*, user, filters: dict) -> QuerySet[Indicator]:
    indicators = indicators_visible_to(user).select_related("domain", "owner")
    if filters["domain"]:
        indicators = indicators.filter(domain__code=filters["domain"])
    if filters["indicator"]:
        indicators = indicators.filter(code__in=filters["indicator"])
    return indicators.order_by("domain__order", "code")


def api_areas(*, filters: dict) -> QuerySet[Area]:
    """Areas by level and code, each with ``imd_decile``, its decile in the system's
    deprivation edition (None where the edition does not rank it; docs/geography.md)."""
    edition = deprivation_current()
    ranked = AreaDeprivation.objects.filter(area=OuterRef("pk"), edition_id=edition.pk or 0)
    areas = (
        Area.objects.select_related("area_type", "parent")
        .annotate(imd_decile=Subquery(ranked.values("decile")[:1]))
        .order_by("area_type__level", "code")
    )
    if filters["area_type"]:
        areas = areas.filter(area_type__code=filters["area_type"])
    if filters["parent"]:
        areas = areas.filter(parent__code=filters["parent"])
    if filters["area"]:
        areas = areas.filter(code__in=filters["area"])
    return areas


def api_observations(*, user, filters: dict) -> QuerySet[Observation]:
    """The observations of the indicators the user may see, in export order, disclosed as the
    user may see them."""
    observations = Observation.objects.filter(indicator__in=indicators_visible_to(user))
    return observations_for_export(base=_api_filtered(observations, filters)).disclosed(
        protect=protects(user)
    )


def api_inequality_summaries(*, user, filters: dict) -> QuerySet[InequalitySummary]:
    """The inequality summaries of the indicators the user may see, on the user's basis."""
    summaries = InequalitySummary.objects.filter(
        indicator__in=indicators_visible_to(user), basis=analytics_basis(protects(user))
    ).select_related("indicator", "area", "period")
    return _api_filtered(summaries, filters).order_by(
        "indicator__code", "period__sort_key", "area__code", "sex", "age"
    )


def _api_filtered(queryset, filters: dict):
    """Narrow an observation or inequality-summary queryset by the validated filters.
    ``category_type=none`` asks for headline values only."""
    for name, lookup in API_FILTER_LOOKUPS:
        if filters[name]:
            queryset = queryset.filter(**{lookup: filters[name]})
    if filters.get("category_type"):
        value = "" if filters["category_type"] == "none" else filters["category_type"]
        queryset = queryset.filter(category_type=value)
    return queryset
