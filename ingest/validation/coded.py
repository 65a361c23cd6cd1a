"""Columns as codes into their distinct texts, so each check runs once per distinct value.

A million-row extract repeats the same few hundred codes and labels: ``Coded`` stands in for
a column of texts, and ``CodeBook`` remembers the codes of every column a check hands out, so
grouping rows by several columns never hashes strings.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ingest.parsing.table import CODE_TYPE


class Coded:
    """A column of texts as a code per row into its distinct texts (in order of first
    appearance), standing in for an object array of str: a million-row extract repeats a
    few hundred values, and building, hashing and holding a str per row is most of the
    cost of checking it. Indexing and comparing with one text work as on the array; numpy
    and pandas get the array itself (``np.asarray``) when they need it."""

    __slots__ = ("codes", "uniques", "_values")
    __hash__ = None  # compares elementwise, like an array

    def __init__(self, codes: np.ndarray, uniques: np.ndarray):
        self.codes, self.uniques, self._values = codes, uniques, None

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, key):
        return self.uniques[self.codes[key]]

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if self._values is None:
            self._values = self.uniques[self.codes] if len(self.uniques) else self.uniques[:0]
        return self._values if dtype is None else self._values.astype(dtype)

    def __eq__(self, text) -> np.ndarray:
        return self._each(lambda value: value == text)

    def __ne__(self, text) -> np.ndarray:
        return self._each(lambda value: value != text)

    def isin(self, texts) -> np.ndarray:
        return self._each(lambda value: value in texts)

    def _each(self, test: Callable[[str], bool]) -> np.ndarray:
        """Per row, ``test`` of its text, decided once per distinct text."""
        return np.array([test(value) for value in self.uniques], dtype=bool)[self.codes]


class CodeBook:
    """The integer codes of every column handed out while checking one table (the parse
    step's, or those of a check's result), and the row groupings built from them."""

    def __init__(self, length: int):
        self.length = length  # rows in the table
        # id(array) → (array, codes, uniques), with ``uniques[codes]`` equal to the array
        self._codes: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _remember(self, values: np.ndarray, codes: np.ndarray, uniques: np.ndarray) -> np.ndarray:
        self._codes[id(values)] = (values, codes, uniques)
        return values

    def coded(self, values: Coded | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(codes, uniques) of ``values``, codes in order of first appearance."""
        if isinstance(values, Coded):
            return values.codes, values.uniques
        known = self._codes.get(id(values))
        if known is None or known[0] is not values:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            self._remember(values, codes, np.asarray(uniques, dtype=object))
            known = self._codes[id(values)]
        return known[1], known[2]

    def codes_of(self, values: np.ndarray) -> np.ndarray:
        """Integer codes for ``values`` in order of first appearance (equal values, equal codes)."""
        return self.coded(values)[0]

    def is_one_of(self, values: np.ndarray, wanted: set[str]) -> np.ndarray:
        """Per row, whether the value is one of ``wanted``, decided once per distinct value."""
        codes, uniques = self.coded(values)
        hits = np.array([value in wanted for value in uniques], dtype=bool)
        return hits[codes] if len(codes) else np.zeros(0, dtype=bool)

    def categorical(self, values: np.ndarray) -> pd.Categorical:
        """``values`` as a pandas Categorical of its codes and distinct texts: no str per
        row, and the roll-up groups by the codes instead of hashing a million strings."""
        codes, uniques = self.coded(values)
        categories = pd.Index(uniques, dtype=object)
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))

    def groups(self, columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Group rows that agree on every column: (group id per row, first row of each group).

        Group ids count up in order of first appearance, which gives the first rows cheaply."""
        if self.length == 0:
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
        coded = [self.codes_of(column) for column in columns]
        sizes = [int(codes.max()) + 1 for codes in coded]
        group = coded[0]
        if len(coded) > 1 and math.prod(sizes) < 2**62:
            group, _ = pd.factorize(_mixed_radix(coded, sizes))
        else:
            for codes, size in zip(coded[1:], sizes[1:], strict=True):
                # Re-factorised each step so the numbers never overflow.
                group, _ = pd.factorize(group.astype(np.int64) * size + codes)
        group = np.asarray(group, dtype=np.int64)
        running_max = np.maximum.accumulate(group)
        is_first = np.empty(self.length, dtype=bool)
        is_first[0] = True
        is_first[1:] = group[1:] > running_max[:-1]
        return group, np.flatnonzero(is_first)

    def representatives(self, columns: list) -> tuple[np.ndarray, np.ndarray]:
        """Group rows that agree on every column: (group id per row, some row of each group),
        groups in no particular order. Where order does not matter this is cheaper than
        ``groups``: with few combinations, a table indexed by combination replaces hashing."""
        coded = [self.codes_of(column) for column in columns]
        sizes = [int(codes.max()) + 1 if len(codes) else 1 for codes in coded]
        combinations = math.prod(sizes)
        if self.length == 0 or combinations > self.length:
            return self.groups(columns)
        composite = _mixed_radix(coded, sizes)
        row_of = np.full(combinations, -1, dtype=np.int64)
        row_of[composite] = np.arange(self.length)  # some row of each combination present
        present = np.flatnonzero(row_of >= 0)
        number = np.zeros(combinations, dtype=CODE_TYPE)
        number[present] = np.arange(len(present))
        return number[composite], row_of[present]

    def all_distinct(self, columns: list[np.ndarray]) -> bool:
        """True when no two rows agree on every column, found without ``groups`` by ticking
        combinations off in a table when they are few enough (as in a counts extract);
        False when some rows may agree."""
        if self.length == 0:
            return True
        coded = [self.codes_of(column) for column in columns]
        sizes = [int(codes.max()) + 1 for codes in coded]
        combinations = math.prod(sizes)
        if combinations > DISTINCT_TABLE_PER_ROW * self.length:
            return False
        seen = np.zeros(combinations, dtype=bool)
        seen[_mixed_radix(coded, sizes)] = True
        return int(np.count_nonzero(seen)) == self.length


# all_distinct ticks combinations off in a table of up to this many bytes per row.
DISTINCT_TABLE_PER_ROW = 16


def _mixed_radix(coded: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    """One integer per row numbering its combination of codes (the product of sizes must be
    below 2**62): int32 when the combinations fit, to halve the memory."""
    dtype = np.int32 if math.prod(sizes) < 2**31 else np.int64
    composite = np.zeros(len(coded[0]), dtype=dtype)
    for codes, size in zip(coded, sizes, strict=True):
        composite *= size
        composite += codes
    return composite
