"""Named reads of the registry and data that the feature apps use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import F, Prefetch, QuerySet

from indicators import disclosure
from indicators.models import (
    AnalyticsBasis,
    Area,
    ComparatorGroup,
    DisclosureRule,
    Domain,
    Indicator,
    Observation,
    Sex,
    Status,
    Target,
)
from indicators.querysets import method_of
from indicators.roles import roles_of
from indicators.statistics.benchmark import rank_by_polarity
from indicators.statistics.target_gap import TargetGap, target_gap, target_to_meet
from indicators.vocabulary import ENGLAND_CODE


def indicators_visible_to(user) -> QuerySet[Indicator]:
    """Published indicators for everyone; drafts and retired ones only for analysts."""
    return indicators_visible(analyst=user_is_analyst(user))


def indicators_visible(*, analyst: bool) -> QuerySet[Indicator]:
    """What an audience sees, whoever is in it: every indicator for analysts, published ones
    for everyone else (work done for an audience rather than a person, such as a board pack
    built once and served to every viewer)."""
    queryset = Indicator.objects.all()
    if not analyst:
        queryset = queryset.filter(status=Status.PUBLISHED)
    return queryset


def user_is_analyst(user) -> bool:
    """Analysts and admins see unpublished indicators and unsuppressed small numbers."""
    return bool({"analyst", "admin"} & roles_of(user))


def protects(user) -> bool:
    """Whether disclosure control applies to what ``user`` sees: everyone but analysts."""
    return not user_is_analyst(user)


def analytics_basis(protect: bool) -> str:
    """The derived analytics a role may see: from the shown values for protected roles, from
    every value for analysts (docs/disclosure.md)."""
    return AnalyticsBasis.SHOWN if protect else AnalyticsBasis.ALL


def disclose_rows(rows: list[dict], *, indicator, national: bool, protect: bool) -> list[dict]:
    """``values()`` rows of one indicator's observations as ``user`` may see them (see
    ``indicators.disclosure``); analysts get the rows unchanged."""
    if not protect:
        return rows
    replacements = disclosure.protect_rows(
        rows, methods=[method_of(indicator)] * len(rows), national=[national] * len(rows)
    )
    return [row | replaced for row, replaced in zip(rows, replacements, strict=True)]


def domains_with_indicators(*, user) -> list[Domain]:
    """Every domain in order, each with ``visible_indicators`` (with owner) prefetched."""
    indicators = indicators_visible_to(user).select_related("owner").order_by("code")
    return list(
        Domain.objects.order_by("order", "code").prefetch_related(
            Prefetch("indicators", queryset=indicators, to_attr="visible_indicators")
        )
    )


def indicator_for_page(*, code: str, user) -> Indicator:
    """The indicator with its domain and owner, or Indicator.DoesNotExist if the user may not
    see it (a draft shown to a non-analyst is as good as missing)."""
    return indicators_visible_to(user).select_related("domain", "owner").get(code=code)


# --- Rank among the default comparator group ---------------------------------------------------


@dataclass(frozen=True)
class GroupRank:
    """Where an area stands among its default comparator group's members for one indicator."""

    group: ComparatorGroup
    period: str
    rank: int | None  # None: the area's value is missing or suppressed, so it is not ranked
    ranked: int  # members with a value that can be ranked

    @property
    def label(self) -> str:
        where = f"in {self.group.name} ({self.group.get_kind_display()})"
        if self.rank is None:
            return f"Not ranked {where}: no value to rank for {self.period}"
        return f"{_ordinal(self.rank)} of {self.ranked} {where}"


def default_group_ranks(
    *, indicators, area: Area, as_at: date | None = None, protect: bool = True
) -> dict[int, GroupRank]:
    """For each indicator, ``area``'s rank among the default comparator group's members in the
    period of the area's latest value (at ``as_at``), by value with the indicator's polarity.

    Ranks use the values ``protect``ed viewers see: suppressed and missing values are not
    ranked and do not count. Empty when there is no default group or ``area`` is not one of
    its members. One query whatever the number of indicators: the members' observations,
    each with its group, through the group membership."""
    indicators = {indicator.pk: indicator for indicator in indicators}
    if not indicators or area.pk is None:
        return {}
    period_filter = {"period__end__lte": as_at} if as_at else {}
    rows = list(
        Observation.objects.filter(
            area__comparator_groups__is_default=True,
            indicator_id__in=indicators,
            sex=Sex.PERSONS,
            category_type="",
            category="",
            age=F("indicator__default_age"),
            **period_filter,
        ).values(
            "indicator_id",
            "area_id",
            "area__code",
            "period_id",
            "period__label",
            "period__sort_key",
            "value",
            "count",
            "denominator",
            "value_note",
            "suppressed",
            "area__comparator_groups__code",
            "area__comparator_groups__name",
            "area__comparator_groups__kind",
            "area__comparator_groups__method_note",
        )  # fmt: skip
    )
    if not any(row["area_id"] == area.pk for row in rows):
        return {}
    first = rows[0]
    group = ComparatorGroup(
        code=first["area__comparator_groups__code"],
        name=first["area__comparator_groups__name"],
        kind=first["area__comparator_groups__kind"],
        method_note=first["area__comparator_groups__method_note"],
        is_default=True,
    )
    if protect:
        replacements = disclosure.protect_rows(
            rows,
            methods=[method_of(indicators[row["indicator_id"]]) for row in rows],
            national=[row["area__code"] == ENGLAND_CODE for row in rows],
        )
        rows = [row | replaced for row, replaced in zip(rows, replacements, strict=True)]
    by_indicator: dict[int, list[dict]] = {}
    for row in rows:
        by_indicator.setdefault(row["indicator_id"], []).append(row)
    ranks = {}
    for indicator_id, indicator_rows in by_indicator.items():
        # The period of the area's latest value (its latest row when it has no value at all),
        # the one the page shows beside the England comparison.
        own = sorted(
            (row for row in indicator_rows if row["area_id"] == area.pk),
            key=lambda row: (
                row["value"] is not None and not row["suppressed"],
                row["period__sort_key"],
            ),
        )
        if not own:
            continue
        period = own[-1]
        ranks[indicator_id] = _rank_in_period(
            [row for row in indicator_rows if row["period_id"] == period["period_id"]],
            area=area, group=group, period=period["period__label"],
            polarity=indicators[indicator_id].polarity,
        )  # fmt: skip
    return ranks


def _rank_in_period(rows, *, area, group, period, polarity) -> GroupRank:
    rankable = [row for row in rows if row["value"] is not None and not row["suppressed"]]
    ranks = rank_by_polarity([row["value"] for row in rankable], polarity=polarity)
    own = [rank for row, rank in zip(rankable, ranks, strict=True) if row["area_id"] == area.pk]
    return GroupRank(
        group=group,
        period=period,
        rank=int(own[0]) if own and not np.isnan(own[0]) else None,
        ranked=len(rankable),
    )


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


# --- Gap to target in people -----------------------------------------------------------------


def target_gap_for(
    *,
    indicator: Indicator,
    target: Target | None,
    period: str,
    value,
    count,
    denominator,
    protect: bool,
) -> TargetGap:
    """The headline area's gap to ``target`` at one period, from the value, count and
    denominator as the viewer sees them. For a protected viewer of a controlled indicator
    those counts are rounded, so the number is approximate and rounded up to the same 5 (and
    never from the exact counts, which it would give back)."""
    rounded = protect and indicator.disclosure_rule == DisclosureRule.STANDARD
    return target_gap(
        value_type=indicator.value_type, polarity=indicator.polarity,
        multiplier=indicator.multiplier,
        target=None if target is None else target_to_meet(
            value=target.value, lower=target.range_lower, upper=target.range_upper,
            polarity=indicator.polarity,
        ),
        value=value, count=count, denominator=denominator, period=period,
        modelled=indicator.disclosure_rule == DisclosureRule.NONE,
        round_to=disclosure.ROUND_TO if rounded else 1,
    )  # fmt: skip


def headline_target_gaps(*, indicators, area: Area, protect: bool) -> dict[int, TargetGap]:
    """Each indicator's gap to target for ``area`` (the headline area) at its latest value as
    the viewer sees it — the period the indicator page shows. Two queries."""
    indicators = {indicator.pk: indicator for indicator in indicators}
    if not indicators:
        return {}
    rows: dict[int, list[dict]] = {}
    for row in (
        Observation.objects.filter(
            indicator_id__in=indicators,
            area_id=area.pk,
            sex=Sex.PERSONS,
            category_type="",
            category="",
            age=F("indicator__default_age"),
        )
        .values(
            "indicator_id",
            "period__label",
            "value",
            "lower_95",
            "upper_95",
            "count",
            "denominator",
            "value_note",
            "suppressed",
        )
        .order_by("indicator_id", "period__sort_key")
    ):
        rows.setdefault(row["indicator_id"], []).append(row)
    targets = {
        target.indicator_id: target
        for target in Target.objects.filter(
            indicator_id__in=indicators, area_id=area.pk, sex=Sex.PERSONS
        )
    }
    gaps = {}
    for indicator_id, indicator in indicators.items():
        shown = disclose_rows(
            rows.get(indicator_id, []), indicator=indicator, national=False, protect=protect
        )
        with_value = [row for row in shown if row["value"] is not None]
        latest = (with_value or shown or [{}])[-1]
        gaps[indicator_id] = target_gap_for(
            indicator=indicator, target=targets.get(indicator_id),
            period=latest.get("period__label", ""), value=latest.get("value"),
            count=latest.get("count"), denominator=latest.get("denominator"), protect=protect,
        )  # fmt: skip
    return gaps
