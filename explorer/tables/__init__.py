"""The explorer's tables: each builder reads what its page shows through one selector and turns
it into typed rows, which feed the page's table, its chart and its download alike, so the three
always agree.

A builder that finds nothing to show raises ``NoData``, with the reason and the nearest
combination of filters that has data; the pages render it in one place (``views.explorer_page``).

One module a page (``compare`` for compare areas and the map, ``inequalities``, ``trends``,
``summary``, ``funnel``) over ``rows``, the rows they share, and ``no_data``.
"""

from explorer.tables.compare import compare_table, map_table
from explorer.tables.funnel import (
    FUNNEL_CSV_COLUMNS,
    POSITION_ORDER,
    funnel_table,
    write_funnel_csv,
)
from explorer.tables.inequalities import inequality_gap_rows, inequality_table
from explorer.tables.no_data import NoData
from explorer.tables.summary import summary_table
from explorer.tables.trends import trend_table

__all__ = [
    "FUNNEL_CSV_COLUMNS",
    "POSITION_ORDER",
    "NoData",
    "compare_table",
    "funnel_table",
    "inequality_gap_rows",
    "inequality_table",
    "map_table",
    "summary_table",
    "trend_table",
    "write_funnel_csv",
]
