"""Parse step: turn an uploaded file's bytes into a raw table of strings.

No type inference happens here: every cell comes out as stripped text ("" when empty), so the
validate step sees exactly what the analyst wrote and can quote it back in its messages.
Whole-file problems (wrong format, wrong encoding, too big, empty) raise ``ExtractRejected``;
problems with single rows (too many fields) are returned in ``RawTable.errors``.

Pure Python and pandas: no Django, so it is fast to import and to test.
"""

from __future__ import annotations

import csv
import datetime
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from ingest.csv_arrow import read_csv_columns
from ingest.schema import ERROR_COLUMNS

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls, and password-protected .xlsx
CSV_EXTENSIONS = (".csv",)
XLSX_EXTENSIONS = (".xlsx",)

# Decompression-bomb limits for .xlsx (a zip of XML). Real workbooks compress 5-20×.
MAX_UNCOMPRESSED_FACTOR = 20
MAX_UNCOMPRESSED_BYTES = 1024**3
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024**2  # a member smaller than this cannot do harm whatever its ratio

# The widest layout we read is a Fingertips download (26 columns; a granular extract has 8),
# with room for a few columns an analyst adds. A value further right would make the reader
# fill every row out to it: one cell in column XFD costs 16,384 cells a row.
MAX_SHEET_COLUMNS = 32
# Blank rows between a sheet's values, beyond which it is refused rather than read row by row
# (a stray value in row 1,048,576 under 20 rows of data is a mistake, not an extract).
MAX_BLANK_SHEET_ROWS = 10_000

# Cell values quoted back in messages, the error report and the extract page, at most.
SHOWN_CHARACTERS = 200

CODE_TYPE = np.int32  # codes of distinct cell values: half the memory of int64

# C0 control characters other than tab, LF and CR never appear in a text CSV.
TEXT_BYTES = bytes([9, 10, 13, *range(32, 256)])


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


def read_table(data: bytes, *, filename: str, max_bytes: int) -> RawTable:
    """Read an uploaded CSV or XLSX file into a RawTable, refusing files we cannot trust."""
    size = len(data)
    if size == 0:
        raise ExtractRejected(f"{filename} is empty.")
    if size > max_bytes:
        raise ExtractRejected(
            f"{filename} is {_megabytes(size)}; the largest file we accept is "
            f"{_megabytes(max_bytes)}. Split it into smaller extracts."
        )
    if check_file_type(data, filename=filename) == "xlsx":
        return read_xlsx(data, max_bytes=max_bytes)
    return read_csv(data)


def check_file_type(data: bytes, *, filename: str) -> str:
    """ "csv" or "xlsx": the file's type by its name, refused unless its content agrees.

    Cheap (the first bytes only), so uploads are checked before they are stored."""
    extension = _extension(filename)
    is_zip = data.startswith(XLSX_MAGIC)
    if data.startswith(OLE2_MAGIC):
        raise ExtractRejected(
            f"{filename} is an old-style Excel 97-2003 workbook (.xls) or a password-protected "
            "workbook. Save it without a password as .xlsx, or as CSV UTF-8."
        )
    if extension in XLSX_EXTENSIONS:
        if not is_zip:
            raise ExtractRejected(
                f"{filename} is named .xlsx but is not an Excel workbook (its content looks like "
                "text). If it is a CSV file, name it .csv."
            )
        return "xlsx"
    if extension in CSV_EXTENSIONS:
        if is_zip:
            raise ExtractRejected(
                f"{filename} is named .csv but is a zip file (an Excel workbook?). Upload it "
                "as .xlsx, or export it from Excel as CSV UTF-8."
            )
        return "csv"
    raise ExtractRejected(
        f"{filename} is not a file type we read: upload a .csv (UTF-8) or .xlsx file."
    )


# --- CSV -----------------------------------------------------------------------------------


def read_csv(data: bytes, *, fast: bool = True) -> RawTable:
    """Read CSV bytes (UTF-8 with or without BOM, else Windows-1252) into a RawTable.

    A well-formed UTF-8 file is read by pyarrow (``ingest.csv_arrow``, many times faster);
    any other, or with ``fast=False``, by pandas' C parser, falling back to Python's csv
    module for malformed rows. All three read the same cells."""
    encoding, notes = detect_text_encoding(data)
    columns = read_csv_columns(data) if fast and encoding == "utf-8-sig" else None
    if columns is not None:
        return _table_from_columns(columns, _empty_errors(), notes=notes, format="csv")
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
        return _table_from_rows(rows, errors, notes=notes, format="csv")
    columns = [_factorise(records[column].to_numpy(dtype=object)) for column in records.columns]
    del records  # a cell per str object; the codes and uniques replace it (memory)
    return _table_from_columns(columns, _empty_errors(), notes=notes, format="csv")


def detect_text_encoding(data: bytes) -> tuple[str, list[str]]:
    """The codec to read ``data`` with, and notes on what was assumed; refuse non-text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractRejected(
            "The file is UTF-16 text. Save it as 'CSV UTF-8 (comma delimited)' and upload again."
        )
    # Deleting every byte that may appear leaves the control characters, in order; a
    # regular expression takes ten times as long over a large file.
    control = data.translate(None, TEXT_BYTES)
    if control:
        kind = "NUL bytes" if control[:1] == b"\x00" else "control characters"
        raise ExtractRejected(
            f"The file contains {kind}, so it is not a plain-text CSV (it may be UTF-16 or a "
            "binary file renamed .csv). Save it as 'CSV UTF-8 (comma delimited)'."
        )
    try:
        if not data.isascii():  # ASCII is UTF-8; checked without building a copy of the text
            data.decode("utf-8")
        return "utf-8-sig", []
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        raise ExtractRejected(
            "The file's text is neither UTF-8 nor Windows-1252. Save it as 'CSV UTF-8 (comma "
            "delimited)' and upload again."
        ) from None
    return "cp1252", [
        "Read as Windows-1252 (the file is not valid UTF-8, as when Excel saves 'CSV' rather "
        "than 'CSV UTF-8'). If names with accents or symbols such as £ look wrong, save the "
        "file as CSV UTF-8 and upload it again."
    ]


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
    errors = pd.DataFrame(problems, columns=ERROR_COLUMNS) if problems else _empty_errors()
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


# --- XLSX ----------------------------------------------------------------------------------


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
    return _table_from_rows(rows, errors, notes=notes, format="xlsx")


@dataclass(frozen=True)
class SheetExtent:
    """Where a worksheet's values lie (cells that are only formatted do not count)."""

    last_row: int
    last_column: int
    rows: int  # rows holding at least one value


def sheet_extent(data: bytes) -> SheetExtent:
    """The first worksheet's extent, from one streamed pass over its XML that keeps no more
    than a row in memory. Refuses a value beyond MAX_SHEET_COLUMNS as soon as it is seen, and
    a sheet whose values are more than MAX_BLANK_SHEET_ROWS blank rows apart."""
    with (
        zipfile.ZipFile(io.BytesIO(data)) as archive,
        archive.open(first_worksheet_part(archive)) as stream,
    ):
        extent = _scan_sheet(stream)
    if extent.rows == 0:
        raise ExtractRejected("The file has no header row and no data.")
    blank = extent.last_row - extent.rows
    if blank > MAX_BLANK_SHEET_ROWS:
        raise ExtractRejected(
            f"The sheet's last value is in row {extent.last_row:,}, but only {extent.rows:,} "
            f"of its rows hold values: {blank:,} rows are blank. Delete the stray values far "
            "below (or above) the data and upload it again."
        )
    return extent


def _scan_sheet(stream) -> SheetExtent:
    last_row = last_column = rows = 0
    row_number = column = 0
    row_has_value = False
    sheet_data = None
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        name = _local_name(element.tag)
        if event == "start":
            if name == "sheetData":
                sheet_data = element
            elif name == "row":  # a row or cell without a reference follows the one before
                row_number = int(element.get("r") or row_number + 1)
                column, row_has_value = 0, False
            continue
        if name == "c":
            column = _column_number(element.get("r")) or column + 1
            if any(_local_name(child.tag) in {"v", "is", "f"} for child in element):
                if column > MAX_SHEET_COLUMNS:
                    raise ExtractRejected(_too_wide_message(column, row_number))
                row_has_value = True
                last_column = max(last_column, column)
            element.clear()
        elif name == "row":
            if row_has_value:
                rows, last_row = rows + 1, row_number
            if sheet_data is not None:
                sheet_data.clear()  # rows already counted: memory stays at one row
    return SheetExtent(last_row=last_row, last_column=last_column, rows=rows)


def _too_wide_message(column: int, row: int) -> str:
    return (
        f"The sheet has data in column {_column_letters(column)} (row {row:,}); an extract has "
        f"at most {MAX_SHEET_COLUMNS} columns (a Fingertips download has 26, a granular "
        f"extract 8). Delete the values beyond column {_column_letters(MAX_SHEET_COLUMNS)} "
        "and upload it again."
    )


def first_worksheet_part(archive: zipfile.ZipFile) -> str:
    """The zip member openpyxl reads as the first worksheet: the workbook's first <sheet>
    whose relationship is a worksheet (a chartsheet is not one) and whose part exists."""
    package = _relationships(archive, "")
    workbook = next(target for kind, target in package.values() if kind.endswith("/officeDocument"))
    targets = _relationships(archive, workbook)
    members = set(archive.namelist())
    for element in ElementTree.fromstring(archive.read(workbook)).iter():
        if _local_name(element.tag) != "sheet":
            continue
        ids = [value for key, value in element.attrib.items() if _local_name(key) == "id"]
        kind, target = targets.get(ids[0] if ids else "", ("", ""))
        if kind.endswith("/worksheet") and target in members:
            return target
    raise ExtractRejected("The workbook has no worksheets.")


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, zip member) from a part's .rels ("" for the package's)."""
    folder, name = posixpath.split(part)
    relationships = {}
    for element in ElementTree.fromstring(
        archive.read(posixpath.join(folder, "_rels", f"{name}.rels"))
    ):
        target = element.get("Target", "")
        member = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        relationships[element.get("Id", "")] = (element.get("Type", ""), posixpath.normpath(member))
    return relationships


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_number(reference: str | None) -> int:
    """1 for "A7", 16,384 for "XFD1"; 0 without a reference."""
    number = 0
    for letter in re.match(r"[A-Z]*", reference or "").group():
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def check_zip_is_safe(data: bytes, *, max_bytes: int) -> None:
    """Refuse a zip whose declared sizes point to a decompression bomb, before inflating it.

    Python's zipfile never inflates a member past its declared size, so the declared sizes
    are a real bound."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception:  # BadZipFile, or struct/value errors from a mangled directory
        raise ExtractRejected(
            "The .xlsx file is damaged (it is not a readable zip archive). Save it again from "
            "Excel, or export it as CSV UTF-8."
        ) from None
    total = sum(member.file_size for member in members)
    limit = min(MAX_UNCOMPRESSED_FACTOR * max_bytes, MAX_UNCOMPRESSED_BYTES)
    if total > limit:
        raise ExtractRejected(
            f"The .xlsx file would expand to {_megabytes(total)} when opened (the limit is "
            f"{_megabytes(limit)}). Export the sheet as CSV UTF-8 instead."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECK_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ExtractRejected(
                f"The .xlsx file contains a part ({member.filename}) compressed {ratio:,.0f}:1, "
                "far more than a real workbook; it was not opened. Export the sheet as CSV UTF-8."
            )


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
        return [], _empty_errors()
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
    errors = pd.DataFrame(problems, columns=ERROR_COLUMNS) if problems else _empty_errors()
    return kept, errors


# --- Shared --------------------------------------------------------------------------------


def cell_excerpt(text) -> str:
    """A cell's text as quoted back in a message, the error report or the extract page: whole
    up to SHOWN_CHARACTERS, else its start and its full length, so that one 5 MB field cannot
    make a 10 MB page. Never longer than SHOWN_CHARACTERS, so applying it twice is harmless."""
    text = "" if text is None else str(text)
    if len(text) <= SHOWN_CHARACTERS:
        return text
    length = f"…({len(text):,} characters)"
    return text[: SHOWN_CHARACTERS - len(length)] + length


def _table_from_rows(
    rows: list[list[str]], errors: pd.DataFrame, *, notes: list[str], format: str
) -> RawTable:
    """The slow paths (malformed CSV, XLSX) produce rows of equal width; factorise columns."""
    if not rows or not rows[0]:
        raise ExtractRejected("The file has no header row and no data.")
    columns = [_factorise(np.array(cells, dtype=object)) for cells in zip(*rows, strict=True)]
    return _table_from_columns(columns, errors, notes=notes, format=format)


def _factorise(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a column of cells; a missing cell (never expected) reads as ""."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    uniques = np.asarray(uniques, dtype=object)
    missing = pd.isna(uniques)
    if missing.any():
        uniques[missing] = ""
    return codes.astype(CODE_TYPE), uniques


def _table_from_columns(
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


def _empty_errors() -> pd.DataFrame:
    return pd.DataFrame(columns=ERROR_COLUMNS)


def _extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name[name.rfind(".") :] if "." in name else ""


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"
