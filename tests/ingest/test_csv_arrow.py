"""The pyarrow CSV reader reads exactly what the careful (pandas) reader reads, or declines."""

from pathlib import Path

import numpy as np
import pytest

from ingest.csv_arrow import read_csv_columns
from ingest.parsing import ExtractRejected
from ingest.parsing.csv_text import read_csv

DATA = Path(__file__).parent / "data"


def assert_same_table(data: bytes) -> None:
    """Both readers give the same cells, row numbers, notes, errors and codes."""
    fast, careful = read_csv(data), read_csv(data, fast=False)
    assert list(fast.frame.columns) == list(careful.frame.columns)
    assert fast.frame.to_numpy().tolist() == careful.frame.to_numpy().tolist()
    assert fast.source_rows.tolist() == careful.source_rows.tolist()
    assert fast.notes == careful.notes
    assert fast.errors.to_numpy().tolist() == careful.errors.to_numpy().tolist()
    for name in careful.frame.columns:
        fast_codes, fast_uniques = fast.column_codes(name)
        careful_codes, careful_uniques = careful.column_codes(name)
        assert fast_codes.tolist() == careful_codes.tolist()
        assert fast_uniques.tolist() == careful_uniques.tolist()


def test_fingertips_next_healthdata_is_read_fast_and_the_same():
    data = (DATA / "healthdata.csv").read_bytes()  # BOM, tripled quotes, empty fields
    assert read_csv_columns(data) is not None
    assert_same_table(data)


def test_the_classic_download_has_short_rows_so_it_is_read_the_careful_way():
    # Its header ends with a comma that the data rows lack: pandas pads, pyarrow cannot.
    data = (DATA / "indicators-CountyUA.data.csv").read_bytes()
    assert read_csv_columns(data) is None
    assert read_csv(data).frame.shape == (852, 26)


WELL_FORMED = {
    "utf-8 BOM": b"\xef\xbb\xbfa,b\r\n1,2\r\n",
    "quoted newlines, mixed line endings": b'a,b\r\n1,"two\nlines"\n3,"x\r\ny"\r\n5,6',
    "carriage returns only": b"a,b\r1,2\r3,4\r",
    "blank lines": b"a,b\n1,2\n\n,\n3,4\n\n",
    "doubled and tripled quotes": b'a,b\n1,"x""y"\n2,"""Quoted, with comma"""\n',
    "quotes inside unquoted values": b'a,b\n1,ab"c"d\n2,"2"x\n',
    "whitespace kept for cleaning": b"code , name\n  E01 , x \n",
    "empty and quoted empty": b'a,b,c\n,"",3\n',
    "no type inference": b"a,b,c,d,e\n007,NA,1e3,TRUE,\n",
    "accents and symbols": "area,note\nSt Helené's,cost £5\n".encode(),
    "header repeated as data": b"a,b\na,b\n1,a\n",
    "one column": b"a\n1\n\n2\n",
}


@pytest.mark.parametrize("data", WELL_FORMED.values(), ids=WELL_FORMED.keys())
def test_well_formed_quirks_are_read_fast_and_the_same(data):
    assert read_csv_columns(data) is not None
    assert_same_table(data)


def test_a_file_ending_in_an_empty_quoted_value_may_go_either_way_but_reads_the_same():
    # It ends with a quote, as a file with a quote left open would: declined, to be safe.
    assert_same_table(b'a,b\n1,""')


DECLINED = {
    "a short row": b"a,b,c\n1,2\n4,5,6\n",
    "a long row": b"a,b\n1,2\n3,4,oops\n",
    "an unclosed quote (odd count)": b'a,b\n1,2\n3,"never closed\n5,6\n',
    "an unclosed quote after a literal one": b'a,b\n1,x"y\n3,"4\n5,6\n',
    "an unclosed quote on the last line": b'a,b\n1,"2',
    "a blank line before the header": b"\na,b\n1,2\n",
    "a quoted newline in the header": b'"a\nb",c,d\n1,x,3\n',
}


@pytest.mark.parametrize("data", DECLINED.values(), ids=DECLINED.keys())
def test_files_pyarrow_would_read_differently_go_the_careful_way(data):
    assert read_csv_columns(data) is None
    try:
        assert_same_table(data)
    except ExtractRejected as fast_refusal:
        with pytest.raises(ExtractRejected) as careful_refusal:
            read_csv(data, fast=False)
        assert careful_refusal.value.message == fast_refusal.message


def test_a_file_parsed_in_many_blocks_keeps_codes_in_order_of_first_appearance():
    # Over pyarrow's 1 MB block, so several threads each build their own dictionaries.
    rng = np.random.default_rng(3)
    areas = np.array([f"E0{number:07d}" for number in rng.permutation(600)])
    lines = [
        f"{areas[a]},{band},{n}"
        for a, band, n in zip(
            rng.integers(0, 600, 120_000), rng.integers(0, 19, 120_000),
            rng.integers(0, 5000, 120_000), strict=True,
        )
    ]  # fmt: skip
    data = ("area_code,band,numerator\n" + "\n".join(lines) + "\n").encode()
    assert len(data) > 2_000_000
    assert read_csv_columns(data) is not None
    assert_same_table(data)
