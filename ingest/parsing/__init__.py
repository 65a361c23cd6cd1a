"""Parse step: turn an uploaded file's bytes into a raw table of strings.

No type inference happens here: every cell comes out as stripped text ("" when empty), so the
validate step sees exactly what the analyst wrote and can quote it back in its messages.
Whole-file problems (wrong format, wrong encoding, too big, empty) raise ``ExtractRejected``;
problems with single rows (too many fields) are returned in ``RawTable.errors``.

Pure Python and pandas: no Django, so it is fast to import and to test.

The modules, from the bottom up: ``table`` (the RawTable, ExtractRejected and how cells are
quoted back), ``columns`` (cleaning cells, the header, blank rows), ``encoding`` (which codec
a CSV is read with), ``csv_text`` (CSV), ``xlsx_safety`` (what is checked before a workbook
is opened) and ``xlsx`` (workbooks), and ``files`` (an upload's size and type, and which
reader reads it).
"""

from ingest.parsing.files import check_file_type, read_table
from ingest.parsing.table import ExtractRejected, RawTable
from ingest.parsing.xlsx_safety import check_zip_is_safe

__all__ = ["ExtractRejected", "RawTable", "check_file_type", "check_zip_is_safe", "read_table"]
