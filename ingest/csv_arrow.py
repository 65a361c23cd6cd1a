"""The fast way to read a well-formed UTF-8 CSV: pyarrow's multi-threaded reader.

pyarrow parses on every core and hands each column back dictionary-encoded, so a million
rows that repeat a few hundred codes never become a million Python strings. It reads cells
exactly as pandas' C parser does for well-formed files (every cell as text, "" when empty,
quoted newlines, BOM dropped); ``tests/ingest/test_csv_arrow.py`` holds it to that. Anything
it would read differently — short or long rows, a quote left open at the end of the file —
returns None, and the caller reads the file the careful way, which also words the errors.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

QUOTE = b'"'
# Each cell as a code into its column's distinct texts, built while parsing.
TEXT = pa.dictionary(pa.int32(), pa.string())


def read_csv_columns(data: bytes) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Each record's cells as (codes, uniques) per column, uniques in order of first
    appearance; None when the file needs the careful reader. ``data`` must be UTF-8."""
    quotes = data.count(QUOTE) if QUOTE in data else 0  # finding one is quicker than counting
    if quotes % 2:
        return None  # an odd number of quotes: probably one left open
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            # Keep blank lines (as rows of "") so that row numbers match the file. Only a
            # quoted value can hold a newline; without quotes each block parses on its own.
            parse_options=pacsv.ParseOptions(
                newlines_in_values=quotes > 0, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=_all_text(data),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # rows of different widths, mostly: the careful reader reports them
    if table.num_rows == 0 or not _all_read_as_text(table) or _ends_inside_quotes(data, table):
        return None
    # Each parsing thread built its own dictionaries: merge them, in order of first appearance.
    table = table.unify_dictionaries()
    return [_codes(column) for column in table.columns]


def _all_text(data: bytes) -> dict[str, pa.DataType]:
    """Every column as text, never inferred: as many names as the first line can have."""
    ends = [position for position in (data.find(b"\n"), data.find(b"\r")) if position >= 0]
    width = data[: min(ends, default=len(data))].count(b",") + 1
    return {f"f{position}": TEXT for position in range(width)}


def _all_read_as_text(table: pa.Table) -> bool:
    """False when the first record held a quoted newline, hiding columns from ``_all_text``."""
    return all(column.type == TEXT for column in table.columns)


def _ends_inside_quotes(data: bytes, table: pa.Table) -> bool:
    """pyarrow ends a value left open by a quote at the end of the file without a word, where
    pandas refuses the file. Such a last value holds everything after its opening quote, so
    the file ends with that quote and the value's text (inner quotes doubled)."""
    last = table.column(table.num_columns - 1)[table.num_rows - 1].as_py()
    return data.endswith(QUOTE + last.replace('"', '""').encode("utf-8"))


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    codes = pa.chunked_array([chunk.indices for chunk in column.chunks]).combine_chunks()
    uniques = np.asarray(column.chunks[0].dictionary.to_pylist(), dtype=object)
    return codes.to_numpy(zero_copy_only=False), uniques
