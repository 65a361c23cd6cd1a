"""The JSON API's reads: indicators, areas, observations and inequality summaries, narrowed
by the API's validated filters and disclosed as the user may see them."""

from __future__ import annotations

from django.db import connection, transaction
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


def api_observations(*, user, filters: dict, indicator_ids: list[int] | None = None):
    """The observations of the indicators the user may see (or of ``indicator_ids`` among
    them), in export order, disclosed as the user may see them."""
    visible = api_indicator_ids(user=user, filters=filters)
    if indicator_ids is not None:
        visible = [pk for pk in visible if pk in set(indicator_ids)]
    observations = Observation.objects.filter(indicator_id__in=visible)
    return observations_for_export(base=_api_filtered(observations, filters)).disclosed(
        protect=protects(user)
    )


def api_indicator_ids(*, user, filters: dict) -> list[int]:
    """The ids of the indicators the user may see and asked for, in order."""
    indicators = indicators_visible_to(user)
    if filters["indicator"]:
        indicators = indicators.filter(code__in=filters["indicator"])
    return sorted(indicators.values_list("pk", flat=True))


def api_observation_page(
    *, user, filters: dict, after: list | None, skip: int, limit: int
) -> list[Observation]:
    """``limit`` observations in the order of the unique key (indicator, area, period, sex,
    age, category type, category), after the key ``after`` and ``skip`` rows.

    One indicator at a time, so that every query is an equality on the key's first column
    and, for the cursor's indicator, a row comparison on the rest: PostgreSQL then starts
    reading the unique index at the cursor. Given a list of indicators, or the row comparison
    over the whole key, PostgreSQL 15 reads from the start of the indicator instead, or
    joins and sorts every row after the cursor."""
    key = ("area_id", "period_id", "sex", "age", "category_type", "category")
    table = Observation._meta.db_table
    ids: list[int] = []
    for indicator_id in api_indicator_ids(user=user, filters=filters):
        if after is not None and indicator_id < after[0]:
            continue
        rows = Observation.objects.filter(indicator_id=indicator_id)
        rows = _api_filtered(rows, {**filters, "indicator": None}).order_by(*key)
        if after is not None and indicator_id == after[0]:
            columns = ", ".join(f'"{table}"."{column}"' for column in key)
            marks = ", ".join(["%s"] * len(key))
            rows = rows.extra(where=[f"({columns}) > ({marks})"], params=after[1:])
        if skip:
            here = rows.count()  # one indicator's rows, read only for numbered pages
            if here <= skip:
                skip -= here
                continue
        page = rows.values_list("pk", flat=True)[skip : skip + limit - len(ids)]
        ids += _in_index_order(page) if after is not None and indicator_id == after[0] else page
        skip = 0
        if len(ids) >= limit:
            break
    found = {row.pk: row for row in api_observations(user=user, filters=filters).filter(pk__in=ids)}
    return [found[pk] for pk in ids]


# PostgreSQL estimates a row comparison as matching almost nothing, so for the rows after a
# cursor it would rather sort every row after it, or join each area to the index in a nested
# loop that reads the indicator's rows again per area (70 s at 1M rows), than read the index
# in order. Without those two plans it reads the index in order (merging with the areas or
# periods where a filter joins them) and stops at the page's end.
ORDERED_READ_SETTINGS = ("enable_nestloop", "enable_hashjoin", "enable_sort")


def _in_index_order(ids_query) -> list[int]:
    if connection.vendor != "postgresql":
        return list(ids_query)
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ORDERED_READ_SETTINGS:
            cursor.execute(f"SET LOCAL {setting} = off")
        try:
            return list(ids_query)
        finally:
            for setting in ORDERED_READ_SETTINGS:
                cursor.execute(f"RESET {setting}")


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
