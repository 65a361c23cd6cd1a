"""Reads for the data explorer.

Every function runs a small fixed number of queries whatever the number of areas and periods:
the pages fetch one set of rows each and shape them in Python. The querysets that feed the
pages are also what the CSV download writes, so the download is exactly what is shown.

The modules: ``options`` (what the filters offer), ``pages`` (compare areas, the map, trends,
inequalities and each page's download), ``summary`` (the area summary), ``api`` (the JSON
API) and ``shared`` (what they share). The views, forms and tables read them from here.
"""

from explorer.selectors.api import (
    api_areas,
    api_indicators,
    api_inequality_summaries,
    api_observation_page,
    api_observations,
)
from explorer.selectors.options import (
    Availability,
    breakdown_category_types,
    explorer_area_types,
    explorer_areas,
    explorer_groups,
    explorer_indicators,
    explorer_periods,
    group_members,
    indicator_availability,
    is_home_area,
)
from explorer.selectors.pages import (
    area_aliases,
    compare_observations,
    inequality_observations,
    inequality_summaries,
    observations_by_pk,
    page_observations,
    trend_areas,
    trend_observations,
)
from explorer.selectors.shared import natural_key, series_analytics_for, series_key
from explorer.selectors.summary import SummaryRow, area_summary, summary_observations

__all__ = [
    "Availability",
    "SummaryRow",
    "api_areas",
    "api_indicators",
    "api_inequality_summaries",
    "api_observation_page",
    "api_observations",
    "area_aliases",
    "area_summary",
    "breakdown_category_types",
    "compare_observations",
    "explorer_area_types",
    "explorer_areas",
    "explorer_groups",
    "explorer_indicators",
    "explorer_periods",
    "group_members",
    "indicator_availability",
    "inequality_observations",
    "inequality_summaries",
    "is_home_area",
    "natural_key",
    "observations_by_pk",
    "page_observations",
    "series_analytics_for",
    "series_key",
    "summary_observations",
    "trend_areas",
    "trend_observations",
]
