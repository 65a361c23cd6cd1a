"""Making Data Count XmR charts, as NHSRplotthedots 0.2.2 computes them (docs/methods.md §11).

One computation serves both entry points: ``xmr_chart`` for one series and
``xmr_charts_by_series`` for a long DataFrame of many series. Both run the same vectorised
core over "segments" (one series × rebase group), so the ingest pipeline handles tens of
thousands of series in a handful of numpy passes rather than a Python loop per series.

Options mirror the known differences from the MDC Excel "Single Chart" tool (§11.6):

- ``screen_outliers`` (default True, as R): screen moving ranges ≥ 3.267 × MR̄ once. Excel
  does not screen; pass False to match it.
- ``two_in_three_counts_beyond_limits`` (default False, as R 0.2.2): MDC guidance since
  Nov 2023 counts points beyond 3σ towards two-in-three (NHSRplotthedots#194).
- ``run_length`` and ``trend_length`` (default 7, as R): Excel can use 6 (#195, #202).

Not offered, because they would change the meaning of a label rather than a threshold:
Excel's "improvement wins" for conflicting signals (R uses the §11.2 precedence, #200),
counting ties once, ``target ≥ UPL`` at equality, and 3/1.128 in place of 2.66.

The modules, from the bottom up: ``inputs`` (checks on a series, polarity and target),
``rules`` (runs, trends, two in three), ``icons`` (labels and icons), ``core`` (limits, and
the vectorised pass), ``notes`` (what is said beside a chart, and when a series gets a run
chart instead) and ``charts`` (the entry points). They are imported from here.
"""

from indicators.statistics.spc.charts import (
    XmrChart,
    XmrGroup,
    XmrTables,
    xmr_chart,
    xmr_charts_by_series,
)
from indicators.statistics.spc.core import (
    LIMIT_MULTIPLIER,
    MINIMUM_FIXED_BASELINE,
    MINIMUM_POINTS,
    NEAR_LIMIT_MULTIPLIER,
    SCREENING_MULTIPLIER,
    TRIAL_LIMITS_BELOW,
)
from indicators.statistics.spc.icons import (
    ASSURANCE_LABELS,
    COMMON_CAUSE,
    VARIATION_LABELS,
    assurance_icon,
)
from indicators.statistics.spc.notes import (
    INSUFFICIENT_VARIATION_NOTE,
    POOLED_PERIODS_NOTE,
    TOO_FEW_POINTS_NOTE,
    TRIAL_LIMITS_NOTE,
    periods_overlap,
)
from indicators.statistics.spc.rules import part_of, run_ends, trend_ends, two_in_three_windows

__all__ = [
    "ASSURANCE_LABELS",
    "COMMON_CAUSE",
    "INSUFFICIENT_VARIATION_NOTE",
    "LIMIT_MULTIPLIER",
    "MINIMUM_FIXED_BASELINE",
    "MINIMUM_POINTS",
    "NEAR_LIMIT_MULTIPLIER",
    "POOLED_PERIODS_NOTE",
    "SCREENING_MULTIPLIER",
    "TOO_FEW_POINTS_NOTE",
    "TRIAL_LIMITS_BELOW",
    "TRIAL_LIMITS_NOTE",
    "VARIATION_LABELS",
    "XmrChart",
    "XmrGroup",
    "XmrTables",
    "assurance_icon",
    "part_of",
    "periods_overlap",
    "run_ends",
    "trend_ends",
    "two_in_three_windows",
    "xmr_chart",
    "xmr_charts_by_series",
]
