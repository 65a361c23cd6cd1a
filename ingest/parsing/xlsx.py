"""Read the first sheet of an .xlsx workbook into a RawTable, as the text an analyst sees
and never evaluating formulas."""

from __future__ import annotations

import datetime
import io

import pandas as pd

from ingest.parsing.columns import table_from_rows
from ingest.parsing.table import ExtractRejected, RawTable, cell_excerpt, empty_errors
from ingest.parsing.xlsx_safety import check_zip_is_safe, sheet_extent
from ingest.schema import ERROR_COLUMNS


def read_xlsx(data: bytes, *, max_bytes: int) -> RawTable:
    """Read the first sheet of an .xlsx workbook as text, never evaluating formulas.

    openpyxl fills every row out to the widest row and every gap between rows, so the sheet's
    XML is scanned first (``sheet_extent``): a sheet with values too far right or too far
    apart is refused, and openpyxl reads only up to the last row and column holding a value."""
    check_zip_is_safe(data, max_bytes=max_bytes)
    import openpyxl  # imported here: only .xlsx uploads pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise ExtractRejected(
            f"The .xlsx file could not be opened as an Excel workbook ({type(error).__name__}). "
            "Save it again from Excel, or export it as CSV UTF-8."
        ) from None
    try:
        notes = []
        if not workbook.worksheets:
            raise ExtractRejected("The workbook has no worksheets.")
        sheet = workbook.worksheets[0]
        if len(workbook.sheetnames) > 1:
            notes.append(
                f"Read the first sheet, '{sheet.title}'; the workbook's other sheets "
                f"({', '.join(repr(name) for name in workbook.sheetnames[1:])}) were ignored."
            )
        extent = sheet_extent(data)
        # Declared dimensions can be wrong (or absurd); the scanned extent is what holds values.
        sheet.reset_dimensions()
        rows = [
            [_cell_text(value) for value in row]
            for row in sheet.iter_rows(
                min_row=1, max_row=extent.last_row, max_col=extent.last_column, values_only=True
            )
        ]
    except ExtractRejected:
        raise
    except Exception as error:
        raise ExtractRejected(
            f"The .xlsx file's first sheet could not be read ({type(error).__name__}). "
            "Save it again from Excel, or export it as CSV UTF-8."
        ) from None
    finally:
        workbook.close()
    rows, errors = _square_rows(rows)
    return table_from_rows(rows, errors, notes=notes, format="xlsx")


def _cell_text(value) -> str:
    """A cell's value as the text an analyst sees; formulas stay formulas ("=1+1")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float: show 12.0 as "12", others at full precision.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    # Array formulas and anything else openpyxl may hand back: its text, never evaluated.
    return str(getattr(value, "text", value))


def _square_rows(rows: list[list[str]]) -> tuple[list[list[str]], pd.DataFrame]:
    """Square up sheet rows to the header's width, reporting rows with extra values."""
    header_index = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if header_index is None:
        return [], empty_errors()
    header = rows[header_index]
    # Excel often pads the header with empty cells: the width is the last named column.
    width = max(i + 1 for i, cell in enumerate(header) if cell.strip())
    kept, problems = [], []
    for index, row in enumerate(rows):
        extra = row[width:]
        if index > header_index and any(cell.strip() for cell in extra):
            problems.append(
                {
                    "row": index + 1,
                    "column": "",
                    "value": cell_excerpt(",".join(cell for cell in extra if cell.strip())),
                    "message": (
                        f"This row has values beyond the last header column (column {width}). "
                        "Give every column a header, or delete the stray values."
                    ),
                }
            )
            row = [""] * width
        row = row[:width]
        kept.append(row + [""] * (width - len(row)))
    errors = pd.DataFrame(problems, columns=ERROR_COLUMNS) if problems else empty_errors()
    return kept, errors
