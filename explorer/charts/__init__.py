"""Plotly figures for the explorer, as plain dicts: pure functions of the rows a page shows.

Colours follow Fingertips' conventions (better green, similar amber, worse red; higher and
lower in two blues where there is no judgement; quintiles in one hue), and every colour has a
legend entry naming it, so no chart relies on colour alone; each page also has the same data
as a table.

One module a page (``compare`` for compare areas and the map, ``summary``, ``inequalities``,
``trends``, ``funnel``) over ``style``, what they share.
"""

from explorer.charts.compare import compare_areas_figure, map_figure, quintile_classes
from explorer.charts.funnel import funnel_description, funnel_figure
from explorer.charts.inequalities import (
    compare_with_area,
    inequality_figure,
    inequality_over_time_figure,
)
from explorer.charts.summary import spine_figure, spine_positions
from explorer.charts.trends import trend_figure

__all__ = [
    "compare_areas_figure",
    "compare_with_area",
    "funnel_description",
    "funnel_figure",
    "inequality_figure",
    "inequality_over_time_figure",
    "map_figure",
    "quintile_classes",
    "spine_figure",
    "spine_positions",
    "trend_figure",
]
