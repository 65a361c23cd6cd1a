"""What makes an .xlsx workbook safe to open, checked before openpyxl reads it: declared
sizes that are no decompression bomb, and a first sheet whose values are neither too far right
nor too far apart. The sheet's XML is streamed, never held whole."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from ingest.parsing.table import ExtractRejected, megabytes

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
            f"The .xlsx file would expand to {megabytes(total)} when opened (the limit is "
            f"{megabytes(limit)}). Export the sheet as CSV UTF-8 instead."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECK_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ExtractRejected(
                f"The .xlsx file contains a part ({member.filename}) compressed {ratio:,.0f}:1, "
                "far more than a real workbook; it was not opened. Export the sheet as CSV UTF-8."
            )


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
