"""An uploaded file as a whole: refused when empty or too big, its type taken from its name
only when its content agrees, and read by the CSV or the .xlsx reader."""

from __future__ import annotations

from ingest.parsing.csv_text import read_csv
from ingest.parsing.table import ExtractRejected, RawTable, megabytes
from ingest.parsing.xlsx import read_xlsx

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls, and password-protected .xlsx
CSV_EXTENSIONS = (".csv",)
XLSX_EXTENSIONS = (".xlsx",)


def read_table(data: bytes, *, filename: str, max_bytes: int) -> RawTable:
    """Read an uploaded CSV or XLSX file into a RawTable, refusing files we cannot trust."""
    size = len(data)
    if size == 0:
        raise ExtractRejected(f"{filename} is empty.")
    if size > max_bytes:
        raise ExtractRejected(
            f"{filename} is {megabytes(size)}; the largest file we accept is "
            f"{megabytes(max_bytes)}. Split it into smaller extracts."
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


def _extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name[name.rfind(".") :] if "." in name else ""
