"""From a file's columns of cells to a RawTable: clean each distinct value once, take the
first non-blank row as the header, drop blank rows, and refuse a header we cannot trust."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from ingest.parsing.table import CODE_TYPE, ExtractRejected, RawTable, cell_excerpt


def table_from_rows(
    rows: list[list[str]], errors: pd.DataFrame, *, notes: list[str], format: str
) -> RawTable:
    """The slow paths (malformed CSV, XLSX) produce rows of equal width; factorise columns."""
    if not rows or not rows[0]:
        raise ExtractRejected("The file has no header row and no data.")
    columns = [factorise(np.array(cells, dtype=object)) for cells in zip(*rows, strict=True)]
    return table_from_columns(columns, errors, notes=notes, format=format)


def factorise(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a column of cells; a missing cell (never expected) reads as ""."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    uniques = np.asarray(uniques, dtype=object)
    missing = pd.isna(uniques)
    if missing.any():
        uniques[missing] = ""
    return codes.astype(CODE_TYPE), uniques


def table_from_columns(
    columns: list[tuple[np.ndarray, np.ndarray]],
    errors: pd.DataFrame,
    *,
    notes: list[str],
    format: str,
) -> RawTable:
    """Clean every cell, take the first non-blank row as the header, drop blank rows.

    ``columns`` holds each file column as (codes, uniques), one code per record."""
    if not columns or len(columns[0][0]) == 0:
        raise ExtractRejected("The file has no header row and no data.")
    cleaned = [clean_column(codes, uniques) for codes, uniques in columns]
    blank = np.ones(len(columns[0][0]), dtype=bool)
    for codes, uniques, _ in cleaned:
        empty = np.flatnonzero(uniques == "")
        blank &= codes == (empty[0] if len(empty) else -1)
    non_blank = np.flatnonzero(~blank)
    if len(non_blank) == 0:
        raise ExtractRejected("The file has no header row and no data.")
    header_at, data_rows = non_blank[0], non_blank[1:]
    header = _column_names([uniques[codes[header_at]] for codes, uniques, _ in cleaned])
    if len(data_rows) == 0 and len(errors) == 0:
        shown = ", ".join(cell_excerpt(name) for name in header[:8])
        shown += ", …" if len(header) > 8 else ""
        raise ExtractRejected(f"The file has a header ({shown}) but no data rows.")

    distinct, cells = {}, {}
    for name, (codes, uniques, _) in zip(header, cleaned, strict=True):
        # Re-number the data rows' codes so that the uniques are only values the data uses,
        # in order of first appearance.
        data_codes, used = _renumber(codes, data_rows)
        distinct[name] = (data_codes, uniques[used])
        # Categorical: each cell is a code into the column's distinct texts, not a str of its
        # own (a million-row extract repeats a few hundred values).
        categories = pd.Index(uniques[used], dtype=object)
        cells[name] = pd.Categorical.from_codes(distinct[name][0], categories=categories)
    frame = pd.DataFrame(cells, index=pd.RangeIndex(len(data_rows)), copy=False)

    quoted = {name: example for name, (_, _, example) in zip(header, cleaned, strict=True)
              if example}  # fmt: skip
    if quoted:
        notes = [
            *notes,
            f"Removed literal double quotes left around values in {', '.join(quoted)} "
            f"(e.g. {cell_excerpt(next(iter(quoted.values())))}), as FingertipsNext exports "
            "write them.",
        ]
    return RawTable(
        frame=frame,
        source_rows=np.add(data_rows, 1, dtype=np.int64),  # record 0 is row 1
        notes=notes,
        format=format,
        errors=errors.reset_index(drop=True),
        distinct=distinct,
    )


def _renumber(codes: np.ndarray, data_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(codes[data_rows])``: the data rows' codes renumbered in order of first
    appearance, and which old code each new one was. Codes are in order of first appearance
    already, so when only the header (row 0) is dropped and its text does not recur, closing
    up the gap it leaves is enough."""
    if len(data_rows) == len(codes) - 1 and data_rows[0] == 1 and codes[0] == 0:
        data_codes = codes[1:]
        if not (data_codes == 0).any():
            shifted = np.subtract(data_codes, 1, dtype=CODE_TYPE)
            return shifted, np.arange(1, int(codes.max()) + 1)
    renumbered, used = pd.factorize(codes[data_rows])
    return renumbered.astype(CODE_TYPE), used


def clean_column(
    codes: np.ndarray, uniques: np.ndarray
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Clean each distinct value once (extracts repeat the same codes and labels millions of
    times). Returns new (codes, uniques), merging values that became equal, and one value
    that had quotes removed (or None)."""
    if len(uniques) == 0:
        return codes, uniques, None
    # Vectorised first (a Value column can hold a million distinct numbers); the rare values
    # wrapped in quotes are then cleaned one by one.
    text = uniques.astype(StringDType())
    stripped = np.strings.strip(text)
    quoted = (
        np.strings.startswith(stripped, '"')
        & np.strings.endswith(stripped, '"')
        & (np.strings.str_len(stripped) >= 2)
    )
    if not quoted.any() and not (stripped != text).any():
        return codes, uniques, None  # nothing to clean, so nothing to merge
    cleaned = stripped.astype(object)
    for position in np.flatnonzero(quoted):
        cleaned[position] = clean_cell(cleaned[position])
    example = str(stripped[np.flatnonzero(quoted)[0]]) if quoted.any() else None
    merged, merged_uniques = pd.factorize(cleaned)
    return merged.astype(CODE_TYPE)[codes], np.asarray(merged_uniques, dtype=object), example


def clean_cell(value) -> str:
    """One cell's text: stripped, and without literal quotes left around it. FingertipsNext
    writes a value containing a comma as a tripled-quote field, which parses to '"a, b"'."""
    text = "" if value is None else str(value).strip()
    while _has_wrapping_quotes(text):
        text = text[1:-1].strip()
    return text


def _has_wrapping_quotes(text: str) -> bool:
    return len(text) >= 2 and text[0] == '"' and text[-1] == '"'


def _column_names(header: list[str]) -> list[str]:
    """Header names, with blank ones named by position; a repeated name is refused because
    we could not tell which column the analyst meant."""
    names = [name or f"Column {position}" for position, name in enumerate(header, start=1)]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise ExtractRejected(
                f"The header names the column '{cell_excerpt(name)}' twice (columns "
                f"{seen[name]} and {position}). Rename or delete one of them."
            )
        seen[name] = position
    return names
