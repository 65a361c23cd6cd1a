"""The area registry as the roll-up needs it: ``AreaTree`` as the caller builds it, and
``TreeArrays``, the same tree indexed by position with every area's ancestors in every
hierarchy, and the signatures that let small areas with the same ancestors be summed once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from indicators.area_types import SMALL_AREA_TYPES
from indicators.vocabulary import DEFAULT_DEPRIVATION


@dataclass(frozen=True, eq=False)
class AreaTree:
    """The area registry as the roll-up needs it; the caller builds it from the database.

    ``area_type`` names every area (its keys are the tree's areas); ``parent`` maps an area to
    its parent's code (absent or None at the root); ``imd_decile`` holds the national decile
    (1 = most deprived) in the deprivation edition ``deprivation`` of the small areas that
    have one, and the breakdowns are labelled with that edition's category types.
    """

    area_type: Mapping[str, str]
    parent: Mapping[str, str | None]
    imd_decile: Mapping[str, int] = field(default_factory=dict)
    deprivation: str = DEFAULT_DEPRIVATION
    # Further parents in other hierarchies (area code → parent codes): an LSOA's district.
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_records(
        cls,
        records: Iterable[tuple[str, str | None, str, int | None]],
        links: Iterable[tuple[str, str]] = (),
        deprivation: str = DEFAULT_DEPRIVATION,
    ) -> AreaTree:
        """From (code, parent code, area type, IMD decile) tuples, e.g. a ``values_list``,
        and (code, further parent code) pairs."""
        area_type, parent, deciles = {}, {}, {}
        for code, parent_code, type_code, decile in records:
            area_type[code] = type_code
            parent[code] = parent_code or None
            if decile is not None and not pd.isna(decile):
                deciles[code] = int(decile)
        linked: dict[str, tuple[str, ...]] = {}
        for code, parent_code in links:
            linked[code] = (*linked.get(code, ()), parent_code)
        return cls(area_type=area_type, parent=parent, imd_decile=deciles, links=linked,
                   deprivation=deprivation)  # fmt: skip

    @cached_property
    def arrays(self) -> TreeArrays:
        return TreeArrays.from_tree(self)


@dataclass(frozen=True, eq=False)
class TreeArrays:
    """The tree indexed by position: parents, types, deciles and every area's ancestors."""

    codes: pd.Index
    parent: np.ndarray  # position of the parent, -1 at a root
    type_names: np.ndarray
    type_code: np.ndarray
    decile: np.ndarray  # 0 when unknown
    ancestors: np.ndarray  # (areas × depth): every hierarchy's, nearest first, padded with -1
    has_children: np.ndarray
    # Areas with the same ancestors share a signature; small areas are summed per signature
    # first, then each sum goes once to each of the signature's ancestors.
    signature: np.ndarray  # per area
    signature_ancestors: np.ndarray  # (signatures × depth), padded with -1
    deprivation: str = DEFAULT_DEPRIVATION  # the edition of ``decile``

    @classmethod
    def from_tree(cls, tree: AreaTree) -> TreeArrays:
        codes = pd.Index(list(tree.area_type), dtype=object)
        parent_codes = [tree.parent.get(code) for code in codes]
        parent = codes.get_indexer(parent_codes)
        unknown = [p for p, i in zip(parent_codes, parent, strict=True) if p and i < 0]
        link_child = codes.get_indexer(
            [code for code, linked in tree.links.items() for _ in linked]
        )
        link_codes = [parent_code for linked in tree.links.values() for parent_code in linked]
        link_parent = codes.get_indexer(link_codes)
        unknown += [p for p, i in zip(link_codes, link_parent, strict=True) if i < 0]
        if unknown or (link_child < 0).any():
            missing = unknown[0] if unknown else "a linked area"
            raise ValueError(f"AreaTree: parent area {missing!r} is not in the tree")
        type_code, type_names = pd.factorize(pd.Index(list(tree.area_type.values()), dtype=object))
        decile = np.array([tree.imd_decile.get(code) or 0 for code in codes], dtype=np.int64)
        if ((decile < 0) | (decile > 10)).any():
            raise ValueError("AreaTree: an IMD decile is outside 1–10")
        parent = parent.astype(np.int64)
        child = np.concatenate([np.flatnonzero(parent >= 0), link_child]).astype(np.int64)
        up = np.concatenate([parent[parent >= 0], link_parent]).astype(np.int64)
        signature, signatures = _ancestor_sets(child, up, len(codes))
        ancestors = signatures[signature]
        return cls(
            codes=codes,
            parent=parent,
            type_names=np.asarray(type_names, dtype=object),
            type_code=type_code.astype(np.int64),
            decile=decile,
            ancestors=ancestors,
            has_children=np.bincount(up, minlength=len(codes)) > 0,
            signature=signature,
            signature_ancestors=signatures,
            deprivation=tree.deprivation,
        )

    def descendant_counts(self, type_code: int) -> np.ndarray:
        """For every area, how many areas of this type the tree has below it."""
        below = self.ancestors[self.type_code == type_code].ravel()
        return np.bincount(below[below >= 0], minlength=len(self.codes))

    def incomplete(self, unit_types: np.ndarray) -> np.ndarray:
        """Areas with a childless area below them that is not a small area (no small areas
        loaded for it), so their small areas cannot all be counted."""
        small = np.isin(self.type_names, list(SMALL_AREA_TYPES))
        small[unit_types] = True
        bare = ~self.has_children & ~small[self.type_code]
        flagged = self.ancestors[bare].ravel()
        result = np.zeros(len(self.codes), dtype=bool)
        result[flagged[flagged >= 0]] = True
        return result


def _ancestor_sets(
    child: np.ndarray, parent: np.ndarray, n_areas: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each area's ancestors along every (child, parent) edge, nearest first and each once.

    Areas with the same parents have the same ancestors, and there are few distinct sets of
    parents (all of England's 33,000 LSOAs have about 600), so each set is worked out once,
    from its parents' own ancestors. Returns each area's signature (its set of parents'
    number) and the signatures' ancestors (signatures × depth, padded with -1)."""
    order = np.lexsort((parent, child))
    child, parent = child[order], parent[order]
    keep = np.r_[True, (child[1:] != child[:-1]) | (parent[1:] != parent[:-1])][: len(child)]
    child, parent = child[keep], parent[keep]
    parents_of: list[tuple[int, ...]] = [()] * n_areas
    starts = np.flatnonzero(np.r_[True, child[1:] != child[:-1]])[: len(child)]
    for start, end in zip(starts, np.r_[starts[1:], len(child)][: len(starts)], strict=True):
        parents_of[int(child[start])] = tuple(parent[start:end].tolist())
    found: dict[int, dict[int, int]] = {}  # area → {ancestor: distance}

    def ancestors_of(area: int) -> dict[int, int]:
        pending, path = [area], set()
        while pending:  # depth first, without recursion: a deep tree cannot overflow
            current = pending[-1]
            if current in found:
                pending.pop()
                continue
            waiting = [item for item in parents_of[current] if item not in found]
            if waiting:
                if current in path or any(item in path for item in waiting):
                    raise ValueError("AreaTree: the parent links form a cycle")
                path.add(current)
                pending += waiting
                continue
            distances: dict[int, int] = {}
            for item in parents_of[current]:
                for ancestor, distance in [(item, 0), *found[item].items()]:
                    if distance + 1 < distances.get(ancestor, n_areas + 1):
                        distances[ancestor] = distance + 1
            if current in distances:
                raise ValueError("AreaTree: the parent links form a cycle")
            found[current] = distances
            path.discard(current)
            pending.pop()
        return found[area]

    numbers: dict[tuple[int, ...], int] = {}
    signature = np.array([numbers.setdefault(item, len(numbers)) for item in parents_of])
    rows = []
    for item in numbers:  # in number order: one set of parents at a time
        distances: dict[int, int] = {}
        for parent_area in item:
            for ancestor, distance in [(parent_area, 0), *ancestors_of(parent_area).items()]:
                if distance + 1 < distances.get(ancestor, n_areas + 1):
                    distances[ancestor] = distance + 1
        rows.append(sorted(distances, key=lambda ancestor: (distances[ancestor], ancestor)))
    width = max((len(row) for row in rows), default=0)
    table = np.full((len(rows), width), -1, dtype=np.int64)
    for number, row in enumerate(rows):
        table[number, : len(row)] = row
    return signature.astype(np.int64), table
