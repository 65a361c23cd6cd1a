"""Summing up the tree: small areas into the groups that share their ancestors, then each
group's sums to every one of those ancestors that is computed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.rollup.codes import N_BANDS, N_ROLES, group_keys, group_sum
from ingest.rollup.coverage import Coverage
from ingest.rollup.rows import CodedRows
from ingest.rollup.tree import TreeArrays


@dataclass(eq=False)
class AreaSums:
    """Sums per ip × area × role × ethnic group × band × decile."""

    ip: np.ndarray
    area: np.ndarray
    role: np.ndarray
    ethnic: np.ndarray
    band: np.ndarray
    decile: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray


def sum_to_parents(rows: CodedRows, role: np.ndarray, tree: TreeArrays, coverage: Coverage):
    """Sum the small areas into groups that share every ancestor (their signature), keeping
    the decile, where any of those ancestors is computed. ``AreaSums.area`` holds the
    signature until ``spread_to_ancestors``."""
    signature = tree.signature[coverage.pair_unit]
    ancestors = tree.signature_ancestors[signature]
    pair_keep = (
        coverage.complete(np.repeat(coverage.pair_ip, ancestors.shape[1]), ancestors.ravel())
        .reshape(ancestors.shape)
        .any(axis=1)
    )
    parent = signature.astype(np.int32)[coverage.pair]
    decile = tree.decile[coverage.pair_unit].astype(np.int8)[coverage.pair]
    keep = pair_keep[coverage.pair]
    if keep.all():  # as usual: no copy of every column
        keep = slice(None)
    keys = [rows.ip[keep], parent[keep], role[keep], rows.ethnic[keep] + 1, rows.band[keep],
            decile[keep]]  # fmt: skip
    sizes = [
        len(rows.ip_indicator),
        len(tree.signature_ancestors),
        N_ROLES,
        len(rows.ethnic_names) + 1,
        N_BANDS + 1,
        11,
    ]
    ids, (ip, area, role, ethnic, band, decile) = group_keys(keys, sizes)
    n = len(ip)
    return AreaSums(
        ip, area, role, ethnic - 1, band, decile,
        group_sum(ids, rows.numerator[keep], n), group_sum(ids, rows.denominator[keep], n),
    )  # fmt: skip


def spread_to_ancestors(sums: AreaSums, tree: TreeArrays, coverage: Coverage) -> AreaSums:
    """Repeat each signature's sum for every computed ancestor of its small areas."""
    targets = tree.signature_ancestors[sums.area]
    width = targets.shape[1]
    area = targets.ravel()
    row = np.repeat(np.arange(len(sums.area)), width)
    keep = coverage.complete(sums.ip[row], area)
    row, area = row[keep], area[keep]
    return AreaSums(
        sums.ip[row], area, sums.role[row], sums.ethnic[row], sums.band[row],
        sums.decile[row], sums.numerator[row], sums.denominator[row],
    )  # fmt: skip
