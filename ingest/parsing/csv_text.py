"""Read CSV bytes into a RawTable: pyarrow for well-formed UTF-8, pandas otherwise, and
Python's csv module for malformed rows, each of which becomes an error of its own."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from ingest.csv_arrow import read_csv_columns
from ingest.parsing.columns import factorise, table_from_columns, table_from_rows
from ingest.parsing.encoding import detect_text_encoding
from ingest.parsing.table import ExtractRejected, RawTable, cell_excerpt, empty_errors
from ingest.schema import ERROR_COLUMNS


def read_csv(data: bytes, *, fast: bool = True) -> RawTable:
    """Read CSV bytes (UTF-8 with or without BOM, else Windows-1252) into a RawTable.

    A well-formed UTF-8 file is read by pyarrow (``ingest.csv_arrow``, many times faster);
    any other, or with ``fast=False``, by pandas' C parser, falling back to Python's csv
    module for malformed rows. All three read the same cells."""
    encoding, notes = detect_text_encoding(data)
    columns = read_csv_columns(data) if fast and encoding == "utf-8-sig" else None
    if columns is not None:
        return table_from_columns(columns, empty_errors(), notes=notes, format="csv")
    try:
        records = pd.read_csv(
            io.BytesIO(data),
            header=None,
            dtype=object,  # every cell as text: no type inference
            na_filter=False,  # empty cells stay "", never NaN; "NA" stays "NA"
            skip_blank_lines=False,  # keep blank lines so row numbers match the file
            engine="c",
            encoding=encoding,
        )
    except pd.errors.EmptyDataError:
        raise ExtractRejected("The file has no header row and no data.") from None
    except pd.errors.ParserError as error:
        if "EOF inside string" in str(error):
            raise ExtractRejected(_unclosed_quote_message(str(error))) from None
        # Usually a row with more fields than the header: read the slow, forgiving way so
        # that each such row gets its own error and the rest of the file is still checked.
        rows, errors = _read_csv_row_by_row(data.decode(encoding))
        return table_from_rows(rows, errors, notes=notes, format="csv")
    columns = [factorise(records[column].to_numpy(dtype=object)) for column in records.columns]
    del records  # a cell per str object; the codes and uniques replace it (memory)
    return table_from_columns(columns, empty_errors(), notes=notes, format="csv")


def _read_csv_row_by_row(text: str) -> tuple[list[list[str]], pd.DataFrame]:
    """Python csv reader for malformed files: pad short rows, report rows with extra fields."""
    rows = _csv_rows(text)
    if not rows:
        raise ExtractRejected("The file has no header row and no data.")
    header_index = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    width = len(rows[header_index]) if header_index is not None else 0
    kept, problems = [], []
    for index, row in enumerate(rows):
        if len(row) > width and index != header_index:
            extra = row[width:]
            if any(cell.strip() for cell in extra):
                problems.append(
                    {
                        "row": index + 1,
                        "column": "",
                        "value": cell_excerpt(",".join(extra)),
                        "message": (
                            f"This row has {len(row)} fields but the header has {width} "
                            "columns. Check for an unquoted comma in a value, or quote it."
                        ),
                    }
                )
                row = [""] * width  # keep the numbering; the blank row is dropped later
            else:
                row = row[:width]  # trailing empty fields (a trailing comma) are harmless
        kept.append(row + [""] * (width - len(row)))
    errors = pd.DataFrame(problems, columns=ERROR_COLUMNS) if problems else empty_errors()
    return kept, errors


def _csv_rows(text: str) -> list[list[str]]:
    """All records; strict first so an unclosed quote is caught, forgiving otherwise."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        message = str(error)
        if "unexpected end of data" in message:
            raise ExtractRejected(_unclosed_quote_message("")) from None
        if "field larger than field limit" in message:
            raise ExtractRejected(
                "A value in the file is longer than 131,072 characters; a quote is probably "
                "not closed."
            ) from None
    try:
        # Stray quotes such as 1,"2"x are accepted, as pandas does on the fast path.
        return list(csv.reader(io.StringIO(text, newline=""), strict=False))
    except csv.Error as error:
        raise ExtractRejected(f"The CSV file is malformed and cannot be read ({error}).") from None


def _unclosed_quote_message(parser_message: str) -> str:
    match = re.search(r"starting at row (\d+)", parser_message)
    where = f" (the quoted value starts on row {int(match.group(1)) + 1})" if match else ""
    return (
        f"A quoted value is never closed{where}, so the rest of the file would be read as "
        "one value. Check that every opening quote has a closing quote."
    )
