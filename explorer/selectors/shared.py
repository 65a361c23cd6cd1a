"""What the explorer's reads share: a page's rows in export order and disclosed, the order of
labels with numbers in them, and the derived analytics of the series shown."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from indicators.models import Observation, SeriesAnalytics
from indicators.selectors import analytics_basis


def export_ready(queryset: QuerySet[Observation], selection) -> QuerySet[Observation]:
    """What a page shows, in export order, with disclosure control applied as it is read."""
    return (
        queryset.select_related("indicator", "area", "area__area_type", "area__parent", "period")
        .order_by("indicator__code", "period__sort_key", "area__code", "sex", "category")
        .disclosed(protect=selection.protect)
    )


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
