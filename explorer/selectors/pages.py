"""What compare areas, the map, trends and inequalities show, each as one queryset that is
also what the page's download writes; and which read serves the download of each page."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from explorer.selectors.options import breakdown_category_types
from explorer.selectors.shared import export_ready
from explorer.selectors.summary import summary_observations
from indicators.models import Area, AreaAlias, InequalitySummary, Observation
from indicators.selectors import analytics_basis
from indicators.vocabulary import ENGLAND_CODE, is_deprivation_type

TREND_MAX_AREAS = 10
# A group's members all have lines: a nearest-neighbour group is the area and 10 others, the
# largest NHS region 11 ICBs; a custom group longer than this shows its first members.
TREND_MAX_GROUP_AREAS = 20


def compare_observations(selection) -> QuerySet[Observation]:
    """The areas of the chosen type (within the chosen parent), England and the parent area,
    for one indicator, period, sex and age: the compare-areas page and the map."""
    areas = Q(area__area_type=selection.area_type)
    if selection.parent is not None:
        areas &= Q(area__parent=selection.parent)
    if selection.group is not None:
        areas = Q(area__in=selection.group_members)
    comparators = Q(area__code=ENGLAND_CODE)
    for parent in (selection.parent, getattr(selection.area, "parent", None)):
        if parent is not None:
            comparators |= Q(area=parent)
    return export_ready(
        Observation.objects.filter(
            areas | comparators,
            indicator=selection.indicator,
            period=selection.period,
            sex=selection.sex,
            age=selection.age,
            category_type="",
        ),
        selection,
    )


def observations_by_pk(selection, *, pks) -> QuerySet[Observation]:
    """Rows a page has already chosen (the funnel's placed areas and benchmark), read again
    as the page read them, for its download."""
    return export_ready(Observation.objects.filter(pk__in=list(pks)), selection)


def trend_areas(selection) -> list[Area]:
    """The chosen area, its parent, England and (within a chosen parent) its peers; or, with
    a comparator group, the chosen area and the group's members."""
    chosen = [selection.area] if selection.area else []
    if selection.group is not None:
        return list(dict.fromkeys(chosen + selection.group_members))[:TREND_MAX_GROUP_AREAS]
    if selection.parent is not None:
        chosen += [area for area in selection.areas if area.parent_id == selection.parent.pk]
    chosen = list(dict.fromkeys(chosen))[:TREND_MAX_AREAS]
    return chosen


def trend_observations(selection) -> QuerySet[Observation]:
    areas = trend_areas(selection)
    comparators = Q(area__code=ENGLAND_CODE)
    parent = selection.parent or getattr(selection.area, "parent", None)
    if parent is not None:
        comparators |= Q(area=parent)
    return export_ready(
        Observation.objects.filter(
            Q(area__in=areas) | comparators,
            indicator=selection.indicator,
            sex=selection.sex,
            age=selection.age,
            category_type="",
        ),
        selection,
    )


def inequality_observations(selection) -> QuerySet[Observation]:
    """One area, indicator and period: the breakdown's values and the area's own value."""
    base = Observation.objects.filter(
        indicator=selection.indicator, area=selection.area, period=selection.period
    )
    headline = Q(sex=selection.sex, age=selection.age, category_type="")
    if selection.breakdown == "sex":
        split = Q(age=selection.age, category_type="")
    elif selection.breakdown == "age_band":
        split = Q(sex=selection.sex, category_type="")
    else:
        split = Q(
            sex=selection.sex,
            age=selection.age,
            category_type=breakdown_category_types()[selection.breakdown],
        )
    return export_ready(base.filter(headline | split), selection)


def inequality_summaries(selection) -> list[InequalitySummary]:
    """SII, RII, gap and ratio for every period of the area's deprivation breakdown."""
    category_type = breakdown_category_types().get(selection.breakdown)
    if category_type is None or not is_deprivation_type(category_type):
        return []
    return list(
        InequalitySummary.objects.filter(
            indicator=selection.indicator,
            area=selection.area,
            sex=selection.sex,
            age=selection.age,
            category_type=category_type,
            basis=analytics_basis(selection.protect),
        )
        .select_related("period")
        .order_by("period__sort_key")
    )


def area_aliases(codes: list[str]) -> dict[str, list[str]]:
    """Each area's other codes (``AreaAlias``), for the areas that have any: one query."""
    found: dict[str, list[str]] = {}
    for area_code, alias in AreaAlias.objects.filter(area__code__in=codes).values_list(
        "area__code", "code"
    ):
        found.setdefault(area_code, []).append(alias)
    return found


def page_observations(selection) -> QuerySet[Observation]:
    """What the page the selection was resolved for shows, for its download. (The funnel's
    download is the areas its table places: ``tables.write_funnel_csv``.)"""
    if selection.page == "summary":
        return summary_observations(selection) if selection.area else Observation.objects.none()
    if selection.indicator is None or (selection.page != "trends" and selection.period is None):
        return Observation.objects.none()
    return PAGE_OBSERVATIONS[selection.page](selection)


PAGE_OBSERVATIONS = {
    "compare": compare_observations,
    "map": compare_observations,
    "trends": trend_observations,
    "inequalities": inequality_observations,
}
