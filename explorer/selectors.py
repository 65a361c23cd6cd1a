"""Reads for the data explorer.

Every function runs a small fixed number of queries whatever the number of areas and periods:
the pages fetch one set of rows each and shape them in Python. The querysets that feed the
pages are also what the CSV download writes, so the download is exactly what is shown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from indicators import disclosure
from indicators.area_types import SMALL_AREA_TYPES
from indicators.exports import observations_for_export
from indicators.models import (
    Area,
    AreaAlias,
    AreaDeprivation,
    AreaLink,
    AreaType,
    ComparatorGroup,
    ComparatorGroupMember,
    Indicator,
    InequalitySummary,
    Observation,
    Period,
    SeriesAnalytics,
)
from indicators.querysets import method_of
from indicators.selectors import analytics_basis, indicators_visible_to, protects
from indicators.system import deprivation_current, system_current
from indicators.vocabulary import ENGLAND_CODE, is_deprivation_type

TREND_MAX_AREAS = 10
# A group's members all have lines: a nearest-neighbour group is the area and 10 others, the
# largest NHS region 11 ICBs; a custom group longer than this shows its first members.
TREND_MAX_GROUP_AREAS = 20


def breakdown_category_types() -> dict[str, str]:
    """The category type behind each breakdown the explorer offers: the deprivation ones are
    the system's edition's (docs/geography.md)."""
    edition = deprivation_current()
    return {
        "imd_quintile": edition.quintile_type,
        "imd_decile": edition.decile_type,
        "ethnic_group": "Ethnic group",
    }


def is_home_area(area: Area) -> bool:
    """Whether ``area`` is the configured system's own: its headline area, the region above
    it or an area directly within it (e.g. its sub-ICB locations). The explorer chooses such
    an area by default wherever one is on offer."""
    headline = system_current().headline_area
    if headline.pk is None:  # not configured and no England: nothing is home
        return False
    if area.pk in (headline.pk, headline.parent_id) or area.parent_id == headline.pk:
        return True
    # A local authority lies within the ICB in another hierarchy than its own parent's
    # (the explorer's area lists annotate whether it does).
    return bool(getattr(area, "in_headline", False))


def _in_headline(area_ref: str) -> Exists:
    """Whether the area is linked into the system's headline area (one subquery, no query
    per area)."""
    return Exists(
        AreaLink.objects.filter(area=OuterRef(area_ref), parent=system_current().headline_area.pk)
    )


# --- Filter options ---------------------------------------------------------------------------


def explorer_indicators(*, user) -> list[Indicator]:
    return list(
        indicators_visible_to(user).select_related("domain").order_by("domain__order", "code")
    )


def explorer_area_types() -> list[AreaType]:
    return list(AreaType.objects.order_by("level", "code"))


def explorer_areas(*, area_type: AreaType) -> list[Area]:
    """The areas of a type, with their parents in every hierarchy. Of small areas (all of
    England's LSOAs are loaded), only those with data: they are inputs, rarely shown."""
    areas = Area.objects.filter(area_type=area_type)
    if area_type.code in SMALL_AREA_TYPES:
        areas = areas.filter(Exists(Observation.objects.filter(area=OuterRef("pk"))))
    return list(
        areas.select_related("parent").annotate(in_headline=_in_headline("pk")).order_by("name")
    )


def explorer_periods() -> list[Period]:
    return list(Period.objects.order_by("sort_key"))


def explorer_groups() -> list[ComparatorGroup]:
    return list(ComparatorGroup.objects.order_by("-is_default", "name", "code"))


def group_members(*, group: ComparatorGroup) -> list[Area]:
    """The group's areas in group order."""
    members = (
        ComparatorGroupMember.objects.filter(group=group)
        .select_related("area__area_type", "area__parent")
        .annotate(in_headline=_in_headline("area_id"))
        .order_by("position")
    )
    areas = []
    for member in members:
        member.area.in_headline = member.in_headline
        areas.append(member.area)
    return areas


@dataclass(frozen=True)
class Availability:
    """Which combinations of an indicator hold data: (area type id, period id, sex, age,
    category type) tuples, from one DISTINCT query."""

    combinations: frozenset = frozenset()

    def area_type_ids(self) -> set[int]:
        return {row[0] for row in self.combinations}

    def period_ids(self, *, area_type_id=None, sex=None, age=None, category_type="") -> set[int]:
        return {
            row[1]
            for row in self.combinations
            if (area_type_id is None or row[0] == area_type_id)
            and (sex is None or row[2] == sex)
            and (age is None or row[3] == age)
            and row[4] == category_type
        }

    def sexes(self, *, area_type_id=None) -> set[str]:
        return {row[2] for row in self.combinations if area_type_id in (None, row[0])}

    def ages(self) -> set[str]:
        return {row[3] for row in self.combinations}

    def category_types(self, *, area_type_id=None) -> set[str]:
        return {row[4] for row in self.combinations if row[4] and area_type_id in (None, row[0])}


AVAILABILITY_CACHE_SECONDS = 300


def indicator_availability(*, indicator: Indicator | None) -> Availability:
    """Cached per indicator and data version: the DISTINCT reads every observation of the
    indicator, so it grows with the data (20 ms at 10 million observations) where the key
    does not. The version is the newest derived-analytics row of the indicator; the derive
    step replaces those rows whenever an extract or a revert changes the indicator, so a
    change of data is a new key (one index lookup, ``series_indicator_id``)."""
    if indicator is None:
        return Availability()
    version = (
        SeriesAnalytics.objects.filter(indicator=indicator)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    key = f"explorer:availability:{indicator.pk}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = (
        Observation.objects.filter(indicator=indicator)
        .values_list("area__area_type_id", "period_id", "sex", "age", "category_type")
        .distinct()
    )
    availability = Availability(frozenset(rows))
    cache.set(key, availability, AVAILABILITY_CACHE_SECONDS)
    return availability


# --- What each page shows ---------------------------------------------------------------------


def _export_ready(queryset: QuerySet[Observation], selection) -> QuerySet[Observation]:
    """What a page shows, in export order, with disclosure control applied as it is read."""
    return (
        queryset.select_related("indicator", "area", "area__area_type", "area__parent", "period")
        .order_by("indicator__code", "period__sort_key", "area__code", "sex", "category")
        .disclosed(protect=selection.protect)
    )


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
    return _export_ready(
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
    return _export_ready(Observation.objects.filter(pk__in=list(pks)), selection)


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
    return _export_ready(
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
    return _export_ready(base.filter(headline | split), selection)


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


# --- Area summary -----------------------------------------------------------------------------


@dataclass
class SummaryRow:
    indicator: Indicator
    observation: Observation | None = None
    england: float | None = None
    minimum: float | None = None
    q25: float | None = None
    q75: float | None = None
    maximum: float | None = None
    areas_compared: int = 0
    trend: str = ""
    note_marker: str = ""
    values: list = field(default_factory=list)

    @property
    def value_note(self) -> str:
        return self.observation.value_note if self.observation else ""


def summary_observations(selection) -> QuerySet[Observation]:
    """The area's latest headline observation (its default age, all categories) for every
    indicator shown. The latest period is found in the database, one index lookup per
    indicator, so the page reads 200 rows rather than every indicator's whole history."""
    latest = (
        Observation.objects.filter(
            indicator=OuterRef("pk"),
            area=selection.area,
            sex=selection.sex,
            age=OuterRef("default_age"),
            category_type="",
        )
        .order_by("-period__sort_key")
        .values("pk")[:1]
    )
    latest_ids = (
        Indicator.objects.filter(pk__in=[indicator.pk for indicator in selection.indicators])
        .annotate(latest=Subquery(latest))
        .values("latest")
    )
    return _export_ready(Observation.objects.filter(pk__in=latest_ids), selection)


def area_summary(selection) -> list[SummaryRow]:
    """Each indicator's latest value for the area, with the spread of values across the areas
    of the same type, or across a chosen comparator group's members (same period, sex and
    age), and England's value. Three queries."""
    area = selection.area
    members = {member.code for member in selection.group_members} if selection.group else None
    if members is not None:
        peers = Q(area__code__in=members)
    else:
        peers = Q(area__area_type=area.area_type_id)
    shown = list(summary_observations(selection))
    latest = {observation.indicator_id: observation for observation in shown}
    pairs = {(obs.indicator_id, obs.period_id, obs.age) for obs in latest.values()}
    spread: dict[tuple, list[float]] = defaultdict(list)
    england: dict[tuple, float] = {}
    if pairs:
        # A protected viewer's spread leaves out suppressed values and shows the others as
        # the disclosure policy does.
        unsuppressed = {"suppressed": False} if selection.protect else {}
        columns = ["indicator_id", "period_id", "age", "code", "area_type_id", "value", "count",
                   "denominator"]  # fmt: skip
        rows = Observation.objects.filter(
            peers | Q(area__code=ENGLAND_CODE),
            indicator_id__in={pair[0] for pair in pairs},
            period_id__in={pair[1] for pair in pairs},
            sex=selection.sex,
            category_type="",
            value__isnull=False,
            **unsuppressed,
        ).values_list(
            "indicator_id", "period_id", "age", "area__code", "area__area_type_id", "value",
            "count", "denominator",
        )  # fmt: skip
        frame = pd.DataFrame.from_records(list(rows), columns=columns)
        if selection.protect:
            frame = _as_disclosed(frame, selection.indicators)
        for indicator_id, period_id, age, code, area_type_id, value in frame[
            columns[:6]
        ].itertuples(index=False, name=None):
            key = (indicator_id, period_id, age)
            if key not in pairs:
                continue
            if code == ENGLAND_CODE:
                england[key] = value
            peer = code in members if members is not None else area_type_id == area.area_type_id
            if peer:
                spread[key].append(value)
    trends = dict(
        SeriesAnalytics.objects.filter(
            area=area,
            sex=selection.sex,
            category_type="",
            indicator__in=selection.indicators,
            basis=analytics_basis(selection.protect),
        ).values_list("indicator_id", "trend_label")
    )
    result = []
    for indicator in selection.indicators:
        observation = latest.get(indicator.pk)
        row = SummaryRow(indicator=indicator, observation=observation)
        if observation is not None:
            key = (indicator.pk, observation.period_id, observation.age)
            values = np.array(spread.get(key, []), dtype=float)
            row.england = england.get(key)
            row.trend = trends.get(indicator.pk, "")
            row.areas_compared = int(values.size)
            if values.size:
                row.minimum, row.q25, row.q75, row.maximum = (
                    float(number) for number in np.percentile(values, [0, 25, 75, 100])
                )
        result.append(row)
    return result


def _as_disclosed(frame: pd.DataFrame, indicators) -> pd.DataFrame:
    """Unsuppressed observations (indicator_id, code, value, count, denominator) with their
    values as a protected viewer sees them."""
    methods = pd.DataFrame(
        [method_of(indicator) for indicator in indicators],
        index=[indicator.pk for indicator in indicators],
    )
    policy = methods.reindex(frame["indicator_id"]).reset_index(drop=True)
    return disclosure.disclosed_frame(
        frame.assign(
            **{name: policy[name].to_numpy() for name in disclosure.Method._fields},
            is_england=frame["code"] == ENGLAND_CODE,
            suppressed=False,
        )
    )


# --- Downloads --------------------------------------------------------------------------------


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


# --- The JSON API -----------------------------------------------------------------------------

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


def area_aliases(codes: list[str]) -> dict[str, list[str]]:
    """Each area's other codes (``AreaAlias``), for the areas that have any: one query."""
    found: dict[str, list[str]] = {}
    for area_code, alias in AreaAlias.objects.filter(area__code__in=codes).values_list(
        "area__code", "code"
    ):
        found.setdefault(area_code, []).append(alias)
    return found


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


# --- Helpers shared by the pages ----------------------------------------------------------------


def natural_key(text: str):
    """Sort "Quintile 10" after "Quintile 9" and age bands by their first number."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def series_analytics_for(observations) -> dict[tuple, SeriesAnalytics]:
    """Derived analytics of the series the observations belong to, in one query."""
    observations = list(observations)
    if not observations:
        return {}
    # Observations read for a protected viewer are marked disclosed: so are their analytics.
    protect = any(getattr(obs, "disclosed", False) for obs in observations)
    rows = SeriesAnalytics.objects.filter(
        indicator_id__in={obs.indicator_id for obs in observations},
        area_id__in={obs.area_id for obs in observations},
        basis=analytics_basis(protect),
    )
    return {series_key(row): row for row in rows}


def series_key(row) -> tuple:
    """The series an observation, or its derived analytics, belongs to."""
    return (row.indicator_id, row.area_id, row.sex, row.age, row.category_type, row.category)
