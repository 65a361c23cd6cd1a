"""Parse step: real Fingertips files and every quirk or refusal, with small inline files."""

import datetime
import io
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from ingest.parsing import ExtractRejected, read_table
from ingest.parsing.table import SHOWN_CHARACTERS, cell_excerpt
from ingest.schema import ERROR_COLUMNS

DATA = Path(__file__).parent / "data"
MB = 1_000_000


def read(text: str | bytes, filename: str = "extract.csv", max_bytes: int = MB):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_table(data, filename=filename, max_bytes=max_bytes)


def rejection(text: str | bytes, filename: str = "extract.csv", max_bytes: int = MB) -> str:
    with pytest.raises(ExtractRejected) as caught:
        read(text, filename, max_bytes)
    return caught.value.message


def workbook_bytes(rows_by_sheet: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in rows_by_sheet.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The classic Fingertips download ------------------------------------------------------


@pytest.fixture(scope="module")
def county_ua():
    return read_table(
        (DATA / "indicators-CountyUA.data.csv").read_bytes(),
        filename="indicators-CountyUA.data.csv",
        max_bytes=10 * MB,
    )


def test_fingertips_download_reads_all_852_rows_of_25_fields_under_26_columns(county_ua):
    assert county_ua.format == "csv"
    assert county_ua.frame.shape == (852, 26)
    assert list(county_ua.frame.columns[[0, 11, 12, 25]]) == [
        "Indicator ID", "Time period", "Value", "Compared to goal",
    ]  # fmt: skip
    assert (county_ua.frame["Compared to goal"] == "").all()  # the 26th field, padded
    assert county_ua.errors.empty
    assert county_ua.notes == []


def test_fingertips_download_rows_are_numbered_as_records_despite_embedded_newlines(county_ua):
    # Each record spans two physical lines (the name holds a line feed); rows count records.
    assert county_ua.source_rows[0] == 2
    assert county_ua.source_rows[-1] == 853
    assert np.array_equal(county_ua.source_rows, np.arange(2, 854))


def test_fingertips_download_embedded_newline_in_the_name_is_stripped(county_ua):
    assert set(county_ua.frame["Indicator Name"]) == {"Campylobacter incidence rate/100,000"}


def test_fingertips_download_keeps_empty_values_with_their_notes(county_ua):
    empty = county_ua.frame[county_ua.frame["Value"] == ""]
    assert len(empty) == 10
    assert set(empty["Value note"]) == {
        "Value for Cornwall & Isles of Scilly combined",
        "Value for Hackney and City of London combined",
    }
    assert (county_ua.frame["Lower CI 99.8 limit"] == "").all()


def test_cells_are_text_exactly_as_written(county_ua):
    first = county_ua.frame.iloc[0]
    assert first["Value"] == "94.7261896202678"
    assert first["Time period Sortable"] == "20150000"
    assert all(isinstance(cell, str) for cell in county_ua.frame.iloc[:50].to_numpy().ravel())


# --- FingertipsNext healthdata.csv ---------------------------------------------------------


@pytest.fixture(scope="module")
def healthdata():
    return read_table(
        (DATA / "healthdata.csv").read_bytes(), filename="healthdata.csv", max_bytes=10 * MB
    )


def test_healthdata_bom_is_not_part_of_the_first_column_name(healthdata):
    assert healthdata.frame.columns[0] == "IndicatorId"
    assert healthdata.frame.shape == (44452, 15)
    assert healthdata.errors.empty


def test_healthdata_literal_quotes_around_category_types_are_stripped(healthdata):
    category = healthdata.frame["Category"]
    assert not category.str.startswith('"').any()
    assert "County & UA deprivation deciles in England (IMD2019, 4/21 geography)" in set(category)
    assert any("Removed literal double quotes" in note for note in healthdata.notes)


def test_healthdata_empty_fields_written_both_ways_are_empty_strings(healthdata):
    # `""` and nothing between commas both read as "".
    assert (healthdata.frame["Trend"] == "").sum() == 35392
    assert (healthdata.frame["Value"] == "").sum() == 2078


# --- CSV quirks, inline -------------------------------------------------------------------


def test_utf8_bom_is_dropped_from_the_header():
    table = read("\ufeffindicator_code,area_code\r\nPRV01,E01014485\r\n")
    assert list(table.frame.columns) == ["indicator_code", "area_code"]
    assert table.notes == []


def test_windows_1252_is_read_and_noted():
    data = "area_name,note\nSt Helen\xe9's,cost \xa35\n".encode("cp1252")
    table = read(data)
    assert table.frame.iloc[0].tolist() == ["St Helené's", "cost £5"]
    assert table.notes[0].startswith("Read as Windows-1252")


def test_utf16_is_refused():
    message = rejection("a,b\n1,2\n".encode("utf-16"))
    assert "UTF-16" in message


def test_binary_with_nul_bytes_is_refused():
    message = rejection(b"a,b\n1,\x00\x01\x02\n")
    assert "NUL bytes" in message
    assert "CSV UTF-8" in message


def test_control_characters_are_refused_naming_the_first_kind_found():
    message = rejection(b"a,b\n1,\x07\x00\n")
    assert "control characters" in message
    assert "NUL" not in message


def test_text_that_is_neither_utf8_nor_windows_1252_is_refused():
    # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte.
    message = rejection(b"a,b\n1,\x81\x81\n")
    assert "neither UTF-8 nor Windows-1252" in message


def test_quoted_newlines_and_mixed_line_endings():
    table = read('a,b\r\n1,"two\nlines"\n3,4\r\n5,6')
    assert table.frame.to_numpy().tolist() == [["1", "two\nlines"], ["3", "4"], ["5", "6"]]
    assert table.source_rows.tolist() == [2, 3, 4]


def test_blank_lines_are_dropped_but_keep_their_row_numbers():
    table = read("a,b\n1,2\n\n,\n3,4\n")
    assert table.frame["a"].tolist() == ["1", "3"]
    assert table.source_rows.tolist() == [2, 5]


def test_rows_one_field_short_are_padded():
    table = read("a,b,c\n1,2\n4,5,6\n")
    assert table.frame.to_numpy().tolist() == [["1", "2", ""], ["4", "5", "6"]]


def test_a_row_with_more_fields_than_the_header_is_an_error_for_that_row():
    table = read("a,b\n1,2\n3,4,oops\n5,6\n")
    assert table.frame.to_numpy().tolist() == [["1", "2"], ["5", "6"]]
    assert table.source_rows.tolist() == [2, 4]
    assert list(table.errors.columns) == ERROR_COLUMNS
    error = table.errors.iloc[0]
    assert error["row"] == 3
    assert error["value"] == "oops"
    assert "3 fields but the header has 2 columns" in error["message"]
    assert table.rows_read == 3


def test_trailing_empty_fields_beyond_the_header_are_harmless():
    table = read("a,b\n1,2,\n3,4\n")
    assert table.errors.empty
    assert table.frame.to_numpy().tolist() == [["1", "2"], ["3", "4"]]


def test_whitespace_and_literal_quotes_around_values_are_stripped():
    table = read('code , name\n  E01 ,"""Quoted, with comma"""\nE02,plain\n')
    assert list(table.frame.columns) == ["code", "name"]
    assert table.frame.iloc[0].tolist() == ["E01", "Quoted, with comma"]
    assert "Removed literal double quotes" in table.notes[0]


def test_no_type_inference():
    table = read("a,b,c,d,e\n007,NA,1e3,TRUE,\n")
    assert table.frame.iloc[0].tolist() == ["007", "NA", "1e3", "TRUE", ""]


def test_an_unclosed_quote_is_refused_with_where_it_starts():
    message = rejection('a,b\n1,2\n3,"never closed\n5,6\n')
    assert "never closed" in message
    assert "row 3" in message


def test_a_repeated_column_name_is_refused():
    message = rejection("Value,Area Code,Value\n1,E01,2\n")
    assert "'Value' twice (columns 1 and 3)" in message


def test_blank_header_names_are_named_by_position():
    table = read("a,,c\n1,2,3\n")
    assert list(table.frame.columns) == ["a", "Column 2", "c"]


@pytest.mark.parametrize("content", [b"", b"   \n\r\n  ", b"a,b\n", b"a,b\n\n\n"])
def test_empty_files_and_header_only_files_are_refused(content):
    if content:
        message = rejection(content)
        assert "no data" in message
    else:
        assert "is empty" in rejection(content)


def test_a_file_over_the_size_limit_is_refused_before_reading():
    # Not valid in any encoding: the size check must come first.
    message = rejection(b"\x00" * 2001, max_bytes=2000)
    assert "the largest file we accept is" in message


# --- File type and extension --------------------------------------------------------------


def test_a_csv_that_is_really_a_zip_is_refused():
    data = workbook_bytes({"Sheet1": [["a"], [1]]})
    message = rejection(data, filename="extract.csv")
    assert "named .csv but is a zip file" in message


def test_an_xlsx_that_is_really_text_is_refused():
    message = rejection("a,b\n1,2\n", filename="extract.xlsx")
    assert "named .xlsx but is not an Excel workbook" in message


def test_an_old_xls_workbook_is_refused():
    message = rejection(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, filename="old.xls")
    assert "Excel 97-2003" in message


def test_other_extensions_are_refused():
    assert "upload a .csv (UTF-8) or .xlsx file" in rejection("a\n1\n", filename="data.json")


def test_extension_is_case_insensitive():
    assert read("a\n1\n", filename="EXTRACT.CSV").frame["a"].tolist() == ["1"]


# --- XLSX ---------------------------------------------------------------------------------


def test_xlsx_first_sheet_as_text_with_formulas_never_evaluated():
    data = workbook_bytes(
        {
            "Counts": [
                ["indicator_code", "numerator", "denominator", "period"],
                ["PRV01", 12, 40.0, datetime.datetime(2024, 3, 1)],
                ["PRV01", "=1+1", 0.125, "2023/24"],
            ],
            "Notes": [["ignore me"]],
        }
    )
    table = read(data, filename="counts.xlsx")
    assert table.format == "xlsx"
    assert table.frame.to_numpy().tolist() == [
        ["PRV01", "12", "40", "2024-03-01"],
        ["PRV01", "=1+1", "0.125", "2023/24"],
    ]
    assert table.source_rows.tolist() == [2, 3]
    assert "first sheet, 'Counts'" in table.notes[0]
    assert "'Notes'" in table.notes[0]


def test_xlsx_blank_rows_keep_sheet_row_numbers_and_stray_values_are_errors():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "a", "b"
    sheet["A2"], sheet["B2"] = " x ", True
    sheet["A5"], sheet["B5"], sheet["D5"] = "y", 2.5, "stray"
    sheet["A6"] = "z"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read(buffer.getvalue(), filename="sheet.xlsx")
    assert table.frame.to_numpy().tolist() == [["x", "TRUE"], ["z", ""]]
    assert table.source_rows.tolist() == [2, 6]
    assert table.errors["row"].tolist() == [5]
    assert table.errors["value"].tolist() == ["stray"]


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_xlsx_decompression_bomb_is_refused_by_its_compression_ratio():
    data = zip_bytes({"xl/worksheets/sheet1.xml": b"\x00" * (5 * MB)})
    message = rejection(data, filename="bomb.xlsx", max_bytes=10 * MB)
    assert "compressed" in message
    assert "it was not opened" in message


def test_xlsx_that_would_expand_past_twenty_times_the_limit_is_refused():
    # Zeros padded with random letters: about 130:1, under the ratio limit, so this is caught
    # by the total size.
    letters = np.random.default_rng(0).integers(65, 91, 20_000, dtype=np.uint8).tobytes()
    data = zip_bytes({"xl/worksheets/sheet1.xml": b"\x00" * (2 * MB) + letters})
    message = rejection(data, filename="big.xlsx", max_bytes=len(data) + 100)
    assert "would expand to" in message


def test_a_damaged_xlsx_is_refused():
    assert "damaged" in rejection(b"PK\x03\x04" + b"garbage" * 20, filename="broken.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    data = zip_bytes({"readme.txt": b"hello"})
    assert "could not be opened as an Excel workbook" in rejection(data, filename="x.xlsx")


# --- Hostile sheets: tiny files whose extent would make a reader fill millions of cells ----

SHEET_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_workbook(sheet_rows: str) -> bytes:
    """A minimal .xlsx whose one sheet holds ``sheet_rows`` (raw <row> XML) as written."""
    package_type = "http://schemas.openxmlformats.org/package/2006/relationships"
    return zip_bytes(
        {
            "[Content_Types].xml": (
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
                b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
            ),
            "_rels/.rels": (
                f'<Relationships xmlns="{package_type}"><Relationship Id="rId1" '
                f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
            "xl/workbook.xml": (
                f'<workbook xmlns="{SHEET_NAMESPACE}" xmlns:r="{RELATIONSHIPS}"><sheets>'
                '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{package_type}"><Relationship Id="rId1" '
                f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
            ).encode(),
            "xl/worksheets/sheet1.xml": (
                f'<worksheet xmlns="{SHEET_NAMESPACE}"><sheetData>{sheet_rows}</sheetData>'
                "</worksheet>"
            ).encode(),
        }
    )


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def peak_megabytes_while(read) -> float:
    """Peak Python allocation while ``read()`` runs, in MB (a bound on work, not a timing)."""
    tracemalloc.start()
    try:
        read()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MB


def test_a_sheet_with_a_value_in_column_xfd_is_refused_naming_the_column():
    # 3,000 rows with one cell in the last column: a 17 KB file that openpyxl would fill out
    # to 16,384 cells a row (49 million cells, about 0.9 GB).
    data = raw_workbook(
        "".join(f'<row r="{row}">{text_cell(f"XFD{row}", "x")}</row>' for row in range(1, 3001))
    )
    assert len(data) < 50_000
    messages = []
    peak = peak_megabytes_while(lambda: messages.append(rejection(data, filename="wide.xlsx")))
    assert messages[0].startswith(
        "The sheet has data in column XFD (row 1); an extract has at most"
    )
    assert peak < 50


def test_a_sheet_with_values_a_million_rows_apart_is_refused_without_reading_the_gap():
    data = raw_workbook(
        f'<row r="1">{text_cell("A1", "indicator_code")}{text_cell("B1", "period")}</row>'
        f'<row r="1048576">{text_cell("A1048576", "PRV01")}{text_cell("B1048576", "2023")}</row>'
    )
    messages = []
    peak = peak_megabytes_while(lambda: messages.append(rejection(data, filename="tall.xlsx")))
    assert "last value is in row 1,048,576, but only 2 of its rows hold values" in messages[0]
    assert peak < 50


def test_formatted_empty_cells_far_right_and_below_are_not_values():
    # Excel writes styled cells with no value; they neither widen the sheet nor extend it.
    data = raw_workbook(
        f'<row r="1">{text_cell("A1", "a")}{text_cell("B1", "b")}<c r="XFD1" s="1"/></row>'
        f'<row r="2">{text_cell("A2", "1")}<c r="B2"><v>2</v></c></row>'
        '<row r="1048576" s="1" customFormat="1"><c r="A1048576" s="1"/></row>'
    )
    table = read(data, filename="formatted.xlsx")
    assert table.frame.to_numpy().tolist() == [["1", "2"]]


def test_a_formula_cell_with_no_cached_value_is_read_as_its_formula():
    data = raw_workbook(
        f'<row r="1">{text_cell("A1", "a")}{text_cell("B1", "b")}</row>'
        f'<row r="2">{text_cell("A2", "x")}<c r="B2"><f>SUM(1,2)</f></c></row>'
    )
    assert read(data, filename="formula.xlsx").frame["b"].tolist() == ["=SUM(1,2)"]


def test_a_value_longer_than_200_characters_is_shortened_with_its_length():
    shown = cell_excerpt("x" * 5_242_880)
    assert len(shown) == SHOWN_CHARACTERS
    assert shown.endswith("x…(5,242,880 characters)")
    assert cell_excerpt(shown) == shown
    assert cell_excerpt("E01014485") == "E01014485"
