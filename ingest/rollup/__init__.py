"""Roll a granular counts extract up from its small areas to the larger areas it covers.

docs/design.md §4.4: each indicator × period is summed to every ancestor of its small areas
whose small areas are *all* in the extract; an ancestor that is only partly covered is skipped
and reported. For each computed area the cells are the headline (Persons), Male and Female,
the national deprivation quintiles and deciles of the system's edition (from each small area's
decile) and the extract's ethnic groups. docs/methods.md §0: numerators and denominators are
summed within each group before any statistic is computed, so this step only adds up;
``ingest.compute`` does the statistics.

Rules this step decides (each tested in ``tests/ingest/test_rollup.py``):

- **Totals win over their parts, never both.** Within one small area's cell, a ``Persons``
  row is the headline and its ``Male``/``Female`` rows only feed the sex breakdown; with no
  ``Persons`` row the headline is Male + Female. Likewise, for indicators that are not DSRs an
  ``All ages`` row replaces that cell's age-band rows. So a file may give totals, parts or
  both without anything being counted twice.
- **DSR cells keep their 19 ESP2013 age bands** (``numerator_<band>``, ``denominator_<band>``);
  a band the extract never gives for an indicator × period is NaN (outside the indicator's
  age range), a band it gives but a cell lacks is 0.
- **IMD quintile cells are always computed** where small areas have deciles, because the
  inequality summary (SII/RII across national quintiles) is derived for every rolled-up area;
  ``published`` says whether the indicator publishes them. Decile, sex and ethnic-group cells
  are computed only when published. Small areas without a decile (some practices) count in
  the headline but not in the IMD cells, and are listed in ``RollUp.without_decile``.
- **An ancestor whose registry tree is incomplete is not computed**: if any area below it has
  no children and is not a small area (say an ICB with no LSOAs loaded), "all of its small
  areas" cannot be checked, and rolling up would pass a part off as the whole (England
  computed from one ICB's LSOAs). It is reported in ``skipped`` with that reason.

The modules, from the bottom up: ``frames`` (what the step takes and gives), ``codes``
(integer codes, grouping and summing), ``tree`` (the registry as arrays, and ancestor
signatures), ``rows`` (the extract as codes; totals and parts), ``coverage`` (which ancestors
are complete), ``sums`` (summing up the tree) and ``cells`` (the cells of each area).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ingest.rollup.cells import cells_from_sums
from ingest.rollup.coverage import coverage_of
from ingest.rollup.frames import (
    BAND_DENOMINATOR_COLUMNS,
    BAND_NUMERATOR_COLUMNS,
    CELL_COLUMNS,
    PARTLY_COVERED,
    REGISTRY_INCOMPLETE,
    SKIPPED_COLUMNS,
    IndicatorSpec,
    RollUp,
)
from ingest.rollup.rows import (
    IndicatorPeriods,
    check_ages_and_ethnic_groups,
    coded_rows,
    resolve_totals,
)
from ingest.rollup.sums import spread_to_ancestors, sum_to_parents
from ingest.rollup.tree import AreaTree, TreeArrays

__all__ = [
    "BAND_DENOMINATOR_COLUMNS",
    "BAND_NUMERATOR_COLUMNS",
    "CELL_COLUMNS",
    "PARTLY_COVERED",
    "REGISTRY_INCOMPLETE",
    "SKIPPED_COLUMNS",
    "AreaTree",
    "IndicatorSpec",
    "RollUp",
    "TreeArrays",
    "roll_up",
]


def roll_up(
    counts: pd.DataFrame, *, areas: AreaTree | TreeArrays, indicators: Mapping[str, IndicatorSpec]
) -> RollUp:
    """Sum a validated counts frame (COUNTS_COLUMNS) to every area it fully covers.

    Raises ValueError for counts the roll-up cannot sum safely: an indicator with no
    specification, an area not in the tree, a DSR without age bands, one indicator × period
    mixing kinds of small area, or rows with and without an ethnic group.
    """
    if counts.empty:
        return RollUp(_empty(CELL_COLUMNS), _empty(SKIPPED_COLUMNS))
    tree = areas.arrays if isinstance(areas, AreaTree) else areas
    rows = coded_rows(counts, tree, indicators)
    periods = IndicatorPeriods.from_specs(rows.ip_indicator, indicators)
    check_ages_and_ethnic_groups(rows, periods)
    without_decile = tuple(sorted(tree.codes[np.unique(rows.unit[tree.decile[rows.unit] == 0])]))
    role = resolve_totals(rows, periods)
    coverage = coverage_of(rows, tree)
    sums = spread_to_ancestors(sum_to_parents(rows, role, tree, coverage), tree, coverage)
    if len(sums.ip) == 0:
        return RollUp(_empty(CELL_COLUMNS), coverage.skipped, without_decile)
    return RollUp(cells_from_sums(sums, rows, periods, tree), coverage.skipped, without_decile)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
