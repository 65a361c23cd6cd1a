"""What the explorer's filters offer: indicators, area types, areas, periods, comparator
groups and breakdowns, the system's home areas chosen by default, and which combinations of
an indicator hold data."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef

from indicators.area_types import SMALL_AREA_TYPES
from indicators.models import (
    Area,
    AreaLink,
    AreaType,
    ComparatorGroup,
    ComparatorGroupMember,
    Indicator,
    Observation,
    Period,
    SeriesAnalytics,
)
from indicators.page_cache import audience, cached_by_version
from indicators.selectors import indicators_visible_to
from indicators.system import deprivation_current, system_current


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


# The lists below change only with the data (registry and configuration edits included), so
# each is read once per data version and audience (indicators.page_cache).


def explorer_indicators(*, user) -> list[Indicator]:
    return cached_by_version(
        "explorer_indicators",
        lambda: list(
            indicators_visible_to(user).select_related("domain").order_by("domain__order", "code")
        ),
        audience(user),
    )


def explorer_area_types() -> list[AreaType]:
    return cached_by_version(
        "explorer_area_types", lambda: list(AreaType.objects.order_by("level", "code"))
    )


def explorer_areas(*, area_type: AreaType) -> list[Area]:
    """The areas of a type, with their parents in every hierarchy. Of small areas (all of
    England's LSOAs are loaded), only those with data: they are inputs, rarely shown."""

    def read():
        areas = Area.objects.filter(area_type=area_type)
        if area_type.code in SMALL_AREA_TYPES:
            areas = areas.filter(Exists(Observation.objects.filter(area=OuterRef("pk"))))
        return list(
            areas.select_related("parent").annotate(in_headline=_in_headline("pk")).order_by("name")
        )

    return cached_by_version("explorer_areas", read, area_type.pk)


def explorer_periods() -> list[Period]:
    return cached_by_version("explorer_periods", lambda: list(Period.objects.order_by("sort_key")))


def explorer_groups() -> list[ComparatorGroup]:
    return cached_by_version(
        "explorer_groups",
        lambda: list(ComparatorGroup.objects.order_by("-is_default", "name", "code")),
    )


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
