"""Derive step: everything pages read besides the values themselves.

For each affected indicator, recompute from the stored observations: the comparison of every
value with England and with its parent area (95% CI against the comparator, Fingertips §9.1)
and with its target (RAG, §9.5); each series' recent trend (§10) and XmR chart (§11); and
each area-period's inequality summary across national IMD quintiles (§6). Recomputing the
whole indicator is what makes a new England value, a new period or a revert correct
everywhere it matters. In the pipeline it runs before the write, over the stored rows with
the extract's rows in their place, so each new row is written once with its derived columns
(``observations_apply``).

The steps' modules: ``frames`` (what is read from the database, and the derived columns
written back), ``comparisons``, ``series`` (recent trends and SPC), ``inequality`` and
``pipeline``, which runs them; the pipeline's entry points are imported here.
"""

from ingest.derive.pipeline import (
    Derivation,
    DeriveSummary,
    SeriesResults,
    analytics_derive,
    observations_apply,
    observations_derive,
    series_derive,
    series_write,
)

__all__ = [
    "Derivation",
    "DeriveSummary",
    "SeriesResults",
    "analytics_derive",
    "observations_apply",
    "observations_derive",
    "series_derive",
    "series_write",
]
