"""The table under check: its fields as texts, the rules that span rows, and the result.

``RowChecker`` hands out a field's cells (``text``), records errors against a field
(``require``, ``per_distinct``) and, at the end, builds the ``Validated`` result from the
rows without errors. Its codes live in a ``CodeBook`` and its errors in an ``ErrorLog``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingest.parsing.table import CODE_TYPE, RawTable, cell_excerpt
from ingest.validation.coded import CodeBook, Coded
from ingest.validation.errors import ErrorLog

NEW_AREA_COLUMNS = ["code", "name", "area_type", "parent_code"]


@dataclass
class Validated:
    """A validated extract: the rows that passed, every problem found, and what we assumed."""

    # VALUES_COLUMNS or COUNTS_COLUMNS; only the rows without errors. A counts frame's text
    # columns are categorical: a code per row into the column's distinct texts.
    frame: pd.DataFrame
    errors: pd.DataFrame  # ERROR_COLUMNS, one row per problem, in file order
    notes: list[str]  # what validation assumed (the parse step's own are in RawTable.notes)
    rows_read: int  # data rows in the file (blank rows aside), including rejected ones
    new_areas: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NEW_AREA_COLUMNS))


class RowChecker:
    """Reads the columns of one RawTable and collects row errors against them."""

    def __init__(self, raw: RawTable, columns: dict[str, str]):
        self.raw_table = raw
        self.columns = dict(columns)
        self.length = len(raw.frame)
        self.codes = CodeBook(self.length)
        self.errors = ErrorLog(np.asarray(raw.source_rows, dtype=np.int64))
        self._texts: dict[str, Coded] = {}

    # Reading ------------------------------------------------------------------------------

    def column_name(self, field_name: str) -> str:
        return self.columns.get(field_name, field_name)

    def text(self, field_name: str) -> Coded:
        """The column's cells as texts ("" everywhere if the file lacks it)."""
        if field_name not in self._texts:
            if field_name in self.columns:
                codes, uniques = self.raw_table.column_codes(self.columns[field_name])
            else:
                codes, uniques = np.zeros(self.length, dtype=CODE_TYPE), np.array([""], object)
            self._texts[field_name] = Coded(codes, uniques)
        return self._texts[field_name]

    def raw(self, field_name: str, i: int) -> str:
        """One cell's text as a message quotes it (shortened if long)."""
        return cell_excerpt(self.text(field_name)[i])

    def swap(self, first: str, second: str) -> None:
        """Read two fields from each other's columns (errors then name the right column)."""
        first_text, second_text = self.text(first), self.text(second)
        self._texts[first], self._texts[second] = second_text, first_text
        first_column, second_column = self.columns.get(first), self.columns.get(second)
        for field_name, column in ((first, second_column), (second, first_column)):
            if column is None:
                self.columns.pop(field_name, None)
            else:
                self.columns[field_name] = column

    def is_empty(self, field_name: str) -> np.ndarray:
        """Per row, whether the field's cell is empty, without building its texts."""
        if field_name in self._texts or field_name not in self.columns:
            return self.codes.is_one_of(self.text(field_name), {""})
        codes, uniques = self.raw_table.column_codes(self.columns[field_name])
        return np.asarray(uniques == "", dtype=bool)[codes]

    # Recording ----------------------------------------------------------------------------

    def require(self, field_name: str, failing: np.ndarray, message: str | Callable) -> None:
        """Record an error on each failing row. ``message`` is a str, or a function of the
        row position for messages that quote other cells (called for failing rows only)."""
        failing = np.asarray(failing, dtype=bool)
        if not failing.any():
            return
        where = np.flatnonzero(failing)
        messages = [message(i) for i in where] if callable(message) else message
        self.record(field_name, where, messages)

    def record(self, field_name: str, where: np.ndarray, messages) -> None:
        """An error on each row position in ``where``, quoting the field's cell ("" for an
        error about the whole row)."""
        self.errors.record(
            where,
            column=self.column_name(field_name) if field_name else "",
            values=self.text(field_name)[where] if field_name else "",
            messages=messages,
        )

    def per_distinct(self, field_name: str, check: Callable, *, also=()) -> Coded:
        """Apply ``check(text, *also_values) -> (result, message or None)`` once per distinct
        combination of the field's text and the ``also`` columns. Rows whose combination
        fails get an error with its message. Returns the result per row."""
        texts = self.text(field_name)
        if also:
            group, some = self.codes.representatives([texts, *also])
            arguments = [(texts[row], *(a[row] for a in also)) for row in some]
        else:
            # One column: its codes are the groups, and its distinct texts (each used, in
            # order of first appearance) are what to check.
            group, uniques = self.codes.coded(texts)
            arguments = [(text,) for text in uniques]
        results = np.empty(len(arguments), dtype=object)
        messages = np.empty(len(arguments), dtype=object)
        for position, argument in enumerate(arguments):
            results[position], messages[position] = check(*argument)
        failing = np.flatnonzero(pd.notna(messages)[group]) if len(arguments) else []
        if len(failing):
            self.record(field_name, failing, messages[group[failing]])
        if len(arguments) == 0:
            return Coded(np.zeros(0, dtype=CODE_TYPE), np.array([], dtype=object))
        merged, uniques = pd.factorize(results, use_na_sentinel=False)  # "male", "Male" → one
        if (merged == np.arange(len(merged))).all():  # nothing merged: the groups are the codes
            return Coded(np.asarray(group, dtype=CODE_TYPE), np.asarray(uniques, dtype=object))
        return Coded(merged.astype(CODE_TYPE)[group], np.asarray(uniques, dtype=object))

    # Rules across rows --------------------------------------------------------------------

    def refuse_duplicates(
        self, key: list[np.ndarray], described: str, *, keep_exact_repeats: bool = False
    ) -> None:
        """Report every row after the first with the same key, naming the row it repeats.

        With ``keep_exact_repeats`` a row identical in every column to the one it repeats is
        kept once (with a note) rather than refused: nothing is lost by dropping a copy."""
        if self.codes.all_distinct(key):
            return
        group, first_of_group = self.codes.groups(key)
        first = first_of_group[group] if len(group) else group
        repeated = np.flatnonzero(first != np.arange(self.length))
        repeated = repeated[~self.errors.set_aside[repeated]]
        if len(repeated) and keep_exact_repeats:
            identical = np.ones(len(repeated), dtype=bool)
            for column in self.raw_table.frame.columns:
                cells = self.raw_table.frame[column].to_numpy(dtype=object)
                identical &= cells[repeated] == cells[first[repeated]]
            if identical.any():
                self.errors.bad[repeated[identical]] = True
                self.errors.notes.append(
                    f"{int(identical.sum()):,} rows repeated an earlier row exactly and were "
                    "kept once."
                )
            repeated = repeated[~identical]
        if len(repeated) == 0:
            return
        originals = self.errors.source_rows[first[repeated]]
        messages = [f"This row repeats row {row} (same {described})." for row in originals]
        self.record("", repeated, messages)

    def refuse_totals_beside_parts(
        self, field_name: str, cell: list[np.ndarray], *, total: np.ndarray, message: str
    ) -> None:
        """Refuse total rows (All ages, Persons) in a cell that also has rows for its parts."""
        if not total.any() or total.all():
            return
        group, some = self.codes.representatives(cell)
        has_parts = np.zeros(len(some), dtype=bool)
        has_parts[group[~total]] = True
        self.require(field_name, total & has_parts[group], message)

    # Result -------------------------------------------------------------------------------

    def result(self, frame: pd.DataFrame, *, notes: list[str], new_areas=None) -> Validated:
        """The rows without errors (typed), and every error in file order."""
        errors = self.errors.report(self.raw_table.errors)
        if self.errors.bad.any():
            frame = frame[~self.errors.bad].reset_index(drop=True)
        types = {}
        for column in frame.columns:
            if column == "source_row":
                types[column] = "int64"
            elif column == "suppressed":
                types[column] = "bool"
            elif isinstance(frame[column].dtype, pd.CategoricalDtype):
                continue  # texts as codes into their distinct values (counts extracts)
            elif frame[column].dtype.kind == "f":
                types[column] = "float64"
            else:
                types[column] = "str"
        if new_areas is None:
            new_areas = pd.DataFrame(columns=NEW_AREA_COLUMNS)
        return Validated(
            frame=frame.astype(types),
            errors=errors,
            notes=[*notes, *self.errors.notes],
            rows_read=self.raw_table.rows_read,
            new_areas=new_areas.astype("str"),
        )
