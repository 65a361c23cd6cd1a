"""Which ancestors of an extract's small areas have every one of their small areas in it,
per indicator × period, and which are skipped and why."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingest.rollup.codes import group_keys
from ingest.rollup.frames import PARTLY_COVERED, REGISTRY_INCOMPLETE, SKIPPED_COLUMNS
from ingest.rollup.rows import CodedRows
from ingest.rollup.tree import TreeArrays


@dataclass(frozen=True, eq=False)
class Coverage:
    complete_keys: np.ndarray  # sorted ip × n_areas + area of every ancestor to compute
    n_areas: int
    skipped: pd.DataFrame
    # Each row's ip × small area pair, and each pair's ip and small area: per-row questions
    # about a row's area are answered once per pair (a million rows hold about 50,000).
    pair: np.ndarray
    pair_ip: np.ndarray
    pair_unit: np.ndarray

    def complete(self, ip: np.ndarray, area: np.ndarray) -> np.ndarray:
        if len(self.complete_keys) == 0:
            return np.zeros(len(area), dtype=bool)
        keys = ip.astype(np.int64) * self.n_areas + area
        found = np.minimum(np.searchsorted(self.complete_keys, keys), len(self.complete_keys) - 1)
        return (area >= 0) & (self.complete_keys[found] == keys)


def coverage_of(rows: CodedRows, tree: TreeArrays) -> Coverage:
    """Which ancestors have every one of their small areas in the extract, per ip."""
    n_ip, n_areas = len(rows.ip_indicator), len(tree.codes)
    pair, (pair_ip, pair_unit) = group_keys([rows.ip, rows.unit], [n_ip, n_areas])
    unit_type = tree.type_code[pair_unit]
    _refuse_mixed_area_types(pair_ip, unit_type, rows, tree)

    depth = tree.ancestors.shape[1]
    ancestor = tree.ancestors[pair_unit].ravel()
    on_tree = ancestor >= 0
    ip = np.repeat(pair_ip, depth)[on_tree]
    ancestor = ancestor[on_tree]
    ids, (ip, ancestor) = group_keys([ip, ancestor], [n_ip, n_areas])
    present = np.bincount(ids)

    ip_unit_type = np.zeros(n_ip, dtype=np.int64)
    ip_unit_type[pair_ip] = unit_type
    total = np.zeros(len(ip), dtype=np.int64)
    for type_code in np.unique(unit_type):
        of_type = ip_unit_type[ip] == type_code
        total[of_type] = tree.descendant_counts(type_code)[ancestor[of_type]]
    incomplete = tree.incomplete(np.unique(unit_type))[ancestor]
    complete = (present == total) & ~incomplete

    skipped = pd.DataFrame(
        {
            "indicator_code": np.array(rows.ip_indicator, dtype=object)[ip[~complete]],
            "period_label": np.array(rows.ip_period, dtype=object)[ip[~complete]],
            "area_code": tree.codes.to_numpy()[ancestor[~complete]],
            "area_type": tree.type_names[tree.type_code[ancestor[~complete]]],
            "small_areas_present": present[~complete],
            "small_areas_total": total[~complete],
            "reason": np.where(
                present[~complete] < total[~complete], PARTLY_COVERED, REGISTRY_INCOMPLETE
            ),
        },
        columns=SKIPPED_COLUMNS,
    )
    skipped = skipped.sort_values(["indicator_code", "period_label", "area_code"])
    return Coverage(
        complete_keys=np.sort(ip[complete] * n_areas + ancestor[complete]),
        n_areas=n_areas,
        skipped=skipped.reset_index(drop=True),
        pair=pair,
        pair_ip=pair_ip,
        pair_unit=pair_unit,
    )


def _refuse_mixed_area_types(pair_ip, unit_type, rows: CodedRows, tree: TreeArrays) -> None:
    # LSOAs and practices cover the same people: summing both would count them twice.
    one_type = np.full(len(rows.ip_indicator), -1, dtype=np.int64)
    one_type[pair_ip] = unit_type  # any one of each ip's area types
    mixed = one_type[pair_ip] != unit_type
    if mixed.any():
        ip = pair_ip[mixed][0]
        names = sorted(set(tree.type_names[unit_type[pair_ip == ip]]))
        raise ValueError(
            f"Indicator {rows.ip_indicator[ip]}, {rows.ip_period[ip]}: counts are given for "
            f"more than one kind of area ({', '.join(names)}); use one kind per indicator"
        )
