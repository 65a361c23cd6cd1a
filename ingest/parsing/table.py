"""The parse step's output, and the wording it shares: ``RawTable``, ``ExtractRejected``,
and how a cell's text is quoted back in messages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingest.schema import ERROR_COLUMNS

# Cell values quoted back in messages, the error report and the extract page, at most.
SHOWN_CHARACTERS = 200

CODE_TYPE = np.int32  # codes of distinct cell values: half the memory of int64


class ExtractRejected(Exception):
    """The whole file cannot be read; ``message`` tells the analyst why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RawTable:
    """A file's cells as text: one column per header name, one row per non-blank data row."""

    frame: pd.DataFrame  # every cell a str, stripped; "" when empty (categorical columns)
    source_rows: np.ndarray  # int64, the row number in the file of each frame row (header = 1)
    notes: list[str] = field(default_factory=list)  # what we assumed while reading
    format: str = "csv"  # "csv" or "xlsx"
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    # Column name → (codes, uniques) with ``uniques[codes]`` equal to the column, codes in order
    # of first appearance: validation looks each distinct value up once without hashing a
    # million strings again. Filled by read_table; computed on demand for hand-built tables.
    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def column_codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, uniques) of one column, the uniques in order of first appearance."""
        if name not in self.distinct:
            codes, uniques = pd.factorize(self.frame[name].to_numpy(dtype=object))
            self.distinct[name] = (codes.astype(CODE_TYPE), np.asarray(uniques, dtype=object))
        return self.distinct[name]

    @property
    def rows_read(self) -> int:
        """Data rows in the file, counting those rejected while parsing (blank rows excluded)."""
        rejected = self.errors["row"].nunique() if len(self.errors) else 0
        return len(self.frame) + rejected


def cell_excerpt(text) -> str:
    """A cell's text as quoted back in a message, the error report or the extract page: whole
    up to SHOWN_CHARACTERS, else its start and its full length, so that one 5 MB field cannot
    make a 10 MB page. Never longer than SHOWN_CHARACTERS, so applying it twice is harmless."""
    text = "" if text is None else str(text)
    if len(text) <= SHOWN_CHARACTERS:
        return text
    length = f"…({len(text):,} characters)"
    return text[: SHOWN_CHARACTERS - len(length)] + length


def empty_errors() -> pd.DataFrame:
    return pd.DataFrame(columns=ERROR_COLUMNS)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"
