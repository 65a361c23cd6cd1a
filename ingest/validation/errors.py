"""How row problems are worded and collected.

Every problem becomes a row of the error report: the file row, the column, the offending text
and what is wrong. Any text quoted back is shortened (``cell_excerpt``), so one 5 MB cell
cannot make a 10 MB report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingest.parsing.table import SHOWN_CHARACTERS, cell_excerpt
from ingest.schema import ERROR_COLUMNS


def quoted(text: str) -> str:
    """A cell's text in quotes for a message, shortened as everywhere a value is echoed."""
    return repr(cell_excerpt(text))


def shortened(cells: pd.Series) -> pd.Series:
    """The error report's values through ``cell_excerpt``, calling it only for long ones (a
    failed extract can have a million errors)."""
    long = cells.str.len() > SHOWN_CHARACTERS
    if not long.any():
        return cells
    cells = cells.copy()
    cells[long] = cells[long].map(cell_excerpt)
    return cells


def short_list(codes: list[str], limit: int = 6) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


class ErrorLog:
    """The problems found in one table, and the rows they keep out of the result.

    A row is kept out (``bad``) by an error, or without one: set aside on the analyst's
    instruction, or an exact repeat of an earlier row."""

    def __init__(self, source_rows: np.ndarray):
        self.source_rows = source_rows  # int64, the file row of each table row
        self.bad = np.zeros(len(source_rows), dtype=bool)
        self.set_aside = np.zeros(len(source_rows), dtype=bool)  # rows left out without an error
        self.notes: list[str] = []  # what the checks assumed or set aside, for the report
        self.parts: list[pd.DataFrame] = []

    def record(self, where: np.ndarray, *, column: str, values, messages) -> None:
        """An error on each row position in ``where``, quoting ``values`` from ``column``."""
        self.bad[where] = True
        self.parts.append(
            pd.DataFrame(
                {
                    "row": self.source_rows[where],
                    "column": column,
                    "value": values,
                    "message": messages,
                }
            )
        )

    def leave_out(self, rows: np.ndarray, *, note: str) -> None:
        """Leave rows out without an error, as the analyst asked, saying so in a note."""
        self.bad[rows] = True
        self.set_aside |= rows
        self.notes.append(note)

    def report(self, earlier: pd.DataFrame) -> pd.DataFrame:
        """Every error, ``earlier`` ones (the parse step's) with these, in file order."""
        errors = pd.concat([earlier, *self.parts], ignore_index=True)
        errors = errors.reindex(columns=ERROR_COLUMNS)
        if len(errors):
            errors = errors.sort_values("row", kind="stable").reset_index(drop=True)
        errors = errors.astype({"row": "int64", "column": "str", "value": "str", "message": "str"})
        errors["value"] = shortened(errors["value"])
        return errors
