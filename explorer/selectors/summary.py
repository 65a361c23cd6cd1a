"""The area summary's reads: each indicator's latest value for the area, with the spread
across its peers and England's value, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import OuterRef, Q, QuerySet, Subquery

from explorer.selectors.shared import export_ready
from indicators import disclosure
from indicators.models import Indicator, Observation, SeriesAnalytics
from indicators.querysets import method_of
from indicators.selectors import analytics_basis
from indicators.vocabulary import ENGLAND_CODE


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
    return export_ready(Observation.objects.filter(pk__in=latest_ids), selection)


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
